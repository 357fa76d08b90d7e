namespace Outreach.Core.Events;

/// <summary>Settings of events: how long an offered place is held, when reminders go, who organises.</summary>
public sealed class EventOptions
{
    public const string Section = "Events";

    /// <summary>Hours an invitee from the waitlist has to confirm an offered place before it passes on.</summary>
    public int OfferHours { get; set; } = 48;

    /// <summary>Days before the start that accepted and tentative invitees get a reminder.</summary>
    public int ReminderDays { get; set; } = 3;

    /// <summary>
    /// The ORGANIZER of invitations: the secretariat's mailbox, where Outlook and Gmail send their Yes/No answers. Unset, the
    /// host takes the address mail is sent from (Mail:FromAddress, or Graph:Mailbox with Graph mail), so answers reach the
    /// mailbox that is read; these defaults are Mail's own.
    /// </summary>
    public string OrganizerName { get; set; } = "Covenant secretariat";
    public string OrganizerEmail { get; set; } = "outreach@secretariat.invalid";

    /// <summary>The name of the sequence attendees are enrolled in after the event (with the thank-you mail); empty: none.</summary>
    public string? FollowUpSequence { get; set; }

    /// <summary>
    /// How invitees get invitations: "Mail" (the embedded mode, mails with an iCalendar part) or "Graph" (one event in the
    /// Microsoft 365 calendar of Graph:Mailbox with the invitees as attendees, Teams meetings for online events).
    /// </summary>
    public string Calendar { get; set; } = CalendarMail;

    public const string CalendarMail = "Mail";
    public const string CalendarGraph = "Graph";

    /// <summary>
    /// Hours before the start from which the door list checks people in; earlier a check-in is refused, saying when it opens
    /// (a tap on the list two months ahead would record someone as present at an event that has not happened).
    /// </summary>
    public int CheckInOpensHoursBefore { get; set; } = 12;

    public TimeSpan OfferWindow => TimeSpan.FromHours(Math.Clamp(OfferHours, 1, 24 * 30));

    public TimeSpan CheckInOpensBefore => TimeSpan.FromHours(Math.Clamp(CheckInOpensHoursBefore, 0, 24 * 7));
}

/// <summary>
/// How an invitee hears about an event change: in the embedded mode a mail with an iCalendar part through the outbox
/// (<see cref="MailInvitationChannel"/>); with Microsoft 365 a Graph calendar adapter can take its place without the rules changing.
/// Implementations are idempotent per (invitation, kind, SEQUENCE), so repeating a call after a crash sends nothing twice.
/// </summary>
public interface IEventInvitationChannel
{
    /// <exception cref="EventChannelException">The notice could not be delivered now (or ever, when permanent).</exception>
    Task SendAsync(NetworkEvent networkEvent, Invitation invitation, EventMailKind kind, CancellationToken ct);
}

/// <summary>
/// Why a channel could not pass a notice on (a calendar service answering 429 or 5xx, or refusing the request), and whether
/// trying again can help; <see cref="RetryAfter"/> is the service's own Retry-After when it gave one.
/// </summary>
public sealed class EventChannelException(string message, bool permanent = false, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner), Common.IServiceFailure
{
    public bool Permanent { get; } = permanent;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>The public links in event mail (signed by the web host, which serves them).</summary>
public interface IEventLinks
{
    /// <summary>The invitee's own answer page; <paramref name="answer"/> is "accept", "decline" or "cancel" (the page still asks once).</summary>
    string RsvpUrl(long eventId, long invitationId, string answer);

    string UnsubscribeUrl(long contactId);
}

/// <summary>
/// Enrols an attendee in a follow-up sequence after the event (<see cref="SequenceFollowUpEnrolment"/>, driven by
/// <see cref="EventOptions.FollowUpSequence"/>); the thank-you mail goes regardless.
/// </summary>
public interface IEventFollowUpEnrolment
{
    Task EnrolAttendeeAsync(NetworkEvent networkEvent, Invitation invitation, CancellationToken ct);
}
