using Outreach.Core.Pipeline;
using Outreach.Core.Reports;

namespace Outreach.Core.Tests.Reports;

/// <summary>Cohorts go by the quarter of the Amsterdam date of first contact, also in the hours where UTC is still on the day before.</summary>
public sealed class CohortQuarterTests
{
    private static ProspectPath Contacted(long id, DateTimeOffset at)
    {
        var first = new DateTimeOffset?[Stages.All.Count];
        first[(int)Stage.Contacted] = at;
        return new ProspectPath(id, id, first);
    }

    [Fact]
    public void FirstContacts_JustAfterLocalMidnight_BelongToTheNewQuarter()
    {
        var query = new ReportQuery { From = new DateOnly(2024, 12, 1), To = new DateOnly(2025, 9, 30) };
        var prospects = new[]
        {
            Contacted(1, new DateTimeOffset(2024, 12, 31, 22, 59, 0, TimeSpan.Zero)), // 23:59 CET: 2024 Q4
            Contacted(2, new DateTimeOffset(2024, 12, 31, 23, 0, 0, TimeSpan.Zero)),  // 00:00 CET on 1 January: 2025 Q1
            Contacted(3, new DateTimeOffset(2025, 3, 31, 21, 59, 0, TimeSpan.Zero)),  // 23:59 CEST: Q1
            Contacted(4, new DateTimeOffset(2025, 3, 31, 22, 0, 0, TimeSpan.Zero)),   // 00:00 CEST on 1 April: Q2
            Contacted(5, new DateTimeOffset(2025, 9, 30, 21, 0, 0, TimeSpan.Zero)),   // 23:00 CEST: Q3, the period's last hour
        };
        var data = new ReportData(prospects, prospects.Length, [], new Dictionary<Stage, int>(), []);
        var report = ConversionReportBuilder.Build(query, data, new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(["2024 Q4 1", "2025 Q1 2", "2025 Q2 1", "2025 Q3 1"], report.Cohorts.Select(c => $"{c.Label} {c.Prospects}"));
    }
}
