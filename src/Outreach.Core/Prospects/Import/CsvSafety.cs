namespace Outreach.Core.Prospects.Import;

/// <summary>
/// CSV injection: a cell that starts with = + - @ (or a tab or CR) is run as a formula by spreadsheets.
/// Such values are stored as plain text; on export they get a leading apostrophe, which spreadsheets read as "this is text".
/// </summary>
public static class CsvSafety
{
    /// <summary>"=SUM(A1)" → "'=SUM(A1)"; other values unchanged.</summary>
    /// <remarks>
    /// A value that already starts with apostrophes before a formula character gets one more, so that
    /// <see cref="UnescapeImported"/> undoes exactly this and an export re-imports to the same text.
    /// </remarks>
    public static string EscapeForExport(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return StartsLikeFormula(value.AsSpan().TrimStart('\'')) ? "'" + value : value;
    }

    /// <summary>The inverse of <see cref="EscapeForExport"/>: "'=SUM(A1)" → "=SUM(A1)"; other values unchanged.</summary>
    public static string UnescapeImported(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return value[0] == '\'' && StartsLikeFormula(value.AsSpan().TrimStart('\'')) ? value[1..] : value;
    }

    public static bool StartsLikeFormula(ReadOnlySpan<char> value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
}
