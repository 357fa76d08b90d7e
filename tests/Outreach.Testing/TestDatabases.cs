using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Storage;

namespace Outreach.Testing;

/// <summary>Fresh, migrated databases of either engine for one test.</summary>
public static class TestDatabases
{
    public static string NewSqliteConnectionString()
    {
        var folder = Path.Combine(Path.GetTempPath(), "outreach-tests");
        Directory.CreateDirectory(folder);
        return $"Data Source={Path.Combine(folder, $"{Guid.NewGuid():N}.db")};Foreign Keys=True;Default Timeout=30;Pooling=False";
    }

    public static Database Empty(StorageEngine engine, string? postgresOptions = null) => engine == StorageEngine.Sqlite
        ? new Database(StorageEngine.Sqlite, NewSqliteConnectionString())
        : new Database(StorageEngine.Postgres, PostgresCluster.Instance.CreateDatabase(options: postgresOptions));

    /// <param name="engine">The engine.</param>
    /// <param name="clock">The migration's clock; the system clock when null.</param>
    /// <param name="postgresOptions">Extra CREATE DATABASE options on PostgreSQL (e.g. <see cref="PostgresCluster.UnicodeLocale"/>).</param>
    public static async Task<Database> MigratedAsync(StorageEngine engine, TimeProvider? clock = null, string? postgresOptions = null)
    {
        var db = Empty(engine, postgresOptions);
        await new Migrator(db, clock ?? TimeProvider.System, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        return db;
    }
}
