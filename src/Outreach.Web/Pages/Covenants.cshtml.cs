using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Prospects;

namespace Outreach.Web.Pages;

/// <summary>The covenants prospects are approached for (master data: a real tenant starts here).</summary>
public sealed class CovenantsModel(IProspectStore prospects, IStringLocalizer<SharedResource> T) : PageModel
{
    public IReadOnlyList<Covenant> Covenants { get; private set; } = [];

    [BindProperty] public string? Code { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public DateOnly? StartsOn { get; set; }
    [BindProperty] public DateOnly? EndsOn { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => Covenants = await prospects.ListCovenantsAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Covenants = await prospects.ListCovenantsAsync(ct);
        ModelState.Clear();
        var code = (Code ?? "").Trim().ToLowerInvariant();
        if (code.Length is 0 or > 30 || !code.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            ModelState.AddModelError(nameof(Code), T["The code is 1 to 30 lower-case letters, digits or hyphens, such as gold."]);
        else if (Covenants.Any(c => c.Code == code))
            ModelState.AddModelError(nameof(Code), T["A covenant with this code exists already."]);
        if (string.IsNullOrWhiteSpace(Name) || Validation.CheckText("Name", Name, Validation.MaxNameLength, required: true).Count > 0)
            ModelState.AddModelError(nameof(Name), T["Give the covenant a name (at most 200 characters)."]);
        if (StartsOn is null || EndsOn is null || EndsOn <= StartsOn)
            ModelState.AddModelError(nameof(EndsOn), T["Give a start date and an end date after it."]);
        if (!ModelState.IsValid) return Page();

        await prospects.AddCovenantAsync(code, Name!.Trim(), StartsOn!.Value, EndsOn!.Value, ct);
        TempData["Flash"] = T["Covenant added."].Value;
        return RedirectToPage();
    }
}
