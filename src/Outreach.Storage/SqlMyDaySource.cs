using System.Data.Common;
using Dapper;
using Outreach.Core.Activities;

namespace Outreach.Storage;

/// <summary>The "My day" lists of one owner, a query each, every line leading to a prospect.</summary>
public sealed class SqlMyDaySource(Database db) : IMyDaySource
{
    private const string Line =
        "e.id AS ProspectId, o.name AS Organisation, cv.code AS Covenant, e.stage AS Stage";

    private const string Owned =
        "FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id JOIN covenant cv ON cv.id = e.covenant_id WHERE o.owner = @owner";

    public async Task<MyDay> ReadAsync(string owner, DateOnly today, DateTimeOffset stalledBefore, DateTimeOffset now, int max, CancellationToken ct)
    {
        var limit = Math.Clamp(max, 1, 500);
        await using var work = await db.ConnectAsync(ct);
        var c = work.Connection;
        var p = new { owner, today, stalledBefore, now, limit };
        var overdue = await ListAsync(c, work.Transaction,
            $"SELECT {Line}, e.next_action AS What, e.next_action_due AS Due {Owned} AND e.next_action IS NOT NULL AND e.next_action_due < @today ORDER BY e.next_action_due, e.id LIMIT @limit", p, ct);
        var dueToday = await ListAsync(c, work.Transaction,
            $"SELECT {Line}, e.next_action AS What, e.next_action_due AS Due {Owned} AND e.next_action IS NOT NULL AND e.next_action_due = @today ORDER BY e.id LIMIT @limit", p, ct);
        // Open stages only: an exit is where a prospect rests by design.
        var stalled = await ListAsync(c, work.Transaction,
            $"SELECT {Line}, e.stage_since AS Since {Owned} AND e.stage IN ('identified', 'contacted', 'engaged', 'intake', 'signing_scheduled') AND e.stage_since < @stalledBefore ORDER BY e.stage_since, e.id LIMIT @limit", p, ct);
        // The organisation's prospect in the event's covenant: the invitation is part of that pipeline.
        var unanswered = await ListAsync(c, work.Transaction,
            $"""
            SELECT {Line}, ev.title AS EventTitle, ev.starts_at AS Since, k.name AS ContactName
            {Owned.Replace("WHERE", "JOIN contact k ON k.organisation_id = o.id JOIN invitation i ON i.contact_id = k.id JOIN network_event ev ON ev.id = i.event_id AND ev.covenant_id = e.covenant_id WHERE", StringComparison.Ordinal)}
              AND i.response = 'none' AND ev.status = 'scheduled' AND ev.starts_at > @now AND k.erased_at IS NULL
            ORDER BY ev.starts_at, k.id LIMIT @limit
            """, p, ct);
        // A person's reply waits for a human until someone logs an activity or moves the prospect after it came in.
        var replies = await ListAsync(c, work.Transaction,
            $"""
            SELECT {Line}, r.subject AS What, r.received_at AS Since, k.name AS ContactName
            {Owned.Replace("WHERE", "JOIN mail_reply r ON r.organisation_id = o.id LEFT JOIN contact k ON k.id = r.contact_id WHERE", StringComparison.Ordinal)}
              AND r.kind = 'reply'
              AND NOT EXISTS (SELECT 1 FROM activity a WHERE a.prospect_id = e.id AND a.created_at >= r.received_at)
              AND NOT EXISTS (SELECT 1 FROM stage_change s WHERE s.entry_id = e.id AND s.changed_at >= r.received_at)
            ORDER BY r.received_at DESC, r.id DESC LIMIT @limit
            """, p, ct);
        // Milestones the reminders did not get done: the oldest first, for a party still signed (one that left is not chased).
        var milestones = await ListAsync(c, work.Transaction,
            $"""
            SELECT {Line}, m.name_en AS What, m.name_nl AS WhatNl, m.due_on AS Due
            {Owned.Replace("WHERE", "JOIN onboarding_milestone m ON m.entry_id = e.id WHERE", StringComparison.Ordinal)}
              AND m.done_on IS NULL AND m.due_on < @today AND e.stage = 'signed'
            ORDER BY m.due_on, m.id LIMIT @limit
            """, p, ct);
        return new MyDay(overdue, dueToday, stalled, unanswered, replies) { OverdueMilestones = milestones };
    }

    private static async Task<IReadOnlyList<DayLine>> ListAsync(DbConnection c, DbTransaction? tx, string sql, object parameters, CancellationToken ct) =>
        (await c.QueryAsync<Row>(new CommandDefinition(sql, parameters, tx, cancellationToken: ct))).Select(r => r.ToDomain()).ToList();

    private sealed class Row
    {
        public long ProspectId { get; init; }
        public string Organisation { get; init; } = "";
        public string Covenant { get; init; } = "";
        public string Stage { get; init; } = "";
        public string? What { get; init; }
        public DateOnly? Due { get; init; }
        public DateTimeOffset? Since { get; init; }
        public string? ContactName { get; init; }
        public string? EventTitle { get; init; }
        public string? WhatNl { get; init; }

        public DayLine ToDomain() => new(ProspectId, Organisation, Covenant, Core.Pipeline.Stages.Parse(Stage), What, Due, Since, ContactName) { EventTitle = EventTitle, WhatNl = WhatNl };
    }
}
