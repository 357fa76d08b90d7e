using Dapper;
using Outreach.Core.Audit;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Storage.Tests;

/// <summary>Onboarding plans and party milestones on every engine: versions, the milestones a signing creates in its unit of work, done and reopen with history, evidence files, and what the monitoring report reads.</summary>
public abstract partial class StoreContract
{
    private static readonly PartyKind[] AllButNgo = [PartyKind.Company, PartyKind.BranchOrganisation, PartyKind.Government];

    private static IReadOnlyList<PlanMilestone> OnboardingPlan() =>
    [
        new() { Key = "policy", NameNl = "IMVO-beleid gepubliceerd", NameEn = "RBC policy published", PhraseEn = "published their RBC policy", AppliesTo = AllButNgo, Due = DueRule.AfterSigning, MonthsAfterSigning = 12 },
        new() { Key = "risk", NameNl = "Risicoanalyse geleverd", NameEn = "Risk analysis delivered", AppliesTo = [PartyKind.Company], Due = DueRule.AfterSigning, MonthsAfterSigning = 18 },
        new() { Key = "training", NameNl = "Training gevolgd", NameEn = "Training attended", AppliesTo = [PartyKind.Company], Due = DueRule.FixedEachYear, DueMonth = 11, DueDay = 1, RepeatsYearly = true },
    ];

