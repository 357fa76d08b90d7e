using Dapper;
using Outreach.Core.Common;
using Outreach.Core.Events;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;

namespace Outreach.Storage.Tests;

/// <summary>The unit of work on every engine: the stores inside join one transaction, and a failure half-way leaves nothing.</summary>
public abstract partial class StoreContract
{
    /// <summary>A notice outbox whose withdrawals fail, after the cascade has already written elsewhere.</summary>
    private sealed class FailingWithdrawals(IEventNoticeOutbox inner) : IEventNoticeOutbox
    {
        public Task<int> EnqueueWithdrawalsAsync(long contactId, DateTimeOffset at, bool comingOnly, CancellationToken ct) =>
            throw new InvalidOperationException("The notice outbox failed.");
        public Task<int> EraseErrorsForContactAsync(long contactId, CancellationToken ct) => inner.EraseErrorsForContactAsync(contactId, ct);
        public Task<IReadOnlyList<EventNotice>> ClaimAsync(long? eventId, string node, DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken ct) => inner.ClaimAsync(eventId, node, now, leaseUntil, max, ct);
        public Task<bool> MarkDoneAsync(long id, string node, DateTimeOffset at, CancellationToken ct) => inner.MarkDoneAsync(id, node, at, ct);
        public Task MarkFailedAsync(long id, string node, string reason, DateTimeOffset? retryAt, CancellationToken ct) => inner.MarkFailedAsync(id, node, reason, retryAt, ct);
        public Task ReleaseAsync(IReadOnlyList<long> ids, string node, DateTimeOffset dueAt, CancellationToken ct) => inner.ReleaseAsync(ids, node, dueAt, ct);
        public Task HoldAsync(DateTimeOffset until, CancellationToken ct) => inner.HoldAsync(until, ct);
        public Task<EventNoticeCounts> CountAsync(long eventId, CancellationToken ct) => inner.CountAsync(eventId, ct);
        public Task<int> RetryFailedAsync(long eventId, DateTimeOffset at, CancellationToken ct) => inner.RetryFailedAsync(eventId, at, ct);
        public Task EnqueueAsync(IReadOnlyList<QueuedEventNotice> notices, DateTimeOffset at, CancellationToken ct) => inner.EnqueueAsync(notices, at, ct);
    }

    private async Task<(Contact Contact, long EnrolmentId)> ContactWithMailAndEnrolmentAsync(string name)
    {
        var entry = await NewEntryAsync(name, Stage.Contacted);
        var contact = await Prospects.AddContactAsync(entry.OrganisationId, Validation.Clean(new ContactDraft { Name = name + " contact", Email = $"x@{name.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()}.example" }), default);
        await new SqlMailOutbox(Db).EnqueueAsync(new MailDraft
        {
            IdempotencyKey = $"uow:{contact.Id}", Purpose = "test", ContactId = contact.Id, ToAddress = contact.Email, ToName = contact.Name, Subject = "Hello", HtmlBody = "<p>Hi</p>", TextBody = "Hi", DueAt = Clock.GetUtcNow(),
        }, Clock.GetUtcNow(), default);
        var sequences = new SqlSequenceStore(Db);
        await new SqlTemplateStore(Db).SeedAsync(Core.Mail.BuiltInTemplates.All, Clock.GetUtcNow(), default);
        var existing = await sequences.ListSequencesAsync(default);
        var sequence = existing.Count > 0 ? existing[0] : await sequences.AddSequenceAsync(new SequenceDraft { Name = "Follow up", Stage = Stage.Contacted, Steps = [new(Core.Mail.BuiltInTemplates.FollowUp, 2)] }, Clock.GetUtcNow(), default);
        var enrolment = await sequences.AddEnrolmentAsync(new Enrolment
        {
            SequenceId = sequence.Id, ProspectId = entry.Id, ContactId = contact.Id, OrganisationId = entry.OrganisationId, EnrolledAt = Clock.GetUtcNow(), EnrolledBy = "anne",
        }, default);
        return (contact, enrolment.Id);
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var c = await Db.OpenAsync(default);
        return await c.ExecuteScalarAsync<long>(sql);
    }

