using Dapper;
using Outreach.Core.Events;

namespace Outreach.Storage;

/// <summary>The event notice outbox (table event_notice) on SQLite or PostgreSQL.</summary>
public sealed class SqlEventNoticeOutbox(Database db) : IEventNoticeOutbox
{
    private const string Columns = "id AS Id, event_id AS EventId, invitation_id AS InvitationId, kind AS Kind, sequence AS Sequence, attempts AS Attempts";

    /// <summary>In an event change's unit of work (see <see cref="IEventNoticeOutbox.EnqueueAsync"/>; which notices, by <see cref="EventChangeRules.Notices"/>).</summary>
    public async Task EnqueueAsync(IReadOnlyList<QueuedEventNotice> notices, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notices);
        if (notices.Count == 0) return;
        await using var work = await db.BeginWorkAsync(ct);
        await work.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO event_notice (event_id, invitation_id, kind, sequence, status, due_at, attempts, created_at)
            VALUES (@EventId, @InvitationId, @Kind, @Sequence, 'pending', @Due, 0, @At)
            """,
            notices.Select(n => new { n.EventId, n.InvitationId, Kind = n.Kind.Code(), n.Sequence, At = at, Due = n.DueAt ?? at }).ToList(), work.Transaction, cancellationToken: ct));
        await work.CommitAsync(ct);
    }

    /// <summary>In an erasure's, opt-out's or bounce's unit of work (see <see cref="IEventNoticeOutbox.EnqueueWithdrawalsAsync"/>).</summary>
    public async Task<int> EnqueueWithdrawalsAsync(long contactId, DateTimeOffset at, bool comingOnly, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var queued = await work.Connection.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO event_notice (event_id, invitation_id, kind, sequence, status, due_at, attempts, created_at)
            SELECT i.event_id, i.id, '{EventMailKind.Withdrawn.Code()}', e.sequence, 'pending', @at, 0, @at
            FROM invitation i JOIN network_event e ON e.id = i.event_id
            WHERE i.contact_id = @contactId{(comingOnly ? $" AND e.status = '{EventStatus.Scheduled.Code()}' AND e.ends_at > @at" : "")}
            """, new { contactId, at }, work.Transaction, cancellationToken: ct));
        await work.CommitAsync(ct);
        return queued;
    }

    public async Task<int> EraseErrorsForContactAsync(long contactId, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var erased = await work.Connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE event_notice SET last_error = '(erased)'
            WHERE last_error IS NOT NULL AND invitation_id IN (SELECT id FROM invitation WHERE contact_id = @contactId)
            """, new { contactId }, work.Transaction, cancellationToken: ct));
        await work.CommitAsync(ct);
        return erased;
    }

    public async Task<IReadOnlyList<EventNotice>> ClaimAsync(long? eventId, string node, DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        // Claims are serialised (SQLite has one writer; PostgreSQL takes a transaction lock), so the per-event exclusivity
        // below cannot be passed by two claimers at once. A claim whose lease ran out counts as open again.
        await db.Dialect.LockForTransactionAsync(c, tx, LockIds.EventNoticeClaims, ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            $"""
            UPDATE event_notice SET status = 'sending', claimed_by = @node, claimed_until = @leaseUntil, attempts = attempts + 1
            WHERE id IN (
                SELECT n.id FROM event_notice n
                WHERE ((n.status = 'pending' AND n.due_at <= @now) OR (n.status = 'sending' AND n.claimed_until <= @now))
                  {(eventId is null ? "" : "AND n.event_id = @eventId")}
                  AND NOT EXISTS (SELECT 1 FROM event_notice p
                                  WHERE p.invitation_id = n.invitation_id AND p.id < n.id AND p.status IN ('pending', 'sending'))
                  AND NOT EXISTS (SELECT 1 FROM event_notice o
                                  WHERE o.event_id = n.event_id AND o.status = 'sending' AND o.claimed_until > @now AND o.claimed_by <> @node)
                ORDER BY n.id
                LIMIT @max)
            RETURNING {Columns}
            """,
            new { node, now, leaseUntil, max, eventId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return rows.OrderBy(r => r.Id).Select(r => new EventNotice(r.Id, r.EventId, r.InvitationId, EventMailKinds.Parse(r.Kind), r.Sequence, r.Attempts)).ToList();
    }

    public async Task<bool> MarkDoneAsync(long id, string node, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE event_notice SET status = 'done', done_at = @at, claimed_by = NULL, claimed_until = NULL, last_error = NULL
            WHERE id = @id AND status = 'sending' AND claimed_by = @node
            """, new { id, node, at }, cancellationToken: ct)) == 1;
    }

    public async Task MarkFailedAsync(long id, string node, string reason, DateTimeOffset? retryAt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reason);
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE event_notice SET status = @status, due_at = COALESCE(@retryAt, due_at), last_error = @reason, claimed_by = NULL, claimed_until = NULL
            WHERE id = @id AND status = 'sending' AND claimed_by = @node
            """,
            new { id, node, status = retryAt is null ? "failed" : "pending", retryAt, reason = reason.Length > 2000 ? reason[..2000] : reason }, cancellationToken: ct));
    }

    public async Task ReleaseAsync(IReadOnlyList<long> ids, string node, DateTimeOffset dueAt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) return;
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE event_notice SET status = 'pending', due_at = @dueAt, attempts = attempts - 1, claimed_by = NULL, claimed_until = NULL
            WHERE id = @id AND status = 'sending' AND claimed_by = @node
            """, ids.Select(id => new { id, node, dueAt }), cancellationToken: ct));
    }

    public async Task HoldAsync(DateTimeOffset until, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE event_notice SET due_at = @until WHERE status = 'pending' AND due_at < @until", new { until }, cancellationToken: ct));
    }

    public async Task<EventNoticeCounts> CountAsync(long eventId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var counts = await c.QuerySingleAsync<(long Waiting, long Failed)>(new CommandDefinition(
            """
            SELECT COALESCE(SUM(CASE WHEN status IN ('pending', 'sending') THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0)
            FROM event_notice WHERE event_id = @eventId
            """, new { eventId }, cancellationToken: ct));
        var lastError = await c.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT last_error FROM event_notice WHERE event_id = @eventId AND last_error IS NOT NULL AND status <> 'done' ORDER BY id DESC LIMIT 1",
            new { eventId }, cancellationToken: ct));
        return new EventNoticeCounts((int)counts.Waiting, (int)counts.Failed, lastError);
    }

    public async Task<int> RetryFailedAsync(long eventId, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE event_notice SET status = 'pending', due_at = @at, attempts = 0 WHERE event_id = @eventId AND status = 'failed'",
            new { eventId, at }, cancellationToken: ct));
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public long EventId { get; init; }
        public long InvitationId { get; init; }
        public string Kind { get; init; } = "";
        public int Sequence { get; init; }
        public int Attempts { get; init; }
    }
}