    private Task<Covenant> OnboardingCovenantAsync() => Prospects.AddCovenantAsync("onb", "Onboarding Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);

    private async Task<PipelineEntry> SignAsync(Covenant covenant, string name, PartyKind kind = PartyKind.Company, PipelineService? moves = null)
    {
        var entry = await NewEntryAsync(name, Stage.SigningScheduled, covenant, kind: kind);
        var result = await (moves ?? Moves).MoveAsync(entry.Id, Stage.Signed, "Signed at the steering group", "anne", null, default);
        Assert.True(result.Succeeded, result.Refusal?.ToString());
        return result.Entry!;
    }

    [Fact]
    public async Task OnboardingPlan_EachSaveIsANewVersion_Audited_AndAStaleSaveIsRefused()
    {
        var covenant = await OnboardingCovenantAsync();
        var store = new SqlOnboardingStore(Db);
        Assert.Null(await store.GetPlanAsync(covenant.Id, default));

        var first = await store.SavePlanAsync(covenant.Id, 0, OnboardingPlan(), 0, Clock.GetUtcNow(), "anne", default);
        Clock.Advance(TimeSpan.FromMinutes(5));
        var changed = OnboardingPlan().Select(m => m.Key == "risk" ? m with { MonthsAfterSigning = 24, NameNl = "Risicoanalyse ingeleverd" } : m).Where(m => m.Key != "training").ToList();
        var second = await store.SavePlanAsync(covenant.Id, 1, changed, 3, Clock.GetUtcNow(), "bram", default);

        await Assert.ThrowsAsync<ConcurrentPlanChangeException>(() => store.SavePlanAsync(covenant.Id, 1, OnboardingPlan(), 0, Clock.GetUtcNow(), "zoe", default));
        var current = await store.GetPlanAsync(covenant.Id, default);
        Assert.NotNull(current);
        Assert.Equal((2, 3, "bram", Clock.GetUtcNow()), (current.Version, current.CutOffMonths, current.ChangedBy, current.ChangedAt));
        var risk = current.Milestones.Single(m => m.Key == "risk");
        Assert.Equal(("Risicoanalyse ingeleverd", 24, DueRule.AfterSigning), (risk.NameNl, risk.MonthsAfterSigning!.Value, risk.Due));
        Assert.Equal([PartyKind.Company], risk.AppliesTo);
        var versions = await store.ListPlanVersionsAsync(covenant.Id, default);
        Assert.Equal([2, 1], versions.Select(v => v.Version));
        var training = versions[1].Milestones.Single(m => m.Key == "training");
        Assert.Equal((DueRule.FixedEachYear, 11, 1, true, (string?)null), (training.Due, training.DueMonth!.Value, training.DueDay!.Value, training.RepeatsYearly, training.PhraseEn));
        Assert.Equal((1, 2), (first.Version, second.Version));

        var audit = (await new SqlAudit(Db).SearchAsync(new AuditFilter { Entity = AuditEntities.OnboardingPlan, EntityId = covenant.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, 1, 10, default)).Items;
        Assert.Equal([("version_added", "bram"), ("created", "anne")], audit.Select(a => (a.Action, a.Actor)));
        var fields = audit[0].Changes.ToDictionary(c => c.Field);
        Assert.Equal(("0", "3"), (fields["cut_off_months"].Before, fields["cut_off_months"].After));
        Assert.Contains("24 months after signing", fields["milestone:risk"].After, StringComparison.Ordinal);
        Assert.Null(fields["milestone:training"].After);
        Assert.False(fields.ContainsKey("milestone:policy"));
    }

    [Fact]
    public async Task Signing_CreatesTheMilestones_MarkDoneAndReopen_KeepTheirHistory_AndTheFileStaysWithTheParty()
    {
        var covenant = await OnboardingCovenantAsync();
        var store = new SqlOnboardingStore(Db);
        await store.SavePlanAsync(covenant.Id, 0, OnboardingPlan(), 0, Clock.GetUtcNow(), "anne", default);

        // 2026-03-02 is in year 4 (2026): first monitored in year 5 (2027).
        var entry = await SignAsync(covenant, "Goudhandel Noord");
        var milestones = await store.ListForProspectAsync(entry.Id, default);
        Assert.Equal(
            [("policy", (int?)null, new DateOnly(2027, 3, 2)), ("risk", null, new DateOnly(2027, 9, 2)), ("training", 5, new DateOnly(2027, 11, 1))],
            milestones.Select(m => (m.Key, m.Year, m.DueOn)));
        // A second creation (a re-signing) leaves the ones it has alone.
        Assert.Equal(0, await store.AddMilestonesAsync(entry.Id, [new MilestoneDraft("policy", null, new DateOnly(2030, 1, 1), "x", "x", 9)], Clock.GetUtcNow(), "anne", default));

        var policy = milestones[0];
        var pdf = new EvidenceUpload("beleid 2026.pdf", "application/pdf", [0x25, 0x50, 0x44, 0x46, 0x00, 0xFF]);
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.True(await store.MarkDoneAsync(policy.Id, new DateOnly(2026, 3, 1), null, pdf, Clock.GetUtcNow(), "bram", default));
        Assert.False(await store.MarkDoneAsync(policy.Id, new DateOnly(2026, 3, 1), "https://example.org/x", null, Clock.GetUtcNow(), "zoe", default));
        var done = (await store.GetMilestoneAsync(policy.Id, default))!;
        Assert.Equal((new DateOnly(2026, 3, 1), "bram", "beleid 2026.pdf", (string?)null), (done.DoneOn!.Value, done.DoneBy, done.EvidenceFileName, done.EvidenceUrl));
        var file = await store.GetEvidenceFileAsync(entry.Id, done.EvidenceFileId!.Value, default);
        Assert.Equal(pdf.Content, file!.Content);
        Assert.Null(await store.GetEvidenceFileAsync(entry.Id + 1, done.EvidenceFileId.Value, default));

        Clock.Advance(TimeSpan.FromHours(1));
        Assert.True(await store.ReopenAsync(policy.Id, "Wrong year's policy", Clock.GetUtcNow(), "anne", default));
        Assert.False(await store.ReopenAsync(policy.Id, "Again", Clock.GetUtcNow(), "anne", default));
        Assert.True(await store.MarkDoneAsync(policy.Id, new DateOnly(2026, 3, 2), "https://goudhandel.example/beleid", null, Clock.GetUtcNow(), "anne", default));

        var history = (await store.HistoryForProspectAsync(entry.Id, default)).Where(h => h.MilestoneId == policy.Id).ToList();
        Assert.Equal([MilestoneAction.Created, MilestoneAction.Done, MilestoneAction.Reopened, MilestoneAction.Done], history.Select(h => h.Action));
        Assert.Equal(("Wrong year's policy", "anne"), (history[2].Reason, history[2].By));
        Assert.Equal(done.EvidenceFileId, history[1].EvidenceFileId);
        // The file stays with the party after the reopen.
        Assert.NotNull(await store.GetEvidenceFileAsync(entry.Id, done.EvidenceFileId.Value, default));
        var trail = (await new SqlAudit(Db).SearchAsync(new AuditFilter { Entity = AuditEntities.Prospect, EntityId = entry.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, 1, 20, default)).Items;
        Assert.Equal(["milestone_done", "milestone_reopened", "milestone_done"], trail.Where(a => a.Action.StartsWith("milestone", StringComparison.Ordinal)).Reverse().Select(a => a.Action));
    }

    [Fact]
    public async Task ASigningThatFailsAfterItsMilestones_LeavesNeitherTheMoveNorTheMilestones()
    {
        var covenant = await OnboardingCovenantAsync();
        await new SqlOnboardingStore(Db).SavePlanAsync(covenant.Id, 0, OnboardingPlan(), 0, Clock.GetUtcNow(), "anne", default);
        var failing = new PipelineService(Pipeline, Prospects, new SqlSequenceStore(Db), Outreach.Testing.SqlServices.Stops(Db), new SqlWriteBackOutbox(Db), new FailingAfterMilestones(new SqlOnboardingStore(Db)), new SqlUnitOfWork(Db), Clock);
        var entry = await NewEntryAsync("Halfweg B.V.", Stage.SigningScheduled, covenant);

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.MoveAsync(entry.Id, Stage.Signed, "Signed", "anne", null, default));

        Assert.Equal(Stage.SigningScheduled, (await Pipeline.GetEntryAsync(entry.Id, default))!.Stage);
        await using var c = await Db.OpenAsync(default);
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM onboarding_milestone"));
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM onboarding_milestone_change"));
    }

    [Fact]
    public async Task ListParties_GivesTheLatestSigning_TheLeavingAfterIt_AndTheMilestones_ForTheMonitoringReport()
    {
        var covenant = await OnboardingCovenantAsync();
        var store = new SqlOnboardingStore(Db);
        await store.SavePlanAsync(covenant.Id, 0, OnboardingPlan(), 0, Clock.GetUtcNow(), "anne", default);
        var stays = await SignAsync(covenant, "Blijft B.V.");
        var ministry = await SignAsync(covenant, "Ministerie van Financiën", PartyKind.Government);
        var leaves = await SignAsync(covenant, "Vertrekt B.V.");
        await NewEntryAsync("Nog niet getekend", Stage.Intake, covenant);
        Clock.Advance(TimeSpan.FromDays(30));
        Assert.True((await Moves.MoveAsync(leaves.Id, Stage.Left, "Company sold", "anne", null, default)).Succeeded);
        var policy = (await store.ListForProspectAsync(stays.Id, default)).Single(m => m.Key == "policy");
        await store.MarkDoneAsync(policy.Id, new DateOnly(2026, 3, 20), "https://blijft.example/beleid", null, Clock.GetUtcNow(), "anne", default);

        var parties = await store.ListPartiesAsync(covenant.Id, default);

        Assert.Equal([("Blijft B.V.", PartyKind.Company, (DateOnly?)null), ("Ministerie van Financiën", PartyKind.Government, null), ("Vertrekt B.V.", PartyKind.Company, new DateOnly(2026, 4, 1))],
            parties.Select(p => (p.Name, p.Kind, p.LeftOn)));
        Assert.All(parties, p => Assert.Equal(new DateOnly(2026, 3, 2), p.SignedOn));
        Assert.Equal([3, 1, 3], parties.Select(p => p.Milestones.Count));
        Assert.Equal(new DateOnly(2026, 3, 20), parties[0].Milestones.Single(m => m.Key == "policy").DoneOn);
        _ = ministry;

        // Year 5 (2027): the two that stayed are monitored; the policy is 1 of 2, the risk analysis 0 of 1 (the ministry is not asked).
        var report = MonitoringReportBuilder.Build(covenant, (await store.GetPlanAsync(covenant.Id, default))!, parties, 5);
        Assert.Equal([("policy", 1, 2), ("risk", 0, 1), ("training", 0, 1)], report.Milestones.Select(m => (m.Key, m.Done, m.Of)));
        Assert.Equal(["Vertrekt B.V."], report.Left.Select(l => l.Name));
    }

    [Fact]
    public async Task ListSignedIn_GivesOnlyThePartiesWhoseLatestSigningFellInThePeriod_ByAmsterdamDate()
    {
        var covenant = await OnboardingCovenantAsync();
        var store = new SqlOnboardingStore(Db);
        await store.SavePlanAsync(covenant.Id, 0, OnboardingPlan(), 0, Clock.GetUtcNow(), "anne", default);
        Clock.Set(new DateTimeOffset(2026, 3, 31, 21, 30, 0, TimeSpan.Zero)); // 23:30 on 31 March in Amsterdam
        var march = await SignAsync(covenant, "Maart B.V.");
        Clock.Set(new DateTimeOffset(2026, 3, 31, 22, 30, 0, TimeSpan.Zero)); // 00:30 on 1 April in Amsterdam
        var april = await SignAsync(covenant, "April B.V.");
        Clock.Set(new DateTimeOffset(2026, 4, 10, 9, 0, 0, TimeSpan.Zero));
        var again = await SignAsync(covenant, "Opnieuw B.V.");
        Clock.Set(new DateTimeOffset(2026, 4, 20, 9, 0, 0, TimeSpan.Zero));
        Assert.True((await Moves.MoveAsync(again.Id, Stage.Left, "Merged", "anne", null, default)).Succeeded);
        Clock.Set(new DateTimeOffset(2026, 5, 4, 9, 0, 0, TimeSpan.Zero));
        foreach (var stage in Stages.Funnel)
        {
            // Back in as a prospect, through the funnel to signing again.
            var moved = await Moves.MoveAsync(again.Id, stage, "Back in", "anne", null, default);
            Assert.True(moved.Succeeded, moved.Refusal?.ToString());
        }

        var inApril = await store.ListSignedInAsync(covenant.Id, new DateOnly(2026, 4, 1), new DateOnly(2026, 4, 30), default);
        var inMay = await store.ListSignedInAsync(covenant.Id, new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 31), default);
        var inMarch = await store.ListSignedInAsync(covenant.Id, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 31), default);

        // April's party only: the one signed in April and again in May counts in May, with its milestones, as the full list has it.
        Assert.Equal([april.Id], inApril.Select(p => p.ProspectId));
        Assert.Equal([(again.Id, new DateOnly(2026, 5, 4), (DateOnly?)null)], inMay.Select(p => (p.ProspectId, p.SignedOn, p.LeftOn)));
        Assert.Equal([march.Id], inMarch.Select(p => p.ProspectId));
        var all = await store.ListPartiesAsync(covenant.Id, default);
        Assert.Equal(all.Single(p => p.ProspectId == again.Id).Milestones.Select(m => m.Id), inMay.Single().Milestones.Select(m => m.Id));
        Assert.NotEmpty(inApril.Single().Milestones);
    }

