using System.Data.Common;
using System.Globalization;
using Dapper;
using Outreach.Core.Access;
using Outreach.Core.Audit;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Sequences;

namespace Outreach.Storage;

/// <summary>Sequences and enrolments on SQLite or PostgreSQL. A step's mail and the enrolment's advance commit in one transaction.</summary>
public sealed class SqlSequenceStore(Database db, IAuditActor? actor = null) : ISequenceStore
{
    private readonly IAuditActor auditActor = actor ?? new AmbientAuditActor();

    private const string EnrolmentColumns =
        "id AS Id, sequence_id AS SequenceId, prospect_id AS ProspectId, contact_id AS ContactId, organisation_id AS OrganisationId, state AS State, next_step AS NextStep, next_due AS NextDue, paused_until AS PausedUntil, held_until AS HeldUntil, stopped_because AS StoppedBecause, enrolled_at AS EnrolledAt, enrolled_by AS EnrolledBy, source_key AS SourceKey";

    private const string Open = "state IN ('active', 'paused')";

    public async Task<IReadOnlyList<Sequence>> ListSequencesAsync(CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        return await ReadSequencesAsync(work.Connection, work.Transaction, null, ct);
    }

    public async Task<Sequence?> GetSequenceAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await ReadSequencesAsync(c, null, id, ct)).SingleOrDefault();
    }

    private static async Task<IReadOnlyList<Sequence>> ReadSequencesAsync(DbConnection c, DbTransaction? tx, long? id, CancellationToken ct)
    {
        var where = id is null ? "" : " WHERE id = @id";
        var heads = await c.QueryAsync<SequenceRow>(new CommandDefinition(
            $"SELECT id AS Id, name AS Name, stage AS Stage, stage_from AS FromStage, enrol_on_entering AS EnrolOnEntering FROM mail_sequence{where} ORDER BY {SqlDialect.Of(c).OrderByFolded("name")}, id", new { id }, tx, cancellationToken: ct));
        var steps = (await c.QueryAsync<StepRow>(new CommandDefinition(
            $"SELECT sequence_id AS SequenceId, position AS Position, template_key AS TemplateKey, wait_business_days AS WaitBusinessDays FROM mail_sequence_step{(id is null ? "" : " WHERE sequence_id = @id")} ORDER BY sequence_id, position",
            new { id }, tx, cancellationToken: ct))).ToLookup(s => s.SequenceId);
        return heads.Select(h => new Sequence(h.Id, h.Name, Stages.Parse(h.Stage), steps[h.Id].Select(s => new SequenceStep(s.TemplateKey, s.WaitBusinessDays)).ToList())
        {
            EnrolOnEntering = h.EnrolOnEntering is null ? null : Stages.Parse(h.EnrolOnEntering),
            FromStage = h.FromStage is null ? null : Stages.Parse(h.FromStage),
        }).ToList();
    }

    public async Task<Sequence> AddSequenceAsync(SequenceDraft draft, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var id = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            INSERT INTO mail_sequence (name, stage, stage_from, enrol_on_entering, created_at, updated_at) VALUES (@Name, @Stage, @From, @Entering, @at, @at)
            ON CONFLICT (name) DO NOTHING RETURNING id
            """,
            new { draft.Name, Stage = draft.Stage.Code(), From = draft.FromStage?.Code(), Entering = draft.EnrolOnEntering?.Code(), at }, tx, cancellationToken: ct))
            ?? throw new DuplicateNameException(draft.Name);
        await WriteStepsAsync(c, tx, id, draft.Steps, ct);
        await SqlAudit.AppendAsync(c, tx, at, auditActor.Name, new AuditRecord(AuditEntities.Sequence, Id(id), "created", Describe(null, draft)), ct);
        var saved = (await ReadSequencesAsync(c, tx, id, ct)).Single();
        await tx.CommitAsync(ct);
        return saved;
    }

    public async Task<Sequence?> UpdateSequenceAsync(long id, SequenceDraft draft, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var before = (await ReadSequencesAsync(c, tx, id, ct)).SingleOrDefault();
        if (before is null) return null;
        var taken = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM mail_sequence WHERE name = @Name AND id <> @id", new { draft.Name, id }, tx, cancellationToken: ct));
        if (taken > 0) throw new DuplicateNameException(draft.Name);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE mail_sequence SET name = @Name, stage = @Stage, stage_from = @From, enrol_on_entering = @Entering, updated_at = @at WHERE id = @id",
            new { id, draft.Name, Stage = draft.Stage.Code(), From = draft.FromStage?.Code(), Entering = draft.EnrolOnEntering?.Code(), at }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM mail_sequence_step WHERE sequence_id = @id", new { id }, tx, cancellationToken: ct));
        // Open enrolments keep their place: a step index past the new end completes them on the next run.
        await WriteStepsAsync(c, tx, id, draft.Steps, ct);
        var changes = Describe(new SequenceDraft { Name = before.Name, Stage = before.Stage, FromStage = before.FromStage, EnrolOnEntering = before.EnrolOnEntering, Steps = before.Steps }, draft);
        if (changes.Count > 0) await SqlAudit.AppendAsync(c, tx, at, auditActor.Name, new AuditRecord(AuditEntities.Sequence, Id(id), "updated", changes), ct);
        var saved = (await ReadSequencesAsync(c, tx, id, ct)).Single();
        await tx.CommitAsync(ct);
        return saved;
    }

    private static async Task WriteStepsAsync(DbConnection c, DbTransaction tx, long id, IReadOnlyList<SequenceStep> steps, CancellationToken ct)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO mail_sequence_step (sequence_id, position, template_key, wait_business_days) VALUES (@id, @i, @TemplateKey, @WaitBusinessDays)",
                new { id, i, steps[i].TemplateKey, steps[i].WaitBusinessDays }, tx, cancellationToken: ct));
        }
    }

    private static IReadOnlyList<AuditChange> Describe(SequenceDraft? before, SequenceDraft after) => AuditDiff.Between(
    [
        new("name", before?.Name, after.Name),
        new("stage", before?.Stage.Code(), after.Stage.Code()),
        new("stage_from", before?.FromStage?.Code(), after.FromStage?.Code()),
        new("enrol_on_entering", before?.EnrolOnEntering?.Code(), after.EnrolOnEntering?.Code()),
        new("steps", before is null ? null : StepsText(before.Steps), StepsText(after.Steps)),
    ]);

    private static string StepsText(IEnumerable<SequenceStep> steps) =>
        string.Join("; ", steps.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.TemplateKey} after {s.WaitBusinessDays} business days")));

    public async Task<Enrolment> AddEnrolmentAsync(Enrolment enrolment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(enrolment);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var row = await c.QuerySingleOrDefaultAsync<EnrolmentRow>(new CommandDefinition(
            $"""
            INSERT INTO enrolment (sequence_id, prospect_id, contact_id, organisation_id, state, next_step, next_due, enrolled_at, enrolled_by, updated_at, source_key)
            VALUES (@SequenceId, @ProspectId, @ContactId, @OrganisationId, 'active', @NextStep, @NextDue, @EnrolledAt, @EnrolledBy, @EnrolledAt, @SourceKey)
            ON CONFLICT DO NOTHING
            RETURNING {EnrolmentColumns}
            """,
            new { enrolment.SequenceId, enrolment.ProspectId, enrolment.ContactId, enrolment.OrganisationId, enrolment.NextStep, enrolment.NextDue, enrolment.EnrolledAt, enrolment.EnrolledBy, enrolment.SourceKey },
            tx, cancellationToken: ct)) ?? throw new DuplicateEnrolmentException(
                $"Contact {enrolment.ContactId} already has an open enrolment in sequence {enrolment.SequenceId}, or was enrolled once already by {enrolment.SourceKey}.");
        await AuditEnrolmentAsync(c, tx, enrolment.EnrolledAt, auditActor.Name, row.Id, "enrolled", enrolment.SequenceId, enrolment.ContactId, ct);
        await tx.CommitAsync(ct);
        return row.ToDomain();
    }

    private static Task AuditEnrolmentAsync(DbConnection c, DbTransaction tx, DateTimeOffset at, string by, long id, string action, long sequenceId, long contactId, CancellationToken ct) =>
        SqlAudit.AppendAsync(c, tx, at, by, new AuditRecord(AuditEntities.Enrolment, Id(id), action,
            [new("sequence", null, Id(sequenceId)), new("contact", null, Id(contactId))]), ct);

    public async Task<Enrolment?> GetEnrolmentAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<EnrolmentRow>(new CommandDefinition(
            $"SELECT {EnrolmentColumns} FROM enrolment WHERE id = @id", new { id }, cancellationToken: ct)))?.ToDomain();
    }

    public async Task<IReadOnlyList<Enrolment>> ListEnrolmentsForProspectAsync(long prospectId, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        return (await work.Connection.QueryAsync<EnrolmentRow>(new CommandDefinition(
            $"SELECT {EnrolmentColumns} FROM enrolment WHERE prospect_id = @prospectId ORDER BY id DESC", new { prospectId }, work.Transaction, cancellationToken: ct))).Select(r => r.ToDomain()).ToList();
    }

    public async Task<IReadOnlyList<Enrolment>> ListOpenForContactAsync(long contactId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<EnrolmentRow>(new CommandDefinition(
            $"SELECT {EnrolmentColumns} FROM enrolment WHERE contact_id = @contactId AND {Open} ORDER BY id", new { contactId }, cancellationToken: ct))).Select(r => r.ToDomain()).ToList();
    }

    public async Task<IReadOnlyList<Enrolment>> ListDueAsync(DateTimeOffset now, int max, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<EnrolmentRow>(new CommandDefinition(
            $"""
            SELECT {EnrolmentColumns} FROM enrolment
            WHERE {Open}
              AND (next_due IS NULL OR next_due <= @now)
              AND (paused_until IS NULL OR paused_until <= @now)
              AND (held_until IS NULL OR held_until <= @now)
            ORDER BY next_due, id
            LIMIT @max
            """,
            new { now, max = Math.Clamp(max, 1, 10_000) }, cancellationToken: ct))).Select(r => r.ToDomain()).ToList();
    }

    public async Task<bool> SaveAsync(Enrolment enrolment, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(enrolment);
        // In EnrolmentStops' unit of work: a decision that ends the enrolment cancels its queued mail there.
        await using var work = await db.BeginWorkAsync(ct);
        var saved = await UpdateOpenAsync(work.Connection, work.Transaction!, enrolment, null, at, ct);
        await work.CommitAsync(ct);
        return saved;
    }

    private static async Task<bool> UpdateOpenAsync(DbConnection c, DbTransaction tx, Enrolment e, int? atStep, DateTimeOffset at, CancellationToken ct) =>
        await c.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE enrolment SET state = @State, next_step = @NextStep, next_due = @NextDue, paused_until = @PausedUntil, held_until = @HeldUntil,
                                 stopped_because = @Stopped, updated_at = @at
            WHERE id = @Id AND {Open}{(atStep is null ? "" : " AND next_step = @atStep")}
            """,
            new { e.Id, State = e.State.Code(), e.NextStep, e.NextDue, e.PausedUntil, e.HeldUntil, Stopped = e.StoppedBecause?.Code(), at, atStep }, tx, cancellationToken: ct)) == 1;

    public async Task<bool> AdvanceStepAsync(Enrolment advanced, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(advanced);
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        // The contact is read inside the transaction (locked on PostgreSQL): an opt-out either committed before (nothing is queued)
        // or waits for this transaction and then cancels what it queued.
        var reachable = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"SELECT id FROM contact WHERE id = @ContactId AND opted_out_at IS NULL AND erased_at IS NULL AND bounced_at IS NULL{db.ForUpdate}",
            new { advanced.ContactId }, tx, cancellationToken: ct));
        if (reachable is null || !await UpdateOpenAsync(c, tx, advanced, advanced.NextStep - 1, at, ct)) return false;
        await work.CommitAsync(ct);
        return true;
    }

    public async Task<IReadOnlyList<(string Key, DateTimeOffset At)>> ListRecentOutreachAsync(long contactId, DateTimeOffset since, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<RecentRow>(new CommandDefinition(
            """
            SELECT idempotency_key AS Key, COALESCE(sent_at, due_at) AS At FROM mail_outbox
            WHERE contact_id = @contactId AND unsubscribe_url IS NOT NULL AND status IN ('pending', 'sending', 'sent') AND COALESCE(sent_at, due_at) >= @since
            """,
            new { contactId, since }, cancellationToken: ct));
        return rows.Select(r => (r.Key, r.At)).ToList();
    }

    // The stops run in EnrolmentStops' unit of work (within a move's, an opt-out's, ...), which cancels the stopped
    // enrolments' queued mail after them: their rows stay locked until it commits, so a step queued meanwhile is cancelled too.
    public async Task<bool> StopAsync(long enrolmentId, StopReason why, DateTimeOffset at, CancellationToken ct) =>
        (await StopWhereAsync("id = @key", enrolmentId, why, at, ct)).Count > 0;

    public Task<IReadOnlyList<long>> StopForOrganisationAsync(long organisationId, StopReason why, DateTimeOffset at, CancellationToken ct) =>
        StopWhereAsync("organisation_id = @key", organisationId, why, at, ct);

    public Task<IReadOnlyList<long>> StopForContactAsync(long contactId, StopReason why, DateTimeOffset at, CancellationToken ct) =>
        StopWhereAsync("contact_id = @key", contactId, why, at, ct);

    private async Task<IReadOnlyList<long>> StopWhereAsync(string where, long key, StopReason why, DateTimeOffset at, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        var ids = (await c.QueryAsync<long>(new CommandDefinition(
            $"""
            UPDATE enrolment SET state = 'stopped', stopped_because = @why, next_due = NULL, paused_until = NULL, held_until = NULL, updated_at = @at
            WHERE {where} AND {Open}
            RETURNING id
            """,
            new { key, why = why.Code(), at }, tx, cancellationToken: ct))).ToList();
        foreach (var id in ids)
            await SqlAudit.AppendAsync(c, tx, at, auditActor.Name, new AuditRecord(AuditEntities.Enrolment, Id(id), "stopped", [new("stopped_because", null, why.Code())]), ct);
        await work.CommitAsync(ct);
        return ids;
    }

    public async Task<Enrolment?> EnrolByRuleAsync(Enrolment enrolment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(enrolment);
        // In a move's unit of work (PipelineService); no due time, the sequence job plans the first step.
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        var row = await c.QuerySingleOrDefaultAsync<EnrolmentRow>(new CommandDefinition(
            $"""
            INSERT INTO enrolment (sequence_id, prospect_id, contact_id, organisation_id, state, next_step, next_due, enrolled_at, enrolled_by, updated_at)
            VALUES (@SequenceId, @ProspectId, @ContactId, @OrganisationId, 'active', 0, NULL, @EnrolledAt, @by, @EnrolledAt)
            ON CONFLICT (sequence_id, prospect_id, contact_id) WHERE {Open} DO NOTHING
            RETURNING {EnrolmentColumns}
            """,
            new { enrolment.SequenceId, enrolment.ProspectId, enrolment.ContactId, enrolment.OrganisationId, enrolment.EnrolledAt, by = auditActor.Name }, tx, cancellationToken: ct));
        if (row is not null) await AuditEnrolmentAsync(c, tx, enrolment.EnrolledAt, auditActor.Name, row.Id, "enrolled_by_rule", enrolment.SequenceId, enrolment.ContactId, ct);
        await work.CommitAsync(ct);
        return row?.ToDomain();
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private sealed class SequenceRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Stage { get; init; } = "";
        public string? FromStage { get; init; }
        public string? EnrolOnEntering { get; init; }
    }

    private sealed class StepRow
    {
        public long SequenceId { get; init; }
        public int Position { get; init; }
        public string TemplateKey { get; init; } = "";
        public int WaitBusinessDays { get; init; }
    }

    private sealed class RecentRow
    {
        public string Key { get; init; } = "";
        public DateTimeOffset At { get; init; }
    }

    private sealed class EnrolmentRow
    {
        public long Id { get; init; }
        public long SequenceId { get; init; }
        public long ProspectId { get; init; }
        public long ContactId { get; init; }
        public long OrganisationId { get; init; }
        public string State { get; init; } = "";
        public int NextStep { get; init; }
        public DateTimeOffset? NextDue { get; init; }
        public DateTimeOffset? PausedUntil { get; init; }
        public DateTimeOffset? HeldUntil { get; init; }
        public string? StoppedBecause { get; init; }
        public DateTimeOffset EnrolledAt { get; init; }
        public string EnrolledBy { get; init; } = "";
        public string? SourceKey { get; init; }

        public Enrolment ToDomain() => new()
        {
            Id = Id, SequenceId = SequenceId, ProspectId = ProspectId, ContactId = ContactId, OrganisationId = OrganisationId,
            State = EnrolmentStates.TryParse(State, out var s) ? s : EnrolmentState.Stopped, NextStep = NextStep, NextDue = NextDue, PausedUntil = PausedUntil,
            HeldUntil = HeldUntil, StoppedBecause = StopReasons.TryParse(StoppedBecause, out var r) ? r : null, EnrolledAt = EnrolledAt, EnrolledBy = EnrolledBy, SourceKey = SourceKey,
        };
    }
}
