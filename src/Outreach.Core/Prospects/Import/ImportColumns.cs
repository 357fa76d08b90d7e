namespace Outreach.Core.Prospects.Import;

/// <summary>The columns of the organisations-and-contacts CSV (import and export share them, so an export re-imports).</summary>
public static class ImportColumns
{
    public const string Organisation = "organisation";
    public const string PartyKind = "party_kind";
    public const string Sector = "sector";
    public const string Country = "country";
    public const string KvkNumber = "kvk_number";
    public const string Website = "website";
    public const string Owner = "owner";
    public const string Covenant = "covenant";
    public const string Stage = "stage";
    public const string ContactName = "contact_name";
    public const string ContactEmail = "contact_email";
    public const string ContactLanguage = "contact_language";
    public const string ContactRole = "contact_role";
    public const string ContactLawfulBasis = "contact_lawful_basis";
    public const string ContactSource = "contact_source";
    /// <summary>Optional: the day of the first contact (yyyy-mm-dd or dd-mm-yyyy), for a prospect imported past 'identified'.</summary>
    public const string FirstContactOn = "first_contact_on";
    /// <summary>Optional: the day the prospect reached its current stage (yyyy-mm-dd or dd-mm-yyyy).</summary>
    public const string StageOn = "stage_on";

    /// <summary>Every known column, in the order the export writes them.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        Organisation, PartyKind, Sector, Country, KvkNumber, Website, Owner, Covenant, Stage,
        ContactName, ContactEmail, ContactLanguage, ContactRole, ContactLawfulBasis, ContactSource, FirstContactOn, StageOn,
    ];

    /// <summary>Columns the header must have (their cells may still be empty, which the row check reports).</summary>
    public static readonly IReadOnlyList<string> Required = [Organisation, PartyKind, Sector, Owner, Covenant];

    /// <summary>
    /// " Contact Email", "contact-email" and "CONTACT_EMAIL" all become "contact_email": people retype headers in spreadsheets.
    /// </summary>
    public static string NormaliseHeader(string? name) =>
        (name ?? "").Trim().TrimStart('\uFEFF').Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
}
