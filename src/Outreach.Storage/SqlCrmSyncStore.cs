using System.Data.Common;
using Dapper;
using Outreach.Core.Crm;
using Outreach.Core.Prospects;

namespace Outreach.Storage;

/// <summary>
/// The local mirror of Dataverse accounts (organisations) and contacts. Every page is one transaction with the link that
/// follows it. Names, addresses and contacts follow Dataverse; pipeline entries and stages are Outreach's and untouched.
/// </summary>
public sealed class SqlCrmSyncStore(Database db) : ICrmSyncStore
{
    private static string Key(CrmTable table) => table == CrmTable.Accounts ? "account" : "contact";

    public async Task<CrmSyncState> GetStateAsync(CrmTable table, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await ReadStateAsync(c, null, table, ct);
    }

    private static async Task<CrmSyncState> ReadStateAsync(DbConnection c, DbTransaction? tx, CrmTable table, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<StateRow>(new CommandDefinition(
            "SELECT next_link AS NextLink, delta_link AS DeltaLink, generation AS Generation, full_read AS FullRead FROM dataverse_sync_state WHERE table_name = @name",
            new { name = Key(table) }, tx, cancellationToken: ct));
        return row is null ? new CrmSyncState(null, null, 0, false) : new CrmSyncState(row.NextLink, row.DeltaLink, row.Generation, row.FullRead);
    }

    public async Task<CrmSyncState> StartFullReadAsync(CrmTable table, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var state = await ReadStateAsync(c, tx, table, ct);
        var next = new CrmSyncState(null, null, state.Generation + 1, true);
        await WriteStateAsync(c, tx, table, next, at, ct);
        await tx.CommitAsync(ct);
        return next;
    }