    [Fact]
    public async Task UnitOfWork_AFailureHalfWayThroughACascade_LeavesNothingWritten()
    {
        var (eva, evaEnrolment) = await ContactWithMailAndEnrolmentAsync("Rollback Gold");
        var (piet, pietEnrolment) = await ContactWithMailAndEnrolmentAsync("Rollback Silver");
        var failing = new ContactPrivacy(new SqlUnitOfWork(Db), Prospects, new SqlMailOutbox(Db), new SqlSequenceStore(Db), new SqlReplyLog(Db), new SqlActivityStore(Db),
            new FailingWithdrawals(new SqlEventNoticeOutbox(Db)), new SqlWriteBackOutbox(Db), new SqlAudit(Db), [], Clock);
        var auditBefore = await CountAsync("SELECT COUNT(*) FROM audit_entry");

        // Opt-out: the contact row, its audit entry, the cancelled mail and the stopped enrolment were written before the failure.
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.SetOptedOutAsync(eva.Id, Clock.GetUtcNow(), default));
        // Erasure: the contact row, the suppressed address and the erased mail too.
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.EraseAsync(piet.Id, Clock.GetUtcNow(), default));
        // Bounce likewise.
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.MarkBouncedAsync(eva.Email, Clock.GetUtcNow(), default));

        var (evaNow, pietNow) = ((await Prospects.GetContactAsync(eva.Id, default))!, (await Prospects.GetContactAsync(piet.Id, default))!);
        Assert.Equal((null, null), (evaNow.OptedOutAt, evaNow.BouncedAt));
        Assert.Equal((null, piet.Email), (pietNow.ErasedAt, pietNow.Email));
        Assert.False(await Prospects.IsSuppressedAsync(piet.Email, default));
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM mail_outbox WHERE status = 'pending' AND to_address <> 'erased@erased.invalid'"));
        var sequences = new SqlSequenceStore(Db);
        Assert.True((await sequences.GetEnrolmentAsync(evaEnrolment, default))!.IsOpen);
        Assert.True((await sequences.GetEnrolmentAsync(pietEnrolment, default))!.IsOpen);
        Assert.Equal(auditBefore, await CountAsync("SELECT COUNT(*) FROM audit_entry"));

        // The same cascade with the real outbox commits all of it, and the stores work on their own again afterwards.
        Assert.NotNull(await Privacy.SetOptedOutAsync(eva.Id, Clock.GetUtcNow(), default));
        Assert.False((await sequences.GetEnrolmentAsync(evaEnrolment, default))!.IsOpen);
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM mail_outbox WHERE status = 'pending'"));
    }

    [Fact]
    public async Task UnitOfWork_StoresInsideJoinIt_SeeItsWrites_AndMayNotOpenAConnectionOfTheirOwn()
    {
        var unit = new SqlUnitOfWork(Db);
        var organisation = await Prospects.AddOrganisationAsync(Draft("Unit Gold"), default);
        var contact = await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Mila", Email = "mila@unit.example" }), default);

        var seen = await unit.RunAsync(async ct =>
        {
            await Prospects.SetOptedOutAsync(contact.Id, Clock.GetUtcNow(), ct);
            // A unit inside joins the outer one.
            await unit.RunAsync(inner => Prospects.MarkBouncedAsync(contact.Email, Clock.GetUtcNow(), inner), ct);
            // Outside the unit the change is not there yet.
            Task<long> outside;
            using (ExecutionContext.SuppressFlow())
                outside = Task.Run(() => CountAsync("SELECT COUNT(*) FROM contact WHERE opted_out_at IS NOT NULL"), CancellationToken.None);
            Assert.Equal(0, await outside);
            // A store method that opens its own connection is refused rather than left to wait for the unit's lock.
            await Assert.ThrowsAsync<InvalidOperationException>(() => Prospects.GetContactAsync(contact.Id, ct));
            throw new TimeoutException("roll back");
        }, default).ContinueWith(t => t.Exception?.InnerException, TaskScheduler.Default);

        Assert.IsType<TimeoutException>(seen);
        var after = (await Prospects.GetContactAsync(contact.Id, default))!;
        Assert.Equal((null, null), (after.OptedOutAt, after.BouncedAt));

        await unit.RunAsync(ct => Prospects.SetOptedOutAsync(contact.Id, Clock.GetUtcNow(), ct), default);
        Assert.NotNull((await Prospects.GetContactAsync(contact.Id, default))!.OptedOutAt);
    }

    /// <summary>A write-back outbox that fails, after the move has already written the entry, its history and its audit.</summary>
    private sealed class FailingWriteBack : Core.Crm.IWriteBackOutbox
    {
        public Task EnqueueStageChangeAsync(long entryId, long stageChangeId, DateTimeOffset at, CancellationToken ct) => throw new InvalidOperationException("The write-back failed.");
        public Task EnqueueNextActionAsync(long entryId, DateTimeOffset at, CancellationToken ct) => throw new InvalidOperationException("The write-back failed.");
        public Task EnqueueActivityAsync(long activityId, DateTimeOffset at, CancellationToken ct) => throw new InvalidOperationException("The write-back failed.");
        public Task EnqueueContactErasedAsync(long contactId, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
        public Task EnqueueEventChangeAsync(EventChangeWriteBack change, DateTimeOffset at, CancellationToken ct) => throw new InvalidOperationException("The write-back failed.");
        public Task EnqueueAnswerAsync(long answerId, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
        public Task EnqueueMilestoneAsync(long milestoneId, DateTimeOffset at, CancellationToken ct) => throw new InvalidOperationException("The write-back failed.");
        public Task EnqueuePartyMilestonesAsync(long entryId, DateTimeOffset at, CancellationToken ct) => throw new InvalidOperationException("The write-back failed.");
        public Task<bool> HasPendingForEntryAsync(long entryId, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Core.Crm.WriteBackItem>> PendingAsync(long afterId, int max, CancellationToken ct) => throw new NotSupportedException();
        public Task MarkSentAsync(IReadOnlyList<long> ids, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
        public Task MarkFailedAsync(long id, string reason, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Core.Crm.WriteBackRefusal>> RefusedAsync(long? entryId, int max, CancellationToken ct) => throw new NotSupportedException();
    }

    [Fact]
    public async Task UnitOfWork_AnAccountsPageAndTheProspectsItStarts_CommitTogetherOrNotAtAll()
    {
        // The start rule is Core's now (DynamicsRules.Starts); the page, its link, the started prospect and its answer are one unit.
        var crm = new SqlCrmSyncStore(Db);
        var account = new Core.Crm.CrmAccount(Guid.NewGuid(), "Dynamics Goud B.V.", null, null, null, null, "NL", null, "Anne", "gold") { FirstStage = Stage.Contacted };
        Core.Crm.DynamicsInbound Inbound(Core.Crm.IWriteBackOutbox writeBack) =>
            new(crm, Pipeline, Prospects, new SqlAccessStore(Db, Clock), writeBack, Moves, new SqlUnitOfWork(Db), Clock);
        var directory = await Inbound(new SqlWriteBackOutbox(Db)).DirectoryAsync(default);
        var before = await crm.GetStateAsync(Core.Crm.CrmTable.Accounts, default);

        // The answer's write-back fails after the page, the prospect and its history were written.
        await Assert.ThrowsAsync<NotSupportedException>(() => Inbound(new FailingWriteBack()).ApplyAccountsAsync(directory, [account], [], "https://dv/next", null, null, default));

        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM organisation WHERE dataverse_id IS NOT NULL"));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM dataverse_request"));
        Assert.Equal(before, await crm.GetStateAsync(Core.Crm.CrmTable.Accounts, default));

        var result = await Inbound(new SqlWriteBackOutbox(Db)).ApplyAccountsAsync(directory, [account], [], "https://dv/next", null, null, default);

        Assert.Equal((1, 1), (result.Created, result.ProspectsStarted));
        Assert.Equal("https://dv/next", (await crm.GetStateAsync(Core.Crm.CrmTable.Accounts, default)).NextLink);
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id WHERE o.dataverse_id IS NOT NULL AND e.stage = 'contacted'"));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM dataverse_outbox WHERE kind = 'answer'"));
    }

    [Fact]
    public async Task Moves_AFailureHalfWayLeavesTheEntryWhereItWas()
    {
        var entry = await NewEntryAsync("Half Way Gold", Stage.Identified);
        var failing = new PipelineService(Pipeline, Prospects, new SqlSequenceStore(Db), Outreach.Testing.SqlServices.Stops(Db), new FailingWriteBack(), new SqlOnboardingStore(Db), new SqlUnitOfWork(Db), Clock);
        var auditBefore = await CountAsync("SELECT COUNT(*) FROM audit_entry");

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.MoveAsync(entry.Id, Stage.Contacted, "Called", "anne", null, default));

        Assert.Equal(Stage.Identified, (await Pipeline.GetEntryAsync(entry.Id, default))!.Stage);
        Assert.Single(await Pipeline.HistoryAsync(entry.Id, default));
        Assert.Equal(auditBefore, await CountAsync("SELECT COUNT(*) FROM audit_entry"));
        Assert.True((await Moves.MoveAsync(entry.Id, Stage.Contacted, "Called", "anne", null, default)).Succeeded);
    }

    [Fact]
    public async Task NewProspect_AFailingWriteBackLeavesNoOrganisationEntryOrAuditBehind_AndANextActionIsUnchanged()
    {
        // The organisation, the entry, its first line and the write-back are one unit (PipelineService.CreateAsync); so are a
        // next action and its write-back (PipelineService.SetNextActionAsync).
        var failing = new PipelineService(Pipeline, Prospects, new SqlSequenceStore(Db), Outreach.Testing.SqlServices.Stops(Db), new FailingWriteBack(), new SqlOnboardingStore(Db), new SqlUnitOfWork(Db), Clock);
        var organisations = await CountAsync("SELECT COUNT(*) FROM organisation");
        var entries = await CountAsync("SELECT COUNT(*) FROM pipeline_entry");
        var audit = await CountAsync("SELECT COUNT(*) FROM audit_entry");

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            failing.CreateAsync(Draft("Never Written Gold"), gold.Id, Stage.Identified, "anne", "Met at a fair", acceptDuplicates: true, default));

        Assert.Equal((organisations, entries, audit), (await CountAsync("SELECT COUNT(*) FROM organisation"), await CountAsync("SELECT COUNT(*) FROM pipeline_entry"),
            await CountAsync("SELECT COUNT(*) FROM audit_entry")));

        var entry = await NewEntryAsync("Next Action Gold", Stage.Identified);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.SetNextActionAsync(entry.Id, "Call back", new DateOnly(2026, 3, 9), new DateOnly(2026, 3, 2), default));
        Assert.Null((await Pipeline.GetEntryAsync(entry.Id, default))!.NextAction);
        Assert.True((await Moves.CreateAsync(Draft("Written Gold"), gold.Id, Stage.Identified, "anne", "Met at a fair", acceptDuplicates: true, default)).Created);
    }

    [Fact]
    public async Task Moves_OnlyAPersonsMoveEnrolsByRule_AJobsMoveDoesNot()
    {
        var sequences = new SqlSequenceStore(Db);
        await new SqlTemplateStore(Db).SeedAsync(Core.Mail.BuiltInTemplates.All, Clock.GetUtcNow(), default);
        await sequences.AddSequenceAsync(new SequenceDraft { Name = "Re-engage", Stage = Stage.Identified, EnrolOnEntering = Stage.Identified, Steps = [new(Core.Mail.BuiltInTemplates.FollowUp, 2)] }, Clock.GetUtcNow(), default);
        var entry = await NewEntryAsync("Revisit Gold", Stage.Identified);
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, Validation.Clean(new ContactDraft { Name = "Eva", Email = "eva@revisit.example" }), default);
        var notNow = await Moves.ApplyAsync(Core.Pipeline.Pipeline.Decide(entry, Stage.NotNow, "Busy", "anne", Clock.GetUtcNow(), new DateOnly(2026, 3, 3)).Change!, default);

        // Pipeline hygiene brings it back when the revisit date comes: no mail starts without a person.
        var back = await Moves.ApplyFromJobAsync(Core.Pipeline.Pipeline.Decide(notNow, Stage.Identified, "Revisit date reached", "system:pipeline-hygiene", Clock.GetUtcNow()).Change!, default);
        Assert.Equal(Stage.Identified, back.Stage);
        Assert.Empty(await sequences.ListEnrolmentsForProspectAsync(entry.Id, default));

        // A person's move into the stage enrols.
        var again = await Moves.ApplyAsync(Core.Pipeline.Pipeline.Decide(back, Stage.NotNow, "Busy", "anne", Clock.GetUtcNow(), new DateOnly(2026, 4, 1)).Change!, default);
        await Moves.ApplyAsync(Core.Pipeline.Pipeline.Decide(again, Stage.Identified, "Called back", "anne", Clock.GetUtcNow()).Change!, default);
        Assert.Equal([eva.Id], (await sequences.ListEnrolmentsForProspectAsync(entry.Id, default)).Select(e => e.ContactId));
    }

    [Fact]
    public async Task EventChanges_AFailureHalfWay_LeavesTheEventItsInvitationsAndNoticesAsTheyWere()
    {
        var events = new SqlEventStore(Db);
        var e = await NewEventAsync(events);
        var people = await ContactsAsync(2);
        var decision = EventRules.Invite(e, [], people.Select(p => new InviteCandidate(p.Id, false, false)), Clock.GetUtcNow());
        var change = new EventChange(e with { Title = "Verplaatst" }, e.Version, EventRules.NewInvitations(e, decision, Clock.GetUtcNow()), "invited", Clock.GetUtcNow())
        {
            Notices = decision.Invited.Select(id => new EventMail(id, EventMailKind.Invitation)).ToList(),
        };
        var failing = new EventChanges(events, new SqlEventNoticeOutbox(Db), new FailingWriteBack(), new SqlUnitOfWork(Db));
        var auditBefore = await CountAsync("SELECT COUNT(*) FROM audit_entry");

        // The event row, its invitations, their audit lines and the notices were written before the write-back failed.
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.ApplyAsync(change, default));

        Assert.Equal(e, await events.GetEventAsync(e.Id, default));
        Assert.Empty(await events.ListInvitationsAsync(e.Id, default));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM event_notice"));
        Assert.Equal(auditBefore, await CountAsync("SELECT COUNT(*) FROM audit_entry"));

        // The store's own change (as the host wires it) commits all of it.
        var (after, invited) = await events.ApplyAsync(change, default);
        Assert.Equal(("Verplaatst", e.Version + 1, 2), (after.Title, after.Version, invited.Count));
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM event_notice"));
    }
}
