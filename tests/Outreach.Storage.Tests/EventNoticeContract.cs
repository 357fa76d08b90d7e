using Dapper;
using Outreach.Core.Events;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Mail;

namespace Outreach.Storage.Tests;

/// <summary>
/// The event notice outbox on every engine: notices are stored in the change's transaction, passed on after it, and
/// neither lost nor repeated when the host stops in between or the channel asks to wait.
/// </summary>
public abstract partial class StoreContract
{
    /// <summary>The real mail channel with a switch: fail before passing on, after passing on, or with a service's answer.</summary>
    private sealed class FaultyChannel(IEventInvitationChannel inner) : IEventInvitationChannel
    {
        public Func<Invitation, EventMailKind, Exception?>? Before { get; set; }

        /// <summary>The host dies here: this call never returns, so nothing after it (marking, releasing) happens.</summary>
        public bool DieBefore { get; set; }
        public bool DieAfter { get; set; }
        public TaskCompletionSource Dead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Dying { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public List<(long InvitationId, EventMailKind Kind)> Passed { get; } = [];

        public async Task SendAsync(NetworkEvent networkEvent, Invitation invitation, EventMailKind kind, CancellationToken ct)
        {
            if (Before?.Invoke(invitation, kind) is { } before) throw before;
            if (DieBefore) await DieAsync();
            await inner.SendAsync(networkEvent, invitation, kind, ct);
            lock (Passed) Passed.Add((invitation.Id, kind));
            if (DieAfter) await DieAsync();
        }

        private async Task DieAsync()
        {
            Dying.TrySetResult();
            await Dead.Task;
            throw new InvalidOperationException("the dead host's thread, ended by the test");
        }
    }

    /// <summary>Runs a person's action on a host that dies inside the channel; returns once it has died (the action never finishes).</summary>
    private static async Task<Task> DiesDuringAsync(FaultyChannel channel, Func<Task> action)
    {
        var running = Task.Run(action);
        await Task.WhenAny(channel.Dying.Task, running);
        Assert.True(channel.Dying.Task.IsCompleted, "the host did not reach the channel");
        return running;
    }

    private sealed record NoticeRig(SqlEventStore Events, SqlMailOutbox Mail, SqlEventNoticeOutbox Notices, FaultyChannel Channel, EventNoticeDispatcher Dispatcher, EventService Service);

    private NoticeRig Rig()
    {
        var events = new SqlEventStore(Db);
        var mail = new SqlMailOutbox(Db);
        var notices = new SqlEventNoticeOutbox(Db);
        var options = new EventOptions { OfferHours = 24 };
        var channel = new FaultyChannel(new MailInvitationChannel(Prospects, mail, new HandlebarsTemplateRenderer(), new TestLinks(), options, Clock));
        var dispatcher = new EventNoticeDispatcher(events, notices, channel, Clock, DispatchPolicy.EventNotices, Microsoft.Extensions.Logging.Abstractions.NullLogger<EventNoticeDispatcher>.Instance);
        return new NoticeRig(events, mail, notices, channel, dispatcher, new EventService(events, channel, dispatcher, options, Clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<EventService>.Instance, "web"));
    }

    private async Task<NetworkEvent> NewEventAsync(EventService service, int capacity = 10)
    {
        var created = await service.CreateAsync(new NetworkEventDraft
        {
            Title = "Gold network event", CovenantId = gold.Id, Format = EventFormat.Physical, Venue = "Utrecht", Capacity = capacity,
            StartLocal = new DateTime(2026, 4, 15, 14, 0, 0), EndLocal = new DateTime(2026, 4, 15, 17, 0, 0), RegistrationDeadlineLocal = new DateTime(2026, 4, 10, 12, 0, 0),
        }, default);
        Assert.True(created.Succeeded);
        return created.Event!;
    }

    private static async Task<List<OutboxMail>> EventMailsAsync(SqlMailOutbox mail, string purpose) =>
        (await mail.ListAsync(null, 500, default)).Where(m => m.Mail.Purpose == purpose).ToList();

