using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;

namespace Outreach.Storage;

/// <summary>
/// What the conversion report needs from the stage history, aggregated in SQL to one row per prospect (the first time
/// it reached each stage and its moves in the period), plus the period's exits. One SQL text for both engines.
/// </summary>
public sealed class SqlReportSource(Database db) : IReportSource
{
    /// <summary>The stages in the order of <see cref="ProspectPath"/>'s array: by enum value.</summary>
    private static readonly Stage[] ByValue = Enum.GetValues<Stage>();

    // One MIN per stage: a pivot keeps the result at one row per prospect, however long its history.
    private static readonly string FirstReachedColumns = string.Join(",\n", ByValue.Select(s =>
        $"MIN(CASE WHEN s.to_stage = '{s.Code()}' THEN s.changed_at END) AS first_{s.Code()}"));

    private const string InPeriod = "CASE WHEN s.changed_at >= @Start AND s.changed_at < @End THEN 1 ELSE 0 END";

    public async Task<ReportData> LoadAsync(ReportQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (filter, parameters) = Filter(query);
        await using var c = await db.OpenAsync(ct);

        var prospects = new List<ProspectPath>();
        var sql = $"""
            SELECT h.entry_id, e.organisation_id, h.moves, {string.Join(", ", ByValue.Select(s => "h.first_" + s.Code()))}
            FROM (
                SELECT s.entry_id, SUM({InPeriod}) AS moves,
                {FirstReachedColumns}
                FROM stage_change s
                {(filter.Length == 0 ? "" : $"WHERE s.entry_id IN (SELECT e.id FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id WHERE {filter})")}
                GROUP BY s.entry_id
                HAVING SUM({InPeriod}) > 0
            ) h
            JOIN pipeline_entry e ON e.id = h.entry_id
            ORDER BY h.entry_id
            """;
        await using (var reader = await c.ExecuteReaderAsync(new CommandDefinition(sql, parameters, cancellationToken: ct)))
        {
            // Read by hand: this is the one large result (a row per prospect), and Dapper's generic mapping of nine
            // nullable instants per row was the largest cost in the benchmark.
            while (await reader.ReadAsync(ct))
            {
                var first = new DateTimeOffset?[ByValue.Length];
                for (var i = 0; i < first.Length; i++) first[i] = ReadInstant(reader, 3 + i);
                prospects.Add(new ProspectPath(reader.GetInt64(0), reader.GetInt64(1), first, (int)reader.GetInt64(2)));
            }
        }

        parameters.Add("Declined", Stage.Declined.Code());
        parameters.Add("NotNow", Stage.NotNow.Code());
        parameters.Add("Left", Stage.Left.Code());
        var exits = await c.QueryAsync<ExitRow>(new CommandDefinition(
            $"""
            SELECT s.entry_id AS EntryId, s.to_stage AS Stage, s.changed_at AS At, s.reason AS Reason, o.name AS Organisation, v.code AS Covenant
            FROM stage_change s
            JOIN pipeline_entry e ON e.id = s.entry_id
            JOIN organisation o ON o.id = e.organisation_id
            JOIN covenant v ON v.id = e.covenant_id
            WHERE s.to_stage IN (@Declined, @NotNow, @Left) AND s.changed_at >= @Start AND s.changed_at < @End
            {(filter.Length == 0 ? "" : "AND " + filter)}
            ORDER BY s.changed_at, s.id
            """,
            parameters, cancellationToken: ct));
        return new ReportData(prospects, exits.Select(x => new ExitMove(x.EntryId, Stages.Parse(x.Stage), x.At, x.Reason, x.Organisation, x.Covenant)).ToList());
    }

    private static (string Sql, DynamicParameters Parameters) Filter(ReportQuery query)
    {
        var sql = new StringBuilder();
        var p = new DynamicParameters();
        p.Add("Start", query.Start);
        p.Add("End", query.End);
        void And(string condition) => sql.Append(sql.Length == 0 ? "" : " AND ").Append(condition);
        if (query.CovenantId is { } covenant) { And("e.covenant_id = @CovenantId"); p.Add("CovenantId", covenant); }
        if (!string.IsNullOrWhiteSpace(query.Sector)) { And("o.sector = @Sector"); p.Add("Sector", query.Sector.Trim()); }
        if (query.PartyKind is { } kind) { And("o.party_kind = @PartyKind"); p.Add("PartyKind", kind.Code()); }
        if (!string.IsNullOrWhiteSpace(query.Owner)) { And("o.owner = @Owner"); p.Add("Owner", query.Owner.Trim()); }
        return (sql.ToString(), p);
    }

    private static DateTimeOffset? ReadInstant(DbDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal)) return null;
        return reader.GetValue(ordinal) switch
        {
            string text => ParseInstant(text),
            DateTime utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)),
            DateTimeOffset instant => instant.ToUniversalTime(),
            var other => throw new InvalidDataException($"Cannot read an instant from {other.GetType().Name}."),
        };
    }

    /// <summary>SQLite's fixed-width text (<see cref="DapperTypeHandlers.InstantFormat"/>); anything else through the general parser.</summary>
    internal static DateTimeOffset ParseInstant(string text) =>
        DateTimeOffset.TryParseExact(text, DapperTypeHandlers.InstantFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var exact)
            ? exact
            : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private sealed class ExitRow
    {
        public long EntryId { get; init; }
        public string Stage { get; init; } = "";
        public DateTimeOffset At { get; init; }
        public string Reason { get; init; } = "";
        public string Organisation { get; init; } = "";
        public string Covenant { get; init; } = "";
    }
}
