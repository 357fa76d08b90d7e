using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Web.Pages.Events;

/// <summary>One event: its facts, the invitations with answers, waitlist and attendance, inviting by filter or by hand, cancelling.</summary>
public sealed class DetailsModel(EventService service, IEventStore events, IEventNoticeOutbox notices, IProspectStore prospects, TimeProvider clock, IStringLocalizer<SharedResource> T, IEventCalendarLinks? calendarLinks = null) : PageModel
{
    /// <summary>Invitations, updates, cancellations and offers not passed on yet, and those given up on (with the last reason).</summary>
    public EventNoticeCounts Notices { get; private set; } = new(0, 0, null);

    public NetworkEvent Event { get; private set; } = null!;
    public IReadOnlyList<InvitationView> Invitations { get; private set; } = [];
    public IReadOnlyList<Invitation> Raw { get; private set; } = [];
    public string CovenantName { get; private set; } = "";
    public string? HostName { get; private set; }
    /// <summary>The Teams meeting Microsoft 365 made for the event (Events:Calendar=Graph), shown when the secretariat entered no link of its own.</summary>
    public string? TeamsJoinUrl { get; private set; }
    public IReadOnlyList<Covenant> Covenants { get; private set; } = [];
    public IReadOnlyList<string> Sectors { get; private set; } = [];
    public IReadOnlyList<string> Owners { get; private set; } = [];
    public IReadOnlyList<ContactChoice> Choices { get; private set; } = [];

    [BindProperty] public long? FilterCovenantId { get; set; }
    [BindProperty] public string? FilterStage { get; set; }
    [BindProperty] public string? FilterSector { get; set; }
    [BindProperty] public string? FilterPartyKind { get; set; }
    [BindProperty] public string? FilterOwner { get; set; }
    [BindProperty] public List<long> ContactIds { get; set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostInviteAsync(long id, string? mode, CancellationToken ct)
    {
        InviteSelection selection;
        if (mode == "filter")
        {
            var filter = new ProspectFilter { CovenantId = FilterCovenantId is > 0 ? FilterCovenantId : null };
            if (!string.IsNullOrWhiteSpace(FilterStage))
                filter = Stages.TryParse(FilterStage, out var stage) ? filter with { Stage = stage } : filter with { CovenantId = -1 };
            if (!string.IsNullOrWhiteSpace(FilterPartyKind))
                filter = PartyKinds.TryParse(FilterPartyKind, out var kind) ? filter with { PartyKind = kind } : filter with { CovenantId = -1 };
            filter = filter with { Sector = string.IsNullOrWhiteSpace(FilterSector) ? null : FilterSector, Owner = string.IsNullOrWhiteSpace(FilterOwner) ? null : FilterOwner };
            selection = new InviteSelection { Filter = filter };
        }
        else
        {
            selection = new InviteSelection { ContactIds = ContactIds.Take(5000).ToList() };
        }

        var result = await service.InviteAsync(id, selection, ct);
        if (result.NotFound) return NotFound();
        TempData["Flash"] = result.Refusal is not null
            ? T.Message(result.Refusal)
            : T["{0} invited; not invited: {1} opted out, {2} bouncing, {3} already invited.", result.Invited, result.ExcludedOptedOut, result.ExcludedBouncing, result.ExcludedAlreadyInvited].Value;
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostCancelAsync(long id, CancellationToken ct)
    {
        var result = await service.CancelAsync(id, ct);
        if (result.NotFound) return NotFound();
        TempData["Flash"] = result.Refusal is not null ? T.Message(result.Refusal) : T["Event cancelled; every invitee who had not declined gets the cancellation."].Value;
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostRespondAsync(long id, long invitationId, string? answer, CancellationToken ct)
    {
        // The secretariat records an answer given by phone or in person.
        // Nothing is chosen in advance (one misclick would record a yes): no choice records nothing and says so.
        var response = answer switch { "accept" => InvitationResponse.Accepted, "tentative" => InvitationResponse.Tentative, "decline" => InvitationResponse.Declined, _ => InvitationResponse.None };
        if (response == InvitationResponse.None)
        {
            if (await events.GetEventAsync(id, ct) is null) return NotFound();
            TempData["FlashError"] = T["Choose the answer to record: accepted, tentative or not coming."].Value;
            return RedirectToPage(new { id });
        }

        var result = await service.RespondAsync(id, invitationId, response, ct);
        if (result.NotFound) return NotFound();
        if (result.Refusal is not null) TempData["FlashError"] = T.Message(result.Refusal);
        else TempData["Flash"] = T["Answer recorded."].Value;
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostRetryNoticesAsync(long id, CancellationToken ct)
    {
        if (await events.GetEventAsync(id, ct) is null) return NotFound();
        var retried = await notices.RetryFailedAsync(id, clock.GetUtcNow(), ct);
        TempData["Flash"] = T["{0} notices will be tried again within a minute.", retried].Value;
        return RedirectToPage(new { id });
    }

    /// <summary>The label of an answer ("declined" is a pipeline stage's word already, so the answer says "not coming").</summary>
    public static string ResponseLabel(InvitationResponse response) => response switch
    {
        InvitationResponse.Accepted => "Accepted",
        InvitationResponse.Tentative => "Tentative",
        InvitationResponse.Declined => "Not coming",
        _ => "No answer",
    };

    public int? Position(Invitation invitation) => EventRules.WaitlistPosition(Raw, invitation);

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var e = await events.GetEventAsync(id, ct);
        if (e is null) return false;
        Event = e;
        TeamsJoinUrl = calendarLinks is null ? null : (await calendarLinks.GetAsync(id, ct))?.JoinUrl;
        Invitations = await events.ListInvitationViewsAsync(id, ct);
        Raw = Invitations.Select(v => v.Invitation).ToList();
        Notices = await notices.CountAsync(id, ct);
        Covenants = await prospects.ListCovenantsAsync(ct);
        CovenantName = Covenants.FirstOrDefault(c => c.Id == e.CovenantId)?.Name ?? "";
        HostName = e.HostOrganisationId is { } host ? (await prospects.GetOrganisationAsync(host, ct))?.Name : null;
        Sectors = await prospects.ListSectorsAsync(ct);
        Owners = await prospects.ListOwnersAsync(ct);
        var invited = Raw.Select(i => i.ContactId).ToHashSet();
        Choices = (await events.ListContactChoicesAsync(e.CovenantId, ct)).Where(c => !invited.Contains(c.ContactId)).ToList();
        return true;
    }
}
