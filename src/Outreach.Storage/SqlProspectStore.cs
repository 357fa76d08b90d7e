using Dapper;
using Outreach.Core.Audit;
using Outreach.Core.Prospects;

namespace Outreach.Storage;

/// <summary>Organisations, contacts and covenants on SQLite or PostgreSQL (the SQL is shared; <see cref="Database"/> knows the engine).</summary>
public sealed class SqlProspectStore(Database db, TimeProvider clock, IAuditActor? actor = null) : IProspectStore
{
    private readonly IAuditActor auditActor = actor ?? new AmbientAuditActor();

    internal const string OrganisationColumns =
        "id AS Id, name AS Name, party_kind AS PartyKind, sector AS Sector, country AS Country, kvk_number AS KvkNumber, website_domain AS WebsiteDomain, owner AS Owner, created_at AS CreatedAt, updated_at AS UpdatedAt, removed_at AS RemovedAt, dataverse_id AS DataverseId";

    internal const string ContactColumns =
        "id AS Id, organisation_id AS OrganisationId, name AS Name, email AS Email, language AS Language, role AS Role, opted_out_at AS OptedOutAt, lawful_basis AS LawfulBasis, source AS Source, erased_at AS ErasedAt, bounced_at AS BouncedAt";

    public async Task<IReadOnlyList<Covenant>> ListCovenantsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<CovenantRow>(new CommandDefinition(
            $"SELECT id AS Id, code AS Code, name AS Name, starts_on AS StartsOn, ends_on AS EndsOn FROM covenant ORDER BY {db.OrderByFolded("name")}, id", cancellationToken: ct));
        return rows.Select(r => new Covenant(r.Id, r.Code, r.Name, r.StartsOn, r.EndsOn)).ToList();
    }

    public async Task<Covenant> AddCovenantAsync(string code, string name, DateOnly startsOn, DateOnly endsOn, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO covenant (code, name, starts_on, ends_on) VALUES (@code, @name, @startsOn, @endsOn) RETURNING id",
            new { code, name, startsOn, endsOn }, tx, cancellationToken: ct));
        await SqlAudit.AppendAsync(c, tx, clock.GetUtcNow(), auditActor.Name, new AuditRecord(AuditEntities.Covenant, id.ToString(System.Globalization.CultureInfo.InvariantCulture), "created",
            [new("code", null, code), new("name", null, name), new("starts_on", null, AuditDiff.Date(startsOn)), new("ends_on", null, AuditDiff.Date(endsOn))]), ct);
        await tx.CommitAsync(ct);
        return new Covenant(id, code, name, startsOn, endsOn);
    }

    /// <summary>Joins a running unit of work (a new prospect: the organisation with its first entry).</summary>
    public async Task<Organisation> AddOrganisationAsync(OrganisationDraft draft, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        var now = clock.GetUtcNow();
        var organisation = await InsertOrganisationAsync(c, tx, draft, now, ct);
        await AuditOrganisationAsync(c, tx, now, auditActor.Name, "created", null, organisation, ct);
        await work.CommitAsync(ct);
        return organisation;
    }

    internal static async Task<Organisation> InsertOrganisationAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, OrganisationDraft draft, DateTimeOffset now, CancellationToken ct)
    {
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO organisation (name, normalised_name, party_kind, sector, country, kvk_number, website_domain, owner, created_at, updated_at)
            VALUES (@Name, @NormalisedName, @PartyKind, @Sector, @Country, @KvkNumber, @WebsiteDomain, @Owner, @Now, @Now)
            RETURNING id
            """,
            OrganisationParameters(draft, now), tx, cancellationToken: ct));
        return ToOrganisation(id, draft, now, now);
    }

    private static Task AuditOrganisationAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, DateTimeOffset at, string actor, string action, Organisation? before, Organisation after, CancellationToken ct)
    {
        var changes = AuditDiff.Organisation(before, after);
        return changes.Count == 0 ? Task.CompletedTask
            : SqlAudit.AppendAsync(c, tx, at, actor, new AuditRecord(AuditEntities.Organisation, after.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), action, changes), ct);
    }

    private static Task AuditContactAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, DateTimeOffset at, string actor, string action, Contact? before, Contact after, CancellationToken ct)
    {
        var changes = AuditDiff.Contact(before, after);
        return changes.Count == 0 ? Task.CompletedTask
            : SqlAudit.AppendAsync(c, tx, at, actor, new AuditRecord(AuditEntities.Contact, after.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), action, changes) { ContactId = after.Id }, ct);
    }

    public async Task<Organisation?> UpdateOrganisationAsync(long id, OrganisationDraft draft, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var before = (await c.QuerySingleOrDefaultAsync<OrganisationRow>(new CommandDefinition(
            $"SELECT {OrganisationColumns} FROM organisation WHERE id = @id{db.ForUpdate}", new { id }, tx, cancellationToken: ct)))?.ToDomain();
        if (before is null) return null;
        var parameters = OrganisationParameters(draft, now);
        parameters.Add("Id", id);
        await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE organisation SET name = @Name, normalised_name = @NormalisedName, party_kind = @PartyKind, sector = @Sector,
                country = @Country, kvk_number = @KvkNumber, website_domain = @WebsiteDomain, owner = @Owner, updated_at = @Now
            WHERE id = @Id
            """,
            parameters, tx, cancellationToken: ct));
        var after = ToOrganisation(id, draft, before.CreatedAt, now) with { DataverseId = before.DataverseId };
        await AuditOrganisationAsync(c, tx, now, auditActor.Name, "updated", before, after, ct);
        await tx.CommitAsync(ct);
        return after;
    }

    public async Task<Organisation?> GetOrganisationAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<OrganisationRow>(new CommandDefinition(
            $"SELECT {OrganisationColumns} FROM organisation WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToDomain();
    }

    public async Task<IReadOnlyList<OrganisationKeys>> FindDuplicateCandidatesAsync(OrganisationDraft draft, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<OrganisationKeys>(new CommandDefinition(
            """
            SELECT id AS Id, name AS Name, normalised_name AS NormalisedName, kvk_number AS KvkNumber, website_domain AS WebsiteDomain
            FROM organisation
            WHERE (kvk_number IS NOT NULL AND kvk_number = @Kvk) OR (website_domain IS NOT NULL AND website_domain = @Domain) OR normalised_name = @NormalisedName
            ORDER BY id
            LIMIT 20
            """,
            new { Kvk = Normalise.KvkNumber(draft.KvkNumber), Domain = Normalise.WebsiteDomain(draft.Website), NormalisedName = Normalise.OrganisationName(draft.Name) },
            cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<IReadOnlyList<OrganisationKeys>> ListOrganisationKeysAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<OrganisationKeys>(new CommandDefinition(
            "SELECT id AS Id, name AS Name, normalised_name AS NormalisedName, kvk_number AS KvkNumber, website_domain AS WebsiteDomain FROM organisation ORDER BY id",
            cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<Contact> AddContactAsync(long organisationId, ContactDraft draft, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var now = clock.GetUtcNow();
        var contact = await InsertContactAsync(c, tx, organisationId, draft, now, ct);
        await AuditContactAsync(c, tx, now, auditActor.Name, "created", null, contact, ct);
        await tx.CommitAsync(ct);
        return contact;
    }

    internal static async Task<Contact> InsertContactAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, long organisationId, ContactDraft draft, DateTimeOffset now, CancellationToken ct)
    {
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO contact (organisation_id, name, email, language, role, lawful_basis, source, created_at, updated_at)
            VALUES (@OrganisationId, @Name, @Email, @Language, @Role, @LawfulBasis, @Source, @Now, @Now)
            RETURNING id
            """,
            new { OrganisationId = organisationId, draft.Name, draft.Email, Language = draft.Language.Code(), draft.Role, LawfulBasis = draft.LawfulBasis.Code(), draft.Source, Now = now }, tx, cancellationToken: ct));
        return new Contact { Id = id, OrganisationId = organisationId, Name = draft.Name, Email = draft.Email, Language = draft.Language, Role = draft.Role, LawfulBasis = draft.LawfulBasis, Source = draft.Source };
    }

    public Task<Contact?> UpdateContactAsync(long contactId, ContactDraft draft, CancellationToken ct) =>
        ChangeContactAsync(contactId, "updated", (c, tx, now) => c.QuerySingleOrDefaultAsync<ContactRow>(new CommandDefinition(
            $"""
            UPDATE contact SET name = @Name, email = @Email, language = @Language, role = @Role, lawful_basis = @LawfulBasis, source = @Source, updated_at = @Now,
                bounced_at = CASE WHEN email = @Email THEN bounced_at ELSE NULL END
            WHERE id = @Id AND erased_at IS NULL
            RETURNING {ContactColumns}
            """,
            new { Id = contactId, draft.Name, draft.Email, Language = draft.Language.Code(), draft.Role, LawfulBasis = draft.LawfulBasis.Code(), draft.Source, Now = now }, tx, cancellationToken: ct)), ct);

    /// <summary>Reads the contact, applies one UPDATE … RETURNING and records the difference, all in one write transaction.</summary>
    private async Task<Contact?> ChangeContactAsync(
        long contactId, string action, Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, DateTimeOffset, Task<ContactRow?>> update, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        var before = await ReadContactAsync(c, tx, contactId, ct);
        if (before is null) return null;
        var after = (await update(c, tx, now))?.ToDomain();
        if (after is null) return null;
        await AuditContactAsync(c, tx, now, auditActor.Name, action, before, after, ct);
        await work.CommitAsync(ct);
        return after;
    }

    private async Task<Contact?> ReadContactAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, long contactId, CancellationToken ct) =>
        (await c.QuerySingleOrDefaultAsync<ContactRow>(new CommandDefinition(
            $"SELECT {ContactColumns} FROM contact WHERE id = @contactId{db.ForUpdate}", new { contactId }, tx, cancellationToken: ct)))?.ToDomain();

    public async Task<Contact?> GetContactAsync(long contactId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<ContactRow>(new CommandDefinition(
            $"SELECT {ContactColumns} FROM contact WHERE id = @contactId", new { contactId }, cancellationToken: ct));
        return row?.ToDomain();
    }

    public Task<Contact?> SetOptedOutAsync(long contactId, DateTimeOffset? at, CancellationToken ct) =>
        ChangeContactAsync(contactId, at is null ? "opt_out_cleared" : "opted_out", (c, tx, now) => c.QuerySingleOrDefaultAsync<ContactRow>(new CommandDefinition(
            $"""
            UPDATE contact SET opted_out_at = CASE WHEN @OptOut THEN COALESCE(opted_out_at, @At) ELSE NULL END, updated_at = @Now
            WHERE id = @contactId
            RETURNING {ContactColumns}
            """,
            new { contactId, OptOut = at is not null, At = at ?? now, Now = now }, tx, cancellationToken: ct)), ct);

    public async Task<ErasedContact?> EraseContactAsync(long contactId, DateTimeOffset at, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        var before = await ReadContactAsync(c, tx, contactId, ct);
        if (before is null) return null;
        var row = await c.QuerySingleAsync<ContactRow>(new CommandDefinition(
            $"""
            UPDATE contact SET name = @Name, email = @Email, role = NULL, source = NULL,
                opted_out_at = COALESCE(opted_out_at, @at), erased_at = COALESCE(erased_at, @at), updated_at = @at
            WHERE id = @contactId
            RETURNING {ContactColumns}
            """,
            new { contactId, at, Name = $"Erased contact {contactId}", Email = $"erased-{contactId}@erased.invalid" }, tx, cancellationToken: ct));
        var after = row.ToDomain();
        if (before.ErasedAt is null)
        {
            // The address is kept only as a hash, so it is not imported again (ContactPrivacy erases the person elsewhere).
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO suppressed_address (email_hash, since) VALUES (@hash, @at) ON CONFLICT (email_hash) DO NOTHING",
                new { hash = Suppression.Hash(before.Email), at }, tx, cancellationToken: ct));
            // The erasure itself is recorded without the values it removed.
            await SqlAudit.AppendAsync(c, tx, at, auditActor.Name, new AuditRecord(AuditEntities.Contact, contactId.ToString(System.Globalization.CultureInfo.InvariantCulture), "erased",
                AuditDiff.Contact(before, after).Where(x => !x.Personal).ToList()), ct);
        }

        await work.CommitAsync(ct);
        return new ErasedContact(after, JustErased: before.ErasedAt is null);
    }

    public async Task<IReadOnlyList<Contact>> FindContactsByEmailAsync(string email, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(email);
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ContactRow>(new CommandDefinition(
            $"SELECT {ContactColumns} FROM contact WHERE fold(email) = fold(@email) AND erased_at IS NULL ORDER BY id", new { email = email.Trim() }, cancellationToken: ct)))
            .Select(r => r.ToDomain()).ToList();
    }

    public async Task<IReadOnlyList<Contact>> MarkBouncedAsync(string email, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(email);
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        var rows = (await c.QueryAsync<ContactRow>(new CommandDefinition(
            $"""
            UPDATE contact SET bounced_at = @at, updated_at = @at
            WHERE fold(email) = fold(@email) AND bounced_at IS NULL AND erased_at IS NULL
            RETURNING {ContactColumns}
            """,
            new { email = email.Trim(), at }, tx, cancellationToken: ct))).Select(r => r.ToDomain()).ToList();
        foreach (var contact in rows)
        {
            await SqlAudit.AppendAsync(c, tx, at, auditActor.Name, new AuditRecord(AuditEntities.Contact, contact.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "bounced",
                [new("bounced_at", null, AuditDiff.Instant(at))]), ct);
        }

        await work.CommitAsync(ct);
        return rows;
    }

    public async Task<bool> IsSuppressedAsync(string email, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM suppressed_address WHERE email_hash = @hash", new { hash = Suppression.Hash(email) }, cancellationToken: ct)) > 0;
    }

    public async Task<IReadOnlySet<string>> ListSuppressedHashesAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>(new CommandDefinition("SELECT email_hash FROM suppressed_address", cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<long>> ListContactsOfDeclinedBeforeAsync(DateTimeOffset declinedBefore, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<long>(new CommandDefinition(
            """
            SELECT k.id FROM contact k
            WHERE k.erased_at IS NULL
              AND EXISTS (SELECT 1 FROM pipeline_entry e WHERE e.organisation_id = k.organisation_id)
              AND NOT EXISTS (SELECT 1 FROM pipeline_entry e WHERE e.organisation_id = k.organisation_id
                              AND (e.stage <> @Declined OR e.stage_since >= @declinedBefore))
            ORDER BY k.id
            """,
            new { Declined = Core.Pipeline.Stages.Code(Core.Pipeline.Stage.Declined), declinedBefore }, cancellationToken: ct))).ToList();
    }

    public async Task<IReadOnlyList<Contact>> ListContactsAsync(long organisationId, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        var rows = await work.Connection.QueryAsync<ContactRow>(new CommandDefinition(
            $"SELECT {ContactColumns} FROM contact WHERE organisation_id = @organisationId ORDER BY {db.OrderByFolded("name")}, id", new { organisationId }, work.Transaction, cancellationToken: ct));
        return rows.Select(r => r.ToDomain()).ToList();
    }

    public async Task<IReadOnlyList<string>> ListOwnersAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>(new CommandDefinition($"SELECT owner FROM organisation GROUP BY owner ORDER BY {db.OrderByFolded("owner")}", cancellationToken: ct))).ToList();
    }

    public async Task<IReadOnlyList<string>> ListSectorsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>(new CommandDefinition($"SELECT sector FROM organisation GROUP BY sector ORDER BY {db.OrderByFolded("sector")}", cancellationToken: ct))).ToList();
    }

    private static DynamicParameters OrganisationParameters(OrganisationDraft draft, DateTimeOffset now)
    {
        var p = new DynamicParameters();
        p.Add("Name", draft.Name);
        p.Add("NormalisedName", Normalise.OrganisationName(draft.Name));
        p.Add("PartyKind", draft.PartyKind.Code());
        p.Add("Sector", draft.Sector);
        p.Add("Country", draft.Country);
        p.Add("KvkNumber", Normalise.KvkNumber(draft.KvkNumber));
        p.Add("WebsiteDomain", Normalise.WebsiteDomain(draft.Website));
        p.Add("Owner", draft.Owner);
        p.Add("Now", now);
        return p;
    }

    private static Organisation ToOrganisation(long id, OrganisationDraft draft, DateTimeOffset created, DateTimeOffset updated) => new()
    {
        Id = id,
        Name = draft.Name,
        PartyKind = draft.PartyKind,
        Sector = draft.Sector,
        Country = draft.Country,
        KvkNumber = Normalise.KvkNumber(draft.KvkNumber),
        WebsiteDomain = Normalise.WebsiteDomain(draft.Website),
        Owner = draft.Owner,
        CreatedAt = created,
        UpdatedAt = updated,
    };

    private sealed class CovenantRow
    {
        public long Id { get; init; }
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public DateOnly StartsOn { get; init; }
        public DateOnly EndsOn { get; init; }
    }

    internal sealed class OrganisationRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string PartyKind { get; init; } = "";
        public string Sector { get; init; } = "";
        public string Country { get; init; } = "";
        public string? KvkNumber { get; init; }
        public string? WebsiteDomain { get; init; }
        public string Owner { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public DateTimeOffset? RemovedAt { get; init; }
        public string? DataverseId { get; init; }

        public Organisation ToDomain() => new()
        {
            Id = Id, Name = Name, PartyKind = PartyKinds.Parse(PartyKind), Sector = Sector, Country = Country,
            KvkNumber = KvkNumber, WebsiteDomain = WebsiteDomain, Owner = Owner, CreatedAt = CreatedAt, UpdatedAt = UpdatedAt, RemovedAt = RemovedAt,
            DataverseId = DataverseId,
        };
    }

    internal sealed class ContactRow
    {
        public long Id { get; init; }
        public long OrganisationId { get; init; }
        public string Name { get; init; } = "";
        public string Email { get; init; } = "";
        public string Language { get; init; } = "";
        public string? Role { get; init; }
        public DateTimeOffset? OptedOutAt { get; init; }
        public string LawfulBasis { get; init; } = "";
        public string? Source { get; init; }
        public DateTimeOffset? ErasedAt { get; init; }
        public DateTimeOffset? BouncedAt { get; init; }

        public Contact ToDomain() => new()
        {
            BouncedAt = BouncedAt,
            LawfulBasis = LawfulBases.TryParse(LawfulBasis, out var basis) ? basis : Core.Prospects.LawfulBasis.LegitimateInterest, Source = Source, ErasedAt = ErasedAt,
            Id = Id, OrganisationId = OrganisationId, Name = Name, Email = Email, Language = ContactLanguages.Parse(Language), Role = Role, OptedOutAt = OptedOutAt,
        };
    }
}
