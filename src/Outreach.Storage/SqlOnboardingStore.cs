using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Outreach.Core.Audit;
using Outreach.Core.Calendar;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Storage;

/// <summary>Onboarding plans, party milestones, their history and evidence files on SQLite or PostgreSQL.</summary>
public sealed class SqlOnboardingStore(Database db) : IOnboardingStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal const string MilestoneColumns =
        """
        m.id AS Id, m.entry_id AS ProspectId, m.milestone_key AS MilestoneKey, m.monitoring_year AS MonitoringYear, m.name_nl AS NameNl,
        m.name_en AS NameEn, m.due_on AS DueOn, m.plan_version AS PlanVersion, m.done_on AS DoneOn, m.evidence_url AS EvidenceUrl,
        m.evidence_file_id AS EvidenceFileId, f.file_name AS EvidenceFileName, m.done_by AS DoneBy, m.created_at AS CreatedAt
        """;

    private const string MilestoneFrom = "onboarding_milestone m LEFT JOIN onboarding_evidence f ON f.id = m.evidence_file_id";

    public async Task<OnboardingPlan?> GetPlanAsync(long covenantId, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        var row = await work.Connection.QuerySingleOrDefaultAsync<PlanRow>(new CommandDefinition(
            $"{PlanSelect} WHERE covenant_id = @covenantId ORDER BY version DESC LIMIT 1", new { covenantId }, work.Transaction, cancellationToken: ct));
        return row?.ToDomain();
    }

    private const string PlanSelect =
        "SELECT covenant_id AS CovenantId, version AS Version, cut_off_months AS CutOffMonths, milestones AS Milestones, created_at AS CreatedAt, created_by AS CreatedBy FROM onboarding_plan";

    public async Task<IReadOnlyList<OnboardingPlan>> ListPlanVersionsAsync(long covenantId, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        var rows = await work.Connection.QueryAsync<PlanRow>(new CommandDefinition(
            $"{PlanSelect} WHERE covenant_id = @covenantId ORDER BY version DESC", new { covenantId }, work.Transaction, cancellationToken: ct));
        return rows.Select(r => r.ToDomain()).ToList();
    }

    public async Task<OnboardingPlan> SavePlanAsync(long covenantId, int expectedVersion, IReadOnlyList<PlanMilestone> milestones, int cutOffMonths, DateTimeOffset at, string by, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        await db.Dialect.LockForTransactionAsync(c, tx, LockIds.OnboardingPlan, ct);
        var before = (await c.QuerySingleOrDefaultAsync<PlanRow>(new CommandDefinition(
            $"{PlanSelect} WHERE covenant_id = @covenantId ORDER BY version DESC LIMIT 1", new { covenantId }, tx, cancellationToken: ct)))?.ToDomain();
        if ((before?.Version ?? 0) != expectedVersion) throw new ConcurrentPlanChangeException(covenantId, expectedVersion);
        var plan = new OnboardingPlan { CovenantId = covenantId, Version = expectedVersion + 1, Milestones = milestones, CutOffMonths = cutOffMonths, ChangedAt = at, ChangedBy = by };
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO onboarding_plan (covenant_id, version, cut_off_months, milestones, created_at, created_by)
            VALUES (@covenantId, @Version, @cutOffMonths, @json, @at, @by)
            """,
            new { covenantId, plan.Version, cutOffMonths, json = JsonSerializer.Serialize(milestones.Select(StoredMilestone.From).ToList(), Json), at, by },
            tx, cancellationToken: ct));
        await SqlAudit.AppendAsync(c, tx, at, by, new AuditRecord(AuditEntities.OnboardingPlan, Id(covenantId), before is null ? "created" : "version_added",
            AuditDiff.OnboardingPlan(before, plan)), ct);
        await work.CommitAsync(ct);
        return plan;
    }

    public async Task<int> AddMilestonesAsync(long prospectId, IReadOnlyList<MilestoneDraft> drafts, DateTimeOffset at, string by, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        // In a move's unit of work (PipelineService): the milestones come with the signing or not at all.
        await using var work = await db.BeginWorkAsync(ct);
        var created = await InsertMilestonesAsync(work.Connection, work.Transaction!, prospectId, drafts, at, by, ct);
        await work.CommitAsync(ct);
        return created;
    }

    /// <summary>
    /// The milestones with a "created" history line each, in the caller's transaction; one the party has already (same code
    /// and year) is skipped. Shared by the signing, the missing milestones and the prospect import (a row imported at signed).
    /// </summary>
    internal static async Task<int> InsertMilestonesAsync(DbConnection c, DbTransaction tx, long prospectId, IReadOnlyList<MilestoneDraft> drafts, DateTimeOffset at, string by, CancellationToken ct)
    {
        var created = 0;
        foreach (var d in drafts)
        {
            var id = await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                """
                INSERT INTO onboarding_milestone (entry_id, milestone_key, monitoring_year, name_nl, name_en, due_on, plan_version, created_at)
                VALUES (@prospectId, @Key, @year, @NameNl, @NameEn, @DueOn, @PlanVersion, @at)
                ON CONFLICT (entry_id, milestone_key, monitoring_year) DO NOTHING
                RETURNING id
                """,
                new { prospectId, d.Key, year = d.Year ?? 0, d.NameNl, d.NameEn, d.DueOn, d.PlanVersion, at }, tx, cancellationToken: ct));
            if (id is null) continue;
            await InsertChangeAsync(c, tx, new MilestoneChange(id.Value, MilestoneAction.Created, at, by), ct);
            created++;
        }

        return created;
    }

    public async Task<IReadOnlyList<PartyWithoutMilestones>> ListSignedWithoutMilestonesAsync(long covenantId, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        var rows = await work.Connection.QueryAsync<PartyRow>(new CommandDefinition(
            $"""
            SELECT e.id AS ProspectId, o.name AS Name, o.party_kind AS PartyKind,
                   (SELECT MAX(s.changed_at) FROM stage_change s WHERE s.entry_id = e.id AND s.to_stage = '{Stage.Signed.Code()}') AS SignedAt
            FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id
            WHERE e.covenant_id = @covenantId AND e.stage = '{Stage.Signed.Code()}'
              AND NOT EXISTS (SELECT 1 FROM onboarding_milestone m WHERE m.entry_id = e.id)
            ORDER BY e.id
            """,
            new { covenantId }, work.Transaction, cancellationToken: ct));
        // An entry at signed always has the history line that took it there; one without is skipped rather than guessed.
        return rows.Where(r => r.SignedAt is not null)
            .Select(r => new PartyWithoutMilestones(r.ProspectId, r.Name, PartyKinds.Parse(r.PartyKind), r.SignedAt!.Value)).ToList();
    }

    public async Task<int> AddMissingMilestonesAsync(long prospectId, IReadOnlyList<MilestoneDraft> drafts, DateTimeOffset at, string by, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        // The entry locked as a move locks it: a move away from signed waits for this unit or comes first (then nothing is created).
        var signed = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"SELECT id FROM pipeline_entry WHERE id = @prospectId AND stage = '{Stage.Signed.Code()}'{db.ForUpdate}", new { prospectId }, tx, cancellationToken: ct));
        if (signed is null) return 0;
        var has = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM onboarding_milestone WHERE entry_id = @prospectId LIMIT 1", new { prospectId }, tx, cancellationToken: ct));
        if (has is not null) return 0;
        var created = await InsertMilestonesAsync(c, tx, prospectId, drafts, at, by, ct);
        // Two presses at once both find none; the second's inserts then wait for the first's and skip them: no second audit entry.
        if (created == 0) return 0;
        await SqlAudit.AppendAsync(c, tx, at, by, new AuditRecord(AuditEntities.Prospect, Id(prospectId), "milestones_created", AuditDiff.Between(
        [
            new("milestones", null, created.ToString(CultureInfo.InvariantCulture)),
            new("plan_version", null, drafts[0].PlanVersion.ToString(CultureInfo.InvariantCulture)),
        ])), ct);
        await work.CommitAsync(ct);
        return created;
    }

    public async Task<PartyMilestone?> GetMilestoneAsync(long milestoneId, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        var row = await work.Connection.QuerySingleOrDefaultAsync<MilestoneRow>(new CommandDefinition(
            $"SELECT {MilestoneColumns} FROM {MilestoneFrom} WHERE m.id = @milestoneId", new { milestoneId }, work.Transaction, cancellationToken: ct));
        return row?.ToDomain();
    }

    public async Task<IReadOnlyList<PartyMilestone>> ListForProspectAsync(long prospectId, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        var rows = await work.Connection.QueryAsync<MilestoneRow>(new CommandDefinition(
            $"SELECT {MilestoneColumns} FROM {MilestoneFrom} WHERE m.entry_id = @prospectId ORDER BY m.due_on, m.monitoring_year, m.id",
            new { prospectId }, work.Transaction, cancellationToken: ct));
        return rows.Select(r => r.ToDomain()).ToList();
    }

    public async Task<IReadOnlyList<MilestoneChange>> HistoryForProspectAsync(long prospectId, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        var rows = await work.Connection.QueryAsync<ChangeRow>(new CommandDefinition(
            """
            SELECT h.id AS Id, h.milestone_id AS MilestoneId, h.action AS Action, h.changed_at AS ChangedAt, h.changed_by AS ChangedBy,
                   h.done_on AS DoneOn, h.evidence_url AS EvidenceUrl, h.evidence_file_id AS EvidenceFileId, h.reason AS Reason
            FROM onboarding_milestone_change h JOIN onboarding_milestone m ON m.id = h.milestone_id
            WHERE m.entry_id = @prospectId ORDER BY h.changed_at, h.id
            """,
            new { prospectId }, work.Transaction, cancellationToken: ct));
        return rows.Select(r => r.ToDomain()).ToList();
    }

    public async Task<bool> MarkDoneAsync(long milestoneId, DateOnly doneOn, string? evidenceUrl, EvidenceUpload? file, DateTimeOffset at, string by, CancellationToken ct)
    {
        // In MilestoneCompletion's unit of work, which then cancels the milestone's queued reminders. The row is locked first and
        // stays locked until that unit commits; the reminder job queues under the same row lock (HoldForReminderAsync), so its
        // reminder either committed before (and is cancelled) or sees the milestone done: none slips past.
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        var entryId = await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            $"SELECT entry_id FROM onboarding_milestone WHERE id = @milestoneId AND done_on IS NULL{db.ForUpdate}", new { milestoneId }, tx, cancellationToken: ct));
        if (entryId is null) return false;
        long? fileId = null;
        if (file is not null)
        {
            fileId = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                """
                INSERT INTO onboarding_evidence (entry_id, file_name, content_type, content, uploaded_at, uploaded_by)
                VALUES (@entryId, @FileName, @ContentType, @Content, @at, @by)
                RETURNING id
                """,
                new { entryId, file.FileName, file.ContentType, file.Content, at, by }, tx, cancellationToken: ct));
        }

        var url = string.IsNullOrWhiteSpace(evidenceUrl) ? null : evidenceUrl.Trim();
        // The guard on done_on makes a second, concurrent "done" touch nothing.
        var updated = await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE onboarding_milestone SET done_on = @doneOn, evidence_url = @url, evidence_file_id = @fileId, done_by = @by, done_at = @at
            WHERE id = @milestoneId AND done_on IS NULL
            """,
            new { doneOn, url, fileId, by, at, milestoneId }, tx, cancellationToken: ct));
        if (updated == 0) return false;
        await InsertChangeAsync(c, tx, new MilestoneChange(milestoneId, MilestoneAction.Done, at, by) { DoneOn = doneOn, EvidenceUrl = url, EvidenceFileId = fileId }, ct);
        await SqlAudit.AppendAsync(c, tx, at, by, new AuditRecord(AuditEntities.Prospect, Id(entryId.Value), "milestone_done", AuditDiff.Between(
        [
            new("milestone_id", null, Id(milestoneId)),
            new("done_on", null, AuditDiff.Date(doneOn)),
            new("evidence_url", null, url),
            new("evidence_file", null, file?.FileName),
        ])), ct);
        await work.CommitAsync(ct);
        return true;
    }

    public async Task<bool> ReopenAsync(long milestoneId, string reason, DateTimeOffset at, string by, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        // The milestone table alone: PostgreSQL locks no row on the nullable side of the evidence join.
        var before = await c.QuerySingleOrDefaultAsync<DoneRow>(new CommandDefinition(
            $"SELECT entry_id AS ProspectId, done_on AS DoneOn FROM onboarding_milestone WHERE id = @milestoneId AND done_on IS NOT NULL{db.ForUpdate}",
            new { milestoneId }, tx, cancellationToken: ct));
        if (before is null) return false;
        // The evidence file stays with the party (and in the history line that marked it done); the milestone is open again.
        var updated = await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE onboarding_milestone SET done_on = NULL, evidence_url = NULL, evidence_file_id = NULL, done_by = NULL, done_at = NULL
            WHERE id = @milestoneId AND done_on IS NOT NULL
            """,
            new { milestoneId }, tx, cancellationToken: ct));
        if (updated == 0) return false;
        var trimmed = reason.Trim();
        await InsertChangeAsync(c, tx, new MilestoneChange(milestoneId, MilestoneAction.Reopened, at, by) { Reason = trimmed }, ct);
        await SqlAudit.AppendAsync(c, tx, at, by, new AuditRecord(AuditEntities.Prospect, Id(before.ProspectId), "milestone_reopened", AuditDiff.Between(
        [
            new("milestone_id", null, Id(milestoneId)),
            new("done_on", AuditDiff.Date(before.DoneOn), null),
            new("reason", null, trimmed),
        ])), ct);
        await work.CommitAsync(ct);
        return true;
    }

    public async Task<EvidenceFile?> GetEvidenceFileAsync(long prospectId, long fileId, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        var row = await work.Connection.QuerySingleOrDefaultAsync<FileRow>(new CommandDefinition(
            """
            SELECT id AS Id, entry_id AS ProspectId, file_name AS FileName, content_type AS ContentType, content AS Content,
                   uploaded_at AS UploadedAt, uploaded_by AS UploadedBy
            FROM onboarding_evidence WHERE id = @fileId AND entry_id = @prospectId
            """,
            new { fileId, prospectId }, work.Transaction, cancellationToken: ct));
        return row is null ? null : new EvidenceFile(row.Id, row.ProspectId, row.FileName, row.ContentType, row.Content, row.UploadedAt, row.UploadedBy);
    }

    public Task<IReadOnlyList<MonitoredParty>> ListPartiesAsync(long covenantId, CancellationToken ct) =>
        ListPartiesAsync(covenantId, $"EXISTS (SELECT 1 FROM stage_change s WHERE s.entry_id = e.id AND s.to_stage = '{Stage.Signed.Code()}')", new { covenantId }, null, ct);

    public Task<IReadOnlyList<MonitoredParty>> ListSignedInAsync(long covenantId, DateOnly firstDay, DateOnly lastDay, CancellationToken ct)
    {
        // Entries with a signing in the period, found by the history's (stage, time) index; one signed again later is
        // dropped below, as its latest signing is outside.
        var start = AmsterdamClock.AtLocal(firstDay, TimeOnly.MinValue);
        var end = AmsterdamClock.AtLocal(lastDay.AddDays(1), TimeOnly.MinValue);
        return ListPartiesAsync(covenantId,
            $"e.id IN (SELECT s.entry_id FROM stage_change s WHERE s.to_stage = '{Stage.Signed.Code()}' AND s.changed_at >= @start AND s.changed_at < @end)",
            new { covenantId, start, end }, p => p.SignedOn >= firstDay && p.SignedOn <= lastDay, ct);
    }

    /// <summary>The parties of the covenant that <paramref name="which"/> selects (on pipeline_entry e), read in two queries.</summary>
    private async Task<IReadOnlyList<MonitoredParty>> ListPartiesAsync(long covenantId, string which, object parameters, Func<MonitoredParty, bool>? keep, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        var c = work.Connection;
        var parties = (await c.QueryAsync<PartyRow>(new CommandDefinition(
            $"""
            SELECT e.id AS ProspectId, o.name AS Name, o.party_kind AS PartyKind,
                   (SELECT MAX(s.changed_at) FROM stage_change s WHERE s.entry_id = e.id AND s.to_stage = '{Stage.Signed.Code()}') AS SignedAt,
                   (SELECT MAX(s.changed_at) FROM stage_change s WHERE s.entry_id = e.id AND s.to_stage = '{Stage.Left.Code()}') AS LeftAt
            FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id
            WHERE e.covenant_id = @covenantId AND {which}
            ORDER BY e.id
            """,
            parameters, work.Transaction, cancellationToken: ct))).ToList();
        if (parties.Count == 0) return [];
        var milestones = (await c.QueryAsync<MilestoneRow>(new CommandDefinition(
            $"""
            SELECT {MilestoneColumns} FROM {MilestoneFrom} JOIN pipeline_entry e ON e.id = m.entry_id
            WHERE e.covenant_id = @covenantId AND {which} ORDER BY m.entry_id, m.id
            """,
            parameters, work.Transaction, cancellationToken: ct))).Select(r => r.ToDomain()).ToLookup(m => m.ProspectId);
        return parties.Select(p =>
        {
            var signed = AmsterdamClock.DateOf(p.SignedAt!.Value);
            // A leaving before the latest signing was undone by signing again.
            DateOnly? left = p.LeftAt is { } l && l > p.SignedAt ? AmsterdamClock.DateOf(l) : null;
            return new MonitoredParty { ProspectId = p.ProspectId, Name = p.Name, Kind = PartyKinds.Parse(p.PartyKind), SignedOn = signed, LeftOn = left, Milestones = milestones[p.ProspectId].ToList() };
        }).Where(p => keep is null || keep(p)).ToList();
    }

    private static Task InsertChangeAsync(DbConnection c, DbTransaction tx, MilestoneChange change, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO onboarding_milestone_change (milestone_id, action, changed_at, changed_by, done_on, evidence_url, evidence_file_id, reason)
            VALUES (@MilestoneId, @Action, @At, @By, @DoneOn, @EvidenceUrl, @EvidenceFileId, @Reason)
            """,
            new { change.MilestoneId, Action = change.Action.Code(), change.At, change.By, change.DoneOn, change.EvidenceUrl, change.EvidenceFileId, change.Reason },
            tx, cancellationToken: ct));

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A plan milestone as stored in the plan's JSON: party kinds and due rule by their codes.</summary>
    private sealed record StoredMilestone(
        string Key, string NameNl, string NameEn, string? PhraseNl, string? PhraseEn, List<string> AppliesTo, string Due,
        int? MonthsAfterSigning, int? DueMonth, int? DueDay, bool RepeatsYearly)
    {
        public static StoredMilestone From(PlanMilestone m) => new(
            m.Key, m.NameNl, m.NameEn, m.PhraseNl, m.PhraseEn, m.AppliesTo.Select(k => k.Code()).ToList(), m.Due.Code(), m.MonthsAfterSigning, m.DueMonth, m.DueDay, m.RepeatsYearly);

        public PlanMilestone ToDomain() => new()
        {
            Key = Key, NameNl = NameNl, NameEn = NameEn, PhraseNl = PhraseNl, PhraseEn = PhraseEn, AppliesTo = AppliesTo.Select(PartyKinds.Parse).ToList(),
            Due = DueRules.Parse(Due), MonthsAfterSigning = MonthsAfterSigning, DueMonth = DueMonth, DueDay = DueDay, RepeatsYearly = RepeatsYearly,
        };
    }

    private sealed class PlanRow
    {
        public long CovenantId { get; init; }
        public int Version { get; init; }
        public int CutOffMonths { get; init; }
        public string Milestones { get; init; } = "[]";
        public DateTimeOffset CreatedAt { get; init; }
        public string CreatedBy { get; init; } = "";

        public OnboardingPlan ToDomain() => new()
        {
            CovenantId = CovenantId, Version = Version, CutOffMonths = CutOffMonths, ChangedAt = CreatedAt, ChangedBy = CreatedBy,
            Milestones = (JsonSerializer.Deserialize<List<StoredMilestone>>(Milestones, Json) ?? []).Select(m => m.ToDomain()).ToList(),
        };
    }

    /// <summary>A milestone as <see cref="MilestoneColumns"/> reads it (the reminder store's candidates add their party's facts).</summary>
    internal class MilestoneRow
    {
        public long Id { get; init; }
        public long ProspectId { get; init; }
        public string MilestoneKey { get; init; } = "";
        public int MonitoringYear { get; init; }
        public string NameNl { get; init; } = "";
        public string NameEn { get; init; } = "";
        public DateOnly DueOn { get; init; }
        public int PlanVersion { get; init; }
        public DateOnly? DoneOn { get; init; }
        public string? EvidenceUrl { get; init; }
        public long? EvidenceFileId { get; init; }
        public string? EvidenceFileName { get; init; }
        public string? DoneBy { get; init; }
        public DateTimeOffset CreatedAt { get; init; }

        public PartyMilestone ToDomain() => new()
        {
            Id = Id, ProspectId = ProspectId, Key = MilestoneKey, Year = MonitoringYear == 0 ? null : MonitoringYear, NameNl = NameNl, NameEn = NameEn,
            DueOn = DueOn, PlanVersion = PlanVersion, DoneOn = DoneOn, EvidenceUrl = EvidenceUrl, EvidenceFileId = EvidenceFileId,
            EvidenceFileName = EvidenceFileName, DoneBy = DoneBy, CreatedAt = CreatedAt,
        };
    }

    private sealed class ChangeRow
    {
        public long Id { get; init; }
        public long MilestoneId { get; init; }
        public string Action { get; init; } = "";
        public DateTimeOffset ChangedAt { get; init; }
        public string ChangedBy { get; init; } = "";
        public DateOnly? DoneOn { get; init; }
        public string? EvidenceUrl { get; init; }
        public long? EvidenceFileId { get; init; }
        public string? Reason { get; init; }

        public MilestoneChange ToDomain() => new(MilestoneId, MilestoneActions.Parse(Action), ChangedAt, ChangedBy)
        {
            Id = Id, DoneOn = DoneOn, EvidenceUrl = EvidenceUrl, EvidenceFileId = EvidenceFileId, Reason = Reason,
        };
    }

    private sealed class DoneRow
    {
        public long ProspectId { get; init; }
        public DateOnly? DoneOn { get; init; }
    }

    private sealed class FileRow
    {
        public long Id { get; init; }
        public long ProspectId { get; init; }
        public string FileName { get; init; } = "";
        public string ContentType { get; init; } = "";
        public byte[] Content { get; init; } = [];
        public DateTimeOffset UploadedAt { get; init; }
        public string UploadedBy { get; init; } = "";
    }

    private sealed class PartyRow
    {
        public long ProspectId { get; init; }
        public string Name { get; init; } = "";
        public string PartyKind { get; init; } = "";
        public DateTimeOffset? SignedAt { get; init; }
        public DateTimeOffset? LeftAt { get; init; }
    }
}
