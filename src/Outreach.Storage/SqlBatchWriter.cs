using System.Data.Common;
using Dapper;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Storage;

/// <summary>
/// Writes many records in one transaction, with the same SQL as the stores: either all of it lands or none
/// (used for the demo data, so an interrupted first start leaves an empty database, not half a data set).
/// </summary>
public sealed class SqlBatchWriter : IAsyncDisposable
{
    private readonly DbConnection connection;
    private readonly DbTransaction transaction;

    private SqlBatchWriter(DbConnection connection, DbTransaction transaction)
    {
        this.connection = connection;
        this.transaction = transaction;
    }

    public static async Task<SqlBatchWriter> BeginAsync(Database db, CancellationToken ct)
    {
        var connection = await db.OpenAsync(ct);
        try
        {
            return new SqlBatchWriter(connection, await Database.BeginWriteAsync(connection, ct));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<Covenant> AddCovenantAsync(string code, string name, DateOnly startsOn, DateOnly endsOn, CancellationToken ct)
    {
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO covenant (code, name, starts_on, ends_on) VALUES (@code, @name, @startsOn, @endsOn) RETURNING id",
            new { code, name, startsOn, endsOn }, transaction, cancellationToken: ct));
        return new Covenant(id, code, name, startsOn, endsOn);
    }

    public Task<Organisation> AddOrganisationAsync(OrganisationDraft draft, DateTimeOffset at, CancellationToken ct) =>
        SqlProspectStore.InsertOrganisationAsync(connection, transaction, draft, at, ct);

    public Task<Contact> AddContactAsync(long organisationId, ContactDraft draft, DateTimeOffset at, CancellationToken ct) =>
        SqlProspectStore.InsertContactAsync(connection, transaction, organisationId, draft, at, ct);

    public Task<PipelineEntry> AddEntryAsync(long organisationId, long covenantId, Stage stage, DateTimeOffset at, string by, string reason, CancellationToken ct) =>
        SqlPipelineStore.InsertEntryAsync(connection, transaction, organisationId, covenantId, stage, at, by, reason, ct);

    public Task<PipelineEntry> ApplyAsync(StageChange change, CancellationToken ct) =>
        SqlPipelineStore.ApplyInTransactionAsync(connection, transaction, change, ct);

    public Task SetNextActionAsync(long entryId, string action, DateOnly due, DateOnly today, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE pipeline_entry SET next_action = @action, next_action_due = @due, next_action_overdue = @overdue WHERE id = @entryId",
            new { entryId, action, due, overdue = due < today }, transaction, cancellationToken: ct));

    public Task CommitAsync(CancellationToken ct) => transaction.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
