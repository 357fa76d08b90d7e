using Outreach.Core.Prospects;

namespace Outreach.Core.Tests.Prospects;

public sealed class PartyKindsAndLanguagesTests
{
    [Theory]
    [InlineData("company", PartyKind.Company)]
    [InlineData("branch_organisation", PartyKind.BranchOrganisation)]
    [InlineData("ngo", PartyKind.Ngo)]
    [InlineData("trade_union", PartyKind.TradeUnion)]
    [InlineData("government", PartyKind.Government)]
    [InlineData("knowledge_institute", PartyKind.KnowledgeInstitute)]
    public void PartyKind_ParsesTheStoredCode(string code, PartyKind expected)
    {
        Assert.Equal(expected, PartyKinds.Parse(code));
        Assert.Equal(code, expected.Code());
    }

    [Theory]
    [InlineData("NGO", PartyKind.Ngo)]
    [InlineData("branch organisation", PartyKind.BranchOrganisation)]
    [InlineData("Trade Union", PartyKind.TradeUnion)]
    [InlineData("knowledge-institute", PartyKind.KnowledgeInstitute)]
    [InlineData("BranchOrganisation", PartyKind.BranchOrganisation)]
    [InlineData("KnowledgeInstitute", PartyKind.KnowledgeInstitute)]
    [InlineData(" Company ", PartyKind.Company)]
    public void PartyKind_ParsesLabelsAndPascalCaseNames(string value, PartyKind expected) =>
        Assert.Equal(expected, PartyKinds.Parse(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("charity")]
    [InlineData("company ltd")]
    [InlineData("branch")]
    public void PartyKind_RefusesUnknownValues(string? value)
    {
        Assert.False(PartyKinds.TryParse(value, out _));
        Assert.Throws<FormatException>(() => PartyKinds.Parse(value!));
    }

    [Fact]
    public void PartyKind_CodeLabelAndName_RoundTripForEveryKind() =>
        Assert.All(PartyKinds.All, kind =>
        {
            Assert.Equal(kind, PartyKinds.Parse(kind.Code()));
            Assert.Equal(kind, PartyKinds.Parse(kind.Label()));
            Assert.Equal(kind, PartyKinds.Parse(kind.ToString()));
        });

    [Fact]
    public void PartyKind_AllHoldsEveryKind_AndLabelsAreReadable()
    {
        Assert.Equal(Enum.GetValues<PartyKind>(), PartyKinds.All);
        Assert.Equal("NGO", PartyKind.Ngo.Label());
        Assert.Equal("trade union", PartyKind.TradeUnion.Label());
    }

    [Theory]
    [InlineData("nl", ContactLanguage.Nl)]
    [InlineData("NL", ContactLanguage.Nl)]
    [InlineData(" nl-NL ", ContactLanguage.Nl)]
    [InlineData("Dutch", ContactLanguage.Nl)]
    [InlineData("Nederlands", ContactLanguage.Nl)]
    [InlineData("Nl", ContactLanguage.Nl)]
    [InlineData("en", ContactLanguage.En)]
    [InlineData("en-GB", ContactLanguage.En)]
    [InlineData("en-us", ContactLanguage.En)]
    [InlineData("English", ContactLanguage.En)]
    [InlineData("Engels", ContactLanguage.En)]
    [InlineData("En", ContactLanguage.En)]
    public void ContactLanguage_ParsesCodesNamesAndCultures(string value, ContactLanguage expected) =>
        Assert.Equal(expected, ContactLanguages.Parse(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("de")]
    [InlineData("fr")]
    [InlineData("0")]
    [InlineData("nld")]
    [InlineData("en_GB")]
    public void ContactLanguage_RefusesUnknownValues(string? value)
    {
        Assert.False(ContactLanguages.TryParse(value, out _));
        Assert.Throws<FormatException>(() => ContactLanguages.Parse(value!));
    }

    [Fact]
    public void ContactLanguage_CodeRoundTrips() =>
        Assert.All(Enum.GetValues<ContactLanguage>(), language => Assert.Equal(language, ContactLanguages.Parse(language.Code())));

    [Fact]
    public void ContactLanguage_Codes_AreNlAndEn() =>
        Assert.Equal(["nl", "en"], Enum.GetValues<ContactLanguage>().Select(l => l.Code()));
}
