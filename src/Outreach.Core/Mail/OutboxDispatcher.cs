using Microsoft.Extensions.Logging;
using Outreach.Core.Common;

namespace Outreach.Core.Mail;

/// <summary>
/// A leased queue's claims (lease, batch, parallelism) on top of the shared <see cref="FailurePolicy"/> (attempts, backoff).
/// The mail outbox's (options bound from "Mail") is the default; the event notices' is <see cref="EventNotices"/>.
/// </summary>
public sealed record DispatchPolicy : FailurePolicy
{
    /// <summary>
    /// Event notices are retried for longer (10 attempts, about four hours, the step capped at an hour) than a mail (6
    /// attempts, about half an hour): an invitation or an offered place must still arrive before the event, and a notice
    /// fails mostly when the calendar service is down as a whole, rarely for one invitee.
    /// </summary>
    public static DispatchPolicy EventNotices { get; } = new() { MaxAttempts = 10, MaxRetry = TimeSpan.FromHours(1) };

    /// <summary>How long a claim holds: longer than one send can take, short enough that a crashed node's mail moves on soon.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);
    public int BatchSize { get; init; } = 50;
    /// <summary>
    /// Mails of one batch sent at once. Each waits on the service (or on a disk flush), so a few in flight multiply the
    /// rate; Outlook allows 4 concurrent requests per mailbox, hence the default.
    /// </summary>
    public int Parallelism { get; init; } = 4;
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
/// Any other failure of one mail is that mail's alone (<see cref="FailurePolicy"/>): recorded on its row, logged, backed off
/// or given up on, while the batch goes on.
/// </summary>
public sealed class OutboxDispatcher(IMailOutbox outbox, IMailDelivery delivery, TimeProvider clock, DispatchPolicy rules, ILogger<OutboxDispatcher> logger)
{

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
            catch (Exception ex) when (!FailurePolicy.EndsTheRun(ex, token))
            {
                // Not only the delivery's own failures: a folder that refuses the file or a bug must not fault the batch
                // (its other claims would wait out their lease, each with an attempt used up).
                var now = clock.GetUtcNow();
                var failure = rules.Judge(ex, mail.Attempts, now);
                FailurePolicy.Log(logger, "mail", $"{mail.Id} ({mail.Mail.IdempotencyKey})", mail.Attempts, failure, ex);
                await outbox.MarkAttemptFailedAsync(mail.Id, node, failure.Reason, failure.RetryAt, token);
                if (failure.GivenUp) Interlocked.Increment(ref dead);
                else Interlocked.Increment(ref retried);
                // The service asked this mailbox to wait: the rest of the batch waits as long.
                if (failure.ServiceWait is { } wait) InterlockedMax(ref holdUntil, (now + wait).UtcTicks);
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
