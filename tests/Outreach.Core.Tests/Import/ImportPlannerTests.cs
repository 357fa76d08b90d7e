using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Prospects.Import;

namespace Outreach.Core.Tests.Import;

public sealed class ImportPlannerTests
{
    private static readonly Covenant Gold = new(1, "gold", "Responsible Gold", new DateOnly(2017, 6, 1), new DateOnly(2022, 6, 1));
    private static readonly Covenant Metals = new(2, "metals", "Metals Sector", new DateOnly(2019, 7, 1), new DateOnly(2024, 7, 1));

    /// <summary>One data line in the canonical column order (<see cref="ImportColumns.All"/>).</summary>
    internal static string[] Line(
        string organisation = "Goudsmederij de Vries B.V.", string partyKind = "company", string sector = "jewellery", string country = "",
        string kvk = "", string website = "", string owner = "Anne", string covenant = "gold", string stage = "",
        string contactName = "", string contactEmail = "", string contactLanguage = "", string contactRole = "", string lawfulBasis = "", string source = "",
        string firstContactOn = "", string stageOn = "") =>
        [organisation, partyKind, sector, country, kvk, website, owner, covenant, stage, contactName, contactEmail, contactLanguage, contactRole, lawfulBasis, source, firstContactOn, stageOn];

    private static ImportPlan Plan(params string[][] lines) => PlanWith([], lines);

    private static ImportPlan PlanWith(IReadOnlyList<OrganisationKeys> existing, params string[][] lines) =>
        ImportPlanner.Plan(ImportColumns.All, lines.Select((l, i) => new ImportRow(i + 2, l)), existing, [Gold, Metals]);

    [Fact]
    public void Plan_WithAValidFile_PlansOrganisationsContactsAndEntries()
    {
        var plan = Plan(
            Line(kvk: "12.34.56.78", website: "https://www.devries.nl/over", contactName: "Eva Jansen", contactEmail: " Eva@DeVries.NL ", contactRole: "CSR lead"),
            Line(organisation: "Zilver NV", partyKind: "NGO", sector: "trade", country: "be", covenant: "METALS", stage: "contacted"));

        Assert.False(plan.IsRefused);
        Assert.All(plan.Rows, r => Assert.Equal(ImportRowStatus.Ok, r.Status));
        Assert.Equal([2, 3], plan.Rows.Select(r => r.RowNumber));
        Assert.Equal(2, plan.Organisations.Count);

        var first = plan.Organisations[0];
        Assert.Equal("Goudsmederij de Vries B.V.", first.Draft.Name);
        Assert.Equal("12345678", first.Draft.KvkNumber);
        Assert.Equal("devries.nl", first.Draft.Website);
        Assert.Equal("NL", first.Draft.Country);
        var contact = Assert.Single(first.Contacts).Draft;
        Assert.Equal(("Eva Jansen", "eva@devries.nl", ContactLanguage.Nl, "CSR lead"), (contact.Name, contact.Email, contact.Language, contact.Role));
        Assert.Equal(new PlannedEntry(2, Gold.Id, Stage.Identified), Assert.Single(first.Entries));

        var second = plan.Organisations[1];
        Assert.Equal((PartyKind.Ngo, "BE"), (second.Draft.PartyKind, second.Draft.Country));
        Assert.Empty(second.Contacts);
        Assert.Equal(new PlannedEntry(3, Metals.Id, Stage.Contacted), Assert.Single(second.Entries));
    }

    [Fact]
    public void Plan_WithHeaderInAnyCaseAndOrder_MapsTheColumns()
    {
        string[] header = [" Covenant", "OWNER", "Sector", "party-kind", "Organisation", "Contact Email", "contact_name"];
        var plan = ImportPlanner.Plan(header, [new ImportRow(2, ["gold", "Anne", "jewellery", "company", "Acme", "a@acme.nl", "Ann"])], [], [Gold]);

        var organisation = Assert.Single(plan.Organisations);
        Assert.Equal("Acme", organisation.Draft.Name);
        Assert.Equal("a@acme.nl", Assert.Single(organisation.Contacts).Draft.Email);
    }

    [Fact]
    public void Plan_WithAMissingRequiredColumn_RefusesTheWholeFile()
    {
        var plan = ImportPlanner.Plan(["organisation", "party_kind", "sector", "covenant"], [new ImportRow(2, ["Acme", "company", "x", "gold"])], [], [Gold]);

        Assert.True(plan.IsRefused);
        Assert.Contains("missing required columns: owner", Assert.Single(plan.FileErrors).ToString(), StringComparison.Ordinal);
        Assert.Empty(plan.Rows);
        Assert.Empty(plan.Organisations);
    }

