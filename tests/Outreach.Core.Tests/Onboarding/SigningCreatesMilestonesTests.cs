using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Tests.Fakes;
using Outreach.Testing;

namespace Outreach.Core.Tests.Onboarding;

/// <summary>Reaching signed creates the party's milestones in the move's unit of work, on the in-memory stores.</summary>
public sealed class SigningCreatesMilestonesTests
{
    // 2026-03-02 10:00 in Amsterdam: year 4 of a covenant that started 2023-01-01 runs 2026-01-01 to 2026-12-31.
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryProspectStore prospects = new();
    private readonly InMemoryPipelineStore store;
    private readonly InMemorySequenceStore sequences = new();
    private readonly InMemoryWriteBackOutbox writeBack = new();
    private readonly InMemoryOnboardingStore onboarding = new();
    private readonly PipelineService service;
    private readonly Covenant gold;

    public SigningCreatesMilestonesTests()
    {
        store = new InMemoryPipelineStore(prospects);
        var outbox = new InMemoryMailOutbox();
        var unit = new InMemoryUnitOfWork(store, prospects, sequences, writeBack, onboarding, outbox);
        service = new PipelineService(store, prospects, sequences, new Core.Sequences.EnrolmentStops(sequences, outbox, unit), writeBack, onboarding, unit, clock);
        gold = prospects.SeedCovenant("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31));
    }

    private async Task<PipelineEntry> ScheduledAsync(PartyKind kind)
    {
        var organisation = await prospects.AddOrganisationAsync(new OrganisationDraft { Name = "Party " + kind, PartyKind = kind, Sector = "gold", Country = "NL", Owner = "Anne" }, default);
        return await store.AddEntryAsync(organisation.Id, gold.Id, Stage.SigningScheduled, clock.GetUtcNow().AddDays(-5), "anna", "Signing planned", default);
    }

    private Task SavePlanAsync() => onboarding.SavePlanAsync(gold.Id, 0, OnboardingTestData.Plan().Milestones, 0, clock.GetUtcNow(), "anna", default);

    [Fact]
    public async Task MovingToSigned_CreatesThePlansMilestones_WithDueDatesFromTheSigningDay()
    {
        await SavePlanAsync();
        var entry = await ScheduledAsync(PartyKind.Company);

        var result = await service.MoveAsync(entry.Id, Stage.Signed, "Signed at the steering group", "anna", null, default);

        Assert.True(result.Succeeded);
        var created = await onboarding.ListForProspectAsync(entry.Id, default);
        // Signed in year 4, first monitored in year 5: the training of years 5 only (the covenant ends in year 5).
        Assert.Equal(
            [("tool", (int?)null, new DateOnly(2026, 9, 2)), ("policy", null, new DateOnly(2027, 3, 2)), ("risk", null, new DateOnly(2027, 9, 2)), ("training", 5, new DateOnly(2027, 11, 1))],
            created.Select(m => (m.Key, m.Year, m.DueOn)));
        Assert.All(await onboarding.HistoryForProspectAsync(entry.Id, default), h => Assert.Equal((MilestoneAction.Created, "anna"), (h.Action, h.By)));
    }

    [Fact]
    public async Task MovingToSigned_WithoutAPlan_CreatesNothing_AndAnNgoIsAskedNothing()
    {
        var before = await ScheduledAsync(PartyKind.Company);
        Assert.True((await service.MoveAsync(before.Id, Stage.Signed, "Signed", "anna", null, default)).Succeeded);
        Assert.Empty(onboarding.Milestones);

        await SavePlanAsync();
        var ngo = await ScheduledAsync(PartyKind.Ngo);
        Assert.True((await service.MoveAsync(ngo.Id, Stage.Signed, "Signed", "anna", null, default)).Succeeded);
        Assert.Empty(onboarding.Milestones);
    }

    [Fact]
    public async Task OtherMoves_CreateNoMilestones_AndLeavingKeepsThem()
    {
        await SavePlanAsync();
        var entry = await ScheduledAsync(PartyKind.Company);
        await service.MoveAsync(entry.Id, Stage.Intake, "Not yet", "anna", null, default);
        Assert.Empty(onboarding.Milestones);
        await service.MoveAsync(entry.Id, Stage.SigningScheduled, "Again", "anna", null, default);
        await service.MoveAsync(entry.Id, Stage.Signed, "Signed", "anna", null, default);
        var count = onboarding.Milestones.Count;

        Assert.True((await service.MoveAsync(entry.Id, Stage.Left, "Company sold", "anna", null, default)).Succeeded);

        Assert.Equal(4, count);
        Assert.Equal(count, (await onboarding.ListForProspectAsync(entry.Id, default)).Count);
    }

    [Fact]
    public async Task AFailureLaterInTheSigningMove_LeavesNoMilestones()
    {
        await SavePlanAsync();
        var entry = await ScheduledAsync(PartyKind.Company);
        await prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva", Email = "eva@goud.example" }, default);
        sequences.SeedSequence("Welcome", Stage.Signed, enrolOnEntering: Stage.Signed);
        sequences.FailEnrolByRule = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() => service.MoveAsync(entry.Id, Stage.Signed, "Signed", "anna", null, default));

        Assert.Empty(onboarding.Milestones);
        Assert.Equal(Stage.SigningScheduled, (await store.GetEntryAsync(entry.Id, default))!.Stage);
    }
}
