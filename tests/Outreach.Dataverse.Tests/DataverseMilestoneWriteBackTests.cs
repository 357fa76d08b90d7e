using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Crm;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Dataverse.Testing;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Dataverse.Tests;

/// <summary>
/// Issue 14 point 6 on the wire: a party's milestones arrive as otr_onboardingmilestone rows (one per milestone, upserted)
/// and its account shows "N of M done", through the outbox and the local Dataverse server that enforces the solution.
/// </summary>
public sealed class DataverseMilestoneWriteBackTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 11, 2);

    private static readonly PlanMilestone[] Plan =
    [
        new() { Key = "tool", NameNl = "Assessmenttool gebruikt", NameEn = "Assessment tool used", AppliesTo = Enum.GetValues<PartyKind>(), Due = DueRule.AfterSigning, MonthsAfterSigning = 6 },
        new() { Key = "policy", NameNl = "IMVO-beleid gepubliceerd", NameEn = "RBC policy published", AppliesTo = Enum.GetValues<PartyKind>(), Due = DueRule.AfterSigning, MonthsAfterSigning = 12 },
        new() { Key = "risk", NameNl = "Risicoanalyse geleverd", NameEn = "Risk analysis delivered", AppliesTo = Enum.GetValues<PartyKind>(), Due = DueRule.AfterSigning, MonthsAfterSigning = 18 },
    ];

    private sealed record Setup(LocalDataverse Local, Database Db, FakeTimeProvider Clock, DataverseClient Client, PipelineEntry Entry, Guid Account, IReadOnlyList<PartyMilestone> Milestones);

    private sealed class NullProgress : Core.Jobs.IJobProgress
    {
        public Task ReportAsync(long done, long? total, CancellationToken ct) => Task.CompletedTask;
    }

    /// <summary>An account synced in, its organisation signed in the gold covenant whose plan asks three milestones.</summary>
    private static async Task<Setup> SignedAsync(LocalDataverse local, StorageEngine engine)
    {
        var clock = new FakeTimeProvider(At);
        local.SeedAccounts(2);
        var db = await TestDatabases.MigratedAsync(engine, clock);
        var client = local.Client();
        await new DataverseSync(client, new SqlCrmSyncStore(db), clock, NullLogger<DataverseSync>.Instance).RunAsync(new NullProgress(), default);
        var account = LocalDataverse.Id(1, 1);
        var covenant = await new SqlProspectStore(db, clock).AddCovenantAsync("gold", "Gold", new DateOnly(2022, 1, 1), new DateOnly(2026, 12, 31), default);
        await new SqlOnboardingStore(db).SavePlanAsync(covenant.Id, 0, Plan, 0, At, "Anne", default);
        long organisationId;
        await using (var c = await db.OpenAsync(default))
            organisationId = await c.ExecuteScalarAsync<long>("SELECT id FROM organisation WHERE dataverse_id = @id", new { id = account.ToString("D") });
        var moves = SqlServices.Moves(db, clock);
        var entry = await moves.AddEntryAsync(organisationId, covenant.Id, Stage.SigningScheduled, At.AddDays(-7), "Anne", "Signing planned", default);
        var signed = await moves.MoveAsync(entry.Id, Stage.Signed, "Signed at the steering group", "Anne", null, default);
        Assert.True(signed.Succeeded, signed.Refusal?.ToString());
        var milestones = await new SqlOnboardingStore(db).ListForProspectAsync(entry.Id, default);
        Assert.Equal(3, milestones.Count);
        return new Setup(local, db, clock, client, entry, account, milestones);
    }

    private static DataverseWriteBack WriteBack(Setup s) =>
        new(s.Client, new SqlWriteBackOutbox(s.Db), s.Clock, NullLogger<DataverseWriteBack>.Instance, new OutreachLinks("https://outreach.example"));

    private static OnboardingService Onboarding(Setup s) => SqlServices.Onboarding(s.Db, s.Clock);

    private static JsonObject Row(Setup s, PartyMilestone m) => s.Local.Server.Rows("otr_onboardingmilestones")[CrmIds.Milestone(m.Id)];

    private static string Status(Setup s) => (string)s.Local.Server.Rows("accounts")[s.Account]["otr_onboardingstatus"]!;

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task ASigning_SendsEveryMilestoneRow_AndTheAccountsStatus_InOneRequest(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SignedAsync(local, engine);
        local.Server.ClearRequests();

        var counts = await WriteBack(s).SendPendingAsync(default);

        // The entry's two stage changes and the three milestone rows; the milestones as one change set.
        Assert.Equal(new WriteBackCounts(5, 0, 1), counts);
        var rows = local.Server.Rows("otr_onboardingmilestones");
        Assert.Equal(s.Milestones.Select(m => CrmIds.Milestone(m.Id)).Order(), rows.Keys.Order());
        var policy = Row(s, s.Milestones.Single(m => m.Key == "policy"));
        Assert.Equal("RBC policy published", (string)policy["otr_name"]!);
        Assert.Equal($"/accounts({s.Account:D})", (string)policy["otr_accountid@odata.bind"]!);
        Assert.Equal("gold", (string)policy["otr_covenant"]!);
        Assert.Equal("2027-11-02", (string)policy["otr_dueon"]!);
        Assert.Null(policy["otr_doneon"]);
        Assert.Equal(DataverseSchema.ChoiceValue(MilestoneStatus.Open), (int)policy["otr_status"]!);
        Assert.Equal("0 of 3 done", Status(s));
        Assert.Equal(new WriteBackCounts(0, 0, 0), await WriteBack(s).SendPendingAsync(default));
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task DoneThenReopened_EndsOpen_WhetherSentTogetherOrOneAfterTheOther(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SignedAsync(local, engine);
        await WriteBack(s).SendPendingAsync(default);
        var policy = s.Milestones.Single(m => m.Key == "policy");
        var onboarding = Onboarding(s);

        // Done and reopened before a pass: one change set, the milestone as it is now (open, no date, no evidence).
        Assert.True((await onboarding.MarkDoneAsync(s.Entry.Id, policy.Id, Today, "https://evidence.example/policy.pdf", null, "Anne", default)).Succeeded);
        Assert.True((await onboarding.ReopenAsync(s.Entry.Id, policy.Id, "That was last year's policy", "Bram", default)).Succeeded);
        local.Server.ClearRequests();
        Assert.Equal(new WriteBackCounts(2, 0, 1), await WriteBack(s).SendPendingAsync(default));
        Assert.Equal((null, null, DataverseSchema.ChoiceValue(MilestoneStatus.Open)), ((string?)Row(s, policy)["otr_doneon"], (string?)Row(s, policy)["otr_evidencelink"], (int)Row(s, policy)["otr_status"]!));
        Assert.Equal("0 of 3 done", Status(s));

        // Done and sent: the row and the account follow.
        Assert.True((await onboarding.MarkDoneAsync(s.Entry.Id, policy.Id, Today.AddDays(-1), "https://evidence.example/policy-2026.pdf", null, "Anne", default)).Succeeded);
        Assert.Equal(new WriteBackCounts(1, 0, 1), await WriteBack(s).SendPendingAsync(default));
        Assert.Equal(("2026-11-01", "https://evidence.example/policy-2026.pdf", DataverseSchema.ChoiceValue(MilestoneStatus.Done)),
            ((string)Row(s, policy)["otr_doneon"]!, (string)Row(s, policy)["otr_evidencelink"]!, (int)Row(s, policy)["otr_status"]!));
        Assert.Equal("1 of 3 done", Status(s));

        // Reopened in a later pass: the same row (an upsert, never a second one) is open again, the count back down.
        Assert.True((await onboarding.ReopenAsync(s.Entry.Id, policy.Id, "The link is broken", "Bram", default)).Succeeded);
        Assert.Equal(new WriteBackCounts(1, 0, 1), await WriteBack(s).SendPendingAsync(default));
        Assert.Equal(3, local.Server.Rows("otr_onboardingmilestones").Count);
        Assert.Equal((null, DataverseSchema.ChoiceValue(MilestoneStatus.Open)), ((string?)Row(s, policy)["otr_doneon"], (int)Row(s, policy)["otr_status"]!));
        Assert.Equal("0 of 3 done", Status(s));
    }

    [Fact]
    public async Task AThrottledRequest_IsRetried_AndTheMilestonesArriveOnce()
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SignedAsync(local, StorageEngine.Sqlite);
        local.Server.ClearRequests();
        local.Server.Inject(new Fault(429, RetryAfterSeconds: 0));

        var counts = await WriteBack(s).SendPendingAsync(default);

        Assert.Equal((5, 0), (counts.Sent, counts.Failed));
        Assert.Equal([429, 200], local.Server.Requests.Select(r => r.Status));
        Assert.Equal(3, local.Server.Rows("otr_onboardingmilestones").Count);
        Assert.Equal("0 of 3 done", Status(s));
    }

    [Fact]
    public async Task AnAccountDeletedInDynamics_RefusesThePartysChangeSet_AndTheRowsWaitWithTheError()
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SignedAsync(local, StorageEngine.Sqlite);
        local.Server.Delete("accounts", s.Account);

        var counts = await WriteBack(s).SendPendingAsync(default);

        // The stage changes and the milestones are refused (their account is gone); nothing half-written, nothing re-created.
        Assert.Equal(0, counts.Sent);
        Assert.Empty(local.Server.Rows("otr_onboardingmilestones"));
        Assert.False(local.Server.Rows("accounts").ContainsKey(s.Account));
        var refused = await new SqlWriteBackOutbox(s.Db).RefusedAsync(s.Entry.Id, 10, default);
        Assert.Equal(3, refused.Count(r => r.Kind == "milestone"));
    }
}
