using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Users.Item.Events.Item.Cancel;
using Outreach.Core.Calendar;
using Outreach.Core.Events;
using Outreach.Core.Prospects;
using Contact = Outreach.Core.Prospects.Contact;
using Invitation = Outreach.Core.Events.Invitation;

namespace Outreach.Graph;

/// <summary>
/// The Microsoft 365 calendar channel (Events:Calendar=Graph): a network event is ONE calendar event in the secretariat's
/// mailbox with the invitees as attendees, so Exchange sends the invitations, updates and cancellation and collects the
/// answers. The first invitation creates it (with a transactionId and an extended property derived from the event's UID, and
/// a lookup by that property first, so neither a retried POST nor a crash after Graph's 201 makes a second one); later
/// invitations add their attendee once; an update is pushed once per SEQUENCE although the rules call once per invitee; the
/// cancellation once. Online and hybrid events get a Teams meeting whose join link is kept. Offers, reminders, thanks and
/// no-show messages are mails through <paramref name="mail"/> (built without an iCalendar part: a second calendar item with
/// another UID would show the event twice).
/// </summary>
/// <remarks>
/// Attendees are hidden from each other (hideAttendees), as the mail channel lists only the recipient. Adding an attendee
/// reads the attendee list and writes it back whole (Graph has no "add one attendee"); two channel calls for the same event at
/// the same moment could lose one addition, which the next call for that invitee mends. An event stays in the mailbox it
/// was made in (the link's), also when Graph:Mailbox changes later.
/// </remarks>
public sealed partial class GraphCalendarChannel(
    GraphServiceClient client, GraphOptions options, IEventCalendarLinks links, IProspectStore prospects, IEventStore events, MailInvitationChannel mail,
    TimeProvider clock, ILogger<GraphCalendarChannel> logger) : IEventInvitationChannel
{
    /// <summary>Outreach's named property set (the mail key's); the event's UID is a string property in it.</summary>
    public const string UidPropertyId = "String {6f1d7a52-0c3e-4b8e-9a57-2f4d8c1e6b30} Name OutreachEventUid";

    private static readonly string[] LookFields = ["id", "attendees", "onlineMeeting", "transactionId"];
    private readonly string mailbox = options.Mailbox ?? throw new ArgumentException("Graph:Mailbox is required.", nameof(options));

    public async Task SendAsync(NetworkEvent networkEvent, Invitation invitation, EventMailKind kind, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(networkEvent);
        ArgumentNullException.ThrowIfNull(invitation);
        switch (kind)
        {
            case EventMailKind.Invitation:
                await InviteAsync(networkEvent, invitation, ct);
                break;
            case EventMailKind.Update:
                await UpdateAsync(networkEvent, invitation, ct);
                break;
            case EventMailKind.Cancelled:
                await CancelAsync(networkEvent, ct);
                break;
            case EventMailKind.Withdrawn:
                await ForgetUnreachableAsync(networkEvent, ct);
                break;
            default:
                // A plain mail; it shows the Teams link when the secretariat entered none of its own.
                var link = await links.GetAsync(networkEvent.Id, ct);
                var shown = networkEvent.OnlineJoinUrl is null && link?.JoinUrl is { } join ? networkEvent with { OnlineJoinUrl = join } : networkEvent;
                await mail.SendAsync(shown, invitation, kind, ct);
                break;
        }
    }

    private async Task InviteAsync(NetworkEvent e, Invitation invitation, CancellationToken ct)
    {
        if (e.Status == EventStatus.Cancelled) return;
        var contact = await prospects.GetContactAsync(invitation.ContactId, ct);
        if (contact is null || contact.OptedOut || contact.Erased || string.IsNullOrWhiteSpace(contact.Email)) return;
        var (link, current) = await EnsureEventAsync(e, contact, ct);
        var attendees = current.Attendees ?? [];
        var present = attendees.Any(a => Same(a.EmailAddress?.Address, contact.Email));
        var stale = link.PushedSequence is not { } pushed || pushed < e.Sequence;
        if (present && !stale) return;

        // The whole list back with the newcomer (only when absent), and the event's facts if a change was not pushed yet.
        var patch = stale ? Facts(e) : new Event();
        patch.Attendees = [.. attendees.Select(a => new Attendee { EmailAddress = new EmailAddress { Address = a.EmailAddress?.Address, Name = a.EmailAddress?.Name }, Type = a.Type ?? AttendeeType.Required })];
        if (!present) patch.Attendees.Add(AttendeeFor(contact));
        var updated = await GraphEventCalls.CallAsync("attendee update", e.Id, clock, () => client.Users[link.Mailbox].Events[link.CalendarEventId].PatchAsync(patch, Prefer, ct));
        await SaveAsync(link with { PushedSequence = Math.Max(link.PushedSequence ?? e.Sequence, e.Sequence), JoinUrl = updated?.OnlineMeeting?.JoinUrl ?? link.JoinUrl }, ct);
        LogAttendeeAdded(logger, e.Id, invitation.Id, link.CalendarEventId!);
    }

    /// <summary>The calendar event of <paramref name="e"/>: the stored one, one an earlier attempt made (found by its UID), or a new one with <paramref name="first"/> as attendee.</summary>
    private async Task<(EventCalendarLink Link, Event Current)> EnsureEventAsync(NetworkEvent e, Contact first, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var existing = await links.GetAsync(e.Id, ct);
        var link = existing ?? new EventCalendarLink
        {
            EventId = e.Id, Mailbox = mailbox, TransactionId = EventCalendarLink.TransactionIdFor(e.Uid), CreatedAt = now, UpdatedAt = now,
        };
        if (link.CalendarEventId is { } id)
        {
            var stored = await GraphEventCalls.CallAsync("read", e.Id, clock, () => client.Users[link.Mailbox].Events[id].GetAsync(rc =>
            {
                rc.QueryParameters.Select = LookFields;
                Prefer(rc.Headers);
            }, ct)) ?? throw new EventChannelException($"Graph returned nothing for calendar event {id} of network event {e.Id}.");
            if (link.JoinUrl is null && stored.OnlineMeeting?.JoinUrl is { } join) link = await SaveAsync(link with { JoinUrl = join }, ct);
            return (link, stored);
        }

        // The transaction id is kept before anything is asked of Graph (it is derived, so a lost row changes nothing).
        if (existing is null) link = await SaveAsync(link, ct);
        // A crash after Graph's 201 (or a lost answer) left the event without its id here: find it by its UID first.
        var found = await FindByUidAsync(link.Mailbox, e, ct);
        Event current;
        if (found is not null)
        {
            LogRecovered(logger, e.Id, found.Id!);
            current = found;
        }
        else
        {
            var create = Facts(e);
            create.TransactionId = link.TransactionId;
            create.HideAttendees = true;
            create.AllowNewTimeProposals = false;
            create.ResponseRequested = true;
            create.SingleValueExtendedProperties = [new SingleValueLegacyExtendedProperty { Id = UidPropertyId, Value = e.Uid }];
            create.Attendees = [AttendeeFor(first)];
            current = await GraphEventCalls.CallAsync("create", e.Id, clock, () => client.Users[link.Mailbox].Events.PostAsync(create, Prefer, ct))
                      ?? throw new EventChannelException($"Graph created no calendar event for network event {e.Id} (empty answer).");
            LogCreated(logger, e.Id, current.Id!, current.OnlineMeeting?.JoinUrl is not null);
        }

        // A found event shows what it showed when it was made; pushed is unknown, so the facts go again with the attendee.
        link = await SaveAsync(link with
        {
            CalendarEventId = current.Id, JoinUrl = current.OnlineMeeting?.JoinUrl ?? link.JoinUrl, PushedSequence = found is null ? e.Sequence : null,
        }, ct);
        return (link, current);
    }

    private async Task<Event?> FindByUidAsync(string calendarMailbox, NetworkEvent e, CancellationToken ct)
    {
        var filter = $"singleValueExtendedProperties/Any(ep: ep/id eq '{UidPropertyId}' and ep/value eq '{e.Uid.Replace("'", "''", StringComparison.Ordinal)}')";
        var page = await GraphEventCalls.CallAsync("look-up", e.Id, clock, () => client.Users[calendarMailbox].Events.GetAsync(rc =>
        {
            rc.QueryParameters.Filter = filter;
            rc.QueryParameters.Select = LookFields;
            rc.QueryParameters.Top = 2;
            Prefer(rc.Headers);
        }, ct));
        return page?.Value?.FirstOrDefault();
    }

    private async Task UpdateAsync(NetworkEvent e, Invitation invitation, CancellationToken ct)
    {
        if (e.Status == EventStatus.Cancelled) return;
        var link = await links.GetAsync(e.Id, ct);
        if (link?.CalendarEventId is null)
        {
            // Nothing in the calendar yet (the invitation's call failed): the invitation puts it there with the current facts.
            await InviteAsync(e, invitation, ct);
            return;
        }

        if ((link.PushedSequence is { } pushed && pushed >= e.Sequence) || link.CancelPushedAt is not null) return;
        var updated = await GraphEventCalls.CallAsync("update", e.Id, clock, () => client.Users[link.Mailbox].Events[link.CalendarEventId].PatchAsync(Facts(e), Prefer, ct));
        await SaveAsync(link with { PushedSequence = e.Sequence, JoinUrl = updated?.OnlineMeeting?.JoinUrl ?? link.JoinUrl }, ct);
        LogUpdated(logger, e.Id, e.Sequence);
    }

    /// <summary>
    /// After an erasure, opt-out or bounce: attendees whose address was erased (its hash is suppressed) or belongs to an
    /// invitee who opted out or bounces are dropped from the attendee list; anyone else on it (a colleague the secretariat
    /// added in Outlook, an address changed since) stays. Exchange sends the dropped attendee a cancellation, which takes the
    /// event out of their calendar.
    /// </summary>
    private async Task ForgetUnreachableAsync(NetworkEvent e, CancellationToken ct)
    {
        var link = await LinkWithCalendarIdAsync(e, ct);
        if (link?.CalendarEventId is null || link.CancelPushedAt is not null) return;
        var current = await GraphEventCalls.CallAsync("read", e.Id, clock, () => client.Users[link.Mailbox].Events[link.CalendarEventId].GetAsync(rc =>
        {
            rc.QueryParameters.Select = LookFields;
            Prefer(rc.Headers);
        }, ct));
        var attendees = current?.Attendees ?? [];
        var views = await events.ListInvitationViewsAsync(e.Id, ct);
        var candidates = await events.ListInviteCandidatesAsync(new InviteSelection { ContactIds = views.Select(v => v.Invitation.ContactId).ToList() }, ct);
        var unreachable = candidates.Where(c => c.OptedOut || c.Bouncing).Select(c => c.ContactId).ToHashSet();
        var dropped = new HashSet<string>(views.Where(v => !v.ContactErased && unreachable.Contains(v.Invitation.ContactId)).Select(v => v.Email.Trim()), StringComparer.OrdinalIgnoreCase);
        var kept = new List<Attendee>();
        foreach (var attendee in attendees)
        {
            var address = attendee.EmailAddress?.Address?.Trim();
            if (address is not null && (dropped.Contains(address) || await prospects.IsSuppressedAsync(address, ct))) continue;
            kept.Add(attendee);
        }

        if (kept.Count == attendees.Count) return;
        var patch = new Event
        {
            Attendees = [.. kept.Select(a => new Attendee { EmailAddress = new EmailAddress { Address = a.EmailAddress?.Address, Name = a.EmailAddress?.Name }, Type = a.Type ?? AttendeeType.Required })],
        };
        await GraphEventCalls.CallAsync("attendee removal", e.Id, clock, () => client.Users[link.Mailbox].Events[link.CalendarEventId].PatchAsync(patch, Prefer, ct));
        LogAttendeesRemoved(logger, e.Id, attendees.Count - kept.Count);
    }

    /// <summary>
    /// The event's link with the calendar event's id: when an earlier create was carried out but its answer lost (the id was
    /// never stored), the event is found by its UID first, so a cancellation or withdrawal is not taken as nothing to do.
    /// </summary>
    private async Task<EventCalendarLink?> LinkWithCalendarIdAsync(NetworkEvent e, CancellationToken ct)
    {
        var link = await links.GetAsync(e.Id, ct);
        if (link is null || link.CalendarEventId is not null) return link;
        var found = await FindByUidAsync(link.Mailbox, e, ct);
        if (found?.Id is null) return link;
        LogRecovered(logger, e.Id, found.Id);
        return await SaveAsync(link with { CalendarEventId = found.Id, JoinUrl = found.OnlineMeeting?.JoinUrl ?? link.JoinUrl }, ct);
    }

    private async Task CancelAsync(NetworkEvent e, CancellationToken ct)
    {
        var link = await LinkWithCalendarIdAsync(e, ct);
        if (link?.CalendarEventId is null || link.CancelPushedAt is not null) return;
        try
        {
            await GraphEventCalls.CallAsync("cancellation", e.Id, clock, async () =>
            {
                await client.Users[link.Mailbox].Events[link.CalendarEventId].Cancel.PostAsync(
                    new CancelPostRequestBody { Comment = "Deze bijeenkomst gaat niet door. / This event has been cancelled." }, Prefer, ct);
                return true;
            });
        }
        catch (EventChannelException ex) when (GraphEventCalls.IsNotFound(ex))
        {
            // Cancelling moves the event to Deleted Items: an earlier attempt whose answer was lost did it already.
            LogCancelFoundGone(logger, e.Id);
        }

        await SaveAsync(link with { CancelPushedAt = clock.GetUtcNow() }, ct);
        LogCancelled(logger, e.Id);
    }

    private async Task<EventCalendarLink> SaveAsync(EventCalendarLink link, CancellationToken ct)
    {
        var saved = link with { UpdatedAt = clock.GetUtcNow() };
        await links.SaveAsync(saved, ct);
        return saved;
    }

    /// <summary>What an invitee's calendar shows: title, description, Amsterdam times, place, and a Teams meeting for online and hybrid events.</summary>
    private static Event Facts(NetworkEvent e)
    {
        var online = e.Format != EventFormat.Physical;
        var facts = new Event
        {
            Subject = e.Title,
            Body = new ItemBody { ContentType = BodyType.Html, Content = Body(e) },
            Start = new DateTimeTimeZone { DateTime = Local(e.StartsAt), TimeZone = GraphEventCalls.TimeZone },
            End = new DateTimeTimeZone { DateTime = Local(e.EndsAt), TimeZone = GraphEventCalls.TimeZone },
            Location = new Location { DisplayName = e.Venue ?? (online ? "Microsoft Teams" : "") },
        };
        // A Teams meeting cannot be switched off again once made, so "false" is never sent.
        if (online)
        {
            facts.IsOnlineMeeting = true;
            facts.OnlineMeetingProvider = OnlineMeetingProviderType.TeamsForBusiness;
        }

        return facts;
    }

    private static string Local(DateTimeOffset instant) =>
        AmsterdamClock.ToLocal(instant).DateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>One body for every attendee: the Dutch and English descriptions (encoded), and the secretariat's own join link if it gave one.</summary>
    private static string Body(NetworkEvent e)
    {
        var parts = new[] { e.DescriptionNl, e.DescriptionEn }.Where(d => !string.IsNullOrWhiteSpace(d))
            .Select(d => "<p>" + WebUtility.HtmlEncode(d.Trim()).Replace("\n", "<br>", StringComparison.Ordinal) + "</p>").ToList();
        if (e.OnlineJoinUrl is { } own) parts.Add($"<p><a href=\"{WebUtility.HtmlEncode(own)}\">{WebUtility.HtmlEncode(own)}</a></p>");
        return "<html><body>" + string.Concat(parts) + "</body></html>";
    }

    private static Attendee AttendeeFor(Contact contact) => new()
    {
        EmailAddress = new EmailAddress { Address = contact.Email.Trim(), Name = contact.Name },
        Type = AttendeeType.Required,
    };

    private static bool Same(string? a, string? b) => a is not null && b is not null && string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    private static void Prefer(Microsoft.Kiota.Abstractions.RequestHeaders headers)
    {
        headers.Add("Prefer", GraphEventCalls.ImmutableIds);
        headers.Add("Prefer", GraphEventCalls.PreferTimeZone);
    }

    private static void Prefer<T>(Microsoft.Kiota.Abstractions.RequestConfiguration<T> rc) where T : class, new() => Prefer(rc.Headers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Network event {EventId}: calendar event {CalendarEventId} created (Teams meeting: {Online})")]
    private static partial void LogCreated(ILogger logger, long eventId, string calendarEventId, bool online);

    [LoggerMessage(Level = LogLevel.Information, Message = "Network event {EventId}: calendar event {CalendarEventId} made by an earlier attempt found by its UID; not creating another")]
    private static partial void LogRecovered(ILogger logger, long eventId, string calendarEventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Network event {EventId}: invitation {InvitationId} added as attendee of {CalendarEventId}")]
    private static partial void LogAttendeeAdded(ILogger logger, long eventId, long invitationId, string calendarEventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Network event {EventId}: calendar event updated to SEQUENCE {Sequence}")]
    private static partial void LogUpdated(ILogger logger, long eventId, int sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Network event {EventId}: {Count} attendees erased, opted out or bouncing removed from the calendar event")]
    private static partial void LogAttendeesRemoved(ILogger logger, long eventId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Network event {EventId}: calendar event cancelled")]
    private static partial void LogCancelled(ILogger logger, long eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Network event {EventId}: the calendar event was gone when cancelling (an earlier attempt cancelled it)")]
    private static partial void LogCancelFoundGone(ILogger logger, long eventId);
}
