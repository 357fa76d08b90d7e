using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Web.Hosting;

namespace Outreach.Web.Pages.Prospects;

/// <summary>Create an organisation with a pipeline entry; warns about likely duplicates before saving.</summary>
public sealed class NewModel(PipelineService service, IProspectStore prospects, CurrentActor actor, IStringLocalizer<SharedResource> T) : PageModel
{
    [BindProperty] public OrganisationForm Organisation { get; set; } = new();
    [BindProperty] public string? Covenant { get; set; }
    [BindProperty] public string? Stage { get; set; } = "identified";
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public bool AcceptDuplicates { get; set; }

    public IReadOnlyList<Covenant> Covenants { get; private set; } = [];
    public IReadOnlyList<DuplicateWarning> Duplicates { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadListsAsync(ct);
        Organisation.Owner = actor.Name;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadListsAsync(ct);
        ModelState.Clear();
        var draft = Organisation.ToDraft(ModelState, nameof(Organisation), T);
        var covenant = Covenants.FirstOrDefault(c => c.Code == Covenant);
        if (covenant is null) ModelState.AddModelError(nameof(Covenant), T["Choose a covenant."]);
        var stage = Core.Pipeline.Stage.Identified;
        if (Stage is not null && !(Stages.TryParse(Stage, out stage) && stage is Core.Pipeline.Stage.Identified or Core.Pipeline.Stage.Contacted))
            ModelState.AddModelError(nameof(Stage), T["A new prospect starts in 'identified' or 'contacted'."]);
        OrganisationForm.AddErrors(ModelState, nameof(Organisation), Validation.Check(draft), T);
        if (!ModelState.IsValid) return Page();

        var result = await service.CreateAsync(draft, covenant!.Id, stage, actor.Name, Reason, AcceptDuplicates, ct);
        if (result.Errors.Count > 0)
        {
            OrganisationForm.AddErrors(ModelState, nameof(Organisation), result.Errors, T);
            return Page();
        }

        if (!result.Created)
        {
            Duplicates = result.Duplicates;
            return Page();
        }

        TempData["Flash"] = T["Prospect created."].Value;
        return Redirect($"/prospects/{result.Entry!.Id}");
    }

    private async Task LoadListsAsync(CancellationToken ct)
    {
        Covenants = await prospects.ListCovenantsAsync(ct);
        ViewData["Owners"] = await prospects.ListOwnersAsync(ct);
        ViewData["Sectors"] = await prospects.ListSectorsAsync(ct);
    }
}
