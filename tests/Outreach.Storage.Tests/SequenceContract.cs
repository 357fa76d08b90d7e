using Dapper;
using Outreach.Core.Access;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;
using Outreach.Mail;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>Sequences, enrolments and the sequence runner on the real stores of every engine.</summary>
public abstract partial class StoreContract
{
    private sealed class Links : IUnsubscribeLinks
    {
        public string UrlFor(long contactId) => $"https://outreach.example/u/token-{contactId}";
    }

    private async Task<(SqlSequenceStore Store, SqlTemplateStore Templates, SequenceRunner Runner, SqlMailOutbox Outbox)> SequencesAsync()
    {
        var store = new SqlSequenceStore(Db);
        var templates = new SqlTemplateStore(Db);
        await templates.SeedAsync(BuiltInTemplates.All, Clock.GetUtcNow(), default);
        var runner = new SequenceRunner(store, templates, Prospects, Pipeline, new HandlebarsTemplateRenderer(), new Links(), new SqlMailOutbox(Db), new SqlUnitOfWork(Db), Clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<SequenceRunner>.Instance);
        return (store, templates, runner, new SqlMailOutbox(Db));
    }

    private static SequenceDraft TwoSteps(string name = "After first contact", Stage? rule = null) => new()
    {
        Name = name, Stage = Stage.Contacted, EnrolOnEntering = rule,
        Steps = [new(BuiltInTemplates.FollowUp, 2), new(BuiltInTemplates.FollowUpReminder, 5)],
    };

    [Fact]
    public async Task Sequence_RoundTrips_NamesAreUnique_AndChangesAreAudited()
    {
        var (store, _, _, _) = await SequencesAsync();
        var created = await store.AddSequenceAsync(TwoSteps(rule: Stage.Contacted), Clock.GetUtcNow(), default);
        var read = await store.GetSequenceAsync(created.Id, default);
        Assert.Equal(("After first contact", Stage.Contacted, Stage.Contacted), (read!.Name, read.Stage, read.EnrolOnEntering));
        Assert.Equal([new SequenceStep(BuiltInTemplates.FollowUp, 2), new SequenceStep(BuiltInTemplates.FollowUpReminder, 5)], read.Steps);
        await Assert.ThrowsAsync<DuplicateNameException>(() => store.AddSequenceAsync(TwoSteps(), Clock.GetUtcNow(), default));

        var updated = await store.UpdateSequenceAsync(created.Id, TwoSteps() with { Steps = [new(BuiltInTemplates.FollowUpLast, 1)] }, Clock.GetUtcNow(), default);
        Assert.Equal([new SequenceStep(BuiltInTemplates.FollowUpLast, 1)], updated!.Steps);
        Assert.Null(updated.EnrolOnEntering);
        var audit = await new SqlAudit(Db).SearchAsync(new() { Entity = "sequence" }, 1, 10, default);
        Assert.Equal(["updated", "created"], audit.Items.Select(a => a.Action));
        Assert.Contains(audit.Items[0].Changes, c => c.Field == "steps" && c.After == "follow-up-last after 1 business days");
    }

    [Fact]
    public async Task Templates_AreVersioned_SeedOnlyFillsGaps_AndTheNewestIsUsed()
    {
        var (_, templates, _, _) = await SequencesAsync();
        Assert.Equal(0, await templates.SeedAsync(BuiltInTemplates.All, Clock.GetUtcNow(), default));
        var v2 = await templates.AddVersionAsync(BuiltInTemplates.FollowUp, ContactLanguage.En, "New subject", "<p>{{contactName}} {{unsubscribeUrl}}</p>", "{{unsubscribeUrl}}", Clock.GetUtcNow(), default);
        Assert.Equal(2, v2.Version);
        Assert.Equal("New subject", (await templates.GetAsync(BuiltInTemplates.FollowUp, ContactLanguage.En, null, default))!.Subject);
        Assert.Equal(1, (await templates.GetAsync(BuiltInTemplates.FollowUp, ContactLanguage.Nl, null, default))!.Version);
        Assert.NotEqual("New subject", (await templates.GetAsync(BuiltInTemplates.FollowUp, ContactLanguage.En, 1, default))!.Subject);
        Assert.Equal([2, 1, 1], (await templates.ListVersionsAsync(BuiltInTemplates.FollowUp, default)).Select(t => t.Version));
        Assert.Contains(await templates.ListLatestAsync(default), t => t is { Key: BuiltInTemplates.FollowUp, Language: ContactLanguage.En, Version: 2 });
    }

