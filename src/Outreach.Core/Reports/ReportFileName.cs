using System.Globalization;
using System.Text;
using Outreach.Core.Prospects;

namespace Outreach.Core.Reports;

/// <summary>
/// Download names that say what is in the file, so that two downloads of different views do not overwrite each other
/// in a manager's Downloads folder: the period, the covenants, the other filters and the funnel shown, in the URL's
/// words, reduced to letters, digits and dashes.
/// </summary>
public static class ReportFileName
{
    /// <summary>The name for <paramref name="what"/> ("report" or a table's key); <paramref name="covenantCodes"/> empty is all covenants.</summary>
    public static string For(string what, ReportQuery query, IEnumerable<string> covenantCodes, FunnelKind funnel, string extension)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(covenantCodes);
        var parts = new List<string>
        {
            "conversion", what,
            query.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), query.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        var codes = covenantCodes.Select(c => c.Trim().ToLowerInvariant()).Where(c => c.Length > 0).Order(StringComparer.Ordinal).ToList();
        parts.Add(codes.Count == 0 ? "all-covenants" : string.Join('+', codes));
        if (query.Sector is { } sector) parts.Add("sector-" + sector);
        if (query.PartyKind is { } kind) parts.Add(kind.Code());
        if (query.Owner is { } owner) parts.Add("owner-" + owner);
        parts.Add(funnel == FunnelKind.Cohort ? "cohort" : "period-funnel");
        return string.Join('-', parts.Select(Clean).Where(p => p.Length > 0)) + "." + extension;
    }

    /// <summary>Letters and digits (accents dropped), '+' between covenants; anything else becomes one dash.</summary>
    private static string Clean(string part)
    {
        var sb = new StringBuilder();
        foreach (var ch in part.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsAsciiLetterOrDigit(ch) || ch == '+') sb.Append(char.ToLowerInvariant(ch));
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }

        return sb.ToString().Trim('-');
    }
}
