using System.Data.Common;
using System.Globalization;
using Dapper;
using Outreach.Core.Common;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Prospects.Import;

namespace Outreach.Storage.Import;

/// <summary>
/// Writes an <see cref="ImportPlan"/> in one transaction: all of it or nothing. Each created pipeline entry gets its first
/// history line, as <see cref="SqlPipelineStore.AddEntryAsync"/> writes it. The plan's drafts are cleaned, so their KvK number
/// and website are stored as they are, with the normalised name the planner worked out. Built for large files on one connection:
/// SQLite gets reused prepared INSERTs with ids allocated up front, PostgreSQL binary COPY and array-based INSERTs.
/// </summary>
public sealed class SqlProspectImporter(Database db, TimeProvider clock, ImportOptions? options = null, Outreach.Core.Audit.IAuditActor? actor = null) : IProspectImportStore
{
    /// <summary>The reason on the first history line of every imported entry.</summary>
    public const string HistoryReason = "Imported from CSV";
    /// <summary>Where imported contacts came from when the file does not say (contact_source).</summary>
    public const string ImportSource = "CSV import";

    /// <summary>An imported history line's instant: the start of its day in Amsterdam (the report counts days there).</summary>
    internal static DateTimeOffset AtStartOf(DateOnly day) => Outreach.Core.Calendar.AmsterdamClock.AtLocal(day, TimeOnly.MinValue).ToUniversalTime();

    private readonly ImportOptions options = options ?? new ImportOptions();

    /// <summary>The export reads what the import writes, so the two stay in step.</summary>
    public Task ExportAsync(Stream output, CancellationToken ct) => new CsvProspectExporter(db).ExportAsync(output, ct);

    public async Task<ImportResult> ImportAsync(ImportPlan plan, bool importValidRowsOnly, string by, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (string.IsNullOrWhiteSpace(by) || by.Trim().Length > Pipeline.MaxActorLength)
            throw new ArgumentException("The person importing must be known.", nameof(by));
        by = by.Trim();

        var skipped = plan.Rows.Where(r => r.Status != ImportRowStatus.Ok).ToList();
        if (plan.IsRefused)
            return Refuse(plan, new DomainMessage("The file cannot be imported: {0} Nothing was imported.", string.Join(" ", plan.FileErrors.Select(e => e.ToString()))));
        if (plan.HasInvalidRows && !importValidRowsOnly)
        {
            return Refuse(plan, new DomainMessage("{0} of {1} rows are invalid, so nothing was imported. Correct them, or choose to import only the valid rows.",
                plan.InvalidRows.ToString(CultureInfo.InvariantCulture), plan.Rows.Count.ToString(CultureInfo.InvariantCulture)));
        }

        var counter = new WriteCounter(progress, plan.Organisations.Count + plan.ContactCount + plan.EntryCount, options.ProgressEvery);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(connection, ct);
        // Serialises imports on PostgreSQL, so two uploads of one file cannot both pass the duplicate check (SQLite's BEGIN IMMEDIATE does this there).
        await db.Dialect.LockForTransactionAsync(connection, tx, LockIds.ProspectImport, ct);

        // The plan was checked against the organisations of some moments ago; check again now that no other import can write.
        var clash = await FindNewDuplicateAsync(connection, tx, plan, ct);
        if (clash is not null)
        {
            await tx.RollbackAsync(ct);
            return Refuse(plan, new DomainMessage("Row {0} now duplicates an organisation that was added after the file was checked ({1}); nothing was imported. Check the file again.",
                clash.Value.Row.ToString(CultureInfo.InvariantCulture), clash.Value.Why.ToString()));
        }

        var now = clock.GetUtcNow();
        progress?.Report(new ImportProgress(ImportPhase.Writing, 0, counter.Total));
        var entryIds = await db.Dialect.ImportWriter.WriteAsync(connection, tx, plan, now, by, counter, ct);
        var milestones = await WriteMilestonesAsync(connection, tx, plan, entryIds, now, by, ct);
        // One audit entry for the file: the organisations' history lines already name who imported them.
        await SqlAudit.AppendAsync(connection, tx, now, (actor ?? new Outreach.Core.Audit.AmbientAuditActor()).Name, new Outreach.Core.Audit.AuditRecord(
            Outreach.Core.Audit.AuditEntities.Import, Outreach.Core.Audit.AuditDiff.Instant(now)!, "imported",
            [
                new("organisations", null, plan.Organisations.Count.ToString(CultureInfo.InvariantCulture)),
                new("contacts", null, plan.ContactCount.ToString(CultureInfo.InvariantCulture)),
                new("entries", null, plan.EntryCount.ToString(CultureInfo.InvariantCulture)),
                new("rows_skipped", null, skipped.Count.ToString(CultureInfo.InvariantCulture)),
            ]), ct);
        await tx.CommitAsync(ct);
        progress?.Report(new ImportProgress(ImportPhase.Done, counter.Total, counter.Total));

        return new ImportResult
        {
            Plan = plan,
            Imported = true,
            OrganisationsCreated = plan.Organisations.Count,
            ContactsCreated = plan.ContactCount,
            EntriesCreated = plan.EntryCount,
            MilestonesCreated = milestones,
            SkippedRows = skipped,
        };
    }

    /// <summary>
    /// The onboarding milestones of the entries imported at signed (worked out in Core from the plan in force), each with its
    /// "created" history line by the importer, in the import's transaction. Only signed rows have any, so row by row is fine.
    /// </summary>
    private static async Task<int> WriteMilestonesAsync(DbConnection c, DbTransaction tx, ImportPlan plan, IReadOnlyList<long> entryIds, DateTimeOffset now, string by, CancellationToken ct)
    {
        var created = 0;
        var i = 0;
        foreach (var entry in plan.Organisations.SelectMany(o => o.Entries))
        {
            var entryId = entryIds[i++];
            if (entry.Milestones.Count > 0) created += await SqlOnboardingStore.InsertMilestonesAsync(c, tx, entryId, entry.Milestones, now, by, ct);
        }

        return created;
    }

    private static ImportResult Refuse(ImportPlan plan, DomainMessage why) => new() { Plan = plan, Imported = false, Refusal = why, SkippedRows = plan.Rows };

    private static async Task<(int Row, DomainMessage Why)?> FindNewDuplicateAsync(DbConnection c, DbTransaction tx, ImportPlan plan, CancellationToken ct)
    {
        if (plan.Organisations.Count == 0) return null;
        var keys = await c.QueryAsync<OrganisationKeys>(new CommandDefinition(
            "SELECT id AS Id, name AS Name, normalised_name AS NormalisedName, kvk_number AS KvkNumber, website_domain AS WebsiteDomain FROM organisation ORDER BY id",
            transaction: tx, cancellationToken: ct));
        var index = new DuplicateIndex(keys);
        foreach (var organisation in plan.Organisations)
        {
            var found = index.Find(organisation.Draft, organisation.Keys);
            if (found.Count > 0) return (organisation.RowNumber, found[0].Why);
        }

        return null;
    }

    /// <summary>Counts written records and reports every so many.</summary>
    internal sealed class WriteCounter(IProgress<ImportProgress>? progress, int total, int every)
    {
        private int done;

        public int Total => total;

        public void Advance()
        {
            done++;
            if (progress is not null && (done % Math.Max(1, every) == 0 || done == total))
                progress.Report(new ImportProgress(ImportPhase.Writing, done, total));
        }
    }
}
