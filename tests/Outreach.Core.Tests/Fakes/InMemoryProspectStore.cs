using Outreach.Core.Prospects;

namespace Outreach.Core.Tests.Fakes;

/// <summary>Covenants and organisations in lists; duplicate candidates are found the way the SQL store finds them.</summary>
internal sealed class InMemoryProspectStore : IProspectStore, IInMemoryState
{
    private readonly List<Covenant> covenants = [];
    private readonly List<Organisation> organisations = [];
    private List<Contact> contacts = [];
    private HashSet<string> suppressed = [];

    /// <summary>The contacts and suppressed addresses (what the privacy cascades change) go back to what they are now.</summary>
    public Action Snapshot()
    {
        var (savedContacts, savedSuppressed) = (contacts.ToList(), suppressed.ToHashSet());
        return () => (contacts, suppressed) = (savedContacts, savedSuppressed);
    }

    /// <summary>Every draft handed to <see cref="AddOrganisationAsync"/>, as given.</summary>
    public List<OrganisationDraft> AddedDrafts { get; } = [];

    public IReadOnlyList<Organisation> Organisations => organisations;

    public Task<IReadOnlyList<Covenant>> ListCovenantsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Covenant>>([.. covenants]);

    public Task<Covenant> AddCovenantAsync(string code, string name, DateOnly startsOn, DateOnly endsOn, CancellationToken ct) =>
        Task.FromResult(SeedCovenant(code, name, startsOn, endsOn));

    public Covenant SeedCovenant(string code, string name, DateOnly startsOn, DateOnly endsOn)
    {
        var covenant = new Covenant(covenants.Count + 1, code, name, startsOn, endsOn);
        covenants.Add(covenant);
        return covenant;
    }

    public Task<Organisation> AddOrganisationAsync(OrganisationDraft draft, CancellationToken ct)
    {
        AddedDrafts.Add(draft);
        var organisation = ToOrganisation(organisations.Count + 1, draft);
        organisations.Add(organisation);
        return Task.FromResult(organisation);
    }

    public Task<Organisation?> UpdateOrganisationAsync(long id, OrganisationDraft draft, CancellationToken ct)
    {
        var index = organisations.FindIndex(o => o.Id == id);
        if (index < 0) return Task.FromResult<Organisation?>(null);
        organisations[index] = ToOrganisation(id, draft);
        return Task.FromResult<Organisation?>(organisations[index]);
    }

    public Task<Organisation?> GetOrganisationAsync(long id, CancellationToken ct) =>
        Task.FromResult(organisations.Find(o => o.Id == id));

    public Task<IReadOnlyList<OrganisationKeys>> FindDuplicateCandidatesAsync(OrganisationDraft draft, CancellationToken ct)
    {
        var kvk = Normalise.KvkNumber(draft.KvkNumber);
        var domain = Normalise.WebsiteDomain(draft.Website);
        var name = Normalise.OrganisationName(draft.Name);
        return Task.FromResult<IReadOnlyList<OrganisationKeys>>(
            [.. Keys().Where(k => (k.KvkNumber is not null && k.KvkNumber == kvk) || (k.WebsiteDomain is not null && k.WebsiteDomain == domain) || k.NormalisedName == name)]);
    }

    public Task<IReadOnlyList<OrganisationKeys>> ListOrganisationKeysAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<OrganisationKeys>>([.. Keys()]);

    public Task<Contact> AddContactAsync(long organisationId, ContactDraft draft, CancellationToken ct)
    {
        var contact = new Contact { Id = contacts.Count + 1, OrganisationId = organisationId, Name = draft.Name, Email = draft.Email, Language = draft.Language, Role = draft.Role };
        contacts.Add(contact);
        return Task.FromResult(contact);
    }

    public Task<Contact?> UpdateContactAsync(long contactId, ContactDraft draft, CancellationToken ct)
    {
        var index = contacts.FindIndex(c => c.Id == contactId);
        if (index < 0) return Task.FromResult<Contact?>(null);
        contacts[index] = contacts[index] with { Name = draft.Name, Email = draft.Email, Language = draft.Language, Role = draft.Role };
        return Task.FromResult<Contact?>(contacts[index]);
    }

