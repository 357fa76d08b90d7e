using System.Collections.Concurrent;
using Dapper;
using Outreach.Core.Mail;
using Outreach.Core.Prospects;
using Outreach.Mail;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>The mail outbox on every engine: idempotent enqueue, exclusive claims, leases, retries, and exactly-once dispatch through crashes.</summary>
public abstract partial class StoreContract
{
    private static MailDraft Mail(string key, DateTimeOffset due, long? contactId = null, string to = "eva@example.nl") => new()
    {
        IdempotencyKey = key, Purpose = "follow-up", ContactId = contactId, ToAddress = to, ToName = "Eva Jansen", Subject = "Your covenant questions",
        HtmlBody = "<p>Dear Eva,</p>", TextBody = "Dear Eva,", UnsubscribeUrl = "https://outreach.example/u/abc", DueAt = due,
    };

    [Fact]
    public async Task Outbox_EnqueuesOncePerKey_ClaimsExclusively_AndReclaimsAfterTheLease()
    {
        var outbox = new SqlMailOutbox(Db);
        var now = Clock.GetUtcNow();
        var (first, added) = await outbox.EnqueueAsync(Mail("enrolment:1:step:0", now), now, default);
        Assert.True(added);
        var (again, addedAgain) = await outbox.EnqueueAsync(Mail("enrolment:1:step:0", now.AddDays(1)) with { Subject = "Other" }, now, default);
        Assert.False(addedAgain);
        Assert.Equal((first.Id, "Your covenant questions"), (again.Id, again.Mail.Subject));
        await outbox.EnqueueAsync(Mail("enrolment:2:step:0", now.AddHours(1)), now, default);

        var claimed = Assert.Single(await outbox.ClaimDueAsync("a", now, now.AddMinutes(5), 10, default));
        Assert.Equal((first.Id, OutboxStatus.Sending, 1, "a"), (claimed.Id, claimed.Status, claimed.Attempts, claimed.ClaimedBy));
        Assert.Empty(await outbox.ClaimDueAsync("b", now.AddMinutes(1), now.AddMinutes(6), 10, default));

        // Node a went quiet: after its lease, b takes the row over (and a's late mark is refused).
        var reclaimed = await outbox.ClaimDueAsync("b", now.AddMinutes(5), now.AddMinutes(10), 10, default);
        Assert.Equal((first.Id, 2, "b"), (reclaimed[0].Id, reclaimed[0].Attempts, reclaimed[0].ClaimedBy));
        Assert.False(await outbox.MarkSentAsync(first.Id, "a", now.AddMinutes(6), null, default));
        Assert.True(await outbox.MarkSentAsync(first.Id, "b", now.AddMinutes(6), null, default));
        Assert.Equal(OutboxStatus.Sent, (await outbox.ListAsync(OutboxStatus.Sent, 10, default)).Single().Status);
    }

    [Fact]
    public async Task Outbox_FailedAttempts_RetryLater_ThenDeadLetter_WhichCanBeRetriedOrCancelled()
    {
        var outbox = new SqlMailOutbox(Db);
        var now = Clock.GetUtcNow();
        var (mail, _) = await outbox.EnqueueAsync(Mail("one-off:x", now), now, default);
        await outbox.ClaimDueAsync("a", now, now.AddMinutes(5), 10, default);
        await outbox.MarkAttemptFailedAsync(mail.Id, "a", "429 Too Many Requests", now.AddMinutes(2), default);
        var pending = Assert.Single(await outbox.ListAsync(OutboxStatus.Pending, 10, default));
        Assert.Equal((now.AddMinutes(2), "429 Too Many Requests"), (pending.Mail.DueAt, pending.LastError));
        Assert.Empty(await outbox.ClaimDueAsync("a", now.AddMinutes(1), now.AddMinutes(6), 10, default));

        await outbox.ClaimDueAsync("a", now.AddMinutes(2), now.AddMinutes(7), 10, default);
        await outbox.MarkAttemptFailedAsync(mail.Id, "a", "mailbox not found", null, default);
        Assert.Single(await outbox.ListAsync(OutboxStatus.Failed, 10, default));
        Assert.True(await outbox.RetryAsync(mail.Id, now.AddMinutes(3), default));
        Assert.Equal(0, (await outbox.ListAsync(OutboxStatus.Pending, 10, default)).Single().Attempts);
        Assert.True(await outbox.CancelAsync(mail.Id, default));
        Assert.False(await outbox.RetryAsync(mail.Id, now, default));
        Assert.Empty(await outbox.ClaimDueAsync("a", now.AddDays(1), now.AddDays(1), 10, default));
    }

