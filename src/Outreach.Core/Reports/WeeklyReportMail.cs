using System.Globalization;
using System.Net;
using System.Text;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Core.Reports;

/// <summary>A composed mail: subject, plain text and HTML (every value HTML-encoded).</summary>
public sealed record ReportMail(string Subject, string Text, string Html);

/// <summary>
/// The weekly report mail for managers: the week's changes and the key figures of the last twelve months.
/// Pure composition; WeeklyReportMailJob puts it in the outbox every Monday morning.
/// </summary>
public static class WeeklyReportMail
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The Monday-to-Sunday week before the week of <paramref name="today"/> (on a Monday: last week).</summary>
    public static (DateOnly Monday, DateOnly Sunday) WeekBefore(DateOnly today)
    {
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7)).AddDays(-7);
        return (monday, monday.AddDays(6));
    }

    /// <param name="week">The report for the week (its period is the week).</param>
    /// <param name="year">The report for the twelve months up to the week's end: the key figures.</param>
    /// <param name="scope">What the reports cover, e.g. a covenant's name, or "all covenants".</param>
    /// <param name="monitoring">Each covenant's latest monitoring report, in its own section (none: no section).</param>
    /// <param name="language">The recipient's language: the monitoring section (the steering group's sentence) is written in it.</param>
    public static ReportMail Compose(ConversionReport week, ConversionReport year, string scope, IReadOnlyList<(string Covenant, Onboarding.MonitoringReport Report)>? monitoring = null,
        ContactLanguage language = ContactLanguage.En)
    {
        ArgumentNullException.ThrowIfNull(week);
        ArgumentNullException.ThrowIfNull(year);
        var q = week.Query;
        var weekNumber = ISOWeek.GetWeekOfYear(q.From.ToDateTime(TimeOnly.MinValue));
        var subject = $"Outreach weekly report, week {weekNumber} ({Date(q.From)} – {Date(q.To)}): {Reached(week, Stage.Signed)} signed, {Reached(week, Stage.Contacted)} first contacts";

        var changes = new List<string>
        {
            $"Stages reached: {string.Join(", ", week.Funnel.Select(f => $"{f.Stage.Label()} {f.Reached}"))}",
            $"Re-entries (not counted again): {week.ReEntries}",
        };
        foreach (var exit in week.Exits)
        {
            var reasons = exit.Reasons.Count == 0 ? "" : " — " + string.Join("; ", exit.Reasons.Select(r => $"{r.Reason} ({r.Times})"));
            changes.Add($"{Cap(exit.Stage.Label())}: {exit.Prospects}{reasons}");
        }

        foreach (var left in week.Left) changes.Add($"Left: {left.Organisation} ({left.Covenant}) — {left.Reason}");

        var figures = new List<string>
        {
            $"First contact → signed: {ShareText(year.FirstContactToSigned)}",
            $"Days first contact → signed: median {DaysText(year.TimeToSign.MedianDays)}, 75th percentile {DaysText(year.TimeToSign.P75Days)} ({year.TimeToSign.Prospects} signed)",
        };
        figures.AddRange(year.Conversions.Select(c => $"{c.From.Label()} → {c.To.Label()}: {ShareText(c.Converted)}"));

        var heading = $"Outreach weekly report for {scope}";
        var period = $"{Date(q.From)} – {Date(q.To)}";
        var yearPeriod = $"{Date(year.Query.From)} – {Date(year.Query.To)}";

        var text = new StringBuilder()
            .AppendLine(heading).AppendLine()
            .AppendLine(Invariant, $"This week ({period})");
        foreach (var line in changes) text.AppendLine(Invariant, $"- {line}");
        text.AppendLine().AppendLine(Invariant, $"Key figures, last twelve months ({yearPeriod})");
        foreach (var line in figures) text.AppendLine(Invariant, $"- {line}");
        var monitored = Monitoring(monitoring, language);
        var nl = language == ContactLanguage.Nl;
        var monitoringHeading = nl ? "Onboarding: de jaarlijkse monitoring" : "Onboarding: the annual monitoring";
        if (monitored.Count > 0)
        {
            text.AppendLine().AppendLine(monitoringHeading);
            foreach (var line in monitored) text.AppendLine(Invariant, $"- {line}");
        }

        text.AppendLine().AppendLine(ConversionReport.CountingRule);

        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(subject)).Append("</title></head><body>")
            .Append("<h1>").Append(E(heading)).Append("</h1>")
            .Append("<h2>").Append(E($"This week ({period})")).Append("</h2><ul>");
        foreach (var line in changes) html.Append("<li>").Append(E(line)).Append("</li>");
        html.Append("</ul><h2>").Append(E($"Key figures, last twelve months ({yearPeriod})")).Append("</h2><ul>");
        foreach (var line in figures) html.Append("<li>").Append(E(line)).Append("</li>");
        html.Append("</ul>");
        if (monitored.Count > 0)
        {
            html.Append("<section lang=\"").Append(language.Code()).Append("\"><h2>").Append(E(monitoringHeading)).Append("</h2><ul>");
            foreach (var line in monitored) html.Append("<li>").Append(E(line)).Append("</li>");
            html.Append("</ul></section>");
        }

        html.Append("<p>").Append(E(ConversionReport.CountingRule)).Append("</p></body></html>");

        return new ReportMail(subject, text.ToString(), html.ToString());
    }

    /// <summary>
    /// "Responsible Gold, year 4 (1 Jan 2026 – 31 Dec 2026): 11 of 12 companies published …" per covenant with a plan;
    /// in Dutch "Responsible Gold, jaar 4 (1 januari 2026 – 31 december 2026): 11 van 12 bedrijven publiceerden …".
    /// </summary>
    private static List<string> Monitoring(IReadOnlyList<(string Covenant, Onboarding.MonitoringReport Report)>? reports, ContactLanguage language) =>
        (reports ?? []).Where(r => r.Report.Milestones.Count > 0)
            .Select(r => language == ContactLanguage.Nl
                ? $"{r.Covenant}, jaar {r.Report.Year} ({DutchDate(r.Report.YearStarts)} – {DutchDate(r.Report.YearEnds)}): {r.Report.SentenceNl}"
                : $"{r.Covenant}, year {r.Report.Year} ({Date(r.Report.YearStarts)} – {Date(r.Report.YearEnds)}): {r.Report.SentenceEn}").ToList();

    private static string DutchDate(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("nl-NL"));

    private static int Reached(ConversionReport report, Stage stage) => report.Funnel.First(f => f.Stage == stage).Reached;

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Date(DateOnly date) => date.ToString("d MMM yyyy", Invariant);

    private static string Cap(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    public static string ShareText(Share share) =>
        share.Rate is { } rate ? $"{share.Count} of {share.Of} ({(rate * 100).ToString("0.#", Invariant)}%)" : $"{share.Count} of {share.Of}";

    public static string DaysText(double? days) => days is { } d ? d.ToString("0.#", Invariant) : "n/a";
}
