using System.Data.Common;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Prospects.Import;
using WriteCounter = Outreach.Storage.Import.SqlProspectImporter.WriteCounter;

namespace Outreach.Storage.Import;

/// <summary>PostgreSQL's bulk import: binary COPY and array-based INSERTs.</summary>
internal sealed class PostgresImportWriter : IImportWriter
{
    public async Task<IReadOnlyList<long>> WriteAsync(DbConnection connection, DbTransaction tx, ImportPlan plan, DateTimeOffset now, string by, WriteCounter counter, CancellationToken ct)
    {
        var c = (NpgsqlConnection)connection;
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
                    await TextAsync(copy, d.Source ?? SqlProspectImporter.ImportSource, ct);
                    await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                    await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                    counter.Advance();
                }
            }

            await copy.CompleteAsync(ct);
        }

        // Entries with their ids taken up front (as the organisations'), then every history line in one statement.
        var entries = plan.Organisations.SelectMany((o, i) => o.Entries.Select(e => (OrganisationId: organisationIds[i], Entry: e))).ToList();
        var entryIds = await ReserveIdsAsync(c, tx, "pipeline_entry", entries.Count, ct);
        if (entries.Count > 0)
        {
            DateTimeOffset Instant(HistoryStep step) => step.On is { } day ? SqlProspectImporter.AtStartOf(day) : now;
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO pipeline_entry (id, organisation_id, covenant_id, stage, stage_since, created_at)
                SELECT i, o, v, s, t, @at FROM unnest(@ids, @organisations, @covenants, @stages, @since) AS x (i, o, v, s, t)
                """,
                new
                {
                    ids = entryIds,
                    organisations = entries.Select(e => e.OrganisationId).ToArray(),
                    covenants = entries.Select(e => e.Entry.CovenantId).ToArray(),
                    stages = entries.Select(e => e.Entry.Stage.Code()).ToArray(),
                    since = entries.Select(e => Instant(e.Entry.Steps[^1])).ToArray(),
                    at = now,
                },
                // One statement for every entry of the file: the default 30 s is meant for interactive queries.
                tx, commandTimeout: 600, cancellationToken: ct));
            var lines = entries.SelectMany((e, i) => e.Entry.Steps.Select((step, n) => (
                Entry: entryIds[i], From: n == 0 ? null : e.Entry.Steps[n - 1].Stage.Code(), To: step.Stage.Code(), At: Instant(step)))).ToList();
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO stage_change (entry_id, from_stage, to_stage, changed_at, changed_by, reason, imported)
                SELECT e, f, s, t, @by, @reason, true FROM unnest(@entries, @froms, @stages, @times) WITH ORDINALITY AS x (e, f, s, t, n) ORDER BY n
                """,
                new
                {
                    entries = lines.Select(l => l.Entry).ToArray(),
                    froms = lines.Select(l => l.From).ToArray(),
                    stages = lines.Select(l => l.To).ToArray(),
                    times = lines.Select(l => l.At).ToArray(),
                    by, reason = SqlProspectImporter.HistoryReason,
                },
                tx, commandTimeout: 600, cancellationToken: ct));
            for (var i = 0; i < entries.Count; i++) counter.Advance();
        }

        return entryIds;
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
}
