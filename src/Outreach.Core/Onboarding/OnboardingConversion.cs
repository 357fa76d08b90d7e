using Outreach.Core.Calendar;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;

namespace Outreach.Core.Onboarding;

/// <summary>
/// A party's year one: the milestones due within twelve months of its signing (inclusive). It is <b>onboarded</b> on the day
/// the last of them was done; <see cref="Onboarded"/> is null while one is open (or none is due in its year one).
/// </summary>
public sealed record PartyOnboarding(MonitoredParty Party, IReadOnlyList<PartyMilestone> YearOne, DateOnly YearOneEnds, DateOnly? Onboarded)
{
    /// <summary>Days from signing to onboarded (0 when year one was done before the signing was recorded).</summary>
    public int? Days => Onboarded is { } on ? Math.Max(0, on.DayNumber - Party.SignedOn.DayNumber) : null;

    public static PartyOnboarding Of(MonitoredParty party, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(party);
        var ends = party.SignedOn.AddYears(1);
        var yearOne = party.Milestones.Where(m => m.DueOn <= ends).OrderBy(m => m.DueOn).ThenBy(m => m.Key, StringComparer.Ordinal).ToList();
        // Done as the report's date sees it: a date after it (a future-dated import) does not count yet.
        var done = yearOne.Where(m => m.DoneOn is { } d && d <= asOf).ToList();
        DateOnly? onboarded = yearOne.Count > 0 && done.Count == yearOne.Count ? done.Max(m => m.DoneOn!.Value) : null;
        return new PartyOnboarding(party, yearOne, ends, onboarded);
    }
}

/// <summary>One year-one milestone in a cohort's funnel: of the cohort's parties asked it, how many had done it.</summary>
public sealed record OnboardingFunnelStep(string Key, string NameNl, string NameEn, Share Done)
{
    public string Name(string language) => language == "nl" ? NameNl : NameEn;
}

/// <summary>
/// Parties whose signing fell in one quarter: signed → started (a year-one milestone done) → onboarded, with each
/// milestone's figure, and how many are still within their year one (not yet overdue, so not yet a failure).
/// </summary>
public sealed record OnboardingCohort(int Year, int Quarter, int Signed, int Started, int Onboarded, int WithinYearOne, IReadOnlyList<OnboardingFunnelStep> Steps, double? MedianDays)
{
    public string Label => $"{Year} Q{Quarter}";
}

/// <summary>
/// The conversion report's step after signing, for the parties whose latest signing fell in the period: how many were
/// onboarded (all year-one milestones done) by the report's date, the days from signing to onboarded (median, P75, as the
/// report's other durations), and the onboarding funnel per signing quarter. Parties without a milestone due in their
/// year one (signed before the covenant had a plan, or asked nothing) are counted apart, not as failures.
/// </summary>
[System.ComponentModel.ImmutableObject(true)]
public sealed record OnboardingConversion(
    Share SignedToOnboarded,
    int WithinYearOne,
    int WithoutYearOne,
    int Left,
    double? MedianDays,
    double? P75Days,
    IReadOnlyList<OnboardingCohort> Cohorts);

public static class OnboardingConversionBuilder
{
    /// <summary>Counts the step after signing from the parties (of one covenant or several) as they stand on <paramref name="asOf"/>.</summary>
    public static OnboardingConversion Build(IEnumerable<MonitoredParty> parties, DateOnly from, DateOnly to, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(parties);
        var inPeriod = parties.Where(p => p.SignedOn >= from && p.SignedOn <= to).Select(p => PartyOnboarding.Of(p, asOf)).ToList();
        var counted = inPeriod.Where(o => o.YearOne.Count > 0).ToList();
        var days = counted.Where(o => o.Days is not null).Select(o => (double)o.Days!.Value).Order().ToList();
        var cohorts = counted
            .GroupBy(o => (o.Party.SignedOn.Year, Quarter: (o.Party.SignedOn.Month + 2) / 3))
            .OrderBy(g => g.Key.Year).ThenBy(g => g.Key.Quarter)
            .Select(g => Cohort(g.Key.Year, g.Key.Quarter, g.ToList(), asOf))
            .ToList();
        return new OnboardingConversion(
            new Share(counted.Count(o => o.Onboarded is not null), counted.Count),
            counted.Count(o => o.Onboarded is null && o.YearOneEnds >= asOf),
            inPeriod.Count - counted.Count,
            counted.Count(o => o.Party.LeftOn is { } left && left <= asOf),
            ConversionReportBuilder.Percentile(days, 0.5),
            ConversionReportBuilder.Percentile(days, 0.75),
            cohorts);
    }

    private static OnboardingCohort Cohort(int year, int quarter, List<PartyOnboarding> members, DateOnly asOf)
    {
        // The steps in the order they fall due for the cohort's parties (by the earliest due date of each code).
        var steps = members.SelectMany(o => o.YearOne)
            .GroupBy(m => m.Key, StringComparer.Ordinal)
            .OrderBy(g => g.Min(m => m.DueOn)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var first = g.First();
                return new OnboardingFunnelStep(g.Key, first.NameNl, first.NameEn, new Share(g.Count(m => m.DoneOn is { } d && d <= asOf), g.Count()));
            })
            .ToList();
        var days = members.Where(o => o.Days is not null).Select(o => (double)o.Days!.Value).Order().ToList();
        return new OnboardingCohort(year, quarter, members.Count,
            members.Count(o => o.YearOne.Any(m => m.DoneOn is { } d && d <= asOf)),
            members.Count(o => o.Onboarded is not null),
            members.Count(o => o.Onboarded is null && o.YearOneEnds >= asOf),
            steps,
            ConversionReportBuilder.Percentile(days, 0.5));
    }
}

/// <summary>Loads the parties the conversion report's filters select (covenant and party kind; sector and owner do not apply) and counts the step after signing.</summary>
public sealed class OnboardingConversions(IProspectStore prospects, IOnboardingStore store, TimeProvider clock)
{
    public async Task<OnboardingConversion> BuildAsync(ReportQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var parties = new List<MonitoredParty>();
        foreach (var covenant in (await prospects.ListCovenantsAsync(ct).ConfigureAwait(false)).Where(c => query.CovenantId is null || c.Id == query.CovenantId))
        {
            parties.AddRange((await store.ListSignedInAsync(covenant.Id, query.From, query.To, ct).ConfigureAwait(false)).Where(p => query.PartyKind is null || p.Kind == query.PartyKind));
        }

        return OnboardingConversionBuilder.Build(parties, query.From, query.To, AmsterdamClock.Today(clock));
    }
}
