using Dapper;
using Microsoft.Extensions.Logging;

namespace Outreach.Storage;

/// <summary>
/// Applies the numbered SQL scripts embedded for the engine (migrations/&lt;engine&gt;/NNNN_name.sql) that the
/// schema_version table does not list yet, each in its own transaction. Safe to run from several nodes at once.
/// </summary>
public sealed class Migrator(Database database, TimeProvider clock, ILogger<Migrator> logger, IEnumerable<SchemaAddition>? additions = null)
{
    public sealed record Script(int Version, string Name, string Sql);

    public static IReadOnlyList<Script> Scripts(StorageEngine engine)
    {
        var prefix = $"migrations/{SqlDialect.For(engine).MigrationsFolder}/";
        var assembly = typeof(Migrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.Replace('\\', '/').StartsWith(prefix, StringComparison.Ordinal))
            .Select(n =>
            {
                var file = Path.GetFileNameWithoutExtension(n.Replace('\\', '/')[prefix.Length..]);
                var version = int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return new Script(version, file, reader.ReadToEnd());
            })
            .OrderBy(s => s.Version)
            .ToList();
    }

    /// <summary>Returns the versions it applied (empty when the schema was current).</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var applied = new List<int>();
        // Serialise concurrent starts of several nodes.
        await database.Dialect.LockSessionAsync(connection, LockIds.Migrations, ct);

        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)",
                cancellationToken: ct));
            foreach (var script in Scripts(database.Engine))
            {
                await using var tx = await Database.BeginWriteAsync(connection, ct);
                var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT COUNT(*) FROM schema_version WHERE version = @Version", new { script.Version }, tx, cancellationToken: ct));
                if (exists > 0)
                {
                    await tx.RollbackAsync(ct);
                    continue;
                }

                await connection.ExecuteAsync(new CommandDefinition(script.Sql, transaction: tx, cancellationToken: ct));
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (@Version, @Name, @At)",
                    new { script.Version, script.Name, At = DapperTypeHandlers.FormatInstant(clock.GetUtcNow()) }, tx, cancellationToken: ct));
                await tx.CommitAsync(ct);
                applied.Add(script.Version);
                logger.LogInformation("Applied migration {Version} {Name} on {Engine}", script.Version, script.Name, database.Engine);
            }

            // A library's own tables (Hangfire's), after ours and under the same lock, so two nodes starting at once never race.
            foreach (var addition in additions ?? [])
            {
                if (addition.Engine != database.Engine) continue;
                await addition.InstallAsync(connection, ct);
                logger.LogInformation("Schema {Name} in place on {Engine}", addition.Name, database.Engine);
            }
        }
        finally
        {
            await database.Dialect.UnlockSessionAsync(connection, LockIds.Migrations, ct);
        }

        return applied;
    }
}

/// <summary>Tables a library keeps in the application database (Hangfire's on PostgreSQL), installed by `migrate` with ours.</summary>
public sealed record SchemaAddition(string Name, StorageEngine Engine, Func<System.Data.Common.DbConnection, CancellationToken, Task> InstallAsync);
