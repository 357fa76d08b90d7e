using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Jobs.Reports;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>The weekly report mail on two nodes at once: one mail per recipient per week.</summary>
public sealed class WeeklyReportOverlapTests
{
    private static readonly string[] Recipients = ["directeur@secretariaat.example", "manager@secretariaat.example", "Manager2@secretariaat.example"];

    [Theory]
    [MemberData(nameof(TwoNodes.Engines), MemberType = typeof(TwoNodes))]
    public async Task TwoOverlappingRuns_QueueOneMailPerRecipientPerWeek(StorageEngine engine)
    {
        await using var nodes = TwoNodes.Start(engine, b =>
        {
            for (var i = 0; i < Recipients.Length; i++) b.UseSetting($"Jobs:WeeklyReportRecipients:{i}", Recipients[i]);
        });
        var db = nodes.A.Services.GetRequiredService<Database>();
        for (var round = 0; round < TwoNodes.Rounds; round++)
        {
            // Monday mornings in Amsterdam, a week apart: each covers the week before.
            nodes.SetTime(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero).AddDays(7 * round));
            var (a, b) = await nodes.RunBothAsync<WeeklyReportMailJob>();

            Assert.Equal(Recipients.Length, Added(a.Summary) + Added(b.Summary));
            var monday = new DateOnly(2026, 11, 16).AddDays(7 * round).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            await using var c = await db.OpenAsync(default);
            var keys = (await c.QueryAsync<string>("SELECT idempotency_key FROM mail_outbox WHERE purpose = 'weekly-report' AND idempotency_key LIKE @week",
                new { week = $"weekly-report:{monday}:%" })).ToList();
            Assert.Equal(Recipients.Select(r => $"weekly-report:{monday}:{r.ToLowerInvariant()}").Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
        }
    }

    /// <summary>"... queued for N of M recipients": N.</summary>
    private static int Added(string summary)
    {
        var at = summary.IndexOf("queued for ", StringComparison.Ordinal) + "queued for ".Length;
        return int.Parse(summary[at..summary.IndexOf(' ', at)], CultureInfo.InvariantCulture);
    }
}
