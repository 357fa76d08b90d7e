using Outreach.Core.Common;
using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;
using Outreach.Core.Prospects.Import;
using static Outreach.Core.Tests.Onboarding.OnboardingTestData;

namespace Outreach.Core.Tests.Onboarding;

/// <summary>The questionnaire CSV's rules: every row checked against the covenant's parties, one bad row and nothing is recorded, problems by row number.</summary>
public sealed class QuestionnairePlannerTests
{
    private static readonly DateOnly Today = new(2025, 6, 30);
    private static readonly string[] Header = ["Party", "Year", "Milestone", "Done on", "Evidence"];

    private static readonly MonitoredParty Goud = new()
    {
        ProspectId = 10, Name = "Goudhandel B.V.", Kind = PartyKind.Company, SignedOn = new DateOnly(2022, 3, 1),
        Milestones =
        [
            new() { Id = 101, ProspectId = 10, Key = "policy", NameNl = "IMVO-beleid gepubliceerd", NameEn = "RBC policy published", DueOn = new DateOnly(2023, 3, 1) },
            new() { Id = 102, ProspectId = 10, Key = "training", Year = 3, NameNl = "Training gevolgd", NameEn = "Training attended", DueOn = new DateOnly(2023, 11, 1) },
            new() { Id = 103, ProspectId = 10, Key = "training", Year = 4, NameNl = "Training gevolgd", NameEn = "Training attended", DueOn = new DateOnly(2024, 11, 1) },
            new() { Id = 104, ProspectId = 10, Key = "tool", NameNl = "Assessmenttool gebruikt", NameEn = "Assessment tool used", DueOn = new DateOnly(2022, 9, 1), DoneOn = new DateOnly(2022, 8, 1), EvidenceUrl = "https://x.example" },
        ],
    };

    private static readonly MonitoredParty Zilver = new()
    {
        ProspectId = 11, Name = "Zilver & Co", Kind = PartyKind.Company, SignedOn = new DateOnly(2022, 5, 1),
        Milestones = [new() { Id = 111, ProspectId = 11, Key = "policy", NameNl = "IMVO-beleid gepubliceerd", NameEn = "RBC policy published", DueOn = new DateOnly(2023, 5, 1) }],
    };

    private static QuestionnairePlan Plan(params string[][] rows) => PlanWith(Header, rows);

    private static QuestionnairePlan PlanWith(string[] header, params string[][] rows) =>
        QuestionnairePlanner.Plan(new ImportFile(header, rows.Select((r, i) => new ImportRow(i + 2, r)).ToList(), null), Gold, [Goud, Zilver], Today);

    private static List<string> Errors(QuestionnairePlan plan) => plan.Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void GoodRows_AreMatchedByNameCodeOrMilestoneName_AndAYearlyOneByItsYear()
    {
        var plan = Plan(
            [" goudhandel b.v. ", "", "policy", "2024-02-01", "https://goud.example/beleid"],
            ["Goudhandel B.V.", "4", "Training gevolgd", "1-11-2024", "https://goud.example/training"],
            ["ZILVER & CO", "3", "RBC policy published", "2023-04-30", "https://zilver.example/rbc"],
            ["Goudhandel B.V.", "", "tool", "2022-08-01", "https://x.example"]);

        Assert.Empty(plan.Errors);
        Assert.Equal(
            [(2, 101L, new DateOnly(2024, 2, 1)), (3, 103L, new DateOnly(2024, 11, 1)), (4, 111L, new DateOnly(2023, 4, 30))],
            plan.Answers.Select(a => (a.RowNumber, a.MilestoneId, a.DoneOn)));
        // Row 5 was recorded already: left alone, not an error (a file can be imported again).
        Assert.Equal(1, plan.AlreadyDone);
    }

