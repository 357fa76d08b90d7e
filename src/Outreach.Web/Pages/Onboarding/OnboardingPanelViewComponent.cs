using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Outreach.Core.Calendar;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;

namespace Outreach.Web.Pages.Onboarding;

/// <summary>What the onboarding panel on a prospect page shows.</summary>
public sealed record OnboardingPanelModel(ProspectSummary Prospect, OnboardingProgress? Progress, bool HasPlan, DateOnly Today, string Language, string? Error = null)
{
    /// <summary>The organisation's contacts that can hold the onboarding role (not erased), and those that hold it.</summary>
    public IReadOnlyList<Core.Prospects.Contact> Contacts { get; init; } = [];
    public IReadOnlyList<long> OnboardingContactIds { get; init; } = [];
}

/// <summary>
/// The onboarding panel beside the pipeline on a prospect page (one component, so the prospect page itself only invokes it):
/// progress, what is due next, overdue in red, the forms to mark a milestone done or reopen it, and who gets the reminders
/// (the onboarding contacts). A few reads, however many milestones.
/// </summary>
public sealed class OnboardingPanelViewComponent(IOnboardingStore store, IOnboardingReminderStore reminders, Core.Prospects.IProspectStore prospects, TimeProvider clock) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(ProspectSummary prospect, string? error = null)
    {
        ArgumentNullException.ThrowIfNull(prospect);
        var ct = HttpContext.RequestAborted;
        var today = AmsterdamClock.Today(clock);
        var milestones = await store.ListForProspectAsync(prospect.Id, ct);
        var language = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;
        if (milestones.Count == 0)
        {
            // Only a signed party is expected to have milestones; say why it has none.
            var hasPlan = prospect.Stage == Stage.Signed && await store.GetPlanAsync(prospect.CovenantId, ct) is { Milestones.Count: > 0 };
            return View(new OnboardingPanelModel(prospect, null, hasPlan, today, language, error));
        }

        var covenant = (await prospects.ListCovenantsAsync(ct)).First(c => c.Id == prospect.CovenantId);
        DateOnly? leftOn = prospect.Stage == Stage.Left ? AmsterdamClock.DateOf(prospect.StageSince) : null;
        return View(new OnboardingPanelModel(prospect, OnboardingProgress.Of(milestones, covenant, today, leftOn), true, today, language, error)
        {
            Contacts = (await prospects.ListContactsAsync(prospect.OrganisationId, ct)).Where(c => !c.Erased).ToList(),
            OnboardingContactIds = await reminders.ListOnboardingContactsAsync(prospect.OrganisationId, ct),
        });
    }
}
