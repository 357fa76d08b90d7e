using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Events;
using Outreach.Core.Mail;
using Outreach.Graph.Testing;
using Outreach.Mail;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Graph.Tests;

/// <summary>
/// Graph throttling is per app and mailbox (integration facts 6): a 429 with Retry-After pauses every request to the mailbox
/// (mail and calendar, on every node) until the time has passed, and Graph:MaxPerMinute holds for the mailbox over all nodes
/// and restarts. Issue 13 points 6 and 7.
/// </summary>
public sealed class MailboxThrottleTests
{
    private static bool IsSend(GraphRequest r) => r.Method == "POST" && r.Path.EndsWith("/send", StringComparison.Ordinal);

    private static async Task<(long Attempts, DateTimeOffset Due, string Status)> RowAsync(Database db, string key)
    {
        await using var c = await db.OpenAsync(default);
        var row = await c.QuerySingleAsync<(long, string, string)>("SELECT attempts, due_at, status FROM mail_outbox WHERE idempotency_key = @key", new { key });
        return (row.Item1, DateTimeOffset.Parse(row.Item2, System.Globalization.CultureInfo.InvariantCulture), row.Item3);
    }

    [Fact]
    public async Task A429OnOneSend_HoldsTheBatchAndTheNextDispatch_UntilRetryAfterHasPassed()
    {
        await using var f = await GraphFixture.StartAsync();
        var start = f.Clock.GetUtcNow();
        for (var i = 0; i < 5; i++) await f.Outbox.EnqueueAsync(GraphFixture.Mail($"bulk:{i}", start), start, default);
        f.Server.Inject(new GraphFault(Status: 429, RetryAfterSeconds: 30, Code: "ApplicationThrottled"), when: IsSend);
        // One at a time, so "the rest of the batch" is not in flight already when the 429 comes back.
        var dispatcher = new OutboxDispatcher(f.Outbox, f.Delivery, f.Clock, new DispatchPolicy { Parallelism = 1 }, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance);

        var first = await dispatcher.DispatchDueAsync("node-a", default);

        Assert.Equal((5, 0, 1, 4), (first.Claimed, first.Sent, first.Retried, first.Held));
        Assert.Empty(f.Server.Delivered);
        // After the 429, nothing more reached the mailbox.
        var requests = f.Server.Requests;
        Assert.Equal(429, requests[^1].Status);
        Assert.True(IsSend(requests[^1]));
        // The others were given back untried: pending, due when the wait ends, no attempt counted.
        for (var i = 1; i < 5; i++) Assert.Equal((0L, start.AddSeconds(30), "pending"), await RowAsync(f.Db, $"bulk:{i}"));
        Assert.Equal(1L, (await RowAsync(f.Db, "bulk:0")).Attempts);

        // Within the wait a new mail comes due: the next dispatch (default parallelism) sends nothing either.
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        await f.Outbox.EnqueueAsync(GraphFixture.Mail("late", f.Clock.GetUtcNow()), f.Clock.GetUtcNow(), default);
        f.Server.ClearRequests();
        var second = await f.Dispatcher().DispatchDueAsync("node-a", default);
        Assert.Equal((1, 0, 1), (second.Claimed, second.Sent, second.Held));
        Assert.Empty(f.Server.Requests);
        Assert.Equal((0L, start.AddSeconds(30), "pending"), await RowAsync(f.Db, "late"));

        // Once the 30 seconds have passed, they go.
        f.Clock.Advance(TimeSpan.FromSeconds(20));
        var third = await f.Dispatcher().DispatchDueAsync("node-a", default);
        Assert.Equal((5, 5), (third.Claimed, third.Sent));
        Assert.Equal(5, f.Server.Delivered.Count);
        // The throttled one retries on its own backoff (a minute).
        f.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, (await f.Dispatcher().DispatchDueAsync("node-a", default)).Sent);
        Assert.Equal(6, f.Server.Delivered.Count);
    }

    [Fact]
    public async Task ThePause_IsSeenByASecondNode_OnTheSameDatabase()
    {
        await using var f = await GraphFixture.StartAsync();
        var start = f.Clock.GetUtcNow();
        await f.Outbox.EnqueueAsync(GraphFixture.Mail("a", start), start, default);
        f.Server.Inject(new GraphFault(Status: 429, RetryAfterSeconds: 45), when: IsSend);
        Assert.Equal(1, (await f.Dispatcher().DispatchDueAsync("node-a", default)).Retried);

        // Node b: its own Graph client, limiter, throttle and outbox instances over the same database.
        var throttle = new SqlMailboxThrottle(f.Db);
        Assert.Equal(start.AddSeconds(45), await throttle.PausedUntilAsync(GraphFixture.Mailbox.ToUpperInvariant(), start, default));
        var client = GraphConnection.Create(f.Options, new FixedTokenCredential(f.Server.Token, f.Clock), f.Clock, throttle: throttle);
        using var limiter = new SendRateLimiter(throttle, f.Options.MaxPerMinute, f.Options.MaxConcurrent, f.Clock);
        var delivery = new GraphMailDelivery(client, f.Options, limiter, f.Clock, NullLogger<GraphMailDelivery>.Instance);
        var nodeB = new OutboxDispatcher(new SqlMailOutbox(f.Db), delivery, f.Clock, new DispatchPolicy(), Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance);
        await f.Outbox.EnqueueAsync(GraphFixture.Mail("b", start), start, default);
        f.Server.ClearRequests();

        f.Clock.Advance(TimeSpan.FromSeconds(44));
        Assert.Equal((1, 0, 1), await nodeB.DispatchDueAsync("node-b", default) is var held ? (held.Claimed, held.Sent, held.Held) : default);
        // Any request of node b to the mailbox waits too, a read included.
        var reader = new GraphMailboxReader(client, f.Options, NullLogger<GraphMailboxReader>.Instance);
        await Assert.ThrowsAsync<MailboxPausedException>(() => reader.ReadChangesAsync(null, default));
        Assert.Empty(f.Server.Requests);

        f.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await nodeB.DispatchDueAsync("node-b", default)).Sent);
        Assert.Single(f.Server.Delivered);
    }

    [Fact]
    public async Task ACalendarCall_DuringAPauseAMailSendGot_IsNotMade_AndTheNoticeWaitsWithoutAnAttempt()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await GraphCalendarTests.WorldForAsync(f);
        var e = await w.CreateAsync(EventFormat.Physical);
        var start = f.Clock.GetUtcNow();
        await f.Outbox.EnqueueAsync(GraphFixture.Mail("a", start), start, default);
        f.Server.Inject(new GraphFault(Status: 429, RetryAfterSeconds: 30, Code: "MailboxConcurrency"), when: IsSend);
        Assert.Equal(1, (await f.Dispatcher().DispatchDueAsync("node-a", default)).Retried);
        f.Server.ClearRequests();

        // The channel itself: no request made, a transient failure that says how long to wait.
        f.Clock.Advance(TimeSpan.FromSeconds(5));
        var direct = await Assert.ThrowsAsync<EventChannelException>(() =>
            w.Channel.SendAsync(e, new Core.Events.Invitation { Id = 1, EventId = e.Id, ContactId = w.People[0].Id }, EventMailKind.Invitation, default));
        Assert.Equal((false, TimeSpan.FromSeconds(25)), (direct.Permanent, direct.RetryAfter));

        // Through the notice outbox: the invitation is queued and held, untried, until the pause ends.
        var invited = await w.InviteAsync(e, w.People[0]);
        Assert.Equal(1, invited.Invited);
        Assert.Empty(f.Server.Requests);
        Assert.Empty(f.Server.Events(GraphFixture.Mailbox));
        await using (var c = await f.Db.OpenAsync(default))
        {
            var notice = await c.QuerySingleAsync<(long Attempts, string Due, string Status)>("SELECT attempts, due_at, status FROM event_notice");
            Assert.Equal((0L, start.AddSeconds(30), "pending"),
                (notice.Attempts, DateTimeOffset.Parse(notice.Due, System.Globalization.CultureInfo.InvariantCulture), notice.Status));
        }

        f.Clock.Advance(TimeSpan.FromSeconds(25));
        Assert.Equal(1, (await w.PassOnNoticesAsync()).Done);
        Assert.Equal(["eva@jansen-metaal.example"], (Assert.Single(f.Server.Events(GraphFixture.Mailbox))["attendees"] as System.Text.Json.Nodes.JsonArray)!
            .Select(a => a!["emailAddress"]!["address"]!.GetValue<string>()));
    }

    [Fact]
    public async Task TwoNodes_AndARestart_SendAtMostMaxPerMinute_FromTheMailbox()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 18, 9, 0, 0, TimeSpan.Zero));
        var db = await TestDatabases.MigratedAsync(StorageEngine.Sqlite, clock);
        const string Mailbox = "secretariaat@convenant.example";
        var granted = new List<DateTimeOffset>();
        async Task SendAsync(SendRateLimiter limiter)
        {
            using var slot = await limiter.AcquireAsync(Mailbox, default);
            lock (granted) granted.Add(clock.GetUtcNow());
        }

        int Count()
        {
            lock (granted) return granted.Count;
        }

        async Task SettleAsync(int count, int timers)
        {
            for (var i = 0; i < 1000 && (Count() < count || clock.PendingTimers < timers); i++) await Task.Delay(10);
            await Task.Delay(100);
        }

        // Two nodes, each with its own limiter over the same database, 25 mails each at once: 30 go, the rest wait.
        var nodeA = new SendRateLimiter(new SqlMailboxThrottle(db), 30, 4, clock);
        var nodeB = new SendRateLimiter(new SqlMailboxThrottle(db), 30, 4, clock);
        var sends = Enumerable.Range(0, 50).Select(i => Task.Run(() => SendAsync(i % 2 == 0 ? nodeA : nodeB))).ToList();
        await SettleAsync(30, 8);
        lock (granted) Assert.Equal(30, granted.Count);
        clock.Advance(TimeSpan.FromMinutes(1));
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(20));
        lock (granted) Assert.Equal(50, granted.Count);

        // A restart half a minute on: the limiters are new, the minute's 20 sends are still counted.
        nodeA.Dispose();
        nodeB.Dispose();
        clock.Advance(TimeSpan.FromSeconds(30));
        using var restartedA = new SendRateLimiter(new SqlMailboxThrottle(db), 30, 4, clock);
        using var restartedB = new SendRateLimiter(new SqlMailboxThrottle(db), 30, 4, clock);
        var after = Enumerable.Range(0, 20).Select(i => Task.Run(() => SendAsync(i % 2 == 0 ? restartedA : restartedB))).ToList();
        await SettleAsync(60, 8);
        lock (granted) Assert.Equal(60, granted.Count);

        clock.Advance(TimeSpan.FromSeconds(30));
        await Task.WhenAll(after).WaitAsync(TimeSpan.FromSeconds(20));
        granted.Sort();
        Assert.Equal(70, granted.Count);
        for (var i = 30; i < granted.Count; i++) Assert.True(granted[i] - granted[i - 30] >= TimeSpan.FromMinutes(1), $"send {i} at {granted[i]:HH:mm:ss}");
    }
}
