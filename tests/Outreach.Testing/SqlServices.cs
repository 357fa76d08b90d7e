using Outreach.Core.Audit;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Storage;

namespace Outreach.Testing;

/// <summary>The Core services that span stores, wired over the SQL stores of one database, as the host wires them.</summary>
public static class SqlServices
{
    public static ContactPrivacy Privacy(Database db, TimeProvider clock, IAuditActor? actor = null, IEnumerable<IDeliveredMail>? deliveredCopies = null) =>
        new(new SqlUnitOfWork(db), new SqlProspectStore(db, clock, actor), new SqlMailOutbox(db), new SqlSequenceStore(db, actor), new SqlReplyLog(db), new SqlActivityStore(db),
            new SqlEventNoticeOutbox(db), new SqlWriteBackOutbox(db), new SqlAudit(db), deliveredCopies ?? [], clock);

    /// <summary>What Dynamics users ask for (starts from the covenant, requested stage moves), over the SQL stores as the host wires it.</summary>
    public static Core.Crm.DynamicsInbound Dynamics(Database db, TimeProvider clock) =>
        new(new SqlCrmSyncStore(db), new SqlPipelineStore(db, clock), new SqlProspectStore(db, clock), new SqlAccessStore(db, clock), new SqlWriteBackOutbox(db),
            Moves(db, clock), new SqlUnitOfWork(db), clock);
    public static Core.Activities.ActivityService Activities(Database db, TimeProvider clock, IAuditActor? actor = null) =>
        new(new SqlUnitOfWork(db), new SqlActivityStore(db), new SqlPipelineStore(db, clock, null, actor), Moves(db, clock, actor), new SqlWriteBackOutbox(db), new SqlProspectStore(db, clock, actor), clock);

    /// <summary>Stage moves with what they reach (enrolments, write-back); the pipeline store's own ApplyAsync changes the entry and its history only.</summary>
    public static PipelineService Moves(Database db, TimeProvider clock, IAuditActor? actor = null) =>
        new(new SqlPipelineStore(db, clock, null, actor), new SqlProspectStore(db, clock, actor), new SqlSequenceStore(db, actor), Stops(db, actor), new SqlWriteBackOutbox(db), new SqlOnboardingStore(db), new SqlUnitOfWork(db), clock);

    /// <summary>An enrolment's stop (or a decision ending it) with its queued mail cancelled in one unit.</summary>
    public static Core.Sequences.EnrolmentStops Stops(Database db, IAuditActor? actor = null) => new(new SqlSequenceStore(db, actor), new SqlMailOutbox(db), new SqlUnitOfWork(db));

    /// <summary>A milestone's "done" with its queued reminders cancelled and its write-back queued in one unit.</summary>
    public static Core.Onboarding.MilestoneCompletion Completion(Database db, Core.Crm.IWriteBackOutbox? writeBack = null) =>
        new(new SqlOnboardingStore(db), new SqlMailOutbox(db), writeBack ?? new SqlWriteBackOutbox(db), new SqlUnitOfWork(db));

    /// <summary>The missing milestones of parties that signed before their covenant had a plan, as the host wires it.</summary>
    public static Core.Onboarding.MilestoneBackfill Backfill(Database db, TimeProvider clock, Core.Crm.IWriteBackOutbox? writeBack = null) =>
        new(new SqlProspectStore(db, clock), new SqlOnboardingStore(db), writeBack ?? new SqlWriteBackOutbox(db), new SqlUnitOfWork(db), clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Core.Onboarding.MilestoneBackfill>.Instance);

    /// <summary>The onboarding use cases (plan, done, reopen) as the host wires them.</summary>
    public static Core.Onboarding.OnboardingService Onboarding(Database db, TimeProvider clock, Core.Crm.IWriteBackOutbox? writeBack = null)
    {
        writeBack ??= new SqlWriteBackOutbox(db);
        return new(new SqlOnboardingStore(db), Completion(db, writeBack), clock, writeBack, new SqlUnitOfWork(db));
    }
}
