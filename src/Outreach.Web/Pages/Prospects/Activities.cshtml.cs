using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Activities;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Web.Hosting;

namespace Outreach.Web.Pages.Prospects;

/// <summary>
/// Logs an activity from the prospect page's form (posted here, so the prospect page itself stays as it is), edits one within a
/// day by its author, or appends a correction. A refused form is shown again here with its errors.
/// </summary>
public sealed class ActivitiesModel(ActivityService service, IActivityStore activities, IPipelineStore pipeline, IProspectStore prospects, CurrentActor actor, TimeProvider clock,
    IStringLocalizer<SharedResource> T) : PageModel
{
    [BindProperty] public ActivityInput Input { get; set; } = new();

    /// <summary>"board" when logged from a board card: back to the board after a success (no other value is followed).</summary>
    [BindProperty] public string? ReturnTo { get; set; }

    public ProspectSummary Prospect { get; private set; } = null!;
    public ActivityForm Form { get; private set; } = null!;
    /// <summary>The activity being edited or corrected; null when logging a new one.</summary>
    public Activity? Existing { get; private set; }
    public bool Editing { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, long? activityId, CancellationToken ct)
    {
        if (activityId is null) return Redirect($"/prospects/{id}");
        if (!await LoadAsync(id, activityId, ct) || Existing is null) return NotFound();
        Input = ActivityInput.From(Existing);
        Form = MakeForm(id);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, long? activityId, CancellationToken ct)
    {
        if (!await LoadAsync(id, activityId, ct)) return NotFound();
        if (activityId is not null && Existing is null) return NotFound();
        var (draft, errors) = Input.ToDraft();
        ActivityOutcome? outcome = null;
        if (draft is not null)
        {
            outcome = Existing is null ? await service.LogAsync(id, draft, actor.Name, ct)
                : Editing ? await service.EditAsync(id, Existing.Id, draft, actor.Name, ct)
                : await service.CorrectAsync(id, Existing.Id, draft, actor.Name, ct);
            if (outcome.NotFound) return NotFound();
            errors = outcome.Errors;
            if (outcome.Refusal is { } refusal) ModelState.AddModelError("", T.Message(refusal));
        }

        foreach (var error in errors) ModelState.AddModelError("Input." + error.Field, T.Message(error.Message));
        if (outcome is { Succeeded: true })
        {
            TempData["Flash"] = (Existing is null ? T["Activity logged."] : Editing ? T["Activity changed."] : T["Correction added."]).Value;
            return Redirect(ReturnTo == "board" && Existing is null ? "/board" : $"/prospects/{id}#timeline");
        }

        Form = MakeForm(id) with { Open = true };
        return Page();
    }

    private ActivityForm MakeForm(long id) =>
        new(id, Existing is null ? $"/prospects/{id}/activities" : $"/prospects/{id}/activities/{Existing.Id}", Contacts, Input, ShowFollowUp: Existing is null,
            Submit: Existing is null ? "Log" : Editing ? "Save the change" : "Add the correction")
        { Open = true, KindFixed = Existing is not null };

    private IReadOnlyList<Contact> Contacts { get; set; } = [];

    private async Task<bool> LoadAsync(long id, long? activityId, CancellationToken ct)
    {
        var summary = await pipeline.GetSummaryAsync(id, ct);
        if (summary is null) return false;
        Prospect = summary;
        Contacts = await prospects.ListContactsAsync(summary.OrganisationId, ct);
        if (activityId is { } aid)
        {
            Existing = await activities.GetAsync(aid, ct);
            if (Existing is not null && Existing.ProspectId != id) Existing = null;
            Editing = Existing is not null && ActivityRules.CanEdit(Existing, actor.Name, clock.GetUtcNow());
        }

        return true;
    }
}
