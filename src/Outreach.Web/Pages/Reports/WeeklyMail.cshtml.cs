using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
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

    public WeeklyReportSubscriber? Subscription { get; private set; }
    public string? Error { get; private set; }
    public string? Done { get; private set; }

    private string UserName => User.Identity?.Name ?? "";

    public async Task OnGetAsync(CancellationToken ct)
    {
        Subscription = await subscribers.GetAsync(UserName, ct);
        Address = Subscription?.Address ?? (UserName.Contains('@', StringComparison.Ordinal) ? UserName : "");
    }

    public async Task<IActionResult> OnPostSubscribeAsync(CancellationToken ct)
    {
        if (WeeklyReportSubscription.WhyRefused(Address) is { } why)
        {
            Error = localizer.Message(why);
            Subscription = await subscribers.GetAsync(UserName, ct);
            return Page();
        }

        await subscribers.SubscribeAsync(UserName, Address!.Trim(), clock.GetUtcNow(), ct);
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
