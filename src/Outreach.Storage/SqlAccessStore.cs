using Dapper;
using Outreach.Core.Access;

namespace Outreach.Storage;

/// <summary>Users and API keys. User names are stored lower-case, so sign-in ignores case.</summary>
public sealed class SqlAccessStore(Database db, TimeProvider clock) : IAccessStore
{
    private const string UserColumns =
        "id AS Id, user_name AS UserName, display_name AS DisplayName, role AS Role, password_hash AS PasswordHash, failed_sign_ins AS FailedSignIns, locked_until AS LockedUntil";

    public async Task<UserAccount?> FindUserAsync(string userName, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {UserColumns} FROM user_account WHERE user_name = @name", new { name = userName.Trim().ToLowerInvariant() }, cancellationToken: ct));
        return row?.ToDomain();
    }

    public async Task<UserAccount> AddUserAsync(string userName, string displayName, Role role, string passwordHash, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleAsync<UserRow>(new CommandDefinition(
            $"""
            INSERT INTO user_account (user_name, display_name, role, password_hash, created_at)
            VALUES (@name, @displayName, @role, @passwordHash, @now)
            RETURNING {UserColumns}
            """,
            new { name = userName.Trim().ToLowerInvariant(), displayName, role = role.Code(), passwordHash, now = clock.GetUtcNow() }, cancellationToken: ct));
        return row.ToDomain();
    }

    public async Task RecordSignInAsync(long userId, bool succeeded, DateTimeOffset? lockUntil, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            succeeded
                ? "UPDATE user_account SET failed_sign_ins = 0, locked_until = NULL WHERE id = @userId"
                : "UPDATE user_account SET failed_sign_ins = CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_sign_ins + 1 END, locked_until = @lockUntil WHERE id = @userId",
            new { userId, lockUntil }, cancellationToken: ct));
    }

    public async Task<int> CountUsersAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (int)await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM user_account", cancellationToken: ct));
    }

    public async Task AddApiKeyAsync(string name, string keyHash, Role role, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO api_key (name, key_hash, role, created_at) VALUES (@name, @keyHash, @role, @at)",
            new { name, keyHash, role = role.Code(), at }, cancellationToken: ct));
    }

    public async Task<(string Name, Role Role)?> FindApiKeyAsync(string keyHash, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(
            "SELECT name AS Name, role AS Role FROM api_key WHERE key_hash = @keyHash AND revoked_at IS NULL", new { keyHash }, cancellationToken: ct));
        return row is not null && Roles.TryParse(row.Role, out var role) ? (row.Name, role) : null;
    }

    private sealed class KeyRow
    {
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
    }

    private sealed class UserRow
    {
        public long Id { get; init; }
        public string UserName { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string Role { get; init; } = "";
        public string PasswordHash { get; init; } = "";
        public int FailedSignIns { get; init; }
        public DateTimeOffset? LockedUntil { get; init; }

        public UserAccount ToDomain() => new()
        {
            Id = Id, UserName = UserName, DisplayName = DisplayName, Role = Enum.Parse<Role>(Role, ignoreCase: true), PasswordHash = PasswordHash,
            FailedSignIns = FailedSignIns, LockedUntil = LockedUntil,
        };
    }
}
