using Outreach.Core.Pipeline;
using Outreach.Core.Reports;
using Outreach.Testing;
using static Outreach.Testing.ReportDataSet;

namespace Outreach.Core.Tests.Reports;

/// <summary>
/// The conversion report on the hand-built data set (see <see cref="ReportDataSet"/>, prospects A to I), period
/// 2025. Every expected figure is worked out by hand in the comments.
/// </summary>
public sealed class ConversionReportTests
{
    private static ConversionReport Report(EventAttendance? attendance = null) =>
        ConversionReportBuilder.Build(Year2025, InMemory(Year2025), AsOf, attendance);

    private static Share S(int count, int of) => new(count, of);

    [Fact]
    public void MovesInThePeriod_AreCounted()
    {
        // Lines in 2025: A 5, B 8, C 4, D 3, E 3, F 1, G 3, H 3 = 30 (I has none).
        Assert.Equal(30, Report().MovesInPeriod);
    }

    [Fact]
    public void Funnel_CountsEachProspectOncePerStage_AtItsFirstReach()
    {
        // identified: B, C, D, G, H (A was identified in 2024, E started in contacted, F in 2023) = 5
        // contacted: A, B (twice, counted once), C, D, E, G, H = 7
        // engaged: A, B, C, E, G, H = 6; intake, signing scheduled, signed: A, B = 2 (G's are in 2026)
        var funnel = Report().Funnel.ToDictionary(f => f.Stage, f => f.Reached);
        Assert.Equal([5, 7, 6, 2, 2, 2], Stages.Funnel.Select(s => funnel[s]));
    }

    [Fact]
    public void ReEntries_AreCountedSeparately()
    {
        // B's second contacted line (1 June) is the only move in 2025 into a stage reached before:
        // first reaches in 2025 are A 5, B 7, C 4, D 3, E 3, F 1, G 3, H 3 = 29 of the 30 moves.
        Assert.Equal(1, Report().ReEntries);
    }

    [Fact]
    public void StepConversions_FollowFirstReachesWithinThePeriod()
    {
        var c = Report().Conversions;
        Assert.Equal([Stage.Identified, Stage.Contacted, Stage.Engaged, Stage.Intake, Stage.SigningScheduled], c.Select(x => x.From));
        // identified → contacted: B, C, D, G, H all went on: 5 of 5.
        Assert.Equal(S(5, 5), c[0].Converted);
        // contacted → engaged: of A, B, C, D, E, G, H only D did not engage: 6 of 7.
        Assert.Equal(S(6, 7), c[1].Converted);
        // engaged → intake: of A, B, C, E, G, H, A and B; G's intake is in 2026, after the period: 2 of 6.
        Assert.Equal(S(2, 6), c[2].Converted);
        Assert.Equal(S(2, 2), c[3].Converted);
        Assert.Equal(S(2, 2), c[4].Converted);
        Assert.Equal(2.0 / 6, c[2].Converted.Rate!.Value, 10);
    }

    [Fact]
    public void FirstContactToSigned_IsTheShareOfThePeriodsFirstContactsThatSigned()
    {
        // First contact in 2025: A, B, C, D, E, G, H (7); signed in 2025: A and B.
        Assert.Equal(S(2, 7), Report().FirstContactToSigned);
    }

    [Fact]
    public void DaysBetweenStages_MedianAndP75_ByLinearInterpolation()
    {
        var d = Report().Durations;
        // identified → contacted, for those first contacted in 2025 with an identified line:
        // A 1 Dec → 10 Jan = 40, B 15, C 14, D 31, G 31, H 14 → 14 14 15 31 31 40:
        // median at rank 2.5 = (15 + 31) / 2 = 23; 75th at rank 3.75 = 31 + 0.75 × (31 − 31) = 31.
        Assert.Equal((6, 23.0, 31.0), (d[0].Prospects, d[0].MedianDays!.Value, d[0].P75Days!.Value));
        // contacted → engaged: A 30, B 20 Jan → 11 Jun = 142, C 14, E 30, G 30, H 17 → 14 17 30 30 30 142: median 30, 75th 30.
        Assert.Equal((6, 30.0, 30.0), (d[1].Prospects, d[1].MedianDays!.Value, d[1].P75Days!.Value));
        // engaged → intake: A 30, B 10 → median 20, 75th 10 + 0.75 × 20 = 25.
        Assert.Equal((2, 20.0, 25.0), (d[2].Prospects, d[2].MedianDays!.Value, d[2].P75Days!.Value));
        Assert.Equal((2, 20.0, 25.0), (d[4].Prospects, d[4].MedianDays!.Value, d[4].P75Days!.Value));
    }

    [Fact]
    public void TimeToSign_MeasuresFromFirstContactNotFromTheReEntry()
    {
        var t = Report().TimeToSign;
        // A 10 Jan → 10 May = 120; B from its first contact 20 Jan → 11 Jul = 172 (not from 1 June).
        // median (120 + 172) / 2 = 146; 75th 120 + 0.75 × 52 = 159.
        Assert.Equal((2, 146.0, 159.0), (t.Prospects, t.MedianDays!.Value, t.P75Days!.Value));
        // Both fall in the 91–180 days bar.
        Assert.Equal([0, 0, 2, 0, 0], t.Distribution.Select(b => b.Prospects));
        Assert.Equal((180, (int?)365), (t.Distribution[3].FromDays, t.Distribution[3].ToDays));
    }

