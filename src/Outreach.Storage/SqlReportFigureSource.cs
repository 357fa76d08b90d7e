using Dapper;
using Outreach.Core.Pipeline;
using Outreach.Core.Reports;

namespace Outreach.Storage;

/// <summary>
/// The prospects behind the report's exit figures, under the report's own filters (SqlReportSource.Filter) and period
/// rule: the entries with a move into the exit stage in the period, read from the history by its (stage, time) index.
/// </summary>
public sealed class SqlReportFigureSource(Database db) : IReportFigureSource
{
    public async Task<IReadOnlyList<long>> ExitedAsync(ReportQuery query, Stage exitStage, string? reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (filter, joinOrganisation, parameters) = SqlReportSource.Filter(query, db.Dialect);
        parameters.Add("Exit", exitStage.Code());
        var sql = "SELECT DISTINCT s.entry_id FROM stage_change s JOIN report_prospect p ON p.entry_id = s.entry_id"
                  + (joinOrganisation ? " JOIN organisation o ON o.id = p.organisation_id" : "")
                  + " WHERE s.to_stage = @Exit AND s.changed_at >= @Start AND s.changed_at < @End"
                  + (filter.Length == 0 ? "" : " AND " + filter);
        if (reason is not null)
        {
            // The report groups reasons trimmed.
            sql += " AND TRIM(s.reason) = @Reason";
            parameters.Add("Reason", reason.Trim());
        }

        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<long>(new CommandDefinition(sql, parameters, cancellationToken: ct))).ToList();
    }

    public async Task<IReadOnlyDictionary<long, long>> ProspectsOfOrganisationsAsync(ReportQuery query, IReadOnlyCollection<long> organisationIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(organisationIds);
        if (organisationIds.Count == 0) return new Dictionary<long, long>();
        // As the attendance source tests "a prospect under the filters": a pipeline entry in the report's covenants.
        // Integer literals (ids, never user text), as the prospect list's figure filter: an event can have many attendees.
        var p = new DynamicParameters();
        var covenants = "";
        if (query.Covenants is { Count: > 0 } chosen)
        {
            covenants = " AND " + db.Dialect.InList("pe.covenant_id", "@Covenants");
            p.Add("Covenants", db.Dialect.List(chosen));
        }

        var ids = string.Join(", ", organisationIds.Distinct().Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(long OrganisationId, long EntryId)>(new CommandDefinition(
            $"SELECT pe.organisation_id, MIN(pe.id) FROM pipeline_entry pe WHERE pe.organisation_id IN ({ids}){covenants} GROUP BY pe.organisation_id",
            p, cancellationToken: ct));
        return rows.ToDictionary(r => r.OrganisationId, r => r.EntryId);
    }
}
