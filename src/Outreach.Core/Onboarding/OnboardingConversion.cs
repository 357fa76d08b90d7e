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
        var inPeriod = InPeriod(parties, from, to, asOf);
        var counted = inPeriod.Where(Counted).ToList();
        var days = counted.Where(o => o.Days is not null).Select(o => (double)o.Days!.Value).Order().ToList();
        var cohorts = counted
            .GroupBy(CohortOf)
            .OrderBy(g => g.Key.Year).ThenBy(g => g.Key.Quarter)
            .Select(g => Cohort(g.Key.Year, g.Key.Quarter, g.ToList(), asOf))
            .ToList();
        return new OnboardingConversion(
            new Share(counted.Count(o => Is(o, OnboardingMeasure.Onboarded, asOf)), counted.Count),
            counted.Count(o => Is(o, OnboardingMeasure.WithinYearOne, asOf)),
            inPeriod.Count(o => Is(o, OnboardingMeasure.WithoutYearOne, asOf)),
            counted.Count(o => Is(o, OnboardingMeasure.Left, asOf)),
            ConversionReportBuilder.Percentile(days, 0.5),
            ConversionReportBuilder.Percentile(days, 0.75),
            cohorts);
    }

    /// <summary>
    /// The parties (prospect ids) an onboarding figure of <see cref="Build"/> counts, by the same rules: a list of these is
    /// exactly the figure. Parties whose year one asks nothing are only in <see cref="OnboardingMeasure.WithoutYearOne"/>.
    /// </summary>
    public static IReadOnlyList<long> Select(ReportFigure figure, IEnumerable<MonitoredParty> parties, DateOnly from, DateOnly to, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(figure);
        ArgumentNullException.ThrowIfNull(parties);
        if (!figure.IsOnboarding || figure.Measure is not { } measure) return [];
        var inPeriod = InPeriod(parties, from, to, asOf);
        if (measure == OnboardingMeasure.WithoutYearOne)
            return figure.Kind == FigureKind.OnboardingParties ? [.. inPeriod.Where(o => Is(o, measure, asOf)).Select(o => o.Party.ProspectId)] : [];
        var counted = inPeriod.Where(Counted).Where(o => figure.Kind == FigureKind.OnboardingParties || CohortOf(o) == (figure.Year, figure.Quarter));
        var members = figure.Kind == FigureKind.OnboardingStep
            ? counted.Where(o => Step(o, figure.Milestone!, asOf) is { } done && (measure == OnboardingMeasure.Asked || done))
            : counted.Where(o => Is(o, measure, asOf));
        return [.. members.Select(o => o.Party.ProspectId)];
    }

    private static List<PartyOnboarding> InPeriod(IEnumerable<MonitoredParty> parties, DateOnly from, DateOnly to, DateOnly asOf) =>
        [.. parties.Where(p => p.SignedOn >= from && p.SignedOn <= to).Select(p => PartyOnboarding.Of(p, asOf))];

    /// <summary>Counted in signed → onboarded and the cohorts: something is due in its year one.</summary>
    private static bool Counted(PartyOnboarding o) => o.YearOne.Count > 0;

    private static (int Year, int Quarter) CohortOf(PartyOnboarding o) => (o.Party.SignedOn.Year, (o.Party.SignedOn.Month + 2) / 3);

    private static bool DoneBy(PartyMilestone m, DateOnly asOf) => m.DoneOn is { } d && d <= asOf;

    /// <summary>Whether the party counts in the measure (for the counted parties; <see cref="OnboardingMeasure.WithoutYearOne"/> for the others).</summary>
    private static bool Is(PartyOnboarding o, OnboardingMeasure measure, DateOnly asOf) => measure switch
    {
        OnboardingMeasure.Signed => true,
        OnboardingMeasure.Started => o.YearOne.Any(m => DoneBy(m, asOf)),
        OnboardingMeasure.Onboarded => o.Onboarded is not null,
        OnboardingMeasure.WithinYearOne => o.Onboarded is null && o.YearOneEnds >= asOf,
        OnboardingMeasure.WithoutYearOne => o.YearOne.Count == 0,
        OnboardingMeasure.Left => o.Party.LeftOn is { } left && left <= asOf,
        _ => false,
    };

    /// <summary>
    /// A funnel step for one party: null when its year one does not hold the milestone, otherwise whether it did it (each
    /// of them, should a renewed signing have left two of one kind in its year one). Steps count parties, not milestones.
    /// </summary>
    private static bool? Step(PartyOnboarding o, string key, DateOnly asOf)
    {
        var asked = o.YearOne.Where(m => string.Equals(m.Key, key, StringComparison.Ordinal)).ToList();
        return asked.Count == 0 ? null : asked.All(m => DoneBy(m, asOf));
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
                var asked = members.Select(o => Step(o, g.Key, asOf)).OfType<bool>().ToList();
                return new OnboardingFunnelStep(g.Key, first.NameNl, first.NameEn, new Share(asked.Count(done => done), asked.Count));
            })
            .ToList();
        var days = members.Where(o => o.Days is not null).Select(o => (double)o.Days!.Value).Order().ToList();
        return new OnboardingCohort(year, quarter, members.Count,
            members.Count(o => Is(o, OnboardingMeasure.Started, asOf)),
            members.Count(o => Is(o, OnboardingMeasure.Onboarded, asOf)),
            members.Count(o => Is(o, OnboardingMeasure.WithinYearOne, asOf)),
            steps,
            ConversionReportBuilder.Percentile(days, 0.5));
    }
}

/// <summary>
/// Loads the parties the conversion report's filters select (its covenants, one or several, and party kind; sector and
/// owner do not apply) and counts the step after signing, or lists the parties behind one of its figures.
/// </summary>
public sealed class OnboardingConversions(IProspectStore prospects, IOnboardingStore store, TimeProvider clock)
{
    public async Task<OnboardingConversion> BuildAsync(ReportQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        return OnboardingConversionBuilder.Build(await PartiesAsync(query, ct).ConfigureAwait(false), query.From, query.To, AmsterdamClock.Today(clock));
    }

    /// <summary>The prospects (parties) an onboarding figure counts, from the same parties and rules as <see cref="BuildAsync"/>.</summary>
    public async Task<IReadOnlyList<long>> ProspectIdsAsync(ReportQuery query, ReportFigure figure, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(figure);
        return OnboardingConversionBuilder.Select(figure, await PartiesAsync(query, ct).ConfigureAwait(false), query.From, query.To, AmsterdamClock.Today(clock));
    }

    private async Task<List<MonitoredParty>> PartiesAsync(ReportQuery query, CancellationToken ct)
    {
        var chosen = query.Covenants;
        var parties = new List<MonitoredParty>();
        // Every covenant the report covers: with several chosen, CovenantId alone is null, which is not "all".
        foreach (var covenant in (await prospects.ListCovenantsAsync(ct).ConfigureAwait(false)).Where(c => chosen.Count == 0 || chosen.Contains(c.Id)))
        {
            parties.AddRange((await store.ListSignedInAsync(covenant.Id, query.From, query.To, ct).ConfigureAwait(false)).Where(p => query.PartyKind is null || p.Kind == query.PartyKind));
        }

        return parties;
    }
}
