using System.Data;
using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Outreach.Storage.Import;
using SQLitePCL;

namespace Outreach.Storage;

/// <summary>SQLite's side of <see cref="SqlDialect"/>.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    /// <summary>SQLite handles whose connection settings are in place (a function registration is not kept by the pool, settings are).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> PreparedHandles = new();
    private static readonly object PreparedMark = new();

    public override StorageEngine Engine => StorageEngine.Sqlite;

    public override string MigrationsFolder => "sqlite";

    internal override DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);

    internal override async Task PrepareOpenedAsync(DbConnection connection, CancellationToken ct)
    {
        var sqlite = (SqliteConnection)connection;
        // WAL lets the board read while a job writes; busy_timeout waits for the single writer instead of failing. These
        // settings stay with the native handle, which the pool hands out again: set once per handle, not on every open
        // (four statements on each of the outbox's several opens per mail were most of SQLite's dispatch cost).
        if (sqlite.Handle is { } handle && !PreparedHandles.TryGetValue(handle, out _))
        {
            using var pragma = sqlite.CreateCommand();
            // secure_delete: a deleted or overwritten value is zeroed in its page, not left readable in the file (erasure).
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;";
            await pragma.ExecuteNonQueryAsync(ct);
            PreparedHandles.AddOrUpdate(handle, PreparedMark);
        }

        // PostgreSQL gets the same function from migration 0003; see Database.Fold.
        sqlite.CreateFunction<string?, string?>("fold", Database.Fold, isDeterministic: true);
        // The search columns' triggers and backfill (migration 0029) call this; PostgreSQL has its own search_fold.
        sqlite.CreateFunction<string?, string?>("search_fold", Database.SearchFold, isDeterministic: true);
    }

    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public override Task<DbTransaction> BeginReadSnapshotAsync(DbConnection connection, CancellationToken ct) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    public override Task WithoutJitAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) => Task.CompletedTask;

    // A JSON array read by json_each: one parameter (5,000 separate parameters were measured to cost more than the inserts).
    public override string InList(string column, string parameter) => $"{column} IN (SELECT value FROM json_each({parameter}))";

    public override object List<T>(IEnumerable<T> values) => System.Text.Json.JsonSerializer.Serialize(values.ToArray());

    public override string ForUpdate => "";

    public override string ForUpdateSkipLocked => "";

    public override string OrderByFolded(string column) => $"fold({column}), {column}";

    public override string StringAgg(string expression, string separatorLiteral) => $"group_concat({expression}, {separatorLiteral})";

    public override string IndexHint(string index) => $" INDEXED BY {index}";

    public override Task LockForTransactionAsync(DbConnection connection, DbTransaction tx, long lockId, CancellationToken ct) => Task.CompletedTask;

    public override Task LockSessionAsync(DbConnection connection, long lockId, CancellationToken ct) => Task.CompletedTask;

    public override Task UnlockSessionAsync(DbConnection connection, long lockId, CancellationToken ct) => Task.CompletedTask;

    public override Task LockRowsAsync(DbConnection connection, DbTransaction tx, string selectForUpdate, object? parameters, CancellationToken ct) => Task.CompletedTask;

    public override DbType InstantType => DbType.String;

    public override object Instant(DateTimeOffset value) => DapperTypeHandlers.FormatInstant(value);

    public override DbType DateType => DbType.String;

    public override object DateValue(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public override Task ReadInt64RowsAsync(DbConnection connection, DbTransaction tx, string sql, DynamicParameters parameters, int columns,
        Int64RowHandler onRow, CancellationToken ct)
    {
        // Runs in the open transaction of this connection: SQLite has one per connection.
        var lite = (SqliteConnection)connection;
        var row = new long[columns];
        using var statement = Prepare(lite, sql, parameters);
        int rc;
        while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < row.Length; i++) row[i] = raw.sqlite3_column_int64(statement, i);
            onRow(row);
        }

        if (rc != raw.SQLITE_DONE) throw new SqliteException(raw.sqlite3_errmsg(lite.Handle).utf8_to_string(), rc);
        return Task.CompletedTask;
    }

    /// <summary>A statement with the named parameters it uses bound: integers, and text (an <see cref="InList"/> list is its JSON text).</summary>
    private static sqlite3_stmt Prepare(SqliteConnection c, string sql, DynamicParameters parameters)
    {
        var rc = raw.sqlite3_prepare_v2(c.Handle, sql, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement.Dispose();
            throw new SqliteException(raw.sqlite3_errmsg(c.Handle).utf8_to_string(), rc);
        }

        foreach (var name in parameters.ParameterNames)
        {
            var index = raw.sqlite3_bind_parameter_index(statement, "@" + name);
            if (index == 0) continue;
            rc = parameters.Get<object>(name) switch
            {
                long number => raw.sqlite3_bind_int64(statement, index, number),
                string text => raw.sqlite3_bind_text(statement, index, text),
                var other => throw new InvalidOperationException($"Parameter {name} of type {other?.GetType().Name} is not bound here."),
            };
            if (rc != raw.SQLITE_OK) throw new SqliteException(raw.sqlite3_errmsg(c.Handle).utf8_to_string(), rc);
        }

        return statement;
    }

    // Through SQLite's own calls: Microsoft.Data.Sqlite looks every parameter up by name and binds it again on each run, and
    // builds a reader per run; for the Dataverse sync's 300,000 rows of 8-12 values that was measured at most of its per-row cost.
    public override Task<RowStatement> PrepareRowStatementAsync(DbConnection connection, DbTransaction tx, string sql,
        IReadOnlyList<(string Name, DbType Type)> parameters, CancellationToken ct)
    {
        // Runs in the open transaction of this connection: SQLite has one per connection.
        var lite = (SqliteConnection)connection;
        var rc = raw.sqlite3_prepare_v2(lite.Handle, sql, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement.Dispose();
            throw new SqliteException(raw.sqlite3_errmsg(lite.Handle).utf8_to_string(), rc);
        }

        var indexes = new int[parameters.Count];
        for (var i = 0; i < indexes.Length; i++)
        {
            indexes[i] = raw.sqlite3_bind_parameter_index(statement, "@" + parameters[i].Name.TrimStart('@'));
            if (indexes[i] == 0)
            {
                statement.Dispose();
                throw new ArgumentException($"The statement has no parameter @{parameters[i].Name.TrimStart('@')}.", nameof(parameters));
            }
        }

        return Task.FromResult<RowStatement>(new RawRowStatement(lite, statement, indexes));
    }

    private sealed class RawRowStatement(SqliteConnection connection, sqlite3_stmt statement, int[] indexes) : RowStatement
    {
        public override void Bind(int index, object? value)
        {
            var at = indexes[index];
            var rc = value switch
            {
                null or DBNull => raw.sqlite3_bind_null(statement, at),
                // As UTF-16 from the string itself: SQLite converts (and copies) it, no UTF-8 array per value.
                string text => raw.sqlite3_bind_text16(statement, at, text),
                long number => raw.sqlite3_bind_int64(statement, at, number),
                int number => raw.sqlite3_bind_int64(statement, at, number),
                bool flag => raw.sqlite3_bind_int64(statement, at, flag ? 1 : 0),
                double number => raw.sqlite3_bind_double(statement, at, number),
                var other => throw new ArgumentException($"A {other.GetType().Name} is not bound here; pass the engine's form.", nameof(value)),
            };
            if (rc != raw.SQLITE_OK) throw Error(rc);
        }

        public override ValueTask<int> ExecuteAsync(CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            var rc = raw.sqlite3_step(statement);
            // Reset keeps the bound values; the error (a constraint, say) is the step's.
            raw.sqlite3_reset(statement);
            if (rc != raw.SQLITE_DONE) throw Error(rc);
            return ValueTask.FromResult(raw.sqlite3_changes(connection.Handle));
        }

        private SqliteException Error(int rc) =>
            new(raw.sqlite3_errmsg(connection.Handle).utf8_to_string(), rc, raw.sqlite3_extended_errcode(connection.Handle));

        public override ValueTask DisposeAsync()
        {
            statement.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    internal override IImportWriter ImportWriter { get; } = new SqliteImportWriter();

    /// <summary>
    /// The write-ahead log still holds the pages as they were before the erasure: copy the zeroed pages into the database file
    /// and empty the log (TRUNCATE), so the erased values are in neither file.
    /// </summary>
    internal override async Task ClearErasureTracesAsync(DbConnection connection, CancellationToken ct)
    {
        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await checkpoint.ExecuteNonQueryAsync(ct);
    }
}
