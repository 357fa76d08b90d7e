using Dapper;
using Outreach.Core.Reports;

namespace Outreach.Storage;

/// <summary>
/// The Power BI feed's pages: each table read by its primary key after the previous page's last id (an index seek on
/// both engines, however deep the client has paged), one row more than asked so the caller knows whether more follow.
/// Codes (stage, party kind, covenant) are the stored codes; no contact's name or address leaves through the feed.
/// </summary>
public sealed class SqlReportFeed(Database db) : IReportFeed
{
    public async Task<IReadOnlyList<FeedStageChange>> StageChangesAsync(long after, int limit, CancellationToken ct) =>
        (await QueryAsync<StageChangeRow>(
            """
            SELECT s.id AS Id, s.entry_id AS ProspectId, e.organisation_id AS OrganisationId, v.code AS Covenant,
                   s.from_stage AS FromStage, s.to_stage AS ToStage, s.changed_at AS ChangedAt, s.reason AS Reason
            FROM stage_change s
            JOIN pipeline_entry e ON e.id = s.entry_id
            JOIN covenant v ON v.id = e.covenant_id
            WHERE s.id > @After ORDER BY s.id LIMIT @Take
            """, after, limit, ct))
        .Select(r => new FeedStageChange(r.Id, r.ProspectId, r.OrganisationId, r.Covenant, r.FromStage, r.ToStage, r.ChangedAt, r.Reason)).ToList();

    public async Task<IReadOnlyList<FeedProspect>> ProspectsAsync(long after, int limit, CancellationToken ct) =>
        (await QueryAsync<ProspectRow>(
            """
            SELECT e.id AS Id, e.organisation_id AS OrganisationId, o.name AS Organisation, v.code AS Covenant, o.sector AS Sector,
                   o.party_kind AS PartyKind, o.owner AS Owner, o.country AS Country, e.stage AS Stage, e.stage_since AS StageSince, e.created_at AS CreatedAt
            FROM pipeline_entry e
            JOIN organisation o ON o.id = e.organisation_id
            JOIN covenant v ON v.id = e.covenant_id
            WHERE e.id > @After ORDER BY e.id LIMIT @Take
            """, after, limit, ct))
        .Select(r => new FeedProspect(r.Id, r.OrganisationId, r.Organisation, r.Covenant, r.Sector, r.PartyKind, r.Owner, r.Country, r.Stage, r.StageSince, r.CreatedAt)).ToList();

    public async Task<IReadOnlyList<FeedAttendance>> AttendanceAsync(long after, int limit, CancellationToken ct) =>
        (await QueryAsync<AttendanceRow>(
            """
            SELECT i.id AS Id, i.event_id AS EventId, n.title AS Event, v.code AS Covenant, n.starts_at AS StartsAt, n.status AS EventStatus,
                   k.organisation_id AS OrganisationId, i.response AS Response, i.place AS Place,
                   CASE WHEN i.checked_in_at IS NULL THEN 0 ELSE 1 END AS CheckedIn,
                   CASE WHEN i.attended_online THEN 1 ELSE 0 END AS AttendedOnline,
                   CASE WHEN i.walk_in THEN 1 ELSE 0 END AS WalkIn
            FROM invitation i
            JOIN network_event n ON n.id = i.event_id
            JOIN covenant v ON v.id = n.covenant_id
            JOIN contact k ON k.id = i.contact_id
            WHERE i.id > @After ORDER BY i.id LIMIT @Take
            """, after, limit, ct))
        .Select(r => new FeedAttendance(r.Id, r.EventId, r.Event, r.Covenant, r.StartsAt, r.EventStatus, r.OrganisationId, r.Response, r.Place, r.CheckedIn == 1, r.AttendedOnline == 1, r.WalkIn == 1)).ToList();

    public async Task<IReadOnlyList<FeedMonitoringRow>> MonitoringAsync(long after, int limit, CancellationToken ct) =>
        (await QueryAsync<MonitoringRow>(
            """
            SELECT m.id AS Id, m.entry_id AS ProspectId, e.organisation_id AS OrganisationId, v.code AS Covenant, m.milestone_key AS Milestone,
                   m.monitoring_year AS MonitoringYear, m.name_nl AS NameNl, m.name_en AS NameEn, m.due_on AS DueOn, m.done_on AS DoneOn
            FROM onboarding_milestone m
            JOIN pipeline_entry e ON e.id = m.entry_id
            JOIN covenant v ON v.id = e.covenant_id
            WHERE m.id > @After ORDER BY m.id LIMIT @Take
            """, after, limit, ct))
        .Select(r => new FeedMonitoringRow(r.Id, r.ProspectId, r.OrganisationId, r.Covenant, r.Milestone, (int)r.MonitoringYear, r.NameNl, r.NameEn, r.DueOn, r.DoneOn)).ToList();

    /// <summary>Reads <paramref name="limit"/> + 1 rows after <paramref name="after"/>: the extra one tells the caller another page follows.</summary>
    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, long after, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<T>(new CommandDefinition(sql, new { After = after, Take = limit + 1 }, cancellationToken: ct))).AsList();
    }

    private sealed class StageChangeRow
    {
        public long Id { get; init; }
        public long ProspectId { get; init; }
        public long OrganisationId { get; init; }
        public string Covenant { get; init; } = "";
        public string? FromStage { get; init; }
        public string ToStage { get; init; } = "";
        public DateTimeOffset ChangedAt { get; init; }
        public string Reason { get; init; } = "";
    }

    private sealed class ProspectRow
    {
        public long Id { get; init; }
        public long OrganisationId { get; init; }
        public string Organisation { get; init; } = "";
        public string Covenant { get; init; } = "";
        public string Sector { get; init; } = "";
        public string PartyKind { get; init; } = "";
        public string Owner { get; init; } = "";
        public string Country { get; init; } = "";
        public string Stage { get; init; } = "";
        public DateTimeOffset StageSince { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
    }

    private sealed class AttendanceRow
    {
        public long Id { get; init; }
        public long EventId { get; init; }
        public string Event { get; init; } = "";
        public string Covenant { get; init; } = "";
        public DateTimeOffset StartsAt { get; init; }
        public string EventStatus { get; init; } = "";
        public long OrganisationId { get; init; }
        public string Response { get; init; } = "";
        public string Place { get; init; } = "";
        public long CheckedIn { get; init; }
        public long AttendedOnline { get; init; }
        public long WalkIn { get; init; }
    }

    private sealed class MonitoringRow
    {
        public long Id { get; init; }
        public long ProspectId { get; init; }
        public long OrganisationId { get; init; }
        public string Covenant { get; init; } = "";
        public string Milestone { get; init; } = "";
        public long MonitoringYear { get; init; }
        public string NameNl { get; init; } = "";
        public string NameEn { get; init; } = "";
        public DateOnly DueOn { get; init; }
        public DateOnly? DoneOn { get; init; }
    }
}
