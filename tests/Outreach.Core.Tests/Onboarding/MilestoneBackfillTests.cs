using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Prospects.Import;
using Outreach.Core.Tests.Fakes;
using Outreach.Testing;

namespace Outreach.Core.Tests.Onboarding;

/// <summary>
/// Issue 14 point 2: a signed party without milestones (it signed before its covenant had a plan) gets them afterwards from
/// the plan page, and a prospect imported at signed gets them with the import; both by the signing's own rule.
/// </summary>
public sealed class MilestoneBackfillTests
{
    // The covenant runs 2023-01-01 to 2027-12-31: year 2 is 2024, year 5 the last.
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2024, 5, 10, 22, 30, 0, TimeSpan.Zero));
    private readonly InMemoryProspectStore prospects = new();
    private readonly InMemoryPipelineStore store;
    private readonly InMemorySequenceStore sequences = new();
    private readonly InMemoryWriteBackOutbox writeBack = new() { DataverseInUse = true };
    private readonly InMemoryOnboardingStore onboarding = new();
    private readonly InMemoryUnitOfWork unit;
    private readonly PipelineService moves;
    private readonly MilestoneBackfill backfill;
    private readonly Covenant gold;

    public MilestoneBackfillTests()
    {
        store = new InMemoryPipelineStore(prospects);
        onboarding.Pipeline = store;
        onboarding.Prospects = prospects;
        writeBack.Onboarding = onboarding;
        var outbox = new InMemoryMailOutbox();
        unit = new InMemoryUnitOfWork(store, prospects, sequences, writeBack, onboarding, outbox);
        moves = new PipelineService(store, prospects, sequences, new Core.Sequences.EnrolmentStops(sequences, outbox, unit), writeBack, onboarding, unit, clock);
        backfill = new MilestoneBackfill(prospects, onboarding, writeBack, unit, clock, NullLogger<MilestoneBackfill>.Instance);
        gold = prospects.SeedCovenant("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31));
    }

    private async Task<PipelineEntry> SignedAsync(string name, PartyKind kind = PartyKind.Company)
    {
        var entry = await store.AddProspectAsync(new OrganisationDraft { Name = name, PartyKind = kind, Sector = "gold", Country = "NL", Owner = "Anne" },
            gold.Id, Stage.SigningScheduled, clock.GetUtcNow().AddDays(-5), "anna", "Signing planned", default);
        await MoveAsync(entry.Id, Stage.Signed);
        return entry;
    }

    private async Task MoveAsync(long entryId, Stage to)
    {
        var moved = await moves.MoveAsync(entryId, to, "Next step", "anna", null, default);
        Assert.True(moved.Succeeded, moved.Refusal?.ToString());
    }

    private Task SavePlanAsync() => onboarding.SavePlanAsync(gold.Id, 0, OnboardingTestData.Plan().Milestones, 0, clock.GetUtcNow(), "anna", default);

    /// <summary>
    /// Before the plan: "early" signs at 00:30 on 11 May 2024 in Amsterdam (22:30 UTC the day before), an NGO signs, "gone"
    /// signs and leaves, "again" signs, leaves and signs again on 3 March 2025, "intake" never signs. Then the plan is saved
    /// and "later" signs under it (so it has its milestones).
    /// </summary>
    private async Task<(PipelineEntry Early, PipelineEntry Ngo, PipelineEntry Gone, PipelineEntry Again, PipelineEntry Intake, PipelineEntry Later)> PartiesAsync()
    {
        var early = await SignedAsync("Vroeg B.V.");
        var ngo = await SignedAsync("Stichting Eerlijk Goud", PartyKind.Ngo);
        var gone = await SignedAsync("Weg B.V.");
        var again = await SignedAsync("Opnieuw B.V.");
        clock.Set(new DateTimeOffset(2024, 9, 1, 9, 0, 0, TimeSpan.Zero));
        await MoveAsync(gone.Id, Stage.Left);
        await MoveAsync(again.Id, Stage.Left);
        clock.Set(new DateTimeOffset(2025, 3, 3, 9, 0, 0, TimeSpan.Zero));
        foreach (var stage in Stages.Funnel) await MoveAsync(again.Id, stage);
        var intake = await store.AddProspectAsync(new OrganisationDraft { Name = "Intake B.V.", PartyKind = PartyKind.Company, Sector = "gold", Country = "NL", Owner = "Anne" },
            gold.Id, Stage.Intake, clock.GetUtcNow(), "anna", "Talking", default);
        Assert.Empty(onboarding.Milestones);

        clock.Set(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await SavePlanAsync();
        var later = await SignedAsync("Later B.V.");
        Assert.NotEmpty(await onboarding.ListForProspectAsync(later.Id, default));
        return (early, ngo, gone, again, intake, later);
    }

    [Fact]
    public void Plan_GivesEachPartyTheSigningsMilestones_FromItsAmsterdamSigningDay_AndLeavesOutAPartyAskedNothing()
    {
        var plan = OnboardingTestData.Plan();
        var company = new PartyWithoutMilestones(7, "Vroeg B.V.", PartyKind.Company, new DateTimeOffset(2022, 5, 10, 22, 30, 0, TimeSpan.Zero));
        var ngo = new PartyWithoutMilestones(8, "Stichting", PartyKind.Ngo, new DateTimeOffset(2022, 5, 10, 9, 0, 0, TimeSpan.Zero));

        var missing = Assert.Single(MilestoneBackfill.Plan(plan, OnboardingTestData.Gold, [company, ngo]));

        Assert.Equal((7L, new DateOnly(2022, 5, 11)), (missing.Party.ProspectId, missing.SignedOn));
        Assert.Equal(OnboardingRules.MilestonesAtSigning(plan, OnboardingTestData.Gold, PartyKind.Company, new DateOnly(2022, 5, 11)), missing.Drafts);
        // Signed in year 2 (2022): policy 12 months on, tool 6, risk 18, the training from year 3 to the covenant's last (5).
        Assert.Equal(
            [("policy", (int?)null, new DateOnly(2023, 5, 11)), ("tool", null, new DateOnly(2022, 11, 11)), ("risk", null, new DateOnly(2023, 11, 11)),
             ("training", 3, new DateOnly(2023, 11, 1)), ("training", 4, new DateOnly(2024, 11, 1)), ("training", 5, new DateOnly(2025, 11, 1))],
            missing.Drafts.Select(d => (d.Key, d.Year, d.DueOn)));
        Assert.All(missing.Drafts, d => Assert.Equal(plan.Version, d.PlanVersion));
        Assert.Empty(MilestoneBackfill.Plan(null, OnboardingTestData.Gold, [company]));
        Assert.Empty(MilestoneBackfill.Plan(plan with { Milestones = [] }, OnboardingTestData.Gold, [company]));
    }

    [Fact]
    public async Task Pending_NamesTheSignedPartiesWithoutMilestones_NotTheNgoAskedNothing_TheOneThatLeft_OrTheOneThatHasThem()
    {
        var (early, _, _, again, _, _) = await PartiesAsync();

        var pending = await backfill.PendingAsync(gold.Id, default);

        Assert.Equal([(early.Id, new DateOnly(2024, 5, 11)), (again.Id, new DateOnly(2025, 3, 3))], pending!.Select(p => (p.Party.ProspectId, p.SignedOn)));
        Assert.Null(await backfill.PendingAsync(999, default));
    }

    [Fact]
    public async Task Create_GivesExactlyThoseParties_TheirMilestones_InOneUnit_WithHistoryAuditAndWriteBack_AndASecondPressCreatesNothing()
    {
        var (early, ngo, gone, again, intake, later) = await PartiesAsync();
        writeBack.MirroredEntries.Add(early.Id);
        var laterBefore = await onboarding.ListForProspectAsync(later.Id, default);
        var units = unit.Runs;
        clock.Advance(TimeSpan.FromHours(1));

        var result = await backfill.CreateAsync(gold.Id, "bram", default);

        // Early: signed in year 2 (2024), first monitored in year 3; 6 milestones. Again: signed in year 3 (2025), monitored from year 4; 5.
        Assert.Equal(new MilestoneBackfillResult(2, 11), result);
        Assert.Equal(units + 1, unit.Runs);
        Assert.Equal(
            [("tool", (int?)null, new DateOnly(2024, 11, 11)), ("policy", null, new DateOnly(2025, 5, 11)), ("training", 3, new DateOnly(2025, 11, 1)),
             ("risk", null, new DateOnly(2025, 11, 11)), ("training", 4, new DateOnly(2026, 11, 1)), ("training", 5, new DateOnly(2027, 11, 1))],
            (await onboarding.ListForProspectAsync(early.Id, default)).Select(m => (m.Key, m.Year, m.DueOn)));
        // From its latest signing, not its first.
        Assert.Equal(new DateOnly(2026, 3, 3), (await onboarding.ListForProspectAsync(again.Id, default)).Single(m => m.Key == "policy").DueOn);
        Assert.Empty(await onboarding.ListForProspectAsync(ngo.Id, default));
        Assert.Empty(await onboarding.ListForProspectAsync(gone.Id, default));
        Assert.Empty(await onboarding.ListForProspectAsync(intake.Id, default));
        Assert.Equal(laterBefore, await onboarding.ListForProspectAsync(later.Id, default));
        // History and audit by the person who pressed, at the moment of the press.
        var history = await onboarding.HistoryForProspectAsync(early.Id, default);
        Assert.Equal(6, history.Count);
        Assert.All(history, h => Assert.Equal((MilestoneAction.Created, "bram", clock.GetUtcNow()), (h.Action, h.By, h.At)));
        Assert.Equal([(early.Id, "bram", 6), (again.Id, "bram", 5)], onboarding.Audited);
        // The mirrored party's milestones go to Dynamics with the creation.
        var earlyIds = (await onboarding.ListForProspectAsync(early.Id, default)).Select(m => m.Id).ToHashSet();
        Assert.Equal(6, writeBack.Keys.Count(k => k.StartsWith("milestone:", StringComparison.Ordinal) && earlyIds.Contains(long.Parse(k.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture))));

        var (count, keys) = (onboarding.Milestones.Count, writeBack.Keys.Count);
        var second = await backfill.CreateAsync(gold.Id, "zoe", default);

        Assert.Equal(new MilestoneBackfillResult(0, 0), second);
        Assert.Equal((count, keys, 2), (onboarding.Milestones.Count, writeBack.Keys.Count, onboarding.Audited.Count));
        Assert.Empty((await backfill.PendingAsync(gold.Id, default))!);
    }

    [Fact]
    public async Task AFailureAtTheSecondParty_LeavesTheFirstWithoutMilestonesToo()
    {
        var (early, _, _, again, _, _) = await PartiesAsync();
        writeBack.MirroredEntries.Add(early.Id);
        var (count, keys) = (onboarding.Milestones.Count, writeBack.Keys.Count);
        onboarding.BeforeAddMissing = id =>
        {
            if (id == again.Id) throw new InvalidOperationException("The database went away.");
        };

        await Assert.ThrowsAsync<InvalidOperationException>(() => backfill.CreateAsync(gold.Id, "bram", default));

        Assert.Empty(await onboarding.ListForProspectAsync(early.Id, default));
        Assert.Equal((count, keys), (onboarding.Milestones.Count, writeBack.Keys.Count));
        Assert.Empty(onboarding.Audited);
    }

    [Fact]
    public async Task APartyThatGotMilestonesInTheMeantime_IsLeftAsItIs_AndNotCounted()
    {
        var (early, _, _, again, _, _) = await PartiesAsync();
        // Someone else's press (or a signing) gave "early" a milestone between the read and the write.
        onboarding.BeforeAddMissing = id =>
        {
            // The fake completes at once: the task is done when it returns.
            if (id == early.Id) _ = onboarding.AddMilestonesAsync(early.Id, [new MilestoneDraft("policy", null, new DateOnly(2025, 5, 11), "x", "x", 1)], clock.GetUtcNow(), "zoe", default);
        };

        var result = await backfill.CreateAsync(gold.Id, "bram", default);

        Assert.Equal(new MilestoneBackfillResult(1, 5), result);
        Assert.Equal(["zoe"], (await onboarding.HistoryForProspectAsync(early.Id, default)).Select(h => h.By));
        Assert.Equal([again.Id], onboarding.Audited.Select(a => a.ProspectId));
    }

    [Fact]
    public async Task WithoutAPlan_NothingIsPendingOrCreated_AndAnUnknownCovenantIsNotFound()
    {
        await SignedAsync("Vroeg B.V.");

        Assert.Empty((await backfill.PendingAsync(gold.Id, default))!);
        Assert.Equal(new MilestoneBackfillResult(0, 0), await backfill.CreateAsync(gold.Id, "bram", default));
        Assert.Null(await backfill.CreateAsync(999, "bram", default));
        Assert.Empty(onboarding.Milestones);
        await Assert.ThrowsAsync<ArgumentException>(() => backfill.CreateAsync(gold.Id, " ", default));
    }

    [Fact]
    public void AnImportedSignedRow_GetsTheSigningsMilestones_FromItsImportedSigningDay_OtherRowsAndCovenantsWithoutAPlanNone()
    {
        var plan = OnboardingTestData.Plan();
        var silver = new Covenant(2, "silver", "Silver", new DateOnly(2021, 1, 1), new DateOnly(2025, 12, 31));
        var signed = new PlannedEntry(2, OnboardingTestData.Gold.Id, Stage.Signed)
        {
            History = [new(Stage.Contacted, new DateOnly(2022, 2, 10)), new(Stage.Engaged, new DateOnly(2022, 5, 11)), new(Stage.Intake, new DateOnly(2022, 5, 11)),
                       new(Stage.SigningScheduled, new DateOnly(2022, 5, 11)), new(Stage.Signed, new DateOnly(2022, 5, 11))],
        };
        var engaged = new PlannedEntry(3, OnboardingTestData.Gold.Id, Stage.Engaged) { History = [new(Stage.Contacted, new DateOnly(2022, 2, 10)), new(Stage.Engaged, new DateOnly(2022, 5, 11))] };
        var otherCovenant = signed with { RowNumber = 4, CovenantId = silver.Id };
        var organisation = new PlannedOrganisation(new OrganisationDraft { Name = "Goud B.V.", PartyKind = PartyKind.Company }, "goud", [], [signed, engaged, otherCovenant], [2, 3, 4]);
        var import = new ImportPlan([], [], [organisation]);

        var attached = ImportedMilestones.Attach(import, new Dictionary<long, OnboardingPlan> { [OnboardingTestData.Gold.Id] = plan }, [OnboardingTestData.Gold, silver], new DateOnly(2024, 1, 1));

        var entries = attached.Organisations.Single().Entries;
        Assert.Equal(OnboardingRules.MilestonesAtSigning(plan, OnboardingTestData.Gold, PartyKind.Company, new DateOnly(2022, 5, 11)), entries[0].Milestones);
        Assert.Equal(6, attached.MilestoneCount);
        Assert.Empty(entries[1].Milestones);
        Assert.Empty(entries[2].Milestones);
        Assert.Same(import, ImportedMilestones.Attach(import, new Dictionary<long, OnboardingPlan>(), [OnboardingTestData.Gold], new DateOnly(2024, 1, 1)));
    }
}