    private async Task<Dictionary<string, long>> NoticeStatusesAsync(long eventId)
    {
        await using var c = await Db.OpenAsync(default);
        return (await c.QueryAsync<(string Status, long Count)>("SELECT status, COUNT(*) FROM event_notice WHERE event_id = @eventId GROUP BY status", new { eventId }))
            .ToDictionary(r => r.Status, r => r.Count);
    }

    /// <summary>A notice queue whose claims fail (the database went away between the change and passing its notices on).</summary>
    private sealed class UnclaimableNotices(IEventNoticeOutbox inner) : IEventNoticeOutbox
    {
        public Task<IReadOnlyList<EventNotice>> ClaimAsync(long? eventId, string node, DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken ct) =>
            throw new TimeoutException("The database did not answer in time.");
        public Task<bool> MarkDoneAsync(long id, string node, DateTimeOffset at, CancellationToken ct) => inner.MarkDoneAsync(id, node, at, ct);
        public Task MarkFailedAsync(long id, string node, string reason, DateTimeOffset? retryAt, CancellationToken ct) => inner.MarkFailedAsync(id, node, reason, retryAt, ct);
        public Task ReleaseAsync(IReadOnlyList<long> ids, string node, DateTimeOffset dueAt, CancellationToken ct) => inner.ReleaseAsync(ids, node, dueAt, ct);
        public Task HoldAsync(DateTimeOffset until, CancellationToken ct) => inner.HoldAsync(until, ct);
        public Task<EventNoticeCounts> CountAsync(long eventId, CancellationToken ct) => inner.CountAsync(eventId, ct);
        public Task<int> RetryFailedAsync(long eventId, DateTimeOffset at, CancellationToken ct) => inner.RetryFailedAsync(eventId, at, ct);
        public Task<int> EnqueueWithdrawalsAsync(long contactId, DateTimeOffset at, bool comingOnly, CancellationToken ct) => inner.EnqueueWithdrawalsAsync(contactId, at, comingOnly, ct);
        public Task<int> EraseErrorsForContactAsync(long contactId, CancellationToken ct) => inner.EraseErrorsForContactAsync(contactId, ct);
        public Task EnqueueAsync(IReadOnlyList<QueuedEventNotice> notices, DateTimeOffset at, CancellationToken ct) => inner.EnqueueAsync(notices, at, ct);
    }

    /// <summary>Review C5: a failure to pass an action's notices on at once was swallowed without a trace.</summary>
    [Fact]
    public async Task EventNotices_PassingOnAtOnceFails_TheActionSucceeds_TheNoticesWait_AndTheLogSaysWhy()
    {
        var rig = Rig();
        var log = new Outreach.Testing.RecordingLogger<EventService>();
        var options = new EventOptions { OfferHours = 24 };
        var dispatcher = new EventNoticeDispatcher(rig.Events, new UnclaimableNotices(rig.Notices), rig.Channel, Clock, DispatchPolicy.EventNotices,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<EventNoticeDispatcher>.Instance);
        var service = new EventService(rig.Events, rig.Channel, dispatcher, options, Clock, log, "web");
        var e = await NewEventAsync(service);
        var people = await ContactsAsync(2, Stage.Engaged);

        var invited = await service.InviteAsync(e.Id, new InviteSelection { ContactIds = people.Select(p => p.Id).ToList() }, default);

        Assert.Equal(2, invited.Invited);
        Assert.Equal(2, (await rig.Notices.CountAsync(e.Id, default)).Waiting);
        var line = Assert.Single(log.Lines);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, line.Level);
        Assert.Contains($"Event {e.Id}", line.Message, StringComparison.Ordinal);
        Assert.IsType<TimeoutException>(line.Exception);
    }

