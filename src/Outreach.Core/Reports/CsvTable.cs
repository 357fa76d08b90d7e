using System.Text;
using Outreach.Core.Prospects.Import;

namespace Outreach.Core.Reports;

/// <summary>Writes one report table as CSV text: every cell escaped against formula injection, quoted where needed.</summary>
public static class CsvTable
{
    /// <summary>Dutch Excel's list separator, as the prospect export uses.</summary>
    public const char Separator = ';';

    public static string Write(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder();
        Line(sb, header);
        foreach (var row in rows) Line(sb, row);
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, IReadOnlyList<string> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0) sb.Append(Separator);
            sb.Append(Cell(cells[i]));
        }

        sb.Append("\r\n");
    }

    /// <summary>
    /// One cell: "=1+1" becomes "'=1+1" (text, not a formula); separators, quotes and line breaks are quoted. A comma is not
    /// (the separator is ';'): a quoted "83,3" would reach Dutch Excel as text, not as a number.
    /// </summary>
    public static string Cell(string? value)
    {
        var safe = CsvSafety.EscapeForExport(value);
        return safe.AsSpan().IndexOfAny([Separator, '"', '\r', '\n']) >= 0
            ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : safe;
    }
}
