using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Outreach.Core.Mail;

namespace Outreach.Mail;

/// <summary>
/// Per-mailbox send limits for any delivery adapter: at most <c>maxPerMinute</c> sends in any sliding minute and at most
/// <c>maxConcurrent</c> at once (Exchange Online allows 30 messages a minute per mailbox and 4 concurrent requests per app and
/// mailbox), and nothing while the mailbox is paused (Graph asked to wait). A caller over the limit waits, it does not fail;
/// a caller that meets a pause gets <see cref="MailboxPausedException"/> at once, so that its outbox can give the mail back
/// rather than hold a claim through the wait. The minute and the pause are the <see cref="IMailboxThrottle"/>'s (the
/// database in the product, so they hold over every node and restart); the concurrency cap is per process, the BCL's
/// <see cref="ConcurrencyLimiter"/>. Waits run on the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class SendRateLimiter(IMailboxThrottle throttle, int maxPerMinute, int maxConcurrent, TimeProvider clock) : IDisposable
{
    private readonly ConcurrentDictionary<string, Mailbox> mailboxes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Limits held in this process only (tests, the benchmark): the product passes the database's throttle.</summary>
    public SendRateLimiter(int maxPerMinute, int maxConcurrent, TimeProvider clock)
        : this(new LocalMailboxThrottle(), maxPerMinute, maxConcurrent, clock)
    {
    }

    /// <summary>Sends currently waiting for a slot, over all mailboxes (for tests and the benchmark).</summary>
    public int Waiting => mailboxes.Values.Sum(m => Volatile.Read(ref m.Waiting));

    /// <summary>
    /// Waits until the mailbox may send one more message now; dispose the result when the send is over. Throws
    /// <see cref="MailboxPausedException"/> when the mailbox is paused (no slot is taken then).
    /// </summary>
    public async ValueTask<IDisposable> AcquireAsync(string mailbox, CancellationToken ct)
    {
        var box = mailboxes.GetOrAdd(mailbox, _ => new Mailbox(maxConcurrent));
        Interlocked.Increment(ref box.Waiting);
        RateLimitLease? lease = null;
        try
        {
            lease = await box.Concurrency.AcquireAsync(1, ct);
            if (!lease.IsAcquired) throw new InvalidOperationException("The send queue of " + mailbox + " is full.");
            while (true)
            {
                var now = clock.GetUtcNow();
                if (await throttle.PausedUntilAsync(mailbox, now, ct) is { } until) throw new MailboxPausedException(mailbox, until);
                if (maxPerMinute <= 0) return lease;
                var slot = await throttle.TryTakeSendSlotAsync(mailbox, clock, maxPerMinute, ct);
                if (slot.Granted) return lease;
                await Task.Delay(slot.Wait, clock, ct);
            }
        }
        catch
        {
            lease?.Dispose();
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref box.Waiting);
        }
    }

    public void Dispose()
    {
        foreach (var box in mailboxes.Values) box.Dispose();
    }

    private sealed class Mailbox(int maxConcurrent) : IDisposable
    {
        public readonly ConcurrencyLimiter Concurrency = new(new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, maxConcurrent),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });

        public int Waiting;

        public void Dispose() => Concurrency.Dispose();
    }
}

/// <summary>
/// The throttle of one process (a sliding log per mailbox in memory): for tests and the benchmark, and what a single node
/// without a shared database would have. The product uses the database's, which every node sees.
/// </summary>
public sealed class LocalMailboxThrottle : IMailboxThrottle
{
    private readonly ConcurrentDictionary<string, (List<DateTimeOffset> Taken, DateTimeOffset? PausedUntil)> boxes = new();

    public Task PauseAsync(string mailbox, DateTimeOffset until, CancellationToken ct)
    {
        boxes.AddOrUpdate(MailboxThrottles.Key(mailbox), _ => ([], until),
            (_, b) => (b.Taken, b.PausedUntil is { } p && p > until ? p : until));
        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> PausedUntilAsync(string mailbox, DateTimeOffset now, CancellationToken ct) =>
        Task.FromResult(boxes.TryGetValue(MailboxThrottles.Key(mailbox), out var b) && b.PausedUntil > now ? b.PausedUntil : null);

    public Task<SendSlot> TryTakeSendSlotAsync(string mailbox, TimeProvider clock, int maxPerMinute, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (maxPerMinute <= 0) return Task.FromResult(SendSlot.Grant);
        var taken = boxes.GetOrAdd(MailboxThrottles.Key(mailbox), _ => ([], null)).Taken;
        lock (taken)
        {
            var now = clock.GetUtcNow();
            taken.RemoveAll(t => t + MailboxThrottles.Window <= now);
            var slot = MailboxThrottles.Decide(taken, now, maxPerMinute);
            if (slot.Granted) taken.Add(now);
            return Task.FromResult(slot);
        }
    }
}

/// <summary>Any delivery, with its sends held to a <see cref="SendRateLimiter"/> for one mailbox (the pickup folder when Mail:MaxPerMinute is set).</summary>
public sealed class RateLimitedDelivery(IMailDelivery inner, SendRateLimiter limiter, string mailbox) : IMailDelivery
{
    public async Task<DeliveryReceipt> SendAsync(OutboxMail mail, CancellationToken ct)
    {
        using var slot = await limiter.AcquireAsync(mailbox, ct);
        return await inner.SendAsync(mail, ct);
    }

    /// <summary>Asks whether the mail is still wanted after the wait for a send slot, not before it.</summary>
    public async Task<DeliveryReceipt?> SendIfWantedAsync(OutboxMail mail, Func<CancellationToken, Task<bool>> stillWanted, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stillWanted);
        using var slot = await limiter.AcquireAsync(mailbox, ct);
        return await stillWanted(ct) ? await inner.SendAsync(mail, ct) : null;
    }

    public Task<DeliveryReceipt?> WasDeliveredAsync(string idempotencyKey, CancellationToken ct) => inner.WasDeliveredAsync(idempotencyKey, ct);
}
