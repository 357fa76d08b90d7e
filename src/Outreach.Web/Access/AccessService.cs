using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Outreach.Core.Access;

namespace Outreach.Web.Access;

public enum SignInOutcome
{
    SignedIn,
    WrongCredentials,
    LockedOut,
    Disabled,
}

/// <summary>Local users (PasswordHasher, lock-out after repeated failures) and API keys (random, stored as SHA-256 hashes).</summary>
public sealed class AccessService(IAccessStore store, TimeProvider clock, IPasswordHasher<UserAccount>? passwordHasher = null)
{
    public const string ApiKeyPrefix = "ork_";
    /// <summary>The signed-in user's id, user name and security stamp travel in the cookie so each request can be checked against the account.</summary>
    public const string UserIdClaim = ClaimTypes.NameIdentifier;
    public const string UserNameClaim = "outreach:user";
    public const string StampClaim = "outreach:stamp";
    private static readonly PasswordHasher<UserAccount> DefaultHasher = new();
    // The framework's hasher; a test may count the checks it does.
    private readonly IPasswordHasher<UserAccount> hasher = passwordHasher ?? DefaultHasher;

    public async Task<(SignInOutcome Outcome, UserAccount? User)> SignInAsync(string? userName, string? password, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password) || userName.Length > 200 || password.Length > 1000)
            return (SignInOutcome.WrongCredentials, null);
        var user = await store.FindUserAsync(userName, ct);
        var now = clock.GetUtcNow();
        // An Entra ID user signs in with Microsoft only; a password set on the account by mistake is never checked.
        if (user is null || user.IsEntraUser)
        {
            // Same work as a real check, so timing does not tell which user names exist.
            hasher.VerifyHashedPassword(PlaceholderUser, PlaceholderHash, password);
            return (SignInOutcome.WrongCredentials, null);
        }

        // Counted before the check, so parallel guesses get no more tries than the lock-out allows.
        var attempt = await store.BeginSignInAttemptAsync(user.Id, now, ct);
        if (attempt is null)
        {
            // A locked account costs the same check as any other answer (a quick refusal would tell that the name exists),
            // against the placeholder: the refusal says nothing about the password.
            hasher.VerifyHashedPassword(PlaceholderUser, PlaceholderHash, password);
            return (SignInOutcome.LockedOut, null);
        }

        var verdict = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            // The attempt is counted already; the last one allowed also locks the account.
            var locked = attempt >= Lockout.MaxFailures && await store.RecordFailedSignInAsync(user.Id, now, ct);
            return (locked ? SignInOutcome.LockedOut : SignInOutcome.WrongCredentials, null);
        }

        if (user.DisabledAt is not null) return (SignInOutcome.Disabled, null);
        // Refused if parallel wrong guesses locked the account while this password was being checked.
        if (!await store.RecordSuccessfulSignInAsync(user.Id, now, ct)) return (SignInOutcome.LockedOut, null);
        return (SignInOutcome.SignedIn, user);
    }

    /// <summary>
    /// Signing out ends the session everywhere: a new security stamp makes every cookie issued before it invalid at its next
    /// request (see <see cref="IsSessionValidAsync"/>), so a saved copy of the cookie no longer works.
    /// </summary>
    public async Task SignOutAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        if (long.TryParse(principal.FindFirstValue(UserIdClaim), System.Globalization.CultureInfo.InvariantCulture, out var id))
            await store.RenewSecurityStampAsync(id, ct);
    }

    /// <summary>Creates a user with a generated password, returned once (never stored or logged).</summary>
    public async Task<(UserAccount User, string Password)> CreateUserAsync(string userName, string displayName, Role role, CancellationToken ct)
    {
        var password = RandomSecret(18);
        var user = await store.AddUserAsync(userName, displayName, role, Hash(password), ct);
        return (user, password);
    }

    /// <summary>Gives the user a new generated password (returned once), ending their sessions and lifting any lock.</summary>
    public async Task<(UserAccount User, string Password)?> ResetPasswordAsync(long userId, CancellationToken ct)
    {
        var password = RandomSecret(18);
        var user = await store.SetPasswordAsync(userId, Hash(password), ct);
        return user is null ? null : (user, password);
    }

    /// <summary>Creates an API key bound to a role; the key is returned once and only its hash is stored.</summary>
    public async Task<string> CreateApiKeyAsync(string name, Role role, CancellationToken ct)
    {
        var key = ApiKeyPrefix + RandomSecret(32);
        await store.AddApiKeyAsync(name, HashKey(key), role, clock.GetUtcNow(), ct);
        return key;
    }

    public Task<bool> RevokeApiKeyAsync(string name, CancellationToken ct) => store.RevokeApiKeyAsync(name, clock.GetUtcNow(), ct);

    public static bool IsValidKeyName(string? name) =>
        name is { Length: > 0 and <= 100 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public static bool IsValidUserName(string? name) =>
        name is { Length: > 0 and <= 100 } && !name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    public async Task<ClaimsPrincipal?> AuthenticateApiKeyAsync(string key, string scheme, CancellationToken ct)
    {
        if (!key.StartsWith(ApiKeyPrefix, StringComparison.Ordinal) || key.Length > 200) return null;
        var found = await store.FindApiKeyAsync(HashKey(key), ct);
        if (found is null) return null;
        return Principal($"api:{found.Value.Name}", found.Value.Role, scheme);
    }

    public static ClaimsPrincipal Principal(string name, Role role, string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role.Code())], scheme, ClaimTypes.Name, ClaimTypes.Role));

    /// <summary>A person's principal: their display name (on the history), role, and what re-validates the session.</summary>
    public static ClaimsPrincipal Principal(UserAccount user, string scheme) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, user.DisplayName),
                new Claim(ClaimTypes.Role, user.Role.Code()),
                new Claim(UserIdClaim, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(UserNameClaim, user.UserName),
                new Claim(StampClaim, user.SecurityStamp),
            ],
            scheme, ClaimTypes.Name, ClaimTypes.Role));

    /// <summary>
    /// Whether a session cookie still speaks for its user: the account exists, is enabled, has the same role and the
    /// same security stamp (a password reset or disabling changes it). Checked on every request, so a change applies at once.
    /// </summary>
    public async Task<bool> IsSessionValidAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        if (!long.TryParse(principal.FindFirstValue(UserIdClaim), System.Globalization.CultureInfo.InvariantCulture, out var id)) return false;
        var user = await store.GetUserAsync(id, ct);
        return user is not null && user.DisabledAt is null
            && string.Equals(user.SecurityStamp, principal.FindFirstValue(StampClaim), StringComparison.Ordinal)
            && principal.IsInRole(user.Role.Code())
            && string.Equals(user.DisplayName, principal.Identity?.Name, StringComparison.Ordinal);
    }

    // API keys are long random secrets, so a fast hash is enough to keep them unusable if the table leaks.
    public static string HashKey(string key) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    private static string Hash(string password) => DefaultHasher.HashPassword(PlaceholderUser, password);

    private static string RandomSecret(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static readonly UserAccount PlaceholderUser = new() { UserName = "-", DisplayName = "-", PasswordHash = "" };
    private static readonly string PlaceholderHash = DefaultHasher.HashPassword(PlaceholderUser, RandomSecret(18));
}
