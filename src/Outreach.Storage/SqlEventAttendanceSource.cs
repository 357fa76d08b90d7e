using Dapper;
using Outreach.Core.Reports;

namespace Outreach.Storage;

/// <summary>
/// The conversion report's event effect from recorded attendance: organisations with a contact who attended (checked in at
/// the door or joined online) a scheduled event that started before the end of the report's period, in the report's
/// covenant when it names one. Null while no attendance was ever recorded, so the report says "not recorded" rather than
/// "nobody came".
/// </summary>
public sealed class SqlEventAttendanceSource(Database db) : IEventAttendanceSource
{
    public async Task<EventAttendance?> LoadAsync(ReportQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var c = await db.OpenAsync(ct);
        var any = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM invitation WHERE checked_in_at IS NOT NULL OR attended_online = @yes", new { yes = true }, cancellationToken: ct));
        if (any == 0) return null;
        var ids = await c.QueryAsync<long>(new CommandDefinition(
            $"""
            SELECT DISTINCT k.organisation_id
            FROM invitation i JOIN network_event e ON e.id = i.event_id JOIN contact k ON k.id = i.contact_id
            WHERE (i.checked_in_at IS NOT NULL OR i.attended_online = @yes) AND e.status = 'scheduled' AND e.starts_at < @End
              {(query.CovenantId is null ? "" : "AND e.covenant_id = @CovenantId")}
            """, new { yes = true, query.End, query.CovenantId }, cancellationToken: ct));
        return new EventAttendance(ids.ToHashSet());
    }
}
