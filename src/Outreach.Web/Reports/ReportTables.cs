using System.Globalization;
using Microsoft.Extensions.Localization;
using Outreach.Core.Pipeline;
using Outreach.Core.Reports;
using Outreach.Web.Pages;

namespace Outreach.Web.Reports;

/// <summary>One cell of a report table; <see cref="Shade"/> (0–10) shades cohort cells by value.</summary>
public sealed record ReportCell(string Text, int? Shade = null)
{
    public static implicit operator ReportCell(string text) => new(text);

    public static implicit operator ReportCell(LocalizedString text) => new(text.Value);
}

/// <summary>A table of the report, in the reader's language: shown beneath each picture, exported as CSV, put in the download.</summary>
public sealed record ReportTable(string Key, string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<ReportCell>> Rows)
{
    public string ToCsv() => CsvTable.Write(Columns, Rows.Select(r => (IReadOnlyList<string>)r.Select(c => c.Text).ToList()));
}

/// <summary>Turns a conversion report into its tables. Every text goes through the localizer.</summary>
public sealed class ReportTables(IStringLocalizer T)
{
    public static readonly string[] Keys = ["funnel", "conversion", "durations", "time-to-sign", "cohorts", "events", "event-follow-through", "host-follow-through", "exits", "left"];

    public IReadOnlyList<ReportTable> All(ConversionReport r) =>
        [Funnel(r), Conversion(r), Durations(r), TimeToSign(r), Cohorts(r), Events(r), EventFollowThrough(r), HostFollowThrough(r), Exits(r), Left(r)];

    public ReportTable? ByKey(ConversionReport r, string? key) => All(r).FirstOrDefault(t => t.Key == key);

    public string Stage(Stage stage) => T[stage.Label()];

    public string Percent(Share share) => share.Rate is { } rate ? (rate * 100).ToString("0.0", CultureInfo.CurrentCulture) + " %" : "";

    public static string Days(double? days) => days is { } d ? d.ToString("0.0", CultureInfo.CurrentCulture) : "";

    public static string Count(int n) => n.ToString(CultureInfo.CurrentCulture);

    public ReportTable Funnel(ConversionReport r) => new("funnel", T["Funnel: prospects that reached each stage"], [T["Stage"], T["Prospects"]],
        r.Funnel.Select(f => (IReadOnlyList<ReportCell>)[Stage(f.Stage), Count(f.Reached)]).ToList());

    public ReportTable Conversion(ConversionReport r) => new("conversion", T["Conversion from stage to stage"], [T["From"], T["To"], T["Went on"], T["Of"], T["Conversion"]],
        [.. r.Conversions.Select(c => (IReadOnlyList<ReportCell>)[Stage(c.From), Stage(c.To), Count(c.Converted.Count), Count(c.Converted.Of), Percent(c.Converted)]),
         [T["first contact"], Stage(Core.Pipeline.Stage.Signed), Count(r.FirstContactToSigned.Count), Count(r.FirstContactToSigned.Of), Percent(r.FirstContactToSigned)]]);

    public ReportTable Durations(ConversionReport r) => new("durations", T["Days between stages"], [T["From"], T["To"], T["Prospects"], T["Median days"], T["75th percentile days"]],
        [.. r.Durations.Select(d => (IReadOnlyList<ReportCell>)[Stage(d.From), Stage(d.To), Count(d.Prospects), Days(d.MedianDays), Days(d.P75Days)]),
         [T["first contact"], Stage(Core.Pipeline.Stage.Signed), Count(r.TimeToSign.Prospects), Days(r.TimeToSign.MedianDays), Days(r.TimeToSign.P75Days)]]);

    public string Bucket(TimeToSignBucket b) => b.ToDays is { } to ? T["{0}–{1} days", b.FromDays == 0 ? 0 : b.FromDays + 1, to] : T["more than {0} days", b.FromDays];

    public ReportTable TimeToSign(ConversionReport r) => new("time-to-sign", T["Time from first contact to signed"], [T["Days"], T["Prospects signed"]],
        r.TimeToSign.Distribution.Select(b => (IReadOnlyList<ReportCell>)[Bucket(b), Count(b.Prospects)]).ToList());

    public ReportTable Cohorts(ConversionReport r) => new("cohorts", T["Cohorts by quarter of first contact: share signed within"],
        [T["Quarter"], T["Prospects"], T["90 days"], T["180 days"], T["365 days"]],
        r.Cohorts.Select(c => (IReadOnlyList<ReportCell>)[c.Label, Count(c.Prospects), Cohort(c.Within90), Cohort(c.Within180), Cohort(c.Within365)]).ToList());

    private ReportCell Cohort(Share? share) => share is { } s
        ? new ReportCell(Percent(s), s.Rate is { } rate ? (int)Math.Round(rate * 10, MidpointRounding.AwayFromZero) : null)
        : new ReportCell(T["too early"]);

    public ReportTable Events(ConversionReport r)
    {
        var rows = new List<IReadOnlyList<ReportCell>>();
        if (r.Events is { HasAttendanceData: true, Attended: { } a, NotAttended: { } n })
        {
            rows.Add([T["attended an event"], Count(a.Count), Count(a.Of), Percent(a)]);
            rows.Add([T["did not attend"], Count(n.Count), Count(n.Of), Percent(n)]);
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
                e.Title, Format.Local(e.StartsAt), e.HostName ?? T["no host"], Count(e.WentOn.Of), Count(e.WentOn.Count), Percent(e.WentOn),
                .. e.Reached.Select(x => (ReportCell)Count(x.Organisations))]).ToList();
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
                h.HostName ?? T["no host"], Count(h.Events), Count(h.WentOn.Of), Count(h.WentOn.Count), Percent(h.WentOn),
                .. h.Reached.Select(x => (ReportCell)Count(x.Organisations))]).ToList();
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
            if (e.Reasons.Count == 0) rows.Add([Stage(e.Stage), Count(e.Prospects), Count(e.Moves), "", ""]);
            foreach (var x in e.Reasons) rows.Add([Stage(e.Stage), Count(e.Prospects), Count(e.Moves), x.Reason, Count(x.Times)]);
            if (e.OtherReasons > 0) rows.Add([Stage(e.Stage), Count(e.Prospects), Count(e.Moves), T["other reasons"], Count(e.OtherReasons)]);
        }

        return new("exits", T["Exits and their reasons"], [T["Stage"], T["Prospects"], T["Moves"], T["Reason"], T["Times"]], rows);
    }

    public ReportTable Left(ConversionReport r) => new("left", T["Parties that left"], [T["Organisation"], T["Covenant"], T["Signed on"], T["Left on"], T["Reason"]],
        r.Left.Select(l => (IReadOnlyList<ReportCell>)[l.Organisation, l.Covenant, l.SignedAt is { } s ? Format.Local(s) : "", Format.Local(l.LeftAt), l.Reason]).ToList());
}
