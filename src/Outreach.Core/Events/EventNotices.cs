using Microsoft.Extensions.Logging;
using Outreach.Core.Common;

namespace Outreach.Core.Events;

/// <summary>
/// One thing an event change must tell one invitee (an invitation, an update, a cancellation, an offered place), stored in
/// the change's own transaction so that a crash after the change cannot lose it. <see cref="Sequence"/> is the event's
/// iCalendar SEQUENCE when the change was made; <see cref="Attempts"/> counts claims, this one included.
/// </summary>
public sealed record EventNotice(long Id, long EventId, long InvitationId, EventMailKind Kind, int Sequence, int Attempts);

/// <summary>Notices of one event that have not been passed on: waiting (or being sent) and given up on.</summary>
public sealed record EventNoticeCounts(int Waiting, int Failed, string? LastError);

/// <summary>
/// The persistent outbox of event notices. Claims are leased and exclusive per event (one claimer passes an event's notices on
/// at a time, so calendar updates cannot race), and a notice is claimed only after every earlier open notice of the same
/// invitation (an update never overtakes its invitation).
/// </summary>
public interface IEventNoticeOutbox
{
    /// <summary>Claims due notices, of one event or of all; each claim raises <see cref="EventNotice.Attempts"/>.</summary>
    Task<IReadOnlyList<EventNotice>> ClaimAsync(long? eventId, string node, DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken ct);

    /// <summary>False when the claim was lost (the lease ran out and another node took it).</summary>
    Task<bool> MarkDoneAsync(long id, string node, DateTimeOffset at, CancellationToken ct);

    /// <summary>Records a failed attempt: due again at <paramref name="retryAt"/>, or given up on when it is null.</summary>
    Task MarkFailedAsync(long id, string node, string reason, DateTimeOffset? retryAt, CancellationToken ct);

    /// <summary>Gives claimed notices back untried, due at <paramref name="dueAt"/> (the attempt is not counted).</summary>
    Task ReleaseAsync(IReadOnlyList<long> ids, string node, DateTimeOffset dueAt, CancellationToken ct);

    /// <summary>Makes every waiting notice due no earlier than <paramref name="until"/> (the service asked to wait).</summary>
    Task HoldAsync(DateTimeOffset until, CancellationToken ct);

    Task<EventNoticeCounts> CountAsync(long eventId, CancellationToken ct);

    /// <summary>Makes the event's given-up notices due again (after the cause was mended); returns how many.</summary>
    Task<int> RetryFailedAsync(long eventId, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Queues a withdrawal from the events the contact was invited to, so that a calendar that lists attendees (Microsoft 365)
    /// forgets their address too: every event (erasure), or only the scheduled ones still to end (<paramref name="comingOnly"/>:
    /// opt-out, bounce; a past event's attendee list tells nobody anything more). Returns how many.
    /// </summary>
    Task<int> EnqueueWithdrawalsAsync(long contactId, DateTimeOffset at, bool comingOnly, CancellationToken ct);

    /// <summary>A service's error text may quote the person's address: an erasure wipes it from their notices.</summary>
    Task<int> EraseErrorsForContactAsync(long contactId, CancellationToken ct);

    /// <summary>Queues the notices an event change calls for (<see cref="EventChangeRules.Notices"/>), due at once.</summary>
    Task EnqueueAsync(IReadOnlyList<QueuedEventNotice> notices, DateTimeOffset at, CancellationToken ct);
}

/// <summary>What one pass over the notice queue did.</summary>
public sealed record EventNoticeRun(int Claimed, int Done, int Retried, int Failed, int LostClaims)
{
    public static readonly EventNoticeRun None = new(0, 0, 0, 0, 0);

    public EventNoticeRun Add(EventNoticeRun other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Claimed + other.Claimed, Done + other.Done, Retried + other.Retried, Failed + other.Failed, LostClaims + other.LostClaims);
    }
}

