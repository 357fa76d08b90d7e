using System.Globalization;
using Outreach.Core.Calendar;
using Outreach.Core.Mail;
using Outreach.Core.Prospects;

namespace Outreach.Core.Events;

/// <summary>
/// The embedded mode's channel: each invitation, update, cancellation, offer, reminder and follow-up is a mail in the
/// persistent outbox, rendered from the built-in templates in the contact's language; invitations and updates carry an
/// iCalendar REQUEST, cancellations a CANCEL, with the event's UID and SEQUENCE. Opted-out and erased contacts get nothing.
/// With <paramref name="calendarParts"/> false the mails go without the iCalendar part: the Microsoft 365 calendar channel sends
/// its own calendar event, and a second calendar item with another UID would show the event twice.
/// </summary>
public sealed class MailInvitationChannel(
    IProspectStore prospects, IMailOutbox outbox, IMailTemplateRenderer renderer, IEventLinks links, EventOptions options, TimeProvider clock,
    Sequences.ITemplateStore? templates = null, bool calendarParts = true)
    : IEventInvitationChannel
{
    public async Task SendAsync(NetworkEvent networkEvent, Invitation invitation, EventMailKind kind, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(networkEvent);
        ArgumentNullException.ThrowIfNull(invitation);
        // Mail keeps no invitee list to forget them from: the erasure removed their mail already.
        if (kind == EventMailKind.Withdrawn) return;
        var contact = await prospects.GetContactAsync(invitation.ContactId, ct).ConfigureAwait(false);
        if (contact is null || contact.OptedOut || contact.Erased) return;
        var organisation = await prospects.GetOrganisationAsync(contact.OrganisationId, ct).ConfigureAwait(false);
        var covenant = (await prospects.ListCovenantsAsync(ct).ConfigureAwait(false)).FirstOrDefault(c => c.Id == networkEvent.CovenantId);
        // The secretariat's edited text when there is one (newest version, the contact's language first), else the built-in one.
        var key = EventMailTemplates.Key(kind);
        var stored = templates is null ? null
            : await templates.GetAsync(key, contact.Language, null, ct).ConfigureAwait(false)
              ?? await templates.GetAsync(key, contact.Language == ContactLanguage.Nl ? ContactLanguage.En : ContactLanguage.Nl, null, ct).ConfigureAwait(false);
        var draft = Compose(networkEvent, invitation, kind, contact, organisation?.Name ?? "", organisation?.Owner ?? options.OrganizerName, covenant?.Name ?? "", stored);
        await outbox.EnqueueAsync(draft, clock.GetUtcNow(), ct).ConfigureAwait(false);
    }

    /// <summary>The outbox mail for one invitee (pure: separate from the lookups, so it can be tested as is).</summary>
    public MailDraft Compose(NetworkEvent e, Invitation invitation, EventMailKind kind, Contact contact, string organisation, string owner, string covenant, MailTemplate? stored = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitation);
        ArgumentNullException.ThrowIfNull(contact);
        var key = EventMailTemplates.Key(kind);
        var template = stored ?? MailTemplates.Pick(EventMailTemplates.All, key, contact.Language)
            ?? throw new InvalidOperationException($"No built-in template '{key}'.");
        var culture = CultureInfo.GetCultureInfo(contact.Language == ContactLanguage.Nl ? "nl-NL" : "en-GB");
        var rendered = renderer.Render(template, new TemplateValues
        {
            ContactName = contact.Name,
            Organisation = organisation,
            Covenant = covenant,
            Owner = owner,
            EventName = e.Title,
            EventDate = When(e, culture),
            EventPlace = e.Venue,
            JoinUrl = e.OnlineJoinUrl,
            OfferUntil = invitation.PlaceOfferedUntil is { } until ? AmsterdamClock.ToLocal(until).ToString("dddd d MMMM yyyy HH:mm", culture) : null,
            AcceptUrl = links.RsvpUrl(e.Id, invitation.Id, "accept"),
            DeclineUrl = links.RsvpUrl(e.Id, invitation.Id, "decline"),
            CancelUrl = links.RsvpUrl(e.Id, invitation.Id, "cancel"),
            UnsubscribeUrl = links.UnsubscribeUrl(contact.Id),
        });
        CalendarPart? calendar = !calendarParts ? null : kind switch
        {
            EventMailKind.Invitation or EventMailKind.Update or EventMailKind.PlaceOffered => Calendar(e, CalendarMethod.Request, contact, invitation, rendered.Text),
            EventMailKind.Cancelled => Calendar(e, CalendarMethod.Cancel, contact, invitation, rendered.Text),
            _ => null,
        };
        return new MailDraft
        {
            IdempotencyKey = IdempotencyKey(e, invitation, kind),
            Purpose = key,
            ContactId = contact.Id,
            ToAddress = contact.Email,
            ToName = contact.Name,
            Subject = rendered.Subject,
            HtmlBody = rendered.Html,
            TextBody = rendered.Text,
            UnsubscribeUrl = links.UnsubscribeUrl(contact.Id),
            TemplateKey = template.Key,
            TemplateVersion = template.Version,
            DueAt = clock.GetUtcNow(),
            Calendar = calendar,
        };
    }

    /// <summary>
    /// One mail per invitee and purpose; invitations, updates and cancellations once per SEQUENCE (each change is news),
    /// offers once per offer (a place can be offered to the same person again after they re-join the waitlist).
    /// </summary>
    public static string IdempotencyKey(NetworkEvent e, Invitation invitation, EventMailKind kind)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitation);
        var basis = $"event:{e.Id}:invitation:{invitation.Id}:{EventMailTemplates.Key(kind)}";
        return kind switch
        {
            EventMailKind.Invitation or EventMailKind.Update or EventMailKind.Cancelled => basis + ":seq:" + e.Sequence.ToString(CultureInfo.InvariantCulture),
            EventMailKind.PlaceOffered => basis + ":until:" + (invitation.PlaceOfferedUntil?.ToUnixTimeSeconds() ?? 0).ToString(CultureInfo.InvariantCulture),
            // Once per place in line: someone who cancels and joins again is told again.
            EventMailKind.Waitlisted => basis + ":number:" + (invitation.WaitlistNumber ?? 0).ToString(CultureInfo.InvariantCulture),
            _ => basis,
        };
    }

    public static string When(NetworkEvent e, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(e);
        var start = AmsterdamClock.ToLocal(e.StartsAt);
        var end = AmsterdamClock.ToLocal(e.EndsAt);
        var day = start.ToString("dddd d MMMM yyyy, HH:mm", culture);
        return start.Date == end.Date ? $"{day}–{end.ToString("HH:mm", culture)}" : $"{day} – {end.ToString("dddd d MMMM yyyy, HH:mm", culture)}";
    }

    private CalendarPart Calendar(NetworkEvent e, CalendarMethod method, Contact contact, Invitation invitation, string description)
    {
        // Only the recipient is listed: invitees do not see each other's addresses.
        var ics = ICalendarWriter.Write(e, method, new CalendarOrganizer(options.OrganizerName, options.OrganizerEmail),
            [new CalendarAttendee(contact.Name, contact.Email, invitation.Response)], description, links.RsvpUrl(e.Id, invitation.Id, "accept"), clock.GetUtcNow());
        return new CalendarPart(ICalendarWriter.Method(method), ics);
    }
}
