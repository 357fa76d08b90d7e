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

    public static string Code(this Role role) => role.ToString().ToLowerInvariant();

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
}

/// <summary>Repeated wrong passwords lock an account for a while, so a password cannot be guessed by trying.</summary>
public static class Lockout
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Duration = TimeSpan.FromMinutes(15);

    public static bool IsLocked(UserAccount user, DateTimeOffset now) => user.LockedUntil is { } until && until > now;

    /// <summary>The lock to set after one more failure (null while under the limit).</summary>
    public static DateTimeOffset? LockAfterFailure(int failuresIncludingThis, DateTimeOffset now) =>
        failuresIncludingThis >= MaxFailures ? now + Duration : null;
}

/// <summary>Users and API keys.</summary>
public interface IAccessStore
{
    Task<UserAccount?> FindUserAsync(string userName, CancellationToken ct);
    Task<UserAccount> AddUserAsync(string userName, string displayName, Role role, string passwordHash, CancellationToken ct);
    Task RecordSignInAsync(long userId, bool succeeded, DateTimeOffset? lockUntil, CancellationToken ct);
    Task<int> CountUsersAsync(CancellationToken ct);

    /// <summary>Stores a new API key by its hash; the key itself is shown once and never stored.</summary>
    Task AddApiKeyAsync(string name, string keyHash, Role role, DateTimeOffset at, CancellationToken ct);
    Task<(string Name, Role Role)?> FindApiKeyAsync(string keyHash, CancellationToken ct);
}
