using System.Globalization;
using Microsoft.Extensions.Localization;
using Outreach.Core.Pipeline;
using Outreach.Core.Reports;
using Outreach.Web.Pages;

namespace Outreach.Web.Reports;

/// <summary>
/// One cell of a report table; <see cref="Shade"/> (0–10) shades cohort cells by value. <see cref="Number"/> is the
/// cell's value when it is a figure (a count, whole days, a percentage as 0–100): the CSV writes it the Dutch way and the
/// .xlsx as a number, so that a spreadsheet can sum it.
/// </summary>
/// <see cref="Figure"/>: the prospects the figure counts, for the page's link to the prospect list; <see cref="ProspectId"/>:
/// the one prospect a cell names (a party that left), for the page's link to it.
public sealed record ReportCell(string Text, int? Shade = null, double? Number = null, ReportFigure? Figure = null, long? ProspectId = null)
{
    public static implicit operator ReportCell(string text) => new(text);

    public static implicit operator ReportCell(LocalizedString text) => new(text.Value);
}

/// <summary>A table of the report, in the reader's language: shown beneath each picture, exported as CSV, put in the download.</summary>
public sealed record ReportTable(string Key, string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<ReportCell>> Rows)
{
    /// <summary>
    /// The CSV for Dutch Excel, whatever the page's language: the secretariat's Windows is set to Dutch regional settings,
    /// and those (not the page's language) decide how Excel reads a file it opens. So a semicolon between cells, figures
    /// with a decimal comma and no thousands separator or % sign, and a byte order mark (added by the download) for UTF-8.
    /// </summary>
    public string ToCsv() => CsvTable.Write(Columns, Rows.Select(r => (IReadOnlyList<string>)r.Select(CsvText).ToList()));

    private static string CsvText(ReportCell cell) => cell.Number is { } n ? n.ToString("0.##", ReportTables.Dutch) : cell.Text;
}

/// <summary>Turns a conversion report into its tables. Every text goes through the localizer.</summary>
public sealed class ReportTables(IStringLocalizer T)
{
    public static readonly string[] Keys = ["funnel", "conversion", "durations", "time-to-sign", "cohorts", "events", "event-follow-through", "host-follow-through", "exits", "left"];

    /// <summary>The number format of the CSV files (see <see cref="ReportTable.ToCsv"/>).</summary>
    public static readonly CultureInfo Dutch = CultureInfo.GetCultureInfo("nl-NL");

    /// <summary>Which funnel <see cref="Funnel"/> shows; the page sets it from the URL.</summary>
    public FunnelKind FunnelKind { get; set; } = FunnelKind.Cohort;

    public IReadOnlyList<ReportTable> All(ConversionReport r) =>
        [Funnel(r), Conversion(r), Durations(r), TimeToSign(r), Cohorts(r), Events(r), EventFollowThrough(r), HostFollowThrough(r), Exits(r), Left(r)];

    public ReportTable? ByKey(ConversionReport r, string? key) => All(r).FirstOrDefault(t => t.Key == key);

    public string Stage(Stage stage) => T[stage.Label()];

    public string Percent(Share share) => share.Rate is { } rate ? (rate * 100).ToString("0.0", CultureInfo.CurrentCulture) + " %" : "";

    private ReportCell PercentCell(Share share) => new(Percent(share), Number: share.Rate is { } rate ? Math.Round(rate * 100, 1, MidpointRounding.AwayFromZero) : null);

    /// <summary>Whole days (a median of 30.5 days is shown as 31): managers read days, not fractions of them.</summary>
    public static string Days(double? days) => WholeDays(days) is { } d ? d.ToString(CultureInfo.CurrentCulture) : "";

    /// <summary>Days rounded to whole days, halves away from zero.</summary>
    public static int? WholeDays(double? days) => days is { } d ? (int)Math.Round(d, MidpointRounding.AwayFromZero) : null;

    private static ReportCell DaysCell(double? days) => new(Days(days), Number: WholeDays(days));

    public static ReportCell Count(int n, ReportFigure? figure = null) => new(n.ToString(CultureInfo.CurrentCulture), Number: n, Figure: figure);

    /// <summary>The rule of the funnel shown, for the sentence under its title.</summary>
    public string FunnelRule => FunnelKind == FunnelKind.Cohort ? T[ConversionReport.CohortFunnelRule] : T[ConversionReport.PeriodFunnelRule];

