using Outreach.Core.Mail;

namespace Outreach.Core.Prospects;

/// <summary>
/// Erasing a person everywhere Outreach holds them: the contact row, the audit trail's values and the outbox (one store
/// transaction), then the delivered copies (.eml files). Repeating it is harmless, so a crash between the two steps is
/// mended by erasing again.
/// </summary>
public sealed class ContactErasure(IProspectStore prospects, IMailOutbox outbox, IEnumerable<IDeliveredMail> deliveredCopies)
{
    public async Task<Contact?> EraseAsync(long contactId, DateTimeOffset at, CancellationToken ct)
    {
        var erased = await prospects.EraseContactAsync(contactId, at, ct);
        if (erased is null) return null;
        var keys = await outbox.ListKeysForContactAsync(contactId, ct);
        foreach (var copies in deliveredCopies)
        {
            foreach (var key in keys) await copies.EraseAsync(key, ct);
        }

        return erased;
    }
}
