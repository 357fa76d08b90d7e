using System.Globalization;
using Outreach.Core.Calendar;
using Outreach.Core.Pipeline;

namespace Outreach.Core.Reports;

/// <summary>Which of the report's figures a prospect list shows the prospects of (issue 16 item 12).</summary>
public enum FigureKind
{
    /// <summary>The cohort funnel at a stage: first contacted in the period, got at least this far by today.</summary>
    CohortFunnel,
    /// <summary>The period funnel at a stage: first reached it in the period.</summary>
    PeriodFunnel,
    /// <summary>A conversion's "of": first reached the from-stage (or first contact) in the period.</summary>
    ConversionOf,
    /// <summary>A conversion's "went on": of those, reached the to-stage after it, before the period ended.</summary>
    ConversionWent,
    /// <summary>The prospects a duration (days between two stages) is measured over.</summary>
    Duration,
    /// <summary>One bar of the time from first contact to signed.</summary>
    TimeToSign,
    /// <summary>A cohort: first contacted in one quarter (within the period).</summary>
    Cohort,
    /// <summary>Network events: first contacted in the period, attended an event (or not).</summary>
    EventsOf,
    /// <summary>Of those, went on to sign in the period.</summary>
    EventsWent,
    /// <summary>Moved into an exit stage in the period (optionally giving one reason).</summary>
    Exit,
}

/// <summary>
/// A reference to one figure of the report, as a link carries it: <c>kind:argument:argument</c>, e.g.
/// <c>cohort-funnel:engaged</c>, <c>conversion-went:first-contact:signed</c>, <c>time-to-sign:2</c>, <c>cohort:2025-3</c>,
/// <c>events-went:attended</c>, <c>exit:declined</c> (the reason, when one, travels beside it). <see cref="From"/> null
/// with a from-stage kind means "first contact".
/// </summary>
public sealed record ReportFigure(FigureKind Kind, Stage? Stage = null, Stage? From = null, int? Bucket = null, int? Year = null, int? Quarter = null, bool? Attended = null, string? Reason = null)
{
    public const string FirstContact = "first-contact";

    private static readonly Dictionary<FigureKind, string> Codes = new()
    {
        [FigureKind.CohortFunnel] = "cohort-funnel", [FigureKind.PeriodFunnel] = "period-funnel",
        [FigureKind.ConversionOf] = "conversion-of", [FigureKind.ConversionWent] = "conversion-went",
        [FigureKind.Duration] = "duration", [FigureKind.TimeToSign] = "time-to-sign", [FigureKind.Cohort] = "cohort",
        [FigureKind.EventsOf] = "events-of", [FigureKind.EventsWent] = "events-went", [FigureKind.Exit] = "exit",
    };

    public static ReportFigure Funnel(FunnelKind kind, Stage stage) => new(kind == FunnelKind.Cohort ? FigureKind.CohortFunnel : FigureKind.PeriodFunnel, stage);

    /// <summary>From <paramref name="from"/> (null: first contact) to <paramref name="to"/>.</summary>
    public static ReportFigure Conversion(Stage? from, Stage to, bool wentOn) => new(wentOn ? FigureKind.ConversionWent : FigureKind.ConversionOf, to, from);

    public static ReportFigure DurationOf(Stage? from, Stage to) => new(FigureKind.Duration, to, from);

    /// <summary>The code a link carries (the reason apart).</summary>
    public string Code
    {
        get
        {
            var kind = Codes[Kind];
            string StageCode(Stage? s) => s is { } x ? x.Code() : FirstContact;
            return Kind switch
            {
                FigureKind.CohortFunnel or FigureKind.PeriodFunnel or FigureKind.Exit => $"{kind}:{Stage!.Value.Code()}",
                FigureKind.ConversionOf or FigureKind.ConversionWent or FigureKind.Duration => $"{kind}:{StageCode(From)}:{Stage!.Value.Code()}",
                FigureKind.TimeToSign => string.Create(CultureInfo.InvariantCulture, $"{kind}:{Bucket}"),
                FigureKind.Cohort => string.Create(CultureInfo.InvariantCulture, $"{kind}:{Year}-{Quarter}"),
                FigureKind.EventsOf or FigureKind.EventsWent => $"{kind}:{(Attended == true ? "attended" : "not-attended")}",
                _ => kind,
            };
        }
    }

