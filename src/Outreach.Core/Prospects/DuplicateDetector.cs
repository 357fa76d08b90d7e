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
