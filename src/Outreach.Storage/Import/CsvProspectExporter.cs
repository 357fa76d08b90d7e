using CsvHelper;
using Dapper;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Prospects.Import;

namespace Outreach.Storage.Import;

/// <summary>A pipeline entry as the export writes it.</summary>
/// <param name="CovenantCode">The covenant's code.</param>
/// <param name="Stage">The entry's current stage.</param>
/// <param name="FirstContactOn">Written for prospects past 'contacted' and for exits after a contact, so the export re-imports with its history.</param>
/// <param name="StageOn">The day (Amsterdam) the prospect reached its current stage.</param>
public sealed record ExportEntry(string CovenantCode, Stage Stage, DateOnly? FirstContactOn = null, DateOnly? StageOn = null);

/// <summary>An organisation with what the export writes of it.</summary>
public sealed record ExportOrganisation(Organisation Organisation, IReadOnlyList<Contact> Contacts, IReadOnlyList<ExportEntry> Entries);

/// <summary>
/// Writes organisations with their contacts and pipeline entries in the import's columns, so an export re-imports.
/// Every cell goes through <see cref="CsvSafety.EscapeForExport"/>: nothing is ever re-exported as a formula.
/// </summary>
/// <remarks>
/// An organisation takes as many rows as it has contacts or entries: row i carries contact i (if any) and entry i (or the last one),
/// which the import merges back into one organisation. Contacts who opted out are left out: their details should not travel further.
/// </remarks>
public sealed class CsvProspectExporter(Database db)
{
    /// <summary>Dutch Excel's list separator, so the file opens in columns there; the import reads ',' as well.</summary>
    public const char DefaultSeparator = ';';

    /// <summary>Exports every organisation in the database.</summary>
    public async Task ExportAsync(Stream output, CancellationToken ct) =>
        await WriteAsync(output, await LoadAsync(ct), DefaultSeparator, ct);

    public static Task WriteAsync(Stream output, IEnumerable<ExportOrganisation> organisations, CancellationToken ct) =>
        WriteAsync(output, organisations, DefaultSeparator, ct);

    public static async Task WriteAsync(Stream output, IEnumerable<ExportOrganisation> organisations, char separator, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(organisations);
        var writerOptions = CsvWriterOptions.Default with
        {
            Separator = separator,
            // Excel reads a file without a byte order mark in the local code page, which garbles accented names.
            WriteByteOrderMark = true,
            // CsvSafety escapes instead, so that the import can undo exactly what the export did.
            Injection = CsvInjection.None,
        };
        await using var writer = CsvWriter.Create(output, writerOptions, leaveOpen: true);
        await writer.WriteRecordAsync([.. ImportColumns.All], ct);
        foreach (var item in organisations)
        {
            ct.ThrowIfCancellationRequested();
            var o = item.Organisation;
            var rows = Math.Max(1, Math.Max(item.Contacts.Count, item.Entries.Count));
            for (var i = 0; i < rows; i++)
            {
                var entry = item.Entries.Count == 0 ? null : item.Entries[Math.Min(i, item.Entries.Count - 1)];
                var contact = i < item.Contacts.Count ? item.Contacts[i] : null;
                string?[] cells =
                [
                    o.Name, o.PartyKind.Code(), o.Sector, o.Country, o.KvkNumber, o.WebsiteDomain, o.Owner,
                    entry?.CovenantCode, entry?.Stage.Code(),
                    contact?.Name, contact?.Email, contact?.Language.Code(), contact?.Role, contact?.LawfulBasis.Code(), contact?.Source,
                    Day(entry?.FirstContactOn), Day(entry?.StageOn),
                ];
                await writer.WriteRecordAsync(cells.Select(CsvSafety.EscapeForExport).ToArray(), ct);
            }
        }

        await writer.FlushAsync(ct);
    }

    /// <summary>Every organisation with its contacts (not those who opted out) and entries, in id order.</summary>
    public async Task<IReadOnlyList<ExportOrganisation>> LoadAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var organisations = await c.QueryAsync<SqlProspectStore.OrganisationRow>(new CommandDefinition(
            $"SELECT {SqlProspectStore.OrganisationColumns} FROM organisation ORDER BY id", cancellationToken: ct));
        var contacts = (await c.QueryAsync<SqlProspectStore.ContactRow>(new CommandDefinition(
            $"SELECT {SqlProspectStore.ContactColumns} FROM contact WHERE opted_out_at IS NULL AND erased_at IS NULL ORDER BY organisation_id, id",
            cancellationToken: ct))).ToLookup(r => r.OrganisationId);
        var entries = (await c.QueryAsync<EntryRow>(new CommandDefinition(
            """
            SELECT e.organisation_id AS OrganisationId, v.code AS CovenantCode, e.stage AS Stage, e.stage_since AS StageSince,
                   (SELECT MIN(s.changed_at) FROM stage_change s WHERE s.entry_id = e.id AND s.to_stage IN ('contacted', 'engaged', 'intake', 'signing_scheduled', 'signed')) AS FirstContactAt
            FROM pipeline_entry e JOIN covenant v ON v.id = e.covenant_id ORDER BY e.organisation_id, e.id
            """,
            cancellationToken: ct))).ToLookup(r => r.OrganisationId);
        return organisations.Select(o => new ExportOrganisation(
            o.ToDomain(),
            contacts[o.Id].Select(k => k.ToDomain()).ToList(),
            entries[o.Id].Select(e => e.ToExport()).ToList())).ToList();
    }

    private sealed class EntryRow
    {
        public long OrganisationId { get; init; }
        public string CovenantCode { get; init; } = "";
        public string Stage { get; init; } = "";
        public DateTimeOffset StageSince { get; init; }
        public DateTimeOffset? FirstContactAt { get; init; }

        /// <summary>Dates only where the import's history rules take them back as they are (see ImportedHistory).</summary>
        public ExportEntry ToExport()
        {
            var stage = Stages.Parse(Stage);
            var firstContact = stage is Outreach.Core.Pipeline.Stage.Identified or Outreach.Core.Pipeline.Stage.Contacted || FirstContactAt is null
                ? (DateOnly?)null : LocalDay(FirstContactAt.Value);
            var stageOn = LocalDay(StageSince);
            return new ExportEntry(CovenantCode, stage, firstContact is { } f && f > stageOn ? stageOn : firstContact, stageOn);
        }

        private static DateOnly LocalDay(DateTimeOffset at) => Outreach.Core.Calendar.AmsterdamClock.DateOf(at);
    }

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
