using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Web.Pages;

/// <summary>The pipeline board: a column per stage, filtered; the filters live in the URL so a view can be shared.</summary>
public sealed class BoardModel(IPipelineStore pipeline, IProspectStore prospects) : PageModel
{
    public const int CardsPerColumn = 40;

    [BindProperty(SupportsGet = true)] public string? Covenant { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sector { get; set; }
    [BindProperty(SupportsGet = true)] public string? PartyKind { get; set; }
    [BindProperty(SupportsGet = true)] public string? Owner { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public bool Overdue { get; set; }

    public IReadOnlyList<Covenant> Covenants { get; private set; } = [];
    public IReadOnlyList<string> Owners { get; private set; } = [];
    public IReadOnlyList<string> Sectors { get; private set; } = [];
    public IReadOnlyList<(Stage Stage, Page<ProspectSummary> Cards)> Columns { get; private set; } = [];
    public int Total => Columns.Sum(c => c.Cards.Total);

    /// <summary>The board's filters (and a stage) as the list's query string: "N more" opens those very prospects in the list.</summary>
    public string ListQuery(Stage? stage)
    {
        var values = new Dictionary<string, string?>
        {
            ["covenant"] = Covenant, ["sector"] = Sector, ["partyKind"] = PartyKind, ["owner"] = Owner, ["q"] = Q,
            ["overdue"] = Overdue ? "true" : null, ["stage"] = stage?.Code(),
        };
        return string.Join("&", values.Where(v => !string.IsNullOrEmpty(v.Value)).Select(v => v.Key + "=" + Uri.EscapeDataString(v.Value!)));
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Covenants = await prospects.ListCovenantsAsync(ct);
        Owners = await prospects.ListOwnersAsync(ct);
        Sectors = await prospects.ListSectorsAsync(ct);
        var filter = new ProspectFilter
        {
            CovenantId = Covenants.FirstOrDefault(c => c.Code == Covenant)?.Id,
            Sector = Sector,
            PartyKind = PartyKinds.TryParse(PartyKind, out var kind) ? kind : null,
            Owner = Owner,
            Text = Q,
            Overdue = Overdue ? true : null,
        };
        var columns = new List<(Stage, Page<ProspectSummary>)>();
        foreach (var stage in Stages.All)
            columns.Add((stage, await pipeline.SearchAsync(filter with { Stage = stage }, 1, CardsPerColumn, ct)));
        Columns = columns;
    }
}
