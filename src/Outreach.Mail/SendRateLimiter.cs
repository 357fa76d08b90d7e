using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Outreach.Core.Mail;

namespace Outreach.Mail;

/// <summary>
/// Per-mailbox send limits for any delivery adapter: at most <c>maxPerMinute</c> sends in any sliding minute and at most
/// <c>maxConcurrent</c> at once (Exchange Online allows 30 messages a minute per mailbox and 4 concurrent requests per app and
/// mailbox). A caller over the limit waits, it does not fail. The concurrency cap is the BCL's <see cref="ConcurrencyLimiter"/>;
/// the minute is a sliding log on the injected <see cref="TimeProvider"/>, because the BCL's window limiters run on their own
/// stopwatch timers and could not be tested with a fake clock. Limits hold per process: several nodes each keep their own.
/// </summary>
public sealed class SendRateLimiter(int maxPerMinute, int maxConcurrent, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Mailbox> mailboxes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Sends currently waiting for a slot, over all mailboxes (for tests and the benchmark).</summary>
    public int Waiting => mailboxes.Values.Sum(m => Volatile.Read(ref m.Waiting));

    /// <summary>Waits until the mailbox may send one more message now; dispose the result when the send is over.</summary>
    public async ValueTask<IDisposable> AcquireAsync(string mailbox, CancellationToken ct)
    {
        var box = mailboxes.GetOrAdd(mailbox, _ => new Mailbox(maxConcurrent));
        Interlocked.Increment(ref box.Waiting);
        RateLimitLease? lease = null;
        try
        {
            lease = await box.Concurrency.AcquireAsync(1, ct);
            if (!lease.IsAcquired) throw new InvalidOperationException("The send queue of " + mailbox + " is full.");
            if (maxPerMinute <= 0) return lease;
            while (true)
            {
                TimeSpan wait;
                lock (box.Sent)
                {
                    var now = clock.GetUtcNow();
                    while (box.Sent.Count > 0 && box.Sent.Peek() + Window <= now) box.Sent.Dequeue();
                    if (box.Sent.Count < maxPerMinute)
                    {
                        box.Sent.Enqueue(now);
                        return lease;
                    }

                    wait = box.Sent.Peek() + Window - now;
                }

                await Task.Delay(wait, clock, ct);
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

        public readonly Queue<DateTimeOffset> Sent = new();
        public int Waiting;

        public void Dispose() => Concurrency.Dispose();
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

    public Task<DeliveryReceipt?> WasDeliveredAsync(string idempotencyKey, CancellationToken ct) => inner.WasDeliveredAsync(idempotencyKey, ct);
}
