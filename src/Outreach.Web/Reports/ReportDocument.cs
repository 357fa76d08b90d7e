using System.Text;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Localization;
using Outreach.Core.Reports;

namespace Outreach.Web.Reports;

/// <summary>
/// The report as HTML: each table, and the whole report as one self-contained file a manager can forward (styles
/// inside, pictures as inline SVG, no scripts, nothing fetched from the server), which opens and prints anywhere.
/// </summary>
public sealed class ReportDocument(IStringLocalizer T, ReportTables tables, ReportCharts charts)
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    private static string E(string text) => Html.Encode(text);

    /// <summary>
    /// A table with a caption and header cells; cohort cells carry a shade class. With <paramref name="link"/> (the page),
    /// a figure that counts prospects links to the list of them and a cell that names one prospect links to it; the forwarded
    /// file has no links (it leaves the server).
    /// </summary>
    public static string Table(ReportTable table, Func<ReportFigure, string>? link = null)
    {
        var sb = new StringBuilder($"<table class=\"report\" data-table=\"{E(table.Key)}\"><caption>{E(table.Title)}</caption><thead><tr>");
        foreach (var c in table.Columns) sb.Append("<th scope=\"col\">").Append(E(c)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in table.Rows)
        {
            sb.Append("<tr>");
            for (var i = 0; i < row.Count; i++)
            {
                var cell = row[i];
                var tag = i == 0 ? "th scope=\"row\"" : "td";
                var css = cell.Shade is { } s ? $" class=\"shade-{Math.Clamp(s, 0, 10)}\"" : "";
                sb.Append('<').Append(tag).Append(css).Append('>');
                if (link is not null && cell.Figure is { } figure && cell.Text.Length > 0)
                    sb.Append("<a href=\"").Append(E(link(figure))).Append("\" data-figure=\"").Append(E(figure.Code)).Append("\">").Append(E(cell.Text)).Append("</a>");
                else if (link is not null && cell.ProspectId is { } prospect && cell.Text.Length > 0)
                    sb.Append("<a href=\"/prospects/").Append(prospect.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("\" data-prospect=\"")
                        .Append(prospect.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("\">").Append(E(cell.Text)).Append("</a>");
                else sb.Append(E(cell.Text));
                sb.Append("</").Append(i == 0 ? "th" : "td").Append('>');
            }

            sb.Append("</tr>");
        }

        return sb.Append("</tbody></table>").ToString();
    }

    /// <summary>The picture for a table, or empty where the table is the picture (cohorts are a shaded table).</summary>
    public string Picture(ConversionReport report, string key) => key switch
    {
        "funnel" => charts.Funnel(report),
        "conversion" => charts.Conversions(report),
        "time-to-sign" => charts.TimeToSign(report),
        _ => "",
    };

    public string Whole(ConversionReport report, string scope, string css)
    {
        var title = T["Conversion report"];
        var period = $"{Pages.Format.Date(report.Query.From)} – {Pages.Format.Date(report.Query.To)}";
        var sb = new StringBuilder("<!DOCTYPE html><html lang=\"")
            .Append(E(System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName))
            .Append("\"><head><meta charset=\"utf-8\"><title>").Append(E($"{title} · {period}")).Append("</title><style>").Append(css).Append("</style></head><body class=\"report-file\">")
            .Append("<h1>").Append(E(title)).Append("</h1>")
            .Append("<p>").Append(E($"{period} · {scope}")).Append("</p>")
            .Append("<p>").Append(E(T[ConversionReport.CountingRule])).Append(' ')
            .Append(E(T["Re-entries in the period: {0}.", report.ReEntries])).Append("</p>");
        foreach (var table in tables.All(report))
        {
            sb.Append("<section class=\"report-section\"><h2>").Append(E(table.Title)).Append("</h2>")
              .Append(Picture(report, table.Key)).Append(Table(table));
            // The follow-through's figures mean little without its rule, in the forwarded file too.
            if (table.Key == "event-follow-through")
                sb.Append("<p class=\"muted\">").Append(E(T[EventFollowThrough.Rule, report.EventFollowThrough.WindowDays])).Append("</p>");
            sb.Append("</section>");
        }

        sb.Append("<p class=\"muted\">").Append(E(T["Computed from the stage history on {0}. Times are shown in Europe/Amsterdam.", Pages.Format.Local(report.AsOf)])).Append("</p>");
        return sb.Append("</body></html>").ToString();
    }
}