    [Fact]
    public void OneBadRow_AndNothingIsRecorded_EachProblemNamedByItsRow()
    {
        var plan = Plan(
            ["Goudhandel B.V.", "", "policy", "2024-02-01", "https://goud.example/beleid"],
            ["Onbekend B.V.", "", "policy", "2024-02-01", "https://x.example"],
            ["Goudhandel B.V.", "", "training", "2024-02-01", "https://x.example"],
            ["Goudhandel B.V.", "9", "training", "2024-02-01", "https://x.example"],
            ["Goudhandel B.V.", "", "risk", "2024-02-01", "https://x.example"],
            ["Goudhandel B.V.", "", "policy", "2024-02-02", "https://x.example"],
            ["Zilver & Co", "", "policy", "2099-01-01", "https://x.example"],
            ["Zilver & Co", "", "policy", "31 februari", "https://x.example"],
            ["Goudhandel B.V.", "3", "training", "2023-10-01", ""],
            ["Goudhandel B.V.", "4", "training", "2024-10-01", "javascript:alert(1)"],
            ["", "", "policy", "2024-02-01", "https://x.example"]);

        Assert.Empty(plan.Answers);
        Assert.Equal(
        [
            "Row 3: No party of Responsible Gold is called 'Onbekend B.V.'.",
            "Row 4: training is asked every year: give the year.",
            "Row 5: The monitoring year is 1 to 5 for this covenant.",
            "Row 6: Goudhandel B.V. has no milestone 'risk'.",
            "Row 7: Row 2 already answers this milestone.",
            "Row 8: The date it was done cannot be in the future.",
            "Row 9: Row 8 already answers this milestone.",
            "Row 10: Give the evidence: a link or a file.",
            "Row 11: The evidence link is not a valid web address (http or https).",
            "Row 12: Give the party.",
        ], Errors(plan));
    }

    [Fact]
    public void HostileCells_AreData_NeverFormulasOrFloods()
    {
        var long1 = new string('A', 5000);
        var plan = Plan(
            ["=HYPERLINK(\"http://evil.example\";\"x\")", "", "policy", "2024-02-01", "https://x.example"],
            [long1, "", "policy", "2024-02-01", "https://x.example"],
            ["Goudhandel B.V.", "-1", "policy", "2024-02-01", "https://x.example"],
            ["Goudhandel B.V.", "1e3", "policy", "2024-02-01", "https://x.example"],
            ["Goudhandel B.V.", "", "policy", "2024-02-01", "=cmd|'/c calc'!A1"],
            ["Goudhandel B.V.", "", "policy\u0000", "2024-02-01", "https://x.example"]);

        var errors = Errors(plan);
        Assert.Empty(plan.Answers);
        Assert.Equal(6, errors.Count);
        Assert.Equal("Row 2: No party of Responsible Gold is called '=HYPERLINK(\"http://evil.example\";\"x\")'.", errors[0]);
        // A flood is cut short when quoted back.
        Assert.True(errors[1].Length < 200, errors[1]);
        Assert.Equal("Row 4: The monitoring year is 1 to 5 for this covenant.", errors[2]);
        Assert.Equal("Row 5: The monitoring year is 1 to 5 for this covenant.", errors[3]);
        Assert.Equal("Row 6: The evidence link is not a valid web address (http or https).", errors[4]);
        Assert.StartsWith("Row 7: Goudhandel B.V. has no milestone 'policy", errors[5], StringComparison.Ordinal);
    }

    [Fact]
    public void TheFileAsAWhole_IsRefusedWithoutRowNumbers()
    {
        Assert.Equal(["The file has no column 'done on'; it needs party, year, milestone, done on and evidence."],
            Errors(PlanWith(["Party", "Year", "Milestone", "Evidence"], ["Goudhandel B.V.", "", "policy", "https://x.example"])));
        Assert.Equal(["The file has no rows."], Errors(Plan()));
        Assert.Equal(["The file is empty."], Errors(QuestionnairePlanner.Plan(ImportFile.Failed(new DomainMessage("The file is empty.")), Gold, [Goud], Today)));
        // Dutch headers, in any case, in any order, with extra columns ignored.
        var dutch = PlanWith(["Opmerking", "BEWIJS", "mijlpaal", "Partij", "Afgerond op", "Jaar"], ["ok", "https://x.example", "policy", "Zilver & Co", "2024-01-01", ""]);
        Assert.Equal([111L], dutch.Answers.Select(a => a.MilestoneId));
        // A row the reader could not read cleanly (bad quoting) is an error of its own.
        var quoted = QuestionnairePlanner.Plan(new ImportFile(Header, [new ImportRow(2, ["Zilver & Co", "", "policy", "2024-01-01", "https://x.example"], new DomainMessage("The quoting of this row is malformed."))], null), Gold, [Zilver], Today);
        Assert.Equal(["Row 2: The quoting of this row is malformed."], Errors(quoted));
    }
}
