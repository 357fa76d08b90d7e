using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Outreach.Core.Prospects;
using Outreach.Web.Access;

namespace Outreach.Web.Pages.OptOut;

/// <summary>
/// The opt-out link from a mail, without signing in. Opening it shows one button (mail scanners open links, and must not
/// opt people out); pressing it, or a mail program's one-click unsubscribe (RFC 8058: a POST with
/// "List-Unsubscribe=One-Click"), opts the contact out at once and cancels their waiting mail. The token is the
/// authorisation, so the POST needs no antiforgery token; opting out twice changes nothing.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
[EnableRateLimiting(RateLimits.OptOut)]
public sealed class IndexModel(OptOutLinks links, IProspectStore prospects, ContactPrivacy privacy, TimeProvider clock) : PageModel
{
    public bool Valid { get; private set; }
    public bool Done { get; private set; }
    public bool AlreadyOptedOut { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken ct)
    {
        var contact = links.Read(token) is { } id ? await prospects.GetContactAsync(id, ct) : null;
        if (contact is null) return Invalid();
        Valid = true;
        AlreadyOptedOut = contact.OptedOut;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken ct)
    {
        if (links.Read(token) is not { } id || await privacy.SetOptedOutAsync(id, clock.GetUtcNow(), ct) is null) return Invalid();
        Valid = Done = true;
        return Page();
    }

    private PageResult Invalid()
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
