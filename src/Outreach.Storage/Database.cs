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
            if (builder.DataSource is { Length: > 0 } source && source != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
                CreateOwnerOnly(Path.GetFullPath(source));
        }
    }

    /// <summary>
    /// The data folder and the database file, made readable by this account only (0700 and 0600 on Unix): they hold personal
    /// data. SQLite gives its -wal and -shm files the database file's mode. Existing ones are left as the operator set them.
    /// </summary>
    private static void CreateOwnerOnly(string file)
    {
        var folder = Path.GetDirectoryName(file);
        if (OperatingSystem.IsWindows())
        {
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            return;
        }

        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(file)) return;
        try
        {
            // An empty file is an empty database to SQLite, which then keeps this mode.
            using var created = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(file))
        {
            // Another node or process created it meanwhile.
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
        // Inside a unit of work every store call must join its transaction (ConnectAsync, BeginWorkAsync): a second connection
        // would not see the unit's writes, and on SQLite it would wait for the unit's own write lock until the busy timeout.
        if (Joinable is not null)
            throw new InvalidOperationException("A store opened its own connection inside a unit of work; it must use Database.ConnectAsync or BeginWorkAsync.");
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

    /// <summary>The running unit of work's connection and transaction, per async flow (see <see cref="SqlUnitOfWork"/>).</summary>
    private static readonly AsyncLocal<Ambient?> Current = new();

    private sealed record Ambient(string ConnectionString, DbConnection Connection, DbTransaction Transaction);

    /// <summary>The unit of work running in this flow on this database, if any (another database's is not joined).</summary>
    private Ambient? Joinable => Current.Value is { } a && string.Equals(a.ConnectionString, ConnectionString, StringComparison.Ordinal) ? a : null;

    /// <summary>
    /// A connection with a write transaction (<see cref="BeginWriteAsync"/>) for one store change: the running unit of work's,
    /// which the store joins (its commit and dispose then do nothing; the unit commits once at the end), else a new one.
    /// </summary>
    public async Task<DbWork> BeginWorkAsync(CancellationToken ct)
    {
        if (Joinable is { } ambient) return new DbWork(ambient.Connection, ambient.Transaction, owned: false);
        var connection = await OpenAsync(ct);
        try
        {
            return new DbWork(connection, await BeginWriteAsync(connection, ct), owned: true);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection to read with: the running unit of work's (so its own writes are seen), else a new one without a transaction.</summary>
    public async Task<DbWork> ConnectAsync(CancellationToken ct) =>
        Joinable is { } ambient ? new DbWork(ambient.Connection, ambient.Transaction, owned: false) : new DbWork(await OpenAsync(ct), null, owned: true);

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction that every store call inside joins; commits when it returns,
    /// rolls back when it throws. A unit started inside another joins the outer one.
    /// </summary>
    internal async Task<T> RunInTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        if (Joinable is not null) return await work(ct);
        await using var connection = await OpenAsync(ct);
        await using var transaction = await BeginWriteAsync(connection, ct);
        // Set inside this async method, so the caller's flow never sees it; only what work awaits does.
        Current.Value = new Ambient(ConnectionString, connection, transaction);
        try
        {
            var result = await work(ct);
            await transaction.CommitAsync(ct);
            return result;
        }
        finally
        {
            Current.Value = null;
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

    /// <summary>Latin letters with accents, after <see cref="Fold"/>, and the letters <see cref="SearchFold"/> puts in their place.</summary>
    internal const string AccentedLetters = "àáâãäåāăąçćčďđèéêëēėęěìíîïīįıłñńňòóôõöøōőŕřśšşťţùúûüūůűųýÿźżžğ";
    internal const string PlainLetters = "aaaaaaaaacccddeeeeeeeeiiiiiiilnnnoooooooorrsssttuuuuuuuuyyzzzg";

    /// <summary>
    /// The folding behind free-text search: <see cref="Fold"/> with the accents taken off ("Zoë" finds "Zoe" and back),
    /// letter for letter. Stored in organisation.search_text and contact.search_text (migration 0029: SQLite calls this
    /// method as <c>search_fold</c>, PostgreSQL has <c>search_fold(text)</c> with the same two strings), and applied to
    /// what is searched for.
    /// </summary>
    public static string? SearchFold(string? text)
    {
        var folded = Fold(text);
        if (folded is null) return null;
        return string.Create(folded.Length, folded, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var at = source[i] < 128 ? -1 : AccentedLetters.IndexOf(source[i], StringComparison.Ordinal);
                span[i] = at < 0 ? source[i] : PlainLetters[at];
            }
        });
    }

    /// <summary>"Contains" on a stored search column (already folded) for a parameter folded with <see cref="SearchFold"/> and escaped.</summary>
    public static string SearchContains(string column, string parameter) => $"{column} LIKE {parameter} ESCAPE '\\'";

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

/// <summary>
/// A store's connection and (for a change) write transaction: its own, or the running unit of work's, which it joins without
/// committing or closing it.
/// </summary>
public sealed class DbWork : IAsyncDisposable
{
    private readonly bool owned;

    internal DbWork(DbConnection connection, DbTransaction? transaction, bool owned)
    {
        Connection = connection;
        Transaction = transaction;
        this.owned = owned;
    }

    public DbConnection Connection { get; }

    /// <summary>Null for a read on a connection of its own.</summary>
    public DbTransaction? Transaction { get; }

    /// <summary>Commits the store's own transaction; a joined unit of work commits at its end instead.</summary>
    public Task CommitAsync(CancellationToken ct) => owned && Transaction is not null ? Transaction.CommitAsync(ct) : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (!owned) return;
        if (Transaction is not null) await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
