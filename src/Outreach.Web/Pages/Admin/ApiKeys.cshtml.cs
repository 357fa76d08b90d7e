using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Access;
using Outreach.Web.Access;

namespace Outreach.Web.Pages.Admin;

/// <summary>Administrators issue API keys to integrations (shown once) and revoke them.</summary>
public sealed class ApiKeysModel(IAccessStore store, AccessService access, IStringLocalizer<SharedResource> T) : PageModel
{
    public IReadOnlyList<ApiKeyInfo> Keys { get; private set; } = [];
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Role { get; set; } = "manager";
    public (string Name, string Key)? Issued { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Keys = await store.ListApiKeysAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ModelState.Clear();
        var name = (Name ?? "").Trim();
        if (!AccessService.IsValidKeyName(name))
            ModelState.AddModelError(nameof(Name), T["A key name is 1 to 100 characters: letters, digits, '-', '_' or '.'."]);
        if (!Roles.TryParse(Role, out var role))
            ModelState.AddModelError(nameof(Role), T["Choose a role: administrator, secretariat or manager."]);
        if (ModelState.IsValid)
        {
            try
            {
                Issued = (name, await access.CreateApiKeyAsync(name, role, ct));
                Name = null;
            }
            catch (DuplicateNameException)
            {
                ModelState.AddModelError(nameof(Name), T["This name is taken."]);
            }
        }

        Keys = await store.ListApiKeysAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(string? name, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name) || !await access.RevokeApiKeyAsync(name, ct)) return NotFound();
        TempData["Flash"] = T["Key revoked; it is refused from the next request."].Value;
        return RedirectToPage();
    }
}
