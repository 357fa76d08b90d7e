using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;
using Outreach.Jobs.Mail;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>The sequences job on two nodes at once: each due step is queued once, and each enrolment advances one step.</summary>
public sealed class SequenceOverlapTests
{
    [Theory]
    [MemberData(nameof(TwoNodes.Engines), MemberType = typeof(TwoNodes))]
    public async Task TwoOverlappingRuns_QueueEachDueStepOnce(StorageEngine engine)
    {
        await using var nodes = TwoNodes.Start(engine);
        var world = await OverlapWorld.CreateAsync(nodes, "Responsible Gold", new DateOnly(2017, 6, 1), new DateOnly(2027, 6, 1));
        var (runner, db) = (world.A<SequenceRunner>(), world.Db);
        var sequences = nodes.B.Services.GetRequiredService<ISequenceStore>();
        var sequence = (await sequences.ListSequencesAsync(default))[0];
        for (var round = 0; round < TwoNodes.Rounds; round++)
        {
            var enrolments = new List<Enrolment>();
            for (var i = 0; i < 8; i++)
            {
                var prospect = await world.ProspectAsync($"Goud {round}-{i} BV", "jewellery", Stage.Contacted, "Met at the fair",
                    [new ContactDraft { Name = $"Eva {round}-{i}", Email = $"eva{round}-{i}@goud.example", Language = ContactLanguage.En }]);
                var enrolled = await runner.EnrolAsync(prospect.Entry.Id, prospect.Contacts[0].Id, sequence.Id, "anne", default);
                enrolments.Add(enrolled.Enrolment!);
            }

            nodes.SetTime(enrolments.Max(e => e.NextDue!.Value));
            await using var c = await db.OpenAsync(default);
            var before = await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM mail_outbox");
            var (a, b) = await nodes.RunBothAsync<SequenceJob>();

            // What the two runs say they queued is what the outbox holds: neither counted a step the other had queued.
            var added = await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM mail_outbox") - before;
            Assert.Equal(added, Queued(a.Summary) + Queued(b.Summary));
            foreach (var e in enrolments)
            {
                Assert.Equal(1, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM mail_outbox WHERE idempotency_key LIKE @prefix", new { prefix = SequenceRunner.KeyPrefix(e.Id) + "%" }));
                Assert.Equal(1, (await sequences.GetEnrolmentAsync(e.Id, default))!.NextStep);
            }
        }
    }

    /// <summary>"N enrolments looked at: Q mails queued, ...": Q (0 for a run that found nothing to do).</summary>
    private static int Queued(string summary)
    {
        var end = summary.IndexOf(" mails queued", StringComparison.Ordinal);
        if (end < 0) return 0;
        var start = summary.LastIndexOf(' ', end - 1) + 1;
        return int.Parse(summary[start..end], System.Globalization.CultureInfo.InvariantCulture);
    }
}
