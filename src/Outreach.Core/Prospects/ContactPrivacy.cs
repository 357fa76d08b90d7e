using Outreach.Core.Audit;
using Outreach.Core.Common;
using Outreach.Core.Crm;
using Outreach.Core.Events;
using Outreach.Core.Mail;
using Outreach.Core.Sequences;

namespace Outreach.Core.Prospects;

/// <summary>What <see cref="IProspectStore.EraseContactAsync"/> did: the contact as it is now, and whether this call erased it (false: erased before).</summary>
public sealed record ErasedContact(Contact Contact, bool JustErased);

/// <summary>
/// What a database keeps of erased data beyond its rows (SQLite: freed pages and the write-ahead log), cleared after an
/// erasure so that the person's data cannot be read back from the files.
/// </summary>
public interface IErasureTraces
{
    Task ClearAsync(CancellationToken ct);
}

/// <summary>
/// What an erasure, an opt-out and a bounce must reach beyond the contact row, each in one unit of work with the row's change
/// so that nothing half-done is ever seen: waiting mail, open enrolments, calendar invitations (withdrawn, so a calendar that
/// lists attendees forgets the address) and, on erasure, every place the person's data was recorded. Every caller (pages, the
/// API, the replies job, the retention job) goes through here, not through the stores' own-table methods.
/// </summary>
public sealed class ContactPrivacy(
    IUnitOfWork unit,
    IProspectStore prospects,
    IMailOutbox outbox,
    ISequenceStore sequences,
    IReplyLog replies,
    Activities.IActivityStore activities,
    IEventNoticeOutbox notices,
    IWriteBackOutbox writeBack,
    IAuditLog audit,
    IEnumerable<IDeliveredMail> deliveredCopies,
    TimeProvider clock,
    IErasureTraces? traces = null)
{
    // Built from the ports this holds: each stop cancels the enrolment's queued steps in the same unit.
    private readonly EnrolmentStops stops = new(sequences, outbox, unit);

    /// <summary>
    /// Records the opt-out at <paramref name="at"/> (an earlier one is kept), or clears it (null). An opt-out is honoured at
    /// once: waiting mail is cancelled, sequences stop, and coming events' calendar invitations are withdrawn (Microsoft 365
    /// mails every attendee of an update). Null when there is no such contact.
    /// </summary>
    public Task<Contact?> SetOptedOutAsync(long contactId, DateTimeOffset? at, CancellationToken ct) =>
        unit.RunAsync(async token =>
        {
            var contact = await prospects.SetOptedOutAsync(contactId, at, token).ConfigureAwait(false);
            if (at is null || contact is null) return contact;
            var now = clock.GetUtcNow();
            await outbox.CancelForContactAsync(contactId, token).ConfigureAwait(false);
            await stops.StopForContactAsync(contactId, StopReason.OptedOut, now, token).ConfigureAwait(false);
            await notices.EnqueueWithdrawalsAsync(contactId, now, comingOnly: true, token).ConfigureAwait(false);
            return contact;
        }, ct);

    /// <summary>
    /// Erases the person everywhere Outreach holds them: the contact row (the address kept only as a hash, so it is not imported
    /// again), the audit trail's values, the outbox, sequences, replies, activities' contact links (their free text is the secretariat's), event notices' errors, calendar invitations and the
    /// CRM's invitation rows, in one unit of work; then the delivered copies (.eml files). Repeating it is harmless, so a crash
    /// between the two steps is mended by erasing again. Null when there is no such contact.
    /// </summary>
    public async Task<Contact?> EraseAsync(long contactId, DateTimeOffset at, CancellationToken ct)
    {
        var erased = await unit.RunAsync(async token =>
        {
            var result = await prospects.EraseContactAsync(contactId, at, token).ConfigureAwait(false);
            if (result is not { JustErased: true }) return result?.Contact;
            await audit.ErasePersonalAsync(contactId, token).ConfigureAwait(false);
            await outbox.EraseForContactAsync(contactId, token).ConfigureAwait(false);
            await stops.StopForContactAsync(contactId, StopReason.OptedOut, at, token).ConfigureAwait(false);
            await replies.EraseForContactAsync(contactId, token).ConfigureAwait(false);
            await activities.EraseContactAsync(contactId, token).ConfigureAwait(false);
            await notices.EraseErrorsForContactAsync(contactId, token).ConfigureAwait(false);
            await notices.EnqueueWithdrawalsAsync(contactId, at, comingOnly: false, token).ConfigureAwait(false);
            await writeBack.EnqueueContactErasedAsync(contactId, at, token).ConfigureAwait(false);
            return result.Contact;
        }, ct).ConfigureAwait(false);
        if (erased is null) return null;
        var keys = await outbox.ListKeysForContactAsync(contactId, ct).ConfigureAwait(false);
        foreach (var copies in deliveredCopies)
        {
            foreach (var key in keys) await copies.EraseAsync(key, ct).ConfigureAwait(false);
        }

        if (traces is not null) await traces.ClearAsync(ct).ConfigureAwait(false);
        return erased;
    }

    /// <summary>
    /// A non-delivery report said the address does not exist: every contact with it is marked bouncing, and nothing more goes
    /// to it: waiting mail is cancelled, sequences stop, coming events' invitations are withdrawn. Returns the contacts marked
    /// (none when already marked).
    /// </summary>
    public Task<IReadOnlyList<Contact>> MarkBouncedAsync(string email, DateTimeOffset at, CancellationToken ct) =>
        unit.RunAsync(async token =>
        {
            var marked = await prospects.MarkBouncedAsync(email, at, token).ConfigureAwait(false);
            foreach (var contact in marked)
            {
                await outbox.CancelForContactAsync(contact.Id, token).ConfigureAwait(false);
                await stops.StopForContactAsync(contact.Id, StopReason.HardBounce, at, token).ConfigureAwait(false);
                await notices.EnqueueWithdrawalsAsync(contact.Id, at, comingOnly: true, token).ConfigureAwait(false);
            }

            return marked;
        }, ct);
}
