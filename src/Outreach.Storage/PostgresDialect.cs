using System.Data;
using System.Data.Common;
using Dapper;
using Npgsql;
using Outreach.Storage.Import;

namespace Outreach.Storage;

/// <summary>PostgreSQL's side of <see cref="SqlDialect"/>.</summary>
internal sealed class PostgresDialect : SqlDialect
{
    public override StorageEngine Engine => StorageEngine.Postgres;

    public override string MigrationsFolder => "postgres";

    internal override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    internal override Task PrepareOpenedAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct) =>
        await connection.BeginTransactionAsync(ct);

    public override async Task<DbTransaction> BeginReadSnapshotAsync(DbConnection connection, CancellationToken ct) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);

    public override Task WithoutJitAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("SET LOCAL jit = off", transaction: tx, cancellationToken: ct));

    // An array parameter (bigint[] or text[]).
    public override string InList(string column, string parameter) => $"{column} = ANY({parameter})";

    public override object List<T>(IEnumerable<T> values) => values.ToArray();

    public override string ForUpdate => " FOR UPDATE";

    public override string ForUpdateSkipLocked => " FOR UPDATE SKIP LOCKED";

    // COLLATE "C": by code point after folding, whatever the database's locale (fold is migration 0003's function).
    public override string OrderByFolded(string column) => $"fold({column}) COLLATE \"C\", {column} COLLATE \"C\"";

    public override string StringAgg(string expression, string separatorLiteral) => $"string_agg({expression}, {separatorLiteral})";

    public override string IndexHint(string index) => "";

    public override Task LockForTransactionAsync(DbConnection connection, DbTransaction tx, long lockId, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@lockId)", new { lockId }, tx, cancellationToken: ct));

    public override Task LockSessionAsync(DbConnection connection, long lockId, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@lockId)", new { lockId }, cancellationToken: ct));

    public override Task UnlockSessionAsync(DbConnection connection, long lockId, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@lockId)", new { lockId }, cancellationToken: ct));

    public override Task LockRowsAsync(DbConnection connection, DbTransaction tx, string selectForUpdate, object? parameters, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(selectForUpdate, parameters, tx, cancellationToken: ct));

    public override DbType InstantType => DbType.DateTimeOffset;

    public override object Instant(DateTimeOffset value) => value.ToUniversalTime();

    public override DbType DateType => DbType.Date;

    public override object DateValue(DateOnly value) => value;

    public override async Task ReadInt64RowsAsync(DbConnection connection, DbTransaction tx, string sql, DynamicParameters parameters, int columns,
        Int64RowHandler onRow, CancellationToken ct)
    {
        var row = new long[columns];
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, parameters, tx, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            for (var i = 0; i < row.Length; i++) row[i] = reader.GetInt64(i);
            onRow(row);
        }
    }

    public override async Task<RowStatement> PrepareRowStatementAsync(DbConnection connection, DbTransaction tx, string sql,
        IReadOnlyList<(string Name, DbType Type)> parameters, CancellationToken ct)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = type;
            parameter.Value = DBNull.Value;
            command.Parameters.Add(parameter);
        }

        await command.PrepareAsync(ct);
        return new CommandRowStatement(command);
    }

    /// <summary>A prepared command (one round trip per row; the plan is the server's, made once).</summary>
    private sealed class CommandRowStatement(DbCommand command) : RowStatement
    {
        public override void Bind(int index, object? value) => command.Parameters[index].Value = value ?? DBNull.Value;

        public override async ValueTask<int> ExecuteAsync(CancellationToken ct) => await command.ExecuteNonQueryAsync(ct);

        public override ValueTask DisposeAsync() => command.DisposeAsync();
    }

    internal override IImportWriter ImportWriter { get; } = new PostgresImportWriter();
}
