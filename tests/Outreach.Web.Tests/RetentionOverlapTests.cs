using System.Globalization;
using Dapper;
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
        var world = await OverlapWorld.CreateAsync(nodes, "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31));
        var (prospects, db) = (world.Prospects, world.Db);
        for (var round = 0; round < TwoNodes.Rounds; round++)
        {
            var contacts = new List<long>();
            for (var i = 0; i < 5; i++)
            {
                var declined = await world.ProspectAsync($"Declined Steel {round}-{i}", "steel", Stage.Declined, "No capacity",
                    [new ContactDraft { Name = $"Person {round}-{i}", Email = $"p{round}-{i}@declined.example" }]);
                contacts.Add(declined.Contacts[0].Id);
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
