using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Jobs.Privacy;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>The retention job on two nodes at once: each due contact is erased once, with one audit line and one suppressed address.</summary>
public sealed class RetentionOverlapTests
{
    [Theory]
    [MemberData(nameof(TwoNodes.Engines), MemberType = typeof(TwoNodes))]
    public async Task TwoOverlappingRuns_EraseAndAuditEachDueContactOnce(StorageEngine engine)
    {
        await using var nodes = TwoNodes.Start(engine);
        var prospects = nodes.A.Services.GetRequiredService<IProspectStore>();
        var pipeline = nodes.A.Services.GetRequiredService<IPipelineStore>();
        var db = nodes.A.Services.GetRequiredService<Database>();
        var covenant = await prospects.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
        for (var round = 0; round < TwoNodes.Rounds; round++)
        {
            var contacts = new List<long>();
            for (var i = 0; i < 5; i++)
            {
                var entry = await pipeline.AddProspectAsync(new OrganisationDraft { Name = $"Declined Steel {round}-{i}", Sector = "steel", Owner = "Anne", Country = "NL" }, covenant.Id,
                    Stage.Declined, nodes.A.Clock.GetUtcNow(), "anne", "No capacity", default);
                contacts.Add((await prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = $"Person {round}-{i}", Email = $"p{round}-{i}@declined.example" }, default)).Id);
            }

            nodes.Advance(TimeSpan.FromDays(731));
            await nodes.RunBothAsync<DeclinedContactRetentionJob>();

            await using var c = await db.OpenAsync(default);
            foreach (var id in contacts)
            {
                Assert.True((await prospects.GetContactAsync(id, default))!.Erased);
                Assert.Equal(1, await c.ExecuteScalarAsync<int>(
                    "SELECT COUNT(*) FROM audit_entry WHERE entity = 'contact' AND entity_id = @id AND action = 'erased'", new { id = id.ToString(CultureInfo.InvariantCulture) }));
            }

            Assert.Equal(contacts.Count * (round + 1), await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM suppressed_address"));
        }
    }
}
