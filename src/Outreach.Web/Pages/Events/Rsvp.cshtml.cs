using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Outreach.Core.Events;
using Outreach.Web.Access;

namespace Outreach.Web.Pages.Events;

/// <summary>
/// The invitee's own answer page, from the signed link in event mail, without signing in. Opening it only asks (mail
/// scanners open links and must not answer); pressing a button records accept, decline, cancel my place, or confirm an
/// offered place. Rate limited with the opt-out page's budget. A changed link is refused.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.OptOut)]
public sealed class RsvpModel(EventLinks links, IEventStore events, EventService service, Core.Prospects.IProspectStore prospects, IStringLocalizer<SharedResource> T) : PageModel
{
    public bool Valid { get; private set; }
    public NetworkEvent? Event { get; private set; }
    public Invitation? Invitation { get; private set; }
    public int? WaitlistPosition { get; private set; }
    public string? Asked { get; private set; }
    public string? Message { get; private set; }
    public bool Refused { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, string? answer, CancellationToken ct)
    {
        if (!await LoadAsync(token, ct)) return Invalid();
        Asked = answer is "accept" or "decline" or "cancel" ? answer : null;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, string? answer, CancellationToken ct)
    {
        if (!await LoadAsync(token, ct)) return Invalid();
        var response = answer switch
        {
            "accept" => InvitationResponse.Accepted,
            "tentative" => InvitationResponse.Tentative,
            "decline" or "cancel" => InvitationResponse.Declined,
            _ => InvitationResponse.None,
        };
        var result = await service.RespondAsync(Event!.Id, Invitation!.Id, response, ct);
        if (result.Refusal is not null)
        {
            Refused = true;
            Message = T.Message(result.Refusal);
            Response.StatusCode = StatusCodes.Status409Conflict;
        }

        await LoadAsync(token, ct);
        return Page();
    }

    private async Task<bool> LoadAsync(string token, CancellationToken ct)
    {
        if (links.Read(token) is not { } ids) return false;
        Event = await events.GetEventAsync(ids.EventId, ct);
        if (Event is null) return false;
        var all = await events.ListInvitationsAsync(Event.Id, ct);
        Invitation = all.FirstOrDefault(i => i.Id == ids.InvitationId);
        if (Invitation is null) return false;
        // A person whose data was erased at their request has no answer page any more: their old links stop working.
        if ((await prospects.GetContactAsync(Invitation.ContactId, ct))?.Erased != false) return false;
        WaitlistPosition = EventRules.WaitlistPosition(all, Invitation);
        Valid = true;
        return true;
    }

    private PageResult Invalid()
    {
        Valid = false;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
