using Outreach.Core.Audit;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Web.Api;

/// <summary>Everything Outreach holds on one contact, for a subject-access request (AVG/GDPR article 15).</summary>
public sealed record ContactExportDto(
    long Id, string Name, string Email, ContactLanguage Language, string? Role, LawfulBasis LawfulBasis, string? Source,
    DateTimeOffset? OptedOutAt, DateTimeOffset? ErasedAt, string Organisation, IReadOnlyList<ContactExportEntry> PipelineOfTheOrganisation,
    IReadOnlyList<AuditEntry> RecordedChanges)
{
    public static async Task<ContactExportDto?> BuildAsync(long contactId, IProspectStore prospects, IPipelineStore pipeline, IAuditLog audit, CancellationToken ct)
    {
        if (await prospects.GetContactAsync(contactId, ct) is not { } c) return null;
        var organisation = await prospects.GetOrganisationAsync(c.OrganisationId, ct);
        var entries = new List<ContactExportEntry>();
        foreach (var entry in await pipeline.ListEntriesForOrganisationAsync(c.OrganisationId, ct))
        {
            var summary = await pipeline.GetSummaryAsync(entry.Id, ct);
            entries.Add(new ContactExportEntry(summary?.CovenantCode ?? "", entry.Stage, entry.StageSince));
        }

        // Every recorded change to the contact, with the values before and after (the person may see who changed their data).
        var changes = new List<AuditEntry>();
        for (var page = 1; ; page++)
        {
            var found = await audit.SearchAsync(new AuditFilter { Entity = AuditEntities.Contact, EntityId = contactId.ToString(System.Globalization.CultureInfo.InvariantCulture) }, page, 500, ct);
            changes.AddRange(found.Items);
            if (page * found.PageSize >= found.Total) break;
        }

        return new ContactExportDto(c.Id, c.Name, c.Email, c.Language, c.Role, c.LawfulBasis, c.Source, c.OptedOutAt, c.ErasedAt, organisation?.Name ?? "", entries, changes);
    }
}

public sealed record ContactExportEntry(string Covenant, Stage Stage, DateTimeOffset Since);
