using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using Outreach.Core.Audit;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Storage;

/// <summary>
/// Network events and invitations on SQLite or PostgreSQL. Every change raises the event's version inside its transaction
/// and is refused when the version moved, so the capacity rules always decide on the current invitations. The store writes
/// its own tables (<see cref="IEventChangeStore"/>); what follows from a change (notices, write-back) is the Core cascade
/// <see cref="EventChanges"/>, which <see cref="AddEventAsync"/> and <see cref="ApplyAsync"/> run over this database's
/// stores in one unit of work, so every caller of the port gets the whole change.
/// </summary>
public sealed class SqlEventStore(Database db, IAuditActor? actor = null) : IEventStore, IEventChangeStore
{
    private readonly IAuditActor auditActor = actor ?? new AmbientAuditActor();

    private EventChanges? changes;

    private EventChanges Changes => changes ??= new EventChanges(this, new SqlEventNoticeOutbox(db), new SqlWriteBackOutbox(db), new SqlUnitOfWork(db));

    public Task<NetworkEvent> AddEventAsync(NetworkEvent networkEvent, CancellationToken ct) => Changes.AddEventAsync(networkEvent, ct);

    public Task<(NetworkEvent Event, IReadOnlyList<Invitation> Invitations)> ApplyAsync(EventChange change, CancellationToken ct) => Changes.ApplyAsync(change, ct);

    private const string EventColumns =
        "id AS Id, title AS Title, covenant_id AS CovenantId, host_organisation_id AS HostOrganisationId, format AS Format, venue AS Venue, online_join_url AS OnlineJoinUrl, starts_at AS StartsAt, ends_at AS EndsAt, capacity AS Capacity, registration_deadline AS RegistrationDeadline, description_nl AS DescriptionNl, description_en AS DescriptionEn, status AS Status, uid AS Uid, sequence AS Sequence, version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt";

    private const string InvitationColumns =
        "i.id AS Id, i.event_id AS EventId, i.contact_id AS ContactId, i.response AS Response, i.responded_at AS RespondedAt, i.place AS Place, i.waitlist_number AS WaitlistNumber, i.place_offered_until AS PlaceOfferedUntil, i.checked_in_at AS CheckedInAt, i.attended_online AS AttendedOnline, i.walk_in AS WalkIn, i.invited_at AS InvitedAt";

    public async Task<NetworkEvent> InsertEventAsync(NetworkEvent networkEvent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(networkEvent);
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        var row = await c.QuerySingleAsync<EventRow>(new CommandDefinition(
            $"""
            INSERT INTO network_event (title, covenant_id, host_organisation_id, format, venue, online_join_url, starts_at, ends_at, capacity, registration_deadline,
                                       description_nl, description_en, status, uid, sequence, version, created_at, updated_at)
            VALUES (@Title, @CovenantId, @HostOrganisationId, @Format, @Venue, @OnlineJoinUrl, @StartsAt, @EndsAt, @Capacity, @RegistrationDeadline,
                    @DescriptionNl, @DescriptionEn, @Status, @Uid, @Sequence, 1, @CreatedAt, @UpdatedAt)
            RETURNING {EventColumns}
            """, EventParameters(networkEvent), tx, cancellationToken: ct));
        var created = row.ToDomain();
        await SqlAudit.AppendAsync(c, tx, created.CreatedAt, auditActor.Name,
            new AuditRecord(AuditEntities.Event, Id(created.Id), "created", EventDiff(null, created)), ct);
        await work.CommitAsync(ct);
        return created;
    }

    private static object EventParameters(NetworkEvent e) => new
    {
        e.Id, e.Title, e.CovenantId, e.HostOrganisationId, Format = e.Format.Code(), e.Venue, e.OnlineJoinUrl, e.StartsAt, e.EndsAt, e.Capacity,
        e.RegistrationDeadline, e.DescriptionNl, e.DescriptionEn, Status = e.Status.Code(), e.Uid, e.Sequence, e.CreatedAt, e.UpdatedAt,
    };

