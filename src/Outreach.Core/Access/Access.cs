using Outreach.Core.Common;

namespace Outreach.Core.Access;

/// <summary>What a person or integration may do: administrators manage users and settings, the secretariat works on prospects, managers read.</summary>
public enum Role
{
    Manager,
    Secretariat,
    Administrator,
}

public static class Roles
{
    public static readonly IReadOnlyList<Role> All = Enum.GetValues<Role>();

    /// <summary>The stored codes (user_account.role, api_key.role).</summary>
    public static readonly CodeTable<Role> Table = new(new Dictionary<Role, string>
    {
        [Role.Manager] = "manager",
        [Role.Secretariat] = "secretariat",
        [Role.Administrator] = "administrator",
    });

    public static string Code(this Role role) => Table.Code(role);

    public static Role Parse(string code) => Table.Parse(code);

    public static bool TryParse(string? value, out Role role) => Codes.TryParse(value, All, Code, out role);

    /// <summary>Changing prospects, events and mail: the secretariat and administrators.</summary>
    public static bool CanEdit(this Role role) => role is Role.Secretariat or Role.Administrator;
}

/// <summary>A local user account (the password is only ever held as a hash).</summary>
public sealed record UserAccount
{
    public long Id { get; init; }
    public required string UserName { get; init; }
    public required string DisplayName { get; init; }
    public Role Role { get; init; }
    public required string PasswordHash { get; init; }
    public int FailedSignIns { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    /// <summary>A disabled user cannot sign in and their open sessions end at the next request.</summary>
    public DateTimeOffset? DisabledAt { get; init; }
    /// <summary>Changes whenever the password is reset or the user is disabled; a session issued under an older stamp is refused.</summary>
    public string SecurityStamp { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>For a user provisioned by Entra ID sign-in: the tenant (tid) and object id (oid) that identify them; null for local users.</summary>
    public string? EntraTenantId { get; init; }
    public string? EntraObjectId { get; init; }

    public bool IsEntraUser => EntraObjectId is not null;
}

/// <summary>
/// Who Entra ID says signed in: the tenant and object id (which never change and identify the account), and the user principal
/// name and display name (which may change, and are updated at every sign-in).
/// </summary>
public sealed record EntraIdentity(string TenantId, string ObjectId, string UserName, string DisplayName);

/// <summary>An integration's API key as administrators see it (never the key itself).</summary>
public sealed record ApiKeyInfo(long Id, string Name, Role Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>Repeated wrong passwords lock an account for a while, so a password cannot be guessed by trying.</summary>
public static class Lockout
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Duration = TimeSpan.FromMinutes(15);

    public static bool IsLocked(UserAccount user, DateTimeOffset now) => user.LockedUntil is { } until && until > now;
}

/// <summary>Users and API keys.</summary>
public interface IAccessStore
{
    Task<UserAccount?> FindUserAsync(string userName, CancellationToken ct);
    Task<UserAccount?> GetUserAsync(long userId, CancellationToken ct);
    Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken ct);
    /// <summary>Adds a user; throws <see cref="DuplicateNameException"/> when the user name is taken.</summary>
    Task<UserAccount> AddUserAsync(string userName, string displayName, Role role, string passwordHash, CancellationToken ct);
    Task<int> CountUsersAsync(CancellationToken ct);

    /// <summary>
    /// Counts a wrong password in one statement (so parallel guesses cannot slip past the limit) and locks the account
    /// for <see cref="Lockout.Duration"/> at the <see cref="Lockout.MaxFailures"/>th; a lock that has run out starts a fresh
    /// count. Returns whether the account is now locked.
    /// </summary>
    Task<bool> RecordFailedSignInAsync(long userId, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Counts a sign-in attempt before its password is checked, in one statement, so parallel guesses cannot all pass a "not
    /// locked" they read at once: the attempt counts as failed until <see cref="RecordSuccessfulSignInAsync"/> clears it.
    /// Returns the attempt's number (1 to <see cref="Lockout.MaxFailures"/>), or null when the account is locked or its
    /// attempts are spent (then it is locked from now). A lock that has run out starts a fresh count.
    /// </summary>
    Task<int?> BeginSignInAttemptAsync(long userId, DateTimeOffset now, CancellationToken ct);

    /// <summary>Gives the user a new security stamp, which ends every session they have open (signing out does this).</summary>
    Task RenewSecurityStampAsync(long userId, CancellationToken ct);

    /// <summary>Clears the failure count, unless the account got locked meanwhile: then false, and the sign-in must be refused.</summary>
    Task<bool> RecordSuccessfulSignInAsync(long userId, DateTimeOffset now, CancellationToken ct);

    Task<UserAccount?> UpdateUserAsync(long userId, string displayName, Role role, CancellationToken ct);
    /// <summary>Disables (at a time) or enables (null) the user; disabling changes the security stamp, which ends open sessions.</summary>
    Task<UserAccount?> SetDisabledAsync(long userId, DateTimeOffset? at, CancellationToken ct);
    /// <summary>Replaces the password hash and the security stamp, and lifts any lock.</summary>
    Task<UserAccount?> SetPasswordAsync(long userId, string passwordHash, CancellationToken ct);
    Task<UserAccount?> UnlockAsync(long userId, CancellationToken ct);

    /// <summary>
    /// Brings the Entra user's account in line with a sign-in, in one transaction, audited: with a role, the account is created
    /// (first sign-in) or its user name, display name and role are updated; without one (the app role was removed in Entra), an
    /// enabled account is disabled, which ends its open sessions. An account disabled in Outreach stays disabled. Returns the
    /// account after the change, or null when there is none (no role and never signed in).
    /// </summary>
    Task<UserAccount?> SyncEntraUserAsync(EntraIdentity identity, Role? role, CancellationToken ct);

    /// <summary>Stores a new API key by its hash; the key itself is shown once and never stored. Throws <see cref="DuplicateNameException"/> when the name is taken.</summary>
    Task AddApiKeyAsync(string name, string keyHash, Role role, DateTimeOffset at, CancellationToken ct);
    Task<(string Name, Role Role)?> FindApiKeyAsync(string keyHash, CancellationToken ct);
    Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken ct);
    /// <summary>Revokes the key with this name; false when there is no such unrevoked key.</summary>
    Task<bool> RevokeApiKeyAsync(string name, DateTimeOffset at, CancellationToken ct);
}

/// <summary>A user name or API key name that is already taken.</summary>
public sealed class DuplicateNameException(string name) : Exception($"The name '{name}' is already taken.")
{
    public string Name { get; } = name;
}