    [Fact]
    public async Task OptOutAndErasure_CancelThePersonsWaitingMail_AndErasureScrubsEveryMailToThem()
    {
        var organisation = await Prospects.AddOrganisationAsync(Draft("Outbox Gold"), default);
        var eva = await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Eva Jansen", Email = "eva@outbox.example" }), default);
        var piet = await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Piet", Email = "piet@outbox.example" }), default);
        var outbox = new SqlMailOutbox(Db);
        var now = Clock.GetUtcNow();
        var (sent, _) = await outbox.EnqueueAsync(Mail("e:0", now, eva.Id, "eva@outbox.example"), now, default);
        await outbox.ClaimDueAsync("a", now, now.AddMinutes(5), 10, default);
        await outbox.MarkSentAsync(sent.Id, "a", now, null, default);
        await outbox.EnqueueAsync(Mail("e:1", now.AddDays(2), eva.Id, "eva@outbox.example"), now, default);
        await outbox.EnqueueAsync(Mail("p:1", now.AddDays(2), piet.Id, "piet@outbox.example"), now, default);

        await Privacy.SetOptedOutAsync(piet.Id, now, default);
        Assert.Equal(OutboxStatus.Cancelled, (await outbox.ListAsync(null, 10, default)).Single(m => m.Mail.IdempotencyKey == "p:1").Status);
        Assert.Equal(OutboxStatus.Pending, (await outbox.ListAsync(null, 10, default)).Single(m => m.Mail.IdempotencyKey == "e:1").Status);

        await Privacy.EraseAsync(eva.Id, now, default);
        var evas = (await outbox.ListAsync(null, 10, default)).Where(m => m.Mail.ContactId == eva.Id).ToList();
        Assert.Equal([OutboxStatus.Cancelled, OutboxStatus.Sent], evas.OrderBy(m => m.Mail.IdempotencyKey == "e:0").Select(m => m.Status));
        await using var c = await Db.OpenAsync(default);
        var stored = string.Join("|", await c.QueryAsync<string>("SELECT to_address || to_name || subject || html_body || text_body FROM mail_outbox WHERE contact_id = @id", new { id = eva.Id }));
        Assert.DoesNotContain("Eva", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("eva@", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outbox_KeepsTheReceipt_AndFindsTheSentMailAReplyAnswers()
    {
        var organisation = await Prospects.AddOrganisationAsync(Draft("Reply Gold"), default);
        var eva = await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Eva Jansen", Email = "eva@reply.example" }), default);
        var outbox = new SqlMailOutbox(Db);
        var now = Clock.GetUtcNow();
        var (first, _) = await outbox.EnqueueAsync(Mail("enrolment:5:step:0", now, eva.Id, "eva@reply.example"), now, default);
        var (second, _) = await outbox.EnqueueAsync(Mail("enrolment:5:step:1", now, eva.Id, "eva@reply.example"), now, default);
        var (unsent, _) = await outbox.EnqueueAsync(Mail("enrolment:5:step:2", now.AddDays(3), eva.Id, "eva@reply.example"), now, default);
        await outbox.ClaimDueAsync("a", now, now.AddMinutes(5), 10, default);
        Assert.True(await outbox.MarkSentAsync(first.Id, "a", now, new DeliveryReceipt("<first@mail.example>", "conv-1"), default));
        Assert.True(await outbox.MarkSentAsync(second.Id, "a", now.AddMinutes(1), new DeliveryReceipt("<second@mail.example>", "conv-1"), default));

        var stored = (await outbox.ListAsync(OutboxStatus.Sent, 10, default)).Single(m => m.Id == first.Id);
        Assert.Equal(("<first@mail.example>", "conv-1"), (stored.InternetMessageId, stored.ConversationId));

        // In-Reply-To / References name the exact mail, even an older one of the thread.
        var byId = await outbox.FindSentByMessageAsync(["<unknown@elsewhere>", "<first@mail.example>"], "conv-1", default);
        Assert.Equal((first.Id, eva.Id), (byId!.Id, byId.Mail.ContactId));
        // Without a known Message-ID, the conversation gives the latest sent mail in it.
        Assert.Equal(second.Id, (await outbox.FindSentByMessageAsync([], "conv-1", default))!.Id);
        Assert.Null(await outbox.FindSentByMessageAsync(["<unknown@elsewhere>"], "conv-other", default));
        Assert.Null(await outbox.FindSentByMessageAsync([], null, default));
        Assert.NotEqual(unsent.Id, (await outbox.FindSentByMessageAsync([], "conv-1", default))!.Id);
    }

    [Fact]
    public async Task ALeaseThatRunsOutAfterAnOptOut_ErasureOrBounce_IsNotClaimedAgain_ButCancelled()
    {
        var organisation = await Prospects.AddOrganisationAsync(Draft("Lease Gold"), default);
        async Task<long> ContactAsync(string name) =>
            (await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = name, Email = name.ToLowerInvariant() + "@lease.example" }), default)).Id;
        var (eva, piet, mia, jan) = (await ContactAsync("Eva"), await ContactAsync("Piet"), await ContactAsync("Mia"), await ContactAsync("Jan"));
        var outbox = new SqlMailOutbox(Db);
        var now = Clock.GetUtcNow();
        await outbox.EnqueueAsync(Mail("lease:eva", now, eva, "eva@lease.example"), now, default);
        await outbox.EnqueueAsync(Mail("lease:piet", now, piet, "piet@lease.example"), now, default);
        await outbox.EnqueueAsync(Mail("lease:mia", now, mia, "mia@lease.example"), now, default);
        await outbox.EnqueueAsync(Mail("lease:report", now, null, "manager@secretariat.example"), now, default);
        Assert.Equal(4, (await outbox.ClaimDueAsync("node-a", now, now.AddMinutes(5), 10, default)).Count);
        // Node a dies with all four claimed; meanwhile Eva opts out, Piet is erased and Mia's address bounces.
        await Privacy.SetOptedOutAsync(eva, now.AddMinutes(1), default);
        await Privacy.EraseAsync(piet, now.AddMinutes(1), default);
        await Privacy.MarkBouncedAsync("mia@lease.example", now.AddMinutes(1), default);
        // And Jan's opt-out arrives without the outbox being told (as a synchronised flag would): his waiting mail is skipped too.
        await outbox.EnqueueAsync(Mail("lease:jan", now, jan, "jan@lease.example"), now, default);
        await using (var c = await Db.OpenAsync(default))
            await c.ExecuteAsync("UPDATE contact SET opted_out_at = updated_at WHERE id = @jan", new { jan });

        Clock.Advance(TimeSpan.FromMinutes(6));
        var reclaimed = await outbox.ClaimDueAsync("node-b", Clock.GetUtcNow(), Clock.GetUtcNow().AddMinutes(5), 10, default);

        var report = Assert.Single(reclaimed);
        Assert.Equal("lease:report", report.Mail.IdempotencyKey);
        Assert.True(await outbox.MarkSentAsync(report.Id, "node-b", Clock.GetUtcNow(), null, default));
        var rows = (await outbox.ListAsync(null, 10, default)).ToDictionary(m => m.Mail.IdempotencyKey);
        foreach (var key in (string[])["lease:eva", "lease:piet", "lease:mia", "lease:jan"])
            Assert.Equal((OutboxStatus.Cancelled, (string?)null), (rows[key].Status, rows[key].ClaimedBy));
        Assert.Contains("opted out", rows["lease:eva"].LastError, StringComparison.Ordinal);
        Assert.Contains("erased", rows["lease:piet"].LastError, StringComparison.Ordinal);
        Assert.Contains("bounced", rows["lease:mia"].LastError, StringComparison.Ordinal);
        Assert.Contains("opted out", rows["lease:jan"].LastError, StringComparison.Ordinal);
        Assert.Equal(1, rows["lease:eva"].Attempts); // withdrawn, not attempted again
        Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(await outbox.ClaimDueAsync("node-c", Clock.GetUtcNow(), Clock.GetUtcNow().AddMinutes(5), 10, default));
    }

