using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Common;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;
using Outreach.Web.Access;

namespace Outreach.Web.Pages.Reports;

/// <summary>
/// A manager subscribes or unsubscribes themselves to the weekly report mail (WeeklyReportMailJob sends to these and to
/// Jobs:WeeklyReportRecipients). Only the signed-in user's own subscription is read or changed.
/// </summary>
[Authorize(Policy = Policies.Read)]
[OwnSettingsPost]
public sealed class WeeklyMailModel(IWeeklyReportSubscribers subscribers, TimeProvider clock, IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty] public string? Address { get; set; }
    /// <summary>"nl" or "en": the language of the mail's monitoring section (the steering group's sentence).</summary>
    [BindProperty] public string? Language { get; set; }

    public WeeklyReportSubscriber? Subscription { get; private set; }
    public string? Error { get; private set; }
    public string? Done { get; private set; }

    // The account's user name, not the display name that Identity.Name carries for a person (an administrator can change it,
    // and two people can share it); an API key has only its name.
    private string UserName => User.FindFirstValue(AccessService.UserNameClaim) ?? User.Identity?.Name ?? "";

    public async Task OnGetAsync(CancellationToken ct)
    {
        Subscription = await subscribers.GetAsync(UserName, ct);
        Address = Subscription?.Address ?? (UserName.Contains('@', StringComparison.Ordinal) ? UserName : "");
        Language = (Subscription?.Language ?? UiLanguage).Code();
    }

    /// <summary>The language the page is read in: the default for a new subscription.</summary>
    private static ContactLanguage UiLanguage => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "nl" ? ContactLanguage.Nl : ContactLanguage.En;

    public async Task<IActionResult> OnPostSubscribeAsync(CancellationToken ct)
    {
        var refusal = WeeklyReportSubscription.WhyRefused(Address);
        // Absent (an older form): the page's language; anything else than nl or en is refused.
        var language = UiLanguage;
        if (refusal is null && Language is not null && (Language.Length > 10 || !ContactLanguages.TryParse(Language, out language)))
            refusal = new DomainMessage("Choose Dutch or English.");
        if (refusal is { } why)
        {
            Error = localizer.Message(why);
            Subscription = await subscribers.GetAsync(UserName, ct);
            Language = (Subscription?.Language ?? UiLanguage).Code();
            return Page();
        }

        await subscribers.SubscribeAsync(UserName, Address!.Trim(), language, clock.GetUtcNow(), ct);
        TempData["done"] = "subscribed";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostUnsubscribeAsync(CancellationToken ct)
    {
        await subscribers.UnsubscribeAsync(UserName, ct);
        TempData["done"] = "unsubscribed";
        return RedirectToPage();
    }
}
