using Outreach.Core.Mail;
using Outreach.Mail;

namespace Outreach.Graph.Tests;

/// <summary>The per-mailbox limits on a clock the test moves: N a sliding minute and M at once, waiting rather than failing.</summary>
public sealed class SendRateLimiterTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 18, 9, 0, 0, TimeSpan.Zero);

    private static async Task SettleAsync(Func<bool> until)
    {
        for (var i = 0; i < 200 && !until(); i++) await Task.Delay(5);
    }

    [Fact]
    public async Task ThirtyAMinute_TheThirtyFirstWaitsUntilTheFirstIsAMinuteOld()
    {
        var clock = new ManualClock(Start);
        using var limiter = new SendRateLimiter(30, 4, clock);
        for (var i = 0; i < 30; i++)
        {
            (await limiter.AcquireAsync("secretariaat@convenant.example", default)).Dispose();
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        // 09:00:30 now; the first send was at 09:00:00.
        var waiting = limiter.AcquireAsync("secretariaat@convenant.example", default).AsTask();
        await SettleAsync(() => clock.PendingTimers == 1);
        Assert.False(waiting.IsCompleted);
        // Another mailbox has its own limit.
        (await limiter.AcquireAsync("other@convenant.example", default)).Dispose();

        clock.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(20);
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        (await waiting.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(Start.AddMinutes(1), clock.GetUtcNow());
    }

    [Fact]
    public async Task OverAnHour_NoMoreThanTheLimitInAnySlidingMinute()
    {
        var clock = new ManualClock(Start);
        using var limiter = new SendRateLimiter(30, 4, clock);
        var times = new List<DateTimeOffset>();
        var sender = Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                using var slot = await limiter.AcquireAsync("secretariaat@convenant.example", default);
                lock (times) times.Add(clock.GetUtcNow());
            }
        });
        // Move the clock a second at a time whenever the sender waits.
        while (!sender.IsCompleted)
        {
            await SettleAsync(() => sender.IsCompleted || clock.PendingTimers > 0);
            if (!sender.IsCompleted) clock.Advance(TimeSpan.FromSeconds(1));
        }

        await sender;
        Assert.Equal(300, times.Count);
        for (var i = 30; i < times.Count; i++) Assert.True(times[i] - times[i - 30] >= TimeSpan.FromMinutes(1), $"send {i} at {times[i]:HH:mm:ss}");
        // 300 at 30 a minute: the last goes out after nine minutes, not much later.
        Assert.InRange(times[^1] - Start, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(9).Add(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AtMostMaxConcurrentAtOnce_TheNextWaitsForOneToFinish()
    {
        var clock = new ManualClock(Start);
        using var limiter = new SendRateLimiter(0, 2, clock);
        var a = await limiter.AcquireAsync("m", default);
        var b = await limiter.AcquireAsync("m", default);
        var c = limiter.AcquireAsync("m", default).AsTask();
        await Task.Delay(20);
        Assert.False(c.IsCompleted);
        Assert.Equal(1, limiter.Waiting);
        a.Dispose();
        (await c.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        b.Dispose();
    }

    [Fact]
    public async Task AWaitingSend_StopsWhenCancelled_AndTakesNoSlot()
    {
        var clock = new ManualClock(Start);
        using var limiter = new SendRateLimiter(1, 4, clock);
        (await limiter.AcquireAsync("m", default)).Dispose();
        using var cts = new CancellationTokenSource();
        var waiting = limiter.AcquireAsync("m", cts.Token).AsTask();
        await SettleAsync(() => clock.PendingTimers == 1);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        clock.Advance(TimeSpan.FromMinutes(1));
        (await limiter.AcquireAsync("m", default).AsTask().WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task RateLimitedDelivery_HoldsAnyAdapterToTheLimit()
    {
        var clock = new ManualClock(Start);
        using var limiter = new SendRateLimiter(2, 1, clock);
        var inner = new CountingDelivery();
        var delivery = new RateLimitedDelivery(inner, limiter, "pickup");
        var mail = new OutboxMail { Mail = GraphFixture.Mail("k", Start) };
        await delivery.SendAsync(mail, default);
        await delivery.SendAsync(mail, default);
        var third = delivery.SendAsync(mail, default);
        await SettleAsync(() => clock.PendingTimers == 1);
        Assert.Equal(2, inner.Sends);
        clock.Advance(TimeSpan.FromMinutes(1));
        await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(3, inner.Sends);
    }

    private sealed class CountingDelivery : IMailDelivery
    {
        public int Sends;

        public Task<DeliveryReceipt> SendAsync(OutboxMail mail, CancellationToken ct)
        {
            Interlocked.Increment(ref Sends);
            return Task.FromResult(DeliveryReceipt.None);
        }

        public Task<DeliveryReceipt?> WasDeliveredAsync(string idempotencyKey, CancellationToken ct) => Task.FromResult<DeliveryReceipt?>(null);
    }
}
