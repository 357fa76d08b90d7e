using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Web.Pages.Organisations;

public sealed class EditModel(IProspectStore prospects, IPipelineStore pipeline, IStringLocalizer<SharedResource> T) : PageModel
{
    [BindProperty] public OrganisationForm Organisation { get; set; } = new();
    [BindProperty] public bool AcceptDuplicates { get; set; }
    public IReadOnlyList<DuplicateWarning> Duplicates { get; private set; } = [];
    public long Id { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var organisation = await prospects.GetOrganisationAsync(id, ct);
        if (organisation is null) return NotFound();
        Id = id;
        Organisation = OrganisationForm.From(organisation);
        await LoadListsAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        if (await prospects.GetOrganisationAsync(id, ct) is null) return NotFound();
        Id = id;
        await LoadListsAsync(ct);
        ModelState.Clear();
        var draft = Organisation.ToDraft(ModelState, nameof(Organisation), T);
        OrganisationForm.AddErrors(ModelState, nameof(Organisation), Validation.Check(draft), T);
        if (!ModelState.IsValid) return Page();
        var clean = Validation.Clean(draft);
        Duplicates = DuplicateDetector.Find(clean, await prospects.FindDuplicateCandidatesAsync(clean, ct), ignoreId: id);
        if (Duplicates.Count > 0 && !AcceptDuplicates) return Page();
        await prospects.UpdateOrganisationAsync(id, clean, ct);
        TempData["Flash"] = T["Organisation saved."].Value;
        var entries = await pipeline.ListEntriesForOrganisationAsync(id, ct);
        var entry = entries.Count > 0 ? entries[0] : null;
        return entry is null ? Redirect("/board") : Redirect($"/prospects/{entry.Id}");
    }

    private async Task LoadListsAsync(CancellationToken ct)
    {
        ViewData["Owners"] = await prospects.ListOwnersAsync(ct);
        ViewData["Sectors"] = await prospects.ListSectorsAsync(ct);
    }
}
