using System.Globalization;
using Dapper;
using Outreach.Core.Audit;
using Outreach.Core.Mail;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;

namespace Outreach.Storage;

/// <summary>What the milestone reminders read and write on SQLite or PostgreSQL, and the contacts' onboarding role.</summary>
public sealed class SqlOnboardingReminderStore(Database db) : IOnboardingReminderStore
{
    public async Task<IReadOnlyList<ReminderCandidate>> ListCandidatesAsync(DateOnly dueFrom, DateOnly dueTo, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        var c = work.Connection;
        // Two reads: the open milestones in the range (by the partial index on due_on), then the onboarding contacts there are.
        var milestones = (await c.QueryAsync<CandidateRow>(new CommandDefinition(
            $"""
            SELECT {SqlOnboardingStore.MilestoneColumns}, o.id AS OrganisationId, o.name AS Organisation, cv.name AS Covenant, o.owner AS Owner
            FROM onboarding_milestone m LEFT JOIN onboarding_evidence f ON f.id = m.evidence_file_id
                 JOIN pipeline_entry e ON e.id = m.entry_id JOIN organisation o ON o.id = e.organisation_id JOIN covenant cv ON cv.id = e.covenant_id
            WHERE m.done_on IS NULL AND m.due_on >= @dueFrom AND m.due_on <= @dueTo AND e.stage = '{Stage.Signed.Code()}' AND o.removed_at IS NULL
            ORDER BY m.due_on, m.id
            """,
            new { dueFrom, dueTo }, work.Transaction, cancellationToken: ct))).ToList();
        if (milestones.Count == 0) return [];
        var contacts = (await c.QueryAsync<SqlProspectStore.ContactRow>(new CommandDefinition(
            $"""
            SELECT {SqlProspectStore.ContactColumns} FROM contact
            WHERE id IN (SELECT contact_id FROM contact_role WHERE role = @role)
              AND opted_out_at IS NULL AND erased_at IS NULL AND bounced_at IS NULL
            ORDER BY id
            """,
            new { role = OnboardingReminders.ContactRole }, work.Transaction, cancellationToken: ct))).Select(r => r.ToDomain()).ToLookup(k => k.OrganisationId);
        return milestones
            .SelectMany(m => contacts[m.OrganisationId].Select(k => new ReminderCandidate
            {
                Milestone = m.ToDomain(), Organisation = m.Organisation, Covenant = m.Covenant, Owner = m.Owner, Contact = k,
            }))
            .ToList();
    }

    public async Task<bool> HoldForReminderAsync(long milestoneId, long contactId, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        // The milestone row locked (as marking it done locks it): a "done" either committed before (nothing is queued) or
        // waits for this transaction and then cancels what it queued. The contact likewise, for an opt-out.
        var open = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"SELECT id FROM onboarding_milestone WHERE id = @milestoneId AND done_on IS NULL{db.ForUpdate}", new { milestoneId }, tx, cancellationToken: ct));
        var reachable = open is null ? null : await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"SELECT id FROM contact WHERE id = @ContactId AND opted_out_at IS NULL AND erased_at IS NULL AND bounced_at IS NULL{db.ForUpdate}",
            new { ContactId = contactId }, tx, cancellationToken: ct));
        if (reachable is null) return false;
        await work.CommitAsync(ct);
        return true;
    }

    public async Task<IReadOnlyList<long>> ListOnboardingContactsAsync(long organisationId, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        return (await work.Connection.QueryAsync<long>(new CommandDefinition(
            "SELECT r.contact_id FROM contact_role r JOIN contact k ON k.id = r.contact_id WHERE k.organisation_id = @organisationId AND r.role = @role ORDER BY r.contact_id",
            new { organisationId, role = OnboardingReminders.ContactRole }, work.Transaction, cancellationToken: ct))).ToList();
    }

    public async Task<bool> SetOnboardingContactAsync(long contactId, bool holds, DateTimeOffset at, string by, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var (c, tx) = (work.Connection, work.Transaction!);
        var role = OnboardingReminders.ContactRole;
        var changed = holds
            ? await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO contact_role (contact_id, role, set_at, set_by) SELECT id, @role, @at, @by FROM contact WHERE id = @contactId
                ON CONFLICT (contact_id, role) DO NOTHING
                """,
                new { contactId, role, at, by }, tx, cancellationToken: ct))
            : await c.ExecuteAsync(new CommandDefinition(
                "DELETE FROM contact_role WHERE contact_id = @contactId AND role = @role", new { contactId, role }, tx, cancellationToken: ct));
        if (changed == 0) return false;
        await SqlAudit.AppendAsync(c, tx, at, by, new AuditRecord(AuditEntities.Contact, contactId.ToString(CultureInfo.InvariantCulture), holds ? "role_given" : "role_taken",
            [new AuditChange("role", holds ? null : role, holds ? role : null)]), ct);
        await work.CommitAsync(ct);
        return true;
    }

    private sealed class CandidateRow : SqlOnboardingStore.MilestoneRow
    {
        public long OrganisationId { get; init; }
        public string Organisation { get; init; } = "";
        public string Covenant { get; init; } = "";
        public string Owner { get; init; } = "";
    }
}
