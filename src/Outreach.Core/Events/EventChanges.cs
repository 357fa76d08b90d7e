using Outreach.Core.Common;
using Outreach.Core.Crm;

namespace Outreach.Core.Events;

/// <summary>An event change as the store wrote it: the event before (null for a new one) and after, the invitations it held before, and the new and changed ones.</summary>
public sealed record StoredEventChange(NetworkEvent? Before, NetworkEvent After, IReadOnlyList<Invitation> Previous, IReadOnlyList<Invitation> Stored);

/// <summary>A notice to queue for the channel: one invitation, one kind, at the event's SEQUENCE after the change.</summary>
public sealed record QueuedEventNotice(long EventId, long InvitationId, EventMailKind Kind, int Sequence)
{
    /// <summary>When it may be passed on; null is at once (invitations queued for the send window wait for its opening).</summary>
    public DateTimeOffset? DueAt { get; init; }
}

/// <summary>
/// What an event change sends to Dynamics, for the event's <see cref="Version"/> after the change (each change its own items):
/// the event itself, and these invitations. The outbox keeps only what Dynamics mirrors (nothing while no account does, and
/// only invitations whose contact mirrors a Dataverse contact).
/// </summary>
public sealed record EventChangeWriteBack(long EventId, int Version, bool Event, IReadOnlyList<long> InvitationIds)
{
    public bool IsEmpty => !Event && InvitationIds.Count == 0;
}

/// <summary>What follows from an event change besides the event and its invitations.</summary>
public sealed record EventChangeConsequences(IReadOnlyList<QueuedEventNotice> Notices, EventChangeWriteBack WriteBack);

/// <summary>What else an event change must do, decided without I/O (the cascade runs it in <see cref="EventChanges"/>).</summary>
public static class EventChangeRules
{
    /// <summary>A new event: Dynamics gets the event (it has no invitations yet, and nobody is told anything).</summary>
    public static EventChangeConsequences OnCreated(NetworkEvent created)
    {
        ArgumentNullException.ThrowIfNull(created);
        return new EventChangeConsequences([], new EventChangeWriteBack(created.Id, created.Version, Event: true, []));
    }

    /// <summary>A stored change: its notices (see <see cref="Notices"/>) and its write-back (see <see cref="WriteBack"/>).</summary>
    public static EventChangeConsequences OnChanged(StoredEventChange change, IReadOnlyList<EventMail> notices)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new EventChangeConsequences(
            Notices(change.After, notices, change.Previous.Concat(change.Stored)),
            WriteBack(change.Before, change.After, change.Previous, change.Stored));
    }

    /// <summary>
    /// Each notice for the invitation its contact holds at the event (a new invitation got its id when stored, so the rule
    /// names contacts), at the event's SEQUENCE after the change, so a calendar update supersedes the earlier one. A notice
    /// for a contact without an invitation is a bug in the rule that asked for it: it throws, and nothing is stored.
    /// </summary>
    public static IReadOnlyList<QueuedEventNotice> Notices(NetworkEvent after, IReadOnlyList<EventMail> notices, IEnumerable<Invitation> invitations)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(notices);
        ArgumentNullException.ThrowIfNull(invitations);
        if (notices.Count == 0) return [];
        var byContact = new Dictionary<long, long>();
        foreach (var invitation in invitations) byContact[invitation.ContactId] = invitation.Id;
        return notices.Select(n => new QueuedEventNotice(
            after.Id,
            byContact.TryGetValue(n.ContactId, out var id) ? id : throw new InvalidOperationException($"Contact {n.ContactId} has no invitation to event {after.Id}."),
            n.Kind,
            after.Sequence)).ToList();
    }

    /// <summary>
    /// The event goes when it is new or a column Dynamics shows changed (<see cref="CrmShownFieldsDiffer"/>). When any
    /// invitation changed, the changed ones go, and every waitlisted invitation of the event too, as their waitlist
    /// positions may have moved. By invitation id, in order.
    /// </summary>
    public static EventChangeWriteBack WriteBack(NetworkEvent? before, NetworkEvent after, IReadOnlyList<Invitation> previous, IReadOnlyList<Invitation> stored)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(stored);
        var sendEvent = before is null || CrmShownFieldsDiffer(before, after);
        if (stored.Count == 0) return new EventChangeWriteBack(after.Id, after.Version, sendEvent, []);
        var now = previous.ToDictionary(i => i.Id);
        foreach (var invitation in stored) now[invitation.Id] = invitation;
        var ids = stored.Select(i => i.Id)
            .Concat(now.Values.Where(i => i.Place == PlaceStatus.Waitlisted).Select(i => i.Id))
            .Distinct().Order().ToList();
        return new EventChangeWriteBack(after.Id, after.Version, sendEvent, ids);
    }

    /// <summary>The columns Dynamics' network event shows; a change elsewhere (descriptions, join link, SEQUENCE) sends nothing.</summary>
    public static bool CrmShownFieldsDiffer(NetworkEvent a, NetworkEvent b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return (a.Title, a.CovenantId, a.HostOrganisationId, a.Format, a.Status, a.Venue, a.StartsAt, a.EndsAt, a.Capacity, a.RegistrationDeadline)
            != (b.Title, b.CovenantId, b.HostOrganisationId, b.Format, b.Status, b.Venue, b.StartsAt, b.EndsAt, b.Capacity, b.RegistrationDeadline);
    }
}

