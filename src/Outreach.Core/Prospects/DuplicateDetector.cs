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
    private readonly Dictionary<string, List<int>> byKvk = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> byDomain = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> byName = new(StringComparer.Ordinal);

    public DuplicateIndex(IEnumerable<OrganisationKeys> existing)
    {
        foreach (var keys in existing) Add(keys);
    }

    public int Count => all.Count;

    public void Add(OrganisationKeys keys)
    {
        var position = all.Count;
        all.Add(keys);
        Put(byKvk, keys.KvkNumber, position);
        Put(byDomain, keys.WebsiteDomain, position);
        Put(byName, keys.NormalisedName.Length > 0 ? keys.NormalisedName : null, position);
    }

    /// <summary>The same warnings, in the same order, as <see cref="DuplicateDetector.Find"/> over everything added.</summary>
    public IReadOnlyList<DuplicateWarning> Find(OrganisationDraft draft, long? ignoreId = null)
    {
        var positions = new SortedSet<int>();
        Collect(byKvk, Normalise.KvkNumber(draft.KvkNumber), positions);
        Collect(byDomain, Normalise.WebsiteDomain(draft.Website), positions);
        var name = Normalise.OrganisationName(draft.Name);
        Collect(byName, name.Length > 0 ? name : null, positions);
        return positions.Count == 0 ? [] : DuplicateDetector.Find(draft, positions.Select(p => all[p]), ignoreId);
    }

    private static void Put(Dictionary<string, List<int>> index, string? key, int position)
    {
        if (key is null) return;
        if (!index.TryGetValue(key, out var list)) index[key] = list = [];
        list.Add(position);
    }

    private static void Collect(Dictionary<string, List<int>> index, string? key, SortedSet<int> into)
    {
        if (key is not null && index.TryGetValue(key, out var list)) into.UnionWith(list);
    }
}
