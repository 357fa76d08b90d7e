using Outreach.Core.Pipeline;
using Outreach.Core.Reports;

namespace Outreach.Core.Tests.Reports;

/// <summary>
/// Which event preceded a prospect's next stage, on small hand-made histories (period 2025; every instant at 10:00
/// UTC, so day counts are whole). Organisation ids are 1xx, event ids 2x, host ids 3x.
/// </summary>
public sealed class EventFollowThroughTests
{
    private static readonly ReportQuery Year = new() { From = new DateOnly(2025, 1, 1), To = new DateOnly(2025, 12, 31) };

    private static DateTimeOffset At(int month, int day, int year = 2025) => new(year, month, day, 10, 0, 0, TimeSpan.Zero);

    private static ProspectPath P(long entry, long organisation, params (Stage Stage, DateTimeOffset At)[] lines) =>
        ProspectPath.FromHistory(entry, organisation, lines.Select(l => new StageChange(entry, null, l.Stage, l.At, "anne", "")));

    private static AttendedEvent A(long organisation, long eventId, DateTimeOffset start, long? host = null) =>
        new(organisation, eventId, $"Event {eventId}", start, host, host is null ? null : $"Host {host}");

    private static EventFollowThrough Build(IReadOnlyList<ProspectPath> prospects, params AttendedEvent[] attended) =>
        EventFollowThroughBuilder.Build(Year, prospects, EventAttendance.Of(attended));

    private static EventFollowThroughRow Row(EventFollowThrough f, long eventId) => f.Events.Single(e => e.EventId == eventId);

    private static int Reached(IReadOnlyList<StageReached> reached, Stage stage) => reached.Single(r => r.Stage == stage).Organisations;

    [Fact]
    public void TheLatestPrecedingEvent_GetsTheCredit()
    {
        // Organisation 101 attended 21 (1 March) and 22 (1 April) and was contacted on 10 April: 22's credit, not 21's.
        var f = Build([P(1, 101, (Stage.Identified, At(1, 5)), (Stage.Contacted, At(4, 10)))], A(101, 21, At(3, 1)), A(101, 22, At(4, 1)));
        Assert.True(f.HasAttendanceData);
        Assert.Equal([21L, 22L], f.Events.Select(e => e.EventId));
        Assert.Equal(new Share(0, 1), Row(f, 21).WentOn);
        Assert.Equal(new Share(1, 1), Row(f, 22).WentOn);
        Assert.Equal(1, Reached(Row(f, 22).Reached, Stage.Contacted));
        Assert.Equal(0, Reached(Row(f, 21).Reached, Stage.Contacted));
    }

    [Fact]
    public void EachMoveGoesToItsOwnLatestEvent()
    {
        // Contacted on 10 March after 21 (1 March); engaged on 10 April after 22 (1 April): one stage each.
        var f = Build([P(1, 101, (Stage.Identified, At(1, 5)), (Stage.Contacted, At(3, 10)), (Stage.Engaged, At(4, 10)))], A(101, 21, At(3, 1)), A(101, 22, At(4, 1)));
        Assert.Equal((1, 0), (Reached(Row(f, 21).Reached, Stage.Contacted), Reached(Row(f, 21).Reached, Stage.Engaged)));
        Assert.Equal((0, 1), (Reached(Row(f, 22).Reached, Stage.Contacted), Reached(Row(f, 22).Reached, Stage.Engaged)));
    }

    [Fact]
    public void NothingOutsideTheWindow()
    {
        // Event 21 on 1 January. 101 is contacted 1 April: exactly 90 days later, credited. 102 on 2 April: 91 days, not.
        var f = Build(
            [P(1, 101, (Stage.Identified, At(1, 1, 2024)), (Stage.Contacted, At(4, 1))), P(2, 102, (Stage.Identified, At(1, 1, 2024)), (Stage.Contacted, At(4, 2)))],
            A(101, 21, At(1, 1)), A(102, 21, At(1, 1)));
        Assert.Equal(90, EventFollowThroughBuilder.WindowDays);
        Assert.Equal(new Share(1, 2), Row(f, 21).WentOn);
        Assert.Equal(1, Reached(Row(f, 21).Reached, Stage.Contacted));
    }

