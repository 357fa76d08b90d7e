using Moq;
using Outreach.Core.Common;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Tests.Fakes;
using Outreach.Testing;

namespace Outreach.Core.Tests.Pipeline;

public sealed class PipelineServiceTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider clock = new(Start);
    private readonly InMemoryProspectStore prospects = new();
    private readonly InMemoryPipelineStore store;
    private readonly InMemorySequenceStore sequences = new();
    private readonly InMemoryWriteBackOutbox writeBack = new();
    private readonly InMemoryMailOutbox outbox = new();
    private readonly PipelineService service;
    private readonly long covenantId;

    public PipelineServiceTests()
    {
        store = new InMemoryPipelineStore(prospects);
        // The pipeline store is not rolled back here: its BeforeApply plays another person's committed move, which the
        // rollback of ours must not undo (PipelineMoveCascadeTests rolls everything back).
        var unit = new InMemoryUnitOfWork(sequences, writeBack, outbox);
        service = new PipelineService(store, prospects, sequences, new Core.Sequences.EnrolmentStops(sequences, outbox, unit), writeBack, new InMemoryOnboardingStore(), unit, clock);
        covenantId = prospects.SeedCovenant("GOLD", "Responsible gold", new DateOnly(2022, 1, 1), new DateOnly(2026, 12, 31)).Id;
    }

    private static OrganisationDraft Draft(string name = "Goudsmederij De Vries B.V.") => new()
    {
        Name = name,
        PartyKind = PartyKind.Company,
        Sector = "Gold",
        Country = "NL",
        Owner = "anna",
    };

    [Fact]
    public async Task Move_Allowed_IsStoredWithTheClocksTime()
    {
        var entry = store.Seed(Stage.Contacted, Start.AddDays(-10));
        clock.Advance(TimeSpan.FromHours(3));

        var result = await service.MoveAsync(entry.Id, Stage.Engaged, " Meeting planned ", "anna", null, default);

        Assert.True(result.Succeeded);
        Assert.Equal(Stage.Engaged, result.Entry!.Stage);
        Assert.Equal(Start.AddHours(3), result.Entry.StageSince);
        var last = (await store.HistoryAsync(entry.Id, default))[^1];
        Assert.Equal((Stage.Contacted, Stage.Engaged, "anna", "Meeting planned", Start.AddHours(3)), (last.From!.Value, last.To, last.By, last.Reason, last.At));
        Assert.Equal(Stage.Engaged, (await store.GetEntryAsync(entry.Id, default))!.Stage);
    }

    [Fact]
    public async Task Move_FromContactedToSigned_IsRefusedWithReason_AndNothingIsStored()
    {
        var entry = store.Seed(Stage.Contacted, Start.AddDays(-10));
        var changesBefore = store.AllChanges.Count;

        var result = await service.MoveAsync(entry.Id, Stage.Signed, "They said yes", "anna", null, default);

        Assert.False(result.Succeeded);
        Assert.False(result.NotFound);
        Assert.Null(result.Entry);
        Assert.Equal(StageRules.WhyRefused(Stage.Contacted, Stage.Signed), result.Refusal);
        Assert.Equal(0, store.ApplyCalls);
        Assert.Equal(changesBefore, store.AllChanges.Count);
        Assert.Equal(entry, await store.GetEntryAsync(entry.Id, default));
    }

    [Fact]
    public async Task Move_WithoutReason_IsRefused_AndNothingIsStored()
    {
        var entry = store.Seed(Stage.Contacted, Start.AddDays(-10));

        var result = await service.MoveAsync(entry.Id, Stage.Engaged, "  ", "anna", null, default);

        Assert.False(result.Succeeded);
        Assert.NotNull(result.Refusal);
        Assert.Equal(0, store.ApplyCalls);
        Assert.Equal(entry, await store.GetEntryAsync(entry.Id, default));
    }

    [Fact]
    public async Task Move_OfUnknownEntry_IsNotFound()
    {
        var result = await service.MoveAsync(404, Stage.Engaged, "Interested", "anna", null, default);

        Assert.True(result.NotFound);
        Assert.False(result.Succeeded);
        Assert.Null(result.Entry);
        Assert.Null(result.Refusal);
        Assert.Equal(0, store.ApplyCalls);
    }

    [Fact]
    public async Task Move_WhenSomeoneElseChangedTheStageFirst_IsRefusedWithAReloadMessage_AndKeepsTheirChange()
    {
        var entry = store.Seed(Stage.Contacted, Start.AddDays(-10));
        store.BeforeApply = _ =>
        {
            store.BeforeApply = null;
            store.ApplyNow(new StageChange(entry.Id, Stage.Contacted, Stage.Declined, Start, "bob", "Not interested"));
        };

        var result = await service.MoveAsync(entry.Id, Stage.Engaged, "Interested", "anna", null, default);

        Assert.False(result.Succeeded);
        Assert.Null(result.Entry);
        Assert.Equal("Someone else changed this prospect's stage in the meantime. Reload and try again.", result.Refusal!.ToString());
        Assert.Equal(Stage.Declined, (await store.GetEntryAsync(entry.Id, default))!.Stage);
        Assert.DoesNotContain(store.AllChanges, c => c.By == "anna");
    }

    [Fact]
    public async Task Move_ToNotNow_JudgesTheRevisitDateByTheAmsterdamDateOfTheClock()
    {
        var entry = store.Seed(Stage.Engaged, Start.AddDays(-10));
        clock.Set(new DateTimeOffset(2026, 1, 15, 23, 30, 0, TimeSpan.Zero)); // already 16 January in Amsterdam

        var refused = await service.MoveAsync(entry.Id, Stage.NotNow, "Later", "anna", new DateOnly(2026, 1, 16), default);
        var allowed = await service.MoveAsync(entry.Id, Stage.NotNow, "Later", "anna", new DateOnly(2026, 1, 17), default);

        Assert.False(refused.Succeeded);
        Assert.True(allowed.Succeeded);
        Assert.Equal(new DateOnly(2026, 1, 17), allowed.Entry!.RevisitOn);
    }

    [Fact]
    public async Task Create_ValidDraft_StoresTheCleanedOrganisationAndItsEntry()
    {
        var draft = Draft("  Goudsmederij De Vries B.V. ") with { Country = "nl", KvkNumber = "12.34.56.78", Website = "https://www.DeVries.nl/contact", Sector = " Gold " };

        var result = await service.CreateAsync(draft, covenantId, Stage.Identified, "anna", null, acceptDuplicates: false, default);

        Assert.True(result.Created);
        Assert.Empty(result.Errors);
        Assert.Empty(result.Duplicates);
        var stored = Assert.Single(prospects.AddedDrafts);
        Assert.Equal(Validation.Clean(draft), stored);
        Assert.Equal(("Goudsmederij De Vries B.V.", "NL", "12345678", "devries.nl", "Gold"), (stored.Name, stored.Country, stored.KvkNumber, stored.Website, stored.Sector));
        var entry = result.Entry!;
        Assert.Equal((prospects.Organisations[0].Id, covenantId, Stage.Identified, Start), (entry.OrganisationId, entry.CovenantId, entry.Stage, entry.StageSince));
        var first = Assert.Single(await store.HistoryAsync(entry.Id, default));
        Assert.Equal((null, Stage.Identified, "anna", "Added to the pipeline"), (first.From, first.To, first.By, first.Reason));
    }

    [Fact]
    public async Task Create_WithAReason_StoresItTrimmed()
    {
        var result = await service.CreateAsync(Draft(), covenantId, Stage.Contacted, "anna", "  Met at the gold fair ", acceptDuplicates: false, default);

        Assert.Equal("Met at the gold fair", Assert.Single(await store.HistoryAsync(result.Entry!.Id, default)).Reason);
    }

    [Fact]
    public async Task Create_InvalidDraft_ReturnsFieldErrors_AndStoresNothing()
    {
        var draft = Draft("") with { Sector = " ", Country = "Netherlands", KvkNumber = "123" };

        var result = await service.CreateAsync(draft, covenantId, Stage.Identified, "anna", null, acceptDuplicates: true, default);

        Assert.False(result.Created);
        Assert.Null(result.Entry);
        Assert.Equal(["Name", "Sector", "Country", "KvkNumber"], result.Errors.Select(e => e.Field));
        Assert.Empty(result.Duplicates);
        Assert.Empty(prospects.Organisations);
        Assert.Empty(store.Entries);
    }

    [Fact]
    public async Task Create_ForUnknownCovenant_IsAFieldError_AndStoresNothing()
    {
        var result = await service.CreateAsync(Draft(), covenantId + 1, Stage.Identified, "anna", null, acceptDuplicates: false, default);

        Assert.False(result.Created);
        Assert.Equal(new FieldError("CovenantId", "Choose a covenant."), Assert.Single(result.Errors));
        Assert.Empty(prospects.Organisations);
        Assert.Empty(store.Entries);
    }

    [Fact]
    public async Task Create_InvalidDraft_OnlyReadsTheCovenants()
    {
        // Strict mocks: any call other than the covenant list would throw.
        var pipeline = new Mock<IPipelineStore>(MockBehavior.Strict);
        var master = new Mock<IProspectStore>(MockBehavior.Strict);
        master.Setup(m => m.ListCovenantsAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync([new Covenant(1, "GOLD", "Gold", new DateOnly(2022, 1, 1), new DateOnly(2026, 12, 31))]);
        var strict = new PipelineService(pipeline.Object, master.Object, sequences, new Core.Sequences.EnrolmentStops(sequences, outbox, new InMemoryUnitOfWork()), writeBack, new InMemoryOnboardingStore(), new InMemoryUnitOfWork(), clock);

        var result = await strict.CreateAsync(Draft("   "), 1, Stage.Identified, "anna", null, acceptDuplicates: true, default);

        Assert.Equal("Name", Assert.Single(result.Errors).Field);
        master.Verify(m => m.ListCovenantsAsync(It.IsAny<CancellationToken>()), Times.Once);
        master.VerifyNoOtherCalls();
        pipeline.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Create_LikelyDuplicate_IsReturnedAsWarning_AndNothingIsCreated()
    {
        var existing = await prospects.AddOrganisationAsync(Draft("Goudsmederij de Vries") with { KvkNumber = "87654321" }, default);
        var entriesBefore = store.Entries.Count;

        var result = await service.CreateAsync(Draft("GOUDSMEDERIJ DE VRIES BV"), covenantId, Stage.Identified, "anna", null, acceptDuplicates: false, default);

        Assert.False(result.Created);
        Assert.Empty(result.Errors);
        var warning = Assert.Single(result.Duplicates);
        Assert.Equal((existing.Id, "Goudsmederij de Vries"), (warning.OrganisationId, warning.OrganisationName));
        Assert.Single(prospects.Organisations);
        Assert.Equal(entriesBefore, store.Entries.Count);
    }

    [Fact]
    public async Task Create_LikelyDuplicateAccepted_CreatesAndStillReportsTheWarning()
    {
        await prospects.AddOrganisationAsync(Draft("Other name") with { Website = "devries.nl" }, default);

        var result = await service.CreateAsync(Draft() with { Website = "http://www.devries.nl" }, covenantId, Stage.Identified, "anna", null, acceptDuplicates: true, default);

        Assert.True(result.Created);
        Assert.Contains("devries.nl", Assert.Single(result.Duplicates).Why.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, prospects.Organisations.Count);
        Assert.Single(store.Entries);
    }
}

/// <summary>What a stage move reaches beyond the entry, on the in-memory stores; who enrols by rule.</summary>
public sealed class PipelineMoveCascadeTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider clock = new(Start);
    private readonly InMemoryProspectStore prospects = new();
    private readonly InMemoryPipelineStore store;
    private readonly InMemorySequenceStore sequences = new();
    private readonly InMemoryWriteBackOutbox writeBack = new() { DataverseInUse = true };
    private readonly InMemoryOnboardingStore onboarding = new();
    private readonly InMemoryMailOutbox outbox = new();
    private readonly PipelineService service;

    public PipelineMoveCascadeTests()
    {
        store = new InMemoryPipelineStore(prospects);
        var unit = new InMemoryUnitOfWork(store, prospects, sequences, writeBack, onboarding, outbox);
        service = new PipelineService(store, prospects, sequences, new Core.Sequences.EnrolmentStops(sequences, outbox, unit), writeBack, onboarding, unit, clock);
    }

    private async Task<(PipelineEntry Entry, Contact Eva, Contact Gone)> ProspectAsync(Stage stage)
    {
        var entry = store.Seed(stage, Start.AddDays(-10));
        var eva = await prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva", Email = "eva@goud.example" }, default);
        var gone = await prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Gone", Email = "gone@goud.example" }, default);
        await prospects.SetOptedOutAsync(gone.Id, Start, default);
        await prospects.AddContactAsync(entry.OrganisationId + 1000, new ContactDraft { Name = "Elsewhere", Email = "x@elsewhere.example" }, default);
        return (entry, eva, gone);
    }

    [Fact]
    public async Task APersonsMove_EnrolsTheReachableContactsByRule_Once_AndStopsWhatTheStageEnds()
    {
        var (entry, eva, _) = await ProspectAsync(Stage.Identified);
        var onContacted = sequences.SeedSequence("After first contact", Stage.Contacted, enrolOnEntering: Stage.Contacted);
        var identifiedOnly = sequences.SeedSequence("Warm up", Stage.Identified);
        var warmUp = await sequences.AddEnrolmentAsync(new Core.Sequences.Enrolment { SequenceId = identifiedOnly.Id, ProspectId = entry.Id, ContactId = eva.Id, OrganisationId = entry.OrganisationId }, default);
        writeBack.MirroredEntries.Add(entry.Id);
        outbox.Seed(Core.Sequences.SequenceRunner.KeyFor(warmUp.Id, 0), eva.Id);

        var result = await service.MoveAsync(entry.Id, Stage.Contacted, "Called", "anna", null, default);

        Assert.True(result.Succeeded);
        Assert.Equal(Core.Sequences.StopReason.StageMovedOn, sequences.Enrolments.Single(e => e.Id == warmUp.Id).StoppedBecause);
        // The stopped enrolment's queued step is withdrawn in the move's unit.
        Assert.Equal((Core.Mail.OutboxStatus.Cancelled, "Withdrawn: the enrolment stopped (stage_moved_on)"), (outbox.Mails[0].Status, outbox.Mails[0].LastError));
        var byRule = Assert.Single(sequences.Enrolments, e => e.SequenceId == onContacted.Id);
        Assert.Equal((eva.Id, entry.Id, (DateTimeOffset?)null, clock.GetUtcNow()), (byRule.ContactId, byRule.ProspectId, byRule.NextDue, byRule.EnrolledAt));
        Assert.Equal([$"stage-change:{store.AllChanges[^1].Id}"], writeBack.Keys);

        // Out to not now and back: the rule's enrolment stops, and entering again enrols again.
        await service.MoveAsync(entry.Id, Stage.NotNow, "Busy", "anna", new DateOnly(2026, 9, 1), default);
        await service.MoveAsync(entry.Id, Stage.Contacted, "Back", "anna", null, default);
        Assert.Equal([Core.Sequences.EnrolmentState.Stopped, Core.Sequences.EnrolmentState.Active],
            sequences.Enrolments.Where(e => e.SequenceId == onContacted.Id).Select(e => e.State));
    }

    [Fact]
    public async Task ANewEntry_QueuesItsFirstLinesWriteBack_AndANextActionItsOwn_ForAMirroredAccountOnly()
    {
        var (seeded, _, _) = await ProspectAsync(Stage.Identified);
        // The fake hands out entry ids in order: the next one mirrors a Dataverse account.
        writeBack.MirroredEntries.Add(seeded.Id + 1);

        var entry = await service.AddEntryAsync(seeded.OrganisationId, 2, Stage.Contacted, clock.GetUtcNow(), "anna", "Second covenant", default);

        Assert.Equal(seeded.Id + 1, entry.Id);
        var first = Assert.Single(await store.HistoryAsync(entry.Id, default));
        Assert.Equal([$"stage-change:{first.Id}"], writeBack.Keys);
        await service.SetNextActionAsync(entry.Id, "Call back", new DateOnly(2026, 3, 5), new DateOnly(2026, 3, 2), default);
        Assert.Equal(("Call back", (DateOnly?)new DateOnly(2026, 3, 5)), ((await store.GetEntryAsync(entry.Id, default))!.NextAction, (await store.GetEntryAsync(entry.Id, default))!.NextActionDue));
        Assert.Equal(2, writeBack.Keys.Count);
        Assert.StartsWith($"next-action:{entry.Id}:", writeBack.Keys[1], StringComparison.Ordinal);
        // An entry whose organisation mirrors no account queues nothing.
        await service.SetNextActionAsync(seeded.Id, "Mail the text", null, new DateOnly(2026, 3, 2), default);
        Assert.Equal(2, writeBack.Keys.Count);
    }

    [Fact]
    public async Task AJobsMove_StopsWhatTheStageEnds_ButEnrolsNobody()
    {
        var (entry, eva, _) = await ProspectAsync(Stage.NotNow);
        sequences.SeedSequence("Re-engage", Stage.Identified, enrolOnEntering: Stage.Identified);
        var decision = Core.Pipeline.Pipeline.Decide(entry, Stage.Identified, "Revisit date reached", "system:pipeline-hygiene", clock.GetUtcNow());

        var moved = await service.ApplyFromJobAsync(decision.Change!, default);

        Assert.Equal(Stage.Identified, moved.Stage);
        Assert.Empty(sequences.Enrolments);
        // The same move made by a person would enrol Eva.
        var back = Core.Pipeline.Pipeline.Decide(moved, Stage.NotNow, "Busy", "anna", clock.GetUtcNow(), new DateOnly(2026, 9, 1));
        await service.ApplyAsync(back.Change!, default);
        await service.ApplyAsync(Core.Pipeline.Pipeline.Decide((await store.GetEntryAsync(entry.Id, default))!, Stage.Identified, "Again", "anna", clock.GetUtcNow()).Change!, default);
        Assert.Equal([eva.Id], sequences.Enrolments.Select(e => e.ContactId));
    }

    [Fact]
    public async Task AFailureHalfWayThroughAMove_LeavesNothingWritten()
    {
        var (entry, _, _) = await ProspectAsync(Stage.Identified);
        sequences.SeedSequence("After first contact", Stage.Contacted, enrolOnEntering: Stage.Contacted);
        writeBack.MirroredEntries.Add(entry.Id);
        sequences.FailEnrolByRule = true;
        var changes = store.AllChanges.Count;

        await Assert.ThrowsAsync<InvalidOperationException>(() => service.MoveAsync(entry.Id, Stage.Contacted, "Called", "anna", null, default));

        Assert.Equal(Stage.Identified, (await store.GetEntryAsync(entry.Id, default))!.Stage);
        Assert.Equal(changes, store.AllChanges.Count);
        Assert.Empty(writeBack.Keys);
        Assert.Empty(sequences.Enrolments);
    }
}