    /// <summary>
    /// Creates the milestones, then fails: the move's unit of work must take both back. With <paramref name="failMissingFor"/>,
    /// only the missing milestones of that party fail (after they are written), for the backfill's unit of work.
    /// </summary>
    private sealed class FailingAfterMilestones(IOnboardingStore inner, long? failMissingFor = null) : IOnboardingStore
    {
        public Task<OnboardingPlan?> GetPlanAsync(long covenantId, CancellationToken ct) => inner.GetPlanAsync(covenantId, ct);
        public Task<IReadOnlyList<OnboardingPlan>> ListPlanVersionsAsync(long covenantId, CancellationToken ct) => inner.ListPlanVersionsAsync(covenantId, ct);
        public Task<OnboardingPlan> SavePlanAsync(long covenantId, int expectedVersion, IReadOnlyList<PlanMilestone> milestones, int cutOffMonths, DateTimeOffset at, string by, CancellationToken ct) =>
            inner.SavePlanAsync(covenantId, expectedVersion, milestones, cutOffMonths, at, by, ct);
        public async Task<int> AddMilestonesAsync(long prospectId, IReadOnlyList<MilestoneDraft> drafts, DateTimeOffset at, string by, CancellationToken ct)
        {
            var created = await inner.AddMilestonesAsync(prospectId, drafts, at, by, ct);
            if (failMissingFor is null) throw new InvalidOperationException("Failed after the milestones.");
            return created;
        }

