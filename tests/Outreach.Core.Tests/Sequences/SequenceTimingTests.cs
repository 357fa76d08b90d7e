using FsCheck;
using FsCheck.Fluent;
using Outreach.Core.Calendar;
using Outreach.Core.Pipeline;
using Outreach.Core.Sequences;
using Outreach.Testing;

namespace Outreach.Core.Tests.Sequences;

/// <summary>When sequence mails are due: Dutch business days, office hours in Amsterdam, daylight-saving changes, the frequency cap.</summary>
public sealed class SequenceTimingTests
{
    private static readonly SendWindow Window = SendWindow.OfficeHours;

    private static DateTimeOffset Local(int y, int m, int d, int h, int min = 0) => AmsterdamClock.AtLocal(new DateOnly(y, m, d), new TimeOnly(h, min));

    [Theory]
    [InlineData("2027-04-23 17:30", "2027-04-26 09:00")] // Friday after hours: Monday morning
    [InlineData("2027-04-24 11:00", "2027-04-26 09:00")] // Saturday
    [InlineData("2027-04-26 07:15", "2027-04-26 09:00")] // before opening
    [InlineData("2027-04-26 16:59", "2027-04-26 16:59")] // inside: at once
    [InlineData("2027-04-26 17:00", "2027-04-28 09:00")] // closing time on the eve of King's Day (Tuesday 27 April 2027)
    [InlineData("2027-04-27 10:00", "2027-04-28 09:00")] // King's Day
    [InlineData("2027-03-29 10:00", "2027-03-30 09:00")] // Easter Monday
    [InlineData("2026-12-24 18:00", "2026-12-28 09:00")] // Christmas Eve evening: over Christmas, Boxing Day and the weekend
    [InlineData("2030-05-05 10:00", "2030-05-06 09:00")] // Liberation Day in a lustrum year (a Sunday anyway)
    public void NextOpening_SkipsNightsWeekendsAndHolidays(string from, string expected)
    {
        Assert.Equal(Parse(expected), Window.NextOpening(Parse(from)));
    }

