using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Jobs;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Dataverse.Testing;
using Outreach.Jobs.Dataverse;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>
/// The Dataverse job on two nodes at once, against the local Dataverse server: no run fails (the second ends skipped while
/// the first holds the sync's lease), no row is wrongly removed, Outreach holds what Dynamics holds, and each pending
/// write-back goes out in one $batch, not one per run.
/// </summary>
public sealed class DataverseSyncOverlapTests
{
    [Theory]
    [MemberData(nameof(TwoNodes.Engines), MemberType = typeof(TwoNodes))]
    public async Task TwoOverlappingRuns_FailNothing_RemoveNothingWrongly_AndSendEachWriteBackOnce(StorageEngine engine)
    {
        await using var server = await LocalDataverseServer.StartAsync();
        var accounts = Enumerable.Range(0, 40).Select(i => (Id: Guid.NewGuid(), Fields: new JsonObject { ["name"] = $"Dynamics Account {i}", ["otr_covenant"] = "gold" })).ToList();
        server.Seed("accounts", accounts);
        await using var nodes = TwoNodes.Start(engine, b =>
        {
            b.UseSetting("Dataverse:Url", server.Url.AbsoluteUri.TrimEnd('/'));
            b.UseSetting("Dataverse:AccessToken", server.Token);
        });
        await nodes.A.Services.GetRequiredService<IProspectStore>().AddCovenantAsync("gold", "Verantwoord Goud", new DateOnly(2017, 6, 1), new DateOnly(2027, 6, 1), default);
        var db = nodes.A.Services.GetRequiredService<Database>();
        var moves = nodes.A.Services.GetRequiredService<PipelineService>();
        var next = 40;
        var stageChanges = 0;
        for (var round = 0; round < 4; round++)
        {
            if (round > 0)
            {
                // Dynamics changes meanwhile: new accounts (the second run would insert them again), a rename, a deletion.
                for (var i = 0; i < 3; i++) server.Upsert("accounts", Guid.NewGuid(), new JsonObject { ["name"] = $"Dynamics Account {next++}" });
                server.Upsert("accounts", accounts[round].Id, new JsonObject { ["name"] = $"Renamed {round}" });
                Assert.True(server.Delete("accounts", accounts[20 + round].Id));
                // A stage change of a synced prospect goes back to Dynamics.
                await using (var c = await db.OpenAsync(default))
                {
                    var entry = await c.ExecuteScalarAsync<long>("SELECT e.id FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id WHERE o.dataverse_id = @id",
                        new { id = accounts[round].Id.ToString("D") });
                    Assert.True((await moves.MoveAsync(entry, Stage.Contacted, "Called", "anne", null, default)).Succeeded);
                }
            }

            // The third round's delta token expired: both runs would start a full read.
            if (round == 2) server.ExpireDeltaTokens();
            server.ClearRequests();
            nodes.Advance(TimeSpan.FromMinutes(15));
            var (a, b) = await nodes.RunBothAsync<DataverseSyncJob>();
            Assert.Contains(JobOutcome.Succeeded, new[] { a.Outcome, b.Outcome });
            Assert.All(new[] { a, b }, r => Assert.True(r.Outcome is JobOutcome.Succeeded or JobOutcome.Skipped, r.Summary));
            if (round > 0) Assert.Equal(1, server.Requests.Count(r => r.Method == "POST" && r.PathAndQuery.Contains("$batch", StringComparison.Ordinal)));

            var inDynamics = server.Rows("accounts");
            await using var check = await db.OpenAsync(default);
            var live = (await check.QueryAsync<(string Id, string Name)>("SELECT dataverse_id, name FROM organisation WHERE dataverse_id IS NOT NULL AND removed_at IS NULL"))
                .ToDictionary(x => Guid.Parse(x.Id), x => x.Name);
            Assert.Equal(inDynamics.Keys.Order(), live.Keys.Order());
            Assert.All(inDynamics, row => Assert.Equal(row.Value["name"]!.GetValue<string>(), live[row.Key]));
            Assert.Equal(round, await check.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM organisation WHERE removed_at IS NOT NULL"));
            // The 40 prospects started from Dynamics' covenant go back as their first stage change in the first round; one more each round.
            if (round == 0) stageChanges = server.Rows("otr_stagechanges").Count;
            Assert.Equal(stageChanges + round, server.Rows("otr_stagechanges").Count);
            // The lease is given up at the end: the next run (even at the same instant) takes it.
            Assert.Equal(0, await check.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM sync_lease"));
        }
    }
}
