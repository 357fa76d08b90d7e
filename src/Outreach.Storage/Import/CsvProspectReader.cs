using System.Globalization;
using CsvHelper;
using Outreach.Core.Common;
using Outreach.Core.Prospects.Import;

namespace Outreach.Storage.Import;

/// <summary>
/// Reads an organisations-and-contacts CSV (UTF-8, comma or semicolon separated) into rows numbered as a spreadsheet numbers them.
/// Problems become messages with row numbers, never exceptions: too large, not CSV, unbalanced quotes. Bytes that are not
/// UTF-8 are read as U+FFFD, which the planner reports per cell.
/// </summary>
public sealed class CsvProspectReader(ImportOptions? options = null) : IImportFileReader
{
    private readonly ImportOptions options = options ?? new ImportOptions();

    public async Task<ImportFile> ReadAsync(Stream csv, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var input = await ReadBoundedAsync(csv, options.MaxFileBytes, ct);
        if (input is null)
        {
            var limit = options.MaxFileBytes >= 1024 * 1024
                ? (options.MaxFileBytes / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MB"
                : (options.MaxFileBytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KB";
            return ImportFile.Failed(new DomainMessage("The file is larger than {0}; split it into smaller files.", limit));
        }

        var malformed = new List<CsvMalformedRecord>();
        var readerOptions = CsvReaderOptions.Default with
        {
            Separator = SniffSeparator(input.Value.Span),
            HasHeader = true,
            // Blank lines are rows in a spreadsheet: keep them so row numbers match; they are dropped below.
            SkipEmptyLines = false,
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = malformed.Add,
            // Values are personal data: keep them out of exception messages and logs.
            IncludeValuesInExceptions = false,
            PoolStrings = true,
        };

        var rows = new List<ImportRow>();
        string[] header;
        try
        {
            using var reader = CsvReader.Create(input.Value, readerOptions);
            await reader.ReadHeaderAsync(ct);
            header = [.. reader.Headers];
            if (header.All(string.IsNullOrWhiteSpace)) return ImportFile.Failed(new DomainMessage("The file is empty."));
            while (await reader.ReadAsync(ct))
            {
                var values = reader.Current.ToArray();
                if (values.All(string.IsNullOrWhiteSpace)) continue;
                // The header is spreadsheet row 1, so data record n is row n + 1.
                rows.Add(new ImportRow(checked((int)reader.RowNumber + 1), values));
                if (progress is not null && rows.Count % Math.Max(1, options.ProgressEvery) == 0) progress.Report(new ImportProgress(ImportPhase.Reading, rows.Count, null));
            }
        }
        catch (CsvFormatException e)
        {
            return ImportFile.Failed(new DomainMessage("The file is not valid CSV near row {0} (line {1} of the file): {2}",
                e.RecordNumber.ToString(CultureInfo.InvariantCulture), e.LineNumber.ToString(CultureInfo.InvariantCulture), e.Message));
        }

        var unclosed = malformed.FindIndex(m => m.Reason == CsvMalformedReason.UnterminatedQuote);
        if (unclosed >= 0)
        {
            var unterminated = malformed[unclosed];
            return ImportFile.Failed(new DomainMessage(
                "Row {0} (line {1} of the file) opens a quote that is never closed, so the rest of the file cannot be read; close the quote and try again.",
                unterminated.RecordNumber.ToString(CultureInfo.InvariantCulture), unterminated.LineNumber.ToString(CultureInfo.InvariantCulture)));
        }

        progress?.Report(new ImportProgress(ImportPhase.Reading, rows.Count, rows.Count));
        return new ImportFile(header, WithQuotingProblems(rows, malformed), null);
    }

    /// <summary>Rows whose quoting was repaired by guessing are marked invalid rather than imported as guessed.</summary>
    private static List<ImportRow> WithQuotingProblems(List<ImportRow> rows, List<CsvMalformedRecord> malformed)
    {
        if (malformed.Count == 0) return rows;
        // RecordNumber counts the header as record 1, as spreadsheet rows do.
        var problems = malformed.GroupBy(m => m.RecordNumber).ToDictionary(g => g.Key, g => g.First().Reason);
        return rows.Select(r => problems.TryGetValue(r.RowNumber, out var reason) ? r with { Problem = Describe(reason) } : r).ToList();
    }

    private static DomainMessage Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => new DomainMessage("A value has a quote (\") in it but is not itself in quotes; put the value in quotes and double the quote inside (\"\")."),
        CsvMalformedReason.TextAfterClosingQuote => new DomainMessage("Text follows the closing quote of a value; put the whole value in quotes and double any quote inside it."),
        _ => new DomainMessage("The quoting of this row is malformed."),
    };

    /// <summary>
    /// The separator used in the header line: Dutch Excel writes ';', most other tools ','. The header holds only column
    /// names, so whichever of them (or a tab) it contains is the separator.
    /// </summary>
    internal static char SniffSeparator(ReadOnlySpan<byte> input)
    {
        if (input.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) input = input[3..];
        int semicolons = 0, commas = 0, tabs = 0;
        var quoted = false;
        foreach (var b in input)
        {
            if (b == (byte)'"') quoted = !quoted;
            else if (quoted) continue;
            else if (b is (byte)'\n' or (byte)'\r') break;
            else if (b == (byte)';') semicolons++;
            else if (b == (byte)',') commas++;
            else if (b == (byte)'\t') tabs++;
        }

        return tabs > semicolons && tabs > commas ? '\t' : semicolons > commas ? ';' : ',';
    }

    /// <summary>The whole input, or null when it is larger than <paramref name="maxBytes"/> (found without reading more than that).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBoundedAsync(Stream csv, long maxBytes, CancellationToken ct)
    {
        if (csv.CanSeek && csv.Length - csv.Position > maxBytes) return null;
        using var copy = csv.CanSeek ? new MemoryStream((int)Math.Max(0, csv.Length - csv.Position)) : new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await csv.ReadAsync(buffer, ct)) > 0)
        {
            if (copy.Length + read > maxBytes) return null;
            copy.Write(buffer, 0, read);
        }

        return copy.ToArray();
    }
}
