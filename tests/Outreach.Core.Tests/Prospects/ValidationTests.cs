using Outreach.Core.Common;
using Outreach.Core.Prospects;

namespace Outreach.Core.Tests.Prospects;

public sealed class ValidationTests
{
    private static readonly OrganisationDraft ValidOrganisation = new()
    {
        Name = "Goudsmederij De Vries B.V.",
        PartyKind = PartyKind.Company,
        Sector = "Gold",
        Country = "NL",
        KvkNumber = "12345678",
        Website = "https://www.devries.nl",
        Owner = "anna",
    };

    private static readonly ContactDraft ValidContact = new()
    {
        Name = "Jan de Vries",
        Email = "jan@devries.nl",
        Language = ContactLanguage.Nl,
        Role = "Director",
    };

    private static IEnumerable<string> Fields(IReadOnlyList<FieldError> errors) => errors.Select(e => e.Field);

    [Fact]
    public void Check_ValidOrganisation_HasNoErrors() => Assert.Empty(Validation.Check(ValidOrganisation));

    [Fact]
    public void Check_MinimalOrganisation_WithoutKvkOrWebsite_HasNoErrors() =>
        Assert.Empty(Validation.Check(ValidOrganisation with { KvkNumber = null, Website = "  " }));

    [Fact]
    public void Check_EmptyOrganisation_NamesEveryRequiredField()
    {
        var errors = Validation.Check(new OrganisationDraft { Name = " ", Sector = "", Owner = "\t" });

        Assert.Equal(["Name", "Sector", "Owner"], Fields(errors));
        Assert.Equal("Name is required.", errors[0].Message.ToString());
    }

    [Theory]
    [InlineData("Name", Validation.MaxNameLength)]
    [InlineData("Sector", Validation.MaxSectorLength)]
    [InlineData("Owner", Validation.MaxOwnerLength)]
    public void Check_TextAtTheLimit_IsAccepted_AndOneMoreIsTooLong(string field, int max)
    {
        Assert.Empty(Validation.Check(With(field, new string('x', max))));

        var error = Assert.Single(Validation.Check(With(field, new string('x', max + 1))));
        Assert.Equal(field, error.Field);
        Assert.Equal($"{field} is too long (at most {max} characters).", error.Message.ToString());
    }

    [Theory]
    [InlineData("<script>alert('x')</script>")]
    [InlineData("Robert'); DROP TABLE organisation;--")]
    [InlineData("{0} {1} {{")]
    [InlineData("Zilverwerk Müller & Søn — 金")]
    [InlineData("Name\twith tab")]
    public void Check_HostileLookingButPrintableText_IsAcceptedAsText(string name) =>
        Assert.Empty(Validation.Check(ValidOrganisation with { Name = name }));

    [Theory]
    [InlineData("Bad\0Name")]
    [InlineData("Line\nbreak")]
    [InlineData("Carriage\rreturn")]
    [InlineData("Escape\u001b[31m")]
    [InlineData("Delete\u007f")]
    [InlineData("Next line\u0085")]
    [InlineData("Mojibake \uFFFD")]
    public void Check_ControlCharactersAndReplacementCharacter_AreRefused(string name)
    {
        var error = Assert.Single(Validation.Check(ValidOrganisation with { Name = name }));

        Assert.Equal("Name", error.Field);
        Assert.Equal("Name contains characters that are not allowed.", error.Message.ToString());
    }

    [Theory]
    [InlineData("NL")]
    [InlineData("nl")]
    [InlineData("DE")]
    [InlineData("be")]
    public void Check_TwoLetterCountry_IsAccepted(string country) =>
        Assert.Empty(Validation.Check(ValidOrganisation with { Country = country }));

    [Theory]
    [InlineData("")]
    [InlineData("N")]
    [InlineData("NLD")]
    [InlineData("Netherlands")]
    [InlineData("N1")]
    [InlineData("Ñl")]
    [InlineData(null)]
    public void Check_OtherCountry_IsRefused(string? country) =>
        Assert.Equal(["Country"], Fields(Validation.Check(ValidOrganisation with { Country = country! })));

    [Theory]
    [InlineData("12345678")]
    [InlineData("12.34.56.78")]
    [InlineData("1234 5678")]
    [InlineData("01234567")]
    [InlineData("")]
    [InlineData(null)]
    public void Check_KvkOfEightDigitsOrNone_IsAccepted(string? kvk) =>
        Assert.Empty(Validation.Check(ValidOrganisation with { KvkNumber = kvk }));

    [Theory]
    [InlineData("1234567")]
    [InlineData("123456789")]
    [InlineData("abcdefgh")]
    [InlineData("-")]
    public void Check_KvkNotOfEightDigits_IsRefused(string kvk)
    {
        var error = Assert.Single(Validation.Check(ValidOrganisation with { KvkNumber = kvk }));

        Assert.Equal(("KvkNumber", "A KvK number has 8 digits."), (error.Field, error.Message.ToString()));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("not a website")]
    [InlineData("http://")]
    public void Check_WebsiteWithoutADomain_IsRefused(string website) =>
        Assert.Equal("Website must be a domain such as example.nl.", Assert.Single(Validation.Check(ValidOrganisation with { Website = website })).Message.ToString());

    [Fact]
    public void Check_WebsiteTooLong_IsRefused()
    {
        var website = "https://example.nl/" + new string('p', Validation.MaxWebsiteLength);

        var error = Assert.Single(Validation.Check(ValidOrganisation with { Website = website }));

        Assert.Equal("Website is too long (at most 300 characters).", error.Message.ToString());
    }

    [Fact]
    public void Check_UndefinedPartyKind_IsRefused() =>
        Assert.Equal(["PartyKind"], Fields(Validation.Check(ValidOrganisation with { PartyKind = (PartyKind)42 })));

