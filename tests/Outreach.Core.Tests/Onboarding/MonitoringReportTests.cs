using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;
using static Outreach.Core.Tests.Onboarding.OnboardingTestData;

namespace Outreach.Core.Tests.Onboarding;

/// <summary>
/// A fixed data set whose figures are worked out by hand below. Gold's year 4 runs 2024-01-01 to 2024-12-31, year 3 is 2023;
/// with the default cut-off a party is monitored in a year when it signed before the year began and had not left by its end.
/// </summary>
public sealed class MonitoringReportTests
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static readonly IReadOnlyList<MonitoredParty> Parties =
    [
        // Monitored in years 3 and 4; did everything, the training both years.
        new() { ProspectId = 1, Name = "Aurum B.V.", Kind = PartyKind.Company, SignedOn = D(2021, 3, 1), Milestones =
            [Done("policy", D(2021, 12, 1)), Done("tool", D(2022, 1, 10)), Done("risk", D(2023, 5, 1)), Done("training", D(2023, 10, 1), 3), Done("training", D(2024, 10, 15), 4)] },
        // Monitored in years 3 and 4; the tool and the risk analysis only in year 4, the training in year 3 only.
        new() { ProspectId = 2, Name = "Bram Goud", Kind = PartyKind.Company, SignedOn = D(2022, 6, 15), Milestones =
            [Done("policy", D(2023, 2, 1)), Done("tool", D(2024, 3, 1)), Done("risk", D(2024, 6, 1)), Done("training", D(2023, 11, 1), 3), Open("training", D(2024, 11, 1), 4)] },
        // A ministry: not asked for the risk analysis or the training.
        new() { ProspectId = 3, Name = "Ministerie van Economische Zaken", Kind = PartyKind.Government, SignedOn = D(2021, 9, 1), Milestones =
            [Done("policy", D(2022, 8, 1)), Open("tool", D(2022, 3, 1))] },
        // The mid-year joiner: signed in year 3, so first monitored in year 4.
        new() { ProspectId = 4, Name = "Delta Metals", Kind = PartyKind.Company, SignedOn = D(2023, 4, 1), Milestones =
            [Done("policy", D(2024, 2, 1)), Open("tool", D(2023, 10, 1)), Open("risk", D(2024, 10, 1)), Done("training", D(2024, 9, 1), 4)] },
        // Left in year 4: counted in year 3, named as left in year 4.
        new() { ProspectId = 5, Name = "Edelsmid Jansen", Kind = PartyKind.Company, SignedOn = D(2021, 2, 1), LeftOn = D(2024, 5, 1), Milestones =
            [Done("policy", D(2021, 6, 1))] },
        // Joined in year 4: not yet monitored.
        new() { ProspectId = 6, Name = "Fijngoud", Kind = PartyKind.Company, SignedOn = D(2024, 3, 1) },
        // An NGO: the plan asks it nothing, so it is in no figure.
        new() { ProspectId = 7, Name = "Stichting Eerlijk Goud", Kind = PartyKind.Ngo, SignedOn = D(2021, 5, 1) },
    ];

    [Fact]
    public void Year4_CountsEveryMilestoneAsNOfM_WithTheListsBehindIt()
    {
        var report = MonitoringReportBuilder.Build(Gold, Plan(), Parties, 4);

        Assert.Equal((D(2024, 1, 1), D(2024, 12, 31), D(2024, 1, 1), 5), (report.YearStarts, report.YearEnds, report.CutOff, report.Years));
        Assert.Equal([1L, 2, 4, 3, 7], report.Monitored.Select(p => p.ProspectId));
        // policy: A, B, ministry, Delta all published by 2024-12-31 → 4 of 4.
        // tool: A (2022) and B (2024-03) → 2 of 4; the ministry and Delta did not.
        // risk (companies only): A and B → 2 of 3; Delta did not; the ministry is not asked.
        // training (companies, this year's): A and Delta → 2 of 3; B's year-4 training is open.
        Assert.Equal([("policy", 4, 4), ("tool", 2, 4), ("risk", 2, 3), ("training", 2, 3)], report.Milestones.Select(m => (m.Key, m.Done, m.Of)));
        var tool = report.Milestones.Single(m => m.Key == "tool");
        Assert.Equal(["Aurum B.V.", "Bram Goud"], tool.DoneBy.Select(p => p.Name));
        Assert.Equal(["Delta Metals", "Ministerie van Economische Zaken"], tool.NotDone.Select(p => p.Name));
        Assert.Equal(["Delta Metals"], report.Milestones.Single(m => m.Key == "risk").NotDone.Select(p => p.Name));
        Assert.Equal(["Fijngoud"], report.NotYetMonitored.Select(p => p.Name));
        var left = Assert.Single(report.Left);
        Assert.Equal(("Edelsmid Jansen", D(2024, 5, 1), 4), (left.Name, left.LeftOn, left.Year));
    }

    [Fact]
    public void Year4_ComparesWithYear3_WhenTheJoinerWasNotYetMonitored_AndTheLeaverStillWas()
    {
        var report = MonitoringReportBuilder.Build(Gold, Plan(), Parties, 4);
        // Year 3: A, B, the ministry, Edelsmid (Delta joined in year 3).
        // policy: all four by 2023-12-31 → 4 of 4; tool: only A → 1 of 4; risk: A of A, B, Edelsmid → 1 of 3;
        // training year 3: A and B, not Edelsmid → 2 of 3.
        Assert.Equal([("policy", 4, 4, 0), ("tool", 1, 4, 1), ("risk", 1, 3, 1), ("training", 2, 3, 0)],
            report.Milestones.Select(m => (m.Key, m.PreviousDone!.Value, m.PreviousOf!.Value, m.Change!.Value)));

        var year3 = MonitoringReportBuilder.Build(Gold, Plan(), Parties, 3);
        Assert.Equal([("policy", 4, 4), ("tool", 1, 4), ("risk", 1, 3), ("training", 2, 3)], year3.Milestones.Select(m => (m.Key, m.Done, m.Of)));
        Assert.Equal(["Delta Metals"], year3.NotYetMonitored.Select(p => p.Name));
        Assert.Empty(year3.Left);
    }

    [Fact]
    public void Year4_SaysItInOneSentence_InEnglishAndDutch()
    {
        var report = MonitoringReportBuilder.Build(Gold, Plan(), Parties, 4);

        // A ministry is among those counted, so "parties"; "of M" only where M changes.
        Assert.Equal(
            "4 of 4 parties published their RBC policy, 2 used the assessment tool, 2 of 3 delivered a risk analysis, 2 attended the due-diligence training; " +
            "one company joined in year 4 and could not be monitored yet; one company left in year 4.",
            report.SentenceEn);
        Assert.Equal(
            "4 van 4 partijen publiceerden hun IMVO-beleid, 2 gebruikten de assessmenttool, 2 van 3 leverden een risicoanalyse, 2 volgden de due-diligencetraining; " +
            "één bedrijf trad toe in jaar 4 en kon nog niet worden gemonitord; één bedrijf verliet het convenant in jaar 4.",
            report.SentenceNl);
    }

    [Fact]
    public void OnlyCompanies_AreCalledCompanies_AsTheSteeringGroupReadsIt()
    {
        IReadOnlyList<MonitoredParty> companies = [.. Parties.Where(p => p.ProspectId is 1 or 2 or 6)];
        var report = MonitoringReportBuilder.Build(Gold, Plan(), companies, 4);
        Assert.Equal("2 of 2 companies published their RBC policy, 2 used the assessment tool, 2 delivered a risk analysis, 1 attended the due-diligence training; one company joined in year 4 and could not be monitored yet.", report.SentenceEn);
    }

    [Fact]
    public void ACutOffThreeMonthsIn_MonitorsAPartyThatSignedInFebruary()
    {
        IReadOnlyList<MonitoredParty> parties = [new() { ProspectId = 9, Name = "Februari B.V.", Kind = PartyKind.Company, SignedOn = D(2024, 2, 15), Milestones = [Done("policy", D(2024, 6, 1))] }];
        var plan = Plan(cutOffMonths: 3);

        var report = MonitoringReportBuilder.Build(Gold, plan, parties, 4);

        Assert.Equal(D(2024, 4, 1), report.CutOff);
        Assert.Equal((1, 1), (report.Milestones[0].Done, report.Milestones[0].Of));
        Assert.Empty(report.NotYetMonitored);
        Assert.Equal((1, 1), (MonitoringReportBuilder.Build(Gold, Plan(), parties, 4).NotYetMonitored.Count, MonitoringReportBuilder.Build(Gold, Plan(), parties, 5).Milestones[0].Of));
    }

    [Fact]
    public void Year1_HasNoComparison_AndSaysSoWhenNobodyIsMonitoredYet()
    {
        var report = MonitoringReportBuilder.Build(Gold, Plan(), Parties, 1);
        Assert.All(report.Milestones, m => Assert.Null(m.Change));
        // Aurum, Edelsmid, the ministry and the NGO signed in year 1: none of them is monitored before year 2.
        Assert.Empty(report.Monitored);
        Assert.StartsWith("No party could be monitored in year 1 yet; four parties joined in year 1", report.SentenceEn, StringComparison.Ordinal);
    }

    [Fact]
    public void TheWeeklyManagerMail_CarriesEachCovenantsMonitoringSentence_Encoded()
    {
        var report = MonitoringReportBuilder.Build(Gold, Plan(), Parties, 4);
        var week = new Outreach.Core.Reports.ReportQuery { From = D(2025, 9, 1), To = D(2025, 9, 7) };
        var conversion = Outreach.Core.Reports.ConversionReportBuilder.Build(week, Outreach.Testing.ReportDataSet.InMemory(week), Outreach.Testing.ReportDataSet.AsOf);

        var mail = Outreach.Core.Reports.WeeklyReportMail.Compose(conversion, conversion, "all covenants", [("Responsible <Gold>", report)]);

        Assert.StartsWith("4 of 4 parties published their RBC policy", report.SentenceEn, StringComparison.Ordinal);
        Assert.Contains("Onboarding: the annual monitoring\n- Responsible <Gold>, year 4 (1 Jan 2024 – 31 Dec 2024): " + report.SentenceEn, mail.Text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("<li>Responsible &lt;Gold&gt;, year 4 (1 Jan 2024 – 31 Dec 2024): 4 of 4 parties", mail.Html, StringComparison.Ordinal);
        // A covenant without a plan has nothing to say; no covenants, no section.
        var empty = MonitoringReportBuilder.Build(Gold, new OnboardingPlan { CovenantId = Gold.Id, Milestones = [] }, Parties, 4);
        Assert.DoesNotContain("annual monitoring", Outreach.Core.Reports.WeeklyReportMail.Compose(conversion, conversion, "all covenants", [("Gold", empty)]).Text, StringComparison.Ordinal);
        Assert.DoesNotContain("annual monitoring", Outreach.Core.Reports.WeeklyReportMail.Compose(conversion, conversion, "all covenants").Text, StringComparison.Ordinal);
    }

    /// <summary>Issue 14 point 4: a Dutch manager reads the monitoring section, and its sentence, in Dutch.</summary>
    [Fact]
    public void TheWeeklyManagerMail_ForADutchManager_SaysItInDutch()
    {
        var report = MonitoringReportBuilder.Build(Gold, Plan(), Parties, 4);
        var week = new Outreach.Core.Reports.ReportQuery { From = D(2025, 9, 1), To = D(2025, 9, 7) };
        var conversion = Outreach.Core.Reports.ConversionReportBuilder.Build(week, Outreach.Testing.ReportDataSet.InMemory(week), Outreach.Testing.ReportDataSet.AsOf);

        var mail = Outreach.Core.Reports.WeeklyReportMail.Compose(conversion, conversion, "all covenants", [("Responsible <Gold>", report)], ContactLanguage.Nl);

        Assert.Contains("Onboarding: de jaarlijkse monitoring\n- Responsible <Gold>, jaar 4 (1 januari 2024 – 31 december 2024): " + report.SentenceNl, mail.Text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain(report.SentenceEn, mail.Text, StringComparison.Ordinal);
        Assert.Contains("<section lang=\"nl\"><h2>Onboarding: de jaarlijkse monitoring</h2><ul><li>Responsible &lt;Gold&gt;, jaar 4 (1 januari 2024 – 31 december 2024): 4 van 4 partijen publiceerden", mail.Html, StringComparison.Ordinal);
        // The English manager's mail is as it was.
        var english = Outreach.Core.Reports.WeeklyReportMail.Compose(conversion, conversion, "all covenants", [("Responsible <Gold>", report)], ContactLanguage.En);
        Assert.Contains("<section lang=\"en\"><h2>Onboarding: the annual monitoring</h2>", english.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(report.SentenceNl, english.Text, StringComparison.Ordinal);
    }

    /// <summary>"van 1 bedrijf", "van 2 bedrijven"; "één bedrijf trad toe", "twee bedrijven traden toe"; "één partij" for a party that is not a company.</summary>
    [Fact]
    public void TheDutchSentence_SaysOneOrMany_AsDutchDoes()
    {
        IReadOnlyList<MonitoredParty> one =
        [
            new() { ProspectId = 1, Name = "Aurum B.V.", Kind = PartyKind.Company, SignedOn = D(2021, 3, 1), Milestones = [Done("policy", D(2021, 12, 1))] },
            new() { ProspectId = 6, Name = "Fijngoud", Kind = PartyKind.Company, SignedOn = D(2024, 3, 1) },
            new() { ProspectId = 8, Name = "Goudwerk", Kind = PartyKind.Company, SignedOn = D(2024, 4, 1) },
        ];
        var report = MonitoringReportBuilder.Build(Gold, Plan(), one, 4);
        Assert.StartsWith("1 van 1 bedrijf publiceerden hun IMVO-beleid, 0 gebruikten de assessmenttool", report.SentenceNl, StringComparison.Ordinal);
        Assert.EndsWith("; twee bedrijven traden toe in jaar 4 en konden nog niet worden gemonitord.", report.SentenceNl, StringComparison.Ordinal);
        Assert.StartsWith("1 of 1 company published their RBC policy", report.SentenceEn, StringComparison.Ordinal);

        IReadOnlyList<MonitoredParty> two =
        [
            one[0],
            new() { ProspectId = 2, Name = "Bram Goud", Kind = PartyKind.Company, SignedOn = D(2022, 6, 15) },
            new() { ProspectId = 9, Name = "Brancheorganisatie Goud", Kind = PartyKind.BranchOrganisation, SignedOn = D(2024, 2, 1) },
            new() { ProspectId = 5, Name = "Edelsmid Jansen", Kind = PartyKind.Company, SignedOn = D(2021, 2, 1), LeftOn = D(2024, 5, 1) },
        ];
        report = MonitoringReportBuilder.Build(Gold, Plan(), two, 4);
        Assert.StartsWith("1 van 2 bedrijven publiceerden hun IMVO-beleid", report.SentenceNl, StringComparison.Ordinal);
        Assert.EndsWith("; één partij trad toe in jaar 4 en kon nog niet worden gemonitord; één bedrijf verliet het convenant in jaar 4.", report.SentenceNl, StringComparison.Ordinal);
    }
}