    public Task<Contact?> GetContactAsync(long contactId, CancellationToken ct) =>
        Task.FromResult(contacts.Find(c => c.Id == contactId));

    public Task<Contact?> SetOptedOutAsync(long contactId, DateTimeOffset? at, CancellationToken ct)
    {
        var index = contacts.FindIndex(c => c.Id == contactId);
        if (index < 0) return Task.FromResult<Contact?>(null);
        contacts[index] = contacts[index] with { OptedOutAt = at is null ? null : contacts[index].OptedOutAt ?? at };
        return Task.FromResult<Contact?>(contacts[index]);
    }

    public Task<ErasedContact?> EraseContactAsync(long contactId, DateTimeOffset at, CancellationToken ct)
    {
        var index = contacts.FindIndex(c => c.Id == contactId);
        if (index < 0) return Task.FromResult<ErasedContact?>(null);
        var before = contacts[index];
        if (before.ErasedAt is null) suppressed.Add(Suppression.Hash(before.Email));
        contacts[index] = before with { Name = $"Erased contact {contactId}", Email = $"erased-{contactId}@erased.invalid", Role = null, Source = null, OptedOutAt = before.OptedOutAt ?? at, ErasedAt = before.ErasedAt ?? at };
        return Task.FromResult<ErasedContact?>(new ErasedContact(contacts[index], JustErased: before.ErasedAt is null));
    }

    public Task<IReadOnlyList<Contact>> FindContactsByEmailAsync(string email, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Contact>>(contacts.Where(c => string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase) && !c.Erased).ToList());

    public Task<IReadOnlyList<Contact>> MarkBouncedAsync(string email, DateTimeOffset at, CancellationToken ct)
    {
        var marked = new List<Contact>();
        for (var i = 0; i < contacts.Count; i++)
        {
            if (!string.Equals(contacts[i].Email, email.Trim(), StringComparison.OrdinalIgnoreCase) || contacts[i].BouncedAt is not null || contacts[i].Erased) continue;
            contacts[i] = contacts[i] with { BouncedAt = at };
            marked.Add(contacts[i]);
        }

        return Task.FromResult<IReadOnlyList<Contact>>(marked);
    }

    public Task<bool> IsSuppressedAsync(string email, CancellationToken ct) => Task.FromResult(suppressed.Contains(Suppression.Hash(email)));

    public Task<IReadOnlySet<string>> ListSuppressedHashesAsync(CancellationToken ct) => Task.FromResult<IReadOnlySet<string>>(suppressed.ToHashSet());

    public Task<IReadOnlyList<long>> ListContactsOfDeclinedBeforeAsync(DateTimeOffset declinedBefore, CancellationToken ct) =>
        throw new NotSupportedException("Retention is tested against the real stores.");

    public Task<IReadOnlyList<Contact>> ListContactsAsync(long organisationId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Contact>>([.. contacts.Where(c => c.OrganisationId == organisationId)]);

    public Task<IReadOnlyList<string>> ListOwnersAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>([.. organisations.Select(o => o.Owner).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);

    public Task<IReadOnlyList<string>> ListSectorsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>([.. organisations.Select(o => o.Sector).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);

    private IEnumerable<OrganisationKeys> Keys() =>
        organisations.Select(o => new OrganisationKeys(o.Id, o.Name, Normalise.OrganisationName(o.Name), o.KvkNumber, o.WebsiteDomain));

    private static Organisation ToOrganisation(long id, OrganisationDraft draft) => new()
    {
        Id = id,
        Name = draft.Name,
        PartyKind = draft.PartyKind,
        Sector = draft.Sector,
        Country = draft.Country,
        KvkNumber = Normalise.KvkNumber(draft.KvkNumber),
        WebsiteDomain = Normalise.WebsiteDomain(draft.Website),
        Owner = draft.Owner,
    };
}
