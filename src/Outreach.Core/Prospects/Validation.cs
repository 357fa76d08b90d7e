using System.Net.Mail;
using Outreach.Core.Common;

namespace Outreach.Core.Prospects;

/// <summary>Input rules for organisations and contacts; every form, the API and the CSV import use these.</summary>
public static class Validation
{
    public const int MaxNameLength = 200;
    public const int MaxSectorLength = 100;
    public const int MaxOwnerLength = 100;
    public const int MaxEmailLength = 254;
    public const int MaxRoleLength = 100;
    public const int MaxWebsiteLength = 300;
    public const int MaxSourceLength = 200;

    public static IReadOnlyList<FieldError> Check(OrganisationDraft draft)
    {
        var errors = new List<FieldError>();
        Text(errors, "Name", draft.Name, MaxNameLength, required: true);
        Text(errors, "Sector", draft.Sector, MaxSectorLength, required: true);
        Text(errors, "Owner", draft.Owner, MaxOwnerLength, required: true);
        if (!Enum.IsDefined(draft.PartyKind))
            errors.Add(new FieldError("PartyKind", "Choose a party kind."));
        if (draft.Country?.Trim() is not { Length: 2 } country || !country.All(char.IsAsciiLetter))
            errors.Add(new FieldError("Country", "Country must be a two-letter ISO code such as NL."));
        var kvk = Normalise.KvkNumber(draft.KvkNumber);
        if (kvk is not null && (kvk.Length != 8 || !kvk.All(char.IsAsciiDigit)))
            errors.Add(new FieldError("KvkNumber", "A KvK number has 8 digits."));
        if (!string.IsNullOrWhiteSpace(draft.Website))
        {
            if (draft.Website.Length > MaxWebsiteLength)
                errors.Add(new FieldError("Website", "Website is too long (at most {0} characters).", MaxWebsiteLength.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            else if (Normalise.WebsiteDomain(draft.Website) is null)
                errors.Add(new FieldError("Website", "Website must be a domain such as example.nl."));
        }

        return errors;
    }

    public static IReadOnlyList<FieldError> Check(ContactDraft draft)
    {
        var errors = new List<FieldError>();
        Text(errors, "Name", draft.Name, MaxNameLength, required: true);
        Text(errors, "Role", draft.Role, MaxRoleLength, required: false);
        Text(errors, "Source", draft.Source, MaxSourceLength, required: false);
        if (!Enum.IsDefined(draft.LawfulBasis))
            errors.Add(new FieldError("LawfulBasis", "Choose the lawful basis: legitimate interest or consent."));
        if (!Enum.IsDefined(draft.Language))
            errors.Add(new FieldError("Language", "Language must be nl or en."));
        var email = Normalise.Email(draft.Email);
        if (email.Length == 0)
            errors.Add(new FieldError("Email", "Email is required."));
        else if (email.Length > MaxEmailLength || !IsEmail(email))
            errors.Add(new FieldError("Email", "Email is not a valid address."));
        return errors;
    }

    /// <summary>Normalises a valid draft into what is stored.</summary>
    public static OrganisationDraft Clean(OrganisationDraft draft) => draft with
    {
        Name = draft.Name.Trim(),
        Sector = draft.Sector.Trim(),
        Owner = draft.Owner.Trim(),
        Country = draft.Country.Trim().ToUpperInvariant(),
        KvkNumber = Normalise.KvkNumber(draft.KvkNumber),
        Website = Normalise.WebsiteDomain(draft.Website),
    };

    public static ContactDraft Clean(ContactDraft draft) => draft with
    {
        Name = draft.Name.Trim(),
        Email = Normalise.Email(draft.Email),
        Role = string.IsNullOrWhiteSpace(draft.Role) ? null : draft.Role.Trim(),
        Source = string.IsNullOrWhiteSpace(draft.Source) ? null : draft.Source.Trim(),
    };

    // The dot must be in the domain ("jan.jansen@localhost" is not an address we can mail); MailAddress lets U+FFFD through.
    private static bool IsEmail(string email) =>
        MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && parsed.Host.Contains('.', StringComparison.Ordinal)
        && !email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '\uFFFD');

    /// <summary>Half a surrogate pair is not text: it cannot be stored as UTF-8 and breaks normalisation (it can arrive as a JSON "\\ud800" escape).</summary>
    /// <summary>
    /// The rules for any free text a person types (names, reasons, next actions): within <paramref name="max"/> characters,
    /// and no control characters (except tab, and line breaks where <paramref name="multiline"/>), replacement characters
    /// from broken UTF-8, or half surrogate pairs, none of which can be stored or shown faithfully.
    /// </summary>
    public static IReadOnlyList<FieldError> CheckText(string field, string? value, int max, bool required, bool multiline = false)
    {
        var errors = new List<FieldError>();
        Text(errors, field, value, max, required, multiline);
        return errors;
    }

    /// <summary>True when the text holds characters that cannot be stored or shown faithfully (see <see cref="CheckText"/>).</summary>
    public static bool HasForbiddenCharacters(string value, bool multiline = false) =>
        value.Any(c => char.IsControl(c) && c is not '\t' && !(multiline && c is '\n' or '\r'))
        || value.Contains('\uFFFD', StringComparison.Ordinal) || HasLoneSurrogate(value);

    private static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) return true;
        }

        return false;
    }

    private static void Text(List<FieldError> errors, string field, string? value, int max, bool required, bool multiline = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) errors.Add(new FieldError(field, "{0} is required.", field));
            return;
        }

        if (value.Trim().Length > max)
            errors.Add(new FieldError(field, "{0} is too long (at most {1} characters).", field, max.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (HasForbiddenCharacters(value, multiline))
            errors.Add(new FieldError(field, "{0} contains characters that are not allowed.", field));
    }
}
