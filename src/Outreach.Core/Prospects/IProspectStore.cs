namespace Outreach.Core.Prospects;

/// <summary>Covenants, organisations and contacts (master data).</summary>
public interface IProspectStore
{
    Task<IReadOnlyList<Covenant>> ListCovenantsAsync(CancellationToken ct);
    Task<Covenant> AddCovenantAsync(string code, string name, DateOnly startsOn, DateOnly endsOn, CancellationToken ct);

    /// <summary>Stores a validated, cleaned draft (see <see cref="Validation.Clean(OrganisationDraft)"/>).</summary>
    Task<Organisation> AddOrganisationAsync(OrganisationDraft draft, CancellationToken ct);
    Task<Organisation?> UpdateOrganisationAsync(long id, OrganisationDraft draft, CancellationToken ct);
    Task<Organisation?> GetOrganisationAsync(long id, CancellationToken ct);

    /// <summary>Existing organisations that share the draft's KvK number, web domain or normalised name.</summary>
    Task<IReadOnlyList<OrganisationKeys>> FindDuplicateCandidatesAsync(OrganisationDraft draft, CancellationToken ct);

    /// <summary>The comparison keys of every organisation (used by the import to check a whole file in memory).</summary>
    Task<IReadOnlyList<OrganisationKeys>> ListOrganisationKeysAsync(CancellationToken ct);

    Task<Contact> AddContactAsync(long organisationId, ContactDraft draft, CancellationToken ct);
    Task<Contact?> UpdateContactAsync(long contactId, ContactDraft draft, CancellationToken ct);
    Task<Contact?> GetContactAsync(long contactId, CancellationToken ct);

    /// <summary>
    /// Records on the contact row (audited) that the contact opted out of outreach at <paramref name="at"/>, or clears it (null:
    /// the person asked to hear from us again). An earlier opt-out time is kept when the contact is already opted out. Null when
    /// there is no such contact. The contact row only: <see cref="ContactPrivacy.SetOptedOutAsync"/> also stops what waits.
    /// </summary>
    Task<Contact?> SetOptedOutAsync(long contactId, DateTimeOffset? at, CancellationToken ct);

    /// <summary>
    /// Erases the person's data from the contact row on request: name, email, role and source are replaced by anonymous values
    /// and the contact is marked opted out, so the organisation's history and the reports keep their counts but nobody can be
    /// identified. The first time, the address is kept as a hash (suppressed) and the erasure is audited without the values it
    /// removed. Null when there is no such contact. The contact's tables only: <see cref="ContactPrivacy.EraseAsync"/> erases
    /// the person everywhere else.
    /// </summary>
    Task<ErasedContact?> EraseContactAsync(long contactId, DateTimeOffset at, CancellationToken ct);

    /// <summary>The (not erased) contacts with this address, compared without regard to case: a reply's sender.</summary>
    Task<IReadOnlyList<Contact>> FindContactsByEmailAsync(string email, CancellationToken ct);

    /// <summary>
    /// A non-delivery report said the address does not exist: every (not erased) contact with it is marked bouncing (audited).
    /// Returns the contacts marked (none when already marked). The contact rows only: <see cref="ContactPrivacy.MarkBouncedAsync"/>
    /// also cancels their waiting mail and stops their sequences.
    /// </summary>
    Task<IReadOnlyList<Contact>> MarkBouncedAsync(string email, DateTimeOffset at, CancellationToken ct);

    /// <summary>Whether the address belonged to an erased contact (kept only as a hash, see <see cref="Suppression"/>).</summary>
    Task<bool> IsSuppressedAsync(string email, CancellationToken ct);

    /// <summary>Every suppressed address hash (for the import, which checks a whole file in memory).</summary>
    Task<IReadOnlySet<string>> ListSuppressedHashesAsync(CancellationToken ct);

    /// <summary>
    /// Contacts (not yet erased) of organisations whose every pipeline entry has been in declined since before
    /// <paramref name="declinedBefore"/>: the retention rule's candidates.
    /// </summary>
    Task<IReadOnlyList<long>> ListContactsOfDeclinedBeforeAsync(DateTimeOffset declinedBefore, CancellationToken ct);
    Task<IReadOnlyList<Contact>> ListContactsAsync(long organisationId, CancellationToken ct);
    Task<IReadOnlyList<string>> ListOwnersAsync(CancellationToken ct);
    Task<IReadOnlyList<string>> ListSectorsAsync(CancellationToken ct);
}
