using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Outreach.Storage;

/// <summary>Opens connections to the configured engine; the one place that knows which engine is in use.</summary>
public sealed class Database
{
    static Database() => DapperTypeHandlers.Register();

    public Database(IOptions<StorageOptions> options)
        : this(options.Value.Engine, ResolveConnectionString(options.Value)) { }

    public Database(StorageEngine engine, string connectionString)
    {
        Engine = engine;
        ConnectionString = connectionString;
        if (engine == StorageEngine.Sqlite)
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        }
    }

    public StorageEngine Engine { get; }
    public string ConnectionString { get; }
    public bool IsSqlite => Engine == StorageEngine.Sqlite;

    public static string ResolveConnectionString(StorageOptions options)
    {
        if (options.Engine == StorageEngine.Postgres)
        {
            return string.IsNullOrWhiteSpace(options.ConnectionString)
                ? throw new InvalidOperationException("Storage:ConnectionString is required when Storage:Engine is postgres.")
                : options.ConnectionString;
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString)) return options.ConnectionString;
        return new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(Path.GetFullPath(options.DataFolder), "outreach.db"),
            ForeignKeys = true,
            DefaultTimeout = 30,
            Pooling = true,
        }.ToString();
    }

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        DbConnection connection = Engine == StorageEngine.Sqlite
            ? new SqliteConnection(ConnectionString)
            : new NpgsqlConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            if (connection is SqliteConnection sqlite)
            {
                // WAL lets the board read while a job writes; busy_timeout waits for the single writer instead of failing.
                using var pragma = sqlite.CreateCommand();
                pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";
                await pragma.ExecuteNonQueryAsync(ct);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE), so read-then-write cannot deadlock.</summary>
    public static async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct)
    {
        if (connection is SqliteConnection sqlite)
        {
            return sqlite.BeginTransaction(deferred: false);
        }

        return await connection.BeginTransactionAsync(ct);
    }

    /// <summary>Case-insensitive "contains" in the engine's SQL.</summary>
    public string ContainsIgnoreCase(string column, string parameter) =>
        IsSqlite ? $"{column} LIKE '%' || {parameter} || '%' ESCAPE '\\'" : $"{column} ILIKE '%' || {parameter} || '%' ESCAPE '\\'";

    public static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
