using Outreach.Core.Mail;
using Outreach.Graph.Testing;
using Outreach.Testing;

namespace Outreach.Graph.Tests;

/// <summary>The Graph adapter against the local Graph server, with the real dispatcher and the real outbox on SQLite.</summary>
public sealed class GraphMailDeliveryTests
{
    private static bool IsSend(GraphRequest r) => r.Method == "POST" && r.Path.EndsWith("/send", StringComparison.Ordinal);

    private static bool IsCreate(GraphRequest r) => r.Method == "POST" && r.Path.EndsWith("/messages", StringComparison.Ordinal);

    [Fact]
    public async Task DraftThenSend_DeliversOneMessageCarryingTheKey_AndWasDeliveredFindsItInSentItems()
    {
        await using var f = await GraphFixture.StartAsync();
        var now = f.Clock.GetUtcNow();
        await f.Outbox.EnqueueAsync(GraphFixture.Mail("enrolment:1:step:0", now), now, default);

        var result = await f.Dispatcher().DispatchDueAsync("node-a", default);

        Assert.Equal(1, result.Sent);
        var sent = Assert.Single(f.Server.Delivered);
        Assert.Equal(("eva@jansen-metaal.example", "Uw vragen over het convenant"), (sent.To, sent.Subject));
        Assert.Equal("enrolment:1:step:0", sent.ExtendedProperty(GraphMailDelivery.KeyPropertyId));
        Assert.Equal("enrolment:1:step:0", sent.Header("x-outreach-key"));
        // List-Unsubscribe through its MAPI property (Graph refuses a List-Unsubscribe internet header), and the link in the HTML body.
        Assert.Equal("<https://outreach.example/u/abc>", sent.ExtendedProperty("String 0x1045"));
        Assert.Equal("html", sent.Message["body"]!["contentType"]!.GetValue<string>());
        Assert.Contains("https://outreach.example/u/abc", sent.Message["body"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(f.Server.Folder(GraphFixture.Mailbox, "drafts"));

        // A look for the key in the whole mailbox, a draft, then the send, all with immutable ids (the id survives the move to Sent Items).
        var calls = f.Server.Requests;
        Assert.Equal(["GET users/secretariaat@convenant.example/messages", "POST users/secretariaat@convenant.example/messages", $"POST users/secretariaat@convenant.example/messages/{sent.ImmutableId}/send"],
            calls.Select(r => $"{r.Method} {r.Path}"));
        Assert.All(calls, r => Assert.Contains("IdType=\"ImmutableId\"", r.Prefer, StringComparison.Ordinal));

        // The outbox keeps the receipt for reply matching.
        var row = Assert.Single(await f.Outbox.ListAsync(OutboxStatus.Sent, 10, default));
        Assert.Equal((sent.InternetMessageId, sent.ConversationId), (row.InternetMessageId, row.ConversationId));

        var found = await f.Delivery.WasDeliveredAsync("enrolment:1:step:0", default);
        Assert.Equal(new DeliveryReceipt(sent.InternetMessageId, sent.ConversationId), found);
        Assert.Null(await f.Delivery.WasDeliveredAsync("enrolment:1:step:1", default));
        Assert.Contains(f.Server.Requests, r => r.Method == "GET" && r.Path.EndsWith("mailFolders/sentitems/messages", StringComparison.Ordinal)
                                               && Uri.UnescapeDataString(r.Query).Contains("singleValueExtendedProperties/Any(ep: ep/id eq ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("draft-answer-lost")]
    [InlineData("send-refused")]
    public async Task AFailureAfterTheDraftWasCreated_IsRecoveredBySendingThatDraft_NotASecondOne(string fault)
    {
        await using var f = await GraphFixture.StartAsync();
        if (fault == "draft-answer-lost")
            f.Server.Inject(new GraphFault(AfterApply: true, Abort: true), when: IsCreate); // made in Drafts, the answer never arrives
        else
            f.Server.Inject(new GraphFault(Status: 500), when: IsSend);
        var now = f.Clock.GetUtcNow();
        await f.Outbox.EnqueueAsync(GraphFixture.Mail("enrolment:2:step:0", now), now, default);

        var first = await f.Dispatcher().DispatchDueAsync("node-a", default);
        Assert.Equal((0, 1), (first.Sent, first.Retried));
        Assert.Single(f.Server.Folder(GraphFixture.Mailbox, "drafts"));
        Assert.Empty(f.Server.Delivered);

        f.Clock.Advance(TimeSpan.FromMinutes(2));
        var second = await f.Dispatcher().DispatchDueAsync("node-b", default);

        Assert.Equal(1, second.Sent);
        Assert.Single(f.Server.Delivered);
        Assert.Equal(1, f.Posts("/messages"));
        Assert.Empty(f.Server.Folder(GraphFixture.Mailbox, "drafts"));
        Assert.Equal(f.Server.Delivered[0].InternetMessageId, (await f.Outbox.ListAsync(OutboxStatus.Sent, 10, default)).Single().InternetMessageId);
    }

    [Theory]
    [InlineData("send-answer-lost")]
    [InlineData("crash-before-mark")]
    public async Task ASendThatWentOutButWasNotMarked_IsFoundInSentItems_AndNotSentAgain(string fault)
    {
        await using var f = await GraphFixture.StartAsync();
        var outbox = new CrashingOutbox(f.Outbox) { CrashOnMark = fault == "crash-before-mark" };
        if (fault == "send-answer-lost") f.Server.Inject(new GraphFault(AfterApply: true, Abort: true), when: IsSend);
        var now = f.Clock.GetUtcNow();
        await f.Outbox.EnqueueAsync(GraphFixture.Mail("enrolment:3:step:0", now), now, default);

        if (fault == "crash-before-mark")
        {
            await Assert.ThrowsAsync<SimulatedCrashException>(() => f.Dispatcher(outbox).DispatchDueAsync("node-a", default));
            outbox.CrashOnMark = false;
            f.Clock.Advance(TimeSpan.FromMinutes(6)); // the dead node's lease runs out
        }
        else
        {
            Assert.Equal(1, (await f.Dispatcher(outbox).DispatchDueAsync("node-a", default)).Retried);
            f.Clock.Advance(TimeSpan.FromMinutes(2));
        }

        Assert.Single(f.Server.Delivered);
        var recovered = await f.Dispatcher(outbox).DispatchDueAsync("node-b", default);

        Assert.Equal((1, 0), (recovered.AlreadyDelivered, recovered.Sent));
        Assert.Single(f.Server.Delivered);
        Assert.Equal(1, f.Posts("/send"));
        var row = Assert.Single(await f.Outbox.ListAsync(OutboxStatus.Sent, 10, default));
        Assert.Equal(f.Server.Delivered[0].InternetMessageId, row.InternetMessageId);
        f.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, (await f.Dispatcher().DispatchDueAsync("node-c", default)).Claimed);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task ThrottlingWithRetryAfter_IsHonouredByTheOutbox_AndTheSdkDoesNotResend(int status)
    {
        await using var f = await GraphFixture.StartAsync();
        f.Server.Inject(new GraphFault(Status: status, RetryAfterSeconds: 300), when: status == 429 ? IsCreate : IsSend);
        var now = f.Clock.GetUtcNow();
        await f.Outbox.EnqueueAsync(GraphFixture.Mail("enrolment:4:step:0", now), now, default);

        var result = await f.Dispatcher().DispatchDueAsync("node-a", default);

        Assert.Equal(1, result.Retried);
        var row = Assert.Single(await f.Outbox.ListAsync(OutboxStatus.Pending, 10, default));
        Assert.Equal(now.AddSeconds(300), row.Mail.DueAt); // Retry-After, not the first backoff step (1 minute)
        Assert.Contains(status == 429 ? "TooManyRequests" : "ServiceUnavailable", row.LastError, StringComparison.Ordinal);
        // The SDK's RetryHandler is out of the pipeline: one request, not four.
        Assert.Equal(1, f.Server.Requests.Count(r => status == 429 ? IsCreate(r) : IsSend(r)));

        f.Clock.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(0, (await f.Dispatcher().DispatchDueAsync("node-a", default)).Claimed);
        f.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await f.Dispatcher().DispatchDueAsync("node-a", default)).Sent);
        Assert.Single(f.Server.Delivered);
    }

    [Fact]
    public async Task ABadRecipient_IsAPermanentFailure_AndDeadLettersWithGraphsWords()
    {
        await using var f = await GraphFixture.StartAsync();
        var now = f.Clock.GetUtcNow();
        await f.Outbox.EnqueueAsync(GraphFixture.Mail("one-off:bad", now, to: "eva.jansen-metaal.example"), now, default);

        var result = await f.Dispatcher().DispatchDueAsync("node-a", default);

        Assert.Equal(1, result.DeadLettered);
        var dead = Assert.Single(await f.Outbox.ListAsync(OutboxStatus.Failed, 10, default));
        Assert.Contains("400 ErrorInvalidRecipients", dead.LastError, StringComparison.Ordinal);
        Assert.Contains("isn't valid", dead.LastError, StringComparison.Ordinal);
        Assert.Empty(f.Server.Delivered);
        // The refused draft does not stay behind in the secretariat's Drafts.
        Assert.Empty(f.Server.Folder(GraphFixture.Mailbox, "drafts"));
        Assert.Contains(f.Server.Requests, r => r is { Method: "DELETE", Status: 204 });
    }

    [Fact]
    public async Task ADeadLetterRetriedFromTheUi_WhoseSendHadGoneOut_IsNotSentAgain()
    {
        await using var f = await GraphFixture.StartAsync();
        var now = f.Clock.GetUtcNow();
        var (mail, _) = await f.Outbox.EnqueueAsync(GraphFixture.Mail("enrolment:8:step:0", now), now, default);
        // Every answer to the send is lost, though Graph sent it: after the last attempt the mail is a dead letter.
        f.Server.Inject(new GraphFault(AfterApply: true, Abort: true), when: IsSend);
        var policy = new DispatchPolicy { MaxAttempts = 1 };
        Assert.Equal(1, (await new OutboxDispatcher(f.Outbox, f.Delivery, f.Clock, policy, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance).DispatchDueAsync("node-a", default)).DeadLettered);
        Assert.Single(f.Server.Delivered);

        // Retry from the dead letters resets the attempts, so the dispatcher does not ask first; the adapter does.
        Assert.True(await f.Outbox.RetryAsync(mail.Id, f.Clock.GetUtcNow(), default));
        var again = await new OutboxDispatcher(f.Outbox, f.Delivery, f.Clock, policy, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance).DispatchDueAsync("node-a", default);

        Assert.Equal(1, again.Sent);
        Assert.Single(f.Server.Delivered);
        Assert.Equal(1, f.Posts("/send"));
        Assert.Equal(f.Server.Delivered[0].InternetMessageId, (await f.Outbox.ListAsync(OutboxStatus.Sent, 10, default)).Single().InternetMessageId);
    }

    [Fact]
    public async Task AnUnknownMailbox_IsPermanent()
    {
        await using var f = await GraphFixture.StartAsync(o => o.Mailbox = "nobody@convenant.example");
        var error = await Assert.ThrowsAsync<MailDeliveryException>(() => f.Delivery.SendAsync(new OutboxMail { Id = 1, Attempts = 1, Mail = GraphFixture.Mail("k", f.Clock.GetUtcNow()) }, default));
        Assert.True(error.Permanent);
        Assert.Contains("ErrorInvalidUser", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongToken_IsRefusedByTheServer_AndReportedWithGraphsCode()
    {
        await using var f = await GraphFixture.StartAsync();
        var options = new GraphOptions { Mailbox = GraphFixture.Mailbox, BaseUrl = f.Server.BaseUrl, AccessToken = "wrong" };
        using var limiter = new Outreach.Mail.SendRateLimiter(30, 4, f.Clock);
        var delivery = new GraphMailDelivery(GraphConnection.Create(options, new FixedTokenCredential("wrong", f.Clock), f.Clock), options, limiter, f.Clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<GraphMailDelivery>.Instance);
        var error = await Assert.ThrowsAsync<MailDeliveryException>(() => delivery.WasDeliveredAsync("k", default));
        Assert.Contains("InvalidAuthenticationToken", error.Message, StringComparison.Ordinal);
        Assert.Empty(f.Server.Delivered);
    }

    [Fact]
    public async Task TheMailboxLimit_HoldsTheThirdSendOfAMinute_UntilTheMinuteHasPassed()
    {
        await using var f = await GraphFixture.StartAsync();
        var clock = new ManualClock(f.Clock.GetUtcNow());
        using var limiter = new Outreach.Mail.SendRateLimiter(2, 4, clock);
        var delivery = new GraphMailDelivery(f.Client, f.Options, limiter, clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<GraphMailDelivery>.Instance);
        var now = clock.GetUtcNow();
        for (var i = 0; i < 3; i++) await f.Outbox.EnqueueAsync(GraphFixture.Mail($"bulk:{i}", now), now, default);

        var dispatch = new OutboxDispatcher(f.Outbox, delivery, clock, new DispatchPolicy(), Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance).DispatchDueAsync("node-a", default);
        // The dispatcher sends a batch's mails side by side: wait until two went and the third waits on the limiter's timer.
        for (var i = 0; i < 500 && (clock.PendingTimers == 0 || f.Server.Delivered.Count < 2); i++) await Task.Delay(10);

        Assert.Equal(2, f.Server.Delivered.Count);
        Assert.False(dispatch.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(50);
        Assert.Equal(2, f.Server.Delivered.Count);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, (await dispatch.WaitAsync(TimeSpan.FromSeconds(10))).Sent);
        Assert.Equal(3, f.Server.Delivered.Count);
    }
}