/// <summary>
/// Passes claimed notices to the channel with the event and invitation as stored now (a notice retried after a reschedule
/// tells the current times; one that no longer fits, such as an offer that lapsed meanwhile, is dropped by
/// <see cref="EventRules.StillDue"/>), then marks them done. The channel is idempotent per (invitation, kind, SEQUENCE), so a
/// crash between passing on and marking repeats nothing. A service that asks to wait (<see cref="EventChannelException"/>
/// that is not permanent) holds every waiting notice until then, since all of them go to the same mailbox; any other failure
/// of one notice (a broken template, a busy database) backs off that notice alone. A permanent refusal or too many attempts
/// leaves a notice failed, visible on the event page. Notices run one after another: a mailbox takes few requests at once.
/// The failure policy is the outboxes' shared one (<see cref="FailurePolicy"/>), with <see cref="Mail.DispatchPolicy.EventNotices"/>'s numbers.
/// </summary>
public sealed class EventNoticeDispatcher(IEventStore store, IEventNoticeOutbox queue, IEventInvitationChannel channel, TimeProvider clock, Mail.DispatchPolicy rules,
    ILogger<EventNoticeDispatcher> logger)
{

    /// <summary>A claim is given back this long before its lease ends, so no other claimer can take a notice still being passed on.</summary>
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Passes on what is due, of one event or of all, until nothing is due, <paramref name="budget"/> is spent (checked before
    /// every notice) or the service asks to wait; at most <paramref name="perClaim"/> notices are claimed at a time.
    /// </summary>
    public async Task<EventNoticeRun> DispatchAsync(long? eventId, string node, TimeSpan budget, CancellationToken ct, int? perClaim = null)
    {
        var started = clock.GetTimestamp();
        var total = EventNoticeRun.None;
        while (clock.GetElapsedTime(started) < budget)
        {
            var now = clock.GetUtcNow();
            var leaseUntil = now + rules.Lease;
            var claimed = await queue.ClaimAsync(eventId, node, now, leaseUntil, perClaim ?? rules.BatchSize, ct).ConfigureAwait(false);
            if (claimed.Count == 0) break;
            var (run, hold) = await PassOnAsync(claimed, node, () => clock.GetElapsedTime(started) >= budget || clock.GetUtcNow() >= leaseUntil - LeaseMargin, ct)
                .ConfigureAwait(false);
            total = total.Add(run);
            if (hold is { } until)
            {
                await queue.HoldAsync(until, ct).ConfigureAwait(false);
                break;
            }
        }

        return total;
    }

    private async Task<(EventNoticeRun Run, DateTimeOffset? Hold)> PassOnAsync(IReadOnlyList<EventNotice> claimed, string node, Func<bool> outOfTime, CancellationToken ct)
    {
        int done = 0, retried = 0, failed = 0, lost = 0;
        DateTimeOffset? hold = null;
        long? pausedOne = null;
        var events = new Dictionary<long, (NetworkEvent? Event, Dictionary<long, Invitation> Invitations)>();
        var next = 0;
        try
        {
            for (; next < claimed.Count && hold is null && !outOfTime(); next++)
            {
                var notice = claimed[next];
                try
                {
                    if (!events.TryGetValue(notice.EventId, out var current))
                    {
                        var e = await store.GetEventAsync(notice.EventId, ct).ConfigureAwait(false);
                        var invitations = e is null ? [] : await store.ListInvitationsAsync(e.Id, ct).ConfigureAwait(false);
                        events[notice.EventId] = current = (e, invitations.ToDictionary(i => i.Id));
                    }

                    if (current.Event is { } networkEvent && current.Invitations.TryGetValue(notice.InvitationId, out var invitation)
                        && EventRules.StillDue(networkEvent, invitation, notice.Kind, clock.GetUtcNow()))
                        await channel.SendAsync(networkEvent, invitation, notice.Kind, ct).ConfigureAwait(false);
                    if (await queue.MarkDoneAsync(notice.Id, node, clock.GetUtcNow(), ct).ConfigureAwait(false)) done++;
                    else lost++;
                }
                catch (EventChannelException paused) when (paused.InnerException is Mail.MailboxPausedException)
                {
                    // Nothing reached the service (the mailbox waits for Graph): given back with the rest, no attempt counted.
                    pausedOne = notice.Id;
                    hold = ((Mail.MailboxPausedException)paused.InnerException!).Until;
                }
                catch (Exception ex) when (!FailurePolicy.EndsTheRun(ex, ct))
                {
                    var failure = rules.Judge(ex, notice.Attempts, clock.GetUtcNow());
                    FailurePolicy.Log(logger, "event notice", $"{notice.Id} ({notice.Kind} of invitation {notice.InvitationId}, event {notice.EventId})", notice.Attempts, failure, ex);
                    await queue.MarkFailedAsync(notice.Id, node, failure.Reason, failure.RetryAt, ct).ConfigureAwait(false);
                    if (failure.GivenUp) failed++;
                    else retried++;
                    // Unlike a mail's, any passing failure of the channel (not only one that asked to wait) holds the rest
                    // until this notice's retry: every notice goes to the one calendar or mailbox, so they would fail alike.
                    if (ex is EventChannelException { Permanent: false } && failure.RetryAt is { } again) hold = again;
                }
            }
        }
        finally
        {
            // Claims not tried (out of time, held, or stopped by a cancellation) go back at once rather than at the lease's end.
            var untried = claimed.Skip(next).Select(n => n.Id).ToList();
            if (pausedOne is { } id) untried.Add(id);
            if (untried.Count > 0)
                await queue.ReleaseAsync(untried, node, hold ?? clock.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }

        return (new EventNoticeRun(claimed.Count, done, retried, failed, lost), hold);
    }
}
