using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Storage;

namespace Outreach.Testing;

/// <summary>Fresh, migrated databases of either engine for one test.</summary>
/// <remarks>
/// The SQLite files this process creates are deleted (with their -wal, -shm and -journal files) once it has exited,
/// by an <see cref="ExitWatchdog"/> that is told each file's name: deleting them in a ProcessExit handler was measured
/// to be cut short, as <c>dotnet test</c> kills the host 100 ms after the run. The first use in a process also
/// sweeps files in the folder that are more than a day old (left by a host whose watchdog did not run).
/// </remarks>
public static class TestDatabases
{
    private static readonly string SqliteFolder = Path.Combine(Path.GetTempPath(), "outreach-tests");
    private static readonly string[] SqliteCompanions = ["", "-wal", "-shm", "-journal"];
    private static readonly Lazy<SqliteFiles> Created = new(() => new SqliteFiles(), LazyThreadSafetyMode.ExecutionAndPublication);

    public static string NewSqliteConnectionString()
    {
        var name = $"{Guid.NewGuid():N}.db";
        Created.Value.Add(name);
        return $"Data Source={Path.Combine(SqliteFolder, name)};Foreign Keys=True;Default Timeout=30;Pooling=False";
    }

    public static Database Empty(StorageEngine engine, string? postgresOptions = null) => engine == StorageEngine.Sqlite
        ? new Database(StorageEngine.Sqlite, NewSqliteConnectionString())
        : new Database(StorageEngine.Postgres, PostgresCluster.Instance.CreateDatabase(options: postgresOptions));

    /// <param name="engine">The engine.</param>
    /// <param name="clock">The migration's clock; a <see cref="FakeTimeProvider"/> at its default instant when null.</param>
    /// <param name="postgresOptions">Extra CREATE DATABASE options on PostgreSQL (e.g. <see cref="PostgresCluster.UnicodeLocale"/>).</param>
    public static async Task<Database> MigratedAsync(StorageEngine engine, TimeProvider? clock = null, string? postgresOptions = null)
    {
        var db = Empty(engine, postgresOptions);
        await new Migrator(db, clock ?? new FakeTimeProvider(), NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        return db;
    }

    /// <summary>The SQLite files of this process, removed after it ends.</summary>
    private sealed class SqliteFiles
    {
        private readonly List<string> names = [];
        private readonly ExitWatchdog? watchdog;

        public SqliteFiles()
        {
            Directory.CreateDirectory(SqliteFolder);
            // Real time: the files' ages on disk are real, and no store runs on this.
            SweepOldFiles(TimeProvider.System.GetUtcNow() - TimeSpan.FromDays(1));
            // $1 is the folder; stdin brings one file name a line, then ends when this process has ended.
            watchdog = ExitWatchdog.Start(
                """
                names=$(cat)
                cd "$1" || exit 0
                for n in $names; do rm -f -- "$n" "$n-wal" "$n-shm" "$n-journal"; done
                """,
                SqliteFolder);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => OnExit();
        }

        public void Add(string name)
        {
            lock (names) names.Add(name);
            watchdog?.Send(name);
        }

        private void OnExit()
        {
            SqliteConnection.ClearAllPools();
            if (watchdog is { IsHealthy: true })
            {
                watchdog.Dispose();
                return;
            }

            // No watchdog, or it stopped listening: delete in-process, as far as the time allowed goes.
            watchdog?.Dispose();
            string[] files;
            lock (names) files = [.. names];
            foreach (var name in files)
            {
                foreach (var suffix in SqliteCompanions) TryDelete(Path.Combine(SqliteFolder, name + suffix));
            }
        }
    }

    /// <summary>Deletes files left by earlier processes whose watchdog did not run; a day old is surely not in use.</summary>
    private static void SweepOldFiles(DateTimeOffset before)
    {
        foreach (var file in Directory.EnumerateFiles(SqliteFolder, "*.db*"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(file) < before.UtcDateTime) TryDelete(file);
            }
            catch (IOException)
            {
                // Deleted by another process meanwhile.
            }
        }
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