    [Fact]
    public async Task EventNotices_HostStopsBeforePassingOn_TheJobSendsEachInvitationOnce()
    {
        var rig = Rig();
        var e = await NewEventAsync(rig.Service);
        var people = await ContactsAsync(3, Stage.Engaged);
        // The host dies at the first invitation, after the change was stored and before anything was passed on.
        rig.Channel.DieBefore = true;

        var dead = await DiesDuringAsync(rig.Channel, () => rig.Service.InviteAsync(e.Id, new InviteSelection { ContactIds = people.Select(p => p.Id).ToList() }, default));

        Assert.Equal(3, (await rig.Events.ListInvitationsAsync(e.Id, default)).Count);
        Assert.Empty(await EventMailsAsync(rig.Mail, EventMailTemplates.Invitation));
        Assert.Equal(3, (await rig.Notices.CountAsync(e.Id, default)).Waiting);
        rig.Channel.DieBefore = false;
        // Within the dead claim's lease nobody else takes its notices (nor the event's others).
        Assert.Equal(0, (await rig.Dispatcher.DispatchAsync(null, "job", TimeSpan.FromSeconds(30), default)).Claimed);

        Clock.Advance(TimeSpan.FromMinutes(6));
        var run = await rig.Dispatcher.DispatchAsync(null, "job", TimeSpan.FromSeconds(30), default);

        Assert.Equal(3, run.Done);
        var mails = await EventMailsAsync(rig.Mail, EventMailTemplates.Invitation);
        Assert.Equal(people.Select(p => p.Id).Order(), mails.Select(m => m.Mail.ContactId!.Value).Order());
        Assert.Equal(new Dictionary<string, long> { ["done"] = 3 }, await NoticeStatusesAsync(e.Id));
        // Should the dead host's thread ever go on, its lost claim changes nothing.
        rig.Channel.Dead.TrySetResult();
        await dead;
        Assert.Equal(new Dictionary<string, long> { ["done"] = 3 }, await NoticeStatusesAsync(e.Id));
        Assert.Equal(3, (await EventMailsAsync(rig.Mail, EventMailTemplates.Invitation)).Count);
    }

    [Fact]
    public async Task EventNotices_HostStopsAfterPassingOn_NothingIsSentTwice()
    {
        var rig = Rig();
        var e = await NewEventAsync(rig.Service);
        var people = await ContactsAsync(2, Stage.Engaged);
        // The host dies after the first mail went into the outbox and before its notice was marked.
        rig.Channel.DieAfter = true;

        var dead = await DiesDuringAsync(rig.Channel, () => rig.Service.InviteAsync(e.Id, new InviteSelection { ContactIds = people.Select(p => p.Id).ToList() }, default));
        Assert.Single(await EventMailsAsync(rig.Mail, EventMailTemplates.Invitation));

        rig.Channel.DieAfter = false;
        Clock.Advance(TimeSpan.FromMinutes(6));
        var run = await rig.Dispatcher.DispatchAsync(null, "job", TimeSpan.FromSeconds(30), default);

        Assert.Equal(2, run.Done);
        Assert.Equal(3, rig.Channel.Passed.Count); // the first invitee's notice was passed on again, and the outbox kept one mail
        Assert.Equal(2, (await EventMailsAsync(rig.Mail, EventMailTemplates.Invitation)).Count);
        rig.Channel.Dead.TrySetResult();
        await dead;
        Assert.Equal(new Dictionary<string, long> { ["done"] = 2 }, await NoticeStatusesAsync(e.Id));
    }

    [Fact]
    public async Task EventNotices_AFailureThatIsNotTheChannels_BacksOffThatNoticeAlone_AndEndsFailed()
    {
        var rig = Rig();
        var e = await NewEventAsync(rig.Service);
        var people = await ContactsAsync(3, Stage.Engaged);
        // As a template the secretariat broke, for one invitee's language only.
        rig.Channel.Before = (i, _) => i.ContactId == people[0].Id ? new InvalidOperationException("Template 'event-invitation' v2 cannot be used") : null;

        await rig.Service.InviteAsync(e.Id, new InviteSelection { ContactIds = people.Select(p => p.Id).ToList() }, default);

        Assert.Equal(2, (await EventMailsAsync(rig.Mail, EventMailTemplates.Invitation)).Count);
        var counts = await rig.Notices.CountAsync(e.Id, default);
        Assert.Equal((1, 0, "InvalidOperationException: Template 'event-invitation' v2 cannot be used"), (counts.Waiting, counts.Failed, counts.LastError));
        for (var round = 0; round < 12; round++)
        {
            Clock.Advance(TimeSpan.FromHours(1));
            await rig.Dispatcher.DispatchAsync(null, "job", TimeSpan.FromSeconds(30), default);
        }

        Assert.Equal(new Dictionary<string, long> { ["done"] = 2, ["failed"] = 1 }, await NoticeStatusesAsync(e.Id));
        Assert.Equal(10, (await QueryAttemptsAsync(e.Id)).Max());
    }