    [Fact]
    public void Clean_TrimsAndNormalisesWhatIsStored()
    {
        var draft = ValidOrganisation with
        {
            Name = "  De Vries B.V. ",
            Sector = " Gold\t",
            Owner = " anna ",
            Country = " nl ",
            KvkNumber = "12.34.56.78",
            Website = "HTTPS://WWW.DeVries.NL/over-ons",
        };

        var clean = Validation.Clean(draft);

        Assert.Equal(
            ValidOrganisation with { Name = "De Vries B.V.", Sector = "Gold", Owner = "anna", Country = "NL", KvkNumber = "12345678", Website = "devries.nl" },
            clean);
        Assert.Empty(Validation.Check(clean));
    }

    [Fact]
    public void Clean_WithoutKvkOrWebsite_StoresNulls()
    {
        var clean = Validation.Clean(ValidOrganisation with { KvkNumber = " ", Website = "" });

        Assert.Null(clean.KvkNumber);
        Assert.Null(clean.Website);
    }

    [Fact]
    public void Check_ValidContact_HasNoErrors() => Assert.Empty(Validation.Check(ValidContact));

    [Fact]
    public void Check_ContactWithoutNameOrEmail_NamesBothFields()
    {
        var errors = Validation.Check(new ContactDraft { Name = "  ", Email = "  " });

        Assert.Equal(["Name", "Email"], Fields(errors));
        Assert.Equal("Email is required.", errors[1].Message.ToString());
    }

    [Theory]
    [InlineData("jan@devries.nl")]
    [InlineData(" Jan.de.Vries@DeVries.NL ")]
    [InlineData("jan+outreach@mail.devries.co.uk")]
    [InlineData("o'brien@example.ie")]
    public void Check_ValidEmail_IsAccepted(string email) =>
        Assert.Empty(Validation.Check(ValidContact with { Email = email }));

    [Theory]
    [InlineData("jan")]
    [InlineData("jan@")]
    [InlineData("@devries.nl")]
    [InlineData("jan@devries")]
    [InlineData("jan.de.vries@localhost")]
    [InlineData("jan@@devries.nl")]
    [InlineData("jan@dev@ries.nl")]
    [InlineData("jan de vries@devries.nl")]
    [InlineData("jan@dev ries.nl")]
    [InlineData("Jan <jan@devries.nl>")]
    [InlineData("\"Jan\" jan@devries.nl")]
    [InlineData("jan@devries.nl, piet@devries.nl")]
    [InlineData("jan@devries.nl\r\nBcc: everyone@example.nl")]
    [InlineData("jan\0@devries.nl")]
    [InlineData("j\uFFFDn@devries.nl")]
    [InlineData("<script>@devries.nl")]
    public void Check_InvalidEmail_IsRefused(string email)
    {
        var error = Assert.Single(Validation.Check(ValidContact with { Email = email }));

        Assert.Equal(("Email", "Email is not a valid address."), (error.Field, error.Message.ToString()));
    }

    [Fact]
    public void Check_EmailOverTheLimit_IsRefused_AndAtTheLimitIsAccepted()
    {
        // 64 + 1 + 63 + 1 + 63 + 1 + 58 + 3 = 254 characters, with labels inside their own limits.
        var atLimit = new string('a', 64) + "@" + new string('d', 63) + "." + new string('e', 63) + "." + new string('f', 58) + ".nl";
        var tooLong = new string('a', 64) + "@" + new string('d', 63) + "." + new string('e', 63) + "." + new string('f', 59) + ".nl";

        Assert.Equal(Validation.MaxEmailLength, atLimit.Length);
        Assert.Empty(Validation.Check(ValidContact with { Email = atLimit }));
        Assert.Equal(["Email"], Fields(Validation.Check(ValidContact with { Email = tooLong })));
    }

    [Theory]
    [InlineData("Bad\nName")]
    [InlineData("Bad\uFFFDName")]
    public void Check_ContactNameWithControlOrReplacementCharacter_IsRefused(string name) =>
        Assert.Equal(["Name"], Fields(Validation.Check(ValidContact with { Name = name })));

    [Fact]
    public void Check_ContactRole_IsOptionalButLimited()
    {
        Assert.Empty(Validation.Check(ValidContact with { Role = null }));
        Assert.Empty(Validation.Check(ValidContact with { Role = "  " }));
        Assert.Equal(["Role"], Fields(Validation.Check(ValidContact with { Role = new string('r', Validation.MaxRoleLength + 1) })));
        Assert.Equal(["Role"], Fields(Validation.Check(ValidContact with { Role = "Head\u0007of sales" })));
    }

    [Fact]
    public void Check_UndefinedLanguage_IsRefused() =>
        Assert.Equal(["Language"], Fields(Validation.Check(ValidContact with { Language = (ContactLanguage)7 })));

    [Fact]
    public void Clean_Contact_TrimsLowersTheEmailAndDropsABlankRole()
    {
        var clean = Validation.Clean(new ContactDraft { Name = " Jan ", Email = " Jan@DeVries.NL ", Language = ContactLanguage.En, Role = "   " });

        Assert.Equal(new ContactDraft { Name = "Jan", Email = "jan@devries.nl", Language = ContactLanguage.En, Role = null }, clean);
        Assert.Equal("Director", Validation.Clean(ValidContact with { Role = " Director " }).Role);
    }

    private static OrganisationDraft With(string field, string value) => field switch
    {
        "Name" => ValidOrganisation with { Name = value },
        "Sector" => ValidOrganisation with { Sector = value },
        "Owner" => ValidOrganisation with { Owner = value },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };
}
