using System.Text;
using Dapper;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;

namespace Outreach.Storage;

/// <summary>
/// What the conversion report needs, from report_prospect (one narrow row per prospect with integer instants, kept
/// with the history by a trigger, migration 0011) instead of the million-line history: the prospects' first reaches,
/// the period's re-entries and exit prospects aggregated in SQL, and the exit reasons grouped from an index. One SQL
/// text for both engines; instants in report_prospect are .NET UTC ticks, so both read them as plain integers.
/// </summary>
public sealed class SqlReportSource(Database db) : IReportSource
{
    /// <summary>The stages in the order of <see cref="ProspectPath"/>'s array: by enum value.</summary>
    private static readonly Stage[] ByValue = Enum.GetValues<Stage>();

    private static readonly Stage[] ExitStageList = [Stage.Declined, Stage.NotNow, Stage.Left];

    /// <summary>0 for a stage never reached (tick 0 is the year 1, never a real instant): one integer read a column, no null check.</summary>
    private static readonly string FirstColumns = string.Join(", ", ByValue.Select(s => $"COALESCE(p.first_{s.Code()}, 0)"));

    private static string In(string column) => $"({column} >= @StartTicks AND {column} < @EndTicks)";

    /// <summary>Some stage first reached in the period: only such prospects can count anywhere in the report.</summary>
    private static readonly string AnyFirstInPeriod = "(" + string.Join(" OR ", ByValue.Select(s => In("p.first_" + s.Code()))) + ")";

    /// <summary>How many stages the prospect first reached in the period.</summary>
    private static readonly string FirstReachesInPeriod = string.Join(" + ", ByValue.Select(s => $"CASE WHEN {In("p.first_" + s.Code())} THEN 1 ELSE 0 END"));

    private const string InPeriod = "s.changed_at >= @Start AND s.changed_at < @End";

    /// <summary>
    /// The prospect's re-entries in the period. All of them when they all fall inside it, none when none can; only a
    /// prospect whose re-entries straddle an end of the period has its lines counted (by entry, from the history's
    /// index): its moves in the period less its first reaches there.
    /// </summary>
    private static readonly string ReEntriesInPeriod = $"""
        CASE WHEN p.reentries = 0 OR p.first_reentry >= @EndTicks OR p.last_reentry < @StartTicks THEN 0
             WHEN p.first_reentry >= @StartTicks AND p.last_reentry < @EndTicks THEN p.reentries
             ELSE (SELECT COUNT(*) FROM stage_change s WHERE s.entry_id = p.entry_id AND {InPeriod}) - ({FirstReachesInPeriod}) END
        """;

    /// <summary>
    /// Whether the prospect moved into the exit stage in the period: its first or latest move into it did, or (only
    /// when those lie on either side of the period) some move between them did, looked up by entry. The look-up is in a
    /// CASE of its own: in "NULL AND EXISTS (…)" PostgreSQL runs the EXISTS for every prospect that never exited.
    /// </summary>
    private static string ExitedInPeriod(Stage stage)
    {
        var code = stage.Code();
        return $"""
            CASE WHEN {In("p.first_" + code)} OR {In("p.last_" + code)} THEN 1
                 WHEN p.first_{code} < @StartTicks AND p.last_{code} >= @EndTicks THEN
                      CASE WHEN EXISTS (SELECT 1 FROM stage_change s WHERE s.entry_id = p.entry_id AND s.to_stage = '{code}' AND {InPeriod}) THEN 1 ELSE 0 END
                 ELSE 0 END
            """;
    }

    /// <summary>Rows that can add a re-entry or an exit prospect: the aggregate reads no others.</summary>
    private static readonly string MayCount =
        "((p.reentries > 0 AND p.first_reentry < @EndTicks AND p.last_reentry >= @StartTicks)"
        + string.Concat(ExitStageList.Select(s => $" OR (p.first_{s.Code()} < @EndTicks AND p.last_{s.Code()} >= @StartTicks)")) + ")";

    // Literal, and written exactly as the partial indexes (migrations 0007, 0011) say, so both planners use them.
    private const string ExitStages = "s.to_stage IN ('declined', 'not_now', 'left')";

