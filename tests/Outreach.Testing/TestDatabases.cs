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

    public static Database Empty(StorageEngine engine) => engine == StorageEngine.Sqlite
        ? new Database(StorageEngine.Sqlite, NewSqliteConnectionString())
        : new Database(StorageEngine.Postgres, PostgresCluster.Instance.CreateDatabase());

    public static async Task<Database> MigratedAsync(StorageEngine engine, TimeProvider? clock = null)
    {
        var db = Empty(engine);
        await new Migrator(db, clock ?? TimeProvider.System, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        return db;
    }
}
