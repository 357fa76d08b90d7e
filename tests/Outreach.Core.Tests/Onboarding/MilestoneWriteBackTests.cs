using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Prospects.Import;
using Outreach.Core.Tests.Fakes;
using Outreach.Testing;

namespace Outreach.Core.Tests.Onboarding;

/// <summary>
/// Issue 14 point 6 in Core: the Dataverse write-back of a party's milestones is queued in the unit of work of what changed
/// them (signing, done, reopen, a questionnaire import, leaving), only for a party that mirrors a Dataverse account, and
/// not at all when the change is refused or rolled back.
/// </summary>
public sealed class MilestoneWriteBackTests
{
    // 2026-03-02 10:00 in Amsterdam: year 4 of a covenant that started 2023-01-01.
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryProspectStore prospects = new();
    private readonly InMemoryPipelineStore store;
    private readonly InMemorySequenceStore sequences = new();
    private readonly InMemoryWriteBackOutbox writeBack = new() { DataverseInUse = true };
    private readonly InMemoryOnboardingStore onboarding = new();
    private readonly InMemoryMailOutbox mail = new();
    private readonly InMemoryUnitOfWork unit;
    private readonly PipelineService moves;
    private readonly OnboardingService service;
    private readonly Covenant gold;

    public MilestoneWriteBackTests()
    {
        store = new InMemoryPipelineStore(prospects);
        writeBack.Onboarding = onboarding;
        unit = new InMemoryUnitOfWork(store, prospects, sequences, writeBack, onboarding, mail);
        moves = new PipelineService(store, prospects, sequences, new Core.Sequences.EnrolmentStops(sequences, mail, unit), writeBack, onboarding, unit, clock);
        service = new OnboardingService(onboarding, new MilestoneCompletion(onboarding, mail, writeBack, unit), clock, writeBack, unit);
        gold = prospects.SeedCovenant("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31));
    }

    private static readonly DateOnly Today = new(2026, 3, 2);
    private static readonly string[] ImportedKeys = ["policy", "tool"];

    private IEnumerable<string> MilestoneKeys => writeBack.Keys.Where(k => k.StartsWith("milestone:", StringComparison.Ordinal));

    private static long MilestoneOf(string key) => long.Parse(key.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

    private async Task<PipelineEntry> SignedAsync(string name, bool mirrored = true)
    {
        if ((await onboarding.ListPlanVersionsAsync(gold.Id, default)).Count == 0)
            await onboarding.SavePlanAsync(gold.Id, 0, OnboardingTestData.Plan().Milestones, 0, clock.GetUtcNow(), "anna", default);
        var organisation = await prospects.AddOrganisationAsync(new OrganisationDraft { Name = name, PartyKind = PartyKind.Company, Sector = "gold", Country = "NL", Owner = "Anne" }, default);
        var entry = await store.AddEntryAsync(organisation.Id, gold.Id, Stage.SigningScheduled, clock.GetUtcNow().AddDays(-5), "anna", "Signing planned", default);
        if (mirrored) writeBack.MirroredEntries.Add(entry.Id);
        var result = await moves.MoveAsync(entry.Id, Stage.Signed, "Signed at the steering group", "anna", null, default);
        Assert.True(result.Succeeded);
        return result.Entry!;
    }

    [Fact]
    public async Task Signing_QueuesEveryMilestoneOfAMirroredParty_AndNothingForOneWithoutADataverseAccount()
    {
        var local = await SignedAsync("Local Gold", mirrored: false);
        Assert.NotEmpty(await onboarding.ListForProspectAsync(local.Id, default));
        Assert.Empty(MilestoneKeys);

        var entry = await SignedAsync("Dynamics Gold");

        var created = await onboarding.ListForProspectAsync(entry.Id, default);
        Assert.Equal(4, created.Count);
        Assert.Equal(created.OrderBy(m => m.DueOn).ThenBy(m => m.Id).Select(m => m.Id), MilestoneKeys.Select(MilestoneOf));
    }

    [Fact]
    public async Task Done_AndReopen_EachQueueTheMilestone_ARefusedOneQueuesNothing()
    {
        var entry = await SignedAsync("Dynamics Gold");
        var policy = (await onboarding.ListForProspectAsync(entry.Id, default)).Single(m => m.Key == "policy");
        var before = MilestoneKeys.Count();

        // Refused: done in the future, and a reopen of an open milestone.
        Assert.False((await service.MarkDoneAsync(entry.Id, policy.Id, Today.AddDays(3), "https://evidence.example/p", null, "anna", default)).Succeeded);
        Assert.False((await service.ReopenAsync(entry.Id, policy.Id, "Not done", "anna", default)).Succeeded);
        Assert.Equal(before, MilestoneKeys.Count());

        Assert.True((await service.MarkDoneAsync(entry.Id, policy.Id, Today, "https://evidence.example/p", null, "anna", default)).Succeeded);
        Assert.Equal(policy.Id, MilestoneOf(MilestoneKeys.Last()));
        Assert.Equal(before + 1, MilestoneKeys.Count());

        Assert.True((await service.ReopenAsync(entry.Id, policy.Id, "The wrong document", "anna", default)).Succeeded);
        Assert.Equal(before + 2, MilestoneKeys.Count());
        Assert.Equal(policy.Id, MilestoneOf(MilestoneKeys.Last()));
        // Each change its own unit of work: the change and its write-back.
        Assert.Null((await onboarding.GetMilestoneAsync(policy.Id, default))!.DoneOn);
    }

    [Fact]
    public async Task Done_WhenQueueingFails_IsRolledBackWithIt()
    {
        var entry = await SignedAsync("Dynamics Gold");
        var policy = (await onboarding.ListForProspectAsync(entry.Id, default)).Single(m => m.Key == "policy");
        var throwing = new ThrowingWriteBack();
        var failing = new OnboardingService(onboarding, new MilestoneCompletion(onboarding, mail, throwing, unit), clock, throwing, unit);

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.MarkDoneAsync(entry.Id, policy.Id, Today, "https://evidence.example/p", null, "anna", default));

        Assert.False((await onboarding.GetMilestoneAsync(policy.Id, default))!.IsDone);
    }

    [Fact]
    public async Task Leaving_QueuesTheMilestonesAgain()
    {
        var entry = await SignedAsync("Dynamics Gold");
        var before = MilestoneKeys.Count();
        Assert.Equal(4, before);
        clock.Advance(TimeSpan.FromDays(40));

        Assert.True((await moves.MoveAsync(entry.Id, Stage.Left, "Company sold", "anna", null, default)).Succeeded);

        Assert.Equal(before * 2, MilestoneKeys.Count());
    }

    [Fact]
    public async Task AQuestionnaireImport_QueuesEachRecordedAnswer_AndAFileWithAnErrorQueuesNothing()
    {
        var entry = await SignedAsync("Dynamics Gold");
        onboarding.Parties = _ =>
        [
            new MonitoredParty { ProspectId = entry.Id, Name = "Dynamics Gold", Kind = PartyKind.Company, SignedOn = Today, Milestones = onboarding.Milestones.Where(m => m.ProspectId == entry.Id).ToList() },
        ];
        var before = MilestoneKeys.Count();
        string[] header = ["party", "year", "milestone", "done on", "evidence"];
        QuestionnaireImport Import(params string[][] rows) =>
            new(new FixedFile(new ImportFile(header, rows.Select((r, i) => new ImportRow(i + 2, r)).ToList(), null)), prospects, onboarding, new MilestoneCompletion(onboarding, mail, writeBack, unit), unit, clock);

        var refused = await Import(["Dynamics Gold", "", "policy", "2026-03-01", "https://evidence.example/p"], ["Dynamics Gold", "", "nothing", "2026-03-01", "https://x.example"])
            .ImportAsync(gold.Id, Stream.Null, "anna", default);
        Assert.False(refused.Succeeded);
        Assert.Equal(before, MilestoneKeys.Count());

        var imported = await Import(["Dynamics Gold", "", "policy", "2026-03-01", "https://evidence.example/p"], ["Dynamics Gold", "", "tool", "2026-02-20", "https://evidence.example/t"])
            .ImportAsync(gold.Id, Stream.Null, "anna", default);

        Assert.True(imported.Succeeded, string.Join("; ", imported.Errors));
        var milestones = await onboarding.ListForProspectAsync(entry.Id, default);
        Assert.Equal(
            ImportedKeys.Select(k => milestones.Single(m => m.Key == k).Id).Order(),
            MilestoneKeys.Skip(before).Select(MilestoneOf).Order());
    }

    private sealed class FixedFile(ImportFile file) : IImportFileReader
    {
        public Task<ImportFile> ReadAsync(Stream csv, IProgress<ImportProgress>? progress, CancellationToken ct) => Task.FromResult(file);
    }

    /// <summary>A write-back outbox whose milestone queueing fails after the store has changed the milestone.</summary>
    private sealed class ThrowingWriteBack : Core.Crm.IWriteBackOutbox
    {
        public Task EnqueueMilestoneAsync(long milestoneId, DateTimeOffset at, CancellationToken ct) => throw new InvalidOperationException("The write-back failed.");
        public Task EnqueuePartyMilestonesAsync(long entryId, DateTimeOffset at, CancellationToken ct) => throw new InvalidOperationException("The write-back failed.");
        public Task EnqueueStageChangeAsync(long entryId, long stageChangeId, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
        public Task EnqueueNextActionAsync(long entryId, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
        public Task EnqueueActivityAsync(long activityId, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
        public Task EnqueueContactErasedAsync(long contactId, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
        public Task EnqueueEventChangeAsync(Core.Events.EventChangeWriteBack change, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
        public Task EnqueueAnswerAsync(long answerId, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
        public Task<bool> HasPendingForEntryAsync(long entryId, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Core.Crm.WriteBackItem>> PendingAsync(long afterId, int max, CancellationToken ct) => throw new NotSupportedException();
        public Task MarkSentAsync(IReadOnlyList<long> ids, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
        public Task MarkFailedAsync(long id, string reason, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<Core.Crm.WriteBackRefusal>> RefusedAsync(long? entryId, int max, CancellationToken ct) => throw new NotSupportedException();
    }
}
