using Outreach.Core.Common;

namespace Outreach.Core.Onboarding;

/// <summary>A milestone to create for a party that just signed (computed by <see cref="OnboardingRules.MilestonesAtSigning"/>).</summary>
public sealed record MilestoneDraft(string Key, int? Year, DateOnly DueOn, string NameNl, string NameEn, int PlanVersion);

/// <summary>
/// One party's milestone: created when it signed, with the due date the plan gave it. <see cref="Year"/> is the monitoring
/// year of a milestone that repeats yearly, null for one asked once.
/// </summary>
public sealed record PartyMilestone
{
    public long Id { get; init; }
    public long ProspectId { get; init; }
    public required string Key { get; init; }
    public int? Year { get; init; }
    public required string NameNl { get; init; }
    public required string NameEn { get; init; }
    public DateOnly DueOn { get; init; }
    public int PlanVersion { get; init; }
    public DateOnly? DoneOn { get; init; }
    public string? EvidenceUrl { get; init; }
    public long? EvidenceFileId { get; init; }
    public string? EvidenceFileName { get; init; }
    public string? DoneBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public bool IsDone => DoneOn is not null;

    public string Name(string language) => language == "nl" ? NameNl : NameEn;

    public bool IsOverdue(DateOnly today) => !IsDone && DueOn < today;
}

public enum MilestoneAction
{
    Created,
    Done,
    Reopened,
}

public static class MilestoneActions
{
    private static readonly CodeTable<MilestoneAction> Table = new(new Dictionary<MilestoneAction, string>
    {
        [MilestoneAction.Created] = "created",
        [MilestoneAction.Done] = "done",
        [MilestoneAction.Reopened] = "reopened",
    });

    public static string Code(this MilestoneAction action) => Table.Code(action);

    public static MilestoneAction Parse(string code) => Table.Parse(code);
}

/// <summary>One appended line of a party milestone's history: created, marked done (with date and evidence), reopened (with reason).</summary>
public sealed record MilestoneChange(long MilestoneId, MilestoneAction Action, DateTimeOffset At, string By)
{
    public long Id { get; init; }
    public DateOnly? DoneOn { get; init; }
    public string? EvidenceUrl { get; init; }
    public long? EvidenceFileId { get; init; }
    public string? Reason { get; init; }
}

/// <summary>An uploaded evidence file, kept in the database with the party (its prospect entry).</summary>
public sealed record EvidenceUpload(string FileName, string ContentType, byte[] Content);

public sealed record EvidenceFile(long Id, long ProspectId, string FileName, string ContentType, byte[] Content, DateTimeOffset UploadedAt, string UploadedBy);

/// <summary>A party of a covenant that signed at some point, as the monitoring report needs it.</summary>
public sealed record MonitoredParty
{
    public long ProspectId { get; init; }
    public required string Name { get; init; }
    public Prospects.PartyKind Kind { get; init; }
    /// <summary>The Amsterdam date of its latest signing.</summary>
    public DateOnly SignedOn { get; init; }
    /// <summary>The Amsterdam date it left after that signing; null while it is a party.</summary>
    public DateOnly? LeftOn { get; init; }
    public IReadOnlyList<PartyMilestone> Milestones { get; init; } = [];
}
