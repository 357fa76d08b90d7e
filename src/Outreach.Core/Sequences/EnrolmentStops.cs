using Outreach.Core.Common;
using Outreach.Core.Mail;

namespace Outreach.Core.Sequences;

/// <summary>
/// An enrolment that ends (stopped, or a saved decision that completes it) takes its queued steps with it: the change and
/// the cancellation of its pending and failed mail in one unit of work, so a crash never leaves a stopped enrolment with
/// its mail still queued. Every caller that stops or saves an enrolment (pages, stage moves, the sequence job, replies,
/// opt-outs, erasures, bounces) goes through here, not through the store's own-table methods. Inside a running unit
/// (a stage move, an opt-out) it joins that one.
/// </summary>
public sealed class EnrolmentStops(ISequenceStore store, IMailOutbox outbox, IUnitOfWork unit)
{
    /// <summary>The cancelled mail's last error after a stop, naming why (shown on the outbox page).</summary>
    public static string StoppedReason(StopReason why) => $"Withdrawn: the enrolment stopped ({why.Code()})";

    /// <summary>The cancelled mail's last error when a saved decision ended the enrolment (it completed).</summary>
    public const string EndedReason = "Withdrawn: the enrolment ended";

    /// <summary>Stops one open enrolment and cancels its queued mail; false when it was not open.</summary>
    public Task<bool> StopAsync(long enrolmentId, StopReason why, DateTimeOffset at, CancellationToken ct) =>
        unit.RunAsync(async token =>
        {
            if (!await store.StopAsync(enrolmentId, why, at, token).ConfigureAwait(false)) return false;
            await CancelQueuedAsync(enrolmentId, StoppedReason(why), token).ConfigureAwait(false);
            return true;
        }, ct);

    /// <summary>A reply from anyone at the organisation: every open enrolment there stops, with its queued mail; how many.</summary>
    public Task<int> StopForOrganisationAsync(long organisationId, StopReason why, DateTimeOffset at, CancellationToken ct) =>
        StopAllAsync(token => store.StopForOrganisationAsync(organisationId, why, at, token), why, ct);

    /// <summary>The contact's open enrolments stop (opt-out, erasure, bounce), with their queued mail; how many.</summary>
    public Task<int> StopForContactAsync(long contactId, StopReason why, DateTimeOffset at, CancellationToken ct) =>
        StopAllAsync(token => store.StopForContactAsync(contactId, why, at, token), why, ct);

    /// <summary>
    /// Saves a decision on an open enrolment (see <see cref="ISequenceStore.SaveAsync"/>); when the decision ends it, its queued
    /// mail is cancelled in the same unit. False when it was stopped or completed meanwhile.
    /// </summary>
    public Task<bool> SaveAsync(Enrolment enrolment, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(enrolment);
        return unit.RunAsync(async token =>
        {
            if (!await store.SaveAsync(enrolment, at, token).ConfigureAwait(false)) return false;
            if (!enrolment.IsOpen) await CancelQueuedAsync(enrolment.Id, EndedReason, token).ConfigureAwait(false);
            return true;
        }, ct);
    }

    private Task<int> StopAllAsync(Func<CancellationToken, Task<IReadOnlyList<long>>> stop, StopReason why, CancellationToken ct) =>
        unit.RunAsync(async token =>
        {
            var stopped = await stop(token).ConfigureAwait(false);
            foreach (var id in stopped) await CancelQueuedAsync(id, StoppedReason(why), token).ConfigureAwait(false);
            return stopped.Count;
        }, ct);

    private Task<int> CancelQueuedAsync(long enrolmentId, string reason, CancellationToken ct) =>
        outbox.CancelByKeyPrefixAsync(SequenceRunner.KeyPrefix(enrolmentId), reason, ct);
}
