using Outreach.Core.Common;

namespace Outreach.Core.Prospects;

/// <summary>A sector covenant (e.g. responsible gold) with its fixed term.</summary>
public sealed record Covenant(long Id, string Code, string Name, DateOnly StartsOn, DateOnly EndsOn);

public enum PartyKind
{
    Company,
    BranchOrganisation,
    Ngo,
    TradeUnion,
    Government,
    KnowledgeInstitute,
}

public enum ContactLanguage
{
    Nl,
    En,
}

/// <summary>Why the secretariat may hold and use a contact's data (AVG/GDPR article 6).</summary>
public enum LawfulBasis
{
    LegitimateInterest,
    Consent,
}

public static class LawfulBases
{
    public static readonly IReadOnlyList<LawfulBasis> All = Enum.GetValues<LawfulBasis>();

    public static string Code(this LawfulBasis basis) => basis == LawfulBasis.Consent ? "consent" : "legitimate_interest";

    public static string Label(this LawfulBasis basis) => basis.Code().Replace('_', ' ');

    public static bool TryParse(string? value, out LawfulBasis basis) => Codes.TryParse(value, All, Code, out basis);
}

public static class PartyKinds
{
    public static readonly IReadOnlyList<PartyKind> All = Enum.GetValues<PartyKind>();

    public static string Code(this PartyKind kind) => kind switch
    {
        PartyKind.Company => "company",
        PartyKind.BranchOrganisation => "branch_organisation",
        PartyKind.Ngo => "ngo",
        PartyKind.TradeUnion => "trade_union",
        PartyKind.Government => "government",
        PartyKind.KnowledgeInstitute => "knowledge_institute",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string Label(this PartyKind kind) => kind switch
    {
        PartyKind.Ngo => "NGO",
        _ => kind.Code().Replace('_', ' '),
    };

    public static bool TryParse(string? value, out PartyKind kind) => Codes.TryParse(value, All, Code, out kind);

    public static PartyKind Parse(string value) =>
        TryParse(value, out var kind) ? kind : throw new FormatException($"Unknown party kind '{value}'.");
}

public static class ContactLanguages
{
    public static string Code(this ContactLanguage language) => language == ContactLanguage.Nl ? "nl" : "en";

    public static bool TryParse(string? value, out ContactLanguage language)
    {
        switch ((value ?? "").Trim().ToLowerInvariant())
        {
            case "nl" or "nl-nl" or "dutch" or "nederlands":
                language = ContactLanguage.Nl;
                return true;
            case "en" or "en-gb" or "en-us" or "english" or "engels":
                language = ContactLanguage.En;
                return true;
            default:
                language = default;
                return false;
        }
    }

    public static ContactLanguage Parse(string value) =>
        TryParse(value, out var language) ? language : throw new FormatException($"Unknown language '{value}'.");
}

/// <summary>What a person enters for an organisation (create or edit), before validation.</summary>
public sealed record OrganisationDraft
{
    public string Name { get; init; } = "";
    public PartyKind PartyKind { get; init; }
    public string Sector { get; init; } = "";
    /// <summary>ISO 3166-1 alpha-2 code, e.g. NL.</summary>
    public string Country { get; init; } = "NL";
    public string? KvkNumber { get; init; }
    /// <summary>A website or bare domain; stored as the normalised domain.</summary>
    public string? Website { get; init; }
    public string Owner { get; init; } = "";
}

public sealed record Organisation
{
    public long Id { get; init; }
    public required string Name { get; init; }
    public PartyKind PartyKind { get; init; }
    public required string Sector { get; init; }
    public required string Country { get; init; }
    public string? KvkNumber { get; init; }
    public string? WebsiteDomain { get; init; }
    public required string Owner { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Set when the Dynamics 365 account this organisation mirrors was deleted there; the row and its history stay.</summary>
    public DateTimeOffset? RemovedAt { get; init; }
    /// <summary>The Dynamics 365 account id the sync stored (null for an organisation that lives only in Outreach).</summary>
    public string? DataverseId { get; init; }
}

public sealed record ContactDraft
{
    public string Name { get; init; } = "";
    public string Email { get; init; } = "";
    public ContactLanguage Language { get; init; } = ContactLanguage.Nl;
    public string? Role { get; init; }
    public LawfulBasis LawfulBasis { get; init; } = LawfulBasis.LegitimateInterest;
    /// <summary>Where the data came from (a fair, a member's introduction, a CSV import).</summary>
    public string? Source { get; init; }
}

public sealed record Contact
{
    public long Id { get; init; }
    public long OrganisationId { get; init; }
    public required string Name { get; init; }
    public required string Email { get; init; }
    public ContactLanguage Language { get; init; }
    public string? Role { get; init; }
    /// <summary>When the contact opted out of outreach; null while they have not.</summary>
    public DateTimeOffset? OptedOutAt { get; init; }
    public bool OptedOut => OptedOutAt is not null;
    public LawfulBasis LawfulBasis { get; init; }
    public string? Source { get; init; }
    /// <summary>Set when the person's data was erased on request; the row stays, anonymous, for the history.</summary>
    public DateTimeOffset? ErasedAt { get; init; }
    public bool Erased => ErasedAt is not null;
    /// <summary>Set when mail to the address bounced for good (a non-delivery report); cleared when the address changes.</summary>
    public DateTimeOffset? BouncedAt { get; init; }
}
