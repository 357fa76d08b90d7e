using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Outreach.Core.Onboarding;
using Outreach.Core.Reports;

namespace Outreach.Web.Pages.Onboarding;

public sealed record OnboardingStepModel(OnboardingConversion Conversion, string Language);

/// <summary>
/// The conversion report's step after signing, as its own section (a component, so the report page only invokes it): signed →
/// onboarded, the days it took, and the onboarding funnel per signing quarter.
/// </summary>
public sealed class OnboardingStepViewComponent(Outreach.Web.Reports.ReportCache cache) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(ReportQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var now = await cache.NowAsync(HttpContext.RequestAborted);
        var conversion = await now.OnboardingAsync(query, HttpContext.RequestAborted);
        return View(new OnboardingStepModel(conversion, CultureInfo.CurrentUICulture.TwoLetterISOLanguageName));
    }

    /// <summary>"3 of 5 (60%)", or "–" of nobody.</summary>
    public static string Figure(Share share) =>
        share.Rate is { } rate ? string.Create(CultureInfo.CurrentCulture, $"{share.Count} / {share.Of} ({rate:P0})") : "–";

    public static string Days(double? days) => days is { } d ? d.ToString("0.#", CultureInfo.CurrentCulture) : "–";
}
