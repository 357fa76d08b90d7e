using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;
using Outreach.Core.Tests.Fakes;
using Outreach.Testing;

namespace Outreach.Core.Tests.Reports;

/// <summary>
/// Issue 16 item 12, the figures linked last: the event and host follow-through (organisations, one prospect each) and the
/// step after signing (parties). Their codes read back, hostile codes are refused, and each figure's selection is exactly
/// as long as the figure the builders count.
/// </summary>
public sealed class ReportFigureLinksTests
{
    private static readonly ReportQuery Year = new() { From = new DateOnly(2025, 1, 1), To = new DateOnly(2025, 12, 31) };

    private static DateTimeOffset At(int month, int day, int year = 2025) => new(year, month, day, 10, 0, 0, TimeSpan.Zero);

    private static ProspectPath P(long entry, long organisation, params (Stage Stage, DateTimeOffset At)[] lines) =>
        ProspectPath.FromHistory(entry, organisation, lines.Select(l => new StageChange(entry, null, l.Stage, l.At, "anne", "")));

    private static AttendedEvent A(long organisation, long eventId, DateTimeOffset start, long? host = null) =>
        new(organisation, eventId, $"Event {eventId}", start, host, host is null ? null : $"Host {host}");

    public static TheoryData<string> NewCodes() =>
    [
        "event-attendees:21", "event-went:21", "event-reached:21:signing_scheduled", "host-attendees:31", "host-attendees:none", "host-went:none",
        "host-reached:31:contacted", "onboarding:signed", "onboarding:onboarded", "onboarding:within-year-one", "onboarding:without-year-one",
        "onboarding:left", "onboarding-cohort:2025-3:started", "onboarding-cohort:2025-1:within-year-one", "onboarding-step:2025-2:done:rbc_policy",
        "onboarding-step:2025-2:asked:key:with:colons",
    ];

    [Theory]
    [MemberData(nameof(NewCodes))]
    public void ANewFiguresCode_ReadsBackAsItself(string code)
    {
        Assert.True(ReportFigure.TryParse(code, null, out var figure), code);
        Assert.Equal(code, figure.Code);
        Assert.True(figure.IsFollowThrough || figure.IsOnboarding);
        Assert.True(ReportFigure.TryParse(figure.Code, null, out var again));
        Assert.Equal(figure, again);
    }

    [Theory]
    [InlineData("event-went:0")]
    [InlineData("event-went:-3")]
    [InlineData("event-went:+3")]
    [InlineData("event-went:99999999999999999999")]
    [InlineData("event-went:21:contacted")]
    [InlineData("event-reached:21")]
    [InlineData("event-reached:21:identified")]
    [InlineData("event-reached:21:declined")]
    [InlineData("host-went:nobody")]
    [InlineData("host-attendees:")]
    [InlineData("onboarding:asked")]
    [InlineData("onboarding:started")]
    [InlineData("onboarding:everyone")]
    [InlineData("onboarding-cohort:2025-5:signed")]
    [InlineData("onboarding-cohort:2025-3:left")]
    [InlineData("onboarding-step:2025-3:done:")]
    [InlineData("onboarding-step:2025-3:signed:rbc_policy")]
    [InlineData("onboarding-step:2025-3:done:a\u0000b")]
    [InlineData("onboarding-step:2025-3:done")]
    [InlineData("event-went:%27;DROP TABLE x")]
    public void AHostileCode_IsRefused(string code) => Assert.False(ReportFigure.TryParse(code, null, out _), code);

    [Fact]
    public void AnOverlongCode_IsRefusedUnread() =>
        Assert.False(ReportFigure.TryParse("onboarding-step:2025-3:done:" + new string('x', ReportFigure.MaxCodeLength), null, out _));

    [Fact]
    public void OnlyTheStepAfterSigning_LeavesOutSectorAndOwner()
    {
        Assert.False(ReportFigure.Onboarding(OnboardingMeasure.Signed).UsesSectorAndOwner);
        Assert.True(ReportFigure.OfEvent(FigureKind.EventWent, 21).UsesSectorAndOwner);
        Assert.True(ReportFigure.Funnel(FunnelKind.Cohort, Stage.Engaged).UsesSectorAndOwner);
    }