    public async Task<ReportData> LoadAsync(ReportQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (filter, joinOrganisation, parameters) = Filter(query, db.Dialect);
        parameters.Add("Left", Stage.Left.Code());
        parameters.Add("Limit", ConversionReport.LeftListed);
        var from = "FROM report_prospect p" + (joinOrganisation ? " JOIN organisation o ON o.id = p.organisation_id" : "");
        var and = filter.Length == 0 ? "" : " AND " + filter;
        // History lines of the filtered prospects only; no condition at all without filters.
        var ofProspects = filter.Length == 0 ? "" : $" AND s.entry_id IN (SELECT p.entry_id {from} WHERE {filter})";
        await using var c = await db.OpenAsync(ct);
        // One snapshot for all the report's queries. On PostgreSQL without JIT: the counts' CASE expressions and their
        // per-prospect look-ups make the planner's estimate large enough to compile them, which was measured at over a
        // second, for a scan that takes a few tens of milliseconds.
        await using var tx = await db.Dialect.BeginReadSnapshotAsync(c, ct);
        await db.Dialect.WithoutJitAsync(c, tx, ct);

        var prospects = new List<ProspectPath>();
        var firstReaches = 0;
        var (start, end) = (query.Start.UtcTicks, query.End.UtcTicks);
        var prospectsSql = $"SELECT p.entry_id, p.organisation_id, {FirstColumns} {from} WHERE {AnyFirstInPeriod}{and}";
        // This is the one large result (a row per prospect): the dialect reads it the engine's fastest way.
        await db.Dialect.ReadInt64RowsAsync(c, tx, prospectsSql, parameters, 2 + ByValue.Length, row =>
        {
            var ticks = row[2..];
            var first = new DateTimeOffset?[ByValue.Length];
            for (var i = 0; i < first.Length; i++)
            {
                if (ticks[i] == 0) continue;
                first[i] = new DateTimeOffset(ticks[i], TimeSpan.Zero);
                if (ticks[i] >= start && ticks[i] < end) firstReaches++;
            }

            prospects.Add(new ProspectPath(row[0], row[1], first));
        }, ct);

        // Every move in the period is the first reach of its stage or a re-entry. (CAST: PostgreSQL sums bigints as numeric.)
        var counts = await c.QuerySingleAsync<CountsRow>(new CommandDefinition(
            $"""
            SELECT CAST(COALESCE(SUM({ReEntriesInPeriod}), 0) AS bigint) AS ReEntries,
                   CAST(COALESCE(SUM({ExitedInPeriod(Stage.Declined)}), 0) AS bigint) AS Declined,
                   CAST(COALESCE(SUM({ExitedInPeriod(Stage.NotNow)}), 0) AS bigint) AS NotNow,
                   CAST(COALESCE(SUM({ExitedInPeriod(Stage.Left)}), 0) AS bigint) AS LeftProspects
            {from} WHERE {MayCount}{and}
            """, parameters, tx, cancellationToken: ct));
        // SQLite is told the index: left to itself it takes the (stage, time) one and sorts every exit line of a long period by reason.
        var reasons = await c.QueryAsync<ReasonRow>(new CommandDefinition(
            $"SELECT s.to_stage AS Stage, s.reason AS Reason, COUNT(*) AS Times FROM stage_change s{db.Dialect.IndexHint("ix_stage_change_exit_reason")} WHERE {ExitStages} AND {InPeriod}{ofProspects} GROUP BY s.to_stage, s.reason",
            parameters, tx, cancellationToken: ct));
        var left = await c.QueryAsync<LeftRow>(new CommandDefinition(
            $"""
            SELECT o.name AS Organisation, v.code AS Covenant, p.first_signed AS SignedAt, s.changed_at AS LeftAt, s.reason AS Reason, p.entry_id AS ProspectId
            FROM stage_change s
            JOIN report_prospect p ON p.entry_id = s.entry_id
            JOIN organisation o ON o.id = p.organisation_id
            JOIN covenant v ON v.id = p.covenant_id
            WHERE {ExitStages} AND s.to_stage = @Left AND {InPeriod}{and}
            ORDER BY s.changed_at DESC, s.id DESC
            LIMIT @Limit
            """,
            parameters, tx, cancellationToken: ct));

        var exitProspects = new Dictionary<Stage, int>();
        foreach (var (stage, n) in new[] { (Stage.Declined, counts.Declined), (Stage.NotNow, counts.NotNow), (Stage.Left, counts.LeftProspects) })
        {
            // Only stages someone moved into, as a GROUP BY over the history would give.
            if (n > 0) exitProspects[stage] = (int)n;
        }

        return new ReportData(
            prospects,
            firstReaches + (int)counts.ReEntries,
            reasons.Select(r => new ExitReason(Stages.Parse(r.Stage), r.Reason, (int)r.Times)).ToList(),
            exitProspects,
            left.Select(l => new PartyThatLeft(l.Organisation, l.Covenant, l.SignedAt is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null, l.LeftAt, l.Reason, l.ProspectId)).ToList());
    }

    internal static (string Sql, bool JoinOrganisation, DynamicParameters Parameters) Filter(ReportQuery query, SqlDialect dialect)
    {
        var sql = new StringBuilder();
        var p = new DynamicParameters();
        p.Add("Start", query.Start);
        p.Add("End", query.End);
        p.Add("StartTicks", query.Start.UtcTicks);
        p.Add("EndTicks", query.End.UtcTicks);
        var organisation = false;
        void And(string condition) => sql.Append(sql.Length == 0 ? "" : " AND ").Append(condition);
        // One list parameter, which the large read's own binding takes as well (SqlDialect.ReadInt64RowsAsync).
        if (query.Covenants is { Count: > 0 } covenants) { And(dialect.InList("p.covenant_id", "@Covenants")); p.Add("Covenants", dialect.List(covenants)); }
        if (!string.IsNullOrWhiteSpace(query.Sector)) { And("o.sector = @Sector"); p.Add("Sector", query.Sector.Trim()); organisation = true; }
        if (query.PartyKind is { } kind) { And("o.party_kind = @PartyKind"); p.Add("PartyKind", kind.Code()); organisation = true; }
        if (!string.IsNullOrWhiteSpace(query.Owner)) { And("o.owner = @Owner"); p.Add("Owner", query.Owner.Trim()); organisation = true; }
        if (query.ExcludeImported)
        {
            // Looked up by entry from the history's (entry_id, changed_at) index; only when asked for. TRUE is a literal both
            // engines read (SQLite as 1): the report's large read binds only integer parameters (SqliteDialect.Prepare).
            And("NOT EXISTS (SELECT 1 FROM stage_change i WHERE i.entry_id = p.entry_id AND i.imported = TRUE)");
        }

        return (sql.ToString(), organisation, p);
    }

    private sealed class CountsRow
    {
        public long ReEntries { get; init; }
        public long Declined { get; init; }
        public long NotNow { get; init; }
        public long LeftProspects { get; init; }
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
        public long? SignedAt { get; init; }
        public DateTimeOffset LeftAt { get; init; }
        public string Reason { get; init; } = "";
        public long ProspectId { get; init; }
    }
}
