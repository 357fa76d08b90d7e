using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;

namespace Outreach.Storage;

/// <summary>
/// What the conversion report needs, in a few set-wise queries: the prospects' first reaches from prospect_path (kept
/// with the history by a trigger, migration 0007), and the period's moves and exits from stage_change, aggregated in
/// SQL. One SQL text for both engines.
/// </summary>
public sealed class SqlReportSource(Database db) : IReportSource
{
    /// <summary>The stages in the order of <see cref="ProspectPath"/>'s array: by enum value.</summary>
    private static readonly Stage[] ByValue = Enum.GetValues<Stage>();

    private static readonly string FirstColumns = string.Join(", ", ByValue.Select(s => "p.first_" + s.Code()));

    /// <summary>Some stage first reached in the period: only such prospects can count anywhere in the report.</summary>
    private static readonly string AnyFirstInPeriod = "(" + string.Join(" OR ", ByValue.Select(s => $"(p.first_{s.Code()} >= @Start AND p.first_{s.Code()} < @End)")) + ")";

    private const string InPeriod = "s.changed_at >= @Start AND s.changed_at < @End";
    // Literal, and written exactly as the partial index ix_stage_change_exit (migration 0007) says, so both planners use it.
    private const string ExitStages = "s.to_stage IN ('declined', 'not_now', 'left')";

    public async Task<ReportData> LoadAsync(ReportQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (filter, parameters) = Filter(query);
        parameters.Add("Left", Stage.Left.Code());
        parameters.Add("Limit", ConversionReport.LeftListed);
        // History lines of the filtered prospects only; no condition at all without filters.
        var ofProspects = filter.Length == 0 ? "" : $" AND s.entry_id IN (SELECT e.id FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id WHERE {filter})";
        await using var c = await db.OpenAsync(ct);

        var prospects = new List<ProspectPath>();
        var sql = $"""
            SELECT p.entry_id, e.organisation_id, {FirstColumns}
            FROM prospect_path p
            JOIN pipeline_entry e ON e.id = p.entry_id
            {(filter.Length == 0 ? "" : "JOIN organisation o ON o.id = e.organisation_id")}
            WHERE {AnyFirstInPeriod}{(filter.Length == 0 ? "" : " AND " + filter)}
            """;
        await using (var reader = await c.ExecuteReaderAsync(new CommandDefinition(sql, parameters, cancellationToken: ct)))
        {
            // Read by hand: this is the one large result (a row per prospect); a generic mapper costs more than the query.
            while (await reader.ReadAsync(ct))
            {
                var first = new DateTimeOffset?[ByValue.Length];
                for (var i = 0; i < first.Length; i++) first[i] = ReadInstant(reader, 2 + i);
                prospects.Add(new ProspectPath(reader.GetInt64(0), reader.GetInt64(1), first));
            }
        }

        var moves = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM stage_change s WHERE {InPeriod}{ofProspects}", parameters, cancellationToken: ct));
        var reasons = await c.QueryAsync<ReasonRow>(new CommandDefinition(
            $"SELECT s.to_stage AS Stage, s.reason AS Reason, COUNT(*) AS Times FROM stage_change s WHERE {ExitStages} AND {InPeriod}{ofProspects} GROUP BY s.to_stage, s.reason",
            parameters, cancellationToken: ct));
        var exitProspects = await c.QueryAsync<(string Stage, long Prospects)>(new CommandDefinition(
            $"SELECT s.to_stage, COUNT(DISTINCT s.entry_id) FROM stage_change s WHERE {ExitStages} AND {InPeriod}{ofProspects} GROUP BY s.to_stage",
            parameters, cancellationToken: ct));
        var left = await c.QueryAsync<LeftRow>(new CommandDefinition(
            $"""
            SELECT o.name AS Organisation, v.code AS Covenant, p.first_signed AS SignedAt, s.changed_at AS LeftAt, s.reason AS Reason
            FROM stage_change s
            JOIN pipeline_entry e ON e.id = s.entry_id
            JOIN organisation o ON o.id = e.organisation_id
            JOIN covenant v ON v.id = e.covenant_id
            LEFT JOIN prospect_path p ON p.entry_id = s.entry_id
            WHERE {ExitStages} AND s.to_stage = @Left AND {InPeriod}{(filter.Length == 0 ? "" : " AND " + filter)}
            ORDER BY s.changed_at DESC, s.id DESC
            LIMIT @Limit
            """,
            parameters, cancellationToken: ct));

        return new ReportData(
            prospects,
            (int)moves,
            reasons.Select(r => new ExitReason(Stages.Parse(r.Stage), r.Reason, (int)r.Times)).ToList(),
            exitProspects.ToDictionary(x => Stages.Parse(x.Stage), x => (int)x.Prospects),
            left.Select(l => new PartyThatLeft(l.Organisation, l.Covenant, l.SignedAt, l.LeftAt, l.Reason)).ToList());
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

    /// <summary>
    /// SQLite's fixed-width text (<see cref="DapperTypeHandlers.InstantFormat"/>, "2025-01-20T10:00:00.0000000Z") read
    /// digit by digit: the general parser was a large share of reading 100,000 prospects. Anything else goes through it.
    /// </summary>
    internal static DateTimeOffset ParseInstant(string text)
    {
        if (text.Length == 28 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' && text[16] == ':' && text[19] == '.' && text[27] == 'Z'
            && TryDigits(text, 0, 4, out var year) && TryDigits(text, 5, 2, out var month) && TryDigits(text, 8, 2, out var day)
            && TryDigits(text, 11, 2, out var hour) && TryDigits(text, 14, 2, out var minute) && TryDigits(text, 17, 2, out var second)
            && TryDigits(text, 20, 7, out var ticks) && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
            && hour < 24 && minute < 60 && second < 60)
        {
            return new DateTimeOffset(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(ticks));
        }

        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
    }

    private static bool TryDigits(string text, int start, int length, out int value)
    {
        value = 0;
        for (var i = start; i < start + length; i++)
        {
            var d = text[i] - '0';
            if (d is < 0 or > 9) return false;
            value = value * 10 + d;
        }

        return true;
    }

    private sealed class ReasonRow
    {
        public string Stage { get; init; } = "";
        public string Reason { get; init; } = "";
        public long Times { get; init; }
    }

    private sealed class LeftRow
    {
        public string Organisation { get; init; } = "";
        public string Covenant { get; init; } = "";
        public DateTimeOffset? SignedAt { get; init; }
        public DateTimeOffset LeftAt { get; init; }
        public string Reason { get; init; } = "";
    }
}