    /// <summary>
    /// Organisation 101 has two prospects (entries 1 and 11, two covenants), both credited to event 21 for contacted:
    /// one organisation, one prospect in the list (the lower entry). 102 moved after 21 too; 103 attended 21 and never
    /// moved (no report prospect: its prospect comes from the look-up); 104 attended 22 (host 31) and engaged after it.
    /// 105 attended 23 (no host) and signed 100 days later: outside the window.
    /// </summary>
    private static readonly ProspectPath[] Prospects =
    [
        P(1, 101, (Stage.Identified, At(1, 5)), (Stage.Contacted, At(3, 10)), (Stage.Engaged, At(4, 1))),
        P(11, 101, (Stage.Identified, At(1, 6)), (Stage.Contacted, At(3, 12))),
        P(2, 102, (Stage.Identified, At(1, 5)), (Stage.Contacted, At(3, 20))),
        P(4, 104, (Stage.Contacted, At(1, 5)), (Stage.Engaged, At(6, 20))),
        P(5, 105, (Stage.SigningScheduled, At(1, 5)), (Stage.Signed, At(9, 9))),
    ];

    private static readonly AttendedEvent[] Attended =
    [
        A(101, 21, At(3, 1), 31), A(102, 21, At(3, 1), 31), A(103, 21, At(3, 1), 31), A(104, 22, At(6, 1), 31), A(101, 22, At(6, 1), 31), A(105, 23, At(6, 1)),
    ];

    private static readonly Dictionary<long, long> ProspectOfOrganisation = new() { [101] = 1, [102] = 2, [103] = 3, [104] = 4, [105] = 5 };

    [Fact]
    public void EveryFollowThroughFigure_SelectsOneProspectPerOrganisation_AsManyAsTheTableCounts()
    {
        var attendance = EventAttendance.Of(Attended);
        var f = EventFollowThroughBuilder.Build(Year, Prospects, attendance);
        IReadOnlyList<long> Select(ReportFigure figure) => figure.Select(Year, Prospects, At(12, 31), attendance, ProspectOfOrganisation);
        var checkedFigures = 0;
        foreach (var e in f.Events)
        {
            Assert.Equal(e.WentOn.Of, Select(ReportFigure.OfEvent(FigureKind.EventAttendees, e.EventId)).Count);
            Assert.Equal(e.WentOn.Count, Select(ReportFigure.OfEvent(FigureKind.EventWent, e.EventId)).Count);
            foreach (var r in e.Reached) Assert.Equal(r.Organisations, Select(ReportFigure.OfEvent(FigureKind.EventReached, e.EventId, r.Stage)).Count);
            checkedFigures++;
        }

        foreach (var h in f.Hosts)
        {
            Assert.Equal(h.WentOn.Of, Select(ReportFigure.OfHost(FigureKind.HostAttendees, h.HostOrganisationId)).Count);
            Assert.Equal(h.WentOn.Count, Select(ReportFigure.OfHost(FigureKind.HostWent, h.HostOrganisationId)).Count);
            foreach (var r in h.Reached) Assert.Equal(r.Organisations, Select(ReportFigure.OfHost(FigureKind.HostReached, h.HostOrganisationId, r.Stage)).Count);
            checkedFigures++;
        }

        Assert.Equal(5, checkedFigures);
        // Event 21: three attendees, 101 (entry 1, not also 11) and 102 went on to contacted; 103 from the look-up.
        Assert.Equal([1L, 2, 3], Select(ReportFigure.OfEvent(FigureKind.EventAttendees, 21)).Order());
        Assert.Equal([1L, 2], Select(ReportFigure.OfEvent(FigureKind.EventWent, 21)).Order());
        Assert.Equal([1L, 2], Select(ReportFigure.OfEvent(FigureKind.EventReached, 21, Stage.Contacted)).Order());
        // Event 22: 104 engaged with its credit; 101 moved on before it (engaged 1 April) and not after.
        Assert.Equal([4L], Select(ReportFigure.OfEvent(FigureKind.EventWent, 22)));
        // Host 31 across 21 and 22: 101 once; engaged is 101 (after 21) and 104 (after 22).
        Assert.Equal([1L, 2, 3, 4], Select(ReportFigure.OfHost(FigureKind.HostAttendees, 31)).Order());
        Assert.Equal([1L, 4], Select(ReportFigure.OfHost(FigureKind.HostReached, 31, Stage.Engaged)).Order());
        // Without a host: 105 attended 23, signed outside the window.
        Assert.Equal([5L], Select(ReportFigure.OfHost(FigureKind.HostAttendees, null)));
        Assert.Empty(Select(ReportFigure.OfHost(FigureKind.HostWent, null)));
        // An event that is not in the period, or not there at all, lists nobody.
        Assert.Empty(Select(ReportFigure.OfEvent(FigureKind.EventAttendees, 99)));
        Assert.Empty(ReportFigure.OfEvent(FigureKind.EventAttendees, 21).Select(Year, Prospects, At(12, 31), null, ProspectOfOrganisation));
    }

