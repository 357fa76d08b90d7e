using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Dataverse.Tests;

/// <summary>Write-back through the outbox: rows first (with the change), then sent in $batch change sets, then marked.</summary>
public sealed class DataverseWriteBackTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);

    /// <summary>A fixed clock a day after the last step these tests date (<see cref="At"/> + 1 day), so no step lies in its future.</summary>
    private static FakeTimeProvider Clock => new(At.AddDays(2));

    private sealed record Setup(LocalDataverse Local, Database Db, DataverseClient Client, SqlPipelineStore Pipeline, PipelineEntry Entry, Guid Account);

    private static async Task<Setup> SetUpAsync(LocalDataverse local, StorageEngine engine)
    {
        local.SeedAccounts(3);
        var db = await TestDatabases.MigratedAsync(engine, Clock);
        var client = local.Client();
        await new DataverseSync(client, new SqlCrmSyncStore(db), Clock, NullLogger<DataverseSync>.Instance).RunAsync(new NullProgress(), default);
        var account = LocalDataverse.Id(1, 1);
        var covenant = await new SqlProspectStore(db, Clock).AddCovenantAsync("gold", "Gold", new DateOnly(2022, 1, 1), new DateOnly(2026, 12, 31), default);
        await using var c = await db.OpenAsync(default);
        var organisationId = await c.ExecuteScalarAsync<long>("SELECT id FROM organisation WHERE dataverse_id = @id", new { id = account.ToString("D") });
        var pipeline = new SqlPipelineStore(db, Clock);
        var entry = await SqlServices.Moves(db, Clock).AddEntryAsync(organisationId, covenant.Id, Stage.Identified, At, "Anne", "Met at the fair", default);
        return new Setup(local, db, client, pipeline, entry, account);
    }

    private sealed class NullProgress : Core.Jobs.IJobProgress
    {
        public Task ReportAsync(long done, long? total, CancellationToken ct) => Task.CompletedTask;
    }

    private static DataverseWriteBack WriteBack(Setup s) =>
        new(s.Client, new SqlWriteBackOutbox(s.Db), Clock, NullLogger<DataverseWriteBack>.Instance, OutreachLinks.None);

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task StageChange_GoesToTheAccountAndItsTimeline_InOneBatchRequest(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, engine);
        await SqlServices.Moves(s.Db, Clock).ApplyAsync(new StageChange(s.Entry.Id, Stage.Identified, Stage.Contacted, At.AddDays(1), "Anne", "First mail sent"), default);
        await SqlServices.Moves(s.Db, Clock).SetNextActionAsync(s.Entry.Id, "Call back", new DateOnly(2026, 11, 10), new DateOnly(2026, 11, 3), default);
        local.Server.ClearRequests();

        var counts = await WriteBack(s).SendPendingAsync(default);

        // Creation, move and next action: three outbox rows, one $batch request.
        Assert.Equal(new WriteBackCounts(3, 0, 1), counts);
        Assert.Equal(["POST /api/data/v9.2/$batch"], local.Server.Requests.Select(r => $"{r.Method} {r.PathAndQuery}"));
        var account = local.Server.Rows("accounts")[s.Account];
        Assert.Equal(DataverseSchema.StageValue(Stage.Contacted), (int)account["otr_pipelinestage"]!);
        Assert.Equal("Call back", (string)account["otr_nextaction"]!);
        Assert.Equal("2026-11-10", (string)account["otr_nextactiondue"]!);
        Assert.Equal("gold", (string)account["otr_covenant"]!);
        var tasks = local.Server.Rows("tasks").Values.ToList();
        Assert.Equal(2, tasks.Count);
        Assert.All(tasks, t => Assert.Equal($"/accounts({s.Account:D})", (string)t["regardingobjectid_account_task@odata.bind"]!));
        Assert.Contains(tasks, t => (string)t["subject"]! == "Pipeline stage: identified → contacted");
        Assert.Equal(2, local.Server.Rows("otr_stagechanges").Count);
        // Marked: a second pass sends nothing.
        Assert.Equal(new WriteBackCounts(0, 0, 0), await WriteBack(s).SendPendingAsync(default));
    }

    [Fact]
    public async Task ResendAfterACrashBeforeMarking_NeverCreatesASecondActivity()
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, StorageEngine.Sqlite);
        await SqlServices.Moves(s.Db, Clock).ApplyAsync(new StageChange(s.Entry.Id, Stage.Identified, Stage.Contacted, At.AddDays(1), "Anne", "First mail sent"), default);
        await WriteBack(s).SendPendingAsync(default);
        var tasks = local.Server.Rows("tasks");

        // The crash: sent, but the marks never reached the database.
        await using (var c = await s.Db.OpenAsync(default)) await c.ExecuteAsync("UPDATE dataverse_outbox SET sent_at = NULL");
        var again = await WriteBack(s).SendPendingAsync(default);

        Assert.Equal(2, again.Sent);
        Assert.Equal(tasks.Keys.Order(), local.Server.Rows("tasks").Keys.Order());
        Assert.Equal(2, local.Server.Rows("otr_stagechanges").Count);
    }

    [Fact]
    public async Task AFailedChangeSet_StaysPendingWithTheServiceReason_AndChangesNothing()
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, StorageEngine.Sqlite);
        local.Server.Delete("accounts", s.Account);

        var counts = await WriteBack(s).SendPendingAsync(default);

        Assert.Equal(new WriteBackCounts(0, 1, 1), counts);
        // The account is not re-created, and the task of the failed change set was rolled back with it.
        Assert.False(local.Server.Rows("accounts").ContainsKey(s.Account));
        Assert.Empty(local.Server.Rows("tasks"));
        await using var c = await s.Db.OpenAsync(default);
        var row = await c.QuerySingleAsync<(long Attempts, string? Error, object? Sent)>("SELECT attempts, last_error, sent_at FROM dataverse_outbox");
        Assert.Equal(1, row.Attempts);
        Assert.Contains("404", row.Error, StringComparison.Ordinal);
        Assert.Null(row.Sent);
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task ARefusedRow_HoldsBackNoLaterOne_AndKeepsDataversesErrorOnItsRow(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, engine);
        var otherAccount = LocalDataverse.Id(1, 2);
        await using (var c = await s.Db.OpenAsync(default))
        {
            var organisationId = await c.ExecuteScalarAsync<long>("SELECT id FROM organisation WHERE dataverse_id = @id", new { id = otherAccount.ToString("D") });
            await SqlServices.Moves(s.Db, Clock).AddEntryAsync(organisationId, s.Entry.CovenantId, Stage.Contacted, At, "Anne", "Met at the fair", default);
        }

        // The first row's account was deleted in Dynamics: Dataverse refuses its change set (If-Match: * on a missing row).
        local.Server.Delete("accounts", s.Account);
        local.Server.ClearRequests();

        var counts = await WriteBack(s).SendPendingAsync(default);

        Assert.Equal(new WriteBackCounts(1, 1, 1), counts);
        Assert.Equal(DataverseSchema.StageValue(Stage.Contacted), (int)local.Server.Rows("accounts")[otherAccount]["otr_pipelinestage"]!);
        Assert.Equal("odata.continue-on-error", Assert.Single(local.Server.Requests).Prefer);
        await using var check = await s.Db.OpenAsync(default);
        var rows = (await check.QueryAsync<(long Attempts, string? Error, string? Sent)>(
            "SELECT attempts, last_error, CAST(sent_at AS text) FROM dataverse_outbox ORDER BY id")).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(1, rows[0].Attempts);
        Assert.Contains("404", rows[0].Error, StringComparison.Ordinal);
        Assert.Contains("Entity with the key does not exist.", rows[0].Error, StringComparison.Ordinal);
        Assert.Null(rows[0].Sent);
        Assert.Null(rows[1].Error);
        Assert.NotNull(rows[1].Sent);
        // What the jobs page and the prospect page show: the refused row, with Dataverse's error, under its prospect only.
        var refused = Assert.Single(await new SqlWriteBackOutbox(s.Db).RefusedAsync(null, 10, default));
        Assert.Equal((s.Entry.Id, 1, false), (refused.EntryId!.Value, refused.Attempts, refused.GivenUp));
        Assert.Equal(rows[0].Error, refused.Error);
        Assert.Single(await new SqlWriteBackOutbox(s.Db).RefusedAsync(s.Entry.Id, 10, default));
        Assert.Empty(await new SqlWriteBackOutbox(s.Db).RefusedAsync(s.Entry.Id + 1, 10, default));
        // The refused row is tried again on the next run; the sent one is not.
        Assert.Equal(new WriteBackCounts(0, 1, 1), await WriteBack(s).SendPendingAsync(default));
    }

    [Fact]
    public async Task AnOrganisationWithoutADataverseAccount_WritesNothingBack()
    {
        var db = await TestDatabases.MigratedAsync(StorageEngine.Sqlite, Clock);
        var covenant = await new SqlProspectStore(db, Clock).AddCovenantAsync("gold", "Gold", new DateOnly(2022, 1, 1), new DateOnly(2026, 12, 31), default);
        var created = await SqlServices.Moves(db, Clock).CreateAsync(new OrganisationDraft { Name = "Local Only B.V.", Sector = "gold", Owner = "Anne", Country = "NL" }, covenant.Id, Stage.Identified, "Anne", "Met", acceptDuplicates: true, default);
        var entry = created.Entry!;
        await SqlServices.Moves(db, Clock).ApplyAsync(new StageChange(entry.Id, Stage.Identified, Stage.Contacted, At.AddDays(1), "Anne", "Mailed"), default);
        await using var c = await db.OpenAsync(default);
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dataverse_outbox"));
    }

    [Fact]
    public void KeyedIds_AreStablePerKeyAndPurpose()
    {
        Assert.Equal(DataverseWriteBack.KeyedId("stage-change:7", "task"), DataverseWriteBack.KeyedId("stage-change:7", "task"));
        Assert.NotEqual(DataverseWriteBack.KeyedId("stage-change:7", "task"), DataverseWriteBack.KeyedId("stage-change:8", "task"));
        Assert.NotEqual(DataverseWriteBack.KeyedId("stage-change:7", "task"), DataverseWriteBack.KeyedId("stage-change:7", "stagechange"));
    }
}
