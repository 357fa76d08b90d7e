namespace Outreach.Core.Mail;

/// <summary>Attempts and backoff for the outbox (options bound from "Mail").</summary>
public sealed record DispatchPolicy
{
    public int MaxAttempts { get; init; } = 6;
    public TimeSpan FirstRetry { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan MaxRetry { get; init; } = TimeSpan.FromHours(2);
    /// <summary>How long a claim holds: longer than one send can take, short enough that a crashed node's mail moves on soon.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);
    public int BatchSize { get; init; } = 50;
    /// <summary>
    /// Mails of one batch sent at once. Each waits on the service (or on a disk flush), so a few in flight multiply the
    /// rate; Outlook allows 4 concurrent requests per mailbox, hence the default.
    /// </summary>
    public int Parallelism { get; init; } = 4;

    /// <summary>Exponential backoff (1, 2, 4 … minutes, capped), or the service's Retry-After when it is longer.</summary>
    public TimeSpan RetryDelay(int attempt, TimeSpan? retryAfter)
    {
        var exponential = TimeSpan.FromTicks(Math.Min(MaxRetry.Ticks, FirstRetry.Ticks * (1L << Math.Clamp(attempt - 1, 0, 30))));
        return retryAfter is { } asked && asked > exponential ? (asked < MaxRetry ? asked : MaxRetry) : exponential;
    }
}

/// <summary>
/// What one dispatch round did. Withdrawn: claimed, but no longer wanted right before the send (the contact opted out, was
/// erased or bounced meanwhile), so cancelled, not sent. Held: claimed but given back untried (the mailbox was paused).
/// </summary>
public sealed record DispatchResult(int Claimed, int Sent, int AlreadyDelivered, int Retried, int DeadLettered, int LostClaims, int Withdrawn = 0, int Held = 0);

/// <summary>
/// Sends what is due, exactly once: claim rows (a lease), for a row that was claimed before (its dispatcher may have died after
/// sending) ask the delivery whether its key was delivered, send, then mark. A crash before the send leaves a row whose lease
/// runs out and is sent by the next claim; a crash after the send is caught by the delivery check; two dispatchers never hold
/// the same row. Nothing goes to a person who opted out, was erased or bounced: the claim skips their mail, and each mail is
/// checked again right before its send. Orchestration only: the outbox and the delivery are ports.
/// A wait the service asks for (Graph's 429/503 Retry-After) holds for the whole mailbox: once one mail meets it (its send
/// failed with a Retry-After, or the delivery found the mailbox paused, <see cref="MailboxPausedException"/>), the batch's
/// other mails are not sent but given back, due when the wait ends and without an attempt counted against them.
/// </summary>
public sealed class OutboxDispatcher(IMailOutbox outbox, IMailDelivery delivery, TimeProvider clock, DispatchPolicy? policy = null)
{
    private readonly DispatchPolicy rules = policy ?? new DispatchPolicy();

    public async Task<DispatchResult> DispatchDueAsync(string node, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var claimed = await outbox.ClaimDueAsync(node, now, now + rules.Lease, rules.BatchSize, ct);
        int sent = 0, already = 0, retried = 0, dead = 0, lost = 0, held = 0, withdrawn = 0;
        // Ticks of the instant until which this batch holds back (0: not held); set by the first mail that meets a wait.
        long holdUntil = 0;
        async Task GiveBackAsync(OutboxMail mail, DateTimeOffset until, CancellationToken token)
        {
            InterlockedMax(ref holdUntil, until.UtcTicks);
            if (await outbox.ReleaseAsync(mail.Id, node, until, token)) Interlocked.Increment(ref held);
            else Interlocked.Increment(ref lost);
        }

        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, rules.Parallelism), CancellationToken = ct }, async (mail, token) =>
        {
            try
            {
                if (Volatile.Read(ref holdUntil) is var ticks and > 0 && new DateTimeOffset(ticks, TimeSpan.Zero) is var until && until > clock.GetUtcNow())
                {
                    await GiveBackAsync(mail, until, token);
                    return;
                }

                // Attempts counts claims: above one, an earlier claim may have sent it before its dispatcher stopped.
                if (mail.Attempts > 1 && await delivery.WasDeliveredAsync(mail.Mail.IdempotencyKey, token) is { } delivered)
                {
                    if (await outbox.MarkSentAsync(mail.Id, node, clock.GetUtcNow(), delivered, token)) Interlocked.Increment(ref already);
                    else Interlocked.Increment(ref lost);
                    return;
                }

                // The claim checked the contact, but an opt-out may have come in since (a batch takes a while, a lease may have run
                // out, the mailbox's send budget may hold the send for a minute): asked again once the send can start.
                Withdrawal? withdrawal = null;
                var receipt = await delivery.SendIfWantedAsync(mail, async t => (withdrawal = await outbox.WithdrawIfUnwantedAsync(mail.Id, node, t)) is null, token);
                if (receipt is null)
                {
                    if (withdrawal?.ClaimLost == true) Interlocked.Increment(ref lost);
                    else Interlocked.Increment(ref withdrawn);
                    return;
                }

                if (await outbox.MarkSentAsync(mail.Id, node, clock.GetUtcNow(), receipt, token)) Interlocked.Increment(ref sent);
                else Interlocked.Increment(ref lost);
            }
            catch (MailboxPausedException paused)
            {
                await GiveBackAsync(mail, paused.Until, token);
            }
            catch (MailDeliveryException ex)
            {
                var last = ex.Permanent || mail.Attempts >= rules.MaxAttempts;
                var now = clock.GetUtcNow();
                var retryAt = last ? (DateTimeOffset?)null : now + rules.RetryDelay(mail.Attempts, ex.RetryAfter);
                await outbox.MarkAttemptFailedAsync(mail.Id, node, ex.Message, retryAt, token);
                if (last) Interlocked.Increment(ref dead);
                else Interlocked.Increment(ref retried);
                // The service asked this mailbox to wait: the rest of the batch waits as long.
                if (!ex.Permanent && ex.RetryAfter is { } wait && wait > TimeSpan.Zero) InterlockedMax(ref holdUntil, (now + wait).UtcTicks);
            }
        });

        return new DispatchResult(claimed.Count, sent, already, retried, dead, lost, withdrawn, held);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }

    /// <summary>
    /// Before this node's first dispatch: its claims from before a restart go back at once (it cannot be sending them now),
    /// instead of waiting out their lease. Node names must be unique among live nodes. Returns how many.
    /// </summary>
    public Task<int> ReleaseOwnClaimsAsync(string node, CancellationToken ct) => outbox.ReleaseClaimsOfAsync(node, ct);
}
