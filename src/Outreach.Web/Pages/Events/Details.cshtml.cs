using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Web.Pages.Events;

/// <summary>One event: its facts, the invitations with answers, waitlist and attendance, inviting by filter or by hand, cancelling.</summary>
public sealed class DetailsModel(EventService service, IEventStore events, IEventNoticeOutbox notices, IProspectStore prospects, TimeProvider clock, IStringLocalizer<SharedResource> T,
    Hosting.CurrentActor actor, IEventCalendarLinks? calendarLinks = null, Core.Sequences.SequenceSettings? sequenceSettings = null) : PageModel
{
    /// <summary>At most this many contacts answer a search of the picker, so the page and the answer stay small however many contacts there are.</summary>
    public const int MaxFound = 20;

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
    /// <summary>Contacts found by the picker's search without script (<see cref="Find"/>); the script asks <see cref="OnGetContactsAsync"/> instead.</summary>
    public IReadOnlyList<ContactChoice> Found { get; private set; } = [];

    /// <summary>Set after "Invite everyone who matches": who would be invited, shown for confirmation (nothing is invited yet).</summary>
    public InvitePreview? Preview { get; private set; }

    /// <summary>Set when the number who match changed between showing and confirming: the number that was confirmed.</summary>
    public int? CountChangedFrom { get; private set; }

    /// <summary>The send window's next opening, when invitations queued for the window go out.</summary>
    public DateTimeOffset NextWindowOpening => (sequenceSettings?.Window ?? Core.Sequences.SendWindow.OfficeHours).NextOpening(clock.GetUtcNow());

    [BindProperty(SupportsGet = true)] public string? Find { get; set; }
    /// <summary>The number of contacts the person saw and confirmed.</summary>
    [BindProperty] public int? ConfirmedCount { get; set; }
    /// <summary>"now" sends at once; anything else queues for the send window.</summary>
    [BindProperty] public string? When { get; set; }

    [BindProperty] public long? FilterCovenantId { get; set; }
    [BindProperty] public string? FilterStage { get; set; }
    [BindProperty] public string? FilterSector { get; set; }
    [BindProperty] public string? FilterPartyKind { get; set; }
    [BindProperty] public string? FilterOwner { get; set; }
    [BindProperty] public List<long> ContactIds { get; set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    /// <summary>
    /// By filter: shows how many match and who, and asks to confirm (issue 16: a whole covenant was invited with one click);
    /// nothing is invited. By hand: invites the chosen contacts, in the send window unless "now".
    /// </summary>
    public async Task<IActionResult> OnPostInviteAsync(long id, string? mode, CancellationToken ct)
    {
        if (mode == "filter")
        {
            var preview = await service.PreviewInviteAsync(id, new InviteSelection { Filter = BoundFilter() }, ct);
            if (preview.NotFound) return NotFound();
            if (preview.Refusal is not null)
            {
                TempData["FlashError"] = T.Message(preview.Refusal);
                return RedirectToPage(new { id });
            }

            Preview = preview;
            return await LoadAsync(id, ct) ? Page() : NotFound();
        }

        var result = await service.InviteAsync(id, new InviteSelection { ContactIds = ContactIds.Take(5000).ToList() }, new InviteConfirmation(Now: When == "now"), ct);
        return Invited(id, result);
    }

    /// <summary>The second step of inviting by filter: invites only when the number who match is still the one confirmed, else asks again.</summary>
    public async Task<IActionResult> OnPostConfirmInviteAsync(long id, CancellationToken ct)
    {
        if (ConfirmedCount is not >= 0) return BadRequest();
        var selection = new InviteSelection { Filter = BoundFilter() };
        var result = await service.InviteAsync(id, selection, new InviteConfirmation(ConfirmedCount, Now: When == "now"), ct);
        if (result.NotFound) return NotFound();
        if (!result.CountChanged) return Invited(id, result);

        var preview = await service.PreviewInviteAsync(id, selection, ct);
        if (preview.NotFound) return NotFound();
        Preview = preview;
        CountChangedFrom = ConfirmedCount;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    /// <summary>The picker's search as you type: at most <see cref="MaxFound"/> contacts not invited yet, by name, organisation or e-mail.</summary>
    public async Task<IActionResult> OnGetContactsAsync(long id, string? q, CancellationToken ct)
    {
        // The same people may read the page, but only those who invite need the addresses.
        if (!actor.CanEdit) return Forbid();
        var found = string.IsNullOrWhiteSpace(q) || q.Trim().Length < 2 ? [] : await events.SearchContactChoicesAsync(id, q.Trim()[..Math.Min(q.Trim().Length, 100)], MaxFound, ct);
        return new JsonResult(found.Select(c => new { id = c.ContactId, name = c.Name, organisation = c.OrganisationName, email = c.Email }));
    }

    private IActionResult Invited(long id, InviteResult result)
    {
        if (result.NotFound) return NotFound();
        var counts = T["{0} invited; not invited: {1} opted out, {2} bouncing, {3} already invited.", result.Invited, result.ExcludedOptedOut, result.ExcludedBouncing, result.ExcludedAlreadyInvited].Value;
        if (result.Refusal is not null)
        {
            // Refusals are warnings, never the green box that says something worked.
            TempData["FlashError"] = T.Message(result.Refusal);
            return RedirectToPage(new { id });
        }

        TempData["Flash"] = result.QueuedUntil is { } until ? counts + " " + T["The invitations wait for the send window and go out from {0}.", Format.Local(until)].Value
            : counts;
        return RedirectToPage(new { id });
    }

    private ProspectFilter BoundFilter()
    {
        var filter = new ProspectFilter { CovenantId = FilterCovenantId is > 0 ? FilterCovenantId : null };
        if (!string.IsNullOrWhiteSpace(FilterStage))
            filter = Stages.TryParse(FilterStage, out var stage) ? filter with { Stage = stage } : filter with { CovenantId = -1 };
        if (!string.IsNullOrWhiteSpace(FilterPartyKind))
            filter = PartyKinds.TryParse(FilterPartyKind, out var kind) ? filter with { PartyKind = kind } : filter with { CovenantId = -1 };
        return filter with { Sector = string.IsNullOrWhiteSpace(FilterSector) ? null : FilterSector, Owner = string.IsNullOrWhiteSpace(FilterOwner) ? null : FilterOwner };
    }

    public async Task<IActionResult> OnPostCancelAsync(long id, CancellationToken ct)
    {
        var result = await service.CancelAsync(id, ct);
        if (result.NotFound) return NotFound();
        if (result.Refusal is not null) TempData["FlashError"] = T.Message(result.Refusal);
        else TempData["Flash"] = T["Event cancelled; every invitee who had not declined gets the cancellation."].Value;
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
        // The picker never lists every contact (a 525 kB page after importing 20,000 organisations): only a search's few.
        if (!string.IsNullOrWhiteSpace(Find) && Find.Trim().Length >= 2 && actor.CanEdit)
            Found = await events.SearchContactChoicesAsync(id, Find.Trim()[..Math.Min(Find.Trim().Length, 100)], MaxFound, ct);
        return true;
    }
}
