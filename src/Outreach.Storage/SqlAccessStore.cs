using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using Dapper;
using Outreach.Core.Access;
using Outreach.Core.Audit;

namespace Outreach.Storage;

/// <summary>Users and API keys, every change audited. User names are stored lower-case, so sign-in ignores case.</summary>
public sealed class SqlAccessStore(Database db, TimeProvider clock, IAuditActor? actor = null) : IAccessStore
{
    private readonly IAuditActor auditActor = actor ?? new AmbientAuditActor();

    private const string UserColumns =
        "id AS Id, user_name AS UserName, display_name AS DisplayName, role AS Role, password_hash AS PasswordHash, failed_sign_ins AS FailedSignIns, locked_until AS LockedUntil, disabled_at AS DisabledAt, security_stamp AS SecurityStamp, created_at AS CreatedAt, entra_tenant_id AS EntraTenantId, entra_object_id AS EntraObjectId";

    public async Task<UserAccount?> FindUserAsync(string userName, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {UserColumns} FROM user_account WHERE user_name = @name", new { name = userName.Trim().ToLowerInvariant() }, cancellationToken: ct));
        return row?.ToDomain();
    }

    public async Task<UserAccount?> GetUserAsync(long userId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await ReadUserAsync(c, null, userId, ct);
    }

