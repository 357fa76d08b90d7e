using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Localization;
using Outreach.Core.Onboarding;

namespace Outreach.Web.Reports;

/// <summary>
/// The monitoring report's chart (inline SVG drawn on the server: no script, no style attributes, as the content security
/// policy demands) and the report as one self-contained HTML file to forward to the steering group.
/// </summary>
public static class MonitoringDocument
{
    private const int Width = 640;
    private const int Row = 34;
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string text) => Html.Encode(text);

    /// <summary>One bar per milestone: this year's share done (green) over last year's (a thin grey bar beneath), with "N of M".</summary>
    public static string Chart(MonitoringReport r, bool nl, IStringLocalizer T)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(T);
        var sb = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart\" viewBox=\"0 0 {Width} {r.Milestones.Count * Row + 4}\" width=\"{Width}\" height=\"{r.Milestones.Count * Row + 4}\" role=\"img\" aria-label=\"{E(T["Milestones done this year, last year beneath"])}\" data-testid=\"monitoring-chart\" xmlns=\"http://www.w3.org/2000/svg\">");
        for (var i = 0; i < r.Milestones.Count; i++)
        {
            var m = r.Milestones[i];
            var y = i * Row + 2;
            var w = m.Of == 0 ? 0 : 360.0 * m.Done / m.Of;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"230\" y=\"{y + 16}\" text-anchor=\"end\" font-size=\"13\" fill=\"#1d2433\">{E(nl ? m.NameNl : m.NameEn)}</text>")
              .Append(CultureInfo.InvariantCulture, $"<rect x=\"240\" y=\"{y}\" width=\"360\" height=\"22\" fill=\"#eef1f5\"/>")
              .Append(CultureInfo.InvariantCulture, $"<rect x=\"240\" y=\"{y}\" width=\"{N(w)}\" height=\"22\" fill=\"#067647\" data-key=\"{E(m.Key)}\" data-done=\"{m.Done}\" data-of=\"{m.Of}\"/>")
              .Append(CultureInfo.InvariantCulture, $"<text x=\"246\" y=\"{y + 16}\" font-size=\"12\" fill=\"{(w > 90 ? "#ffffff" : "#1d2433")}\">{E(T["{0} of {1}", m.Done, m.Of])}</text>");
            if (m.PreviousDone is { } before && m.PreviousOf is { } of && of > 0)
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"240\" y=\"{y + 24}\" width=\"{N(360.0 * before / of)}\" height=\"5\" fill=\"#98a2b3\"/>");
        }

        return sb.Append("</svg>").ToString();
    }

    /// <summary>The whole report in one file: the sentence in both languages, the chart, the figures with the parties behind them.</summary>
    public static string Whole(MonitoringReport r, string covenantName, bool nl, IStringLocalizer T, string css)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(T);
        var title = $"{T["Monitoring report"]} · {covenantName} · {T["year {0}", r.Year]}";
        var sb = new StringBuilder("<!DOCTYPE html><html lang=\"").Append(nl ? "nl" : "en")
            .Append("\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title><style>").Append(css).Append("</style></head><body class=\"report-file\">")
            .Append("<h1>").Append(E(title)).Append("</h1>")
            .Append("<p>").Append(E(T["Year {0}: {1} – {2}; parties that signed on or after {3} are not yet monitored.", r.Year, Pages.Format.Date(r.YearStarts), Pages.Format.Date(r.YearEnds), Pages.Format.Date(r.CutOff)])).Append("</p>")
            .Append("<blockquote>").Append(E(nl ? r.SentenceNl : r.SentenceEn)).Append("</blockquote>")
            .Append("<p class=\"muted\">").Append(E(nl ? r.SentenceEn : r.SentenceNl)).Append("</p>");
        if (r.Milestones.Count > 0)
        {
            sb.Append("<section class=\"report-section\">").Append(Chart(r, nl, T))
              .Append("<table><thead><tr><th>").Append(E(T["Milestone"])).Append("</th><th>").Append(E(T["Done"])).Append("</th><th>").Append(E(T["Change"]))
              .Append("</th><th>").Append(E(T["Done by"])).Append("</th><th>").Append(E(T["Not done by"])).Append("</th></tr></thead><tbody>");
            foreach (var m in r.Milestones)
            {
                sb.Append("<tr><td>").Append(E(nl ? m.NameNl : m.NameEn)).Append("</td><td>").Append(E(T["{0} of {1}", m.Done, m.Of]))
                  .Append("</td><td>").Append(m.Change is { } change ? (change > 0 ? "+" : "") + change.ToString(CultureInfo.InvariantCulture) : "–")
                  .Append("</td><td>").Append(E(string.Join(", ", m.DoneBy.Select(p => p.Name))))
                  .Append("</td><td>").Append(E(string.Join(", ", m.NotDone.Select(p => p.Name)))).Append("</td></tr>");
            }

            sb.Append("</tbody></table></section>");
        }

        if (r.NotYetMonitored.Count > 0)
            sb.Append("<p>").Append(E($"{T["Not yet monitored (joined this year)"]}: {string.Join(", ", r.NotYetMonitored.Select(p => p.Name))}")).Append("</p>");
        if (r.Left.Count > 0)
            sb.Append("<p>").Append(E($"{T["Left the covenant"]}: {string.Join(", ", r.Left.Select(l => $"{l.Name} ({T["year {0}", l.Year]})"))}")).Append("</p>");
        sb.Append("<p class=\"muted\">").Append(E(T[MonitoringReport.CountingRule])).Append("</p>");
        return sb.Append("</body></html>").ToString();
    }
}
