using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Access;
using Outreach.Core.Prospects;
using Outreach.Web.Access;

namespace Outreach.Web.Pages.Admin;

/// <summary>Administrators manage local users: add (with a generated password shown once), change name or role, disable, reset the password, unlock.</summary>
public sealed class UsersModel(IAccessStore store, AccessService access, TimeProvider clock, IStringLocalizer<SharedResource> T) : PageModel
{
    public IReadOnlyList<UserAccount> Users { get; private set; } = [];
    public DateTimeOffset Now { get; private set; }

    [BindProperty] public string? UserName { get; set; }
    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? Role { get; set; } = "secretariat";

    /// <summary>A new password, shown once on the page that created it and never stored.</summary>
    public (string UserName, string Password)? Issued { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        ModelState.Clear();
        var name = (UserName ?? "").Trim();
        if (!AccessService.IsValidUserName(name))
            ModelState.AddModelError(nameof(UserName), T["A user name is 1 to 100 characters without spaces."]);
        var display = string.IsNullOrWhiteSpace(DisplayName) ? name : DisplayName.Trim();
        if (Validation.CheckText(nameof(DisplayName), display, 100, required: true).Count > 0)
            ModelState.AddModelError(nameof(DisplayName), T["The display name is at most 100 characters of text."]);
        if (!Roles.TryParse(Role, out var role))
            ModelState.AddModelError(nameof(Role), T["Choose a role: administrator, secretariat or manager."]);
        if (ModelState.IsValid)
        {
            try
            {
                var (user, password) = await access.CreateUserAsync(name, display, role, ct);
                Issued = (user.UserName, password);
                (UserName, DisplayName) = (null, null);
            }
            catch (DuplicateNameException)
            {
                ModelState.AddModelError(nameof(UserName), T["This user name is taken."]);
            }
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostUpdateAsync(long id, string? displayName, string? role, CancellationToken ct)
    {
        if (await store.GetUserAsync(id, ct) is not { } user) return NotFound();
        var display = (displayName ?? "").Trim();
        if (!Roles.TryParse(role, out var newRole) || Validation.CheckText(nameof(DisplayName), display, 100, required: true).Count > 0)
            return await Refuse(T["Give a display name (at most 100 characters) and a role."], ct);
        if (user.Role == Core.Access.Role.Administrator && newRole != Core.Access.Role.Administrator && await IsLastActiveAdministratorAsync(user, ct))
            return await Refuse(T["The last active administrator keeps the administrator role."], ct);
        await store.UpdateUserAsync(id, display, newRole, ct);
        return Done(T["User saved."]);
    }

    public async Task<IActionResult> OnPostDisableAsync(long id, CancellationToken ct)
    {
        if (await store.GetUserAsync(id, ct) is not { } user) return NotFound();
        if (await IsLastActiveAdministratorAsync(user, ct))
            return await Refuse(T["The last active administrator cannot be disabled."], ct);
        await store.SetDisabledAsync(id, clock.GetUtcNow(), ct);
        return Done(T["User disabled; their sessions have ended."]);
    }

    public async Task<IActionResult> OnPostEnableAsync(long id, CancellationToken ct)
    {
        if (await store.SetDisabledAsync(id, null, ct) is null) return NotFound();
        return Done(T["User enabled."]);
    }

    public async Task<IActionResult> OnPostUnlockAsync(long id, CancellationToken ct)
    {
        if (await store.UnlockAsync(id, ct) is null) return NotFound();
        return Done(T["User unlocked."]);
    }

    public async Task<IActionResult> OnPostResetAsync(long id, CancellationToken ct)
    {
        if (await access.ResetPasswordAsync(id, ct) is not { } reset) return NotFound();
        Issued = (reset.User.UserName, reset.Password);
        await LoadAsync(ct);
        return Page();
    }

    private async Task<bool> IsLastActiveAdministratorAsync(UserAccount user, CancellationToken ct) =>
        user.Role == Core.Access.Role.Administrator && user.DisabledAt is null
        && (await store.ListUsersAsync(ct)).Count(u => u.Role == Core.Access.Role.Administrator && u.DisabledAt is null) == 1;

    private async Task<IActionResult> Refuse(string message, CancellationToken ct)
    {
        ModelState.AddModelError("", message);
        await LoadAsync(ct);
        return Page();
    }

    private RedirectToPageResult Done(string message)
    {
        TempData["Flash"] = message;
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Users = await store.ListUsersAsync(ct);
        Now = clock.GetUtcNow();
    }
}