    public ReportTable Funnel(ConversionReport r) => new("funnel",
        FunnelKind == FunnelKind.Cohort ? T["Cohort funnel: prospects first contacted in the period, followed to today"] : T["Period funnel: prospects that first reached each stage in the period"],
        [T["Stage"], T["Prospects"]],
        r.FunnelOf(FunnelKind).Select(f => (IReadOnlyList<ReportCell>)[Stage(f.Stage), Count(f.Reached, ReportFigure.Funnel(FunnelKind, f.Stage))]).ToList());

    public ReportTable Conversion(ConversionReport r) => new("conversion", T["Conversion from stage to stage"], [T["From"], T["To"], T["Went on"], T["Of"], T["Conversion"]],
        [.. r.Conversions.Select(c => (IReadOnlyList<ReportCell>)[Stage(c.From), Stage(c.To), Count(c.Converted.Count, ReportFigure.Conversion(c.From, c.To, true)), Count(c.Converted.Of, ReportFigure.Conversion(c.From, c.To, false)), PercentCell(c.Converted)]),
         [T["first contact"], Stage(Core.Pipeline.Stage.Signed), Count(r.FirstContactToSigned.Count, ReportFigure.Conversion(null, Core.Pipeline.Stage.Signed, true)), Count(r.FirstContactToSigned.Of, ReportFigure.Conversion(null, Core.Pipeline.Stage.Signed, false)), PercentCell(r.FirstContactToSigned)]]);

    public ReportTable Durations(ConversionReport r) => new("durations", T["Days between stages"], [T["From"], T["To"], T["Prospects"], T["Median days"], T["75th percentile days"]],
        [.. r.Durations.Select(d => (IReadOnlyList<ReportCell>)[Stage(d.From), Stage(d.To), Count(d.Prospects, ReportFigure.DurationOf(d.From, d.To)), DaysCell(d.MedianDays), DaysCell(d.P75Days)]),
         [T["first contact"], Stage(Core.Pipeline.Stage.Signed), Count(r.TimeToSign.Prospects, ReportFigure.DurationOf(null, Core.Pipeline.Stage.Signed)), DaysCell(r.TimeToSign.MedianDays), DaysCell(r.TimeToSign.P75Days)]]);

    public string Bucket(TimeToSignBucket b) => b.ToDays is { } to ? T["{0}–{1} days", b.FromDays == 0 ? 0 : b.FromDays + 1, to] : T["more than {0} days", b.FromDays];

    public ReportTable TimeToSign(ConversionReport r) => new("time-to-sign", T["Time from first contact to signed"], [T["Days"], T["Prospects signed"]],
        r.TimeToSign.Distribution.Select((b, i) => (IReadOnlyList<ReportCell>)[Bucket(b), Count(b.Prospects, new ReportFigure(FigureKind.TimeToSign, Bucket: i))]).ToList());

    public ReportTable Cohorts(ConversionReport r) => new("cohorts", T["Cohorts by quarter of first contact: share signed within"],
        [T["Quarter"], T["Prospects"], T["90 days"], T["180 days"], T["365 days"]],
        r.Cohorts.Select(c => (IReadOnlyList<ReportCell>)[c.Label, Count(c.Prospects, new ReportFigure(FigureKind.Cohort, Year: c.Year, Quarter: c.Quarter)), Cohort(c.Within90), Cohort(c.Within180), Cohort(c.Within365)]).ToList());

    private ReportCell Cohort(Share? share) => share is { } s
        ? new ReportCell(Percent(s), s.Rate is { } rate ? (int)Math.Round(rate * 10, MidpointRounding.AwayFromZero) : null, PercentCell(s).Number)
        : new ReportCell(T["too early"]);

    public ReportTable Events(ConversionReport r)
    {
        var rows = new List<IReadOnlyList<ReportCell>>();
        if (r.Events is { HasAttendanceData: true, Attended: { } a, NotAttended: { } n })
        {
            rows.Add([T["attended an event"], Count(a.Count, new ReportFigure(FigureKind.EventsWent, Attended: true)), Count(a.Of, new ReportFigure(FigureKind.EventsOf, Attended: true)), PercentCell(a)]);
            rows.Add([T["did not attend"], Count(n.Count, new ReportFigure(FigureKind.EventsWent, Attended: false)), Count(n.Of, new ReportFigure(FigureKind.EventsOf, Attended: false)), PercentCell(n)]);
        }
        else
        {
            rows.Add([T["No attendance data yet"], "", "", ""]);
        }

        return new("events", T["Network events: first contact to signed"], [T["Prospects"], T["Went on to sign"], T["Of"], T["Conversion"]], rows);
    }