    [Fact]
    public void TheAttendeesOfAFigure_AreItsEventsOrganisations()
    {
        var attendance = EventAttendance.Of(Attended);
        Assert.Equal([101L, 102, 103], ReportFigure.OfEvent(FigureKind.EventAttendees, 21).AttendeesOf(Year, attendance).Order());
        Assert.Equal([101L, 102, 103, 104], ReportFigure.OfHost(FigureKind.HostAttendees, 31).AttendeesOf(Year, attendance).Order());
        Assert.Empty(ReportFigure.Onboarding(OnboardingMeasure.Signed).AttendeesOf(Year, attendance));
    }

    private static PartyMilestone M(string key, DateOnly due, DateOnly? done = null) =>
        new() { Key = key, NameNl = key + "-nl", NameEn = key + "-en", DueOn = due, DoneOn = done };

    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    /// <summary>The parties of OnboardingConversionTests (figures worked out there by hand), with prospect ids 1–7.</summary>
    private static readonly MonitoredParty[] Parties =
    [
        new() { ProspectId = 1, Name = "A", Kind = PartyKind.Company, SignedOn = D(2024, 2, 1), Milestones = [M("tool", D(2024, 8, 1), D(2024, 7, 15)), M("policy", D(2025, 2, 1), D(2025, 1, 20)), M("risk", D(2025, 8, 1))] },
        new() { ProspectId = 2, Name = "B", Kind = PartyKind.Company, SignedOn = D(2024, 3, 15), Milestones = [M("tool", D(2024, 9, 15), D(2024, 9, 1)), M("policy", D(2025, 3, 15))] },
        new() { ProspectId = 3, Name = "C", Kind = PartyKind.Government, SignedOn = D(2024, 5, 10), Milestones = [M("tool", D(2024, 11, 10), D(2024, 10, 1)), M("policy", D(2025, 5, 10), D(2024, 12, 31))] },
        new() { ProspectId = 4, Name = "D", Kind = PartyKind.Company, SignedOn = D(2024, 11, 20), Milestones = [M("tool", D(2025, 5, 20)), M("policy", D(2025, 11, 20))] },
        new() { ProspectId = 5, Name = "E", Kind = PartyKind.Ngo, SignedOn = D(2024, 6, 1) },
        new() { ProspectId = 6, Name = "F", Kind = PartyKind.Company, SignedOn = D(2023, 12, 1), Milestones = [M("tool", D(2024, 6, 1), D(2024, 5, 1))] },
        new() { ProspectId = 7, Name = "G", Kind = PartyKind.Company, SignedOn = D(2024, 8, 1), LeftOn = D(2025, 3, 1), Milestones = [M("tool", D(2025, 2, 1), D(2025, 1, 10)), M("policy", D(2025, 8, 1), D(2025, 7, 10))] },
    ];

    private static readonly DateOnly From = D(2024, 1, 1);
    private static readonly DateOnly To = D(2024, 12, 31);
    private static readonly DateOnly AsOf = D(2025, 6, 30);

    private static IReadOnlyList<long> Parties_(ReportFigure figure) => OnboardingConversionBuilder.Select(figure, Parties, From, To, AsOf);

