using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Pipeline;
using Outreach.Jobs.PipelineHygiene;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>Pipeline hygiene run on two nodes at once: each due revisit is moved back once (one history line, one audit line, one write-back row).</summary>
public sealed class PipelineHygieneOverlapTests
{
    [Theory]
    [MemberData(nameof(TwoNodes.Engines), MemberType = typeof(TwoNodes))]
    public async Task TwoOverlappingRuns_MoveEachDueRevisitOnce(StorageEngine engine)
    {
        await using var nodes = TwoNodes.Start(engine);
        await nodes.A.Services.GetRequiredService<Core.Prospects.IProspectStore>().AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
        var client = nodes.A.CreateClient();
        var pipeline = nodes.B.Services.GetRequiredService<IPipelineStore>();
        var db = nodes.A.Services.GetRequiredService<Database>();
        for (var round = 0; round < TwoNodes.Rounds; round++)
        {
            nodes.SetTime(new DateTimeOffset(2026, 11, 18, 9, 0, 0, TimeSpan.Zero));
            var ids = new List<long>();
            for (var i = 0; i < 6; i++)
            {
                var created = await client.PostAsJsonAsync("/api/prospects", new { name = $"Revisit Metals {round}-{i}", partyKind = "company", sector = "steel", owner = "Anne", covenant = "gold", stage = "contacted" });
                var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
                Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/prospects/{id}/stage", new { stage = "not_now", reason = "Budget next year", revisitOn = "2026-11-19" })).StatusCode);
                ids.Add(id);
            }

            // Thursday 19 November 2026, 08:00 in Amsterdam: a working day, the revisit date.
            nodes.SetTime(new DateTimeOffset(2026, 11, 19, 7, 0, 0, TimeSpan.Zero));
            var (a, b) = await nodes.RunBothAsync<PipelineHygieneJob>();

            // Between them the two runs moved each entry once; the other found it moved (or no longer due).
            Assert.Equal(ids.Count, Moved(a.Summary) + Moved(b.Summary));
            foreach (var id in ids)
            {
                Assert.Equal(Stage.Identified, (await pipeline.GetEntryAsync(id, default))!.Stage);
                Assert.Single(await pipeline.HistoryAsync(id, default), c => c.By == PipelineHygieneJob.Actor);
                await using var c = await db.OpenAsync(default);
                Assert.Equal(1, await c.ExecuteScalarAsync<int>(
                    "SELECT COUNT(*) FROM stage_change WHERE entry_id = @id AND to_stage = 'identified'", new { id }));
                Assert.Equal(2, await c.ExecuteScalarAsync<int>(
                    "SELECT COUNT(*) FROM audit_entry WHERE entity = 'prospect' AND entity_id = @id AND action = 'moved'", new { id = id.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            }
        }
    }

    private static int Moved(string summary) => int.Parse(summary[..summary.IndexOf(' ', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
}
