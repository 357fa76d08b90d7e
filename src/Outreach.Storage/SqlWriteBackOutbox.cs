using System.Data.Common;
using System.Globalization;
using Dapper;
using Outreach.Core.Activities;
using Outreach.Core.Crm;
using Outreach.Core.Events;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Storage;

/// <summary>The Dataverse write-back outbox (table dataverse_outbox).</summary>
public sealed class SqlWriteBackOutbox(Database db) : IWriteBackOutbox
{
    /// <summary>Items that failed this often stay in the table with their last error and are no longer sent.</summary>
    public const int MaxAttempts = 10;

    /// <summary>One queueing statement, in the caller's unit of work when one is running (or its own transaction).</summary>
    private async Task InsertAsync(string sql, object parameters, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        await work.Connection.ExecuteAsync(new CommandDefinition(sql, parameters, work.Transaction, cancellationToken: ct));
        await work.CommitAsync(ct);
    }

    /// <summary>
    /// In a move's or a new entry's unit of work (see <see cref="IWriteBackOutbox.EnqueueStageChangeAsync"/>): only for
    /// organisations that mirror a Dataverse account (without Dataverse there are none, so nothing piles up).
    /// </summary>
    public async Task EnqueueStageChangeAsync(long entryId, long stageChangeId, DateTimeOffset at, CancellationToken ct)
    {
        await InsertAsync(
            """
            INSERT INTO dataverse_outbox (idempotency_key, kind, entry_id, stage_change_id, created_at)
            SELECT 'stage-change:' || CAST(@stageChangeId AS text), 'stage_change', e.id, @stageChangeId, @at
            FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id
            WHERE e.id = @entryId AND o.dataverse_id IS NOT NULL
            """,
            new { entryId, stageChangeId, at }, ct);
    }

