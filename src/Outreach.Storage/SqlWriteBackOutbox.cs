using System.Data.Common;
using Dapper;
using Outreach.Core.Crm;
using Outreach.Core.Pipeline;

namespace Outreach.Storage;

/// <summary>The Dataverse write-back outbox (table dataverse_outbox).</summary>
public sealed class SqlWriteBackOutbox(Database db) : IWriteBackOutbox
{
    /// <summary>Items that failed this often stay in the table with their last error and are no longer sent.</summary>
    public const int MaxAttempts = 10;

    /// <summary>
    /// Adds the write-back of a stage change in the caller's transaction, but only for organisations that mirror a
    /// Dataverse account (without Dataverse there are none, so nothing piles up).
    /// </summary>
    internal static Task EnqueueStageChangeAsync(DbConnection c, DbTransaction tx, long entryId, long stageChangeId, DateTimeOffset at, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO dataverse_outbox (idempotency_key, kind, entry_id, stage_change_id, created_at)
            SELECT 'stage-change:' || CAST(@stageChangeId AS text), 'stage_change', e.id, @stageChangeId, @at
            FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id
            WHERE e.id = @entryId AND o.dataverse_id IS NOT NULL
            """,
            new { entryId, stageChangeId, at }, tx, cancellationToken: ct));

    /// <summary>Adds the write-back of a changed next action (the account gets the entry's current stage and next action).</summary>
    internal static Task EnqueueNextActionAsync(DbConnection c, DbTransaction? tx, long entryId, DateTimeOffset at, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO dataverse_outbox (idempotency_key, kind, entry_id, created_at)
            SELECT @key, 'next_action', e.id, @at
            FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id
            WHERE e.id = @entryId AND o.dataverse_id IS NOT NULL
            """,
            new { key = $"next-action:{entryId}:{Guid.NewGuid():N}", entryId, at }, tx, cancellationToken: ct));

    public async Task<IReadOnlyList<WriteBackItem>> PendingAsync(long afterId, int max, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            """
            SELECT x.id AS Id, x.idempotency_key AS IdempotencyKey, x.attempts AS Attempts, o.dataverse_id AS DataverseId, v.code AS CovenantCode,
                   e.stage AS Stage, e.stage_since AS StageSince, e.next_action AS NextAction, e.next_action_due AS NextActionDue,
                   s.id AS ChangeId, s.from_stage AS FromStage, s.to_stage AS ToStage, s.changed_at AS ChangedAt, s.changed_by AS ChangedBy, s.reason AS Reason
            FROM dataverse_outbox x
            JOIN pipeline_entry e ON e.id = x.entry_id
            JOIN organisation o ON o.id = e.organisation_id
            JOIN covenant v ON v.id = e.covenant_id
            LEFT JOIN stage_change s ON s.id = x.stage_change_id
            WHERE x.sent_at IS NULL AND x.attempts < @MaxAttempts AND x.id > @afterId AND o.dataverse_id IS NOT NULL
            ORDER BY x.id
            LIMIT @max
            """,
            new { afterId, max, MaxAttempts }, cancellationToken: ct));
        return rows.Select(r => new WriteBackItem(
            r.Id, r.IdempotencyKey, Guid.Parse(r.DataverseId), r.CovenantCode, Stages.Parse(r.Stage), r.StageSince, r.NextAction, r.NextActionDue,
            r.ChangeId is { } changeId
                ? new WriteBackChange(changeId, r.FromStage is null ? null : Stages.Parse(r.FromStage), Stages.Parse(r.ToStage!), r.ChangedAt!.Value, r.ChangedBy!, r.Reason!)
                : null,
            r.Attempts)).ToList();
    }

    public async Task MarkSentAsync(IReadOnlyList<long> ids, DateTimeOffset at, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE dataverse_outbox SET sent_at = @at, attempts = attempts + 1, last_error = NULL WHERE id = @id AND sent_at IS NULL",
            ids.Select(id => new { id, at }), tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    public async Task MarkFailedAsync(long id, string reason, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE dataverse_outbox SET attempts = attempts + 1, last_error = @error WHERE id = @id",
            new { id, error = reason.Length > 2000 ? reason[..2000] : reason }, cancellationToken: ct));
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public string IdempotencyKey { get; init; } = "";
        public int Attempts { get; init; }
        public string DataverseId { get; init; } = "";
        public string CovenantCode { get; init; } = "";
        public string Stage { get; init; } = "";
        public DateTimeOffset StageSince { get; init; }
        public string? NextAction { get; init; }
        public DateOnly? NextActionDue { get; init; }
        public long? ChangeId { get; init; }
        public string? FromStage { get; init; }
        public string? ToStage { get; init; }
        public DateTimeOffset? ChangedAt { get; init; }
        public string? ChangedBy { get; init; }
        public string? Reason { get; init; }
    }
}