    public async Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<UserRow>(new CommandDefinition($"SELECT {UserColumns} FROM user_account ORDER BY {db.OrderByFolded("user_name")}", cancellationToken: ct));
        return rows.Select(r => r.ToDomain()).ToList();
    }

    public async Task<UserAccount> AddUserAsync(string userName, string displayName, Role role, string passwordHash, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var name = userName.Trim().ToLowerInvariant();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var row = await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"""
            INSERT INTO user_account (user_name, display_name, role, password_hash, security_stamp, created_at)
            VALUES (@name, @displayName, @role, @passwordHash, @stamp, @now)
            ON CONFLICT (user_name) DO NOTHING
            RETURNING {UserColumns}
            """,
            new { name, displayName, role = role.Code(), passwordHash, stamp = NewStamp(), now }, tx, cancellationToken: ct))
            ?? throw new DuplicateNameException(name);
        var user = row.ToDomain();
        await AuditUserAsync(c, tx, now, "created", null, user, ct);
        await tx.CommitAsync(ct);
        return user;
    }

    public async Task<int> CountUsersAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (int)await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM user_account", cancellationToken: ct));
    }

    public async Task<bool> RecordFailedSignInAsync(long userId, DateTimeOffset now, CancellationToken ct)
    {
        // One statement: the count and the lock are decided by the database, so parallel wrong guesses each count.
        const string Fresh = "CASE WHEN locked_until IS NOT NULL AND locked_until <= @now THEN 1 ELSE failed_sign_ins + 1 END";
        await using var c = await db.OpenAsync(ct);
        var locked = await c.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            $"""
            UPDATE user_account SET
                failed_sign_ins = {Fresh},
                locked_until = CASE WHEN {Fresh} >= @max THEN @lockUntil WHEN locked_until IS NOT NULL AND locked_until <= @now THEN NULL ELSE locked_until END
            WHERE id = @userId
            RETURNING CASE WHEN locked_until IS NOT NULL AND locked_until > @now THEN 1 ELSE 0 END
            """,
            new { userId, now, max = Lockout.MaxFailures, lockUntil = now + Lockout.Duration }, cancellationToken: ct));
        return locked == 1;
    }

    public async Task<int?> BeginSignInAttemptAsync(long userId, DateTimeOffset now, CancellationToken ct)
    {
        // One statement: the count is taken before the slow password check, so the database decides which guesses may be checked.
        const string Fresh = "CASE WHEN locked_until IS NOT NULL AND locked_until <= @now THEN 1 ELSE failed_sign_ins + 1 END";
        await using var c = await db.OpenAsync(ct);
        var attempt = await c.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            $"""
            UPDATE user_account SET
                failed_sign_ins = CASE WHEN {Fresh} <= @max THEN {Fresh} ELSE failed_sign_ins END,
                locked_until = CASE WHEN {Fresh} <= @max THEN NULL ELSE @lockUntil END
            WHERE id = @userId AND (locked_until IS NULL OR locked_until <= @now)
            RETURNING CASE WHEN locked_until IS NULL THEN failed_sign_ins ELSE 0 END
            """,
            new { userId, now, max = Lockout.MaxFailures, lockUntil = now + Lockout.Duration }, cancellationToken: ct));
        return attempt is > 0 ? attempt : null;
    }

    public async Task RenewSecurityStampAsync(long userId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("UPDATE user_account SET security_stamp = @stamp WHERE id = @userId", new { userId, stamp = NewStamp() }, cancellationToken: ct));
    }

    public async Task<bool> RecordSuccessfulSignInAsync(long userId, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE user_account SET failed_sign_ins = 0, locked_until = NULL WHERE id = @userId AND (locked_until IS NULL OR locked_until <= @now) AND disabled_at IS NULL",
            new { userId, now }, cancellationToken: ct)) == 1;
    }

    public Task<UserAccount?> UpdateUserAsync(long userId, string displayName, Role role, CancellationToken ct) =>
        ChangeUserAsync(userId, "updated", "display_name = @displayName, role = @role", new { displayName, role = role.Code() }, ct);

    public Task<UserAccount?> SetDisabledAsync(long userId, DateTimeOffset? at, CancellationToken ct) =>
        ChangeUserAsync(userId, at is null ? "enabled" : "disabled",
            at is null ? "disabled_at = NULL" : "disabled_at = COALESCE(disabled_at, @at), security_stamp = @stamp", new { at, stamp = NewStamp() }, ct);

    public Task<UserAccount?> SetPasswordAsync(long userId, string passwordHash, CancellationToken ct) =>
        ChangeUserAsync(userId, "password_reset", "password_hash = @passwordHash, security_stamp = @stamp, failed_sign_ins = 0, locked_until = NULL",
            new { passwordHash, stamp = NewStamp() }, ct);

    public Task<UserAccount?> UnlockAsync(long userId, CancellationToken ct) =>
        ChangeUserAsync(userId, "unlocked", "failed_sign_ins = 0, locked_until = NULL", new { }, ct);

    public async Task<UserAccount?> SyncEntraUserAsync(EntraIdentity identity, Role? role, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var now = clock.GetUtcNow();
        var wanted = identity.UserName.Trim().ToLowerInvariant();
        // The change comes from Entra ID, on behalf of the person signing in: the audit says so and names them.
        var by = $"Entra ID ({wanted})";
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var before = (await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {UserColumns} FROM user_account WHERE entra_tenant_id = @tid AND entra_object_id = @oid{db.ForUpdate}",
            new { tid = identity.TenantId, oid = identity.ObjectId }, tx, cancellationToken: ct)))?.ToDomain();
        UserAccount? after;
        string action;
        if (role is not { } r)
        {
            if (before is null || before.DisabledAt is not null) return before;
            after = (await c.QuerySingleAsync<UserRow>(new CommandDefinition(
                $"UPDATE user_account SET disabled_at = @now, security_stamp = @stamp WHERE id = @id RETURNING {UserColumns}",
                new { id = before.Id, now, stamp = NewStamp() }, tx, cancellationToken: ct))).ToDomain();
            action = "disabled";
        }
        else
        {
            // The user principal name is the user name while no other account holds it (a local user, or an Entra user whose
            // name was given to someone new); else it is made unique with the object id, which never changes.
            var taken = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM user_account WHERE user_name = @wanted AND id <> @id", new { wanted, id = before?.Id ?? 0 }, tx, cancellationToken: ct)) > 0;
            var userName = taken ? $"{wanted}~{identity.ObjectId.ToLowerInvariant()}" : wanted;
            if (before is null)
            {
                after = (await c.QuerySingleAsync<UserRow>(new CommandDefinition(
                    $"""
                    INSERT INTO user_account (user_name, display_name, role, password_hash, security_stamp, created_at, entra_tenant_id, entra_object_id)
                    VALUES (@userName, @displayName, @role, '', @stamp, @now, @tid, @oid)
                    RETURNING {UserColumns}
                    """,
                    new { userName, displayName = identity.DisplayName, role = r.Code(), stamp = NewStamp(), now, tid = identity.TenantId, oid = identity.ObjectId }, tx, cancellationToken: ct))).ToDomain();
                action = "created";
            }
            else if (before.UserName != userName || before.DisplayName != identity.DisplayName || before.Role != r)
            {
                after = (await c.QuerySingleAsync<UserRow>(new CommandDefinition(
                    $"UPDATE user_account SET user_name = @userName, display_name = @displayName, role = @role WHERE id = @id RETURNING {UserColumns}",
                    new { id = before.Id, userName, displayName = identity.DisplayName, role = r.Code() }, tx, cancellationToken: ct))).ToDomain();
                action = "updated";
            }
            else
            {
                return before;
            }
        }

        await SqlAudit.AppendAsync(c, tx, now, by, new AuditRecord(AuditEntities.User, after.Id.ToString(CultureInfo.InvariantCulture), action, AuditDiff.User(before, after)), ct);
        await tx.CommitAsync(ct);
        return after;
    }

    public async Task AddApiKeyAsync(string name, string keyHash, Role role, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var id = await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "INSERT INTO api_key (name, key_hash, role, created_at) VALUES (@name, @keyHash, @role, @at) ON CONFLICT (name) DO NOTHING RETURNING id",
            new { name, keyHash, role = role.Code(), at }, tx, cancellationToken: ct)) ?? throw new DuplicateNameException(name);
        await SqlAudit.AppendAsync(c, tx, at, auditActor.Name,
            new AuditRecord(AuditEntities.ApiKey, id.ToString(CultureInfo.InvariantCulture), "created", [new("name", null, name), new("role", null, role.Code())]), ct);
        await tx.CommitAsync(ct);
    }

    public async Task<(string Name, Role Role)?> FindApiKeyAsync(string keyHash, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(
            "SELECT name AS Name, role AS Role FROM api_key WHERE key_hash = @keyHash AND revoked_at IS NULL", new { keyHash }, cancellationToken: ct));
        return row is not null && Roles.TryParse(row.Role, out var role) ? (row.Name, role) : null;
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<KeyRow>(new CommandDefinition(
            $"SELECT id AS Id, name AS Name, role AS Role, created_at AS CreatedAt, revoked_at AS RevokedAt FROM api_key ORDER BY {db.OrderByFolded("name")}", cancellationToken: ct));
        return rows.Select(r => new ApiKeyInfo(r.Id, r.Name, Roles.TryParse(r.Role, out var role) ? role : Role.Manager, r.CreatedAt, r.RevokedAt)).ToList();
    }

    public async Task<bool> RevokeApiKeyAsync(string name, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var id = await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "UPDATE api_key SET revoked_at = @at WHERE name = @name AND revoked_at IS NULL RETURNING id", new { name, at }, tx, cancellationToken: ct));
        if (id is null) return false;
        await SqlAudit.AppendAsync(c, tx, at, auditActor.Name,
            new AuditRecord(AuditEntities.ApiKey, id.Value.ToString(CultureInfo.InvariantCulture), "revoked", [new("revoked_at", null, AuditDiff.Instant(at))]), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private async Task<UserAccount?> ChangeUserAsync(long userId, string action, string set, object values, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var before = await ReadUserAsync(c, tx, userId, ct);
        if (before is null) return null;
        var parameters = new DynamicParameters(values);
        parameters.Add("userId", userId);
        var after = (await c.QuerySingleAsync<UserRow>(new CommandDefinition(
            $"UPDATE user_account SET {set} WHERE id = @userId RETURNING {UserColumns}", parameters, tx, cancellationToken: ct))).ToDomain();
        await AuditUserAsync(c, tx, now, action, before, after, ct);
        await tx.CommitAsync(ct);
        return after;
    }

    private Task AuditUserAsync(DbConnection c, DbTransaction tx, DateTimeOffset at, string action, UserAccount? before, UserAccount after, CancellationToken ct)
    {
        var changes = AuditDiff.User(before, after);
        // A password reset or an unlock changes no listed field, but is still recorded (without the hash).
        return SqlAudit.AppendAsync(c, tx, at, auditActor.Name, new AuditRecord(AuditEntities.User, after.Id.ToString(CultureInfo.InvariantCulture), action, changes), ct);
    }

    private async Task<UserAccount?> ReadUserAsync(DbConnection c, DbTransaction? tx, long userId, CancellationToken ct) =>
        (await c.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {UserColumns} FROM user_account WHERE id = @userId{(tx is null ? "" : db.ForUpdate)}", new { userId }, tx, cancellationToken: ct)))?.ToDomain();

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private sealed class KeyRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? RevokedAt { get; init; }
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
        public DateTimeOffset? DisabledAt { get; init; }
        public string SecurityStamp { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public string? EntraTenantId { get; init; }
        public string? EntraObjectId { get; init; }

        public UserAccount ToDomain() => new()
        {
            Id = Id, UserName = UserName, DisplayName = DisplayName, Role = Roles.Parse(Role), PasswordHash = PasswordHash,
            FailedSignIns = FailedSignIns, LockedUntil = LockedUntil, DisabledAt = DisabledAt, SecurityStamp = SecurityStamp, CreatedAt = CreatedAt,
            EntraTenantId = EntraTenantId, EntraObjectId = EntraObjectId,
        };
    }
}
