using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Access;
using Outreach.Core.Pipeline;
using Outreach.Dataverse.Testing;
using Outreach.Storage;
using Outreach.Testing;
using static Outreach.Dataverse.DataverseSchema;

namespace Outreach.Dataverse.Tests;

/// <summary>
/// What Dynamics users ask of Outreach, end to end against the local Dataverse server (which holds requests to the imported
/// solution's names): a stage move requested on an otr_stagechange row, applied or refused by Outreach's rules as that user
/// and answered on the same row; outreach started from the account's covenant with an owner and a first stage; and none of
/// Outreach's own writes taken for a request when they come back in the delta.
/// </summary>
public sealed class DataverseRequestTests
{
    private static readonly Guid Anne = new("0000aaaa-0000-0000-0000-000000000001");
    private static readonly Guid Jan = new("0000aaaa-0000-0000-0000-000000000002");
    private static readonly Guid Gold = LocalDataverse.Id(1, 0);

    private sealed class NullProgress : Core.Jobs.IJobProgress
    {
        public Task ReportAsync(long done, long? total, CancellationToken ct) => Task.CompletedTask;
    }

    private sealed record Setup(LocalDataverse Local, Database Db, DataverseClient Client, FakeTimeProvider Clock)
    {
        public LocalDataverseServer Server => Local.Server;

        public Task<DataverseSyncResult> SyncAsync() =>
            new DataverseSync(Client, new SqlCrmSyncStore(Db), Clock, NullLogger<DataverseSync>.Instance, SqlServices.Dynamics(Db, Clock))
                .RunAsync(new NullProgress(), default);

        public Task<WriteBackCounts> WriteBackAsync() =>
            new DataverseWriteBack(Client, new SqlWriteBackOutbox(Db), Clock, NullLogger<DataverseWriteBack>.Instance, OutreachLinks.None).SendPendingAsync(default);

        public async Task<T> ScalarAsync<T>(string sql, object? args = null)
        {
            await using var c = await Db.OpenAsync(default);
            return (await c.ExecuteScalarAsync<T>(sql, args))!;
        }

        /// <summary>The history of the prospect of the account's organisation, oldest first.</summary>
        public async Task<List<(string From, string To, string By, string Reason)>> HistoryAsync(Guid account)
        {
            await using var c = await Db.OpenAsync(default);
            return (await c.QueryAsync<(string, string, string, string)>(
                """
                SELECT COALESCE(h.from_stage, ''), h.to_stage, h.changed_by, h.reason FROM stage_change h
                JOIN pipeline_entry e ON e.id = h.entry_id JOIN organisation o ON o.id = e.organisation_id
                WHERE o.dataverse_id = @id ORDER BY h.id
                """, new { id = account.ToString("D") })).ToList();
        }

        /// <summary>A Dynamics user adds a row to the account's stage changes sub-grid, asking for a move.</summary>
        public Guid Request(Guid by, Stage to, string reason, Guid? account = null, string? covenant = null, string? revisitOn = null)
        {
            var id = Guid.NewGuid();
            var row = new JsonObject
            {
                [StageChangeTable.Name] = $"Move to {to.Label()}",
                [StageChangeTable.AccountValue] = (account ?? Gold).ToString("D"),
                [StageChangeTable.ToStage] = StageValue(to),
                [StageChangeTable.Reason] = reason,
                [StageChangeTable.RequestStatus] = RequestStatusValue.Requested,
                [StageChangeTable.CreatedByValue] = by.ToString("D"),
            };
            if (covenant is not null) row[StageChangeTable.Covenant] = covenant;
            if (revisitOn is not null) row[StageChangeTable.RevisitOn] = revisitOn;
            Server.Upsert(StageChangeTable.EntitySet, id, row);
            return id;
        }

        public JsonObject Row(Guid id) => Server.Rows(StageChangeTable.EntitySet)[id];
    }

