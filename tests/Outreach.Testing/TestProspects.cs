using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Testing;

public static class TestProspects
{
    /// <summary>
    /// A test's shortcut to an organisation with its first entry, dated <paramref name="at"/>: what
    /// <see cref="PipelineService.CreateAsync"/> writes, without its checks and without the write-back (a new organisation
    /// mirrors no Dataverse account yet).
    /// </summary>
    public static async Task<PipelineEntry> AddProspectAsync(this IPipelineStore pipeline, IProspectStore prospects, OrganisationDraft organisation,
        long covenantId, Stage stage, DateTimeOffset at, string by, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(prospects);
        var created = await prospects.AddOrganisationAsync(organisation, ct);
        return await pipeline.AddEntryAsync(created.Id, covenantId, stage, at, by, reason, ct);
    }
}
