using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outreach.Core.Prospects.Import;

namespace Outreach.Storage.Import;

/// <summary>
/// The CSV import and export as the web UI and the CLI use them: preview a file (parse and check, no writes),
/// import it (all or nothing, or only its valid rows), export everything in the same columns.
/// </summary>
public sealed partial class ProspectImport(Database db, TimeProvider clock, IOptions<ImportOptions>? options = null, ILogger<ProspectImport>? logger = null, Core.Audit.IAuditActor? actor = null)
{
    [LoggerMessage(Level = LogLevel.Information, Message = "CSV import: {Rows} rows ({Invalid} invalid, {Duplicates} duplicates); imported {Imported}: {Organisations} organisations, {Contacts} contacts, {Entries} entries in {ElapsedMs:F0} ms")]
    private static partial void LogImport(ILogger logger, int rows, int invalid, int duplicates, bool imported, int organisations, int contacts, int entries, double elapsedMs);

    private readonly ImportOptions settings = options?.Value ?? new ImportOptions();

    /// <summary>What importing the file would do, without writing anything.</summary>
    public Task<ImportPlan> PreviewAsync(Stream csv, CancellationToken ct) => PreviewAsync(csv, null, ct);

    public async Task<ImportPlan> PreviewAsync(Stream csv, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var file = await new CsvProspectReader(settings).ReadAsync(csv, progress, ct);
        if (file.Error is not null) return ImportPlan.Refused(file.Error);

        progress?.Report(new ImportProgress(ImportPhase.Checking, 0, file.Rows.Count));
        var store = new SqlProspectStore(db, clock);
        var existing = await store.ListOrganisationKeysAsync(ct);
        var covenants = await store.ListCovenantsAsync(ct);
        var suppressed = await store.ListSuppressedHashesAsync(ct);
        var plan = ImportPlanner.Plan(file.Header, file.Rows, existing, covenants, suppressed);
        progress?.Report(new ImportProgress(ImportPhase.Checking, file.Rows.Count, file.Rows.Count));
        return plan;
    }

    /// <summary>
    /// Imports the file in one transaction. With invalid rows it writes nothing unless <paramref name="importValidRowsOnly"/>;
    /// duplicates are never written. <paramref name="by"/> is who imports (on the history lines).
    /// </summary>
    public async Task<ImportResult> ImportAsync(Stream csv, bool importValidRowsOnly, string by, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        var plan = await PreviewAsync(csv, progress, ct);
        var result = await new SqlProspectImporter(db, clock, settings, actor).ImportAsync(plan, importValidRowsOnly, by, progress, ct);
        LogImport(logger ?? (ILogger)NullLogger.Instance, plan.Rows.Count, plan.InvalidRows, plan.DuplicateRows, result.Imported,
            result.OrganisationsCreated, result.ContactsCreated, result.EntriesCreated, clock.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    /// <summary>Every organisation with its contacts and entries, in the import's columns (formula-like cells escaped).</summary>
    public Task ExportAsync(Stream output, CancellationToken ct) => new CsvProspectExporter(db).ExportAsync(output, ct);
}
