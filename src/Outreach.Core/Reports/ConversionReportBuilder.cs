using Outreach.Core.Calendar;
using Outreach.Core.Pipeline;

namespace Outreach.Core.Reports;

/// <summary>The conversion report's arithmetic: pure, so that hand-computed figures can check it.</summary>
public static class ConversionReportBuilder
{
    public static readonly IReadOnlyList<int> CohortWindows = [90, 180, 365];

    /// <summary>Upper bounds (days) of the time-to-sign distribution's bars; the last bar has no upper bound.</summary>
    public static readonly IReadOnlyList<int> TimeToSignBounds = [30, 90, 180, 365];

    /// <summary>How many reasons each exit lists; the rest are counted together.</summary>
    public const int ReasonsShown = 10;

    private static readonly Stage[] ExitStages = [Stage.Declined, Stage.NotNow, Stage.Left];

    /// <summary>The period's instants, worked out once: converting Amsterdam dates on every comparison was most of the report's time.</summary>
    private readonly record struct Period(DateTimeOffset Start, DateTimeOffset End, DateOnly From, DateOnly To)
    {
        public bool Contains(DateTimeOffset? at) => at is { } t && t >= Start && t < End;
    }

    public static ConversionReport Build(ReportQuery q, ReportData data, DateTimeOffset asOf, EventAttendance? attendance = null)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(data);
        var query = new Period(q.Start, q.End, q.From, q.To);
        var prospects = data.Prospects;
        // First reaches in the period per stage, in one pass: the funnel, and the moves that were not re-entries.
        var reached = new int[Stages.All.Count];
        foreach (var p in prospects)
        {
            foreach (var s in Stages.All) if (query.Contains(p.FirstReached(s))) reached[(int)s]++;
        }

        var funnel = Stages.Funnel.Select(s => new FunnelStep(s, reached[(int)s])).ToList();

        var conversions = new List<StepConversion>();
        var durations = new List<StageDuration>();
        for (var i = 0; i + 1 < Stages.Funnel.Count; i++)
        {
            var (from, to) = (Stages.Funnel[i], Stages.Funnel[i + 1]);
            conversions.Add(new StepConversion(from, to, Convert(query, prospects, p => p.FirstReached(from), p => p.FirstReached(to))));
            var days = Days(query, prospects, p => p.FirstReached(from), p => p.FirstReached(to));
            durations.Add(new StageDuration(from, to, days.Count, Percentile(days, 0.5), Percentile(days, 0.75)));
        }

        var signing = Days(query, prospects, p => p.FirstContact, p => p.FirstReached(Stage.Signed));
        var timeToSign = new TimeToSign(signing.Count, Percentile(signing, 0.5), Percentile(signing, 0.75), Distribution(signing));

        var firstReaches = reached.Sum();