    [Fact]
    public async Task Runner_SendsEachStepOnce_InTheWindow_InTheContactsLanguage_RecordingTheTemplateVersion()
    {
        var (store, _, runner, outbox) = await SequencesAsync();
        var sequence = await store.AddSequenceAsync(TwoSteps(), Clock.GetUtcNow(), default);
        var entry = await NewEntryAsync("Goud BV", Stage.Contacted);
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva <b>Jansen</b>", Email = "eva@goud.nl", Language = ContactLanguage.En }, default);

        // Monday 2 March 2026, 09:30 in Amsterdam: the first step waits two business days.
        var enrolled = await runner.EnrolAsync(entry.Id, eva.Id, sequence.Id, "anne", default);
        Assert.Null(enrolled.Refusal);
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 8, 30, 0, TimeSpan.Zero), enrolled.Enrolment!.NextDue);
        Assert.Equal("{0} is already in this sequence.", (await runner.EnrolAsync(entry.Id, eva.Id, sequence.Id, "anne", default)).Refusal!.Template);

        Assert.Equal(0, (await runner.RunAsync(100, default)).Queued);
        Clock.Set(new DateTimeOffset(2026, 3, 4, 17, 0, 0, TimeSpan.Zero)); // 18:00 local: after the window
        var run = await runner.RunAsync(100, default);
        Assert.Equal(1, run.Queued);
        var mail = Assert.Single(await outbox.ListAsync(null, 10, default));
        Assert.Equal(SequenceRunner.KeyFor(enrolled.Enrolment.Id, 0), mail.Mail.IdempotencyKey);
        Assert.Equal(new DateTimeOffset(2026, 3, 5, 8, 0, 0, TimeSpan.Zero), mail.Mail.DueAt); // Thursday 09:00 local
        Assert.Equal((BuiltInTemplates.FollowUp, 1), (mail.Mail.TemplateKey, mail.Mail.TemplateVersion));
        Assert.StartsWith("Responsible Gold: following up", mail.Mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Eva &lt;b&gt;Jansen&lt;/b&gt;", mail.Mail.HtmlBody, StringComparison.Ordinal);
        Assert.Equal("https://outreach.example/u/token-" + eva.Id, mail.Mail.UnsubscribeUrl);

        // Running again adds nothing; the next step is planned five business days after the first went.
        Assert.Equal(0, (await runner.RunAsync(100, default)).Queued);
        var after = (await store.ListEnrolmentsForProspectAsync(entry.Id, default)).Single();
        Assert.Equal((1, EnrolmentState.Active, new DateTimeOffset(2026, 3, 12, 8, 0, 0, TimeSpan.Zero)), (after.NextStep, after.State, after.NextDue));
        Clock.Set(new DateTimeOffset(2026, 3, 12, 9, 0, 0, TimeSpan.Zero));
        await runner.RunAsync(100, default);
        Assert.Equal(EnrolmentState.Completed, (await store.GetEnrolmentAsync(after.Id, default))!.State);
        Assert.Equal(2, (await outbox.ListAsync(null, 10, default)).Count);
    }

    /// <summary>A renderer that fails for one person's mail, as a template with a helper that throws on their data would.</summary>
    private sealed class FailingRenderer(string failFor) : IMailTemplateRenderer
    {
        private readonly HandlebarsTemplateRenderer inner = new();

        public RenderedMail Render(MailTemplate mailTemplate, TemplateValues values) =>
            values.ContactName == failFor ? throw new FormatException("The template cannot render this contact.") : inner.Render(mailTemplate, values);

        public IReadOnlyList<string> Check(MailTemplate mailTemplate) => inner.Check(mailTemplate);
    }

    /// <summary>Review C5: one enrolment's exception ended the whole run, and "see the log" had no log line behind it.</summary>
    [Fact]
    public async Task Runner_OneEnrolmentThatThrows_IsAProblemInTheLog_AndTheOthersAreMovedOn()
    {
        var store = new SqlSequenceStore(Db);
        var templates = new SqlTemplateStore(Db);
        await templates.SeedAsync(BuiltInTemplates.All, Clock.GetUtcNow(), default);
        var log = new RecordingLogger<SequenceRunner>();
        var runner = new SequenceRunner(store, templates, Prospects, Pipeline, new FailingRenderer("Piet"), new Links(), new SqlMailOutbox(Db), new SqlUnitOfWork(Db), Clock, log);
        var sequence = await store.AddSequenceAsync(TwoSteps() with { Steps = [new(BuiltInTemplates.FollowUp, 0)] }, Clock.GetUtcNow(), default);
        var entry = await NewEntryAsync("Throw BV", Stage.Contacted);
        var piet = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Piet", Email = "piet@throw.nl" }, default);
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva", Email = "eva@throw.nl" }, default);
        var failing = (await runner.EnrolAsync(entry.Id, piet.Id, sequence.Id, "anne", default)).Enrolment!;
        await runner.EnrolAsync(entry.Id, eva.Id, sequence.Id, "anne", default);

        var run = await runner.RunAsync(100, default);

        Assert.Equal((2, 1, 1), (run.Considered, run.Queued, run.Problems));
        Assert.Contains("see the log", run.ToString(), StringComparison.Ordinal);
        Assert.Equal(["eva@throw.nl"], (await new SqlMailOutbox(Db).ListAsync(null, 10, default)).Select(m => m.Mail.ToAddress));
        var line = Assert.Single(log.Lines);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, line.Level);
        Assert.Contains($"Enrolment {failing.Id} ", line.Message, StringComparison.Ordinal);
        Assert.IsType<FormatException>(line.Exception);
        // Left as it was: tried again at the next run.
        Assert.Equal(failing.Id, Assert.Single(await store.ListDueAsync(Clock.GetUtcNow(), 10, default)).Id);
    }

    [Fact]
    public async Task Runner_HoldsWhatTheFrequencyCapForbids_AndSaysUntilWhen()
    {
        var (store, _, runner, outbox) = await SequencesAsync();
        var entry = await NewEntryAsync("Zilver NV", Stage.Contacted);
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva", Email = "eva@zilver.nl" }, default);
        var now = Clock.GetUtcNow();
        // Two outreach mails this week already (from other sequences or covenants).
        foreach (var key in new[] { "other:1", "other:2" })
            await outbox.EnqueueAsync(new MailDraft { IdempotencyKey = key, Purpose = "sequence", ContactId = eva.Id, ToAddress = eva.Email, ToName = "Eva", Subject = "s", HtmlBody = "h", TextBody = "t", UnsubscribeUrl = "u", DueAt = now }, now, default);
        var sequence = await store.AddSequenceAsync(TwoSteps() with { Steps = [new(BuiltInTemplates.FollowUp, 0)] }, now, default);
        var enrolment = (await runner.EnrolAsync(entry.Id, eva.Id, sequence.Id, "anne", default)).Enrolment!;

        var run = await runner.RunAsync(100, default);
        Assert.Equal((0, 1), (run.Queued, run.Held));
        var held = (await store.GetEnrolmentAsync(enrolment.Id, default))!;
        Assert.Equal(now.AddDays(7), held.HeldUntil);
        Assert.Empty(await store.ListDueAsync(now.AddDays(6), 10, default));

        Clock.Set(now.AddDays(7));
        Assert.Equal(1, (await runner.RunAsync(100, default)).Queued);
        Assert.Null((await store.GetEnrolmentAsync(enrolment.Id, default))!.HeldUntil);
    }

    [Fact]
    public async Task OptOut_Bounce_Reply_AndMovingOn_StopEnrolments_AndCancelTheirQueuedMail()
    {
        var (store, _, runner, outbox) = await SequencesAsync();
        var sequence = await store.AddSequenceAsync(TwoSteps() with { Steps = [new(BuiltInTemplates.FollowUp, 0), new(BuiltInTemplates.FollowUpReminder, 3)] }, Clock.GetUtcNow(), default);
        var entry = await NewEntryAsync("Goud BV", Stage.Contacted);
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva", Email = "eva@goud.nl" }, default);
        var piet = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Piet", Email = "piet@goud.nl" }, default);
        var other = await NewEntryAsync("Zilver NV", Stage.Contacted);
        var ines = await Prospects.AddContactAsync(other.OrganisationId, new ContactDraft { Name = "Ines", Email = "ines@zilver.nl" }, default);
        var evaIn = (await runner.EnrolAsync(entry.Id, eva.Id, sequence.Id, "anne", default)).Enrolment!;
        var pietIn = (await runner.EnrolAsync(entry.Id, piet.Id, sequence.Id, "anne", default)).Enrolment!;
        var inesIn = (await runner.EnrolAsync(other.Id, ines.Id, sequence.Id, "anne", default)).Enrolment!;
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(3, (await runner.RunAsync(100, default)).Queued);

        // Eva opts out: her enrolment stops and her queued mail is cancelled, in the opt-out's own transaction.
        await Privacy.SetOptedOutAsync(eva.Id, Clock.GetUtcNow(), default);
        Assert.Equal((EnrolmentState.Stopped, StopReason.OptedOut), State(await store.GetEnrolmentAsync(evaIn.Id, default)));
        Assert.Equal(OutboxStatus.Cancelled, (await outbox.ListAsync(null, 10, default)).Single(m => m.Mail.ContactId == eva.Id).Status);

        // A reply from anyone at Zilver stops every enrolment there, and its queued mail; a bounce stops Piet's.
        Assert.Equal(1, await SqlServices.Stops(Db).StopForOrganisationAsync(other.OrganisationId, StopReason.Reply, Clock.GetUtcNow(), default));
        Assert.Equal((EnrolmentState.Stopped, StopReason.Reply), State(await store.GetEnrolmentAsync(inesIn.Id, default)));
        Assert.Equal((OutboxStatus.Cancelled, "Withdrawn: the enrolment stopped (reply)"),
            (await outbox.ListAsync(null, 10, default)).Where(m => m.Mail.ContactId == ines.Id).Select(m => (m.Status, m.LastError)).Single());
        var bounced = Assert.Single(await Privacy.MarkBouncedAsync("PIET@goud.nl", Clock.GetUtcNow(), default));
        Assert.Equal(piet.Id, bounced.Id);
        Assert.Empty(await Privacy.MarkBouncedAsync("piet@goud.nl", Clock.GetUtcNow(), default));
        Assert.Equal((EnrolmentState.Stopped, StopReason.HardBounce), State(await store.GetEnrolmentAsync(pietIn.Id, default)));
        Assert.Equal("Mail to {0} bounced; correct the address first.", (await runner.EnrolAsync(entry.Id, piet.Id, sequence.Id, "anne", default)).Refusal!.Template);
        // A corrected address clears the bounce.
        var corrected = await Prospects.UpdateContactAsync(piet.Id, new ContactDraft { Name = "Piet", Email = "piet.de.vries@goud.nl" }, default);
        Assert.Null(corrected!.BouncedAt);

        // Moving the prospect past the sequence's stage stops what is left there.
        var again = (await runner.EnrolAsync(entry.Id, piet.Id, sequence.Id, "anne", default)).Enrolment!;
        await Moves.ApplyAsync(new StageChange(entry.Id, Stage.Contacted, Stage.Engaged, Clock.GetUtcNow(), "anne", "Meeting planned"), default);
        Assert.Equal((EnrolmentState.Stopped, StopReason.StageMovedOn), State(await store.GetEnrolmentAsync(again.Id, default)));
        Assert.Equal("The prospect is at '{0}', past this sequence's stage '{1}'.", (await runner.EnrolAsync(entry.Id, piet.Id, sequence.Id, "anne", default)).Refusal!.Template);
    }

    [Fact]
    public async Task EnteringAStage_EnrolsTheReachableContacts_ByRule_Once()
    {
        var (store, _, runner, outbox) = await SequencesAsync();
        var sequence = await store.AddSequenceAsync(TwoSteps(rule: Stage.Contacted), Clock.GetUtcNow(), default);
        var entry = await NewEntryAsync("Goud BV", Stage.Identified);
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva", Email = "eva@goud.nl" }, default);
        var gone = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Gone", Email = "gone@goud.nl" }, default);
        await Privacy.SetOptedOutAsync(gone.Id, Clock.GetUtcNow(), default);

        await Moves.ApplyAsync(new StageChange(entry.Id, Stage.Identified, Stage.Contacted, Clock.GetUtcNow(), "anne", "Called"), default);
        var enrolment = Assert.Single(await store.ListEnrolmentsForProspectAsync(entry.Id, default));
        Assert.Equal((eva.Id, sequence.Id, EnrolmentState.Active, (DateTimeOffset?)null), (enrolment.ContactId, enrolment.SequenceId, enrolment.State, enrolment.NextDue));

        // The runner plans the first step from the enrolment time; not due yet.
        var run = await runner.RunAsync(100, default);
        Assert.Equal((1, 0), (run.Planned, run.Queued));
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 8, 30, 0, TimeSpan.Zero), (await store.GetEnrolmentAsync(enrolment.Id, default))!.NextDue);

        // Out to not now and back: the old enrolment stopped, a new one starts.
        await Moves.ApplyAsync(new StageChange(entry.Id, Stage.Contacted, Stage.NotNow, Clock.GetUtcNow(), "anne", "Busy", new DateOnly(2026, 9, 1)), default);
        await Moves.ApplyAsync(new StageChange(entry.Id, Stage.NotNow, Stage.Contacted, Clock.GetUtcNow(), "anne", "Back"), default);
        var all = await store.ListEnrolmentsForProspectAsync(entry.Id, default);
        Assert.Equal([EnrolmentState.Active, EnrolmentState.Stopped], all.Select(e => e.State));
        Assert.Empty(await outbox.ListAsync(null, 10, default));
    }

    [Fact]
    public async Task QueueStep_IsAllOrNothing_AndNeverQueuesForAnOptedOutContact()
    {
        var (store, _, runner, outbox) = await SequencesAsync();
        var sequence = await store.AddSequenceAsync(TwoSteps(), Clock.GetUtcNow(), default);
        var entry = await NewEntryAsync("Goud BV", Stage.Contacted);
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva", Email = "eva@goud.nl" }, default);
        var enrolment = (await runner.EnrolAsync(entry.Id, eva.Id, sequence.Id, "anne", default)).Enrolment!;
        var now = Clock.GetUtcNow();
        var draft = new MailDraft { IdempotencyKey = SequenceRunner.KeyFor(enrolment.Id, 0), Purpose = "sequence", ContactId = eva.Id, ToAddress = eva.Email, ToName = "Eva", Subject = "s", HtmlBody = "h", TextBody = "t", UnsubscribeUrl = "u", DueAt = now };
        var advanced = EnrolmentRules.Advance(enrolment, sequence, now, SendWindow.OfficeHours);

        Assert.True(await runner.QueueStepAsync(advanced, draft, now, default));
        // A second attempt at the same step (a run that crashed after committing) changes nothing.
        Assert.False(await runner.QueueStepAsync(advanced, draft, now, default));
        Assert.Single(await outbox.ListAsync(null, 10, default));

        await Privacy.SetOptedOutAsync(eva.Id, now, default);
        var next = EnrolmentRules.Advance(advanced, sequence, now, SendWindow.OfficeHours);
        Assert.False(await runner.QueueStepAsync(next, draft with { IdempotencyKey = SequenceRunner.KeyFor(enrolment.Id, 1) }, now, default));
        Assert.Equal([OutboxStatus.Cancelled], (await outbox.ListAsync(null, 10, default)).Select(m => m.Status));
        await using var c = await Db.OpenAsync(default);
        Assert.Equal(1L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mail_outbox"));
    }

    [Fact]
    public async Task AnEventsAttendee_IsEnrolledInTheConfiguredFollowUpSequence_ForTheEventsCovenant_Once()
    {
        var (store, _, runner, _) = await SequencesAsync();
        var sequence = await store.AddSequenceAsync(TwoSteps("After the network event"), Clock.GetUtcNow(), default);
        var entry = await NewEntryAsync("Goud BV", Stage.Contacted);
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva", Email = "eva@goud.nl" }, default);
        var networkEvent = new Outreach.Core.Events.NetworkEvent { Id = 1, Title = "Gold day", Uid = "event-1@outreach", CovenantId = entry.CovenantId };
        var attended = new Outreach.Core.Events.Invitation { Id = 1, EventId = 1, ContactId = eva.Id };

        var none = new Outreach.Core.Events.SequenceFollowUpEnrolment(new Outreach.Core.Events.EventOptions(), store, runner, Prospects, Pipeline);
        await none.EnrolAttendeeAsync(networkEvent, attended, default);
        Assert.Empty(await store.ListEnrolmentsForProspectAsync(entry.Id, default));

        var follow = new Outreach.Core.Events.SequenceFollowUpEnrolment(new Outreach.Core.Events.EventOptions { FollowUpSequence = "after the NETWORK event" }, store, runner, Prospects, Pipeline);
        await follow.EnrolAttendeeAsync(networkEvent, attended, default);
        await follow.EnrolAttendeeAsync(networkEvent, attended, default);
        var enrolment = Assert.Single(await store.ListEnrolmentsForProspectAsync(entry.Id, default));
        Assert.Equal((sequence.Id, eva.Id, Outreach.Core.Events.SequenceFollowUpEnrolment.Actor), (enrolment.SequenceId, enrolment.ContactId, enrolment.EnrolledBy));

        // Another covenant's event finds no prospect of the organisation there: nothing happens.
        await follow.EnrolAttendeeAsync(networkEvent with { CovenantId = metals.Id }, attended, default);
        Assert.Single(await store.ListEnrolmentsForProspectAsync(entry.Id, default));
    }

    [Fact]
    public async Task AStoppedOrEndedEnrolment_TakesItsQueuedStepsWithIt_InOneUnit_AndACrashKeepsBoth()
    {
        var (store, _, runner, outbox) = await SequencesAsync();
        var sequence = await store.AddSequenceAsync(TwoSteps() with { Steps = [new(BuiltInTemplates.FollowUp, 0), new(BuiltInTemplates.FollowUpReminder, 3)] }, Clock.GetUtcNow(), default);
        var entry = await NewEntryAsync("Goud BV", Stage.Contacted);
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva", Email = "eva@goud.nl" }, default);
        var piet = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Piet", Email = "piet@goud.nl" }, default);
        var evaIn = (await runner.EnrolAsync(entry.Id, eva.Id, sequence.Id, "anne", default)).Enrolment!;
        var pietIn = (await runner.EnrolAsync(entry.Id, piet.Id, sequence.Id, "anne", default)).Enrolment!;
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, (await runner.RunAsync(100, default)).Queued);
        // Another enrolment's key that shares the digits must not be touched (enrolment:1:step: is no prefix of enrolment:11:step:).
        await outbox.EnqueueAsync(new MailDraft
        {
            IdempotencyKey = SequenceRunner.KeyFor(evaIn.Id * 10 + 1, 0), Purpose = "sequence", ToAddress = "x@goud.nl", ToName = "X", Subject = "s", HtmlBody = "h", TextBody = "t", DueAt = Clock.GetUtcNow(),
        }, Clock.GetUtcNow(), default);
        string StatusOf(string key, IEnumerable<OutboxMail> all) => all.Single(m => m.Mail.IdempotencyKey == key).Status.Code();

        // The process dies after the stop, before the cancellation: the unit never commits, so the enrolment is still open and its mail still queued.
        var crashing = new CrashingOutbox(new SqlMailOutbox(Db)) { CrashOnCancelByKeyPrefix = true };
        await Assert.ThrowsAsync<SimulatedCrashException>(() => new EnrolmentStops(store, crashing, new SqlUnitOfWork(Db)).StopAsync(evaIn.Id, StopReason.Manual, Clock.GetUtcNow(), default));
        Assert.Equal((EnrolmentState.Active, (StopReason?)null), State(await store.GetEnrolmentAsync(evaIn.Id, default)));
        Assert.Equal("pending", StatusOf(SequenceRunner.KeyFor(evaIn.Id, 0), await outbox.ListAsync(null, 10, default)));

        // Stopped by hand: the enrolment and its queued step together, with why.
        Assert.True(await SqlServices.Stops(Db).StopAsync(evaIn.Id, StopReason.Manual, Clock.GetUtcNow(), default));
        Assert.False(await SqlServices.Stops(Db).StopAsync(evaIn.Id, StopReason.Manual, Clock.GetUtcNow(), default));
        var all = await outbox.ListAsync(null, 10, default);
        Assert.Equal((EnrolmentState.Stopped, StopReason.Manual), State(await store.GetEnrolmentAsync(evaIn.Id, default)));
        Assert.Equal((OutboxStatus.Cancelled, "Withdrawn: the enrolment stopped (manual)"), all.Where(m => m.Mail.IdempotencyKey == SequenceRunner.KeyFor(evaIn.Id, 0)).Select(m => (m.Status, m.LastError)).Single());
        Assert.Equal("pending", StatusOf(SequenceRunner.KeyFor(evaIn.Id * 10 + 1, 0), all));
        Assert.Equal("pending", StatusOf(SequenceRunner.KeyFor(pietIn.Id, 0), all));

        // A decision that ends Piet's enrolment (saved completed) cancels what it still had queued; a decision that keeps it open does not.
        var piets = (await store.GetEnrolmentAsync(pietIn.Id, default))!;
        Assert.True(await SqlServices.Stops(Db).SaveAsync(piets with { HeldUntil = Clock.GetUtcNow().AddDays(1) }, Clock.GetUtcNow(), default));
        Assert.Equal("pending", StatusOf(SequenceRunner.KeyFor(pietIn.Id, 0), await outbox.ListAsync(null, 10, default)));
        Assert.True(await SqlServices.Stops(Db).SaveAsync(piets with { State = EnrolmentState.Completed, NextDue = null }, Clock.GetUtcNow(), default));
        Assert.Equal((OutboxStatus.Cancelled, EnrolmentStops.EndedReason),
            (await outbox.ListAsync(null, 10, default)).Where(m => m.Mail.IdempotencyKey == SequenceRunner.KeyFor(pietIn.Id, 0)).Select(m => (m.Status, m.LastError)).Single());
    }

    private static (EnrolmentState, StopReason?) State(Enrolment? e) => (e!.State, e.StoppedBecause);
}
