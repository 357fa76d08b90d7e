using Dapper;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;
using Outreach.Graph.Testing;
using Outreach.Jobs.Mail;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>
/// The replies job on two nodes at once, reading the same inbox of the local Graph server: each reply is handled by one run
/// (claimed first), and its recorded outcome names the enrolments it stopped (not "0 stopped" from a second handling).
/// </summary>
public sealed class ReplyScanOverlapTests
{
    private const string Mailbox = "secretariaat@convenant.example";

    [Theory]
    [MemberData(nameof(TwoNodes.Engines), MemberType = typeof(TwoNodes))]
    public async Task TwoOverlappingRuns_HandleEachReplyOnce_AndRecordItsOutcome(StorageEngine engine)
    {
        await using var server = await LocalGraphServer.StartAsync("local-graph-token", Mailbox);
        await using var nodes = TwoNodes.Start(engine, GraphCalendarHost.Settings(server, Mailbox, calendar: false, mail: true));
        var world = await OverlapWorld.CreateAsync(nodes, "Verantwoord Goud", new DateOnly(2017, 6, 1), new DateOnly(2027, 6, 1));
        var (runner, db) = (world.A<SequenceRunner>(), world.Db);
        var sequence = (await world.A<ISequenceStore>().ListSequencesAsync(default))[0];
        for (var round = 0; round < TwoNodes.Rounds; round++)
        {
            var addresses = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                var address = $"eva{round}-{i}@goud.example";
                var prospect = await world.ProspectAsync($"Goud {round}-{i} BV", "jewellery", Stage.Contacted, "Met at the fair", [new ContactDraft { Name = $"Eva {round}-{i}", Email = address }]);
                Assert.NotNull((await runner.EnrolAsync(prospect.Entry.Id, prospect.Contacts[0].Id, sequence.Id, "anne", default)).Enrolment);
                server.Receive(Mailbox, new IncomingMail(address, $"Eva {round}-{i}", "Re: Uw vragen over het convenant", "Graag een afspraak."));
                addresses.Add(address);
            }

            nodes.Advance(TimeSpan.FromMinutes(5));
            var (a, b) = await nodes.RunBothAsync<ReplyScanJob>();

            Assert.Equal(4, Replies(a.Summary) + Replies(b.Summary));
            await using var c = await db.OpenAsync(default);
            foreach (var address in addresses)
            {
                var outcome = Assert.Single(await c.QueryAsync<string>("SELECT outcome FROM mail_reply WHERE from_address = @address", new { address }));
                Assert.Equal("1 enrolment(s) of the organisation stopped", outcome);
            }
        }
    }

    /// <summary>"N messages read: R replies (...": R.</summary>
    private static int Replies(string summary)
    {
        var end = summary.IndexOf(" replies (", StringComparison.Ordinal);
        if (end < 0) return 0;
        var start = summary.LastIndexOf(' ', end - 1) + 1;
        return int.Parse(summary[start..end], System.Globalization.CultureInfo.InvariantCulture);
    }
}
