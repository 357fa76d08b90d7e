using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Pipeline;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Dataverse.Tests;

/// <summary>The account links back to Outreach: the write-back puts the prospect's page in the account's otr_outreachurl.</summary>
public sealed class DataverseOutreachLinkTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);

    /// <summary>A fixed clock a day after the last step these tests date (<see cref="At"/> + 1 day), so no step lies in its future.</summary>
    private static FakeTimeProvider Clock => new(At.AddDays(2));

    private sealed class NullProgress : Core.Jobs.IJobProgress
    {
        public Task ReportAsync(long done, long? total, CancellationToken ct) => Task.CompletedTask;
    }

    private static async Task<(Database Db, DataverseClient Client, SqlPipelineStore Pipeline, long OrganisationId, long CovenantId)> SetUpAsync(LocalDataverse local, StorageEngine engine)
    {
        local.SeedAccounts(2);
        var db = await TestDatabases.MigratedAsync(engine, Clock);
        var client = local.Client();
        await new DataverseSync(client, new SqlCrmSyncStore(db), Clock, NullLogger<DataverseSync>.Instance).RunAsync(new NullProgress(), default);
        var covenant = await new SqlProspectStore(db, Clock).AddCovenantAsync("gold", "Gold", new DateOnly(2022, 1, 1), new DateOnly(2026, 12, 31), default);
        await using var c = await db.OpenAsync(default);
        var organisationId = await c.ExecuteScalarAsync<long>("SELECT id FROM organisation WHERE dataverse_id = @id", new { id = LocalDataverse.Id(1, 1).ToString("D") });
        return (db, client, new SqlPipelineStore(db, Clock), organisationId, covenant.Id);
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task TheAccount_GetsTheLinkToItsProspectInOutreach(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var (db, client, pipeline, organisationId, covenantId) = await SetUpAsync(local, engine);
        var entry = await SqlServices.Moves(db, Clock).AddEntryAsync(organisationId, covenantId, Stage.Identified, At, "Anne", "Met at the fair", default);
        await pipeline.ApplyAsync(new StageChange(entry.Id, Stage.Identified, Stage.Contacted, At.AddDays(1), "Anne", "First mail sent"), default);

        var counts = await new DataverseWriteBack(client, new SqlWriteBackOutbox(db), Clock, NullLogger<DataverseWriteBack>.Instance,
            new OutreachLinks("https://outreach.secretariat.example/")).SendPendingAsync(default);

        Assert.Equal(0, counts.Failed);
        var account = local.Server.Rows("accounts")[LocalDataverse.Id(1, 1)];
        Assert.Equal($"https://outreach.secretariat.example/prospects/{entry.Id}", (string)account[DataverseSchema.Account.OutreachUrl]!);
        // The other account is untouched.
        Assert.Null(local.Server.Rows("accounts")[LocalDataverse.Id(1, 0)][DataverseSchema.Account.OutreachUrl]);
    }

    [Fact]
    public async Task WithoutABaseUrl_TheLinkIsNotWritten_AndTheStageStillIs()
    {
        await using var local = await LocalDataverse.StartAsync();
        var (db, client, pipeline, organisationId, covenantId) = await SetUpAsync(local, StorageEngine.Sqlite);
        await SqlServices.Moves(db, Clock).AddEntryAsync(organisationId, covenantId, Stage.Identified, At, "Anne", "Met at the fair", default);

        await new DataverseWriteBack(client, new SqlWriteBackOutbox(db), Clock, NullLogger<DataverseWriteBack>.Instance, OutreachLinks.None).SendPendingAsync(default);

        var account = local.Server.Rows("accounts")[LocalDataverse.Id(1, 1)];
        Assert.Equal(DataverseSchema.StageValue(Stage.Identified), (int)account[DataverseSchema.Account.PipelineStage]!);
        Assert.False(account.ContainsKey(DataverseSchema.Account.OutreachUrl));
    }

    [Fact]
    public void TheLink_JoinsTheBaseUrlAndTheProspect_WithOneSlash()
    {
        Assert.Equal("https://o.example/prospects/7", new OutreachLinks("https://o.example").Prospect(7));
        Assert.Equal("https://o.example/app/prospects/7", new OutreachLinks("https://o.example/app/").Prospect(7));
    }
}
