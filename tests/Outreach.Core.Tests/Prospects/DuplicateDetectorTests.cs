using Outreach.Core.Prospects;

namespace Outreach.Core.Tests.Prospects;

public sealed class DuplicateDetectorTests
{
    private static OrganisationKeys Existing(long id, string name, string? kvk = null, string? domain = null) =>
        new(id, name, Normalise.OrganisationName(name), kvk, domain);

    private static OrganisationDraft Draft(string name, string? kvk = null, string? website = null) =>
        new() { Name = name, Sector = "Gold", Owner = "anna", KvkNumber = kvk, Website = website };

    [Fact]
    public void Find_SameKvkNumber_WarnsOnceNamingTheOtherOrganisation()
    {
        var warnings = DuplicateDetector.Find(Draft("Totally Different", kvk: "12.34.56.78"), [Existing(5, "Edelsmid Jansen", kvk: "12345678")]);

        var warning = Assert.Single(warnings);
        Assert.Equal((5L, "Edelsmid Jansen"), (warning.OrganisationId, warning.OrganisationName));
        Assert.Equal("Same KvK number (12345678) as 'Edelsmid Jansen'.", warning.Why.ToString());
    }

    [Fact]
    public void Find_SameWebDomain_WarnsOnceNamingTheOtherOrganisation()
    {
        var warnings = DuplicateDetector.Find(Draft("Totally Different", website: "https://www.Jansen.nl/contact"), [Existing(6, "Edelsmid Jansen", domain: "jansen.nl")]);

        var warning = Assert.Single(warnings);
        Assert.Equal(6, warning.OrganisationId);
        Assert.Equal("Same web domain (jansen.nl) as 'Edelsmid Jansen'.", warning.Why.ToString());
    }

    [Fact]
    public void Find_SameNormalisedName_WarnsOnceNamingTheOtherOrganisation()
    {
        var warnings = DuplicateDetector.Find(Draft("GOUDSMEDERIJ DE VRIES"), [Existing(7, "Goudsmederij De Vries B.V.")]);

        var warning = Assert.Single(warnings);
        Assert.Equal(7, warning.OrganisationId);
        Assert.Equal("Same name as 'Goudsmederij De Vries B.V.' (ignoring case, punctuation and legal form).", warning.Why.ToString());
    }

    [Fact]
    public void Find_MatchingOnEverySignal_StillGivesOneWarning_TheKvkOne()
    {
        var warnings = DuplicateDetector.Find(
            Draft("De Vries BV", kvk: "12345678", website: "devries.nl"),
            [Existing(8, "De Vries", kvk: "12345678", domain: "devries.nl")]);

        Assert.StartsWith("Same KvK number", Assert.Single(warnings).Why.Template, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_SeveralMatchingOrganisations_WarnsForEachInTheGivenOrder()
    {
        var warnings = DuplicateDetector.Find(
            Draft("De Vries", kvk: "12345678", website: "devries.nl"),
            [Existing(1, "A", kvk: "12345678"), Existing(2, "Unrelated"), Existing(3, "B", domain: "devries.nl"), Existing(4, "de vries b.v.")]);

        Assert.Equal([1L, 3L, 4L], warnings.Select(w => w.OrganisationId));
    }

    [Fact]
    public void Find_IgnoresTheOrganisationBeingEdited()
    {
        var existing = new[] { Existing(9, "De Vries", kvk: "12345678"), Existing(10, "De Vries B.V.") };

        var warnings = DuplicateDetector.Find(Draft("De Vries", kvk: "12345678"), existing, ignoreId: 9);

        Assert.Equal(10, Assert.Single(warnings).OrganisationId);
    }

    [Fact]
    public void Find_DifferentNamesWithoutKvkOrDomain_AreNotDuplicates()
    {
        var existing = new[] { Existing(1, "Goudsmederij De Vriezen"), Existing(2, "Zilversmederij De Vries"), Existing(3, "De Vries Goud") };

        Assert.Empty(DuplicateDetector.Find(Draft("Goudsmederij De Vries"), existing));
    }

    [Fact]
    public void Find_MissingKvkAndDomainOnBothSides_DoNotMatchEachOther()
    {
        var existing = new[] { Existing(1, "Other Company", kvk: null, domain: null) };

        Assert.Empty(DuplicateDetector.Find(Draft("Goudsmederij De Vries", kvk: null, website: null), existing));
        Assert.Empty(DuplicateDetector.Find(Draft("Goudsmederij De Vries", kvk: "", website: " "), existing));
    }

    [Fact]
    public void Find_BlankName_DoesNotMatchAnotherBlankNormalisedName()
    {
        var existing = new[] { new OrganisationKeys(1, "...", "", null, null) };

        Assert.Empty(DuplicateDetector.Find(Draft("  "), existing));
    }

    [Fact]
    public void Find_DifferentKvkButSameName_StillWarnsAboutTheName()
    {
        var warnings = DuplicateDetector.Find(Draft("De Vries", kvk: "11111111"), [Existing(1, "De Vries B.V.", kvk: "22222222")]);

        Assert.StartsWith("Same name as", Assert.Single(warnings).Why.Template, StringComparison.Ordinal);
    }
}
