using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>
/// The set-up the overlap tests share: node A's stores and database, the "gold" covenant, and a prospect with its contacts
/// per round (<see cref="ProspectAsync"/>), written through node A as the application writes them.
/// </summary>
internal sealed class OverlapWorld
{
    private OverlapWorld(TwoNodes nodes, Covenant covenant)
    {
        Nodes = nodes;
        Covenant = covenant;
    }

    public TwoNodes Nodes { get; }

    public Covenant Covenant { get; }

    public IProspectStore Prospects => A<IProspectStore>();

    public IPipelineStore Pipeline => A<IPipelineStore>();

    public Database Db => A<Database>();

    /// <summary>A service of node A.</summary>
    public T A<T>() where T : notnull => Nodes.A.Services.GetRequiredService<T>();

    /// <summary>The covenant on node A ("gold"; the name and term as the test had them).</summary>
    public static async Task<OverlapWorld> CreateAsync(TwoNodes nodes, string covenantName, DateOnly startsOn, DateOnly endsOn)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var covenant = await nodes.A.Services.GetRequiredService<IProspectStore>().AddCovenantAsync("gold", covenantName, startsOn, endsOn, default);
        return new OverlapWorld(nodes, covenant);
    }

    /// <summary>A prospect in the covenant with these contacts, at node A's time unless <paramref name="at"/> is given.</summary>
    public Task<CovenantProspect> ProspectAsync(string organisation, string sector, Stage stage, string reason, IReadOnlyList<ContactDraft> contacts, DateTimeOffset? at = null) =>
        new CovenantProspect.Builder(Prospects, Pipeline) { Organisation = organisation, Sector = sector, Stage = stage, Reason = reason, Contacts = contacts }
            .InAsync(Covenant, at ?? Nodes.A.Clock.GetUtcNow());
}
