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
    public async Task WriteAsync(DbConnection connection, DbTransaction tx, ImportPlan plan, DateTimeOffset now, string by, WriteCounter counter, CancellationToken ct)
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
                    at = now, by, reason = SqlProspectImporter.HistoryReason,
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
}