    [Fact]
    public void EveryOnboardingFigure_SelectsExactlyTheParties_ItCounts()
    {
        var c = OnboardingConversionBuilder.Build(Parties, From, To, AsOf);
        Assert.Equal(c.SignedToOnboarded.Of, Parties_(ReportFigure.Onboarding(OnboardingMeasure.Signed)).Count);
        Assert.Equal(c.SignedToOnboarded.Count, Parties_(ReportFigure.Onboarding(OnboardingMeasure.Onboarded)).Count);
        Assert.Equal(c.WithinYearOne, Parties_(ReportFigure.Onboarding(OnboardingMeasure.WithinYearOne)).Count);
        Assert.Equal(c.WithoutYearOne, Parties_(ReportFigure.Onboarding(OnboardingMeasure.WithoutYearOne)).Count);
        Assert.Equal(c.Left, Parties_(ReportFigure.Onboarding(OnboardingMeasure.Left)).Count);
        foreach (var row in c.Cohorts)
        {
            Assert.Equal(row.Signed, Parties_(ReportFigure.OnboardingOf(row.Year, row.Quarter, OnboardingMeasure.Signed)).Count);
            Assert.Equal(row.Started, Parties_(ReportFigure.OnboardingOf(row.Year, row.Quarter, OnboardingMeasure.Started)).Count);
            Assert.Equal(row.Onboarded, Parties_(ReportFigure.OnboardingOf(row.Year, row.Quarter, OnboardingMeasure.Onboarded)).Count);
            Assert.Equal(row.WithinYearOne, Parties_(ReportFigure.OnboardingOf(row.Year, row.Quarter, OnboardingMeasure.WithinYearOne)).Count);
            foreach (var step in row.Steps)
            {
                Assert.Equal(step.Done.Count, Parties_(ReportFigure.OnboardingStepOf(row.Year, row.Quarter, step.Key, done: true)).Count);
                Assert.Equal(step.Done.Of, Parties_(ReportFigure.OnboardingStepOf(row.Year, row.Quarter, step.Key, done: false)).Count);
            }
        }

        // By hand (OnboardingConversionTests): A and C onboarded; D and G within year one; E without; G left; F before the period.
        Assert.Equal([1L, 2, 3, 4, 7], Parties_(ReportFigure.Onboarding(OnboardingMeasure.Signed)));
        Assert.Equal([1L, 3], Parties_(ReportFigure.Onboarding(OnboardingMeasure.Onboarded)));
        Assert.Equal([4L, 7], Parties_(ReportFigure.Onboarding(OnboardingMeasure.WithinYearOne)));
        Assert.Equal([5L], Parties_(ReportFigure.Onboarding(OnboardingMeasure.WithoutYearOne)));
        Assert.Equal([7L], Parties_(ReportFigure.Onboarding(OnboardingMeasure.Left)));
        // 2024 Q1 (A, B): both did the tool, A alone the policy.
        Assert.Equal([1L, 2], Parties_(ReportFigure.OnboardingStepOf(2024, 1, "tool", done: true)));
        Assert.Equal([1L], Parties_(ReportFigure.OnboardingStepOf(2024, 1, "policy", done: true)));
        Assert.Empty(Parties_(ReportFigure.OnboardingStepOf(2024, 1, "risk", done: false)));
        Assert.Empty(Parties_(ReportFigure.OnboardingOf(2023, 4, OnboardingMeasure.Signed)));
    }

    [Fact]
    public void AFunnelStep_CountsParties_NotMilestones()
    {
        // A party signed again on 1 March 2024 still holds the policy milestone of its first signing (due and done in
        // February): two policy milestones in its year one. The step is one party asked, and not done (the new one is open).
        var again = new MonitoredParty
        {
            ProspectId = 8, Name = "H", Kind = PartyKind.Company, SignedOn = D(2024, 3, 1),
            Milestones = [M("policy", D(2024, 2, 1), D(2024, 1, 20)), M("policy", D(2025, 3, 1))],
        };
        var step = Assert.Single(OnboardingConversionBuilder.Build([again], From, To, AsOf).Cohorts).Steps.Single();
        Assert.Equal(new Share(0, 1), step.Done);
        Assert.Equal([8L], OnboardingConversionBuilder.Select(ReportFigure.OnboardingStepOf(2024, 1, "policy", done: false), [again], From, To, AsOf));
    }

    [Fact]
    public async Task SeveralCovenants_CountTheirPartiesOnly_NotEveryCovenants()
    {
        var prospects = new InMemoryProspectStore();
        var gold = prospects.SeedCovenant("gold", "Gold", D(2017, 1, 1), D(2030, 1, 1));
        var metals = prospects.SeedCovenant("metals", "Metals", D(2017, 1, 1), D(2030, 1, 1));
        var stone = prospects.SeedCovenant("stone", "Stone", D(2017, 1, 1), D(2030, 1, 1));
        var byCovenant = new Dictionary<long, MonitoredParty[]> { [gold.Id] = [Parties[0]], [metals.Id] = [Parties[1], Parties[2]], [stone.Id] = [Parties[3]] };
        var store = new InMemoryOnboardingStore { Parties = id => byCovenant[id] };
        var conversions = new OnboardingConversions(prospects, store, new FakeTimeProvider(new DateTimeOffset(2025, 6, 30, 10, 0, 0, TimeSpan.Zero)));
        var two = new ReportQuery { From = From, To = To, CovenantIds = [gold.Id, metals.Id] };

        Assert.Equal(3, (await conversions.BuildAsync(two, default)).SignedToOnboarded.Of);
        Assert.Equal([1L, 2, 3], (await conversions.ProspectIdsAsync(two, ReportFigure.Onboarding(OnboardingMeasure.Signed), default)).Order());
        Assert.Equal(1, (await conversions.BuildAsync(two with { CovenantIds = [], CovenantId = stone.Id }, default)).SignedToOnboarded.Of);
        Assert.Equal(4, (await conversions.BuildAsync(two with { CovenantIds = [] }, default)).SignedToOnboarded.Of);
    }
}
