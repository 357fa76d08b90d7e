using Outreach.Core.Prospects;

namespace Outreach.Core.Tests.Prospects;

public sealed class NormaliseTests
{
    [Theory]
    [InlineData("Goudsmederij De Vries B.V.")]
    [InlineData("goudsmederij de vries bv")]
    [InlineData("GOUDSMEDERIJ DE VRIES")]
    [InlineData("  Goudsmederij   De Vries, B.V.  ")]
    [InlineData("Goudsmederij De Vries BV.")]
    [InlineData("Goudsmederij de Vries b.v")]
    public void OrganisationName_IgnoresCasePunctuationAndLegalForm(string name) =>
        Assert.Equal("goudsmederij de vries", Normalise.OrganisationName(name));

    [Theory]
    [InlineData("Zilverwerk Müller GmbH", "Zilverwerk Muller")]
    [InlineData("Édition Château S.A.", "edition chateau")]
    [InlineData("Ångström Metals AB", "Angstrom Metals")]
    [InlineData("Juwelier Ğül", "juwelier gul")]
    public void OrganisationName_IgnoresDiacritics(string a, string b) =>
        Assert.Equal(Normalise.OrganisationName(b), Normalise.OrganisationName(a));

    [Theory]
    [InlineData("Jansen & Zonen", "Jansen en Zonen")]
    [InlineData("Jansen&Zonen", "Jansen en Zonen")]
    [InlineData("Smith and Sons Ltd", "Smith & Sons")]
    [InlineData("Smith AND Sons", "smith en sons")]
    public void OrganisationName_TreatsAmpersandAndAndEnAlike(string a, string b) =>
        Assert.Equal(Normalise.OrganisationName(b), Normalise.OrganisationName(a));

    [Theory]
    [InlineData("Acme Ltd", "acme")]
    [InlineData("Acme Ltd.", "acme")]
    [InlineData("Acme Limited", "acme")]
    [InlineData("Acme N.V.", "acme")]
    [InlineData("Acme NV", "acme")]
    [InlineData("Acme GmbH", "acme")]
    [InlineData("Acme Holding B.V.", "acme")]
    [InlineData("Acme Inc.", "acme")]
    [InlineData("Acme V.O.F.", "acme")]
    [InlineData("Stichting Goud voor Iedereen", "goud voor iedereen")]
    [InlineData("Vereniging Edelmetaal", "edelmetaal")]
    public void OrganisationName_DropsLegalFormSuffixesAndLeadingFoundationWords(string name, string expected) =>
        Assert.Equal(expected, Normalise.OrganisationName(name));

    [Theory]
    [InlineData("B.V.", "bv")]
    [InlineData("GmbH", "gmbh")]
    [InlineData("Stichting", "stichting")]
    [InlineData("Holding B.V.", "holding")]
    [InlineData("Stichting B.V.", "stichting")]
    public void OrganisationName_ThatIsOnlyALegalForm_IsNotEmptied(string name, string expected) =>
        Assert.Equal(expected, Normalise.OrganisationName(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void OrganisationName_OfNothing_IsEmpty(string? name) => Assert.Equal("", Normalise.OrganisationName(name));

    [Theory]
    [InlineData("Goudsmederij De Vries", "Goudsmederij De Vriezen")]
    [InlineData("Goud BV", "Zilver BV")]
    [InlineData("Edelmetaal Amsterdam", "Edelmetaal Rotterdam")]
    [InlineData("AB Metals", "Metals")]
    public void OrganisationName_KeepsDifferentNamesDifferent(string a, string b) =>
        Assert.NotEqual(Normalise.OrganisationName(a), Normalise.OrganisationName(b));

    [Theory]
    [InlineData("Goudsmederij De Vries B.V.")]
    [InlineData("Zilverwerk Müller GmbH")]
    [InlineData("Smith & Sons Ltd.")]
    [InlineData("Stichting Stichting B.V.")]
    [InlineData("'t Gouden Huis v.o.f.")]
    [InlineData("İstanbul Altın A.Ş.")]
    public void OrganisationName_IsIdempotent(string name)
    {
        var once = Normalise.OrganisationName(name);

        Assert.Equal(once, Normalise.OrganisationName(once));
    }

    [Theory]
    [InlineData("https://www.Example.NL/over-ons", "example.nl")]
    [InlineData("example.nl", "example.nl")]
    [InlineData("EXAMPLE.NL", "example.nl")]
    [InlineData("www.example.nl", "example.nl")]
    [InlineData("http://example.nl:8080/path?x=1#top", "example.nl")]
    [InlineData("example.nl:443", "example.nl")]
    [InlineData("  https://shop.example.co.uk/  ", "shop.example.co.uk")]
    [InlineData("https://www.example.nl.", "example.nl")]
    [InlineData("HTTPS://WWW.GOUD.NL", "goud.nl")]
    [InlineData("https://zilverwerk-müller.de", "xn--zilverwerk-mller-uzb.de")]
    public void WebsiteDomain_KeepsOnlyTheLowerCaseHostWithoutWww(string website, string expected) =>
        Assert.Equal(expected, Normalise.WebsiteDomain(website));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("localhost")]
    [InlineData("not a website")]
    [InlineData("http://")]
    [InlineData("https://")]
    [InlineData("www.")]
    [InlineData("javascript:alert(1)")]
    [InlineData("<script>alert(1)</script>")]
    public void WebsiteDomain_OfGarbage_IsNull(string? website) => Assert.Null(Normalise.WebsiteDomain(website));

    [Theory]
    [InlineData("12345678", "12345678")]
    [InlineData("12.34.56.78", "12345678")]
    [InlineData(" 1234 5678 ", "12345678")]
    [InlineData("01234567", "01234567")]
    [InlineData("KvK 12345678", "12345678")]
    [InlineData("abc", "abc")]
    [InlineData("1234a5678", "1234a5678")]
    public void KvkNumber_KeepsDigitsOnly_OrTheTrimmedTextWhenThereAreNone(string kvk, string expected) =>
        Assert.Equal(expected, Normalise.KvkNumber(kvk));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void KvkNumber_OfNothing_IsNull(string? kvk) => Assert.Null(Normalise.KvkNumber(kvk));

    [Theory]
    [InlineData(" Jan@Example.NL ", "jan@example.nl")]
    [InlineData(null, "")]
    public void Email_IsTrimmedAndLowerCase(string? email, string expected) => Assert.Equal(expected, Normalise.Email(email));
}
