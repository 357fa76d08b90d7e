using Outreach.Core.Pipeline;

namespace Outreach.Core.Events;

/// <summary>An invitation with the contact and organisation it is for, as the event page and the check-in list show it.</summary>
public sealed record InvitationView(Invitation Invitation, string ContactName, string Email, long OrganisationId, string OrganisationName, bool ContactErased);

/// <summary>An invitation on a prospect's timeline: which event, and what happened.</summary>
public sealed record ContactEventHistory(Invitation Invitation, string EventTitle, DateTimeOffset EventStartsAt, EventStatus EventStatus);

/// <summary>
/// A change to an event and its invitations, decided by <see cref="EventRules"/>: stored in one transaction, with its audit
/// entries and the <see cref="Notices"/> it calls for (queued for the channel), only when the event is still at
/// <see cref="ExpectedVersion"/> (so two answers at once cannot both take the last place).
/// </summary>
public sealed record EventChange(NetworkEvent Event, int ExpectedVersion, IReadOnlyList<Invitation> Invitations, string Action, DateTimeOffset At)
{
    /// <summary>Who must be told what, by contact (a new invitation has no id until it is stored).</summary>
    public IReadOnlyList<EventMail> Notices { get; init; } = [];

    /// <summary>When the notices may go; null is at once (see <see cref="QueuedEventNotice.DueAt"/>).</summary>
    public DateTimeOffset? NoticesDueAt { get; init; }
}

/// <summary>Who to invite: a filter over the pipeline (covenant, stage, sector, party kind, owner) and/or contacts by hand.</summary>
public sealed record InviteSelection
{
    public ProspectFilter? Filter { get; init; }
    public IReadOnlyList<long> ContactIds { get; init; } = [];
}

/// <summary>Network events and invitations.</summary>
public interface IEventStore
{
    /// <summary>Stores a new event with its write-back (<see cref="EventChanges.AddEventAsync"/>).</summary>
    Task<NetworkEvent> AddEventAsync(NetworkEvent networkEvent, CancellationToken ct);
    Task<NetworkEvent?> GetEventAsync(long id, CancellationToken ct);
    Task<IReadOnlyList<NetworkEvent>> ListEventsAsync(CancellationToken ct);
    Task<IReadOnlyList<Invitation>> ListInvitationsAsync(long eventId, CancellationToken ct);
    Task<IReadOnlyList<InvitationView>> ListInvitationViewsAsync(long eventId, CancellationToken ct);
    Task<IReadOnlyList<ContactEventHistory>> ListForContactAsync(long contactId, CancellationToken ct);

    /// <summary>As <see cref="ListForContactAsync"/> for every contact of the organisation at once (one query).</summary>
    Task<IReadOnlyList<ContactEventHistory>> ListForOrganisationAsync(long organisationId, CancellationToken ct);

    /// <summary>Every invitation of every event, by event then id (one query, for lists of events with their counts).</summary>
    Task<IReadOnlyList<Invitation>> ListAllInvitationsAsync(CancellationToken ct);

    /// <summary>
    /// Stores the change with what follows from it (<see cref="EventChanges.ApplyAsync"/>: its notices and write-back, in one
    /// unit of work); returns the stored event and the stored (new and changed) invitations.
    /// </summary>
    /// <exception cref="ConcurrentEventChangeException">The event changed since it was read.</exception>
    Task<(NetworkEvent Event, IReadOnlyList<Invitation> Invitations)> ApplyAsync(EventChange change, CancellationToken ct);

    /// <summary>
    /// The contacts a selection names, with what rules them out: opted out, erased, or bouncing (their latest outreach mail
    /// failed for good, e.g. a hard bounce).
    /// </summary>
    Task<IReadOnlyList<InviteCandidate>> ListInviteCandidatesAsync(InviteSelection selection, CancellationToken ct);

    /// <summary>
    /// Contacts (not erased, not invited to <paramref name="notInvitedTo"/>) whose name, organisation or e-mail address contains
    /// <paramref name="query"/> (ignoring case), at most <paramref name="max"/>, by organisation then name: the
    /// search-as-you-type picker of the event page.
    /// </summary>
    Task<IReadOnlyList<ContactChoice>> SearchContactChoicesAsync(long? notInvitedTo, string query, int max, CancellationToken ct);

    /// <summary>Names and organisations of the given contacts, in the order given (the sample shown before inviting by filter).</summary>
    Task<IReadOnlyList<ContactChoice>> ListContactChoicesAsync(IReadOnlyList<long> contactIds, CancellationToken ct);

    /// <summary>Contacts (not erased) of the covenant's prospects, to invite by hand or add at the door.</summary>
    Task<IReadOnlyList<ContactChoice>> ListContactChoicesAsync(long covenantId, CancellationToken ct);

    /// <summary>Scheduled events starting in [from, until) (for reminders) or ended in [from, until) (for follow-ups).</summary>
    Task<IReadOnlyList<NetworkEvent>> ListStartingAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken ct);
    Task<IReadOnlyList<NetworkEvent>> ListEndedAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken ct);

    /// <summary>Events with an offered place whose offer ended before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<long>> ListWithLapsedOffersAsync(DateTimeOffset now, CancellationToken ct);
}

/// <summary>The event changed between reading and storing (another answer or edit came first).</summary>
public sealed class ConcurrentEventChangeException(long eventId)
    : InvalidOperationException($"Network event {eventId} was changed by someone else in the meantime. Reload and try again.")
{
    public long EventId { get; } = eventId;
}

/// <summary>A contact as a pick list shows it.</summary>
public sealed record ContactChoice(long ContactId, string Name, string Email, long OrganisationId, string OrganisationName);