    [Fact]
    public void Cohorts_ByQuarterOfFirstContact_AreEmptyWhileTooEarlyToTell()
    {
        var rows = Report().Cohorts;
        Assert.Equal(["2025 Q1", "2025 Q2", "2025 Q4"], rows.Select(r => r.Label));
        // Q1: A, B, C, H. A signed after 120 days, B after 172: within 90 none, within 180 both.
        // The quarter's window of 365 days ends 1 April 2026, before "now" (15 April 2026): known.
        Assert.Equal((4, S(0, 4), S(2, 4), S(2, 4)), (rows[0].Prospects, rows[0].Within90, rows[0].Within180, rows[0].Within365));
        // Q2: D and E, neither signed; 365 days after the quarter's end is July 2026: too early.
        Assert.Equal((2, S(0, 2), S(0, 2), (Share?)null), (rows[1].Prospects, rows[1].Within90, rows[1].Within180, rows[1].Within365));
        // Q4: G, signed 92 days after first contact (after the period: cohorts look beyond it): not within 90; 180 too early.
        Assert.Equal((1, S(0, 1), (Share?)null, (Share?)null), (rows[2].Prospects, rows[2].Within90, rows[2].Within180, rows[2].Within365));
    }

    [Fact]
    public void Events_WithoutAttendanceData_SaySo()
    {
        var events = Report().Events;
        Assert.False(events.HasAttendanceData);
        Assert.Null(events.Attended);
        Assert.Null(events.NotAttended);
    }

    [Fact]
    public void Events_WithAttendance_CompareAttendeesWithTheRest()
    {
        // A and C attended: of A and C, A signed (1 of 2); of B, D, E, G, H, B signed (1 of 5).
        var events = Report(new EventAttendance(new HashSet<long> { OrganisationId(0), OrganisationId(2) })).Events;
        Assert.True(events.HasAttendanceData);
        Assert.Equal(S(1, 2), events.Attended);
        Assert.Equal(S(1, 5), events.NotAttended);
    }

    [Fact]
    public void Exits_CountProspectsAndReasons()
    {
        var exits = Report().Exits.ToDictionary(e => e.Stage);
        // declined: C and D, both for lack of capacity.
        Assert.Equal((2, 2), (exits[Stage.Declined].Prospects, exits[Stage.Declined].Moves));
        Assert.Equal([new ReasonCount(NoCapacity, 2)], exits[Stage.Declined].Reasons);
        // not now: B and E, one reason each (equal counts in text order).
        Assert.Equal([new ReasonCount(Budget, 1), new ReasonCount(Reorganisation, 1)], exits[Stage.NotNow].Reasons);
        Assert.Equal(1, exits[Stage.Left].Prospects);
    }

    [Fact]
    public void PartiesThatLeft_AreListedWithTheirSigning()
    {
        var left = Assert.Single(Report().Left);
        Assert.Equal(LeaverName, left.Organisation);
        Assert.Equal(Sold, left.Reason);
        Assert.Equal(new DateTimeOffset(2023, 6, 1, 10, 0, 0, TimeSpan.Zero), left.SignedAt);
        Assert.Equal(new DateTimeOffset(2025, 9, 1, 10, 0, 0, TimeSpan.Zero), left.LeftAt);
    }

    [Fact]
    public void APeriodOfOneQuarter_CutsFunnelAndConversions()
    {
        // Q2 2025 only: engaged first reached by B (11 Jun), E (31 May), H (1 Apr) = 3; of those only B reached intake in Q2.
        var q2 = new ReportQuery { From = new DateOnly(2025, 4, 1), To = new DateOnly(2025, 6, 30) };
        var report = ConversionReportBuilder.Build(q2, InMemory(q2), AsOf);
        Assert.Equal(3, report.Funnel.Single(f => f.Stage == Stage.Engaged).Reached);
        Assert.Equal(S(1, 3), report.Conversions.Single(c => c.From == Stage.Engaged).Converted);
        // B's re-entry into contacted (1 June) is in Q2 too.
        Assert.Equal(1, report.ReEntries);
    }

    [Fact]
    public void AnEmptyPeriod_GivesZerosAndNoRates()
    {
        var empty = new ReportQuery { From = new DateOnly(2030, 1, 1), To = new DateOnly(2030, 1, 31) };
        var report = ConversionReportBuilder.Build(empty, InMemory(empty), AsOf);
        Assert.All(report.Funnel, f => Assert.Equal(0, f.Reached));
        Assert.Null(report.FirstContactToSigned.Rate);
        Assert.Null(report.TimeToSign.MedianDays);
        Assert.Empty(report.Cohorts);
    }

    [Theory]
    [InlineData(new double[] { 7 }, 0.5, 7)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.5, 2.5)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.75, 3.25)]
    [InlineData(new double[] { 10, 20, 30, 40, 50 }, 0.75, 40)]
    public void Percentile_InterpolatesBetweenRanks(double[] sorted, double p, double expected) =>
        Assert.Equal(expected, ConversionReportBuilder.Percentile(sorted, p)!.Value, 10);

    [Fact]
    public void Query_RefusesABackwardsOrTooLongPeriod()
    {
        Assert.NotNull(new ReportQuery { From = new DateOnly(2025, 2, 1), To = new DateOnly(2025, 1, 1) }.WhyRefused());
        Assert.NotNull(new ReportQuery { From = new DateOnly(2000, 1, 1), To = new DateOnly(2025, 1, 1) }.WhyRefused());
        Assert.Null(Year2025.WhyRefused());
        // The period is in Amsterdam days: 1 January 2025 starts at 23:00 UTC the day before.
        Assert.Equal(new DateTimeOffset(2024, 12, 31, 23, 0, 0, TimeSpan.Zero), Year2025.Start);
    }
}