    private static DateTimeOffset Parse(string local)
    {
        var dt = DateTime.ParseExact(local, "yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        return AmsterdamClock.AtLocal(DateOnly.FromDateTime(dt), TimeOnly.FromDateTime(dt));
    }

    [Fact]
    public void AStepAcrossTheSpringChange_KeepsItsWallClockTime()
    {
        // Friday 26 March 2027 10:00 CET (UTC+1); the clocks go forward on Sunday the 28th; Monday the 29th is Easter Monday.
        var sent = Local(2027, 3, 26, 10);
        Assert.Equal(TimeSpan.FromHours(1), sent.Offset);
        var next = Window.After(sent, 1);
        Assert.Equal(new DateTimeOffset(2027, 3, 30, 10, 0, 0, TimeSpan.FromHours(2)), next);
        Assert.Equal(new DateTimeOffset(2027, 3, 30, 8, 0, 0, TimeSpan.Zero), next.ToUniversalTime());
    }

    [Fact]
    public void AStepAcrossTheAutumnChange_KeepsItsWallClockTime()
    {
        // Friday 23 October 2026 09:00 CEST (UTC+2); the clocks go back on Sunday the 25th.
        var next = Window.After(Local(2026, 10, 23, 9), 1);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 9, 0, 0, TimeSpan.FromHours(1)), next);
        Assert.True(Window.Contains(next));
    }

    [Fact]
    public void ASequence_RunsStepByStep_AroundKingsDay_WithAFakeClock()
    {
        var clock = new FakeTimeProvider(Local(2027, 4, 23, 16, 30)); // Friday
        var sequence = new Sequence(1, "Intake follow-up", Stage.Contacted, [new("intro", 0), new("reminder", 2), new("last-call", 3)]);
        var enrolment = EnrolmentRules.Enrol(7, sequence, contactId: 11, organisationId: 5, clock.GetUtcNow(), Window);
        var sent = new List<DateTimeOffset>();
        var cap = new FrequencyCap(5, TimeSpan.FromDays(7));

        var first = Assert.IsType<EnrolmentDecision.Send>(EnrolmentRules.Decide(enrolment, sequence, false, sent, clock.GetUtcNow(), Window, cap));
        Assert.Equal(("intro", Local(2027, 4, 23, 16, 30)), (first.What.TemplateKey, first.At));
        sent.Add(first.At);
        enrolment = EnrolmentRules.Advance(enrolment, sequence, first.At, Window);

        // Two business days after Friday: Monday 26, then Wednesday 28 (Tuesday 27 is King's Day).
        Assert.Equal(Local(2027, 4, 28, 16, 30), enrolment.NextDue);
        clock.Set(Local(2027, 4, 28, 16, 29));
        Assert.IsType<EnrolmentDecision.Wait>(EnrolmentRules.Decide(enrolment, sequence, false, sent, clock.GetUtcNow(), Window, cap));
        clock.Set(Local(2027, 4, 28, 16, 30));
        var second = Assert.IsType<EnrolmentDecision.Send>(EnrolmentRules.Decide(enrolment, sequence, false, sent, clock.GetUtcNow(), Window, cap));
        Assert.Equal("reminder", second.What.TemplateKey);
        enrolment = EnrolmentRules.Advance(enrolment, sequence, second.At, Window);

        // Three business days after Wednesday 28 April: Thursday, Friday, Monday 3 May (2027 is no lustrum year: 5 May is a working day anyway).
        Assert.Equal(Local(2027, 5, 3, 16, 30), enrolment.NextDue);
        enrolment = EnrolmentRules.Advance(enrolment, sequence, Local(2027, 5, 3, 16, 30), Window);
        Assert.Equal(EnrolmentState.Completed, enrolment.State);
        Assert.IsType<EnrolmentDecision.Done>(EnrolmentRules.Decide(enrolment, sequence, false, sent, clock.GetUtcNow(), Window, cap));
    }

    [Fact]
    public void ADueStepFoundOutsideOfficeHours_GoesAtTheNextOpening()
    {
        var sequence = new Sequence(1, "s", Stage.Contacted, [new("a", 0), new("b", 1)]);
        var enrolment = EnrolmentRules.Advance(EnrolmentRules.Enrol(1, sequence, 1, 1, Local(2027, 6, 1, 16, 45), Window), sequence, Local(2027, 6, 1, 16, 45), Window);
        // Due Wednesday 16:45; the dispatcher only looks at 18:00.
        var decision = Assert.IsType<EnrolmentDecision.Send>(EnrolmentRules.Decide(enrolment, sequence, false, [], Local(2027, 6, 2, 18), Window, FrequencyCap.Default));
        Assert.Equal(Local(2027, 6, 3, 9), decision.At);
    }

    [Fact]
    public void TheFrequencyCap_HoldsAThirdMailInSevenDays_UntilTheOldestLeaves()
    {
        var cap = FrequencyCap.Default;
        var monday = Local(2027, 6, 7, 10);
        Assert.Null(cap.HoldUntil([], monday));
        Assert.Null(cap.HoldUntil([monday.AddDays(-3)], monday));
        // An old mail no longer counts.
        Assert.Null(cap.HoldUntil([monday.AddDays(-8), monday.AddDays(-1)], monday));
        Assert.Equal(monday.AddDays(-5) + TimeSpan.FromDays(7), cap.HoldUntil([monday.AddDays(-5), monday.AddDays(-1)], monday));
        Assert.Equal(monday.AddDays(-2) + TimeSpan.FromDays(7), cap.HoldUntil([monday.AddDays(-6), monday.AddDays(-2), monday.AddDays(-1)], monday));

        var sequence = new Sequence(1, "s", Stage.Contacted, [new("a", 0)]);
        var enrolment = EnrolmentRules.Enrol(1, sequence, 1, 1, monday, Window);
        var held = Assert.IsType<EnrolmentDecision.HeldByCap>(EnrolmentRules.Decide(enrolment, sequence, false, [monday.AddDays(-5), monday.AddDays(-1)], monday, Window, cap));
        // Free again on Tuesday 10:00: inside office hours, so exactly then.
        Assert.Equal(Local(2027, 6, 9, 10), held.Until);
    }

    [Fact]
    public void AnOptOut_EndsTheEnrolment_BeforeAnythingIsSent()
    {
        var sequence = new Sequence(1, "s", Stage.Contacted, [new("a", 0)]);
        var enrolment = EnrolmentRules.Enrol(1, sequence, 1, 1, Local(2027, 6, 7, 10), Window);
        Assert.Equal(new EnrolmentDecision.Ended(StopReason.OptedOut), EnrolmentRules.Decide(enrolment, sequence, true, [], Local(2027, 6, 7, 10), Window, FrequencyCap.Default));
    }

    [Fact]
    public void AnOutOfOfficeReply_PausesUntilTheReturnDate_OrFiveBusinessDays()
    {
        var sequence = new Sequence(1, "s", Stage.Contacted, [new("a", 0), new("b", 1)]);
        var now = Local(2027, 4, 21, 11); // Wednesday
        var enrolment = EnrolmentRules.Advance(EnrolmentRules.Enrol(1, sequence, 1, 1, now.AddDays(-1), Window), sequence, now.AddDays(-1), Window);

        // Back on King's Day: the pause runs to the next business morning.
        var paused = EnrolmentRules.OnOutOfOffice(enrolment, new DateOnly(2027, 4, 27), now, Window);
        Assert.Equal((EnrolmentState.Paused, (DateTimeOffset?)Local(2027, 4, 28, 9)), (paused.State, paused.PausedUntil));
        Assert.IsType<EnrolmentDecision.Wait>(EnrolmentRules.Decide(paused, sequence, false, [], Local(2027, 4, 26, 12), Window, FrequencyCap.Default));
        var resumed = Assert.IsType<EnrolmentDecision.Send>(EnrolmentRules.Decide(paused, sequence, false, [], Local(2027, 4, 28, 9), Window, FrequencyCap.Default));
        Assert.Equal("b", resumed.What.TemplateKey);

        // No date given: five business days (Thursday, Friday, Monday, Wednesday, Thursday: King's Day skipped), same time.
        var unspecified = EnrolmentRules.OnOutOfOffice(enrolment, null, now, Window);
        Assert.Equal(Local(2027, 4, 29, 11), unspecified.PausedUntil);
    }

    [Theory]
    [InlineData(Stage.Contacted, Stage.Engaged, true)]
    [InlineData(Stage.Contacted, Stage.Signed, true)]
    [InlineData(Stage.Contacted, Stage.Contacted, false)]
    [InlineData(Stage.Engaged, Stage.Contacted, false)]
    [InlineData(Stage.Contacted, Stage.Declined, true)]
    [InlineData(Stage.Contacted, Stage.NotNow, true)]
    [InlineData(Stage.Signed, Stage.Left, true)]
    public void MovingPastTheSequencesStage_EndsIt(Stage sequenceStage, Stage newStage, bool ends)
    {
        Assert.Equal(ends, EnrolmentRules.EndsSequence(sequenceStage, newStage));
    }

    [Fact]
    public void AWindowThatClosesBeforeItOpens_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => SendWindow.Create(new TimeOnly(17, 0), new TimeOnly(9, 0)));
        Assert.Contains("17:00–09:00", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NextOpening_ForAnyInstant_IsInsideTheWindow_AndNeverLaterThanNeeded()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var instants = Gen.Choose(0, 5 * 365 * 24 * 4).Select(quarters => start.AddMinutes(quarters * 15.0 + 7));
        Prop.ForAll(instants.ToArbitrary(), at =>
        {
            var opening = Window.NextOpening(at);
            Assert.True(opening >= at);
            Assert.True(Window.Contains(opening));
            // Either it is the instant itself, or the start of a window (nothing in between was open).
            Assert.True(opening == at || TimeOnly.FromDateTime(AmsterdamClock.ToLocal(opening).DateTime) == Window.Opens);
            for (var probe = at; probe < opening; probe = probe.AddMinutes(30)) Assert.False(Window.Contains(probe));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }
}