    private static Task WriteStateAsync(DbConnection c, DbTransaction tx, CrmTable table, CrmSyncState state, DateTimeOffset at, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO dataverse_sync_state (table_name, next_link, delta_link, generation, full_read, updated_at)
            VALUES (@Name, @NextLink, @DeltaLink, @Generation, @FullReadInProgress, @At)
            ON CONFLICT (table_name) DO UPDATE SET next_link = excluded.next_link, delta_link = excluded.delta_link,
                generation = excluded.generation, full_read = excluded.full_read, updated_at = excluded.updated_at
            """,
            new { Name = Key(table), state.NextLink, state.DeltaLink, state.Generation, state.FullReadInProgress, At = at }, tx, cancellationToken: ct));

    public async Task<CrmPageResult> ApplyAccountsAsync(IReadOnlyList<CrmAccount> rows, IReadOnlyList<Guid> deleted, string? nextLink, string? deltaLink, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var state = await ReadStateAsync(c, tx, CrmTable.Accounts, ct);
        var existing = await ExistingAsync(c, tx, "organisation", rows.Select(r => r.Id), ct);
        var inserts = new List<object>();
        var updates = new List<object>();
        foreach (var row in rows)
        {
            var values = new
            {
                DataverseId = Text(row.Id),
                Name = Clip(row.Name, 400),
                NormalisedName = Normalise.OrganisationName(row.Name),
                Country = Country(row.Country),
                KvkNumber = Normalise.KvkNumber(row.KvkNumber),
                WebsiteDomain = Normalise.WebsiteDomain(row.Website),
                Owner = string.IsNullOrWhiteSpace(row.Owner) ? null : Clip(row.Owner.Trim(), 200),
                AddressLine = row.AddressLine,
                PostalCode = row.PostalCode,
                City = row.City,
                Generation = state.Generation,
                At = at,
            };
            (existing.Contains(values.DataverseId) ? updates : inserts).Add(values);
        }

        // New rows come in as companies; the secretariat sets kind and sector in Outreach.
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO organisation (name, normalised_name, party_kind, sector, country, kvk_number, website_domain, owner, created_at, updated_at,
                dataverse_id, dataverse_generation, address_line, postal_code, city)
            VALUES (@Name, @NormalisedName, 'company', '', COALESCE(@Country, 'NL'), @KvkNumber, @WebsiteDomain, COALESCE(@Owner, ''), @At, @At,
                @DataverseId, @Generation, @AddressLine, @PostalCode, @City)
            """, inserts, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE organisation SET name = @Name, normalised_name = @NormalisedName, country = COALESCE(@Country, country), kvk_number = @KvkNumber,
                website_domain = @WebsiteDomain, owner = COALESCE(@Owner, owner), address_line = @AddressLine, postal_code = @PostalCode, city = @City,
                dataverse_generation = @Generation, removed_at = NULL, updated_at = @At
            WHERE dataverse_id = @DataverseId
            """, updates, tx, cancellationToken: ct));
        var removed = await MarkRemovedAsync(c, tx, "organisation", deleted, at, ct);
        removed += await FinishPageAsync(c, tx, CrmTable.Accounts, "organisation", state, nextLink, deltaLink, at, ct);
        await tx.CommitAsync(ct);
        return new CrmPageResult(inserts.Count, updates.Count, removed, 0);
    }

    public async Task<CrmPageResult> ApplyContactsAsync(IReadOnlyList<CrmContact> rows, IReadOnlyList<Guid> deleted, string? nextLink, string? deltaLink, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var state = await ReadStateAsync(c, tx, CrmTable.Contacts, ct);
        var existing = await ExistingAsync(c, tx, "contact", rows.Select(r => r.Id), ct);
        var accountIds = rows.Where(r => r.AccountId is not null).Select(r => Text(r.AccountId!.Value)).Distinct().ToList();
        var organisations = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var chunk in accountIds.Chunk(1000))
        {
            foreach (var (id, dataverseId) in await c.QueryAsync<(long, string)>(new CommandDefinition(
                $"SELECT id, dataverse_id FROM organisation WHERE dataverse_id {In("@chunk")}", new { chunk }, tx, cancellationToken: ct)))
                organisations[dataverseId] = id;
        }

        var inserts = new List<object>();
        var updates = new List<object>();
        var failed = 0;
        foreach (var row in rows)
        {
            if (row.AccountId is not { } account || !organisations.TryGetValue(Text(account), out var organisationId))
            {
                failed++;
                continue;
            }

            var values = new
            {
                DataverseId = Text(row.Id),
                OrganisationId = organisationId,
                Name = Clip(row.Name, 200),
                Email = Normalise.Email(row.Email),
                Role = row.JobTitle,
                OptedOutAt = row.OptedOut ? row.OptedOutOn ?? at : (DateTimeOffset?)null,
                Generation = state.Generation,
                At = at,
            };
            (existing.Contains(values.DataverseId) ? updates : inserts).Add(values);
        }

        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO contact (organisation_id, name, email, language, role, opted_out_at, lawful_basis, source, created_at, updated_at, dataverse_id, dataverse_generation)
            VALUES (@OrganisationId, @Name, @Email, 'nl', @Role, @OptedOutAt, 'legitimate_interest', 'Dynamics 365', @At, @At, @DataverseId, @Generation)
            """, inserts, tx, cancellationToken: ct));
        // An opt-out is never undone by the CRM; an erased contact keeps only its anonymous row (its generation still counts as seen).
        await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE contact SET
                name = CASE WHEN erased_at IS NULL THEN @Name ELSE name END,
                email = CASE WHEN erased_at IS NULL THEN @Email ELSE email END,
                role = CASE WHEN erased_at IS NULL THEN @Role ELSE role END,
                organisation_id = @OrganisationId,
                opted_out_at = COALESCE(opted_out_at, @OptedOutAt),
                dataverse_generation = @Generation, removed_at = NULL, updated_at = @At
            WHERE dataverse_id = @DataverseId
            """, updates, tx, cancellationToken: ct));
        var removed = await MarkRemovedAsync(c, tx, "contact", deleted, at, ct);
        removed += await FinishPageAsync(c, tx, CrmTable.Contacts, "contact", state, nextLink, deltaLink, at, ct);
        await tx.CommitAsync(ct);
        return new CrmPageResult(inserts.Count, updates.Count, removed, failed);
    }

    private async Task<HashSet<string>> ExistingAsync(DbConnection c, DbTransaction tx, string table, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in ids.Select(Text).Chunk(1000))
        {
            found.UnionWith(await c.QueryAsync<string>(new CommandDefinition(
                $"SELECT dataverse_id FROM {table} WHERE dataverse_id {In("@chunk")}", new { chunk }, tx, cancellationToken: ct)));
        }

        return found;
    }

    private static async Task<int> MarkRemovedAsync(DbConnection c, DbTransaction tx, string table, IReadOnlyList<Guid> deleted, DateTimeOffset at, CancellationToken ct)
    {
        if (deleted.Count == 0) return 0;
        return await c.ExecuteAsync(new CommandDefinition(
            $"UPDATE {table} SET removed_at = @At WHERE dataverse_id = @Id AND removed_at IS NULL",
            deleted.Select(id => new { Id = Text(id), At = at }), tx, cancellationToken: ct));
    }

    /// <summary>Stores where to continue; at the end of a full read, rows that read did not see were deleted meanwhile.</summary>
    private static async Task<int> FinishPageAsync(DbConnection c, DbTransaction tx, CrmTable table, string sqlTable, CrmSyncState state,
        string? nextLink, string? deltaLink, DateTimeOffset at, CancellationToken ct)
    {
        var swept = 0;
        var ended = nextLink is null;
        if (ended && state.FullReadInProgress)
        {
            swept = await c.ExecuteAsync(new CommandDefinition(
                $"""
                UPDATE {sqlTable} SET removed_at = @at
                WHERE dataverse_id IS NOT NULL AND removed_at IS NULL AND (dataverse_generation IS NULL OR dataverse_generation < @generation)
                """,
                new { at, generation = state.Generation }, tx, cancellationToken: ct));
        }

        await WriteStateAsync(c, tx, table,
            ended ? new CrmSyncState(null, deltaLink, state.Generation, false) : state with { NextLink = nextLink },
            at, ct);
        return swept;
    }

    /// <summary>Dapper expands a list into parameters on SQLite; Npgsql takes it as one array parameter.</summary>
    private string In(string parameter) => db.IsSqlite ? $"IN {parameter}" : $"= ANY({parameter})";

    private static string Text(Guid id) => id.ToString("D");

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..length];

    /// <summary>Dataverse's address1_country is free text; ISO codes and the Dutch and English names of the Netherlands are understood.</summary>
    private static string? Country(string? value)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        if (text.Length == 2 && text.All(char.IsAsciiLetter)) return text.ToUpperInvariant();
        return text.ToLowerInvariant() switch
        {
            "netherlands" or "the netherlands" or "nederland" or "holland" => "NL",
            "belgium" or "belgië" or "belgie" => "BE",
            "germany" or "duitsland" or "deutschland" => "DE",
            _ => null,
        };
    }

    private sealed class StateRow
    {
        public string? NextLink { get; init; }
        public string? DeltaLink { get; init; }
        public long Generation { get; init; }
        public bool FullRead { get; init; }
    }
}
