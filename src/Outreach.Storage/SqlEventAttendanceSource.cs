using Dapper;
using Outreach.Core.Events;
using Outreach.Core.Reports;

namespace Outreach.Storage;

/// <summary>
/// The conversion report's event attendance from what was recorded: one row per organisation and event where a contact
/// of the organisation attended (checked in at the door or joined online) a scheduled event that started before the end
/// of the report's period, in the report's covenant when it names one, and the organisation is a prospect under the
/// report's filters (a pipeline entry in the covenant; sector, party kind and owner of the organisation). The event
/// effect reads the organisations, the follow-through the events with their start and host party. Null while no
/// attendance was ever recorded, so the report says "not recorded" rather than "nobody came".
/// </summary>
public sealed class SqlEventAttendanceSource(Database db) : IEventAttendanceSource
{
    public async Task<EventAttendance?> LoadAsync(ReportQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var c = await db.OpenAsync(ct);
        var any = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM invitation WHERE checked_in_at IS NOT NULL OR attended_online = @yes LIMIT 1", new { yes = true }, cancellationToken: ct));
        if (any is null) return null;

        var p = new DynamicParameters(new { yes = true, query.End });
        var filters = new List<string>();
        // The pipeline entry's unique (organisation_id, covenant_id) index answers the prospect test per row.
        var prospect = "EXISTS (SELECT 1 FROM pipeline_entry pe WHERE pe.organisation_id = k.organisation_id";
        if (query.Covenants is { Count: > 0 } covenants)
        {
            filters.Add(db.Dialect.InList("e.covenant_id", "@Covenants"));
            prospect += " AND " + db.Dialect.InList("pe.covenant_id", "@Covenants");
            p.Add("Covenants", db.Dialect.List(covenants));
        }

        filters.Add(prospect + ")");
        if (!string.IsNullOrWhiteSpace(query.Sector)) { filters.Add("o.sector = @Sector"); p.Add("Sector", query.Sector.Trim()); }
        if (query.PartyKind is { } kind) { filters.Add("o.party_kind = @PartyKind"); p.Add("PartyKind", Core.Prospects.PartyKinds.Code(kind)); }
        if (!string.IsNullOrWhiteSpace(query.Owner)) { filters.Add("o.owner = @Owner"); p.Add("Owner", query.Owner.Trim()); }

        // DISTINCT: two contacts of one organisation at one event are one attendance.
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            $"""
            SELECT DISTINCT k.organisation_id AS OrganisationId, e.id AS EventId, e.title AS Title, e.starts_at AS StartsAt,
                   e.host_organisation_id AS HostOrganisationId, h.name AS HostName
            FROM invitation i
            JOIN network_event e ON e.id = i.event_id
            JOIN contact k ON k.id = i.contact_id
            JOIN organisation o ON o.id = k.organisation_id
            LEFT JOIN organisation h ON h.id = e.host_organisation_id
            WHERE (i.checked_in_at IS NOT NULL OR i.attended_online = @yes) AND e.status = '{EventStatus.Scheduled.Code()}' AND e.starts_at < @End
              AND {string.Join(" AND ", filters)}
            ORDER BY e.starts_at, e.id, k.organisation_id
            """, p, cancellationToken: ct));
        return EventAttendance.Of(rows.Select(r => new AttendedEvent(r.OrganisationId, r.EventId, r.Title, r.StartsAt, r.HostOrganisationId, r.HostName)));
    }

    private sealed class Row
    {
        public long OrganisationId { get; init; }
        public long EventId { get; init; }
        public string Title { get; init; } = "";
        public DateTimeOffset StartsAt { get; init; }
        public long? HostOrganisationId { get; init; }
        public string? HostName { get; init; }
    }
}
