using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Web.Pages.Events;

/// <summary>
/// The door list on a tablet: search as you type, one tap checks someone in (or undoes it), and a walk-in is added on the
/// spot (an existing contact by address, or a new contact at one of the covenant's organisations).
/// </summary>
public sealed class CheckInModel(EventService service, IEventStore events, IProspectStore prospects, IPipelineStore pipeline, EventOptions options, TimeProvider clock, IStringLocalizer<SharedResource> T) : PageModel
{
    /// <summary>When the door list starts checking people in (<see cref="EventOptions.CheckInOpensHoursBefore"/> before the start).</summary>
    public DateTimeOffset OpensAt { get; private set; }
    public bool NotYetOpen { get; private set; }

    public NetworkEvent Event { get; private set; } = null!;
    public IReadOnlyList<InvitationView> Invitations { get; private set; } = [];
    public IReadOnlyList<(long Id, string Name)> Organisations { get; private set; } = [];

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty] public string? WalkInName { get; set; }
    [BindProperty] public string? WalkInEmail { get; set; }
    [BindProperty] public long? WalkInOrganisationId { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostCheckInAsync(long id, long invitationId, bool undo, CancellationToken ct)
    {
        var result = await service.CheckInAsync(id, invitationId, !undo, ct);
        if (result.NotFound) return NotFound();
        // A refusal (such as check-in not open yet) is a warning, not the green box that says something worked.
        if (result.Refusal is not null) TempData["FlashError"] = T.Message(result.Refusal);
        return RedirectToPage(new { id, q = Q });
    }

    public async Task<IActionResult> OnPostWalkInAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        ModelState.Clear();
        var organisation = WalkInOrganisationId is { } orgId && Organisations.Any(o => o.Id == orgId) ? orgId : (long?)null;
        var draft = new ContactDraft { Name = (WalkInName ?? "").Trim(), Email = (WalkInEmail ?? "").Trim(), Source = "Walk-in at " + Event.Title };
        if (organisation is null) ModelState.AddModelError(nameof(WalkInOrganisationId), T["Choose the walk-in's organisation."]);
        foreach (var error in Validation.Check(draft)) ModelState.AddModelError(nameof(WalkInName), T.Message(error.Message));
        if (!ModelState.IsValid) return Page();

        var existing = (await prospects.ListContactsAsync(organisation!.Value, ct))
            .FirstOrDefault(c => !c.Erased && string.Equals(c.Email, draft.Email, StringComparison.OrdinalIgnoreCase));
        if (existing is null && await prospects.IsSuppressedAsync(draft.Email, ct))
        {
            ModelState.AddModelError(nameof(WalkInEmail), T[Suppression.Message]);
            return Page();
        }

        var contact = existing ?? await prospects.AddContactAsync(organisation.Value, Validation.Clean(draft), ct);
        var result = await service.WalkInAsync(id, contact.Id, ct);
        if (result.Refusal is not null) TempData["FlashError"] = T.Message(result.Refusal);
        else TempData["Flash"] = T["{0} checked in.", contact.Name].Value;
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var e = await events.GetEventAsync(id, ct);
        if (e is null) return false;
        Event = e;
        OpensAt = EventRules.CheckInOpensAt(e, options.CheckInOpensBefore);
        NotYetOpen = clock.GetUtcNow() < OpensAt;
        Invitations = (await events.ListInvitationViewsAsync(id, ct)).Where(v => !v.ContactErased).ToList();
        var page = await pipeline.SearchAsync(new ProspectFilter { CovenantId = e.CovenantId }, 1, 500, ct);
        Organisations = page.Items.Select(p => (p.OrganisationId, p.OrganisationName)).Distinct().OrderBy(o => o.OrganisationName, StringComparer.CurrentCulture).ToList();
        return true;
    }
}