/// <summary>The event store's own tables: the event and its invitations with their audit lines, nothing that follows from them.</summary>
public interface IEventChangeStore
{
    /// <summary>Inserts a new event (and its audit line); returns it with its id and version 1.</summary>
    Task<NetworkEvent> InsertEventAsync(NetworkEvent networkEvent, CancellationToken ct);

    /// <summary>Writes the event and the change's invitations under <see cref="EventChange.ExpectedVersion"/>, raising the version.</summary>
    /// <exception cref="ConcurrentEventChangeException">The event changed since it was read.</exception>
    Task<StoredEventChange> SaveChangeAsync(EventChange change, CancellationToken ct);
}

/// <summary>
/// The event-change cascade: the event and its invitations, the notices the change calls for and its Dynamics write-back, in
/// one unit of work, so an answer that took a place is never stored without its notice or its write-back (or the other way).
/// What follows is decided by <see cref="EventChangeRules"/>.
/// </summary>
public sealed class EventChanges(IEventChangeStore store, IEventNoticeOutbox notices, IWriteBackOutbox writeBack, IUnitOfWork unit)
{
    public Task<NetworkEvent> AddEventAsync(NetworkEvent networkEvent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(networkEvent);
        return unit.RunAsync(async token =>
        {
            var created = await store.InsertEventAsync(networkEvent, token).ConfigureAwait(false);
            await QueueAsync(EventChangeRules.OnCreated(created), created.CreatedAt, token).ConfigureAwait(false);
            return created;
        }, ct);
    }

    /// <exception cref="ConcurrentEventChangeException">The event changed since it was read; nothing is stored.</exception>
    public Task<(NetworkEvent Event, IReadOnlyList<Invitation> Invitations)> ApplyAsync(EventChange change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        return unit.RunAsync(async token =>
        {
            var stored = await store.SaveChangeAsync(change, token).ConfigureAwait(false);
            var consequences = EventChangeRules.OnChanged(stored, change.Notices);
            if (change.NoticesDueAt is { } due) consequences = consequences with { Notices = [.. consequences.Notices.Select(n => n with { DueAt = due })] };
            await QueueAsync(consequences, change.At, token).ConfigureAwait(false);
            return (stored.After, stored.Stored);
        }, ct);
    }

    private async Task QueueAsync(EventChangeConsequences consequences, DateTimeOffset at, CancellationToken ct)
    {
        if (consequences.Notices.Count > 0) await notices.EnqueueAsync(consequences.Notices, at, ct).ConfigureAwait(false);
        if (!consequences.WriteBack.IsEmpty) await writeBack.EnqueueEventChangeAsync(consequences.WriteBack, at, ct).ConfigureAwait(false);
    }
}