    public async Task<bool> HasPendingForEntryAsync(long entryId, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        return await work.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM dataverse_outbox WHERE entry_id = @entryId AND kind NOT IN ('activity', 'milestone') AND sent_at IS NULL AND attempts < @MaxAttempts",
            new { entryId, MaxAttempts }, work.Transaction, cancellationToken: ct)) > 0;
    }

    /// <summary>In the request's unit of work (see <see cref="IWriteBackOutbox.EnqueueAnswerAsync"/>); each answer its own row (a changed answer goes again).</summary>
    public async Task EnqueueAnswerAsync(long answerId, DateTimeOffset at, CancellationToken ct)
    {
        await InsertAsync(
            "INSERT INTO dataverse_outbox (idempotency_key, kind, request_id, created_at) VALUES (@key, 'answer', @answerId, @at)",
            new { key = $"answer:{answerId}:{Guid.NewGuid():N}", answerId, at }, ct);
    }

    /// <summary>In the activity's unit of work (see <see cref="IWriteBackOutbox.EnqueueActivityAsync"/>).</summary>
    public async Task EnqueueActivityAsync(long activityId, DateTimeOffset at, CancellationToken ct)
    {
        await InsertAsync(
            """
            INSERT INTO dataverse_outbox (idempotency_key, kind, entry_id, activity_id, created_at)
            SELECT @key, 'activity', e.id, a.id, @at
            FROM activity a JOIN pipeline_entry e ON e.id = a.prospect_id JOIN organisation o ON o.id = e.organisation_id
            WHERE a.id = @activityId AND a.origin = 'outreach' AND o.dataverse_id IS NOT NULL
            """,
            new { key = $"activity:{activityId.ToString(CultureInfo.InvariantCulture)}:{Guid.NewGuid():N}", activityId, at }, ct);
    }

    /// <summary>In the milestone change's unit of work (see <see cref="IWriteBackOutbox.EnqueueMilestoneAsync"/>).</summary>
    public async Task EnqueueMilestoneAsync(long milestoneId, DateTimeOffset at, CancellationToken ct)
    {
        await InsertAsync(
            """
            INSERT INTO dataverse_outbox (idempotency_key, kind, entry_id, milestone_id, created_at)
            SELECT @key, 'milestone', e.id, m.id, @at
            FROM onboarding_milestone m JOIN pipeline_entry e ON e.id = m.entry_id JOIN organisation o ON o.id = e.organisation_id
            WHERE m.id = @milestoneId AND o.dataverse_id IS NOT NULL
            """,
            new { key = $"milestone:{milestoneId.ToString(CultureInfo.InvariantCulture)}:{Guid.NewGuid():N}", milestoneId, at }, ct);
    }

    /// <summary>In the move's unit of work (see <see cref="IWriteBackOutbox.EnqueuePartyMilestonesAsync"/>): a row per milestone of the party.</summary>
    public async Task EnqueuePartyMilestonesAsync(long entryId, DateTimeOffset at, CancellationToken ct)
    {
        await InsertAsync(
            """
            INSERT INTO dataverse_outbox (idempotency_key, kind, entry_id, milestone_id, created_at)
            SELECT 'milestone:' || CAST(m.id AS text) || ':' || @token, 'milestone', e.id, m.id, @at
            FROM onboarding_milestone m JOIN pipeline_entry e ON e.id = m.entry_id JOIN organisation o ON o.id = e.organisation_id
            WHERE e.id = @entryId AND o.dataverse_id IS NOT NULL
            ORDER BY m.due_on, m.id
            """,
            new { token = Guid.NewGuid().ToString("N"), entryId, at }, ct);
    }

    /// <summary>In the next action's unit of work (see <see cref="IWriteBackOutbox.EnqueueNextActionAsync"/>).</summary>
    public async Task EnqueueNextActionAsync(long entryId, DateTimeOffset at, CancellationToken ct)
    {
        await InsertAsync(
            """
            INSERT INTO dataverse_outbox (idempotency_key, kind, entry_id, created_at)
            SELECT @key, 'next_action', e.id, @at
            FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id
            WHERE e.id = @entryId AND o.dataverse_id IS NOT NULL
            """,
            new { key = $"next-action:{entryId}:{Guid.NewGuid():N}", entryId, at }, ct);
    }

    /// <summary>
    /// In an event change's unit of work (see <see cref="IWriteBackOutbox.EnqueueEventChangeAsync"/>; what goes is decided by
    /// <see cref="EventChangeRules.WriteBack"/>). The keys name the event version of the change, so each change adds its own
    /// rows (each one is sent, or coalesced).
    /// </summary>
    public async Task EnqueueEventChangeAsync(EventChangeWriteBack change, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        if (!await DataverseInUseAsync(c, tx, ct)) return;
        var version = change.Version.ToString(CultureInfo.InvariantCulture);
        if (change.Event)
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO dataverse_outbox (idempotency_key, kind, event_id, created_at) VALUES (@key, 'event', @eventId, @at)",
                new { key = $"event:{change.EventId}:v{version}", eventId = change.EventId, at }, tx, cancellationToken: ct));
        }

        if (change.InvitationIds.Count > 0)
        {
            await c.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO dataverse_outbox (idempotency_key, kind, event_id, invitation_id, created_at)
                SELECT 'invitation:' || CAST(i.id AS text) || ':v' || @version, 'invitation', i.event_id, i.id, @at
                FROM invitation i JOIN contact k ON k.id = i.contact_id
                WHERE i.event_id = @eventId AND k.dataverse_id IS NOT NULL AND {db.Dialect.InList("i.id", "@ids")}
                ORDER BY i.id
                ON CONFLICT (idempotency_key) DO NOTHING
                """,
                new { version, eventId = change.EventId, at, ids = db.Dialect.List(change.InvitationIds) }, tx, cancellationToken: ct));
        }

        await work.CommitAsync(ct);
    }

    /// <summary>In an erasure's unit of work (see <see cref="IWriteBackOutbox.EnqueueContactErasedAsync"/>).</summary>
    public async Task EnqueueContactErasedAsync(long contactId, DateTimeOffset at, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        if (!await DataverseInUseAsync(c, tx, ct)) return;
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO dataverse_outbox (idempotency_key, kind, event_id, invitation_id, created_at)
            SELECT 'invitation:' || CAST(i.id AS text) || ':erased', 'invitation', i.event_id, i.id, @at
            FROM invitation i JOIN contact k ON k.id = i.contact_id
            WHERE i.contact_id = @contactId AND k.dataverse_id IS NOT NULL
            ORDER BY i.id
            ON CONFLICT (idempotency_key) DO NOTHING
            """,
            new { contactId, at }, tx, cancellationToken: ct));
        await work.CommitAsync(ct);
    }

    /// <summary>Dataverse is in use once the sync has brought in any account (only the sync sets dataverse_id).</summary>
    private static async Task<bool> DataverseInUseAsync(DbConnection c, DbTransaction tx, CancellationToken ct) =>
        await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM (SELECT 1 FROM organisation WHERE dataverse_id IS NOT NULL LIMIT 1) x", transaction: tx, cancellationToken: ct)) > 0;

    public async Task<IReadOnlyList<WriteBackItem>> PendingAsync(long afterId, int max, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        // One row per outbox item with whatever it points at, in its current state. A contact removed in Dynamics or erased
        // here is not linked (a link to a deleted row fails the change set); an erased person's name is not sent.
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            $"""
            SELECT x.id AS Id, x.idempotency_key AS IdempotencyKey, x.attempts AS Attempts, e.id AS EntryId,
                   o.dataverse_id AS DataverseId, v.code AS CovenantCode,
                   e.stage AS Stage, e.stage_since AS StageSince, e.next_action AS NextAction, e.next_action_due AS NextActionDue,
                   s.id AS ChangeId, s.from_stage AS FromStage, s.to_stage AS ToStage, s.changed_at AS ChangedAt, s.changed_by AS ChangedBy, s.reason AS Reason,
                   n.id AS EventId, n.uid AS EventUid, n.title AS EventTitle, nv.code AS EventCovenantCode, n.format AS EventFormat, n.status AS EventStatus,
                   n.venue AS EventVenue, n.starts_at AS EventStartsAt, n.ends_at AS EventEndsAt, n.capacity AS EventCapacity,
                   n.registration_deadline AS EventRegistrationDeadline,
                   CASE WHEN h.removed_at IS NULL THEN h.dataverse_id END AS HostDataverseId,
                   i.id AS InvitationId, i.response AS Response, i.responded_at AS RespondedAt, i.place AS Place, i.place_offered_until AS PlaceOfferedUntil,
                   i.checked_in_at AS CheckedInAt, i.attended_online AS AttendedOnline, i.walk_in AS WalkIn, i.invited_at AS InvitedAt,
                   CASE WHEN i.place = 'waitlisted' THEN 1 + (SELECT COUNT(*) FROM invitation w
                        WHERE w.event_id = i.event_id AND w.place = 'waitlisted' AND w.waitlist_number < i.waitlist_number) END AS WaitlistPosition,
                   CASE WHEN k.erased_at IS NULL AND k.removed_at IS NULL THEN k.dataverse_id END AS ContactDataverseId,
                   CASE WHEN k.erased_at IS NULL THEN k.name END AS ContactName,
                   CASE WHEN k.erased_at IS NULL AND k.removed_at IS NULL AND ko.removed_at IS NULL THEN ko.dataverse_id END AS ContactAccountDataverseId,
                   q.id AS RequestId, q.kind AS RequestKind, q.dataverse_id AS RequestDataverseId, q.outcome AS RequestOutcome, q.message AS RequestMessage,
                   sq.dataverse_id AS ChangeRequestRowId, sq.message AS ChangeRequestMessage,
                   a.id AS ActivityId, a.kind AS ActivityKind, a.occurred_at AS ActivityOccurredAt, a.text AS ActivityText, a.direction AS ActivityDirection,
                   a.outcome AS ActivityOutcome, a.duration_minutes AS ActivityDuration, a.location AS ActivityLocation, a.other_attendees AS ActivityOthers,
                   a.author AS ActivityAuthor, a.corrects_id AS ActivityCorrects,
                   x.milestone_id AS MilestoneId, v.id AS CovenantId, v.name AS CovenantName, v.starts_on AS CovenantStartsOn, v.ends_on AS CovenantEndsOn,
                   (SELECT {db.Dialect.StringAgg("ac.contact_name", "', '")} FROM activity_contact ac WHERE ac.activity_id = a.id AND ac.contact_name IS NOT NULL) AS ActivityContacts
            FROM dataverse_outbox x
            LEFT JOIN pipeline_entry e ON e.id = x.entry_id
            LEFT JOIN organisation o ON o.id = e.organisation_id
            LEFT JOIN covenant v ON v.id = e.covenant_id
            LEFT JOIN stage_change s ON s.id = x.stage_change_id
            LEFT JOIN network_event n ON n.id = x.event_id
            LEFT JOIN covenant nv ON nv.id = n.covenant_id
            LEFT JOIN organisation h ON h.id = n.host_organisation_id
            LEFT JOIN invitation i ON i.id = x.invitation_id
            LEFT JOIN contact k ON k.id = i.contact_id
            LEFT JOIN organisation ko ON ko.id = k.organisation_id
            LEFT JOIN dataverse_request q ON q.id = x.request_id
            LEFT JOIN dataverse_request sq ON sq.stage_change_id = s.id
            LEFT JOIN activity a ON a.id = x.activity_id
            WHERE x.sent_at IS NULL AND x.attempts < @MaxAttempts AND x.id > @afterId
              AND (o.dataverse_id IS NOT NULL OR (x.entry_id IS NULL AND n.id IS NOT NULL) OR q.id IS NOT NULL)
              AND (x.activity_id IS NULL OR a.origin = 'outreach')
            ORDER BY x.id
            LIMIT @max
            """,
            new { afterId, max, MaxAttempts }, cancellationToken: ct));
        var list = rows.ToList();
        var parties = await PartiesAsync(c, list.Where(r => r.MilestoneId is not null).ToList(), ct);
        return list.Select(r => ToItem(r, parties)).ToList();
    }

    /// <summary>
    /// The onboarding of each party a milestone row of the page belongs to (all its milestones, its covenant, the day it left),
    /// read now, for the account's "N of M done"; one read for the page. The day it left is the onboarding panel's: the stage
    /// date while the party is in "left".
    /// </summary>
    private async Task<Dictionary<long, PartyOnboardingStatus>> PartiesAsync(DbConnection c, IReadOnlyList<Row> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var entries = rows.Select(r => r.EntryId!.Value).Distinct().ToList();
        var milestones = (await c.QueryAsync<SqlOnboardingStore.MilestoneRow>(new CommandDefinition(
            $"""
            SELECT {SqlOnboardingStore.MilestoneColumns}
            FROM onboarding_milestone m LEFT JOIN onboarding_evidence f ON f.id = m.evidence_file_id
            WHERE {db.Dialect.InList("m.entry_id", "@entries")}
            ORDER BY m.due_on, m.monitoring_year, m.id
            """,
            new { entries = db.Dialect.List(entries) }, cancellationToken: ct))).Select(m => m.ToDomain()).ToLookup(m => m.ProspectId);
        return rows.GroupBy(r => r.EntryId!.Value).ToDictionary(g => g.Key, g =>
        {
            var r = g.First();
            var covenant = new Covenant(r.CovenantId!.Value, r.CovenantCode!, r.CovenantName!, r.CovenantStartsOn!.Value, r.CovenantEndsOn!.Value);
            DateOnly? left = r.Stage == Stage.Left.Code() ? Core.Calendar.AmsterdamClock.DateOf(r.StageSince!.Value) : null;
            return new PartyOnboardingStatus(covenant, milestones[g.Key].ToList(), left);
        });
    }

    private static WriteBackItem ToItem(Row r, IReadOnlyDictionary<long, PartyOnboardingStatus> parties)
    {
        if (r.RequestId is not null)
        {
            return new RequestAnswerWriteBack(r.Id, r.IdempotencyKey, CrmRequestCodes.Kinds.Parse(r.RequestKind!), Guid.Parse(r.RequestDataverseId!),
                CrmRequestCodes.Outcomes.Parse(r.RequestOutcome!), r.RequestMessage!, r.Attempts);
        }

        if (r.MilestoneId is { } milestoneId)
        {
            var party = parties[r.EntryId!.Value];
            return new MilestoneWriteBack(r.Id, r.IdempotencyKey, Guid.Parse(r.DataverseId!), r.EntryId.Value, party.Milestones.Single(m => m.Id == milestoneId), party, r.Attempts);
        }

        if (r.ActivityId is { } activityId)
        {
            return new ActivityWriteBack(r.Id, r.IdempotencyKey, Guid.Parse(r.DataverseId!), activityId, ActivityCodes.Kinds.Parse(r.ActivityKind!),
                r.ActivityOccurredAt!.Value, r.ActivityText ?? "", r.ActivityDirection is null ? null : ActivityCodes.Directions.Parse(r.ActivityDirection),
                r.ActivityOutcome is null ? null : ActivityCodes.Outcomes.Parse(r.ActivityOutcome), r.ActivityDuration, r.ActivityLocation, r.ActivityOthers,
                string.IsNullOrEmpty(r.ActivityContacts) ? null : r.ActivityContacts, r.ActivityAuthor ?? "", r.ActivityCorrects, r.Attempts);
        }

        if (r.EventId is { } eventId)
        {
            var networkEvent = new WriteBackEvent(
                eventId, r.EventUid!, r.EventTitle!, r.EventCovenantCode!, EventFormats.Parse(r.EventFormat!),
                EventStatuses.Parse(r.EventStatus!), r.EventVenue, r.EventStartsAt!.Value, r.EventEndsAt!.Value, r.EventCapacity!.Value,
                r.EventRegistrationDeadline!.Value, r.HostDataverseId is { } host ? Guid.Parse(host) : null);
            if (r.InvitationId is not { } invitationId) return new EventWriteBack(r.Id, r.IdempotencyKey, networkEvent, r.Attempts);
            return new InvitationWriteBack(r.Id, r.IdempotencyKey, networkEvent, new WriteBackInvitation(
                invitationId, r.ContactDataverseId is { } contact ? Guid.Parse(contact) : null, r.ContactName,
                InvitationResponses.Parse(r.Response!), r.RespondedAt, PlaceStatuses.Parse(r.Place!),
                r.WaitlistPosition is { } position ? (int)position : null, r.PlaceOfferedUntil, r.CheckedInAt, r.AttendedOnline ?? false, r.WalkIn ?? false,
                r.InvitedAt!.Value)
            {
                AccountId = r.ContactAccountDataverseId is { } account ? Guid.Parse(account) : null,
            }, r.Attempts);
        }

        return new AccountWriteBack(
            r.Id, r.IdempotencyKey, Guid.Parse(r.DataverseId!), r.CovenantCode!, Stages.Parse(r.Stage!), r.StageSince!.Value, r.NextAction, r.NextActionDue,
            r.ChangeId is { } changeId
                ? new WriteBackChange(changeId, r.FromStage is null ? null : Stages.Parse(r.FromStage), Stages.Parse(r.ToStage!), r.ChangedAt!.Value, r.ChangedBy!, r.Reason!)
                {
                    RequestRowId = r.ChangeRequestRowId is { } row ? Guid.Parse(row) : null,
                    RequestMessage = r.ChangeRequestMessage,
                }
                : null,
            r.Attempts)
        {
            ProspectId = r.EntryId,
        };
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

    public async Task<IReadOnlyList<WriteBackRefusal>> RefusedAsync(long? entryId, int max, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(long Id, string Key, string Kind, long? EntryId, int Attempts, string Error)>(new CommandDefinition(
            """
            SELECT id, idempotency_key, kind, entry_id, attempts, last_error
            FROM dataverse_outbox
            WHERE sent_at IS NULL AND last_error IS NOT NULL AND (CAST(@entryId AS bigint) IS NULL OR entry_id = @entryId)
            ORDER BY id DESC
            LIMIT @max
            """,
            new { entryId, max }, cancellationToken: ct));
        return rows.Select(r => new WriteBackRefusal(r.Id, r.Key, r.Kind, r.EntryId, r.Attempts, r.Error, r.Attempts >= MaxAttempts)).ToList();
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public string IdempotencyKey { get; init; } = "";
        public int Attempts { get; init; }
        public long? EntryId { get; init; }
        public string? DataverseId { get; init; }
        public string? CovenantCode { get; init; }
        public string? Stage { get; init; }
        public DateTimeOffset? StageSince { get; init; }
        public string? NextAction { get; init; }
        public DateOnly? NextActionDue { get; init; }
        public long? ChangeId { get; init; }
        public string? FromStage { get; init; }
        public string? ToStage { get; init; }
        public DateTimeOffset? ChangedAt { get; init; }
        public string? ChangedBy { get; init; }
        public string? Reason { get; init; }
        public long? EventId { get; init; }
        public string? EventUid { get; init; }
        public string? EventTitle { get; init; }
        public string? EventCovenantCode { get; init; }
        public string? EventFormat { get; init; }
        public string? EventStatus { get; init; }
        public string? EventVenue { get; init; }
        public DateTimeOffset? EventStartsAt { get; init; }
        public DateTimeOffset? EventEndsAt { get; init; }
        public int? EventCapacity { get; init; }
        public DateTimeOffset? EventRegistrationDeadline { get; init; }
        public string? HostDataverseId { get; init; }
        public long? InvitationId { get; init; }
        public long? RequestId { get; init; }
        public string? RequestKind { get; init; }
        public string? RequestDataverseId { get; init; }
        public string? RequestOutcome { get; init; }
        public string? RequestMessage { get; init; }
        public string? ChangeRequestRowId { get; init; }
        public string? ChangeRequestMessage { get; init; }
        public string? Response { get; init; }
        public DateTimeOffset? RespondedAt { get; init; }
        public string? Place { get; init; }
        public DateTimeOffset? PlaceOfferedUntil { get; init; }
        public DateTimeOffset? CheckedInAt { get; init; }
        public bool? AttendedOnline { get; init; }
        public bool? WalkIn { get; init; }
        public DateTimeOffset? InvitedAt { get; init; }
        public long? WaitlistPosition { get; init; }
        public string? ContactDataverseId { get; init; }
        public string? ContactName { get; init; }
        public string? ContactAccountDataverseId { get; init; }
        public long? ActivityId { get; init; }
        public string? ActivityKind { get; init; }
        public DateTimeOffset? ActivityOccurredAt { get; init; }
        public string? ActivityText { get; init; }
        public string? ActivityDirection { get; init; }
        public string? ActivityOutcome { get; init; }
        public int? ActivityDuration { get; init; }
        public string? ActivityLocation { get; init; }
        public string? ActivityOthers { get; init; }
        public string? ActivityAuthor { get; init; }
        public long? ActivityCorrects { get; init; }
        public string? ActivityContacts { get; init; }
        public long? MilestoneId { get; init; }
        public long? CovenantId { get; init; }
        public string? CovenantName { get; init; }
        public DateOnly? CovenantStartsOn { get; init; }
        public DateOnly? CovenantEndsOn { get; init; }
    }
}
