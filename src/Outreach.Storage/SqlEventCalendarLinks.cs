using Dapper;
using Outreach.Core.Events;

namespace Outreach.Storage;

/// <summary>The Microsoft 365 calendar links of network events (table event_calendar, migration 0017) on SQLite or PostgreSQL.</summary>
public sealed class SqlEventCalendarLinks(Database db) : IEventCalendarLinks
{
    private const string Columns =
        "l.event_id AS EventId, l.mailbox AS Mailbox, l.transaction_id AS TransactionId, l.calendar_event_id AS CalendarEventId, l.join_url AS JoinUrl, l.online_meeting_id AS OnlineMeetingId, l.pushed_sequence AS PushedSequence, l.cancel_pushed_at AS CancelPushedAt, l.responses_read_at AS ResponsesReadAt, l.attendance_read_at AS AttendanceReadAt, l.created_at AS CreatedAt, l.updated_at AS UpdatedAt";

    public async Task<EventCalendarLink?> GetAsync(long eventId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM event_calendar l WHERE l.event_id = @eventId", new { eventId }, cancellationToken: ct)))?.ToDomain();
    }

    /// <summary>
    /// Saves a link without going back: the channel and the calendar job each save from what they read, so a save from an
    /// older copy must not undo another's progress (a pushed SEQUENCE, a cancellation, a read). Ids and the join link are
    /// only ever filled in; the mailbox and transaction id are kept from the first save.
    /// </summary>
    public async Task SaveAsync(EventCalendarLink link, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(link);
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO event_calendar (event_id, mailbox, transaction_id, calendar_event_id, join_url, online_meeting_id, pushed_sequence, cancel_pushed_at,
                                        responses_read_at, attendance_read_at, created_at, updated_at)
            VALUES (@EventId, @Mailbox, @TransactionId, @CalendarEventId, @JoinUrl, @OnlineMeetingId, @PushedSequence, @CancelPushedAt,
                    @ResponsesReadAt, @AttendanceReadAt, @CreatedAt, @UpdatedAt)
            ON CONFLICT (event_id) DO UPDATE SET
                calendar_event_id = COALESCE(excluded.calendar_event_id, event_calendar.calendar_event_id),
                join_url = COALESCE(excluded.join_url, event_calendar.join_url),
                online_meeting_id = COALESCE(excluded.online_meeting_id, event_calendar.online_meeting_id),
                pushed_sequence = CASE WHEN event_calendar.pushed_sequence IS NULL OR excluded.pushed_sequence > event_calendar.pushed_sequence
                                       THEN excluded.pushed_sequence ELSE event_calendar.pushed_sequence END,
                cancel_pushed_at = COALESCE(event_calendar.cancel_pushed_at, excluded.cancel_pushed_at),
                responses_read_at = CASE WHEN event_calendar.responses_read_at IS NULL OR excluded.responses_read_at > event_calendar.responses_read_at
                                         THEN excluded.responses_read_at ELSE event_calendar.responses_read_at END,
                attendance_read_at = COALESCE(event_calendar.attendance_read_at, excluded.attendance_read_at),
                updated_at = excluded.updated_at
            """,
            new
            {
                link.EventId, link.Mailbox, link.TransactionId, link.CalendarEventId, link.JoinUrl, link.OnlineMeetingId, link.PushedSequence, link.CancelPushedAt,
                link.ResponsesReadAt, link.AttendanceReadAt, link.CreatedAt, link.UpdatedAt,
            }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<EventCalendarLink>> ListForResponsesAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<Row>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM event_calendar l JOIN network_event e ON e.id = l.event_id
            WHERE l.calendar_event_id IS NOT NULL AND l.cancel_pushed_at IS NULL AND e.status = '{EventStatus.Scheduled.Code()}' AND e.ends_at > @now
            ORDER BY e.starts_at, e.id
            """, new { now }, cancellationToken: ct))).Select(r => r.ToDomain()).ToList();
    }

    public async Task<IReadOnlyList<EventCalendarLink>> ListForAttendanceAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<Row>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM event_calendar l JOIN network_event e ON e.id = l.event_id
            WHERE l.join_url IS NOT NULL AND l.attendance_read_at IS NULL AND e.status = '{EventStatus.Scheduled.Code()}' AND e.format IN ('{EventFormat.Online.Code()}', '{EventFormat.Hybrid.Code()}') AND e.ends_at <= @now
            ORDER BY e.ends_at, e.id
            """, new { now }, cancellationToken: ct))).Select(r => r.ToDomain()).ToList();
    }

    private sealed class Row
    {
        public long EventId { get; init; }
        public string Mailbox { get; init; } = "";
        public string TransactionId { get; init; } = "";
        public string? CalendarEventId { get; init; }
        public string? JoinUrl { get; init; }
        public string? OnlineMeetingId { get; init; }
        public int? PushedSequence { get; init; }
        public DateTimeOffset? CancelPushedAt { get; init; }
        public DateTimeOffset? ResponsesReadAt { get; init; }
        public DateTimeOffset? AttendanceReadAt { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }

        public EventCalendarLink ToDomain() => new()
        {
            EventId = EventId, Mailbox = Mailbox, TransactionId = TransactionId, CalendarEventId = CalendarEventId, JoinUrl = JoinUrl, OnlineMeetingId = OnlineMeetingId,
            PushedSequence = PushedSequence, CancelPushedAt = CancelPushedAt, ResponsesReadAt = ResponsesReadAt, AttendanceReadAt = AttendanceReadAt,
            CreatedAt = CreatedAt, UpdatedAt = UpdatedAt,
        };
    }
}
