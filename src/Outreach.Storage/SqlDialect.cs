using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Outreach.Storage.Import;

namespace Outreach.Storage;

/// <summary>
/// Everything that differs between SQLite and PostgreSQL, one named member per difference: the only place that branches
/// on the engine (<see cref="SqliteDialect"/>, <see cref="PostgresDialect"/>). Stores write one SQL text and ask the
/// dialect for the parts that differ. Reached as <see cref="Database.Dialect"/>, or <see cref="Of(DbConnection)"/> in
/// helpers that only have the connection.
/// </summary>
public abstract class SqlDialect
{
    public static SqlDialect Sqlite { get; } = new SqliteDialect();
    public static SqlDialect Postgres { get; } = new PostgresDialect();

    public static SqlDialect For(StorageEngine engine) => engine == StorageEngine.Sqlite ? Sqlite : Postgres;

    public static SqlDialect Of(DbConnection connection) => connection is SqliteConnection ? Sqlite : Postgres;

    internal static SqlDialect Of(IDbDataParameter parameter) => parameter is SqliteParameter ? Sqlite : Postgres;

    public abstract StorageEngine Engine { get; }

    /// <summary>The folder under Migrations whose scripts this engine runs.</summary>
    public abstract string MigrationsFolder { get; }

    internal abstract DbConnection CreateConnection(string connectionString);

    /// <summary>Per-connection settings after opening (SQLite's pragmas and the <c>fold</c> function).</summary>
    internal abstract Task PrepareOpenedAsync(DbConnection connection, CancellationToken ct);

    /// <summary>A write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE), so read-then-write cannot deadlock.</summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct);

    /// <summary>A read-only snapshot for several queries that must agree (a deferred transaction on SQLite: no write lock).</summary>
    public abstract Task<DbTransaction> BeginReadSnapshotAsync(DbConnection connection, CancellationToken ct);

    /// <summary>
    /// Turns PostgreSQL's JIT off for the transaction: large CASE-heavy aggregates were measured to spend over a second compiling
    /// for a scan of tens of milliseconds. Nothing on SQLite.
    /// </summary>
    public abstract Task WithoutJitAsync(DbConnection connection, DbTransaction tx, CancellationToken ct);

    /// <summary>
    /// "<paramref name="column"/> is one of <paramref name="parameter"/>", for a parameter whose value is <see cref="List{T}"/>:
    /// one parameter whatever the number of values (no parameter limit, no chunks), integers or text.
    /// </summary>
    public abstract string InList(string column, string parameter);

    /// <summary>The value to bind to an <see cref="InList"/> parameter.</summary>
    public abstract object List<T>(IEnumerable<T> values);

    /// <summary>Appended to a SELECT inside a write transaction: PostgreSQL locks the row; SQLite already holds the write lock (BEGIN IMMEDIATE).</summary>
    public abstract string ForUpdate { get; }

    /// <summary>
    /// Appended to a SELECT that claims rows: PostgreSQL locks them and skips rows another claimer holds; SQLite has one
    /// writer (BEGIN IMMEDIATE), so nothing.
    /// </summary>
    public abstract string ForUpdateSkipLocked { get; }

    /// <summary>ORDER BY terms for a text column: folded first, then by code point, identical on both engines whatever the locale.</summary>
    public abstract string OrderByFolded(string column);

    /// <summary>Joins the non-null values of <paramref name="expression"/> in a group with <paramref name="separatorLiteral"/> (a SQL string literal).</summary>
    public abstract string StringAgg(string expression, string separatorLiteral);

    /// <summary>Tells SQLite's planner which index to use (after the table alias); PostgreSQL's planner is left alone.</summary>
    public abstract string IndexHint(string index);

    /// <summary>An advisory lock held until the transaction ends (PostgreSQL); SQLite's BEGIN IMMEDIATE already serialises writers.</summary>
    public abstract Task LockForTransactionAsync(DbConnection connection, DbTransaction tx, long lockId, CancellationToken ct);

    /// <summary>An advisory lock held by the session until <see cref="UnlockSessionAsync"/> (PostgreSQL; nothing on SQLite).</summary>
    public abstract Task LockSessionAsync(DbConnection connection, long lockId, CancellationToken ct);

    public abstract Task UnlockSessionAsync(DbConnection connection, long lockId, CancellationToken ct);

    /// <summary>
    /// Runs <paramref name="selectForUpdate"/> (a SELECT … FOR UPDATE) on PostgreSQL, so other writers of those rows queue
    /// behind this transaction; on SQLite the transaction already holds the only write lock, so it is not run.
    /// </summary>
    public abstract Task LockRowsAsync(DbConnection connection, DbTransaction tx, string selectForUpdate, object? parameters, CancellationToken ct);

    /// <summary>How an instant is bound: fixed-width UTC text on SQLite (it has no date types), timestamptz on PostgreSQL.</summary>
    public abstract DbType InstantType { get; }

    public abstract object Instant(DateTimeOffset value);

    /// <summary>How a date is bound: yyyy-MM-dd text on SQLite, date on PostgreSQL.</summary>
    public abstract DbType DateType { get; }

    public abstract object DateValue(DateOnly value);

    /// <summary>
    /// Reads a large result of integer columns row by row (the one buffer is reused: copy what you keep). SQLite reads it with
    /// its own calls, which were measured at half the time per column of the ADO.NET reader; PostgreSQL with the reader.
    /// <paramref name="parameters"/> are integers, text and <see cref="List{T}"/> values (for <see cref="InList"/>), bound as
    /// such on both engines: no value is written into the SQL text.
    /// </summary>
    public abstract Task ReadInt64RowsAsync(DbConnection connection, DbTransaction tx, string sql, DynamicParameters parameters, int columns,
        Int64RowHandler onRow, CancellationToken ct);

    /// <summary>
    /// One statement prepared once in <paramref name="tx"/> and run once per row with that row's values, bound by position
    /// (<see cref="RowStatement.Bind"/>, values in the engine's form: instants through <see cref="Instant"/>).
    /// </summary>
    public abstract Task<RowStatement> PrepareRowStatementAsync(DbConnection connection, DbTransaction tx, string sql,
        IReadOnlyList<(string Name, DbType Type)> parameters, CancellationToken ct);

    /// <summary>How an import plan is written in bulk (prepared INSERTs on SQLite, binary COPY on PostgreSQL).</summary>
    internal abstract IImportWriter ImportWriter { get; }

    /// <summary>After an erasure: make the files hold no copy of the erased values (see <see cref="Core.Prospects.IErasureTraces"/>).</summary>
    internal virtual Task ClearErasureTracesAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>A statement of <see cref="SqlDialect.PrepareRowStatementAsync"/>: set its values, run it, again for the next row.</summary>
public abstract class RowStatement : IAsyncDisposable
{
    /// <summary>The value of the <paramref name="index"/>th parameter (as listed when prepared) for the next run; it stays until set again.</summary>
    public abstract void Bind(int index, object? value);

    /// <summary>Runs the statement with the values set; returns the rows it wrote.</summary>
    public abstract ValueTask<int> ExecuteAsync(CancellationToken ct);

    public abstract ValueTask DisposeAsync();
}

/// <summary>Receives one row of <see cref="SqlDialect.ReadInt64RowsAsync"/>.</summary>
public delegate void Int64RowHandler(ReadOnlySpan<long> row);