    /// <summary>
    /// Three accounts synced, covenant gold, Outreach user Anne (whose Dynamics user has her address), Dynamics user Jan
    /// (no Outreach user); the first account's covenant set to gold in Dynamics started its prospect, and the write-back ran.
    /// </summary>
    private static async Task<Setup> SetUpAsync(LocalDataverse local, StorageEngine engine)
    {
        local.SeedAccounts(3);
        local.Server.Upsert(SystemUser.EntitySet, Anne, new JsonObject { [SystemUser.FullName] = "Anne (Dynamics)", [SystemUser.Email] = "Anne@Secretariaat.nl", [SystemUser.DomainName] = "anne@secretariaat.onmicrosoft.com" });
        local.Server.Upsert(SystemUser.EntitySet, Jan, new JsonObject { [SystemUser.FullName] = "Jan Jansen", [SystemUser.Email] = "jan@partner.nl" });
        local.Server.Upsert(Account.EntitySet, Gold, new JsonObject { [Account.Covenant] = "gold" });
        // The day Outreach sets the newer next action in the next-action test.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 3, 9, 0, 0, TimeSpan.Zero));
        var db = await TestDatabases.MigratedAsync(engine, clock);
        await new SqlProspectStore(db, clock).AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2030, 12, 31), default);
        await new SqlAccessStore(db, clock).AddUserAsync("anne@secretariaat.nl", "Anne de Vries", Role.Secretariat, "hash", default);
        var s = new Setup(local, db, local.Client(), clock);
        await s.SyncAsync();
        await s.WriteBackAsync();
        return s;
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task AMoveRequestedInDynamics_IsAppliedAsThatUser_AndAnsweredOnTheSameRow(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, engine);
        var request = s.Request(Anne, Stage.Contacted, "Called the director");

        var result = await s.SyncAsync();

        Assert.Equal(new RequestCounts(1, 0), result.StageRequests);
        // Anne's Dynamics user is Anne in Outreach (matched by e-mail address): the move is hers, in history and audit.
        Assert.Equal(("identified", "contacted", "Anne de Vries", "Called the director"), (await s.HistoryAsync(Gold))[^1]);
        Assert.Equal(1, await s.ScalarAsync<long>("SELECT COUNT(*) FROM audit_entry WHERE action = 'moved' AND actor = 'Anne de Vries'"));

        var sent = await s.WriteBackAsync();

        Assert.Equal(0, sent.Failed);
        var row = s.Row(request);
        Assert.Equal(RequestStatusValue.Applied, (int)row[StageChangeTable.RequestStatus]!);
        Assert.Equal("Applied: identified → contacted, by Anne de Vries.", (string)row[StageChangeTable.Outcome]!);
        Assert.Equal(StageValue(Stage.Identified), (int)row[StageChangeTable.FromStage]!);
        Assert.Equal("Anne de Vries", (string)row[StageChangeTable.ChangedBy]!);
        // Written on the requested row, not as a second one: the start's recorded row and the request.
        Assert.Equal(2, s.Server.Rows(StageChangeTable.EntitySet).Count);
        Assert.Equal(StageValue(Stage.Contacted), (int)s.Server.Rows(Account.EntitySet)[Gold][Account.PipelineStage]!);
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task AMoveTheRulesRefuse_ChangesNothing_AndTheRowSaysRefusedWithTheRulesReason(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, engine);
        var skip = s.Request(Jan, Stage.Signed, "They want to sign");
        var notNow = s.Request(Jan, Stage.NotNow, "Busy this year");

        var result = await s.SyncAsync();
        await s.WriteBackAsync();

        Assert.Equal(new RequestCounts(0, 2), result.StageRequests);
        Assert.Single(await s.HistoryAsync(Gold));
        Assert.Equal(RequestStatusValue.Refused, (int)s.Row(skip)[StageChangeTable.RequestStatus]!);
        Assert.Equal("Refused: Stages cannot be skipped: from 'identified' the next step is 'contacted', not 'signed'. Allowed from here: contacted, declined, not now.",
            (string)s.Row(skip)[StageChangeTable.Outcome]!);
        Assert.Equal("Refused: 'not now' needs a revisit date.", (string)s.Row(notNow)[StageChangeTable.Outcome]!);
        Assert.Equal(StageValue(Stage.Identified), (int)s.Server.Rows(Account.EntitySet)[Gold][Account.PipelineStage]!);
    }

    [Fact]
    public async Task ADynamicsUserWhoIsNoOutreachUser_IsRecordedAsDynamicsAndTheirName_AndNotNowTakesTheRevisitDate()
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, StorageEngine.Sqlite);
        var revisit = DateOnly.FromDateTime(s.Clock.GetUtcNow().UtcDateTime).AddMonths(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        s.Request(Jan, Stage.NotNow, "Busy this year", covenant: "GOLD", revisitOn: revisit);

        await s.SyncAsync();

        Assert.Equal(("identified", "not_now", "Dynamics: Jan Jansen", "Busy this year"), (await s.HistoryAsync(Gold))[^1]);
        Assert.Equal(revisit, await s.ScalarAsync<string>("SELECT CAST(revisit_on AS text) FROM pipeline_entry"));
        Assert.Equal(1, await s.ScalarAsync<long>("SELECT COUNT(*) FROM audit_entry WHERE action = 'moved' AND actor = 'Dynamics: Jan Jansen'"));
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task OutreachsOwnWrites_ComingBackInTheDelta_AreNeverAppliedAgain(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, engine);
        s.Request(Anne, Stage.Contacted, "Called the director");
        await s.SyncAsync();
        await s.WriteBackAsync();
        // A move made in Outreach: its row (recorded) and the account come back in the next delta.
        var entryId = await s.ScalarAsync<long>("SELECT id FROM pipeline_entry");
        Assert.True((await SqlServices.Moves(s.Db, s.Clock).MoveAsync(entryId, Stage.Engaged, "Workshop booked", "Piet", null, default)).Succeeded);
        await s.WriteBackAsync();
        var rows = s.Server.Rows(StageChangeTable.EntitySet);
        Assert.Equal(3, rows.Count);
        Assert.Equal(2, rows.Values.Count(r => (int?)r[StageChangeTable.RequestStatus] == RequestStatusValue.Recorded));
        var history = await s.HistoryAsync(Gold);

        var again = await s.SyncAsync();
        await s.WriteBackAsync();
        // And a full read (expired delta token) reads every row again, the answered request included.
        s.Server.ExpireDeltaTokens();
        var full = await s.SyncAsync();

        Assert.Equal(RequestCounts.None, again.StageRequests);
        Assert.Equal(RequestCounts.None, full.StageRequests);
        Assert.Equal(history, await s.HistoryAsync(Gold));
        Assert.Equal(3, history.Count);
        Assert.Equal(0, await s.ScalarAsync<long>("SELECT COUNT(*) FROM dataverse_outbox WHERE sent_at IS NULL"));
    }

    [Fact]
    public async Task A429WhileTheAnswerIsWrittenBack_IsWaitedOut_AndOneThatOutlastsTheRetries_LeavesItForTheNextRun()
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, StorageEngine.Sqlite);
        var request = s.Request(Jan, Stage.Signed, "They want to sign");
        await s.SyncAsync();

        // Dataverse's service protection limit: one 429 with Retry-After on the $batch; the client waits and sends it again.
        s.Server.ClearRequests();
        s.Server.Inject(new Fault(Status: 429, RetryAfterSeconds: 1));
        var sent = await s.WriteBackAsync();

        Assert.Equal((1, 0), (sent.Sent, sent.Failed));
        Assert.Equal([429, 200], s.Server.Requests.Select(r => r.Status));
        Assert.Equal(RequestStatusValue.Refused, (int)s.Row(request)[StageChangeTable.RequestStatus]!);

        // A second request, and a limit that outlasts every retry: the run fails, the answer stays pending and is not lost.
        var second = s.Request(Jan, Stage.Left, "Gone");
        await s.SyncAsync();
        var impatient = local.Client(o => o.MaxRetries = 1);
        s.Server.Inject(new Fault(Status: 429, RetryAfterSeconds: 1), count: 2);
        await Assert.ThrowsAnyAsync<Exception>(() =>
            new DataverseWriteBack(impatient, new SqlWriteBackOutbox(s.Db), s.Clock, NullLogger<DataverseWriteBack>.Instance, OutreachLinks.None).SendPendingAsync(default));
        Assert.False(s.Row(second).ContainsKey(StageChangeTable.Outcome));
        Assert.Equal(1, await s.ScalarAsync<long>("SELECT COUNT(*) FROM dataverse_outbox WHERE sent_at IS NULL"));

        Assert.Equal(1, (await s.WriteBackAsync()).Sent);
        Assert.StartsWith("Refused: Only a party that has signed can move to 'left'", (string)s.Row(second)[StageChangeTable.Outcome]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task StartingFromDynamics_TakesTheOwnerAndFirstStage_AndAnswersOnTheAccount(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, engine);
        var (started, refused, unknown) = (LocalDataverse.Id(1, 1), LocalDataverse.Id(1, 2), Guid.NewGuid());
        s.Server.Upsert(Account.EntitySet, started, new JsonObject { [Account.Covenant] = "gold", [Account.FirstStage] = StageValue(Stage.Contacted), [Account.OutreachOwner] = "ANNE@secretariaat.nl" });
        s.Server.Upsert(Account.EntitySet, refused, new JsonObject { [Account.Covenant] = "gold", [Account.FirstStage] = StageValue(Stage.Engaged) });
        s.Server.Upsert(Account.EntitySet, unknown, new JsonObject { ["name"] = "Tin B.V.", [Account.Covenant] = "tin" });

        var result = await s.SyncAsync();
        await s.WriteBackAsync();

        Assert.Equal(1, result.Accounts.Created);
        Assert.Equal(("", "contacted", "Dynamics 365 sync", SqlCrmSyncStore.StartedReason), Assert.Single(await s.HistoryAsync(started)));
        // The owner named by an Outreach user's e-mail address is that user.
        Assert.Equal("Anne de Vries", await s.ScalarAsync<string>("SELECT owner FROM organisation WHERE dataverse_id = @id", new { id = started.ToString("D") }));
        Assert.Empty(await s.HistoryAsync(refused));
        Assert.Empty(await s.HistoryAsync(unknown));
        var accounts = s.Server.Rows(Account.EntitySet);
        Assert.Equal("Started in 'contacted' (covenant gold).", (string)accounts[started][Account.StartOutcome]!);
        Assert.Equal(StageValue(Stage.Contacted), (int)accounts[started][Account.PipelineStage]!);
        Assert.Equal("Refused: A new prospect starts in 'identified' or 'contacted', not in 'engaged'.", (string)accounts[refused][Account.StartOutcome]!);
        Assert.Equal("Refused: Outreach has no covenant with the code 'tin' (known: gold).", (string)accounts[unknown][Account.StartOutcome]!);

        // The answers changed the accounts, so they come back in the delta: no second start and no second answer.
        var answers = await s.ScalarAsync<long>("SELECT COUNT(*) FROM dataverse_outbox WHERE kind = 'answer'");
        var again = await s.SyncAsync();
        Assert.Equal(0, again.Accounts.Created);
        Assert.Equal(answers, await s.ScalarAsync<long>("SELECT COUNT(*) FROM dataverse_outbox WHERE kind = 'answer'"));
        Assert.Equal(0, await s.ScalarAsync<long>("SELECT COUNT(*) FROM dataverse_outbox WHERE sent_at IS NULL"));

        // Put right in Dynamics: the refused account starts, and its answer says so.
        s.Server.Upsert(Account.EntitySet, refused, new JsonObject { [Account.FirstStage] = StageValue(Stage.Identified) });
        await s.SyncAsync();
        await s.WriteBackAsync();
        Assert.Equal("Started in 'identified' (covenant gold).", (string)s.Server.Rows(Account.EntitySet)[refused][Account.StartOutcome]!);
        Assert.Single(await s.HistoryAsync(refused));
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task ANextActionEditedInDynamics_IsTakenInAsThatUser_ButNeverOverANewerOneOfOutreach(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, engine);
        var entryId = await s.ScalarAsync<long>("SELECT id FROM pipeline_entry");
        // Anne edits the next action on the account's Outreach tab.
        s.Server.Upsert(Account.EntitySet, Gold, new JsonObject
        {
            [Account.NextAction] = "Send the covenant text", [Account.NextActionDue] = "2026-12-01", [Account.ModifiedByValue] = Anne.ToString("D"),
        });

        await s.SyncAsync();

        Assert.Equal(("Send the covenant text", "2026-12-01"), await NextActionAsync(s, entryId));
        Assert.Equal(1, await s.ScalarAsync<long>("SELECT COUNT(*) FROM audit_entry WHERE action = 'next_action_set' AND actor = 'Anne de Vries'"));
        await s.WriteBackAsync();
        // Outreach's own write-back comes back in the delta (last changed by Outreach's user): nothing is taken in again.
        await s.SyncAsync();
        Assert.Equal(1, await s.ScalarAsync<long>("SELECT COUNT(*) FROM audit_entry WHERE action = 'next_action_set'"));

        // Outreach sets a newer next action; before it is written back, a Dynamics user changes another column of the account,
        // which still shows the older next action: that must not undo Outreach's newer one.
        await SqlServices.Moves(s.Db, s.Clock).SetNextActionAsync(entryId, "Call back", new DateOnly(2026, 12, 5), new DateOnly(2026, 11, 3), default);
        s.Server.Upsert(Account.EntitySet, Gold, new JsonObject { ["telephone1"] = "030 123 4567", [Account.ModifiedByValue] = Jan.ToString("D") });
        await s.SyncAsync();
        Assert.Equal(("Call back", "2026-12-05"), await NextActionAsync(s, entryId));

        await s.WriteBackAsync();
        await s.SyncAsync();
        Assert.Equal(("Call back", "2026-12-05"), await NextActionAsync(s, entryId));
        Assert.Equal("Call back", (string)s.Server.Rows(Account.EntitySet)[Gold][Account.NextAction]!);
    }

    private static async Task<(string?, string?)> NextActionAsync(Setup s, long entryId)
    {
        await using var c = await s.Db.OpenAsync(default);
        return await c.QuerySingleAsync<(string?, string?)>("SELECT next_action, CAST(next_action_due AS text) FROM pipeline_entry WHERE id = @entryId", new { entryId });
    }
}
