using System.Data.Common;
using System.Globalization;
using Dapper;
using Npgsql;
using NpgsqlTypes;
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

    // Serialises imports on PostgreSQL, so two uploads of one file cannot both pass the duplicate check (SQLite's BEGIN IMMEDIATE does this there).
    private const long ImportLockKey = 727002;

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
        if (connection is NpgsqlConnection)
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = ImportLockKey }, tx, cancellationToken: ct));
        }

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
        if (connection is NpgsqlConnection postgres) await WritePostgresAsync(postgres, tx, plan, now, by, counter, ct);
        else await WriteSqliteAsync(connection, tx, plan, now, by, counter, ct);
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
            SkippedRows = skipped,
        };
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

    private static async Task WriteSqliteAsync(DbConnection c, DbTransaction tx, ImportPlan plan, DateTimeOffset now, string by, WriteCounter counter, CancellationToken ct)
    {
        // SQLite keeps instants as fixed-width UTC text (see DapperTypeHandlers).
        var at = DapperTypeHandlers.FormatInstant(now);
        // BEGIN IMMEDIATE holds the only write lock, so the next ids are ours: no statement has to read an id back.
        var organisationId = await NextSqliteIdAsync(c, tx, "organisation", ct);
        var entryId = await NextSqliteIdAsync(c, tx, "pipeline_entry", ct);

        // One prepared statement per table, reused for every row. (Multi-row INSERTs were measured slower: Microsoft.Data.Sqlite
        // binds parameters by name, which SQLite looks up one by one, so hundreds of parameters per statement cost more than they save.)
        await using var organisations = SqliteInsert.Prepare(c, tx,
            "organisation (id, name, normalised_name, party_kind, sector, country, kvk_number, website_domain, owner, created_at, updated_at)", 11);
        await using var contacts = SqliteInsert.Prepare(c, tx, "contact (organisation_id, name, email, language, role, lawful_basis, source, created_at, updated_at)", 9);
        await using var entries = SqliteInsert.Prepare(c, tx, "pipeline_entry (id, organisation_id, covenant_id, stage, stage_since, created_at)", 6);
        await using var changes = SqliteInsert.Prepare(c, tx, "stage_change (entry_id, to_stage, changed_at, changed_by, reason)", 5);

        foreach (var organisation in plan.Organisations)
        {
            ct.ThrowIfCancellationRequested();
            var draft = organisation.Draft;
            var id = organisationId++;
            await organisations.ExecuteAsync([id, draft.Name, organisation.NormalisedName, draft.PartyKind.Code(), draft.Sector, draft.Country,
                draft.KvkNumber, draft.Website, draft.Owner, at, at], ct);
            counter.Advance();
            foreach (var contact in organisation.Contacts)
            {
                var d = contact.Draft;
                await contacts.ExecuteAsync([id, d.Name, d.Email, d.Language.Code(), d.Role, d.LawfulBasis.Code(), d.Source ?? ImportSource, at, at], ct);
                counter.Advance();
            }

            foreach (var entry in organisation.Entries)
            {
                var stage = entry.Stage.Code();
                await entries.ExecuteAsync([entryId, id, entry.CovenantId, stage, at, at], ct);
                await changes.ExecuteAsync([entryId++, stage, at, by, HistoryReason], ct);
                counter.Advance();
            }
        }
    }

    /// <summary>The id AUTOINCREMENT would give next: above every id the table has ever used.</summary>
    private static async Task<long> NextSqliteIdAsync(DbConnection c, DbTransaction tx, string table, CancellationToken ct) =>
        1 + await c.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = @table), 0), COALESCE((SELECT MAX(id) FROM {table}), 0))",
            new { table }, tx, cancellationToken: ct));

    /// <summary>A single-row INSERT, prepared once and executed for every row.</summary>
    private sealed class SqliteInsert(DbCommand command) : IAsyncDisposable
    {
        public static SqliteInsert Prepare(DbConnection c, DbTransaction tx, string into, int columns)
        {
            var command = c.CreateCommand();
            command.Transaction = tx;
            var names = Enumerable.Range(0, columns).Select(i => "@p" + i.ToString(CultureInfo.InvariantCulture)).ToList();
            command.CommandText = $"INSERT INTO {into} VALUES ({string.Join(", ", names)})";
            foreach (var name in names)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }

            command.Prepare();
            return new SqliteInsert(command);
        }

        public Task ExecuteAsync(object?[] values, CancellationToken ct)
        {
            for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
            return command.ExecuteNonQueryAsync(ct);
        }

        public ValueTask DisposeAsync() => command.DisposeAsync();
    }

    private static async Task WritePostgresAsync(NpgsqlConnection c, DbTransaction tx, ImportPlan plan, DateTimeOffset now, string by, WriteCounter counter, CancellationToken ct)
    {
        // Organisation ids are taken from the identity sequence up front, so contacts streamed with COPY can refer to them.
        var organisationIds = await ReserveIdsAsync(c, tx, "organisation", plan.Organisations.Count, ct);

        await using (var copy = await c.BeginBinaryImportAsync(
            "COPY organisation (id, name, normalised_name, party_kind, sector, country, kvk_number, website_domain, owner, created_at, updated_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < plan.Organisations.Count; i++)
            {
                var organisation = plan.Organisations[i];
                var draft = organisation.Draft;
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(organisationIds[i], NpgsqlDbType.Bigint, ct);
                await TextAsync(copy, draft.Name, ct);
                await TextAsync(copy, organisation.NormalisedName, ct);
                await TextAsync(copy, draft.PartyKind.Code(), ct);
                await TextAsync(copy, draft.Sector, ct);
                await TextAsync(copy, draft.Country, ct);
                await TextAsync(copy, draft.KvkNumber, ct);
                await TextAsync(copy, draft.Website, ct);
                await TextAsync(copy, draft.Owner, ct);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                counter.Advance();
            }

            await copy.CompleteAsync(ct);
        }

        await using (var copy = await c.BeginBinaryImportAsync(
            "COPY contact (organisation_id, name, email, language, role, lawful_basis, source, created_at, updated_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < plan.Organisations.Count; i++)
            {
                foreach (var contact in plan.Organisations[i].Contacts)
                {
                    var d = contact.Draft;
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(organisationIds[i], NpgsqlDbType.Bigint, ct);
                    await TextAsync(copy, d.Name, ct);
                    await TextAsync(copy, d.Email, ct);
                    await TextAsync(copy, d.Language.Code(), ct);
                    await TextAsync(copy, d.Role, ct);
                    await TextAsync(copy, d.LawfulBasis.Code(), ct);
                    await TextAsync(copy, d.Source ?? ImportSource, ct);
                    await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                    await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                    counter.Advance();
                }
            }

            await copy.CompleteAsync(ct);
        }

        // Entries and their first history lines in one statement: the ids PostgreSQL gives the entries go straight into stage_change.
        var entries = plan.Organisations.SelectMany((o, i) => o.Entries.Select(e => (OrganisationId: organisationIds[i], Entry: e))).ToList();
        if (entries.Count > 0)
        {
            await c.ExecuteAsync(new CommandDefinition(
                """
                WITH e AS (
                    INSERT INTO pipeline_entry (organisation_id, covenant_id, stage, stage_since, created_at)
                    SELECT o, v, s, @at, @at FROM unnest(@organisations, @covenants, @stages) AS t (o, v, s)
                    RETURNING id, stage)
                INSERT INTO stage_change (entry_id, to_stage, changed_at, changed_by, reason)
                SELECT id, stage, @at, @by, @reason FROM e
                """,
                new
                {
                    organisations = entries.Select(e => e.OrganisationId).ToArray(),
                    covenants = entries.Select(e => e.Entry.CovenantId).ToArray(),
                    stages = entries.Select(e => e.Entry.Stage.Code()).ToArray(),
                    at = now, by, reason = HistoryReason,
                },
                // One statement for every entry of the file: the default 30 s is meant for interactive queries.
                tx, commandTimeout: 600, cancellationToken: ct));
            for (var i = 0; i < entries.Count; i++) counter.Advance();
        }
    }

    private static async Task<long[]> ReserveIdsAsync(NpgsqlConnection c, DbTransaction tx, string table, int count, CancellationToken ct)
    {
        if (count == 0) return [];
        var ids = await c.QueryAsync<long>(new CommandDefinition(
            "SELECT nextval(pg_get_serial_sequence(@table, 'id')) FROM generate_series(1, @count)", new { table, count }, tx, cancellationToken: ct));
        // Ascending, so the organisations keep the file's order when listed by id.
        return ids.Order().ToArray();
    }

    private static Task TextAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, NpgsqlDbType.Text, ct);

    /// <summary>Counts written records and reports every so many.</summary>
    private sealed class WriteCounter(IProgress<ImportProgress>? progress, int total, int every)
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