    [Fact]
    public async Task EventNotices_ANoticeThatNoLongerFits_IsDroppedNotSent()
    {
        var rig = Rig();
        var e = await NewEventAsync(rig.Service, capacity: 1);
        var people = await ContactsAsync(2, Stage.Engaged);
        await rig.Service.InviteAsync(e.Id, new InviteSelection { ContactIds = people.Select(p => p.Id).ToList() }, default);
        var invitations = await rig.Events.ListInvitationsAsync(e.Id, default);
        long Inv(int i) => invitations.Single(x => x.ContactId == people[i].Id).Id;
        await rig.Service.RespondAsync(e.Id, Inv(0), InvitationResponse.Accepted, default);
        await rig.Service.RespondAsync(e.Id, Inv(1), InvitationResponse.Accepted, default);
        // The offer to the second waits behind a busy service until it has lapsed and the place has passed on.
        rig.Channel.Before = (_, kind) => kind == EventMailKind.PlaceOffered ? new EventChannelException("503 ServiceUnavailable") : null;
        await rig.Service.RespondAsync(e.Id, Inv(0), InvitationResponse.Declined, default);
        rig.Channel.Before = null;
        Clock.Advance(TimeSpan.FromHours(25));
        await rig.Service.ExpireOffersAsync(e.Id, default);

        var run = await rig.Dispatcher.DispatchAsync(null, "job", TimeSpan.FromSeconds(30), default);

        Assert.Equal(1, run.Done);
        Assert.DoesNotContain(rig.Channel.Passed, p => p.Kind == EventMailKind.PlaceOffered);
        Assert.Empty(await EventMailsAsync(rig.Mail, EventMailTemplates.PlaceOffered));
    }

    [Fact]
    public async Task EventNotices_ARefusedChange_StoresNoNotice()
    {
        var rig = Rig();
        var e = await NewEventAsync(rig.Service);
        var people = await ContactsAsync(2, Stage.Engaged);
        var decision = EventRules.Invite(e, [], people.Select(p => new InviteCandidate(p.Id, false, false)), Clock.GetUtcNow());
        var change = new EventChange(e, e.Version + 7, EventRules.NewInvitations(e, decision, Clock.GetUtcNow()), "invited", Clock.GetUtcNow())
        {
            Notices = people.Select(p => new EventMail(p.Id, EventMailKind.Invitation)).ToList(),
        };

        await Assert.ThrowsAsync<ConcurrentEventChangeException>(() => rig.Events.ApplyAsync(change, default));

        Assert.Empty(await NoticeStatusesAsync(e.Id));
        Assert.Empty(await rig.Events.ListInvitationsAsync(e.Id, default));
    }

