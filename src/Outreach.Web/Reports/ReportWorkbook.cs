using MiniExcelLibs;

namespace Outreach.Web.Reports;

/// <summary>
/// The whole report as one .xlsx workbook: a first sheet that says what the workbook covers, then a sheet per table with
/// its columns as the header row. Figures are numeric cells (a manager can sum and chart them); text is always a string
/// cell, never a formula, so a name such as "=Zilver &amp; Co" stays a name.
/// </summary>
public static class ReportWorkbook
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static byte[] Write(IReadOnlyList<ReportTable> tables, string title, string scope)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var sheets = new Dictionary<string, object>
        {
            ["Report"] = new List<Dictionary<string, object?>> { new() { [title] = scope } },
        };
        foreach (var table in tables)
        {
            var columns = UniqueColumns(table.Columns);
            sheets[SheetName(table.Key, sheets.Keys)] = table.Rows.Select(row =>
            {
                var values = new Dictionary<string, object?>();
                for (var i = 0; i < columns.Count; i++)
                {
                    var cell = i < row.Count ? row[i] : null;
                    values[columns[i]] = cell?.Number is { } n ? n : cell?.Text;
                }

                return values;
            }).ToList();
        }

        using var stream = new MemoryStream();
        stream.SaveAs(sheets, excelType: ExcelType.XLSX);
        return stream.ToArray();
    }

    /// <summary>A header row needs distinct names: a repeated one gets " (2)".</summary>
    private static List<string> UniqueColumns(IReadOnlyList<string> columns)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return columns.Select(c =>
        {
            var name = c;
            for (var n = 2; !seen.Add(name); n++) name = $"{c} ({n})";
            return name;
        }).ToList();
    }

    /// <summary>Excel allows 31 characters and none of []:*?/\ in a sheet's name; the table keys are short and plain.</summary>
    private static string SheetName(string key, IEnumerable<string> taken)
    {
        var name = new string(key.Where(ch => !"[]:*?/\\".Contains(ch)).ToArray());
        name = name.Length > 31 ? name[..31] : name;
        return taken.Contains(name) ? name[..Math.Min(name.Length, 28)] + "-2" : name;
    }
}
