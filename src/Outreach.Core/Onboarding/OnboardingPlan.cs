using Outreach.Core.Common;
using Outreach.Core.Prospects;

namespace Outreach.Core.Onboarding;

/// <summary>How a milestone's due date is set: a number of months after the party signed, or a fixed day in each monitoring year.</summary>
public enum DueRule
{
    AfterSigning,
    FixedEachYear,
}

public static class DueRules
{
    private static readonly CodeTable<DueRule> Table = new(new Dictionary<DueRule, string>
    {
        [DueRule.AfterSigning] = "after_signing",
        [DueRule.FixedEachYear] = "fixed_each_year",
    });

    public static IReadOnlyList<DueRule> All => Table.Members;

    public static string Code(this DueRule rule) => Table.Code(rule);

    public static DueRule Parse(string code) => Table.Parse(code);

    public static bool TryParse(string? code, out DueRule rule) => Table.TryParse(code, out rule);
}

/// <summary>
/// One milestone of a covenant's onboarding plan (policy published, risk analysis delivered …). <see cref="Key"/> is the
/// stable code a party's milestones and the monitoring report refer to; the names and phrases may change between versions.
/// </summary>
public sealed record PlanMilestone
{
    public required string Key { get; init; }
    public required string NameNl { get; init; }
    public required string NameEn { get; init; }
    /// <summary>What the monitoring sentence says the parties did ("published their RBC policy"); the name when empty.</summary>
    public string? PhraseNl { get; init; }
    public string? PhraseEn { get; init; }
    /// <summary>The party kinds asked for it (a ministry or NGO is not asked for a risk analysis).</summary>
    public required IReadOnlyList<PartyKind> AppliesTo { get; init; }
    public DueRule Due { get; init; }
    /// <summary>With <see cref="DueRule.AfterSigning"/>: months after the signing date (0 = on the day).</summary>
    public int? MonthsAfterSigning { get; init; }
    /// <summary>With <see cref="DueRule.FixedEachYear"/>: the month and day of each monitoring year it is due on.</summary>
    public int? DueMonth { get; init; }
    public int? DueDay { get; init; }
    /// <summary>Asked again every monitoring year (one milestone per party and year) rather than once.</summary>
    public bool RepeatsYearly { get; init; }

    public bool AppliesToKind(PartyKind kind) => AppliesTo.Contains(kind);

    /// <summary>The name in the reader's language (Dutch for "nl", English otherwise).</summary>
    public string Name(string language) => language == "nl" ? NameNl : NameEn;
}

/// <summary>
/// One version of a covenant's onboarding plan. Every save is a new version (the older ones stay, and the audit trail
/// records what changed); a party's milestones keep the names and due dates of the version in force when it signed.
/// </summary>
public sealed record OnboardingPlan
{
    public long CovenantId { get; init; }
    public int Version { get; init; }
    public required IReadOnlyList<PlanMilestone> Milestones { get; init; }
    /// <summary>
    /// Months into a monitoring year after which a party that signs is no longer monitored for that year. 0 (the default):
    /// a party that joined in a year is first monitored the year after.
    /// </summary>
    public int CutOffMonths { get; init; }
    public DateTimeOffset ChangedAt { get; init; }
    public string ChangedBy { get; init; } = "";
}

/// <summary>Someone saved a newer version of the plan since this one was read.</summary>
public sealed class ConcurrentPlanChangeException(long covenantId, int expected)
    : InvalidOperationException($"The onboarding plan of covenant {covenantId} is no longer at version {expected}: someone else changed it. Reload and try again.")
{
    public long CovenantId { get; } = covenantId;
}