    public async Task<NetworkEvent?> GetEventAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<EventRow>(new CommandDefinition(
            $"SELECT {EventColumns} FROM network_event WHERE id = @id", new { id }, cancellationToken: ct)))?.ToDomain();
    }

    public async Task<IReadOnlyList<NetworkEvent>> ListEventsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<EventRow>(new CommandDefinition(
            $"SELECT {EventColumns} FROM network_event ORDER BY starts_at DESC, id DESC", cancellationToken: ct))).Select(r => r.ToDomain()).ToList();
    }

    public async Task<IReadOnlyList<Invitation>> ListInvitationsAsync(long eventId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await ReadInvitationsAsync(c, null, eventId, ct);
    }

    private static async Task<IReadOnlyList<Invitation>> ReadInvitationsAsync(DbConnection c, DbTransaction? tx, long eventId, CancellationToken ct) =>
        (await c.QueryAsync<InvitationRow>(new CommandDefinition(
            $"SELECT {InvitationColumns} FROM invitation i WHERE i.event_id = @eventId ORDER BY i.id", new { eventId }, tx, cancellationToken: ct)))
        .Select(r => r.ToDomain()).ToList();

    public async Task<IReadOnlyList<InvitationView>> ListInvitationViewsAsync(long eventId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<InvitationViewRow>(new CommandDefinition(
            $"""
            SELECT {InvitationColumns}, k.name AS ContactName, k.email AS Email, o.id AS OrganisationId, o.name AS OrganisationName, k.erased_at AS ErasedAt
            FROM invitation i JOIN contact k ON k.id = i.contact_id JOIN organisation o ON o.id = k.organisation_id
            WHERE i.event_id = @eventId ORDER BY {db.OrderByFolded("k.name")}, i.id
            """, new { eventId }, cancellationToken: ct));
        return rows.Select(r => new InvitationView(r.ToDomain(), r.ContactName, r.Email, r.OrganisationId, r.OrganisationName, r.ErasedAt is not null)).ToList();
    }

    public async Task<IReadOnlyList<ContactEventHistory>> ListForContactAsync(long contactId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<HistoryRow>(new CommandDefinition(
            $"""
            SELECT {InvitationColumns}, e.title AS EventTitle, e.starts_at AS EventStartsAt, e.status AS EventStatus
            FROM invitation i JOIN network_event e ON e.id = i.event_id
            WHERE i.contact_id = @contactId ORDER BY e.starts_at DESC, i.id
            """, new { contactId }, cancellationToken: ct));
        return rows.Select(r => new ContactEventHistory(r.ToDomain(), r.EventTitle, r.EventStartsAt, EventStatuses.Parse(r.EventStatus))).ToList();
    }

    public async Task<IReadOnlyList<ContactEventHistory>> ListForOrganisationAsync(long organisationId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<HistoryRow>(new CommandDefinition(
            $"""
            SELECT {InvitationColumns}, e.title AS EventTitle, e.starts_at AS EventStartsAt, e.status AS EventStatus
            FROM invitation i JOIN network_event e ON e.id = i.event_id JOIN contact k ON k.id = i.contact_id
            WHERE k.organisation_id = @organisationId ORDER BY e.starts_at DESC, i.id
            """, new { organisationId }, cancellationToken: ct));
        return rows.Select(r => new ContactEventHistory(r.ToDomain(), r.EventTitle, r.EventStartsAt, Enum.Parse<EventStatus>(r.EventStatus, ignoreCase: true))).ToList();
    }

    public async Task<IReadOnlyList<Invitation>> ListAllInvitationsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<InvitationRow>(new CommandDefinition(
            $"SELECT {InvitationColumns} FROM invitation i ORDER BY i.event_id, i.id", cancellationToken: ct))).Select(r => r.ToDomain()).ToList();
    }

    public async Task<StoredEventChange> SaveChangeAsync(EventChange change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var e = change.Event;
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        var before = (await c.QuerySingleOrDefaultAsync<EventRow>(new CommandDefinition(
            $"SELECT {EventColumns} FROM network_event WHERE id = @Id", new { e.Id }, tx, cancellationToken: ct)))?.ToDomain();
        if (before is null || before.Version != change.ExpectedVersion) throw new ConcurrentEventChangeException(e.Id);
        // The version in the WHERE clause too: on PostgreSQL a concurrent writer waits for the row lock and then finds
        // the version moved, so two answers can never both take the last place.
        var parameters = new DynamicParameters(EventParameters(e with { UpdatedAt = change.At }));
        parameters.Add("ExpectedVersion", change.ExpectedVersion);
        var row = await c.QuerySingleOrDefaultAsync<EventRow>(new CommandDefinition(
            $"""
            UPDATE network_event SET title = @Title, covenant_id = @CovenantId, host_organisation_id = @HostOrganisationId, format = @Format, venue = @Venue,
                online_join_url = @OnlineJoinUrl, starts_at = @StartsAt, ends_at = @EndsAt, capacity = @Capacity, registration_deadline = @RegistrationDeadline,
                description_nl = @DescriptionNl, description_en = @DescriptionEn, status = @Status, sequence = @Sequence, version = version + 1, updated_at = @UpdatedAt
            WHERE id = @Id AND version = @ExpectedVersion
            RETURNING {EventColumns}
            """, parameters, tx, cancellationToken: ct))
            ?? throw new ConcurrentEventChangeException(e.Id);
        var after = row.ToDomain();
        var eventChanges = EventDiff(before, after);
        if (eventChanges.Count > 0)
            await SqlAudit.AppendAsync(c, tx, change.At, auditActor.Name, new AuditRecord(AuditEntities.Event, Id(after.Id), change.Action, eventChanges), ct);

        var old = (await ReadInvitationsAsync(c, tx, e.Id, ct)).ToDictionary(i => i.Id);
        var stored = new List<Invitation>();
        foreach (var inv in change.Invitations)
        {
            var p = new
            {
                inv.Id, EventId = e.Id, inv.ContactId, Response = inv.Response.Code(), inv.RespondedAt, Place = inv.Place.Code(), inv.WaitlistNumber, inv.PlaceOfferedUntil,
                inv.CheckedInAt, inv.AttendedOnline, inv.WalkIn, inv.InvitedAt,
            };
            InvitationRow saved;
            if (inv.Id == 0)
            {
                saved = await c.QuerySingleAsync<InvitationRow>(new CommandDefinition(
                    $"""
                    INSERT INTO invitation (event_id, contact_id, response, responded_at, place, waitlist_number, place_offered_until, checked_in_at, attended_online, walk_in, invited_at)
                    VALUES (@EventId, @ContactId, @Response, @RespondedAt, @Place, @WaitlistNumber, @PlaceOfferedUntil, @CheckedInAt, @AttendedOnline, @WalkIn, @InvitedAt)
                    RETURNING {InvitationColumns.Replace("i.", "", StringComparison.Ordinal)}
                    """, p, tx, cancellationToken: ct));
            }
            else
            {
                if (!old.ContainsKey(inv.Id)) throw new ConcurrentEventChangeException(e.Id);
                saved = await c.QuerySingleAsync<InvitationRow>(new CommandDefinition(
                    $"""
                    UPDATE invitation SET response = @Response, responded_at = @RespondedAt, place = @Place, waitlist_number = @WaitlistNumber,
                        place_offered_until = @PlaceOfferedUntil, checked_in_at = @CheckedInAt, attended_online = @AttendedOnline
                    WHERE id = @Id AND event_id = @EventId
                    RETURNING {InvitationColumns.Replace("i.", "", StringComparison.Ordinal)}
                    """, p, tx, cancellationToken: ct));
            }

            var now = saved.ToDomain();
            stored.Add(now);
            var diff = InvitationDiff(old.GetValueOrDefault(now.Id), now);
            if (diff.Count > 0)
            {
                await SqlAudit.AppendAsync(c, tx, change.At, auditActor.Name,
                    new AuditRecord(AuditEntities.Invitation, Id(now.Id), inv.Id == 0 ? (now.WalkIn ? "walk-in" : "invited") : change.Action, diff) { ContactId = now.ContactId }, ct);
            }
        }

        await work.CommitAsync(ct);
        return new StoredEventChange(before, after, old.Values.ToList(), stored);
    }

    public async Task<IReadOnlyList<InviteCandidate>> ListInviteCandidatesAsync(InviteSelection selection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var p = new DynamicParameters();
        var parts = new List<string>();
        if (selection.Filter is { } filter)
        {
            var where = new StringBuilder("e.organisation_id = k.organisation_id");
            if (filter.CovenantId is { } covenant) { where.Append(" AND e.covenant_id = @CovenantId"); p.Add("CovenantId", covenant); }
            if (!string.IsNullOrWhiteSpace(filter.Sector)) { where.Append(" AND o.sector = @Sector"); p.Add("Sector", filter.Sector.Trim()); }
            if (filter.PartyKind is { } kind) { where.Append(" AND o.party_kind = @PartyKind"); p.Add("PartyKind", kind.Code()); }
            if (!string.IsNullOrWhiteSpace(filter.Owner)) { where.Append(" AND o.owner = @Owner"); p.Add("Owner", filter.Owner.Trim()); }
            if (filter.Stage is { } stage) { where.Append(" AND e.stage = @Stage"); p.Add("Stage", stage.Code()); }
            parts.Add($"EXISTS (SELECT 1 FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id WHERE {where} AND o.removed_at IS NULL)");
        }

        var ids = selection.ContactIds.Distinct().ToArray();
        if (ids.Length > 0)
        {
            parts.Add(db.Dialect.InList("k.id", "@Ids"));
            p.Add("Ids", db.Dialect.List(ids));
        }

        if (parts.Count == 0) return [];
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<CandidateRow>(new CommandDefinition(
            $"""
            SELECT k.id AS ContactId, k.opted_out_at AS OptedOutAt, k.erased_at AS ErasedAt, k.bounced_at AS BouncedAt
            FROM contact k
            WHERE {string.Join(" OR ", parts.Select(x => "(" + x + ")"))}
            ORDER BY k.id
            """, p, cancellationToken: ct));
        return rows.Select(r => new InviteCandidate(r.ContactId, r.OptedOutAt is not null, r.BouncedAt is not null, r.ErasedAt is not null)).ToList();
    }

    public async Task<IReadOnlyList<ContactChoice>> SearchContactChoicesAsync(long? notInvitedTo, string query, int max, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (string.IsNullOrWhiteSpace(query) || max <= 0) return [];
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ContactChoice>(new CommandDefinition(
            $"""
            SELECT k.id AS ContactId, k.name AS Name, k.email AS Email, o.id AS OrganisationId, o.name AS OrganisationName
            FROM contact k JOIN organisation o ON o.id = k.organisation_id
            WHERE k.erased_at IS NULL AND o.removed_at IS NULL
              AND ({Database.ContainsIgnoreCase("k.name", "@Text")} OR {Database.ContainsIgnoreCase("k.email", "@Text")} OR {Database.ContainsIgnoreCase("o.name", "@Text")})
              {(notInvitedTo is null ? "" : "AND NOT EXISTS (SELECT 1 FROM invitation i WHERE i.event_id = @eventId AND i.contact_id = k.id)")}
            ORDER BY {db.OrderByFolded("o.name")}, {db.OrderByFolded("k.name")}, k.id
            LIMIT @max
            """, new { Text = Database.EscapeLike(query.Trim()), eventId = notInvitedTo, max }, cancellationToken: ct))).ToList();
    }

    public async Task<IReadOnlyList<ContactChoice>> ListContactChoicesAsync(IReadOnlyList<long> contactIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(contactIds);
        if (contactIds.Count == 0) return [];
        await using var c = await db.OpenAsync(ct);
        var rows = (await c.QueryAsync<ContactChoice>(new CommandDefinition(
            $"""
            SELECT k.id AS ContactId, k.name AS Name, k.email AS Email, o.id AS OrganisationId, o.name AS OrganisationName
            FROM contact k JOIN organisation o ON o.id = k.organisation_id
            WHERE {db.Dialect.InList("k.id", "@Ids")}
            """, new { Ids = db.Dialect.List(contactIds.Distinct()) }, cancellationToken: ct))).ToDictionary(r => r.ContactId);
        return [.. contactIds.Where(rows.ContainsKey).Select(id => rows[id])];
    }

    public async Task<IReadOnlyList<ContactChoice>> ListContactChoicesAsync(long covenantId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ContactChoice>(new CommandDefinition(
            $"""
            SELECT k.id AS ContactId, k.name AS Name, k.email AS Email, o.id AS OrganisationId, o.name AS OrganisationName
            FROM contact k JOIN organisation o ON o.id = k.organisation_id
            WHERE k.erased_at IS NULL AND EXISTS (SELECT 1 FROM pipeline_entry e WHERE e.organisation_id = o.id AND e.covenant_id = @covenantId)
            ORDER BY {db.OrderByFolded("o.name")}, {db.OrderByFolded("k.name")}, k.id
            """, new { covenantId }, cancellationToken: ct))).ToList();
    }

    public async Task<IReadOnlyList<NetworkEvent>> ListStartingAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken ct) =>
        await ListWhereAsync("starts_at >= @from AND starts_at < @until", from, until, ct);

    public async Task<IReadOnlyList<NetworkEvent>> ListEndedAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken ct) =>
        await ListWhereAsync("ends_at >= @from AND ends_at < @until", from, until, ct);

    private async Task<IReadOnlyList<NetworkEvent>> ListWhereAsync(string where, DateTimeOffset from, DateTimeOffset until, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<EventRow>(new CommandDefinition(
            $"SELECT {EventColumns} FROM network_event WHERE status = @scheduled AND {where} ORDER BY starts_at, id", new { from, until, scheduled = EventStatus.Scheduled.Code() }, cancellationToken: ct)))
            .Select(r => r.ToDomain()).ToList();
    }

    public async Task<IReadOnlyList<long>> ListWithLapsedOffersAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<long>(new CommandDefinition(
            "SELECT DISTINCT event_id FROM invitation WHERE place = @offered AND place_offered_until < @now ORDER BY event_id", new { now, offered = PlaceStatus.Offered.Code() }, cancellationToken: ct))).ToList();
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Instant(DateTimeOffset? at) => AuditDiff.Instant(at) ?? "";

    private static List<AuditChange> EventDiff(NetworkEvent? before, NetworkEvent after)
    {
        var changes = new List<AuditChange>();
        void Add(string field, string? b, string? a)
        {
            if (before is null ? !string.IsNullOrEmpty(a) : b != a) changes.Add(new AuditChange(field, before is null ? null : b, a));
        }

        Add("title", before?.Title, after.Title);
        Add("format", before is null ? null : before.Format.Code(), after.Format.Code());
        Add("venue", before?.Venue, after.Venue);
        Add("online_join_url", before?.OnlineJoinUrl, after.OnlineJoinUrl);
        Add("starts_at", Instant(before?.StartsAt), Instant(after.StartsAt));
        Add("ends_at", Instant(before?.EndsAt), Instant(after.EndsAt));
        Add("capacity", before?.Capacity.ToString(CultureInfo.InvariantCulture), after.Capacity.ToString(CultureInfo.InvariantCulture));
        Add("registration_deadline", Instant(before?.RegistrationDeadline), Instant(after.RegistrationDeadline));
        Add("status", before is null ? null : before.Status.Code(), after.Status.Code());
        Add("sequence", before?.Sequence.ToString(CultureInfo.InvariantCulture), after.Sequence.ToString(CultureInfo.InvariantCulture));
        return changes;
    }

    private static List<AuditChange> InvitationDiff(Invitation? before, Invitation after)
    {
        var changes = new List<AuditChange>();
        void Add(string field, string? b, string a)
        {
            if (b != a) changes.Add(new AuditChange(field, b, a));
        }

        Add("event", before?.EventId.ToString(CultureInfo.InvariantCulture), after.EventId.ToString(CultureInfo.InvariantCulture));
        Add("response", before is null ? null : before.Response.Code(), after.Response.Code());
        Add("place", before is null ? null : before.Place.Code(), after.Place.Code());
        Add("checked_in_at", before is null ? null : Instant(before.CheckedInAt), Instant(after.CheckedInAt));
        Add("attended_online", before?.AttendedOnline.ToString(), after.AttendedOnline.ToString());
        return changes;
    }

    private sealed class EventRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public long CovenantId { get; init; }
        public long? HostOrganisationId { get; init; }
        public string Format { get; init; } = "";
        public string? Venue { get; init; }
        public string? OnlineJoinUrl { get; init; }
        public DateTimeOffset StartsAt { get; init; }
        public DateTimeOffset EndsAt { get; init; }
        public int Capacity { get; init; }
        public DateTimeOffset RegistrationDeadline { get; init; }
        public string DescriptionNl { get; init; } = "";
        public string DescriptionEn { get; init; } = "";
        public string Status { get; init; } = "";
        public string Uid { get; init; } = "";
        public int Sequence { get; init; }
        public int Version { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }

        public NetworkEvent ToDomain() => new()
        {
            Id = Id, Title = Title, CovenantId = CovenantId, HostOrganisationId = HostOrganisationId, Format = EventFormats.Parse(Format),
            Venue = Venue, OnlineJoinUrl = OnlineJoinUrl, StartsAt = StartsAt, EndsAt = EndsAt, Capacity = Capacity, RegistrationDeadline = RegistrationDeadline,
            DescriptionNl = DescriptionNl, DescriptionEn = DescriptionEn, Status = EventStatuses.Parse(Status), Uid = Uid, Sequence = Sequence,
            Version = Version, CreatedAt = CreatedAt, UpdatedAt = UpdatedAt,
        };
    }

    private class InvitationRow
    {
        public long Id { get; init; }
        public long EventId { get; init; }
        public long ContactId { get; init; }
        public string Response { get; init; } = "";
        public DateTimeOffset? RespondedAt { get; init; }
        public string Place { get; init; } = "";
        public long? WaitlistNumber { get; init; }
        public DateTimeOffset? PlaceOfferedUntil { get; init; }
        public DateTimeOffset? CheckedInAt { get; init; }
        public bool AttendedOnline { get; init; }
        public bool WalkIn { get; init; }
        public DateTimeOffset InvitedAt { get; init; }

        public Invitation ToDomain() => new()
        {
            Id = Id, EventId = EventId, ContactId = ContactId, Response = InvitationResponses.Parse(Response), RespondedAt = RespondedAt,
            Place = PlaceStatuses.Parse(Place), WaitlistNumber = WaitlistNumber, PlaceOfferedUntil = PlaceOfferedUntil,
            CheckedInAt = CheckedInAt, AttendedOnline = AttendedOnline, WalkIn = WalkIn, InvitedAt = InvitedAt,
        };
    }

    private sealed class InvitationViewRow : InvitationRow
    {
        public string ContactName { get; init; } = "";
        public string Email { get; init; } = "";
        public long OrganisationId { get; init; }
        public string OrganisationName { get; init; } = "";
        public DateTimeOffset? ErasedAt { get; init; }
    }

    private sealed class HistoryRow : InvitationRow
    {
        public string EventTitle { get; init; } = "";
        public DateTimeOffset EventStartsAt { get; init; }
        public string EventStatus { get; init; } = "";
    }

    private sealed class CandidateRow
    {
        public long ContactId { get; init; }
        public DateTimeOffset? OptedOutAt { get; init; }
        public DateTimeOffset? ErasedAt { get; init; }
        public DateTimeOffset? BouncedAt { get; init; }
    }
}
