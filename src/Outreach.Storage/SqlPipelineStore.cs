using System.Data.Common;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Audit;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Storage;

/// <summary>Pipeline entries and their append-only stage history on SQLite or PostgreSQL.</summary>
public sealed partial class SqlPipelineStore(Database db, TimeProvider clock, ILogger<SqlPipelineStore>? logger = null, IAuditActor? actor = null) : IPipelineStore
{
    private readonly ILogger log = logger ?? (ILogger)NullLogger.Instance;
    private readonly IAuditActor auditActor = actor ?? new AmbientAuditActor();
    private readonly TimeProvider time = clock ?? throw new ArgumentNullException(nameof(clock));

    [LoggerMessage(Level = LogLevel.Information, Message = "Prospect {EntryId} created for organisation {OrganisationId} in covenant {CovenantId} at {Stage}")]
    private static partial void LogCreated(ILogger logger, long entryId, long organisationId, long covenantId, string stage);

    [LoggerMessage(Level = LogLevel.Information, Message = "Prospect {EntryId} moved from {From} to {To}")]
    private static partial void LogMoved(ILogger logger, long entryId, string from, string to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Prospect {EntryId} was not moved to {To}: it is no longer in {Expected}")]
    private static partial void LogConflict(ILogger logger, long entryId, string to, string expected);

    private const string EntryColumns =
        "e.id AS Id, e.organisation_id AS OrganisationId, e.covenant_id AS CovenantId, e.stage AS Stage, e.stage_since AS StageSince, e.revisit_on AS RevisitOn, e.next_action AS NextAction, e.next_action_due AS NextActionDue, e.next_action_overdue AS NextActionOverdue, e.created_at AS CreatedAt";

    // RETURNING may not name a table alias on SQLite.
    private static readonly string ReturningEntryColumns = System.Text.RegularExpressions.Regex.Replace(EntryColumns, @"\be\.", "");

    private const string SummaryColumns =
        "e.id AS Id, e.organisation_id AS OrganisationId, o.name AS OrganisationName, e.covenant_id AS CovenantId, v.code AS CovenantCode, o.party_kind AS PartyKind, o.sector AS Sector, o.owner AS Owner, e.stage AS Stage, e.stage_since AS StageSince, e.revisit_on AS RevisitOn, e.next_action AS NextAction, e.next_action_due AS NextActionDue, e.next_action_overdue AS NextActionOverdue, o.removed_at AS RemovedAt";

    private const string SummaryFrom = "pipeline_entry e JOIN organisation o ON o.id = e.organisation_id JOIN covenant v ON v.id = e.covenant_id";

    /// <summary>Joins a running unit of work (<see cref="PipelineService.AddEntryAsync"/> adds the write-back).</summary>
    public async Task<PipelineEntry> AddEntryAsync(long organisationId, long covenantId, Stage stage, DateTimeOffset at, string by, string reason, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        var entry = await InsertEntryAsync(c, tx, organisationId, covenantId, stage, at, by, reason, ct);
        await AuditEntryCreatedAsync(c, tx, entry, reason, ct);
        await work.CommitAsync(ct);
        return entry;
    }

    internal static async Task<PipelineEntry> InsertEntryAsync(DbConnection c, DbTransaction tx, long organisationId, long covenantId, Stage stage, DateTimeOffset at, string by, string reason, CancellationToken ct)
    {
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO pipeline_entry (organisation_id, covenant_id, stage, stage_since, created_at)
            VALUES (@organisationId, @covenantId, @Stage, @at, @at)
            RETURNING id
            """,
            new { organisationId, covenantId, Stage = stage.Code(), at }, tx, cancellationToken: ct));
        await InsertChangeAsync(c, tx, new StageChange(id, null, stage, at, by, reason), ct);
        return new PipelineEntry { Id = id, OrganisationId = organisationId, CovenantId = covenantId, Stage = stage, StageSince = at, CreatedAt = at };
    }

    public async Task<PipelineEntry?> GetEntryAsync(long entryId, CancellationToken ct)
    {
        // Joins a running unit of work (a move requested in Dynamics is decided inside its unit).
        await using var work = await db.ConnectAsync(ct);
        var row = await work.Connection.QuerySingleOrDefaultAsync<EntryRow>(new CommandDefinition(
            $"SELECT {EntryColumns} FROM pipeline_entry e WHERE e.id = @entryId{(work.Transaction is null ? "" : db.ForUpdate)}", new { entryId }, work.Transaction, cancellationToken: ct));
        return row?.ToDomain();
    }

    public async Task<IReadOnlyList<PipelineEntry>> ListEntriesForOrganisationAsync(long organisationId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<EntryRow>(new CommandDefinition(
            $"SELECT {EntryColumns} FROM pipeline_entry e WHERE e.organisation_id = @organisationId ORDER BY e.id", new { organisationId }, cancellationToken: ct));
        return rows.Select(r => r.ToDomain()).ToList();
    }

    public async Task<PipelineEntry> ApplyAsync(StageChange change, CancellationToken ct)
    {
        if (change.From is null) throw new ArgumentException("A move needs the stage it starts from.", nameof(change));
        // In a move's unit of work (PipelineService), which adds the write-back and the enrolments' changes.
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        try
        {
            var updated = await ApplyInTransactionAsync(c, tx, change, ct);
            await SqlAudit.AppendAsync(c, tx, change.At, auditActor.Name, new AuditRecord(AuditEntities.Prospect, Id(change.EntryId), "moved", AuditDiff.Stage(change)), ct);
            await work.CommitAsync(ct);
            LogMoved(log, change.EntryId, change.From!.Value.Code(), change.To.Code());
            return updated;
        }
        catch (ConcurrentStageChangeException)
        {
            LogConflict(log, change.EntryId, change.To.Code(), change.From!.Value.Code());
            throw;
        }
    }

    internal static async Task<PipelineEntry> ApplyInTransactionAsync(DbConnection c, DbTransaction tx, StageChange change, CancellationToken ct)
    {
        // The WHERE on the current stage is the optimistic check: a concurrent move makes this touch no row.
        var row = await c.QuerySingleOrDefaultAsync<EntryRow>(new CommandDefinition(
            $"""
            UPDATE pipeline_entry SET stage = @To, stage_since = @At, revisit_on = @RevisitOn
            WHERE id = @EntryId AND stage = @From
            RETURNING {ReturningEntryColumns}
            """,
            new { To = change.To.Code(), change.At, RevisitOn = change.To == Stage.NotNow ? change.RevisitOn : null, change.EntryId, From = change.From!.Value.Code() },
            tx, cancellationToken: ct));
        if (row is null) throw new ConcurrentStageChangeException(change.EntryId, change.From!.Value);
        await InsertChangeAsync(c, tx, change, ct);
        return row.ToDomain();
    }

    private static async Task<long> InsertChangeAsync(DbConnection c, DbTransaction tx, StageChange change, CancellationToken ct)
    {
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO stage_change (entry_id, from_stage, to_stage, changed_at, changed_by, reason, revisit_on)
            VALUES (@EntryId, @From, @To, @At, @By, @Reason, @RevisitOn)
            RETURNING id
            """,
            new { change.EntryId, From = change.From?.Code(), To = change.To.Code(), change.At, change.By, change.Reason, change.RevisitOn },
            tx, cancellationToken: ct));
        return id;
    }

    public async Task<IReadOnlyList<StageChange>> HistoryAsync(long entryId, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        var rows = await work.Connection.QueryAsync<ChangeRow>(new CommandDefinition(
            """
            SELECT id AS Id, entry_id AS EntryId, from_stage AS FromStage, to_stage AS ToStage, changed_at AS ChangedAt,
                   changed_by AS ChangedBy, reason AS Reason, revisit_on AS RevisitOn
            FROM stage_change WHERE entry_id = @entryId ORDER BY changed_at, id
            """,
            new { entryId }, work.Transaction, cancellationToken: ct));
        return rows.Select(r => r.ToDomain()).ToList();
    }

    /// <summary>Joins a running unit of work (<see cref="PipelineService.SetNextActionAsync"/> adds the write-back).</summary>
    public async Task SetNextActionAsync(long entryId, string? action, DateOnly? due, DateOnly today, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        var before = (await c.QuerySingleOrDefaultAsync<EntryRow>(new CommandDefinition(
            $"SELECT {EntryColumns} FROM pipeline_entry e WHERE e.id = @entryId{db.ForUpdate}", new { entryId }, tx, cancellationToken: ct)))?.ToDomain();
        if (before is null) return;
        var text = string.IsNullOrWhiteSpace(action) ? null : action.Trim();
        var dueOn = text is null ? null : due;
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE pipeline_entry SET next_action = @text, next_action_due = @dueOn, next_action_overdue = @overdue WHERE id = @entryId",
            new { entryId, text, dueOn, overdue = text is not null && due < today }, tx, cancellationToken: ct));
        var changes = AuditDiff.NextAction(before, text, dueOn);
        if (changes.Count > 0)
            await SqlAudit.AppendAsync(c, tx, time.GetUtcNow(), auditActor.Name, new AuditRecord(AuditEntities.Prospect, Id(entryId), "next_action_set", changes), ct);
        await work.CommitAsync(ct);
    }

    private Task AuditEntryCreatedAsync(DbConnection c, DbTransaction tx, PipelineEntry entry, string reason, CancellationToken ct) =>
        SqlAudit.AppendAsync(c, tx, entry.CreatedAt, auditActor.Name, new AuditRecord(AuditEntities.Prospect, Id(entry.Id), "created",
        [
            new("organisation_id", null, Id(entry.OrganisationId)),
            new("covenant_id", null, Id(entry.CovenantId)),
            new("stage", null, entry.Stage.Code()),
            new("reason", null, reason),
        ]), ct);

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public async Task<Page<ProspectSummary>> SearchAsync(ProspectFilter filter, int page, int pageSize, CancellationToken ct)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 1000);
        var (where, parameters) = BuildWhere(filter);
        parameters.Add("Limit", pageSize);
        parameters.Add("Offset", (page - 1) * pageSize);
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM {SummaryFrom} {where}", parameters, cancellationToken: ct));
        var rows = await c.QueryAsync<SummaryRow>(new CommandDefinition(
            $"SELECT {SummaryColumns} FROM {SummaryFrom} {where} ORDER BY e.stage_since DESC, e.id DESC LIMIT @Limit OFFSET @Offset",
            parameters, cancellationToken: ct));
        return new Page<ProspectSummary>(rows.Select(r => r.ToDomain()).ToList(), (int)total, page, pageSize);
    }

    public async Task<Page<ProspectSummary>> ListAsync(ProspectFilter filter, ProspectSort sort, bool descending, int page, int pageSize, CancellationToken ct)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, ProspectList.MaxExportRows);
        var (where, parameters) = BuildWhere(filter);
        parameters.Add("Limit", pageSize);
        parameters.Add("Offset", (long)(page - 1) * pageSize);
        var direction = descending ? " DESC" : "";
        var order = sort switch
        {
            // search_text starts with the folded name: case and accents do not decide the order, and no function runs per row.
            ProspectSort.Name => $"o.search_text{direction}, e.id{direction}",
            ProspectSort.Stage => $"{StageOrder}{direction}, e.stage_since, e.id",
            // Ascending by days in the stage: the latest to arrive in it first.
            ProspectSort.DaysInStage => $"e.stage_since{(descending ? "" : " DESC")}, e.id{direction}",
            ProspectSort.Owner => $"o.owner{direction}, e.id{direction}",
            // Without a due day last either way (CASE, as NULLS LAST is not SQLite's before 3.30 and orders differ by engine).
            ProspectSort.NextActionDue => $"CASE WHEN e.next_action_due IS NULL THEN 1 ELSE 0 END, e.next_action_due{direction}, e.id{direction}",
            _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, null),
        };
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM {SummaryFrom} {where}", parameters, cancellationToken: ct));
        var rows = await c.QueryAsync<SummaryRow>(new CommandDefinition(
            $"SELECT {SummaryColumns} FROM {SummaryFrom} {where} ORDER BY {order} LIMIT @Limit OFFSET @Offset", parameters, cancellationToken: ct));
        return new Page<ProspectSummary>(rows.Select(r => r.ToDomain()).ToList(), (int)total, page, pageSize);
    }

    /// <summary>The board's order of stages (the funnel, then the exits) as a number.</summary>
    private static readonly string StageOrder =
        "CASE e.stage " + string.Concat(Stages.All.Select((s, i) => $"WHEN '{s.Code()}' THEN {i} ")) + "END";

    public async Task<ProspectSummary?> GetSummaryAsync(long entryId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<SummaryRow>(new CommandDefinition(
            $"SELECT {SummaryColumns} FROM {SummaryFrom} WHERE e.id = @entryId", new { entryId }, cancellationToken: ct));
        return row?.ToDomain();
    }

    public async Task<IReadOnlyList<ProspectSummary>> ListSummariesForOrganisationAsync(long organisationId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<SummaryRow>(new CommandDefinition(
            $"SELECT {SummaryColumns} FROM {SummaryFrom} WHERE e.organisation_id = @organisationId ORDER BY e.id", new { organisationId }, cancellationToken: ct));
        return rows.Select(r => r.ToDomain()).ToList();
    }

    public async Task<IReadOnlyList<PipelineEntry>> ListRevisitsDueAsync(DateOnly today, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<EntryRow>(new CommandDefinition(
            $"SELECT {EntryColumns} FROM pipeline_entry e WHERE e.stage = @NotNow AND e.revisit_on <= @today ORDER BY e.revisit_on, e.id",
            new { NotNow = Stage.NotNow.Code(), today }, cancellationToken: ct));
        return rows.Select(r => r.ToDomain()).ToList();
    }

    public async Task<int> RefreshOverdueFlagsAsync(DateOnly today, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var flag = new { today, yes = true, no = false };
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE pipeline_entry SET next_action_overdue = @yes WHERE next_action_due < @today AND next_action_overdue = @no", flag, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE pipeline_entry SET next_action_overdue = @no WHERE (next_action_due IS NULL OR next_action_due >= @today) AND next_action_overdue = @yes", flag, tx, cancellationToken: ct));
        var overdue = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM pipeline_entry WHERE next_action_overdue = @yes", flag, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (int)overdue;
    }

    private static (string Where, DynamicParameters Parameters) BuildWhere(ProspectFilter filter)
    {
        var sql = new StringBuilder();
        var p = new DynamicParameters();
        void And(string condition) => sql.Append(sql.Length == 0 ? "WHERE " : " AND ").Append(condition);
        if (filter.CovenantId is { } covenant) { And("e.covenant_id = @CovenantId"); p.Add("CovenantId", covenant); }
        if (!string.IsNullOrWhiteSpace(filter.Sector)) { And("o.sector = @Sector"); p.Add("Sector", filter.Sector.Trim()); }
        if (filter.PartyKind is { } kind) { And("o.party_kind = @PartyKind"); p.Add("PartyKind", kind.Code()); }
        if (!string.IsNullOrWhiteSpace(filter.Owner)) { And("o.owner = @Owner"); p.Add("Owner", filter.Owner.Trim()); }
        if (filter.Stage is { } stage) { And("e.stage = @Stage"); p.Add("Stage", stage.Code()); }
        if (filter.Overdue is { } overdue) { And("e.next_action_overdue = @Overdue"); p.Add("Overdue", overdue); }
        // Integer literals (ids, never user text): a figure may stand for many thousands of prospects, more than either
        // engine takes as bound parameters.
        if (filter.EntryIds is { } ids)
            And(ids.Count == 0 ? "1 = 0" : $"e.id IN ({string.Join(", ", ids.Distinct().Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)))})");
        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            // The stored folded columns (migration 0029): no function per row, and the contacts are read once, not per organisation.
            // One set of matching organisations from both tables (not "name matches OR a contact matches"): each half can then
            // be answered by its own index (PostgreSQL's trigram indexes, migration 0035) instead of a scan of every entry.
            p.Add("Text", "%" + Database.EscapeLike(Database.SearchFold(filter.Text.Trim())!) + "%");
            And($"o.id IN (SELECT s.id FROM organisation s WHERE {Database.SearchContains("s.search_text", "@Text")} UNION ALL SELECT k.organisation_id FROM contact k WHERE {Database.SearchContains("k.search_text", "@Text")})");
        }

        return (sql.ToString(), p);
    }

    private sealed class EntryRow
    {
        public long Id { get; init; }
        public long OrganisationId { get; init; }
        public long CovenantId { get; init; }
        public string Stage { get; init; } = "";
        public DateTimeOffset StageSince { get; init; }
        public DateOnly? RevisitOn { get; init; }
        public string? NextAction { get; init; }
        public DateOnly? NextActionDue { get; init; }
        public bool NextActionOverdue { get; init; }
        public DateTimeOffset CreatedAt { get; init; }

        public PipelineEntry ToDomain() => new()
        {
            Id = Id, OrganisationId = OrganisationId, CovenantId = CovenantId, Stage = Stages.Parse(Stage), StageSince = StageSince,
            RevisitOn = RevisitOn, NextAction = NextAction, NextActionDue = NextActionDue, NextActionOverdue = NextActionOverdue, CreatedAt = CreatedAt,
        };
    }

    private sealed class ChangeRow
    {
        public long Id { get; init; }
        public long EntryId { get; init; }
        public string? FromStage { get; init; }
        public string ToStage { get; init; } = "";
        public DateTimeOffset ChangedAt { get; init; }
        public string ChangedBy { get; init; } = "";
        public string Reason { get; init; } = "";
        public DateOnly? RevisitOn { get; init; }

        public StageChange ToDomain() =>
            new(EntryId, FromStage is null ? null : Stages.Parse(FromStage), Stages.Parse(ToStage), ChangedAt, ChangedBy, Reason, RevisitOn) { Id = Id };
    }

    private sealed class SummaryRow
    {
        public long Id { get; init; }
        public long OrganisationId { get; init; }
        public string OrganisationName { get; init; } = "";
        public long CovenantId { get; init; }
        public string CovenantCode { get; init; } = "";
        public string PartyKind { get; init; } = "";
        public string Sector { get; init; } = "";
        public string Owner { get; init; } = "";
        public string Stage { get; init; } = "";
        public DateTimeOffset StageSince { get; init; }
        public DateOnly? RevisitOn { get; init; }
        public string? NextAction { get; init; }
        public DateOnly? NextActionDue { get; init; }
        public bool NextActionOverdue { get; init; }
        public DateTimeOffset? RemovedAt { get; init; }

        public ProspectSummary ToDomain() => new()
        {
            Id = Id, OrganisationId = OrganisationId, OrganisationName = OrganisationName, CovenantId = CovenantId, CovenantCode = CovenantCode,
            PartyKind = PartyKinds.Parse(PartyKind), Sector = Sector, Owner = Owner, Stage = Stages.Parse(Stage), StageSince = StageSince,
            RevisitOn = RevisitOn, NextAction = NextAction, NextActionDue = NextActionDue, NextActionOverdue = NextActionOverdue, RemovedAt = RemovedAt,
        };
    }
}
