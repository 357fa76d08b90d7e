using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;
using static Outreach.Core.Tests.Onboarding.OnboardingTestData;

namespace Outreach.Core.Tests.Onboarding;

public sealed class OnboardingRulesTests
{
    private static PlanMilestone Valid(string key = "policy") =>
        new() { Key = key, NameNl = "Beleid", NameEn = "Policy", AppliesTo = [PartyKind.Company], Due = DueRule.AfterSigning, MonthsAfterSigning = 12 };

    [Fact]
    public void MonitoringYears_RunFromTheCovenantsStart_TwelveMonthsEach()
    {
        var metals = new Covenant(2, "metals", "Metals", new DateOnly(2022, 7, 1), new DateOnly(2027, 6, 30));
        Assert.Equal(0, MonitoringYears.YearOf(metals, new DateOnly(2022, 6, 30)));
        Assert.Equal(1, MonitoringYears.YearOf(metals, new DateOnly(2022, 7, 1)));
        Assert.Equal(1, MonitoringYears.YearOf(metals, new DateOnly(2023, 6, 30)));
        Assert.Equal(2, MonitoringYears.YearOf(metals, new DateOnly(2023, 7, 1)));
        Assert.Equal(5, MonitoringYears.Count(metals));
        Assert.Equal((new DateOnly(2025, 7, 1), new DateOnly(2026, 6, 30)), (MonitoringYears.Start(metals, 4), MonitoringYears.End(metals, 4)));
    }

    [Fact]
    public void FirstMonitoredYear_IsTheYearAfterJoining_UnlessItSignedBeforeTheCutOff()
    {
        // Default cut-off (0 months): joining in year 3 means first monitored in year 4.
        Assert.Equal(4, MonitoringYears.FirstMonitored(Gold, new DateOnly(2023, 4, 1), 0));
        Assert.Equal(4, MonitoringYears.FirstMonitored(Gold, new DateOnly(2023, 1, 1), 0));
        // A cut-off three months into the year: signing in February still counts for that year, April does not.
        Assert.Equal(3, MonitoringYears.FirstMonitored(Gold, new DateOnly(2023, 2, 15), 3));
        Assert.Equal(4, MonitoringYears.FirstMonitored(Gold, new DateOnly(2023, 4, 1), 3));
        // Signed before the covenant started: monitored from year 1.
        Assert.Equal(1, MonitoringYears.FirstMonitored(Gold, new DateOnly(2020, 11, 1), 0));
    }

    [Fact]
    public void MilestonesAtSigning_AMidYearJoiner_GetsDueDatesFromSigning_AndAYearlyOneFromItsFirstMonitoredYear()
    {
        var drafts = OnboardingRules.MilestonesAtSigning(Plan(), Gold, PartyKind.Company, new DateOnly(2023, 4, 1));

        Assert.Equal(
            [("policy", (int?)null, new DateOnly(2024, 4, 1)), ("tool", null, new DateOnly(2023, 10, 1)), ("risk", null, new DateOnly(2024, 10, 1)),
             ("training", 4, new DateOnly(2024, 11, 1)), ("training", 5, new DateOnly(2025, 11, 1))],
            drafts.Select(d => (d.Key, d.Year, d.DueOn)));
        Assert.All(drafts, d => Assert.Equal(3, d.PlanVersion));
    }

    [Fact]
    public void MilestonesAtSigning_AMinistry_IsNotAskedForTheRiskAnalysisOrTheTraining_AndAnNgoForNothing()
    {
        var ministry = OnboardingRules.MilestonesAtSigning(Plan(), Gold, PartyKind.Government, new DateOnly(2021, 9, 1));
        Assert.Equal(["policy", "tool"], ministry.Select(d => d.Key));
        Assert.Empty(OnboardingRules.MilestonesAtSigning(Plan(), Gold, PartyKind.Ngo, new DateOnly(2021, 9, 1)));
    }

    [Fact]
    public void FixedDue_IsTheFirstSuchDayOnOrAfterTheYearsStart()
    {
        var metals = new Covenant(2, "metals", "Metals", new DateOnly(2022, 7, 1), new DateOnly(2027, 6, 30));
        Assert.Equal(new DateOnly(2023, 3, 1), OnboardingRules.FixedDue(metals, 1, 3, 1));
        Assert.Equal(new DateOnly(2022, 11, 1), OnboardingRules.FixedDue(metals, 1, 11, 1));
        Assert.Equal(new DateOnly(2022, 7, 1), OnboardingRules.FixedDue(metals, 1, 7, 1));
    }

    [Fact]
    public void Check_AcceptsTheTestPlan()
    {
        var plan = Plan();
        Assert.Empty(OnboardingRules.Check(plan.Milestones, 0));
    }

    [Fact]
    public void Check_RefusesEachBrokenRule_NamingTheField()
    {
        IReadOnlyList<PlanMilestone> plan =
        [
            Valid(),
            Valid(),                                                            // same code twice
            Valid("Bad Key") ,                                                  // not a code
            Valid("nokinds") with { AppliesTo = [] },
            Valid("feb") with { Due = DueRule.FixedEachYear, MonthsAfterSigning = null, DueMonth = 2, DueDay = 29 },
            Valid("months") with { MonthsAfterSigning = 61 },
            Valid("name") with { NameEn = "Policy\u0001" },
            Valid("long") with { NameNl = new string('x', 201) },
        ];

        var fields = OnboardingRules.Check(plan, 12).Select(e => e.Field).ToList();

        Assert.Equal(
            ["CutOffMonths", "Milestones[1].Key", "Milestones[2].Key", "Milestones[3].AppliesTo", "Milestones[4].DueDay", "Milestones[5].MonthsAfterSigning", "Milestones[6].NameEn", "Milestones[7].NameNl"],
            fields);
    }

