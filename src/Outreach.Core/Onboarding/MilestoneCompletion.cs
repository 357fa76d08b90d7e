using Outreach.Core.Common;
using Outreach.Core.Crm;
using Outreach.Core.Mail;

namespace Outreach.Core.Onboarding;

/// <summary>
/// A milestone marked done takes its reminders that have not gone yet with it: the milestone's change, the cancellation
/// of its pending and failed reminder mail and its Dataverse write-back in one unit of work. The store locks the milestone row first and the reminder
/// job queues under the same lock, so no reminder slips past. Every "done" (the page, the questionnaire import) goes
/// through here; inside a running unit (the import's) it joins that one.
/// </summary>
public sealed class MilestoneCompletion(IOnboardingStore store, IMailOutbox outbox, IWriteBackOutbox writeBack, IUnitOfWork unit)
{
    /// <summary>The cancelled reminders' last error (shown on the outbox page).</summary>
    public const string WithdrawnReason = "Withdrawn: the milestone was done";

    /// <summary>As <see cref="IOnboardingStore.MarkDoneAsync"/>, the milestone's queued reminders cancelled and its write-back queued; false when it was done already.</summary>
    public Task<bool> MarkDoneAsync(long milestoneId, DateOnly doneOn, string? evidenceUrl, EvidenceUpload? file, DateTimeOffset at, string by, CancellationToken ct) =>
        unit.RunAsync(async token =>
        {
            if (!await store.MarkDoneAsync(milestoneId, doneOn, evidenceUrl, file, at, by, token).ConfigureAwait(false)) return false;
            await outbox.CancelByKeyPrefixAsync(OnboardingReminders.KeyPrefix(milestoneId), WithdrawnReason, token).ConfigureAwait(false);
            // Each done milestone goes to Dynamics, committed with the change or not at all.
            await writeBack.EnqueueMilestoneAsync(milestoneId, at, token).ConfigureAwait(false);
            return true;
        }, ct);
}
