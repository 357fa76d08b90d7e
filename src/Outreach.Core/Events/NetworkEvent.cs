using Outreach.Core.Common;

namespace Outreach.Core.Events;

public enum EventFormat
{
    Physical,
    Online,
    Hybrid,
}

public enum EventStatus
{
    Scheduled,
    Cancelled,
}

/// <summary>What an invitee answered (the iCalendar PARTSTAT values Outreach uses).</summary>
public enum InvitationResponse
{
    None,
    Accepted,
    Tentative,
    Declined,
}

/// <summary>Where an accepting invitee stands with respect to the venue's capacity.</summary>
public enum PlaceStatus
{
    /// <summary>No place held (not accepted, declined, or tentative).</summary>
    None,
    /// <summary>Holds a place.</summary>
    Confirmed,
    /// <summary>Accepted when the event was full; waits in order of <see cref="Invitation.WaitlistNumber"/>.</summary>
    Waitlisted,
    /// <summary>A place came free and is held for them until <see cref="Invitation.PlaceOfferedUntil"/>.</summary>
    Offered,
    /// <summary>An offered place was not confirmed in time and passed on.</summary>
    Lapsed,
}

/// <summary>What a person enters for an event; start and end are Amsterdam wall-clock times.</summary>
public sealed record NetworkEventDraft
{
    public string Title { get; init; } = "";
    public long CovenantId { get; init; }
    public long? HostOrganisationId { get; init; }
    public EventFormat Format { get; init; } = EventFormat.Physical;
    public string? Venue { get; init; }
    public string? OnlineJoinUrl { get; init; }
    public DateTime StartLocal { get; init; }
    public DateTime EndLocal { get; init; }
    public int Capacity { get; init; }
    /// <summary>The last moment (Amsterdam wall clock) to accept.</summary>
    public DateTime RegistrationDeadlineLocal { get; init; }
    public string DescriptionNl { get; init; } = "";
    public string DescriptionEn { get; init; } = "";
    /// <summary>
    /// For a wall-clock time that occurs twice (the autumn overlap hour): the UTC offset meant, +02:00 for the first (summer
    /// time) or +01:00 for the second. Null, or for any other time: ignored; an overlap time is then the second occurrence.
    /// </summary>
    public TimeSpan? StartOffset { get; init; }
    public TimeSpan? EndOffset { get; init; }
    public TimeSpan? RegistrationDeadlineOffset { get; init; }
}

/// <summary>A network event hosted by a party. Times are instants; they are entered and shown in Europe/Amsterdam.</summary>
public sealed record NetworkEvent
{
    public long Id { get; init; }
    public required string Title { get; init; }
    public long CovenantId { get; init; }
    public long? HostOrganisationId { get; init; }
    public EventFormat Format { get; init; }
    public string? Venue { get; init; }
    public string? OnlineJoinUrl { get; init; }
    public DateTimeOffset StartsAt { get; init; }
    public DateTimeOffset EndsAt { get; init; }
    public int Capacity { get; init; }
    public DateTimeOffset RegistrationDeadline { get; init; }
    public string DescriptionNl { get; init; } = "";
    public string DescriptionEn { get; init; } = "";
    public EventStatus Status { get; init; }
    /// <summary>The iCalendar UID: the same for the invitation, every update and the cancellation.</summary>
    public required string Uid { get; init; }
    /// <summary>The iCalendar SEQUENCE: raised by every change an invitee must see (reschedule, cancel).</summary>
    public int Sequence { get; init; }
    /// <summary>Raised by every stored change; a store refuses a change made from an older version.</summary>
    public int Version { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>One contact invited to one event, with their answer, place and attendance.</summary>
public sealed record Invitation
{
    public long Id { get; init; }
    public long EventId { get; init; }
    public long ContactId { get; init; }
    public InvitationResponse Response { get; init; }
    public DateTimeOffset? RespondedAt { get; init; }
    public PlaceStatus Place { get; init; }
    /// <summary>Order on the waitlist (lower first); kept while a place is offered.</summary>
    public long? WaitlistNumber { get; init; }
    public DateTimeOffset? PlaceOfferedUntil { get; init; }
    public DateTimeOffset? CheckedInAt { get; init; }
    public bool AttendedOnline { get; init; }
    /// <summary>Came to the door without an invitation and was added there.</summary>
    public bool WalkIn { get; init; }
    public DateTimeOffset InvitedAt { get; init; }

    public bool Attended => CheckedInAt is not null || AttendedOnline;
}

/// <summary>A contact who might be invited, with what can rule them out.</summary>
public sealed record InviteCandidate(long ContactId, bool OptedOut, bool Bouncing, bool Erased = false);

public enum EventMailKind
{
    Invitation,
    Update,
    Cancelled,
    PlaceOffered,
    Reminder,
    Thanks,
    NoShow,
    /// <summary>An acceptance came when the event was full: the invitee is on the waitlist and will hear when a place comes free.</summary>
    Waitlisted,
    /// <summary>The invitee was erased, opted out or bounces: a calendar drops them from its attendees (no mail of its own).</summary>
    Withdrawn,
}

/// <summary>A mail (or, with Microsoft 365, a calendar action) a change asks for.</summary>
public sealed record EventMail(long ContactId, EventMailKind Kind);

/// <summary>
/// The outcome of a rule: the changed invitations (new ones have Id 0), the mails they call for, or a refusal.
/// </summary>
public sealed record EventDecision(IReadOnlyList<Invitation> Changed, IReadOnlyList<EventMail> Mails, DomainMessage? Refusal = null)
{
    public bool IsAllowed => Refusal is null;

    public static EventDecision Refuse(string message, params string[] args) => new([], [], new DomainMessage(message, args));

    public static readonly EventDecision Nothing = new([], []);
}

/// <summary>The outcome of inviting: who is invited now and why the others are not.</summary>
public sealed record InviteDecision(IReadOnlyList<long> Invited, int ExcludedOptedOut, int ExcludedBouncing, int ExcludedAlreadyInvited, DomainMessage? Refusal = null)
{
    public bool IsAllowed => Refusal is null;
}
