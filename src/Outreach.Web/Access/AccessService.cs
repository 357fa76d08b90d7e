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
}

/// <summary>Local users (PasswordHasher, lock-out after repeated failures) and API keys (random, stored as SHA-256 hashes).</summary>
public sealed class AccessService(IAccessStore store, TimeProvider clock)
{
    public const string ApiKeyPrefix = "ork_";
    private static readonly PasswordHasher<UserAccount> Hasher = new();

    public async Task<(SignInOutcome Outcome, UserAccount? User)> SignInAsync(string? userName, string? password, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password)) return (SignInOutcome.WrongCredentials, null);
        var user = await store.FindUserAsync(userName, ct);
        var now = clock.GetUtcNow();
        if (user is null)
        {
            // Same work as a real check, so timing does not tell which user names exist.
            Hasher.VerifyHashedPassword(PlaceholderUser, PlaceholderHash, password);
            return (SignInOutcome.WrongCredentials, null);
        }

        if (Lockout.IsLocked(user, now)) return (SignInOutcome.LockedOut, null);
        var verdict = Hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            // A lock that has run out starts a fresh count: five new wrong passwords lock again, not one.
            var earlier = user.LockedUntil is { } until && until <= now ? 0 : user.FailedSignIns;
            var lockUntil = Lockout.LockAfterFailure(earlier + 1, now);
            await store.RecordSignInAsync(user.Id, succeeded: false, lockUntil, ct);
            return (lockUntil is null ? SignInOutcome.WrongCredentials : SignInOutcome.LockedOut, null);
        }

        await store.RecordSignInAsync(user.Id, succeeded: true, null, ct);
        return (SignInOutcome.SignedIn, user);
    }

    /// <summary>Creates a user with a generated password, returned once (never stored or logged).</summary>
    public async Task<(UserAccount User, string Password)> CreateUserAsync(string userName, string displayName, Role role, CancellationToken ct)
    {
        var password = RandomSecret(18);
        var placeholder = new UserAccount { UserName = userName, DisplayName = displayName, Role = role, PasswordHash = "" };
        var user = await store.AddUserAsync(userName, displayName, role, Hasher.HashPassword(placeholder, password), ct);
        return (user, password);
    }

    /// <summary>Creates an API key bound to a role; the key is returned once and only its hash is stored.</summary>
    public async Task<string> CreateApiKeyAsync(string name, Role role, CancellationToken ct)
    {
        var key = ApiKeyPrefix + RandomSecret(32);
        await store.AddApiKeyAsync(name, HashKey(key), role, clock.GetUtcNow(), ct);
        return key;
    }

    public async Task<ClaimsPrincipal?> AuthenticateApiKeyAsync(string key, string scheme, CancellationToken ct)
    {
        if (!key.StartsWith(ApiKeyPrefix, StringComparison.Ordinal) || key.Length > 200) return null;
        var found = await store.FindApiKeyAsync(HashKey(key), ct);
        if (found is null) return null;
        return Principal($"api:{found.Value.Name}", found.Value.Role, scheme);
    }

    public static ClaimsPrincipal Principal(string name, Role role, string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role.Code())], scheme, ClaimTypes.Name, ClaimTypes.Role));

    // API keys are long random secrets, so a fast hash is enough to keep them unusable if the table leaks.
    public static string HashKey(string key) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    private static string RandomSecret(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static readonly UserAccount PlaceholderUser = new() { UserName = "-", DisplayName = "-", PasswordHash = "" };
    private static readonly string PlaceholderHash = Hasher.HashPassword(PlaceholderUser, RandomSecret(18));
}
