using Outreach.Core.Pipeline;

namespace Outreach.Core.Reports;

/// <summary>A part of a whole ("12 of 40"); <see cref="Rate"/> is null when the whole is empty, never a made-up 0.</summary>
public readonly record struct Share(int Count, int Of)
{
    public double? Rate => Of == 0 ? null : (double)Count / Of;
}

public sealed record FunnelStep(Stage Stage, int Reached);

/// <summary>Which funnel a page shows: the cohort's (the default: it cannot widen) or the stages reached in the period.</summary>
public enum FunnelKind
{
    /// <summary>The prospects first contacted in the period, followed up to today: how far each of them got.</summary>
    Cohort,
    /// <summary>The prospects that first reached each stage in the period, whenever their first contact was: it can widen.</summary>
    Period,
}

/// <summary>Of the prospects that first reached <see cref="From"/> in the period, how many went on to reach <see cref="To"/> by the period's end.</summary>
public sealed record StepConversion(Stage From, Stage To, Share Converted);

/// <summary>Days between two stages, for the prospects that first reached <see cref="To"/> in the period.</summary>
public sealed record StageDuration(Stage From, Stage To, int Prospects, double? MedianDays, double? P75Days);

/// <summary>Days from first contact to signed, for the prospects first signed in the period.</summary>
public sealed record TimeToSign(int Prospects, double? MedianDays, double? P75Days, IReadOnlyList<TimeToSignBucket> Distribution);

/// <summary>Signed within (<see cref="FromDays"/>, <see cref="ToDays"/>] days of first contact; <see cref="ToDays"/> null is "and longer".</summary>
public sealed record TimeToSignBucket(int FromDays, int? ToDays, int Prospects);

/// <summary>
/// Prospects whose first contact fell in one quarter (and in the period): the share signed within 90, 180 and 365
/// days. A share is null while it is too early to tell: not every prospect of the cohort has had that many days yet.
/// </summary>
public sealed record CohortRow(int Year, int Quarter, int Prospects, Share? Within90, Share? Within180, Share? Within365)
{
    public string Label => $"{Year} Q{Quarter}";
}

/// <summary>First contact → signed for prospects that attended a network event and those that did not; shares are null without attendance data.</summary>
public sealed record EventEffect(bool HasAttendanceData, Share? Attended, Share? NotAttended);

public sealed record ReasonCount(string Reason, int Times);

/// <summary>Moves into one exit stage in the period: by how many prospects, how often, and the reasons given (the most frequent first).</summary>
public sealed record ExitSummary(Stage Stage, int Prospects, int Moves, IReadOnlyList<ReasonCount> Reasons, int OtherReasons);

/// <summary>A party that left in the period; <paramref name="ProspectId"/> is its pipeline entry, for the page's link to it.</summary>
public sealed record PartyThatLeft(string Organisation, string Covenant, DateTimeOffset? SignedAt, DateTimeOffset LeftAt, string Reason, long ProspectId);

/// <summary>The conversion report for one period and set of filters, computed from the stage history.</summary>
/// <remarks>Immutable (never changed after it is built), so the report cache hands the one instance to every reader.</remarks>
[System.ComponentModel.ImmutableObject(true)]
public sealed record ConversionReport
{
    /// <summary>How the report counts, in one sentence for the page, the API and the mail.</summary>
    public const string CountingRule =
        "Each prospect counts once per stage it reached, at the first time it reached it; moving back and reaching a stage again (a re-entry) does not count again, and re-entries are shown separately.";

    /// <summary>How many parties that left the report lists by name; a report over many years counts the rest in the exits.</summary>
    public const int LeftListed = 200;

    /// <summary>How the cohort funnel counts, in one sentence for the page, the API and the files.</summary>
    public const string CohortFunnelRule =
        "Cohort funnel: the prospects first contacted in the period, followed up to today; each counts at every stage up to the furthest it reached on the main line (identified counts the whole cohort), so no stage can count more than the one before it.";

    /// <summary>How the period funnel counts.</summary>
    public const string PeriodFunnelRule =
        "Period funnel: the prospects that first reached each stage in the period, whenever they were first contacted; a later stage can count more than an earlier one when prospects contacted before the period moved on in it.";

    public required ReportQuery Query { get; init; }
    public required DateTimeOffset AsOf { get; init; }
    /// <summary>History lines dated in the period (first reaches and re-entries).</summary>
    public required int MovesInPeriod { get; init; }
    /// <summary>The period funnel: how many prospects first reached each stage in the period (it can widen, see <see cref="FunnelKind.Period"/>).</summary>
    public required IReadOnlyList<FunnelStep> Funnel { get; init; }
    /// <summary>
    /// The cohort funnel: of the prospects first contacted in the period, how many got at least as far as each stage by
    /// <see cref="AsOf"/> (see <see cref="CohortFunnelRule"/>). Never wider at a later stage than at an earlier one.
    /// </summary>
    public required IReadOnlyList<FunnelStep> CohortFunnel { get; init; }
    public required IReadOnlyList<StepConversion> Conversions { get; init; }
    /// <summary>Of the prospects first contacted in the period, how many signed by its end.</summary>
    public required Share FirstContactToSigned { get; init; }
    public required IReadOnlyList<StageDuration> Durations { get; init; }
    public required TimeToSign TimeToSign { get; init; }
    public required IReadOnlyList<CohortRow> Cohorts { get; init; }
    public required EventEffect Events { get; init; }
    /// <summary>Which event, and which host party, preceded prospects' next stage (see <see cref="EventFollowThroughBuilder"/>).</summary>
    public required EventFollowThrough EventFollowThrough { get; init; }
    public required IReadOnlyList<ExitSummary> Exits { get; init; }
    /// <summary>The parties that left in the period, the latest first, at most <see cref="LeftListed"/> (the exits count them all).</summary>
    public required IReadOnlyList<PartyThatLeft> Left { get; init; }
    /// <summary>Moves in the period into a stage the prospect had reached before: not counted in the funnel.</summary>
    public required int ReEntries { get; init; }
#pragma warning disable CA1822 // Instance properties so that the API's JSON carries the rules with the figures.
    public string Counting => CountingRule;
    public string CohortFunnelCounting => CohortFunnelRule;
#pragma warning restore CA1822

    /// <summary>The funnel of the given kind.</summary>
    public IReadOnlyList<FunnelStep> FunnelOf(FunnelKind kind) => kind == FunnelKind.Cohort ? CohortFunnel : Funnel;
}
