using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Outreach.Core.Onboarding;
using Outreach.Core.Reports;

namespace Outreach.Web.Pages.Onboarding;

/// <summary>The step after signing and, on the report page, the link to the prospect list behind a figure (null: no links).</summary>
public sealed record OnboardingStepModel(OnboardingConversion Conversion, string Language, Func<ReportFigure, string>? Link = null)
{
    /// <summary>A count, linked to the list of the parties it counts when the page links figures.</summary>
    public Microsoft.AspNetCore.Html.IHtmlContent Count(int count, ReportFigure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        var text = count.ToString(CultureInfo.CurrentCulture);
        if (Link is null) return new Microsoft.AspNetCore.Html.HtmlString(System.Net.WebUtility.HtmlEncode(text));
        var e = System.Text.Encodings.Web.HtmlEncoder.Default;
        return new Microsoft.AspNetCore.Html.HtmlString($"<a href=\"{e.Encode(Link(figure))}\" data-figure=\"{e.Encode(figure.Code)}\">{e.Encode(text)}</a>");
    }

    /// <summary>"3 / 5 (60 %)" with each count linked: of whom, and out of whom.</summary>
    public Microsoft.AspNetCore.Html.IHtmlContent CountOf(Share share, ReportFigure count, ReportFigure of)
    {
        if (share.Rate is not { } rate) return new Microsoft.AspNetCore.Html.HtmlString("–");
        var builder = new Microsoft.AspNetCore.Html.HtmlContentBuilder();
        builder.AppendHtml(Count(share.Count, count)).Append(" / ").AppendHtml(Count(share.Of, of)).Append(string.Create(CultureInfo.CurrentCulture, $" ({rate:P0})"));
        return builder;
    }
}

/// <summary>
/// The conversion report's step after signing, as its own section (a component, so the report page only invokes it): signed →
/// onboarded, the days it took, and the onboarding funnel per signing quarter.
/// </summary>
public sealed class OnboardingStepViewComponent(Outreach.Web.Reports.ReportCache cache) : ViewComponent
{
    /// <summary>The section for the report's query; <c>link</c> is the report page's link to the list behind a figure.</summary>
    public async Task<IViewComponentResult> InvokeAsync(ReportQuery query, Func<ReportFigure, string>? link = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        var now = await cache.NowAsync(HttpContext.RequestAborted);
        var conversion = await now.OnboardingAsync(query, HttpContext.RequestAborted);
        return View(new OnboardingStepModel(conversion, CultureInfo.CurrentUICulture.TwoLetterISOLanguageName, link));
    }

    public static string Days(double? days) => days is { } d ? d.ToString("0.#", CultureInfo.CurrentCulture) : "–";
}