    [Fact]
    public async Task AnOptOutBetweenTheClaimAndTheSend_StopsTheSend_AndCancelsTheMail()
    {
        var organisation = await Prospects.AddOrganisationAsync(Draft("Race Gold"), default);
        var eva = await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Eva Jansen", Email = "eva@race.example" }), default);
        var now = Clock.GetUtcNow();
        var outbox = new CrashingOutbox(new SqlMailOutbox(Db));
        await outbox.EnqueueAsync(Mail("race:eva", now, eva.Id, "eva@race.example"), now, default);
        await outbox.EnqueueAsync(Mail("race:report", now, null, "manager@secretariat.example"), now, default);
        // Eva unsubscribes while the dispatcher holds her mail (status sending): the opt-out leaves a claimed row alone.
        outbox.AfterClaim = async () =>
        {
            outbox.AfterClaim = null;
            await Privacy.SetOptedOutAsync(eva.Id, now, default);
        };
        var delivery = new CountingDelivery();

        var result = await new OutboxDispatcher(outbox, delivery, Clock, new DispatchPolicy(), Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance).DispatchDueAsync("node-a", default);

        Assert.Equal((2, 1, 1, 0), (result.Claimed, result.Sent, result.Withdrawn, result.LostClaims));
        Assert.Equal(["race:report"], delivery.Sends.Keys);
        var row = (await outbox.ListAsync(null, 10, default)).Single(m => m.Mail.IdempotencyKey == "race:eva");
        Assert.Equal((OutboxStatus.Cancelled, (string?)null), (row.Status, row.ClaimedBy));
        Assert.Contains("opted out", row.LastError, StringComparison.Ordinal);
        Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, (await new OutboxDispatcher(outbox, delivery, Clock, new DispatchPolicy(), Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance).DispatchDueAsync("node-b", default)).Claimed);
        Assert.Equal(["race:report"], delivery.Sends.Keys);
    }

    /// <summary>
    /// Found by the three-node test: the re-check ran before the wait for the mailbox's send budget (up to a minute), so a
    /// mail checked just before an opt-out could still go after it. It is asked once the send slot is taken.
    /// </summary>
    [Fact]
    public async Task AnOptOutWhileTheMailWaitsForASendSlot_StopsTheSend()
    {
        var organisation = await Prospects.AddOrganisationAsync(Draft("Slot Gold"), default);
        var eva = await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Eva Jansen", Email = "eva@slot.example" }), default);
        var now = Clock.GetUtcNow();
        var outbox = new SqlMailOutbox(Db);
        await outbox.EnqueueAsync(Mail("slot:eva", now, eva.Id, "eva@slot.example"), now, default);
        using var limiter = new Outreach.Mail.SendRateLimiter(0, 1, Clock);
        var inner = new CountingDelivery();
        var delivery = new Outreach.Mail.RateLimitedDelivery(inner, limiter, "secretariat@example.org");

        // Another send holds the mailbox's only slot, so Eva's mail waits for it.
        var busy = await limiter.AcquireAsync("secretariat@example.org", default);
        var dispatch = new OutboxDispatcher(outbox, delivery, Clock, new DispatchPolicy { Parallelism = 1 }, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance).DispatchDueAsync("node-a", default);
        for (var i = 0; i < 200 && limiter.Waiting == 0; i++) await Task.Delay(10);
        Assert.Equal(1, limiter.Waiting);
        await Privacy.SetOptedOutAsync(eva.Id, now, default);
        busy.Dispose();

        var result = await dispatch;
        Assert.Equal((1, 0, 1), (result.Claimed, result.Sent, result.Withdrawn));
        Assert.Empty(inner.Sends);
        Assert.Equal(OutboxStatus.Cancelled, Assert.Single(await outbox.ListAsync(null, 10, default)).Status);
    }

    [Fact]
    public async Task ANodeStartingAgain_ReleasesItsOwnClaimsAtOnce_AndLeavesOtherNodesClaims()
    {
        var outbox = new SqlMailOutbox(Db);
        var now = Clock.GetUtcNow();
        var (mine, _) = await outbox.EnqueueAsync(Mail("restart:a", now), now, default);
        var (theirs, _) = await outbox.EnqueueAsync(Mail("restart:b", now), now, default);
        Assert.Equal(mine.Id, Assert.Single(await outbox.ClaimDueAsync("node-a", now, now.AddMinutes(5), 1, default)).Id);
        Assert.Equal(theirs.Id, Assert.Single(await outbox.ClaimDueAsync("node-b", now, now.AddMinutes(5), 1, default)).Id);

        // node-a was killed and starts again a few seconds later, well inside its lease.
        Clock.Advance(TimeSpan.FromSeconds(10));
        var delivery = new CountingDelivery();
        var dispatcher = new OutboxDispatcher(outbox, delivery, Clock, new DispatchPolicy(), Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance);
        Assert.Equal(1, await dispatcher.ReleaseOwnClaimsAsync("node-a", default));

        var result = await dispatcher.DispatchDueAsync("node-a", default);
        Assert.Equal((1, 1), (result.Claimed, result.Sent));
        Assert.Equal(["restart:a"], delivery.Sends.Keys);
        var rows = (await outbox.ListAsync(null, 10, default)).ToDictionary(m => m.Id);
        // Claimed twice in all: the second claim asked the delivery first whether the first had sent it.
        Assert.Equal((OutboxStatus.Sent, 2), (rows[mine.Id].Status, rows[mine.Id].Attempts));
        Assert.Equal((OutboxStatus.Sending, "node-b", now.AddMinutes(5)), (rows[theirs.Id].Status, rows[theirs.Id].ClaimedBy, rows[theirs.Id].ClaimedUntil));
        Assert.Equal(0, await dispatcher.ReleaseOwnClaimsAsync("node-a", default));
    }

    [Fact]
    public async Task ANodeStarting_RemovesHalfWrittenPickupFiles_AndKeepsTheDeliveredMail()
    {
        var folder = Path.Combine(Path.GetTempPath(), "outreach-pickup-" + Guid.NewGuid().ToString("N"));
        try
        {
            var pickup = new PickupFolderDelivery(new MailOptions { PickupFolder = folder }, Clock, new FixedInstallation("outbox-test"));
            Assert.Equal(0, await pickup.RemoveUnfinishedAsync(default)); // no folder yet
            var now = Clock.GetUtcNow();
            await pickup.SendAsync(new OutboxMail { Id = 1, Mail = Mail("tmp:sent", now), Status = OutboxStatus.Sending }, default);
            var delivered = pickup.PathFor("tmp:sent");
            var cut = Path.Combine(folder, "." + Path.GetFileName(pickup.PathFor("tmp:cut")) + ".0123abcd.tmp");
            var writing = Path.Combine(folder, "." + Path.GetFileName(pickup.PathFor("tmp:writing")) + ".4567cdef.tmp");
            var foreign = Path.Combine(folder, "other-program.tmp");
            foreach (var file in (string[])[cut, writing, foreign]) await File.WriteAllTextAsync(file, "From: half", default);
            File.SetLastWriteTimeUtc(cut, now.UtcDateTime.AddMinutes(-5));
            File.SetLastWriteTimeUtc(foreign, now.UtcDateTime.AddMinutes(-5));
            File.SetLastWriteTimeUtc(writing, now.UtcDateTime.AddSeconds(-2)); // another node on a shared folder, mid-write

            Assert.Equal(1, await pickup.RemoveUnfinishedAsync(default));

            Assert.False(File.Exists(cut));
            Assert.True(File.Exists(writing));
            Assert.True(File.Exists(foreign));
            Assert.True(File.Exists(delivered));
            Assert.NotNull(await pickup.WasDeliveredAsync("tmp:sent", default));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class CrashingDelivery(IMailDelivery inner, string? crashPoint) : IMailDelivery
    {
        public string? CrashPoint { get; set; } = crashPoint;

        public async Task<DeliveryReceipt> SendAsync(OutboxMail mail, CancellationToken ct)
        {
            if (CrashPoint == "before-send") throw new SimulatedCrashException();
            if (CrashPoint == "during-send")
            {
                // Half a file under a temporary name, as a write cut off by a crash leaves it.
                var target = ((PickupFolderDelivery)inner).PathFor(mail.Mail.IdempotencyKey);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await File.WriteAllTextAsync(Path.Combine(Path.GetDirectoryName(target)!, "." + Path.GetFileName(target) + ".cut.tmp"), "From: half", ct);
                throw new SimulatedCrashException();
            }

            var receipt = await inner.SendAsync(mail, ct);
            if (CrashPoint == "after-send") throw new SimulatedCrashException();
            return receipt;
        }

        public Task<DeliveryReceipt?> WasDeliveredAsync(string idempotencyKey, CancellationToken ct) => inner.WasDeliveredAsync(idempotencyKey, ct);
    }

    [Theory]
    [InlineData("before-send")]
    [InlineData("during-send")]
    [InlineData("after-send")]
    [InlineData("before-mark")]
    public async Task ACrashAtAnyPoint_NeitherLosesTheMailNorSendsItTwice(string crashPoint)
    {
        var folder = Path.Combine(Path.GetTempPath(), "outreach-pickup-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new MailOptions { PickupFolder = folder };
            var pickup = new PickupFolderDelivery(options, Clock, new SqlInstallation(Db));
            var outbox = new CrashingOutbox(new SqlMailOutbox(Db)) { CrashOnMark = crashPoint == "before-mark" };
            var delivery = new CrashingDelivery(pickup, crashPoint == "before-mark" ? null : crashPoint);
            var now = Clock.GetUtcNow();
            await outbox.EnqueueAsync(Mail("enrolment:9:step:0", now), now, default);

            var policy = new DispatchPolicy { Lease = TimeSpan.FromMinutes(5) };
            await Assert.ThrowsAsync<SimulatedCrashException>(() => new OutboxDispatcher(outbox, delivery, Clock, policy, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance).DispatchDueAsync("node-a", default));

            // Another node, after the dead node's lease: the mail is delivered, once.
            Clock.Advance(TimeSpan.FromMinutes(6));
            outbox.CrashOnMark = false;
            delivery.CrashPoint = null;
            var result = await new OutboxDispatcher(outbox, delivery, Clock, policy, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance).DispatchDueAsync("node-b", default);
            Assert.Equal(1, result.Sent + result.AlreadyDelivered);
            Assert.Equal(crashPoint is "after-send" or "before-mark" ? 1 : 0, result.AlreadyDelivered);
            Assert.Single(Directory.GetFiles(folder, "*.eml"));
            Assert.Equal(OutboxStatus.Sent, (await outbox.ListAsync(null, 10, default)).Single().Status);
            var eml = await File.ReadAllTextAsync(Directory.GetFiles(folder, "*.eml").Single());
            Assert.Contains("X-Outreach-Key: enrolment:9:step:0", eml, StringComparison.Ordinal);
            // The receipt (the file's Message-ID) is kept, also when the mail was found delivered after a crash.
            var messageId = EmlWriter.MessageId(await new SqlInstallation(Db).GetIdAsync(default), "enrolment:9:step:0", options.FromAddress);
            Assert.Equal(messageId, (await outbox.ListAsync(null, 10, default)).Single().InternetMessageId);
            Assert.Contains("Message-Id: " + messageId, eml, StringComparison.OrdinalIgnoreCase);

            // Nothing more to do, and a third run sends nothing.
            Clock.Advance(TimeSpan.FromMinutes(10));
            Assert.Equal(0, (await new OutboxDispatcher(outbox, delivery, Clock, policy, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance).DispatchDueAsync("node-c", default)).Claimed);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class CountingDelivery : IMailDelivery
    {
        public ConcurrentDictionary<string, int> Sends { get; } = new();

        public async Task<DeliveryReceipt> SendAsync(OutboxMail mail, CancellationToken ct)
        {
            await Task.Yield();
            Sends.AddOrUpdate(mail.Mail.IdempotencyKey, 1, (_, n) => n + 1);
            return DeliveryReceipt.None;
        }

        public Task<DeliveryReceipt?> WasDeliveredAsync(string idempotencyKey, CancellationToken ct) =>
            Task.FromResult(Sends.ContainsKey(idempotencyKey) ? DeliveryReceipt.None : null);
    }

    /// <summary>A delivery whose folder refuses one mail's file, as a pickup share with the wrong rights does.</summary>
    private sealed class RefusingDelivery(string refusedKey) : IMailDelivery
    {
        public bool Refusing { get; set; } = true;
        public ConcurrentDictionary<string, int> Sends { get; } = new();

        public Task<DeliveryReceipt> SendAsync(OutboxMail mail, CancellationToken ct)
        {
            if (Refusing && mail.Mail.IdempotencyKey == refusedKey) throw new UnauthorizedAccessException($"Access to the path '{refusedKey}.eml' is denied.");
            Sends.AddOrUpdate(mail.Mail.IdempotencyKey, 1, (_, n) => n + 1);
            return Task.FromResult(DeliveryReceipt.None);
        }

        public Task<DeliveryReceipt?> WasDeliveredAsync(string idempotencyKey, CancellationToken ct) =>
            Task.FromResult(Sends.ContainsKey(idempotencyKey) ? DeliveryReceipt.None : null);
    }

    /// <summary>
    /// Review C5: the dispatcher caught only MailDeliveryException, so any other failure of one mail (the pickup folder's
    /// UnauthorizedAccessException, which the folder delivery does not map) faulted the whole batch: the batch's other mails
    /// stayed claimed until the 5-minute lease ran out, each with an attempt used up, and the failing one kept no reason.
    /// </summary>
    [Fact]
    public async Task AnUnexpectedFailureOfOneMail_BacksOffThatMail_WithTheReasonOnTheRow_AndTheBatchGoesOn()
    {
        var outbox = new SqlMailOutbox(Db);
        var now = Clock.GetUtcNow();
        foreach (var key in (string[])["denied:1", "fine:2", "fine:3"]) await outbox.EnqueueAsync(Mail(key, now), now, default);
        var delivery = new RefusingDelivery("denied:1");
        var log = new RecordingLogger<OutboxDispatcher>();
        var dispatcher = new OutboxDispatcher(outbox, delivery, Clock, new DispatchPolicy { Parallelism = 1 }, log);

        var result = await dispatcher.DispatchDueAsync("node-a", default);

        Assert.Equal((3, 2, 1, 0), (result.Claimed, result.Sent, result.Retried, result.DeadLettered));
        Assert.Equal(["fine:2", "fine:3"], delivery.Sends.Keys.Order(StringComparer.Ordinal));
        var rows = await outbox.ListAsync(null, 10, default);
        Assert.DoesNotContain(rows, r => r.Status == OutboxStatus.Sending);
        var denied = rows.Single(r => r.Mail.IdempotencyKey == "denied:1");
        Assert.Equal((OutboxStatus.Pending, now + new DispatchPolicy().FirstRetry, (string?)null), (denied.Status, denied.Mail.DueAt, denied.ClaimedBy));
        Assert.Contains("UnauthorizedAccessException", denied.LastError, StringComparison.Ordinal);
        Assert.Contains("is denied", denied.LastError, StringComparison.Ordinal);
        // And the log says which mail and why, with the stack trace of the unexpected exception.
        var line = Assert.Single(log.Lines);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, line.Level);
        Assert.Contains("denied:1", line.Message, StringComparison.Ordinal);
        Assert.IsType<UnauthorizedAccessException>(line.Exception);

        // The rights mended: the mail goes at its retry, once.
        delivery.Refusing = false;
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal((1, 1), await dispatcher.DispatchDueAsync("node-a", default) is var again ? (again.Claimed, again.Sent) : default);
        Assert.Equal(1, delivery.Sends["denied:1"]);
    }

    [Fact]
    public async Task TwoDispatchersOnOneDatabase_Send1000Mails_NoneTwice()
    {
        var now = Clock.GetUtcNow();
        var outbox = new SqlMailOutbox(Db);
        for (var i = 0; i < 1000; i++) await outbox.EnqueueAsync(Mail($"bulk:{i}", now), now, default);
        var delivery = new CountingDelivery();
        var policy = new DispatchPolicy { BatchSize = 25 };

        async Task RunAsync(string node)
        {
            var dispatcher = new OutboxDispatcher(new SqlMailOutbox(Db), delivery, Clock, policy, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance);
            while ((await dispatcher.DispatchDueAsync(node, default)).Claimed > 0) { }
        }

        await Task.WhenAll(Task.Run(() => RunAsync("node-a")), Task.Run(() => RunAsync("node-b")));
        Assert.Equal(1000, delivery.Sends.Count);
        Assert.All(delivery.Sends, kv => Assert.Equal(1, kv.Value));
        Assert.Equal(1000, (await outbox.ListAsync(OutboxStatus.Sent, 1000, default)).Count);
    }
}