    [Fact]
    public void Plan_WithAnUnknownColumn_RefusesTheWholeFile()
    {
        var plan = ImportPlanner.Plan([.. ImportColumns.All, "phone"], [new ImportRow(2, [.. Line(), "+31 20 123"])], [], [Gold]);

        Assert.True(plan.IsRefused);
        Assert.Contains("does not know: phone", Assert.Single(plan.FileErrors).ToString(), StringComparison.Ordinal);
        Assert.Empty(plan.Organisations);
    }

    [Fact]
    public void Plan_WithARepeatedColumn_RefusesTheWholeFile()
    {
        var plan = ImportPlanner.Plan([.. ImportColumns.All, "Sector"], [], [], [Gold]);
        Assert.Contains("more than once: sector", Assert.Single(plan.FileErrors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_WithAnInvalidRow_ReportsItsRowNumberAndReason()
    {
        var plan = Plan(
            Line(organisation: "Alpha"),
            Line(organisation: "", partyKind: "pirate", kvk: "123", covenant: "silver", contactName: "Bo"),
            Line(organisation: "Gamma"));

        Assert.Equal([ImportRowStatus.Ok, ImportRowStatus.Invalid, ImportRowStatus.Ok], plan.Rows.Select(r => r.Status));
        var invalid = plan.Rows[1];
        Assert.Equal(3, invalid.RowNumber);
        var messages = invalid.Errors.ToDictionary(e => e.Field, e => e.Message.ToString());
        Assert.Equal("organisation is required.", messages["organisation"]);
        Assert.StartsWith("Unknown party kind 'pirate'; use one of: company, branch_organisation", messages["party_kind"], StringComparison.Ordinal);
        Assert.Equal("A KvK number has 8 digits.", messages["kvk_number"]);
        Assert.Equal("Unknown covenant 'silver'; use one of: gold, metals.", messages["covenant"]);
        Assert.Equal("Email is required.", messages["contact_email"]);
        Assert.StartsWith("Row 3: Invalid - ", invalid.ToString(), StringComparison.Ordinal);
        Assert.Contains("organisation: organisation is required.", invalid.ToString(), StringComparison.Ordinal);
        Assert.Equal(["Alpha", "Gamma"], plan.Organisations.Select(o => o.Draft.Name));
        Assert.True(plan.HasInvalidRows);
    }

    [Fact]
    public void Plan_WithOnlyAContactEmail_RequiresTheContactNameToo()
    {
        var plan = Plan(Line(contactEmail: "eva@devries.nl"), Line(organisation: "Beta", contactRole: "CEO"));

        Assert.Equal(["contact_name"], plan.Rows[0].Errors.Select(e => e.Field));
        Assert.Equal("contact_name and contact_email are required when contact_role is given.", Assert.Single(plan.Rows[1].Errors).Message.ToString());
    }

    [Theory]
    [InlineData("not now")]
    [InlineData("engaged")]
    [InlineData("signed")]
    [InlineData("left")]
    public void Plan_WithAStagePastContacted_RejectsTheRow_LikeTheFormsDo(string stage)
    {
        var plan = Plan(Line(stage: stage));
        var error = Assert.Single(Assert.Single(plan.Rows).Errors);
        Assert.Equal("stage", error.Field);
        Assert.Contains("starts in 'identified' or 'contacted'", error.Message.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_WithAnOrganisationThatAlreadyExists_ReportsTheRowAsDuplicate()
    {
        OrganisationKeys[] existing = [new(41, "Goud & Zilver B.V.", Normalise.OrganisationName("Goud & Zilver B.V."), "87654321", "goudzilver.nl")];

        var plan = PlanWith(existing,
            Line(organisation: "Goud en Zilver"),
            Line(organisation: "Other", kvk: "8765 4321"),
            Line(organisation: "Third", website: "http://www.goudzilver.nl", contactName: "A", contactEmail: "a@b.nl"),
            Line(organisation: "Fresh"));

        Assert.Equal([ImportRowStatus.Duplicate, ImportRowStatus.Duplicate, ImportRowStatus.Duplicate, ImportRowStatus.Ok], plan.Rows.Select(r => r.Status));
        Assert.All(plan.Rows.Take(3), r => Assert.Equal(41, r.DuplicateOfOrganisationId));
        Assert.Equal("Same KvK number (87654321) as 'Goud & Zilver B.V.'.", plan.Rows[1].Reason!.ToString());
        Assert.Equal("Fresh", Assert.Single(plan.Organisations).Draft.Name);
    }

    [Fact]
    public void Plan_WithTheSameOrganisationOnSeveralRows_CreatesItOnceWithAllContacts()
    {
        var plan = Plan(
            Line(kvk: "12345678", contactName: "Eva", contactEmail: "eva@devries.nl"),
            Line(organisation: "GOUDSMEDERIJ DE VRIES", contactName: "Piet", contactEmail: "piet@devries.nl", contactLanguage: "en"),
            Line(organisation: "Goudsmederij de Vries", covenant: "metals", stage: "contacted"));

        Assert.All(plan.Rows, r => Assert.Equal(ImportRowStatus.Ok, r.Status));
        Assert.Equal([null, 2, 2], plan.Rows.Select(r => r.SameAsRow));
        var organisation = Assert.Single(plan.Organisations);
        Assert.Equal([2, 3, 4], organisation.RowNumbers);
        Assert.Equal(["eva@devries.nl", "piet@devries.nl"], organisation.Contacts.Select(c => c.Draft.Email));
        Assert.Equal([(Gold.Id, Stage.Identified), (Metals.Id, Stage.Contacted)], organisation.Entries.Select(e => (e.CovenantId, e.Stage)));
    }

    [Fact]
    public void Plan_WithARepeatedContactEmailForTheSameOrganisation_ReportsTheRowAsDuplicate()
    {
        var plan = Plan(
            Line(contactName: "Eva", contactEmail: "eva@devries.nl"),
            Line(contactName: "Eva", contactEmail: "EVA@devries.nl"));

        Assert.Equal([ImportRowStatus.Ok, ImportRowStatus.Duplicate], plan.Rows.Select(r => r.Status));
        Assert.Equal(2, plan.Rows[1].SameAsRow);
        Assert.Equal("Repeats row 2: the same organisation, covenant and contact.", plan.Rows[1].Reason!.ToString());
        Assert.Single(Assert.Single(plan.Organisations).Contacts);
    }

    [Fact]
    public void Plan_WithConflictingValuesForTheSameOrganisation_RejectsTheLaterRow()
    {
        var plan = Plan(
            Line(kvk: "12345678"),
            Line(sector: "mining", contactName: "Eva", contactEmail: "eva@devries.nl"),
            Line(stage: "contacted"),
            Line(organisation: "Someone Else", kvk: "12345678"));

        Assert.Equal([ImportRowStatus.Ok, ImportRowStatus.Invalid, ImportRowStatus.Invalid, ImportRowStatus.Invalid], plan.Rows.Select(r => r.Status));
        Assert.Equal("sector differs from row 2, which names the same organisation ('jewellery' there).", Assert.Single(plan.Rows[1].Errors).Message.ToString());
        Assert.Equal(["stage"], plan.Rows[2].Errors.Select(e => e.Field));
        Assert.Equal(["organisation"], plan.Rows[3].Errors.Select(e => e.Field));
        Assert.Empty(Assert.Single(plan.Organisations).Contacts);
    }

    [Fact]
    public void Plan_WithFormulaCells_KeepsThemAsTextVerbatim()
    {
        const string formula = "=HYPERLINK(\"http://evil.example\",\"click\")";
        var plan = Plan(Line(organisation: formula, sector: "+cmd", owner: "@SUM(1)", contactName: "-Eva", contactEmail: "eva@x.nl", contactRole: "=1+1"));

        var organisation = Assert.Single(plan.Organisations);
        Assert.Equal((formula, "+cmd", "@SUM(1)"), (organisation.Draft.Name, organisation.Draft.Sector, organisation.Draft.Owner));
        var contact = Assert.Single(organisation.Contacts).Draft;
        Assert.Equal(("-Eva", "=1+1"), (contact.Name, contact.Role));
    }

    [Fact]
    public void Plan_WithAnApostropheBeforeAFormula_ReadsItAsTheSpreadsheetTextMarker()
    {
        var plan = Plan(Line(organisation: "'=HYPERLINK(\"http://x\")"), Line(organisation: "'t Gouden Hoofd"));
        Assert.Equal(["=HYPERLINK(\"http://x\")", "'t Gouden Hoofd"], plan.Organisations.Select(o => o.Draft.Name));
    }

    [Fact]
    public void Plan_WithInvalidUtf8ReplacementCharacters_SaysTheFileIsNotUtf8()
    {
        var plan = Plan(Line(organisation: "Caf\uFFFD de Kroon", contactName: "Jos\uFFFD", contactEmail: "jose@kroon.nl"));

        var row = Assert.Single(plan.Rows);
        Assert.Equal(ImportRowStatus.Invalid, row.Status);
        Assert.Equal(["organisation", "contact_name"], row.Errors.Select(e => e.Field));
        Assert.All(row.Errors, e => Assert.Contains("not valid UTF-8", e.Message.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_WithControlCharactersOrOverlongValues_SaysWhichColumn()
    {
        var plan = Plan(
            Line(organisation: "Acme\u0000Corp"),
            Line(organisation: new string('x', Validation.MaxNameLength + 1)),
            Line(organisation: "Beta", partyKind: new string('y', 10_000) + "\u0007"));

        Assert.Equal("organisation contains characters that are not allowed.", Assert.Single(plan.Rows[0].Errors).Message.ToString());
        Assert.Equal("organisation is too long (at most 200 characters).", Assert.Single(plan.Rows[1].Errors).Message.ToString());
        var shown = Assert.Single(plan.Rows[2].Errors).Message.Args[0];
        Assert.True(shown.Length <= 41, "a hostile value is shortened in the message");
        Assert.Empty(plan.Organisations);
    }

    [Fact]
    public void Plan_WithExtraNonEmptyCells_RejectsTheRowAsShifted()
    {
        var plan = Plan([.. Line(organisation: "Acme"), "Inc"], [.. Line(organisation: "Beta"), "", " "], Line(organisation: "Gamma")[..9]);

        Assert.Equal([ImportRowStatus.Invalid, ImportRowStatus.Ok, ImportRowStatus.Ok], plan.Rows.Select(r => r.Status));
        Assert.Contains("18 cells but the header has 17", plan.Rows[0].Errors[0].Message.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ReadsLawfulBasisAndSource_AndRefusesAnErasedPersonsAddress()
    {
        var suppressed = new HashSet<string> { Suppression.Hash("erased@example.nl") };
        var plan = ImportPlanner.Plan(ImportColumns.All,
            [
                new ImportRow(2, Line(organisation: "Acme", contactName: "Eva", contactEmail: "eva@acme.nl", lawfulBasis: "consent", source: "Fair 2026")),
                new ImportRow(3, Line(organisation: "Beta", contactName: "Piet", contactEmail: "piet@beta.nl")),
                new ImportRow(4, Line(organisation: "Gamma", contactName: "Erased", contactEmail: " ERASED@example.nl")),
                new ImportRow(5, Line(organisation: "Delta", contactName: "Kim", contactEmail: "kim@delta.nl", lawfulBasis: "because")),
            ],
            [], [Gold], suppressed);

        Assert.Equal([ImportRowStatus.Ok, ImportRowStatus.Ok, ImportRowStatus.Invalid, ImportRowStatus.Invalid], plan.Rows.Select(r => r.Status));
        var eva = plan.Organisations[0].Contacts[0].Draft;
        Assert.Equal((LawfulBasis.Consent, "Fair 2026"), (eva.LawfulBasis, eva.Source));
        var piet = plan.Organisations[1].Contacts[0].Draft;
        Assert.Equal((LawfulBasis.LegitimateInterest, (string?)null), (piet.LawfulBasis, piet.Source));
        Assert.Equal(ImportColumns.ContactEmail, Assert.Single(plan.Rows[2].Errors).Field);
        Assert.Equal(Suppression.Message, plan.Rows[2].Errors[0].Message.ToString());
        Assert.Contains("Unknown lawful basis 'because'", plan.Rows[3].Errors[0].Message.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_WithAReaderProblemOnARow_ReportsItAsInvalid()
    {
        var rows = new[] { new ImportRow(2, Line(), new Common.DomainMessage("Bad quoting.")) };
        var plan = ImportPlanner.Plan(ImportColumns.All, rows, [], [Gold]);
        Assert.Equal("Bad quoting.", Assert.Single(Assert.Single(plan.Rows).Errors).Message.ToString());
    }
}