    /// <summary>Each event of the period: attendee organisations, how many went on with its credit, and to which stages.</summary>
    public ReportTable EventFollowThrough(ConversionReport r)
    {
        var f = r.EventFollowThrough;
        var stages = EventFollowThroughBuilder.MoveStages.Select(s => Stage(s));
        var rows = f.Events.Count == 0
            ? FollowThroughEmpty(f, 5)
            : f.Events.Select(e => (IReadOnlyList<ReportCell>)[
                e.Title, Format.Local(e.StartsAt), e.HostName ?? T["no host"],
                Count(e.WentOn.Of, ReportFigure.OfEvent(FigureKind.EventAttendees, e.EventId)), Count(e.WentOn.Count, ReportFigure.OfEvent(FigureKind.EventWent, e.EventId)), PercentCell(e.WentOn),
                .. e.Reached.Select(x => Count(x.Organisations, ReportFigure.OfEvent(FigureKind.EventReached, e.EventId, x.Stage)))]).ToList();
        return new("event-follow-through", T["Network events: which event preceded the next stage"],
            [T["Event"], T["Starts"], T["Host party"], T["Attendee organisations"], T["Went on"], T["Share"], .. stages], rows);
    }

    /// <summary>The same per host party, organisations counted once across the host's events.</summary>
    public ReportTable HostFollowThrough(ConversionReport r)
    {
        var f = r.EventFollowThrough;
        var stages = EventFollowThroughBuilder.MoveStages.Select(s => Stage(s));
        var rows = f.Hosts.Count == 0
            ? FollowThroughEmpty(f, 4)
            : f.Hosts.Select(h => (IReadOnlyList<ReportCell>)[
                h.HostName ?? T["no host"], Count(h.Events),
                Count(h.WentOn.Of, ReportFigure.OfHost(FigureKind.HostAttendees, h.HostOrganisationId)), Count(h.WentOn.Count, ReportFigure.OfHost(FigureKind.HostWent, h.HostOrganisationId)), PercentCell(h.WentOn),
                .. h.Reached.Select(x => Count(x.Organisations, ReportFigure.OfHost(FigureKind.HostReached, h.HostOrganisationId, x.Stage)))]).ToList();
        return new("host-follow-through", T["Host parties: whose events preceded the next stage"],
            [T["Host party"], T["Events"], T["Attendee organisations"], T["Went on"], T["Share"], .. stages], rows);
    }

    /// <summary>One row that says why the table is empty: nothing recorded at all differs from no event in the period.</summary>
    private List<IReadOnlyList<ReportCell>> FollowThroughEmpty(EventFollowThrough f, int emptyCells) =>
        [[f.HasAttendanceData ? T["No network event with recorded attendance started in the period"] : T["No attendance data yet"],
          .. Enumerable.Repeat((ReportCell)"", emptyCells + EventFollowThroughBuilder.MoveStages.Count)]];

    public ReportTable Exits(ConversionReport r)
    {
        var rows = new List<IReadOnlyList<ReportCell>>();
        foreach (var e in r.Exits)
        {
            var exited = new ReportFigure(FigureKind.Exit, e.Stage);
            if (e.Reasons.Count == 0) rows.Add([Stage(e.Stage), Count(e.Prospects, exited), Count(e.Moves), "", ""]);
            foreach (var x in e.Reasons) rows.Add([Stage(e.Stage), Count(e.Prospects, exited), Count(e.Moves), x.Reason, Count(x.Times, exited with { Reason = x.Reason })]);
            if (e.OtherReasons > 0) rows.Add([Stage(e.Stage), Count(e.Prospects, exited), Count(e.Moves), T["other reasons"], Count(e.OtherReasons)]);
        }

        return new("exits", T["Exits and their reasons"], [T["Stage"], T["Prospects"], T["Moves"], T["Reason"], T["Times"]], rows);
    }

    public ReportTable Left(ConversionReport r) => new("left", T["Parties that left"], [T["Organisation"], T["Covenant"], T["Signed on"], T["Left on"], T["Reason"]],
        r.Left.Select(l => (IReadOnlyList<ReportCell>)[new ReportCell(l.Organisation, ProspectId: l.ProspectId), l.Covenant, l.SignedAt is { } s ? Format.Local(s) : "", Format.Local(l.LeftAt), l.Reason]).ToList());
}
