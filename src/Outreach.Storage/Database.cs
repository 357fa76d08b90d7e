using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

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
        Dialect = SqlDialect.For(engine);
        ConnectionString = connectionString;
        if (engine == StorageEngine.Sqlite)
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        }
    }

    public StorageEngine Engine { get; }

    /// <summary>What differs between the engines: the one place that branches on <see cref="Engine"/>.</summary>
    public SqlDialect Dialect { get; }

    public string ConnectionString { get; }
    /// <summary>For tests' engine-specific set-up; stores ask <see cref="Dialect"/> (a test keeps this out of the Sql*.cs files).</summary>
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
        var connection = Dialect.CreateConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await Dialect.PrepareOpenedAsync(connection, ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE), so read-then-write cannot deadlock.</summary>
    public static Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct) =>
        SqlDialect.Of(connection).BeginWriteAsync(connection, ct);

    /// <summary>
    /// The text folding behind case-insensitive search and ordering, the same on both engines and whatever the
    /// PostgreSQL database locale: Unicode lower case (simple mapping), with final sigma read as sigma and
    /// dotted capital I as i. Accents are kept ("Zoë" does not match "Zoe"). SQLite calls this method as the SQL
    /// function <c>fold</c>; PostgreSQL has the same rule as <c>fold(text)</c> in migrations/postgres/0003
    /// (ICU root-locale lower case, which alone maps these two letters differently).
    /// </summary>
    public static string? Fold(string? text) =>
        text?.Replace('\u0130', 'i').ToLowerInvariant().Replace('\u03C2', '\u03C3');

    /// <summary>Case-insensitive "contains" for a parameter already escaped with <see cref="EscapeLike"/>.</summary>
    public static string ContainsIgnoreCase(string column, string parameter) =>
        $"fold({column}) LIKE '%' || fold({parameter}) || '%' ESCAPE '\\'";

    /// <summary>ORDER BY terms for a text column: folded first, then by code point, identical on both engines.</summary>
    public string OrderByFolded(string column) => Dialect.OrderByFolded(column);

    /// <summary>Appended to a SELECT inside a write transaction: PostgreSQL locks the row; SQLite already holds the write lock (BEGIN IMMEDIATE).</summary>
    public string ForUpdate => Dialect.ForUpdate;

    public static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
