using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Outreach.Web.Access;

namespace Outreach.Web.Pages.Account;

[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public sealed class LoginModel(AccessService access, IStringLocalizer<SharedResource> T, Microsoft.Extensions.Options.IOptions<EntraSignInOptions> entra) : PageModel
{
    public bool EntraEnabled => entra.Value.Enabled;
    /// <summary>Off only when Entra ID sign-in is on and Access:Entra:LocalPasswords is false.</summary>
    public bool LocalPasswords => !entra.Value.Enabled || entra.Value.LocalPasswords;

    [BindProperty] public string? UserName { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!LocalPasswords)
        {
            // Refused before the name or password is looked at: with passwords off, no local account can be guessed at or locked.
            Error = T["Sign-in with a password is switched off; sign in with Microsoft."];
            (UserName, Password) = (null, null);
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        var (outcome, user) = await access.SignInAsync(UserName, Password, ct);
        if (outcome != SignInOutcome.SignedIn)
        {
            // One message for every refusal, so the page does not tell which user names exist (a lock or a disabled account would).
            Error = T["Wrong user name or password, or the account is locked for 15 minutes after repeated failures."];
            Password = null;
            return Page();
        }

        var principal = AccessService.Principal(user!, CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/board");
    }

    /// <summary>Off to Entra ID; the answer comes back at /signin-oidc, which provisions the account and sets the session cookie.</summary>
    public IActionResult OnPostMicrosoft()
    {
        if (!EntraEnabled) return NotFound();
        return Challenge(new AuthenticationProperties { RedirectUri = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/board" }, EntraSignIn.Scheme);
    }

    public async Task<IActionResult> OnPostLogoutAsync(CancellationToken ct)
    {
        if (User.Identity?.AuthenticationType == CookieAuthenticationDefaults.AuthenticationScheme) await access.SignOutAsync(User, ct);
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return LocalRedirect("/account/login");
    }
}