    [Fact]
    public void AnOlderEventOutsideTheWindow_DoesNotTakeOverWhenTheLatestIsTooOld()
    {
        // Latest before the move is 22 (2 January), 100 days before 12 April: no credit for 22, and none for 21 either.
        var f = Build([P(1, 101, (Stage.Identified, At(1, 1, 2024)), (Stage.Contacted, At(4, 12)))], A(101, 21, At(1, 1)), A(101, 22, At(1, 2)));
        Assert.All(f.Events, e => Assert.Equal(new Share(0, 1), e.WentOn));
    }

    [Fact]
    public void AnEventAfterTheMove_GetsNoCredit()
    {
        // Contacted 20 April; 22 started on 1 May, after it; 21 (1 April) preceded it and has the credit.
        var f = Build([P(1, 101, (Stage.Identified, At(1, 5)), (Stage.Contacted, At(4, 20)))], A(101, 21, At(4, 1)), A(101, 22, At(5, 1)));
        Assert.Equal(new Share(0, 1), Row(f, 22).WentOn);
        Assert.Equal(new Share(1, 1), Row(f, 21).WentOn);

        // Alone, the later event still gets nothing: the move came first.
        var alone = Build([P(1, 101, (Stage.Identified, At(1, 5)), (Stage.Contacted, At(4, 20)))], A(101, 22, At(5, 1)));
        Assert.Equal(new Share(0, 1), Row(alone, 22).WentOn);
        Assert.All(Row(alone, 22).Reached, r => Assert.Equal(0, r.Organisations));
    }

    [Fact]
    public void TwoContactsOfOneOrganisation_CountOnce()
    {
        // Two contacts of 101 checked in at 21 (two facts), one of 102 (who does not move). 101 has two pipeline
        // entries (two covenants) that both engage afterwards: one organisation as attendee, one as gone on.
        var f = Build(
            [P(1, 101, (Stage.Contacted, At(2, 1)), (Stage.Engaged, At(3, 10))), P(2, 101, (Stage.Contacted, At(2, 1)), (Stage.Engaged, At(3, 12))), P(3, 102, (Stage.Contacted, At(2, 1)))],
            A(101, 21, At(3, 1)), A(101, 21, At(3, 1)), A(102, 21, At(3, 1)));
        var row = Row(f, 21);
        Assert.Equal(new Share(1, 2), row.WentOn);
        Assert.Equal(1, Reached(row.Reached, Stage.Engaged));
        Assert.Equal(0.5, row.WentOn.Rate);
    }

    [Fact]
    public void PerStage_AnOrganisationCountsInEveryStageItReached_ButOnceInWentOn()
    {
        // After 21 (1 March), 101 is contacted (5 March) and engages (20 March): both stages, once in went on.
        var f = Build([P(1, 101, (Stage.Identified, At(1, 5)), (Stage.Contacted, At(3, 5)), (Stage.Engaged, At(3, 20)))], A(101, 21, At(3, 1)));
        var row = Row(f, 21);
        Assert.Equal(new Share(1, 1), row.WentOn);
        Assert.Equal([1, 1, 0, 0, 0], row.Reached.Select(r => r.Organisations));
        Assert.Equal(EventFollowThroughBuilder.MoveStages, row.Reached.Select(r => r.Stage));
    }

    [Fact]
    public void AStepBackToAStageNeverReached_IsNotAMoveForward()
    {
        // Re-approached from not now straight to engaged (10 March), then back to contacted (20 March), first reach of
        // contacted but a step back: only engaged counts.
        var p = P(1, 101, (Stage.Identified, At(1, 5)), (Stage.NotNow, At(2, 1)), (Stage.Engaged, At(3, 10)), (Stage.Contacted, At(3, 20)));
        Assert.Equal([(Stage.Engaged, At(3, 10))], EventFollowThroughBuilder.Moves(p));
        var f = Build([p], A(101, 21, At(3, 1)));
        Assert.Equal([0, 1, 0, 0, 0], Row(f, 21).Reached.Select(r => r.Organisations));
    }

