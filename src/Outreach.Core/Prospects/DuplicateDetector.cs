using Outreach.Core.Common;

namespace Outreach.Core.Prospects;

/// <summary>An existing organisation that looks like the one being created, and why.</summary>
public sealed record DuplicateWarning(long OrganisationId, string OrganisationName, DomainMessage Why);

/// <summary>The comparable parts of an existing organisation, as the store returns them.</summary>
public sealed record OrganisationKeys(long Id, string Name, string NormalisedName, string? KvkNumber, string? WebsiteDomain);

/// <summary>Likely duplicates: same KvK number, same web domain, or the same name once normalised.</summary>
public static class DuplicateDetector
{
    public static IReadOnlyList<DuplicateWarning> Find(OrganisationDraft draft, IEnumerable<OrganisationKeys> existing, long? ignoreId = null)
    {
        var kvk = Normalise.KvkNumber(draft.KvkNumber);
        var domain = Normalise.WebsiteDomain(draft.Website);
        var name = Normalise.OrganisationName(draft.Name);
        var warnings = new List<DuplicateWarning>();
        foreach (var other in existing)
        {
            if (other.Id == ignoreId) continue;
            if (kvk is not null && other.KvkNumber == kvk)
                warnings.Add(new DuplicateWarning(other.Id, other.Name, new DomainMessage("Same KvK number ({0}) as '{1}'.", kvk, other.Name)));
            else if (domain is not null && other.WebsiteDomain == domain)
                warnings.Add(new DuplicateWarning(other.Id, other.Name, new DomainMessage("Same web domain ({0}) as '{1}'.", domain, other.Name)));
            else if (name.Length > 0 && other.NormalisedName == name)
                warnings.Add(new DuplicateWarning(other.Id, other.Name, new DomainMessage("Same name as '{0}' (ignoring case, punctuation and legal form).", other.Name)));
        }

        return warnings;
    }
}

/// <summary>
/// <see cref="DuplicateDetector"/> over many organisations at once (an import checks every row against every organisation):
/// the keys are looked up in dictionaries, and only the candidates found go through <see cref="DuplicateDetector.Find"/>,
/// so the rules and the messages stay exactly the detector's.
/// </summary>
public sealed class DuplicateIndex
{
    private readonly List<OrganisationKeys> all = [];
    private readonly Key byKvk = new();
    private readonly Key byDomain = new();
    private readonly Key byName = new();

    public DuplicateIndex(IEnumerable<OrganisationKeys> existing)
    {
        foreach (var keys in existing) Add(keys);
    }

    public int Count => all.Count;

    /// <summary>The comparable parts of a draft, normalised as the store keeps them.</summary>
    public static OrganisationKeys KeysOf(OrganisationDraft draft, long id = 0) =>
        new(id, draft.Name, Normalise.OrganisationName(draft.Name), Normalise.KvkNumber(draft.KvkNumber), Normalise.WebsiteDomain(draft.Website));

    public void Add(OrganisationKeys keys)
    {
        var position = all.Count;
        all.Add(keys);
        byKvk.Add(keys.KvkNumber, position);
        byDomain.Add(keys.WebsiteDomain, position);
        byName.Add(keys.NormalisedName.Length > 0 ? keys.NormalisedName : null, position);
    }

    /// <summary>The same warnings, in the same order, as <see cref="DuplicateDetector.Find"/> over everything added.</summary>
    public IReadOnlyList<DuplicateWarning> Find(OrganisationDraft draft, long? ignoreId = null) => Find(draft, KeysOf(draft), ignoreId);

    /// <summary>As <see cref="Find(OrganisationDraft, long?)"/>, with the draft's keys already worked out (<see cref="KeysOf"/>).</summary>
    public IReadOnlyList<DuplicateWarning> Find(OrganisationDraft draft, OrganisationKeys keys, long? ignoreId = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        SortedSet<int>? positions = null;
        byKvk.Collect(keys.KvkNumber, ref positions);
        byDomain.Collect(keys.WebsiteDomain, ref positions);
        byName.Collect(keys.NormalisedName.Length > 0 ? keys.NormalisedName : null, ref positions);
        return positions is null ? [] : DuplicateDetector.Find(draft, positions.Select(p => all[p]), ignoreId);
    }

    /// <summary>
    /// One key's index: the last position with each value, and for every position the previous one with the same value.
    /// Two flat structures instead of a list per value keep an index of a hundred thousand organisations small.
    /// </summary>
    private sealed class Key
    {
        private readonly Dictionary<string, int> last = new(StringComparer.Ordinal);
        private readonly List<int> previous = [];

        public void Add(string? value, int position)
        {
            var before = -1;
            if (value is not null)
            {
                before = last.GetValueOrDefault(value, -1);
                last[value] = position;
            }

            previous.Add(before);
        }

        public void Collect(string? value, ref SortedSet<int>? into)
        {
            if (value is null || !last.TryGetValue(value, out var position)) return;
            into ??= [];
            for (; position >= 0; position = previous[position]) into.Add(position);
        }
    }
}