        return new ConversionReport
        {
            Query = q,
            AsOf = asOf,
            MovesInPeriod = data.MovesInPeriod,
            Funnel = funnel,
            CohortFunnel = CohortFunnel(query, prospects, asOf),
            Conversions = conversions,
            FirstContactToSigned = Convert(query, prospects, p => p.FirstContact, p => p.FirstReached(Stage.Signed)),
            Durations = durations,
            TimeToSign = timeToSign,
            Cohorts = Cohorts(query, prospects, asOf),
            Events = Events(query, prospects, attendance),
            EventFollowThrough = EventFollowThroughBuilder.Build(q, prospects, attendance),
            Exits = ExitStages.Select(s => Exit(s, data)).ToList(),
            Left = data.Left.OrderByDescending(l => l.LeftAt).ThenBy(l => l.Organisation, StringComparer.Ordinal).Take(ConversionReport.LeftListed).ToList(),
            // Every move in the period either reached a stage for the first time or reached one again.
            ReEntries = data.MovesInPeriod - firstReaches,
        };
    }

    /// <summary>
    /// The cohort funnel: the prospects first contacted in the period, each counted at every main-line stage up to the
    /// furthest it had reached by <paramref name="asOf"/>. Counting "at least this far" rather than "reached this stage"
    /// is what keeps it from widening: a party that skipped a line (re-approached straight to engaged) still passed it.
    /// </summary>
    public static IReadOnlyList<FunnelStep> CohortFunnel(ReportQuery q, IEnumerable<ProspectPath> prospects, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(q);
        return CohortFunnel(new Period(q.Start, q.End, q.From, q.To), prospects, asOf);
    }

    private static List<FunnelStep> CohortFunnel(Period query, IEnumerable<ProspectPath> prospects, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(prospects);
        var atLeast = new int[Stages.Funnel.Count];
        foreach (var p in prospects)
        {
            if (!query.Contains(p.FirstContact) || p.FirstContact > asOf) continue;
            var furthest = 1; // contacted: the cohort's own stage
            for (var i = Stages.Funnel.Count - 1; i > 1; i--)
            {
                if (p.FirstReached(Stages.Funnel[i]) is { } t && t <= asOf) { furthest = i; break; }
            }

            for (var i = 0; i <= furthest; i++) atLeast[i]++;
        }

        return Stages.Funnel.Select((s, i) => new FunnelStep(s, atLeast[i])).ToList();
    }

    /// <summary>Of those who first reached <paramref name="from"/> in the period, how many reached <paramref name="to"/> at or after that, before the period ended.</summary>
    private static Share Convert(Period query, IEnumerable<ProspectPath> prospects, Func<ProspectPath, DateTimeOffset?> from, Func<ProspectPath, DateTimeOffset?> to)
    {
        int whole = 0, part = 0;
        foreach (var p in prospects)
        {
            if (!query.Contains(from(p))) continue;
            whole++;
            if (to(p) is { } t && t >= from(p) && t < query.End) part++;
        }

        return new Share(part, whole);
    }

    /// <summary>Days from <paramref name="from"/> to <paramref name="to"/>, sorted, for those who first reached <paramref name="to"/> in the period after <paramref name="from"/>.</summary>
    private static List<double> Days(Period query, IEnumerable<ProspectPath> prospects, Func<ProspectPath, DateTimeOffset?> from, Func<ProspectPath, DateTimeOffset?> to)
    {
        var days = new List<double>();
        foreach (var p in prospects)
        {
            if (to(p) is { } t && query.Contains(t) && from(p) is { } f && f <= t) days.Add((t - f).TotalDays);
        }

        days.Sort();
        return days;
    }

    /// <summary>
    /// The percentile by linear interpolation between closest ranks (as spreadsheets' PERCENTILE.INC and MEDIAN do,
    /// so a manager can check a figure by hand); null for no values.
    /// </summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) return null;
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    private static List<TimeToSignBucket> Distribution(List<double> days)
    {
        var buckets = new List<TimeToSignBucket>();
        var lower = 0;
        foreach (var upper in TimeToSignBounds)
        {
            var l = lower;
            buckets.Add(new TimeToSignBucket(l, upper, days.Count(d => d > l && d <= upper || l == 0 && d == 0)));
            lower = upper;
        }

        buckets.Add(new TimeToSignBucket(lower, null, days.Count(d => d > lower)));
        return buckets;
    }

    private static List<CohortRow> Cohorts(Period query, IEnumerable<ProspectPath> prospects, DateTimeOffset asOf)
    {
        var rows = new List<CohortRow>();
        // The quarters (of Amsterdam dates) the period touches, by their first instant: a first contact belongs to the
        // last quarter that starts at or before it. The same answer as converting each instant to local time, without
        // a time-zone conversion per prospect (measured: a large share of the report's computation).
        var quarters = new List<(int Year, int Quarter, long StartTicks)>();
        for (var d = new DateOnly(query.From.Year, (query.From.Month - 1) / 3 * 3 + 1, 1); d <= query.To; d = d.AddMonths(3))
        {
            quarters.Add((d.Year, (d.Month + 2) / 3, AmsterdamClock.AtLocal(d, TimeOnly.MinValue).UtcTicks));
        }

        var starts = quarters.Select(x => x.StartTicks).ToArray();
        var members = quarters.Select(_ => new List<ProspectPath>()).ToArray();
        foreach (var p in prospects)
        {
            if (!query.Contains(p.FirstContact)) continue;
            var i = Array.BinarySearch(starts, p.FirstContact!.Value.UtcTicks);
            members[i >= 0 ? i : ~i - 1].Add(p);
        }

        for (var q = 0; q < quarters.Count; q++)
        {
            if (members[q].Count == 0) continue;
            var (year, quarter, _) = quarters[q];
            var cohort = members[q];
            var quarterEnd = new DateOnly(year, quarter * 3, 1).AddMonths(1).AddDays(-1);
            // The cohort's latest possible first contact: the end of the quarter, or of the period if that is earlier.
            var lastContact = AmsterdamClock.AtLocal((quarterEnd < query.To ? quarterEnd : query.To).AddDays(1), TimeOnly.MinValue);
            Share? Within(int days)
            {
                if (lastContact + TimeSpan.FromDays(days) > asOf) return null;
                var signed = cohort.Count(p => p.FirstReached(Stage.Signed) is { } s && s >= p.FirstContact && s - p.FirstContact!.Value <= TimeSpan.FromDays(days));
                return new Share(signed, cohort.Count);
            }

            rows.Add(new CohortRow(year, quarter, cohort.Count, Within(CohortWindows[0]), Within(CohortWindows[1]), Within(CohortWindows[2])));
        }

        return rows;
    }

    private static EventEffect Events(Period query, IReadOnlyList<ProspectPath> prospects, EventAttendance? attendance)
    {
        if (attendance is null) return new EventEffect(false, null, null);
        var attended = prospects.Where(p => attendance.AttendedOrganisationIds.Contains(p.OrganisationId)).ToList();
        var others = prospects.Where(p => !attendance.AttendedOrganisationIds.Contains(p.OrganisationId)).ToList();
        return new EventEffect(true,
            Convert(query, attended, p => p.FirstContact, p => p.FirstReached(Stage.Signed)),
            Convert(query, others, p => p.FirstContact, p => p.FirstReached(Stage.Signed)));
    }

    private static ExitSummary Exit(Stage stage, ReportData data)
    {
        var reasons = data.ExitReasons.Where(r => r.Stage == stage)
            .GroupBy(r => r.Reason.Trim(), StringComparer.Ordinal)
            .Select(g => new ReasonCount(g.Key, g.Sum(r => r.Times)))
            .OrderByDescending(r => r.Times).ThenBy(r => r.Reason, StringComparer.Ordinal)
            .ToList();
        return new ExitSummary(stage, data.ExitProspects.GetValueOrDefault(stage), reasons.Sum(r => r.Times),
            reasons.Take(ReasonsShown).ToList(), reasons.Skip(ReasonsShown).Sum(r => r.Times));
    }
}
