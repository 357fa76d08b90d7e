using System.Globalization;
using System.Text;

namespace Outreach.Core.Prospects;

/// <summary>The normal forms used to compare organisations for likely duplicates.</summary>
public static class Normalise
{
    // Legal-form suffixes (after dots are removed): "B.V." and "BV" both become "bv".
    private static readonly HashSet<string> LegalSuffixes = new(StringComparer.Ordinal)
    {
        "bv", "nv", "vof", "cv", "bvba", "gmbh", "ag", "kg", "ltd", "limited", "llc", "inc", "plc", "sa", "sas",
        "sarl", "srl", "spa", "ab", "as", "oy", "co", "corp", "corporation", "company", "holding", "stichting",
        "vereniging", "ua", "eg", "mbh",
    };

    /// <summary>
    /// Lower case, without diacritics, punctuation or legal-form suffixes: "Goudsmederij De Vries B.V." → "goudsmederij de vries".
    /// Leading "stichting"/"vereniging" are kept off as well, since the same foundation is often entered with or without them.
    /// </summary>
    public static string OrganisationName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "";
        var decomposed = name.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var ch in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(ch);
            if (category == UnicodeCategory.NonSpacingMark || ch == '.') continue;
            if (ch == '&') { sb.Append(" en "); continue; }
            sb.Append(char.IsLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : ' ');
        }

        var tokens = sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => t == "and" ? "en" : t).ToList();
        while (tokens.Count > 1 && LegalSuffixes.Contains(tokens[^1])) tokens.RemoveAt(tokens.Count - 1);
        while (tokens.Count > 1 && tokens[0] is "stichting" or "vereniging") tokens.RemoveAt(0);
        return string.Join(' ', tokens);
    }

    /// <summary>"https://www.Example.NL/over-ons" → "example.nl"; null when nothing usable is given.</summary>
    public static string? WebsiteDomain(string? website)
    {
        if (string.IsNullOrWhiteSpace(website)) return null;
        var text = website.Trim();
        if (!text.Contains("://", StringComparison.Ordinal)) text = "http://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host)) return null;
        string host;
        try
        {
            host = uri.IdnHost.ToLowerInvariant().TrimEnd('.');
        }
        catch (UriFormatException)
        {
            // TryCreate accepts some hosts (invalid IDN characters) that IdnHost then refuses: not a usable domain.
            return null;
        }

        if (host.StartsWith("www.", StringComparison.Ordinal)) host = host[4..];
        return host.Contains('.', StringComparison.Ordinal) ? host : null;
    }

    /// <summary>Digits only ("12.34.56.78" → "12345678"); null when empty.</summary>
    public static string? KvkNumber(string? kvk)
    {
        if (string.IsNullOrWhiteSpace(kvk)) return null;
        // Separators people type (spaces, dots, dashes) go; anything else is kept so validation refuses it.
        var text = kvk.Trim();
        if (text.StartsWith("kvk", StringComparison.OrdinalIgnoreCase)) text = text[3..].TrimStart(' ', ':', '-', '.');
        if (text.Any(c => !char.IsAsciiDigit(c) && c is not (' ' or '.' or '-'))) return kvk.Trim();
        var digits = new string(text.Where(char.IsAsciiDigit).ToArray());
        return digits.Length == 0 ? kvk.Trim() : digits;
    }

    public static string Email(string? email) => (email ?? "").Trim().ToLowerInvariant();
}