        public Task<IReadOnlyList<PartyWithoutMilestones>> ListSignedWithoutMilestonesAsync(long covenantId, CancellationToken ct) => inner.ListSignedWithoutMilestonesAsync(covenantId, ct);
        public async Task<int> AddMissingMilestonesAsync(long prospectId, IReadOnlyList<MilestoneDraft> drafts, DateTimeOffset at, string by, CancellationToken ct)
        {
            var created = await inner.AddMissingMilestonesAsync(prospectId, drafts, at, by, ct);
            if (prospectId == failMissingFor) throw new InvalidOperationException("Failed after the missing milestones.");
            return created;
        }
        public Task<PartyMilestone?> GetMilestoneAsync(long milestoneId, CancellationToken ct) => inner.GetMilestoneAsync(milestoneId, ct);
        public Task<IReadOnlyList<PartyMilestone>> ListForProspectAsync(long prospectId, CancellationToken ct) => inner.ListForProspectAsync(prospectId, ct);
        public Task<IReadOnlyList<MilestoneChange>> HistoryForProspectAsync(long prospectId, CancellationToken ct) => inner.HistoryForProspectAsync(prospectId, ct);
        public Task<bool> MarkDoneAsync(long milestoneId, DateOnly doneOn, string? evidenceUrl, EvidenceUpload? file, DateTimeOffset at, string by, CancellationToken ct) =>
            inner.MarkDoneAsync(milestoneId, doneOn, evidenceUrl, file, at, by, ct);
        public Task<bool> ReopenAsync(long milestoneId, string reason, DateTimeOffset at, string by, CancellationToken ct) => inner.ReopenAsync(milestoneId, reason, at, by, ct);
        public Task<EvidenceFile?> GetEvidenceFileAsync(long prospectId, long fileId, CancellationToken ct) => inner.GetEvidenceFileAsync(prospectId, fileId, ct);
        public Task<IReadOnlyList<MonitoredParty>> ListPartiesAsync(long covenantId, CancellationToken ct) => inner.ListPartiesAsync(covenantId, ct);
        public Task<IReadOnlyList<MonitoredParty>> ListSignedInAsync(long covenantId, DateOnly firstDay, DateOnly lastDay, CancellationToken ct) => inner.ListSignedInAsync(covenantId, firstDay, lastDay, ct);
    }
}