    [Fact]
    public void HostParties_GroupTheirEvents_AndEventsWithoutAHostAreGroupedTogether()
    {
        // Host 31 held 21 and 22, both attended by 101 (counted once for the host), 22 also by 102.
        // 23 and 24 had no host; 103 attended 23 and engaged after it, 104 attended 24 and did not move.
        var f = Build(
            [P(1, 101, (Stage.Contacted, At(1, 5)), (Stage.Engaged, At(2, 20))), P(2, 102, (Stage.Contacted, At(1, 5))),
             P(3, 103, (Stage.Contacted, At(1, 5)), (Stage.Engaged, At(6, 10))), P(4, 104, (Stage.Contacted, At(1, 5)))],
            A(101, 21, At(2, 1), host: 31), A(101, 22, At(2, 15), host: 31), A(102, 22, At(2, 15), host: 31),
            A(103, 23, At(6, 1)), A(104, 24, At(7, 1)));
        Assert.Equal([(long?)31, null], f.Hosts.Select(h => h.HostOrganisationId));
        var host = f.Hosts[0];
        Assert.Equal(("Host 31", 2, new Share(1, 2)), (host.HostName, host.Events, host.WentOn));
        Assert.Equal(1, Reached(host.Reached, Stage.Engaged));
        var none = f.Hosts[1];
        Assert.Equal(((string?)null, 2, new Share(1, 2)), (none.HostName, none.Events, none.WentOn));
        // The credit went to 22 (the latest before 20 February), not 21.
        Assert.Equal((new Share(0, 1), new Share(1, 2)), (Row(f, 21).WentOn, Row(f, 22).WentOn));
        Assert.Equal(("Host 31", (long?)31), (Row(f, 22).HostName, Row(f, 22).HostOrganisationId));
    }

    [Fact]
    public void WithoutAttendance_TheSectionSaysSo_NotZeros()
    {
        var f = EventFollowThroughBuilder.Build(Year, [P(1, 101, (Stage.Contacted, At(2, 1)))], null);
        Assert.False(f.HasAttendanceData);
        Assert.Empty(f.Events);
        Assert.Empty(f.Hosts);

        // With attendance recorded but no event in the period, the section has data and no rows: a different answer.
        var none = Build([P(1, 101, (Stage.Contacted, At(2, 1)))], A(101, 21, At(6, 1, 2024)));
        Assert.True(none.HasAttendanceData);
        Assert.Empty(none.Events);
    }

    [Fact]
    public void ThePeriod_ListsEventsThatStartedInIt_AndCountsMovesUpToItsEnd()
    {
        // 20 started in December 2024 (before the period): not listed, and 101's move in January is not handed to a
        // later event. 21 started on 10 December 2025; 102 engaged on 20 December (counted) and 103 on 5 January 2026
        // (after the period's end: not counted).
        var f = Build(
            [P(1, 101, (Stage.Identified, At(11, 1, 2024)), (Stage.Contacted, At(1, 10))),
             P(2, 102, (Stage.Contacted, At(11, 1)), (Stage.Engaged, At(12, 20))),
             P(3, 103, (Stage.Contacted, At(11, 1)), (Stage.Engaged, At(1, 5, 2026)))],
            A(101, 20, At(12, 15, 2024)), A(101, 21, At(12, 10)), A(102, 21, At(12, 10)), A(103, 21, At(12, 10)));
        Assert.Equal([21L], f.Events.Select(e => e.EventId));
        Assert.Equal(new Share(1, 3), Row(f, 21).WentOn);
    }

    [Fact]
    public void TheConversionReport_CarriesTheSection_AndTheEventEffectStillWorks()
    {
        var prospects = new[] { P(1, 101, (Stage.Identified, At(1, 5)), (Stage.Contacted, At(3, 10)), (Stage.Signed, At(5, 1))), P(2, 102, (Stage.Contacted, At(3, 1))) };
        var data = new ReportData(prospects, 4, [], new Dictionary<Stage, int>(), []);
        var attendance = EventAttendance.Of([A(101, 21, At(3, 1), host: 31), A(101, 21, At(3, 1), host: 31)]);
        Assert.Equal([101L], attendance.AttendedOrganisationIds);
        var report = ConversionReportBuilder.Build(Year, data, At(12, 31), attendance);
        Assert.Equal(new Share(1, 1), report.Events.Attended);
        Assert.Equal(new Share(0, 1), report.Events.NotAttended);
        Assert.Equal(new Share(1, 1), Row(report.EventFollowThrough, 21).WentOn);
        Assert.Contains("at most 90 days", report.EventFollowThrough.Counting, StringComparison.Ordinal);

        var without = ConversionReportBuilder.Build(Year, data, At(12, 31));
        Assert.False(without.EventFollowThrough.HasAttendanceData);
    }
}
