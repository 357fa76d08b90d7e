using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;

namespace Outreach.Core.Tests.Onboarding;

/// <summary>The conversion report's step after signing, on a fixed set of parties whose figures are worked out by hand below.</summary>
public sealed class OnboardingConversionTests
{
    private static readonly DateOnly From = new(2024, 1, 1);
    private static readonly DateOnly To = new(2024, 12, 31);
    private static readonly DateOnly AsOf = new(2025, 6, 30);

    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static PartyMilestone M(string key, DateOnly due, DateOnly? done = null) =>
        new() { Key = key, NameNl = key + "-nl", NameEn = key + "-en", DueOn = due, DoneOn = done };

    private static MonitoredParty Party(string name, PartyKind kind, DateOnly signed, DateOnly? left, params PartyMilestone[] milestones) =>
        new() { Name = name, Kind = kind, SignedOn = signed, LeftOn = left, Milestones = milestones };

    private static readonly MonitoredParty[] Parties =
    [
        // A: year one (to 2025-02-01) holds tool and policy, both done; onboarded 2025-01-20, 354 days after signing
        // (2024 is a leap year: 366 days to the anniversary, less 12). The risk analysis falls in year two: not counted.
        Party("A", PartyKind.Company, D(2024, 2, 1), null, M("tool", D(2024, 8, 1), D(2024, 7, 15)), M("policy", D(2025, 2, 1), D(2025, 1, 20)), M("risk", D(2025, 8, 1))),
        // B: the policy is still open and year one ended on 2025-03-15: started, not onboarded.
        Party("B", PartyKind.Company, D(2024, 3, 15), null, M("tool", D(2024, 9, 15), D(2024, 9, 1)), M("policy", D(2025, 3, 15))),
        // C: onboarded 2024-12-31: 21 days of May + 30 + 31 + 31 + 30 + 31 + 30 + 31 = 235 days.
        Party("C", PartyKind.Government, D(2024, 5, 10), null, M("tool", D(2024, 11, 10), D(2024, 10, 1)), M("policy", D(2025, 5, 10), D(2024, 12, 31))),
        // D: nothing done, but its year one runs to 2025-11-20: within year one.
        Party("D", PartyKind.Company, D(2024, 11, 20), null, M("tool", D(2025, 5, 20)), M("policy", D(2025, 11, 20))),
        // E: an NGO asked nothing: counted apart.
        Party("E", PartyKind.Ngo, D(2024, 6, 1), null),
        // F: signed before the period.
        Party("F", PartyKind.Company, D(2023, 12, 1), null, M("tool", D(2024, 6, 1), D(2024, 5, 1))),
        // G: left; its policy was marked done on a date after the report's: not done yet as the report sees it.
        Party("G", PartyKind.Company, D(2024, 8, 1), D(2025, 3, 1), M("tool", D(2025, 2, 1), D(2025, 1, 10)), M("policy", D(2025, 8, 1), D(2025, 7, 10))),
    ];

    [Fact]
    public void SignedToOnboarded_CountsThePartiesSignedInThePeriod_WithAYearOne()
    {
        var report = OnboardingConversionBuilder.Build(Parties, From, To, AsOf);

        // A, B, C, D, G have a year one; A and C are onboarded; D and G are still within it; E asked nothing; G left.
        Assert.Equal(new Share(2, 5), report.SignedToOnboarded);
        Assert.Equal((2, 1, 1), (report.WithinYearOne, report.WithoutYearOne, report.Left));
        // Days 235 and 354: median (235 + 354) / 2 = 294.5; P75 = 235 + 0.75 × 119 = 324.25.
        Assert.Equal(294.5, report.MedianDays);
        Assert.Equal(324.25, report.P75Days);
    }

    [Fact]
    public void TheFunnelPerCohort_GoesSignedStartedOnboarded_WithEachYearOneMilestone()
    {
        var cohorts = OnboardingConversionBuilder.Build(Parties, From, To, AsOf).Cohorts;

        Assert.Equal(["2024 Q1", "2024 Q2", "2024 Q3", "2024 Q4"], cohorts.Select(c => c.Label));
        Assert.Equal(
            [(2, 2, 1, 0, (double?)354), (1, 1, 1, 0, 235), (1, 1, 0, 1, null), (1, 0, 0, 1, null)],
            cohorts.Select(c => (c.Signed, c.Started, c.Onboarded, c.WithinYearOne, c.MedianDays)));
        // Steps in the order they fall due; Q1: both did the tool, A alone the policy.
        Assert.Equal([("tool", new Share(2, 2)), ("policy", new Share(1, 2))], cohorts[0].Steps.Select(s => (s.Key, s.Done)));
        Assert.Equal([("tool", new Share(1, 1)), ("policy", new Share(0, 1))], cohorts[2].Steps.Select(s => (s.Key, s.Done)));
        Assert.Equal([("tool", new Share(0, 1)), ("policy", new Share(0, 1))], cohorts[3].Steps.Select(s => (s.Key, s.Done)));
        Assert.Equal("policy-nl", cohorts[0].Steps[1].Name("nl"));
    }

    [Fact]
    public void APartyOnboarded_OnTheDayItsLastYearOneMilestoneWasDone()
    {
        var a = PartyOnboarding.Of(Parties[0], AsOf);
        Assert.Equal((D(2025, 1, 20), 354, D(2025, 2, 1)), (a.Onboarded!.Value, a.Days!.Value, a.YearOneEnds));
        Assert.Equal(["tool", "policy"], a.YearOne.Select(m => m.Key));
        // The same party seen before its policy was done is not onboarded yet.
        Assert.Null(PartyOnboarding.Of(Parties[0], D(2025, 1, 19)).Onboarded);
        // Done before the signing was recorded (an import): 0 days, never negative.
        var early = Party("H", PartyKind.Company, D(2024, 4, 1), null, M("tool", D(2024, 10, 1), D(2024, 3, 1)));
        Assert.Equal(0, PartyOnboarding.Of(early, AsOf).Days);
    }

    [Fact]
    public void NoParties_GiveNoRate_NotAMadeUpZero()
    {
        var report = OnboardingConversionBuilder.Build([], From, To, AsOf);
        Assert.Null(report.SignedToOnboarded.Rate);
        Assert.Null(report.MedianDays);
        Assert.Empty(report.Cohorts);
    }
}
