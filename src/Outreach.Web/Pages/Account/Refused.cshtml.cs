using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Outreach.Web.Pages.Account;

/// <summary>Where a refused Entra ID sign-in lands: no Outreach role, a disabled account, or a token that did not validate.</summary>
[AllowAnonymous]
public sealed class RefusedModel : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Reason { get; set; }

    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;
}
