using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Localization;
using Outreach.Core.Pipeline;
using Outreach.Core.Reports;

namespace Outreach.Web.Reports;

/// <summary>
/// The report's pictures as inline SVG, drawn on the server: no script and no style attributes (the content security
/// policy allows neither), only SVG presentation attributes. Each picture has its table beneath it for screen readers.
/// </summary>
public sealed class ReportCharts(IStringLocalizer T, ReportTables tables)
{
    private const int Width = 640;
    private const int Row = 30;
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string text) => Html.Encode(text);

    private static StringBuilder Open(int height, string label, string testId) => new StringBuilder()
        .Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" role=\"img\" aria-label=\"{E(label)}\" data-testid=\"{testId}\" xmlns=\"http://www.w3.org/2000/svg\">");

    /// <summary>Centred bars, widest at the top: how many reached each stage.</summary>
    public string Funnel(ConversionReport r)
    {
        var funnel = r.FunnelOf(tables.FunnelKind);
        var max = Math.Max(1, funnel.Max(f => f.Reached));
        var svg = Open(funnel.Count * Row + 4, tables.Funnel(r).Title, "funnel-chart");
        for (var i = 0; i < funnel.Count; i++)
        {
            var f = funnel[i];
            var w = Math.Max(2, 400.0 * f.Reached / max);
            var y = i * Row + 2;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(360 - w / 2)}\" y=\"{y}\" width=\"{N(w)}\" height=\"{Row - 6}\" rx=\"3\" fill=\"#9a6b00\" data-stage=\"{f.Stage.Code()}\"/>")
               .Append(CultureInfo.InvariantCulture, $"<text x=\"150\" y=\"{y + 17}\" text-anchor=\"end\" font-size=\"13\" fill=\"#1d2433\">{E(tables.Stage(f.Stage))}</text>")
               .Append(CultureInfo.InvariantCulture, $"<text x=\"{N(360 + w / 2 + 6)}\" y=\"{y + 17}\" font-size=\"13\" fill=\"#1d2433\">{f.Reached}</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>One bar per step, 0–100 %.</summary>
    public string Conversions(ConversionReport r)
    {
        var steps = r.Conversions.Select(c => (Label: $"{tables.Stage(c.From)} → {tables.Stage(c.To)}", c.Converted))
            .Append(($"{T["first contact"]} → {tables.Stage(Core.Pipeline.Stage.Signed)}", r.FirstContactToSigned)).ToList();
        var svg = Open(steps.Count * Row + 4, T["Conversion from stage to stage"], "conversion-chart");
        for (var i = 0; i < steps.Count; i++)
        {
            var (label, share) = steps[i];
            var y = i * Row + 2;
            var w = 360.0 * (share.Rate ?? 0);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"230\" y=\"{y + 17}\" text-anchor=\"end\" font-size=\"13\" fill=\"#1d2433\">{E(label)}</text>")
               .Append(CultureInfo.InvariantCulture, $"<rect x=\"240\" y=\"{y}\" width=\"360\" height=\"{Row - 6}\" fill=\"#eef1f5\"/>")
               .Append(CultureInfo.InvariantCulture, $"<rect x=\"240\" y=\"{y}\" width=\"{N(w)}\" height=\"{Row - 6}\" fill=\"#067647\"/>")
               .Append(CultureInfo.InvariantCulture, $"<text x=\"246\" y=\"{y + 17}\" font-size=\"12\" fill=\"{(w > 60 ? "#ffffff" : "#1d2433")}\">{E(share.Rate is null ? "–" : tables.Percent(share))}</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>Columns: how many signed after how long.</summary>
    public string TimeToSign(ConversionReport r)
    {
        var buckets = r.TimeToSign.Distribution;
        var max = Math.Max(1, buckets.Max(b => b.Prospects));
        const int height = 200;
        var svg = Open(height + 40, T["Time from first contact to signed"], "time-to-sign-chart");
        var column = Width / buckets.Count;
        for (var i = 0; i < buckets.Count; i++)
        {
            var b = buckets[i];
            var h = height * (double)b.Prospects / max;
            var x = i * column + 10;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{N(height - h + 16)}\" width=\"{column - 20}\" height=\"{N(h)}\" fill=\"#1849a9\"/>")
               .Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (column - 20) / 2}\" y=\"{N(height - h + 12)}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#1d2433\">{b.Prospects}</text>")
               .Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (column - 20) / 2}\" y=\"{height + 34}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#1d2433\">{E(tables.Bucket(b))}</text>");
        }

        return svg.Append("</svg>").ToString();
    }
}