    /// <summary>Reads a link's figure; false for anything that is not one.</summary>
    public static bool TryParse(string? code, string? reason, out ReportFigure figure)
    {
        figure = new ReportFigure(FigureKind.Exit);
        var parts = (code ?? "").Trim().Split(':');
        var kind = Codes.FirstOrDefault(c => c.Value == parts[0]).Key;
        if (parts.Length < 2 || Codes.GetValueOrDefault(kind) != parts[0]) return false;
        static bool StageOf(string text, out Stage? stage)
        {
            stage = null;
            if (text == FirstContact) return true;
            if (!Stages.TryParse(text, out var s)) return false;
            stage = s;
            return true;
        }

        switch (kind)
        {
            case FigureKind.CohortFunnel or FigureKind.PeriodFunnel or FigureKind.Exit when parts.Length == 2 && Stages.TryParse(parts[1], out var stage):
                figure = new ReportFigure(kind, stage, Reason: kind == FigureKind.Exit && !string.IsNullOrWhiteSpace(reason) ? reason.Trim() : null);
                return true;
            case FigureKind.ConversionOf or FigureKind.ConversionWent or FigureKind.Duration when parts.Length == 3 && StageOf(parts[1], out var from) && Stages.TryParse(parts[2], out var to):
                figure = new ReportFigure(kind, to, from);
                return true;
            case FigureKind.TimeToSign when parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket) && bucket <= ConversionReportBuilder.TimeToSignBounds.Count:
                figure = new ReportFigure(kind, Bucket: bucket);
                return true;
            case FigureKind.Cohort when parts.Length == 2 && parts[1].Split('-') is [var y, var q]
                                         && int.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is > 1900 and < 3000
                                         && int.TryParse(q, NumberStyles.None, CultureInfo.InvariantCulture, out var quarter) && quarter is >= 1 and <= 4:
                figure = new ReportFigure(kind, Year: year, Quarter: quarter);
                return true;
            case FigureKind.EventsOf or FigureKind.EventsWent when parts.Length == 2 && parts[1] is "attended" or "not-attended":
                figure = new ReportFigure(kind, Attended: parts[1] == "attended");
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The prospects (entry ids) the figure counts, from the report's own inputs and by the report's own rules (see
    /// <see cref="ConversionReportBuilder"/>): a list with these is exactly the figure. Exits are not among the paths
    /// (the report counts them in SQL): <see cref="IReportFigureSource"/> lists those.
    /// </summary>
    public IReadOnlyList<long> Select(ReportQuery q, IReadOnlyList<ProspectPath> prospects, DateTimeOffset asOf, EventAttendance? attendance)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(prospects);
        var (start, end) = (q.Start, q.End);
        bool In(DateTimeOffset? at) => at is { } t && t >= start && t < end;
        DateTimeOffset? FromOf(ProspectPath p) => From is { } f ? p.FirstReached(f) : p.FirstContact;
        Func<ProspectPath, bool> member = Kind switch
        {
            FigureKind.PeriodFunnel => p => In(p.FirstReached(Stage!.Value)),
            FigureKind.CohortFunnel => p => In(p.FirstContact) && p.FirstContact <= asOf && Furthest(p, asOf) >= Stages.Funnel.ToList().IndexOf(Stage!.Value),
            FigureKind.ConversionOf => p => In(FromOf(p)),
            FigureKind.ConversionWent => p => In(FromOf(p)) && p.FirstReached(Stage!.Value) is { } t && t >= FromOf(p) && t < end,
            FigureKind.Duration => p => p.FirstReached(Stage!.Value) is { } t && In(t) && FromOf(p) is { } f && f <= t,
            FigureKind.TimeToSign => p => p.FirstReached(Pipeline.Stage.Signed) is { } t && In(t) && p.FirstContact is { } f && f <= t && InBucket((t - f).TotalDays),
            FigureKind.Cohort => p => In(p.FirstContact) && p.FirstContact >= QuarterStart(0) && p.FirstContact < QuarterStart(3),
            FigureKind.EventsOf => p => attendance is not null && attendance.AttendedOrganisationIds.Contains(p.OrganisationId) == Attended && In(p.FirstContact),
            FigureKind.EventsWent => p => attendance is not null && attendance.AttendedOrganisationIds.Contains(p.OrganisationId) == Attended && In(p.FirstContact)
                                          && p.FirstReached(Pipeline.Stage.Signed) is { } t && t >= p.FirstContact && t < end,
            _ => _ => false,
        };
        return [.. prospects.Where(member).Select(p => p.EntryId)];
    }

    /// <summary>The cohort funnel's "got this far": the furthest main-line stage reached by <paramref name="asOf"/>, at least contacted.</summary>
    private static int Furthest(ProspectPath p, DateTimeOffset asOf)
    {
        for (var i = Stages.Funnel.Count - 1; i > 1; i--)
        {
            if (p.FirstReached(Stages.Funnel[i]) is { } t && t <= asOf) return i;
        }

        return 1;
    }

    /// <summary>The time-to-sign bar's rule (see ConversionReportBuilder.Distribution): the first bar holds day 0 too.</summary>
    private bool InBucket(double days)
    {
        var bounds = ConversionReportBuilder.TimeToSignBounds;
        var b = Bucket!.Value;
        var lower = b == 0 ? 0 : bounds[b - 1];
        if (b == bounds.Count) return days > lower;
        return days > lower && days <= bounds[b] || lower == 0 && days == 0;
    }

    private DateTimeOffset QuarterStart(int addMonths) => AmsterdamClock.AtLocal(new DateOnly(Year!.Value, (Quarter!.Value - 1) * 3 + 1, 1).AddMonths(addMonths), TimeOnly.MinValue);
}

/// <summary>The prospects behind the figures the report counts in SQL (the exits).</summary>
public interface IReportFigureSource
{
    /// <summary>Entries (under the query's filters) that moved into <paramref name="exitStage"/> in the period; with a reason, those that gave it (trimmed).</summary>
    Task<IReadOnlyList<long>> ExitedAsync(ReportQuery query, Stage exitStage, string? reason, CancellationToken ct);
}

/// <summary>Lists the prospects behind a report figure: the report's inputs, read afresh, and the figure's own rule.</summary>
public sealed class ReportFigures(IReportSource source, IReportFigureSource figures, TimeProvider clock, IEventAttendanceSource? attendance = null)
{
    public async Task<IReadOnlyList<long>> EntryIdsAsync(ReportQuery query, ReportFigure figure, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(figure);
        if (figure.Kind == FigureKind.Exit) return await figures.ExitedAsync(query, figure.Stage!.Value, figure.Reason, ct);
        var data = await source.LoadAsync(query, ct);
        var attended = figure.Kind is FigureKind.EventsOf or FigureKind.EventsWent && attendance is not null ? await attendance.LoadAsync(query, ct) : null;
        return figure.Select(query, data.Prospects, clock.GetUtcNow(), attended);
    }
}