    [Fact]
    public void Clean_TrimsAndDropsWhatTheDueRuleDoesNotUse()
    {
        var clean = OnboardingRules.Clean(Valid() with { Key = " policy ", NameEn = " Policy ", PhraseEn = "  ", DueMonth = 3, DueDay = 1, AppliesTo = [PartyKind.Government, PartyKind.Company, PartyKind.Company] });
        Assert.Equal(("policy", "Policy", (string?)null, (int?)null, (int?)null), (clean.Key, clean.NameEn, clean.PhraseEn, clean.DueMonth, clean.DueDay));
        Assert.Equal([PartyKind.Company, PartyKind.Government], clean.AppliesTo);
    }

    [Theory]
    [InlineData(null, "https://example.org/policy.pdf", false, "Give the date it was done.")]
    [InlineData("2026-03-03", "https://example.org/policy.pdf", false, "The date it was done cannot be in the future.")]
    [InlineData("2026-03-01", "", false, "Give the evidence: a link or a file.")]
    [InlineData("2026-03-01", "javascript:alert(1)", false, "The evidence link is not a valid web address (http or https).")]
    [InlineData("2026-03-01", "policy.pdf", false, "The evidence link is not a valid web address (http or https).")]
    [InlineData("2026-03-01", "https://example.org/\u0001", false, "The evidence link is not a valid web address (http or https).")]
    [InlineData("2026-03-01", "", true, null)]
    [InlineData("2026-03-01", "https://example.org/policy.pdf", false, null)]
    public void WhyNotDone_NeedsAPastDateAndEvidence(string? on, string url, bool file, string? refusal)
    {
        var milestone = Open("policy", new DateOnly(2026, 6, 1));
        var why = OnboardingRules.WhyNotDone(milestone, on is null ? null : DateOnly.Parse(on, System.Globalization.CultureInfo.InvariantCulture), url, file, "anna", new DateOnly(2026, 3, 2));
        Assert.Equal(refusal, why?.Template);
    }

    /// <summary>An evidence file's name is downloaded as it was given: one that hides its type behind a direction override is refused.</summary>
    [Theory]
    [InlineData("beleid.pdf", 10, null)]
    [InlineData("Beleid 2026 (definitief) é.pdf", 10, null)]
    [InlineData("beleid\u202Efdp.exe", 10, "The file name is not allowed.")]
    [InlineData("beleid\u2067fdp.exe", 10, "The file name is not allowed.")]
    [InlineData("beleid\u200F.pdf", 10, "The file name is not allowed.")]
    [InlineData("beleid\u0001.pdf", 10, "The file name is not allowed.")]
    [InlineData("", 10, "The file name is not allowed.")]
    [InlineData("beleid.pdf", 0, "The file is empty.")]
    [InlineData("beleid.pdf", 10 * 1024 * 1024 + 1, "The file is too large; the limit is {0} MB.")]
    public void WhyFileRefused_RefusesDirectionOverridesInTheName(string name, long length, string? refusal) =>
        Assert.Equal(refusal, OnboardingRules.WhyFileRefused(name, length)?.Template);

    [Fact]
    public void DoneAndReopen_OnlyFromTheOtherState_AndReopenNeedsAReason()
    {
        var done = Done("policy", new DateOnly(2026, 1, 5));
        Assert.Equal("This milestone is already done; reopen it first.", OnboardingRules.WhyNotDone(done, new DateOnly(2026, 1, 6), "https://example.org", false, "anna", new DateOnly(2026, 3, 2))?.Template);
        Assert.Equal("A reason is required to reopen a milestone.", OnboardingRules.WhyNotReopened(done, "  ", "anna")?.Template);
        Assert.Equal("The reason contains characters that are not allowed.", OnboardingRules.WhyNotReopened(done, "Wrong\0file", "anna")?.Template);
        Assert.Null(OnboardingRules.WhyNotReopened(done, "The link points to last year's policy", "anna"));
        Assert.Equal("This milestone is not done, so it cannot be reopened.", OnboardingRules.WhyNotReopened(Open("policy", new DateOnly(2026, 1, 5)), "Why", "anna")?.Template);
    }

    [Fact]
    public void Progress_CountsTheMilestonesThatCountNow_ShowsWhatIsDueNext_AndWhatIsOverdue()
    {
        var today = new DateOnly(2024, 11, 15);
        IReadOnlyList<PartyMilestone> all =
        [
            Done("policy", new DateOnly(2024, 2, 1)),
            Open("tool", new DateOnly(2023, 10, 1)),
            Open("risk", new DateOnly(2024, 12, 1)),
            Open("training", new DateOnly(2024, 11, 1), 4),
            Open("training", new DateOnly(2025, 11, 1), 5),
        ];

        var progress = OnboardingProgress.Of(all, Gold, today, leftOn: null);

        Assert.Equal((1, 4), (progress.Done, progress.Total));
        Assert.Equal("risk", progress.DueNext?.Key);
        Assert.Equal(["tool", "training"], progress.Overdue.Select(m => m.Key));

        // A party that left keeps its record; what was due after it left is dropped, and nothing is chased.
        var left = OnboardingProgress.Of(all, Gold, today, leftOn: new DateOnly(2024, 5, 1));
        Assert.Equal((1, 2), (left.Done, left.Total));
        Assert.Equal(["risk", "training", "training"], left.Dropped.Select(m => m.Key));
        Assert.Null(left.DueNext);
        Assert.Empty(left.Overdue);
    }
}