    [Fact]
    public async Task EventNotices_RetryAfter_HoldsTheEventsNotices_AndAnUpdateNeverOvertakesItsInvitation()
    {
        var rig = Rig();
        var e = await NewEventAsync(rig.Service);
        var people = await ContactsAsync(3, Stage.Engaged);
        // Another event's invitation, queued by a host that died before passing it on;
        // the same mailbox, so it waits as well once the service has asked to.
        var other = await NewEventAsync(rig.Service);
        var guest = (await ContactsAsync(1, Stage.Engaged))[0];
        var otherDecision = EventRules.Invite(other, [], [new InviteCandidate(guest.Id, false, false)], Clock.GetUtcNow());
        await rig.Events.ApplyAsync(new EventChange(other, other.Version, EventRules.NewInvitations(other, otherDecision, Clock.GetUtcNow()), "invited", Clock.GetUtcNow())
        {
            Notices = [new EventMail(guest.Id, EventMailKind.Invitation)],
        }, default);
        var throttled = 0;
        rig.Channel.Before = (_, _) => Interlocked.Increment(ref throttled) == 1 ? new EventChannelException("429 TooManyRequests", retryAfter: TimeSpan.FromSeconds(150)) : null;

        await rig.Service.InviteAsync(e.Id, new InviteSelection { ContactIds = people.Select(p => p.Id).ToList() }, default);
        Assert.Equal(0, (await rig.Dispatcher.DispatchAsync(null, "job", TimeSpan.FromSeconds(30), default)).Done);
        Assert.Equal(1, (await rig.Notices.CountAsync(other.Id, default)).Waiting);

        // One call was answered 429; the other two notices of the event were given back untried, due when the service said.
        Assert.Equal(1, throttled);
        Assert.Empty(rig.Channel.Passed);
        var counts = await rig.Notices.CountAsync(e.Id, default);
        Assert.Equal((3, 0, "429 TooManyRequests"), (counts.Waiting, counts.Failed, counts.LastError));

        // A reschedule meanwhile: its updates wait behind each invitee's invitation.
        var moved = await rig.Service.EditAsync(e.Id, new NetworkEventDraft
        {
            Title = e.Title, CovenantId = gold.Id, Format = EventFormat.Physical, Venue = "Utrecht", Capacity = 10,
            StartLocal = new DateTime(2026, 4, 16, 14, 0, 0), EndLocal = new DateTime(2026, 4, 16, 17, 0, 0), RegistrationDeadlineLocal = new DateTime(2026, 4, 10, 12, 0, 0),
        }, default);
        Assert.True(moved.Succeeded);
        Assert.Empty(rig.Channel.Passed);

        Clock.Advance(TimeSpan.FromSeconds(149));
        Assert.Equal(0, (await rig.Dispatcher.DispatchAsync(null, "job", TimeSpan.FromSeconds(30), default)).Claimed);
        Clock.Advance(TimeSpan.FromSeconds(2));
        var run = await rig.Dispatcher.DispatchAsync(null, "job", TimeSpan.FromSeconds(30), default);

        Assert.Equal(7, run.Done);
        foreach (var invitation in await rig.Events.ListInvitationsAsync(e.Id, default))
        {
            var kinds = rig.Channel.Passed.Where(p => p.InvitationId == invitation.Id).Select(p => p.Kind).ToList();
            Assert.Equal([EventMailKind.Invitation, EventMailKind.Update], kinds);
        }

        // Retried notices tell the event as it is now: the invitation already names the new day.
        var invitationMail = (await EventMailsAsync(rig.Mail, EventMailTemplates.Invitation)).First();
        Assert.Contains("16 april", invitationMail.Mail.TextBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("15 april", invitationMail.Mail.TextBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("SEQUENCE:1", invitationMail.Mail.Calendar!.Content, StringComparison.Ordinal);
        var attempts = await QueryAttemptsAsync(e.Id);
        Assert.Equal(2, attempts.Max()); // only the throttled notice counted a second attempt
    }

    private async Task<List<int>> QueryAttemptsAsync(long eventId)
    {
        await using var c = await Db.OpenAsync(default);
        return (await c.QueryAsync<int>("SELECT attempts FROM event_notice WHERE event_id = @eventId", new { eventId })).ToList();
    }

    [Fact]
    public async Task EventNotices_APermanentRefusal_IsShownAsFailed_AndCanBeRetried()
    {
        var rig = Rig();
        var e = await NewEventAsync(rig.Service);
        var people = await ContactsAsync(2, Stage.Engaged);
        rig.Channel.Before = (i, _) => i.ContactId == people[0].Id ? new EventChannelException("ErrorInvalidRecipients: the address is not valid", permanent: true) : null;

        await rig.Service.InviteAsync(e.Id, new InviteSelection { ContactIds = people.Select(p => p.Id).ToList() }, default);

        var counts = await rig.Notices.CountAsync(e.Id, default);
        Assert.Equal((0, 1), (counts.Waiting, counts.Failed));
        Assert.Contains("ErrorInvalidRecipients", counts.LastError, StringComparison.Ordinal);
        Assert.Single(await EventMailsAsync(rig.Mail, EventMailTemplates.Invitation));

        rig.Channel.Before = null;
        Assert.Equal(1, await rig.Notices.RetryFailedAsync(e.Id, Clock.GetUtcNow(), default));
        Assert.Equal(1, (await rig.Dispatcher.DispatchAsync(e.Id, "web", TimeSpan.FromSeconds(30), default)).Done);
        Assert.Equal(2, (await EventMailsAsync(rig.Mail, EventMailTemplates.Invitation)).Count);
        Assert.Equal(new EventNoticeCounts(0, 0, null), await rig.Notices.CountAsync(e.Id, default));
    }

    [Fact]
    public async Task EventNotices_AnErasure_WipesTheServicesWordsAboutThePerson_AndQueuesTheirWithdrawal()
    {
        var rig = Rig();
        var e = await NewEventAsync(rig.Service);
        var people = await ContactsAsync(1, Stage.Engaged);
        rig.Channel.Before = (_, _) => new EventChannelException($"ErrorInvalidRecipients: {people[0].Email} is not valid", permanent: true);
        await rig.Service.InviteAsync(e.Id, new InviteSelection { ContactIds = [people[0].Id] }, default);
        Assert.Contains(people[0].Email, (await rig.Notices.CountAsync(e.Id, default)).LastError, StringComparison.Ordinal);
        rig.Channel.Before = null;

        await Privacy.EraseAsync(people[0].Id, Clock.GetUtcNow(), default);

        await using (var c = await Db.OpenAsync(default))
        {
            var errors = (await c.QueryAsync<string?>("SELECT last_error FROM event_notice WHERE event_id = @id", new { id = e.Id })).ToList();
            Assert.DoesNotContain(errors, x => x is not null && x.Contains(people[0].Email, StringComparison.OrdinalIgnoreCase));
            Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM event_notice WHERE event_id = @id AND kind = 'withdrawn' AND status = 'pending'", new { id = e.Id }));
        }

        // The mail channel has no attendee list: the withdrawal is passed on and done, and no mail goes to the erased person.
        Assert.Equal(1, (await rig.Dispatcher.DispatchAsync(null, "job", TimeSpan.FromSeconds(30), default)).Done);
        Assert.Empty(await EventMailsAsync(rig.Mail, EventMailTemplates.Invitation));
    }

    [Fact]
    public async Task EventNotices_AClaimIsExclusivePerEvent_AndGivesUpAfterTheLastAttempt()
    {
        var rig = Rig();
        var e = await NewEventAsync(rig.Service);
        var people = await ContactsAsync(2, Stage.Engaged);
        rig.Channel.Before = (_, _) => new InvalidOperationException("host stopped");
        await rig.Service.InviteAsync(e.Id, new InviteSelection { ContactIds = people.Select(p => p.Id).ToList() }, default);
        Clock.Advance(TimeSpan.FromMinutes(6));

        var now = Clock.GetUtcNow();
        var first = await rig.Notices.ClaimAsync(null, "node-a", now, now.AddMinutes(5), 1, default);
        var second = await rig.Notices.ClaimAsync(null, "node-b", now, now.AddMinutes(5), 10, default);
        Assert.Single(first);
        Assert.Empty(second); // node-a holds one of the event's notices: node-b waits for the whole event

        rig.Channel.Before = (_, _) => new EventChannelException("503 ServiceUnavailable");
        Clock.Advance(TimeSpan.FromMinutes(6));
        for (var round = 0; round < 40; round++)
        {
            await rig.Dispatcher.DispatchAsync(null, "job", TimeSpan.FromSeconds(30), default);
            Clock.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal(new Dictionary<string, long> { ["failed"] = 2 }, await NoticeStatusesAsync(e.Id));
        Assert.All(await QueryAttemptsAsync(e.Id), a => Assert.Equal(10, a));
    }
}
