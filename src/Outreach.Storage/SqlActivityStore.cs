using System.Data.Common;
using System.Globalization;
using Dapper;
using Outreach.Core.Activities;
using Outreach.Core.Audit;
using Outreach.Core.Crm;

namespace Outreach.Storage;

/// <summary>Calls, meetings and notes with their contact links, each change audited in the same transaction.</summary>
public sealed class SqlActivityStore(Database db) : IActivityStore, IDynamicsActivityStore
{
    private const string Columns =
        "id AS Id, prospect_id AS ProspectId, kind AS Kind, occurred_at AS OccurredAt, text AS Text, direction AS Direction, outcome AS Outcome, " +
        "duration_minutes AS DurationMinutes, location AS Location, other_attendees AS OtherAttendees, follow_up AS FollowUp, follow_up_due AS FollowUpDue, " +
        "author AS Author, created_at AS CreatedAt, edited_at AS EditedAt, corrects_id AS CorrectsId, origin AS Origin, dataverse_id AS DataverseId";

    public async Task<Activity> AddAsync(long prospectId, ActivityDraft draft, string author, DateTimeOffset at, long? correctsId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await using var work = await db.BeginWorkAsync(ct);
        var c = work.Connection;
        var tx = work.Transaction!;
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO activity (prospect_id, kind, occurred_at, text, direction, outcome, duration_minutes, location, other_attendees, follow_up, follow_up_due, author, created_at, corrects_id, origin)
            VALUES (@prospectId, @Kind, @OccurredAt, @Text, @Direction, @Outcome, @DurationMinutes, @Location, @OtherAttendees, @FollowUp, @FollowUpDue, @author, @at, @correctsId, 'outreach')
            RETURNING id
            """,
            new
            {
                prospectId, Kind = draft.Kind.Code(), OccurredAt = draft.OccurredAt ?? at, Text = draft.Text ?? "", Direction = draft.Direction?.Code(), Outcome = draft.Outcome?.Code(),
                draft.DurationMinutes, draft.Location, draft.OtherAttendees, draft.FollowUp, draft.FollowUpDue, author, at, correctsId,
            }, tx, cancellationToken: ct));
        // The id it has (or will have) in Dynamics, known now: the read-in recognises it as Outreach's own (no echo).
        await c.ExecuteAsync(new CommandDefinition("UPDATE activity SET dataverse_id = @dataverseId WHERE id = @id",
            new { id, dataverseId = CrmIds.Activity(id).ToString("D") }, tx, cancellationToken: ct));
        await LinkContactsAsync(c, tx, id, draft.ContactIds, ct);
        var saved = (await ReadAsync(c, tx, id, ct))!;
        await SqlAudit.AppendAsync(c, tx, at, author, new AuditRecord(AuditEntities.Activity, Id(id), correctsId is null ? "logged" : "corrected",
            [new("prospect_id", null, Id(prospectId)), .. Describe(null, saved), .. correctsId is { } corrects ? [new AuditChange("corrects", null, Id(corrects))] : Array.Empty<AuditChange>()]), ct);
        await work.CommitAsync(ct);
        return saved;
    }

    public async Task<Activity?> GetAsync(long id, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        return await ReadAsync(work.Connection, work.Transaction, id, ct);
    }

    public async Task<Activity?> UpdateAsync(long id, ActivityDraft draft, string by, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await using var work = await db.BeginWorkAsync(ct);
        var c = work.Connection;
        var tx = work.Transaction!;
        await db.Dialect.LockRowsAsync(c, tx, "SELECT id FROM activity WHERE id = @id FOR UPDATE", new { id }, ct);
        var before = await ReadAsync(c, tx, id, ct);
        if (before is null) return null;
        await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE activity SET occurred_at = @OccurredAt, text = @Text, direction = @Direction, outcome = @Outcome, duration_minutes = @DurationMinutes,
                location = @Location, other_attendees = @OtherAttendees, edited_at = @at
            WHERE id = @id
            """,
            new
            {
                id, OccurredAt = draft.OccurredAt ?? before.OccurredAt, Text = draft.Text ?? "", Direction = draft.Direction?.Code(), Outcome = draft.Outcome?.Code(),
                draft.DurationMinutes, draft.Location, draft.OtherAttendees, at,
            }, tx, cancellationToken: ct));
        // Links of contacts still chosen keep the name they were logged with.
        await c.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM activity_contact WHERE activity_id = @id AND NOT ({db.Dialect.InList("contact_id", "@keep")})",
            new { id, keep = db.Dialect.List(draft.ContactIds) }, tx, cancellationToken: ct));
        await LinkContactsAsync(c, tx, id, draft.ContactIds.Except(before.Contacts.Select(x => x.ContactId)).ToList(), ct);
        var after = (await ReadAsync(c, tx, id, ct))!;
        var changes = Describe(before, after);
        if (changes.Count > 0)
            await SqlAudit.AppendAsync(c, tx, at, by, new AuditRecord(AuditEntities.Activity, Id(id), "edited", changes), ct);
        await work.CommitAsync(ct);
        return after;
    }

    public async Task<int> EraseContactAsync(long contactId, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var erased = await work.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE activity_contact SET contact_name = NULL WHERE contact_id = @contactId AND contact_name IS NOT NULL",
            new { contactId }, work.Transaction, cancellationToken: ct));
        await work.CommitAsync(ct);
        return erased;
    }

    public async Task<DynamicsActivityResult> ApplyDynamicsAsync(CrmTable table, IReadOnlyList<DynamicsActivity> rows, IReadOnlyList<Guid> deleted,
        string? nextLink, string? deltaLink, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(deleted);
        return await db.RunInTransactionAsync(async token =>
        {
            await using var work = await db.BeginWorkAsync(token);
            var (c, tx) = (work.Connection, work.Transaction!);
            int added = 0, updated = 0, removed = 0, skipped = 0;
            foreach (var row in rows)
            {
                var id = row.Id.ToString("D");
                var existing = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                    "SELECT origin FROM activity WHERE dataverse_id = @id", new { id }, tx, cancellationToken: token));
                if (existing is not null and not "dynamics")
                {
                    // Outreach's own activity, written back: never taken in again (no echo).
                    skipped++;
                    continue;
                }

                var parameters = new
                {
                    id, Kind = row.Kind.Code(), row.OccurredAt, Text = Limit(row.Text, ActivityRules.MaxTextLength), Direction = row.Direction?.Code(),
                    row.DurationMinutes, Location = row.Location is null ? null : Limit(row.Location, ActivityRules.MaxLocationLength), Author = Limit(row.Author, 200), at,
                };
                if (existing is not null)
                {
                    // Still on the prospect it was first put on; its kind does not change in Dynamics either.
                    await c.ExecuteAsync(new CommandDefinition(
                        """
                        UPDATE activity SET occurred_at = @OccurredAt, text = @Text, direction = @Direction, duration_minutes = @DurationMinutes,
                            location = @Location, author = @Author, edited_at = @at
                        WHERE dataverse_id = @id AND origin = 'dynamics'
                        """, parameters, tx, cancellationToken: token));
                    updated++;
                    continue;
                }

                // About a synced account, or one of its contacts (then linked to that contact). The prospect: the
                // organisation's prospect whose stage moved last (an organisation has one per covenant).
                var target = await c.QuerySingleOrDefaultAsync<TargetRow>(new CommandDefinition(
                    """
                    SELECT e.id AS EntryId, k.id AS ContactId
                    FROM organisation o
                    JOIN pipeline_entry e ON e.organisation_id = o.id
                    LEFT JOIN contact k ON k.dataverse_id = @regarding AND k.organisation_id = o.id
                    WHERE o.removed_at IS NULL AND (o.dataverse_id = @regarding OR k.id IS NOT NULL)
                    ORDER BY e.stage_since DESC, e.id
                    LIMIT 1
                    """, new { regarding = row.RegardingId.ToString("D") }, tx, cancellationToken: token));
                if (target is not { } t)
                {
                    skipped++;
                    continue;
                }

                var activityId = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                    """
                    INSERT INTO activity (prospect_id, kind, occurred_at, text, direction, duration_minutes, location, author, created_at, origin, dataverse_id)
                    VALUES (@entryId, @Kind, @OccurredAt, @Text, @Direction, @DurationMinutes, @Location, @Author, @at, 'dynamics', @id)
                    RETURNING id
                    """,
                    new
                    {
                        entryId = t.EntryId, parameters.id, parameters.Kind, parameters.OccurredAt, parameters.Text, parameters.Direction, parameters.DurationMinutes,
                        parameters.Location, parameters.Author, at,
                    }, tx, cancellationToken: token));
                if (t.ContactId is { } contact) await LinkContactsAsync(c, tx, activityId, [contact], token);
                added++;
            }

            foreach (var gone in deleted)
            {
                var id = gone.ToString("D");
                await c.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM activity_contact WHERE activity_id IN (SELECT id FROM activity WHERE dataverse_id = @id AND origin = 'dynamics')",
                    new { id }, tx, cancellationToken: token));
                removed += await c.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM activity WHERE dataverse_id = @id AND origin = 'dynamics' AND NOT EXISTS (SELECT 1 FROM activity x WHERE x.corrects_id = activity.id)",
                    new { id }, tx, cancellationToken: token));
            }

            await new SqlCrmSyncStore(db).SaveLinksAsync(table, nextLink, deltaLink, at, token);
            return new DynamicsActivityResult(added, updated, removed, skipped);
        }, ct);
    }

    private static string Limit(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private static async Task LinkContactsAsync(DbConnection c, DbTransaction tx, long activityId, IReadOnlyList<long> contactIds, CancellationToken ct)
    {
        if (contactIds.Count == 0) return;
        // The name as it is now, from the contact's own row (never from the form), and only the prospect's organisation's.
        var dialect = SqlDialect.Of(c);
        await c.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO activity_contact (activity_id, contact_id, contact_name)
            SELECT @activityId, k.id, CASE WHEN k.erased_at IS NULL THEN k.name ELSE NULL END
            FROM contact k
            JOIN pipeline_entry e ON e.organisation_id = k.organisation_id
            JOIN activity a ON a.prospect_id = e.id
            WHERE a.id = @activityId AND {dialect.InList("k.id", "@ids")}
            """,
            new { activityId, ids = dialect.List(contactIds) }, tx, cancellationToken: ct));
    }

    private static async Task<Activity?> ReadAsync(DbConnection c, DbTransaction? tx, long id, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM activity WHERE id = @id", new { id }, tx, cancellationToken: ct));
        if (row is null) return null;
        var contacts = (await c.QueryAsync<ActivityContactRow>(new CommandDefinition(
            "SELECT contact_id AS ContactId, contact_name AS Name FROM activity_contact WHERE activity_id = @id ORDER BY contact_id", new { id }, tx, cancellationToken: ct)))
            .Select(x => new ActivityContact(x.ContactId, x.Name)).ToList();
        return row.ToDomain(contacts);
    }

    /// <summary>The audited fields. Contact links are recorded by id only: names are personal data, kept in the link table where erasure reaches them.</summary>
    private static List<AuditChange> Describe(Activity? before, Activity after) => AuditDiff.Between(
    [
        new("kind", before?.Kind.Code(), after.Kind.Code()),
        new("occurred_at", AuditDiff.Instant(before?.OccurredAt), AuditDiff.Instant(after.OccurredAt)),
        new("text", before?.Text, after.Text),
        new("direction", before?.Direction?.Code(), after.Direction?.Code()),
        new("outcome", before?.Outcome?.Code(), after.Outcome?.Code()),
        new("duration_minutes", before?.DurationMinutes?.ToString(CultureInfo.InvariantCulture), after.DurationMinutes?.ToString(CultureInfo.InvariantCulture)),
        new("location", before?.Location, after.Location),
        new("other_attendees", before?.OtherAttendees, after.OtherAttendees),
        new("contacts", before is null ? null : string.Join(",", before.Contacts.Select(x => Id(x.ContactId))), string.Join(",", after.Contacts.Select(x => Id(x.ContactId)))),
        new("follow_up", before?.FollowUp, after.FollowUp),
        new("follow_up_due", before?.FollowUpDue?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), after.FollowUpDue?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
    ]).ToList();

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private sealed class TargetRow
    {
        public long EntryId { get; init; }
        public long? ContactId { get; init; }
    }

    private sealed class ActivityContactRow
    {
        public long ContactId { get; init; }
        public string? Name { get; init; }
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public long ProspectId { get; init; }
        public string Kind { get; init; } = "";
        public DateTimeOffset OccurredAt { get; init; }
        public string Text { get; init; } = "";
        public string? Direction { get; init; }
        public string? Outcome { get; init; }
        public int? DurationMinutes { get; init; }
        public string? Location { get; init; }
        public string? OtherAttendees { get; init; }
        public string? FollowUp { get; init; }
        public DateOnly? FollowUpDue { get; init; }
        public string Author { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? EditedAt { get; init; }
        public long? CorrectsId { get; init; }
        public string Origin { get; init; } = "";
        public string? DataverseId { get; init; }

        public Activity ToDomain(IReadOnlyList<ActivityContact> contacts) => new()
        {
            Id = Id, ProspectId = ProspectId, Kind = ActivityCodes.Kinds.Parse(Kind), OccurredAt = OccurredAt, Text = Text,
            Direction = Direction is null ? null : ActivityCodes.Directions.Parse(Direction),
            Outcome = Outcome is null ? null : ActivityCodes.Outcomes.Parse(Outcome),
            DurationMinutes = DurationMinutes, Location = Location, OtherAttendees = OtherAttendees, Contacts = contacts,
            FollowUp = FollowUp, FollowUpDue = FollowUpDue, Author = Author, CreatedAt = CreatedAt, EditedAt = EditedAt, CorrectsId = CorrectsId,
            Origin = ActivityCodes.Origins.Parse(Origin), DataverseId = DataverseId,
        };
    }
}
