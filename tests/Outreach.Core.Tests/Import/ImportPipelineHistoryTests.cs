using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Prospects.Import;

namespace Outreach.Core.Tests.Import;

/// <summary>Issue 16 (4): an import carries each prospect's current stage with its date and its first contact date.</summary>
public sealed class ImportPipelineHistoryTests
{
    private static readonly Covenant Gold = new(1, "gold", "Responsible Gold", new DateOnly(2017, 6, 1), new DateOnly(2022, 6, 1));
    private static readonly DateOnly Today = new(2026, 3, 2);

    private static ImportPlan Plan(params (string Name, string Stage, string FirstContact, string StageOn)[] rows) =>
        ImportPlanner.Plan(
            ["organisation", "party_kind", "sector", "owner", "covenant", "stage", "first_contact_on", "stage_on"],
            rows.Select((r, i) => new ImportRow(i + 2, [r.Name, "company", "jewellery", "Anne", "gold", r.Stage, r.FirstContact, r.StageOn])),
            [], [Gold], null, Today);

    [Fact]
    public void ASignedProspect_WithItsDates_IsPlannedWithItsPastHistory()
    {
        var plan = Plan(("Goud B.V.", "signed", "2025-02-10", "1-9-2025"));

        Assert.All(plan.Rows, r => Assert.Equal(ImportRowStatus.Ok, r.Status));
        var entry = Assert.Single(Assert.Single(plan.Organisations).Entries);
        Assert.Equal(Stage.Signed, entry.Stage);
        Assert.Equal(
            [(Stage.Contacted, new DateOnly(2025, 2, 10)), (Stage.Engaged, new DateOnly(2025, 9, 1)), (Stage.Intake, new DateOnly(2025, 9, 1)),
             (Stage.SigningScheduled, new DateOnly(2025, 9, 1)), (Stage.Signed, new DateOnly(2025, 9, 1))],
            entry.Steps.Select(s => (s.Stage, s.On!.Value)));
    }

    [Fact]
    public void RowsBreakingTheDateRules_AreInvalid_WithTheirRowNumbersAndColumns()
    {
        var plan = Plan(
            ("Good B.V.", "engaged", "2025-01-01", "2025-02-01"),
            ("Future B.V.", "engaged", "2025-01-01", "2026-03-03"),
            ("Backwards B.V.", "engaged", "2025-05-01", "2025-02-01"),
            ("Garbled B.V.", "engaged", "2025-01-01", "yesterday"),
            ("Undated B.V.", "signed", "", ""));

        Assert.Equal([ImportRowStatus.Ok, ImportRowStatus.Invalid, ImportRowStatus.Invalid, ImportRowStatus.Invalid, ImportRowStatus.Invalid], plan.Rows.Select(r => r.Status));
        Assert.Equal("Row 3: Invalid - stage_on: The stage date 2026-03-03 is in the future.", plan.Rows[1].ToString());
        Assert.Equal("first_contact_on", Assert.Single(plan.Rows[2].Errors).Field);
        Assert.Equal("Row 5: Invalid - stage_on: 'yesterday' in stage_on is not a date; write it as yyyy-mm-dd (or dd-mm-yyyy).", plan.Rows[3].ToString());
        Assert.Equal("stage", Assert.Single(plan.Rows[4].Errors).Field);
        // All or nothing, as before: with invalid rows the import writes nothing unless told to import only the valid ones.
        Assert.True(plan.HasInvalidRows);
    }

    [Fact]
    public void WithoutDates_ANewProspectStartsAtTheImport_AsBefore()
    {
        var entry = Assert.Single(Assert.Single(Plan(("Acme", "contacted", "", "")).Organisations).Entries);
        Assert.Equal([new HistoryStep(Stage.Contacted, null)], entry.Steps);
    }
}
