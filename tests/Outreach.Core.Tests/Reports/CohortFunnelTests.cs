using Outreach.Core.Pipeline;
using Outreach.Core.Reports;
using static Outreach.Testing.ReportDataSet;

namespace Outreach.Core.Tests.Reports;

/// <summary>
/// Issue 16 item 11: the period funnel can widen (engaged 46 &gt; contacted 39); the cohort funnel (prospects first
/// contacted in the period, followed to today) cannot. Figures worked out by hand in the comments.
/// </summary>
public sealed class CohortFunnelTests
{
    private static DateTimeOffset At(int y, int m, int d) => new(y, m, d, 10, 0, 0, TimeSpan.Zero);

    private static ProspectPath Path(long id, params (Stage Stage, DateTimeOffset At)[] reaches)
    {
        var first = new DateTimeOffset?[Stages.All.Count];
        foreach (var (stage, at) in reaches) first[(int)stage] = at;
        return new ProspectPath(id, id + 100, first);
    }

    private static int[] Counts(IReadOnlyList<FunnelStep> funnel) => [.. funnel.Select(f => f.Reached)];

    [Fact]
    public void OnTheDataSet_TheCohortIsFollowedToToday()
    {
        // First contacted in 2025: A, B, C, D, E, G, H = 7; identified counts the whole cohort (E has no identified line).
        // At least engaged by 15 April 2026: A, B, C, E, G, H = 6 (D declined after contacted).
        // At least intake: A, B and G (intake 10 Jan 2026, after the period but before today) = 3; the same for signing
        // scheduled and signed (G signed 1 Feb 2026). F (contacted in 2023) and I (2024) are not in the cohort.
        var report = ConversionReportBuilder.Build(Year2025, InMemory(Year2025), AsOf);
        Assert.Equal([7, 7, 6, 3, 3, 3], Counts(report.CohortFunnel));
        // The period funnel stays as it was: identified 5 < contacted 7, it widens on this very data set.
        Assert.Equal([5, 7, 6, 2, 2, 2], Counts(report.Funnel));
        Assert.Same(report.CohortFunnel, report.FunnelOf(FunnelKind.Cohort));
        Assert.Same(report.Funnel, report.FunnelOf(FunnelKind.Period));
    }

    [Fact]
    public void WhereThePeriodFunnelWidens_TheCohortFunnelDoesNot()
    {
        // X and Z were contacted in December 2024 and engaged in 2025; Y was contacted in 2025 and went no further.
        var prospects = new[]
        {
            Path(1, (Stage.Identified, At(2024, 11, 1)), (Stage.Contacted, At(2024, 12, 1)), (Stage.Engaged, At(2025, 1, 15)), (Stage.Intake, At(2025, 2, 1))),
            Path(2, (Stage.Contacted, At(2025, 3, 1))),
            Path(3, (Stage.Contacted, At(2024, 12, 20)), (Stage.Engaged, At(2025, 2, 1))),
        };
        var data = new ReportData(prospects, 5, [], new Dictionary<Stage, int>(), []);
        var report = ConversionReportBuilder.Build(Year2025, data, AsOf);

        // Period: contacted 1 (Y), engaged 2 (X, Z), intake 1 (X): engaged is wider than contacted.
        Assert.Equal([0, 1, 2, 1, 0, 0], Counts(report.Funnel));
        // Cohort: only Y, contacted and no further.
        Assert.Equal([1, 1, 0, 0, 0, 0], Counts(report.CohortFunnel));
    }

    [Fact]
    public void AStageReachedAfterToday_DoesNotCount_AndASkippedLineCountsAsPassed()
    {
        // P: contacted in March 2025, straight to intake (re-approached; no engaged line), signed after "today".
        var p = Path(1, (Stage.Contacted, At(2025, 3, 1)), (Stage.Intake, At(2025, 6, 1)), (Stage.Signed, At(2026, 6, 1)));
        var funnel = ConversionReportBuilder.CohortFunnel(Year2025, [p], AsOf);
        Assert.Equal([1, 1, 1, 1, 0, 0], Counts(funnel));
    }

    [Fact]
    public void TheCohortFunnelNeverWidens_OnRandomHistories()
    {
        var random = new Random(16);
        for (var run = 0; run < 200; run++)
        {
            var prospects = Enumerable.Range(0, 30).Select(i =>
            {
                var first = new DateTimeOffset?[Stages.All.Count];
                foreach (var s in Stages.All)
                {
                    if (random.Next(3) == 0) continue;
                    first[(int)s] = At(2024, 6, 1).AddDays(random.Next(800));
                }

                return new ProspectPath(i, i, first);
            }).ToList();
            var funnel = Counts(ConversionReportBuilder.CohortFunnel(Year2025, prospects, AsOf));
            for (var i = 1; i < funnel.Length; i++) Assert.True(funnel[i] <= funnel[i - 1], $"run {run}: {string.Join(",", funnel)}");
        }
    }
}
