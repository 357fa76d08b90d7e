namespace Outreach.Core.Events;

/// <summary>
/// A network event's counterpart in a Microsoft 365 calendar: one calendar event in the secretariat's mailbox with the invitees
/// as attendees. Kept per network event so a repeated channel call, a crash after Graph acted, or the jobs know what was done.
/// </summary>
public sealed record EventCalendarLink
{
    public long EventId { get; init; }
    public required string Mailbox { get; init; }
    /// <summary>Derived from the event's UID (<see cref="TransactionIdFor"/>): a repeated create finds the first one instead of making a second.</summary>
    public required string TransactionId { get; init; }
    /// <summary>Null until the calendar event is known to exist.</summary>
    public string? CalendarEventId { get; init; }
    /// <summary>The Teams join link the calendar service made (online and hybrid events).</summary>
    public string? JoinUrl { get; init; }
    public string? OnlineMeetingId { get; init; }
    /// <summary>The event's SEQUENCE the calendar event shows; an update is pushed once per SEQUENCE.</summary>
    public int? PushedSequence { get; init; }
    public DateTimeOffset? CancelPushedAt { get; init; }
    public DateTimeOffset? ResponsesReadAt { get; init; }
    /// <summary>When the online attendance was read after the event (once).</summary>
    public DateTimeOffset? AttendanceReadAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// A GUID-shaped id from the UID's SHA-256: the same for every attempt to create the event, different per event.
    /// </summary>
    public static string TransactionIdFor(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("outreach-event:" + uid));
        return new Guid(hash.AsSpan(0, 16)).ToString("D");
    }
}

/// <summary>The calendar links of network events (<see cref="EventCalendarLink"/>).</summary>
public interface IEventCalendarLinks
{
    Task<EventCalendarLink?> GetAsync(long eventId, CancellationToken ct);

    /// <summary>
    /// Inserts the link of <see cref="EventCalendarLink.EventId"/>, or merges it into the stored one without going back: ids
    /// and links are only filled in, the pushed SEQUENCE and read times only move forward, a cancellation stays.
    /// </summary>
    Task SaveAsync(EventCalendarLink link, CancellationToken ct);

    /// <summary>Links of scheduled events that exist in the calendar, are not cancelled there and have not ended at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<EventCalendarLink>> ListForResponsesAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>Links of scheduled online or hybrid events with a join link that ended before <paramref name="now"/> and whose attendance is not read yet.</summary>
    Task<IReadOnlyList<EventCalendarLink>> ListForAttendanceAsync(DateTimeOffset now, CancellationToken ct);
}

/// <summary>An attendee's answer as the calendar shows it; <see cref="Response"/> is None when they have not answered.</summary>
public sealed record CalendarResponse(string Email, InvitationResponse Response, DateTimeOffset? At);

/// <summary>
/// Who attended an online meeting, by e-mail address; <see cref="ReportsAvailable"/> is false while the service has no
/// attendance report yet (it comes some minutes after the meeting).
/// </summary>
public sealed record OnlineAttendance(string? OnlineMeetingId, bool ReportsAvailable, IReadOnlyList<string> Emails);

/// <summary>Reading back from the calendar service: answers given in the invitees' calendars, and online attendance.</summary>
public interface IEventCalendarReader
{
    Task<IReadOnlyList<CalendarResponse>> ReadResponsesAsync(EventCalendarLink link, CancellationToken ct);

    /// <summary>Who attended online, from the meeting's attendance reports of sessions overlapping [<paramref name="from"/>, <paramref name="until"/>) only (a rehearsal days before is not the event).</summary>
    Task<OnlineAttendance> ReadOnlineAttendanceAsync(EventCalendarLink link, DateTimeOffset from, DateTimeOffset until, CancellationToken ct);
}
