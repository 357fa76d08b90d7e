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
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";
            await pragma.ExecuteNonQueryAsync(ct);
            PreparedHandles.AddOrUpdate(handle, PreparedMark);
        }

        // PostgreSQL gets the same function from migration 0003; see Database.Fold.
        sqlite.CreateFunction<string?, string?>("fold", Database.Fold, isDeterministic: true);
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

    /// <summary>A statement with the named parameters it uses bound (integers and text).</summary>
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

    internal override IImportWriter ImportWriter { get; } = new SqliteImportWriter();
}
