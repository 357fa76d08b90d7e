using Outreach.Core.Prospects;

namespace Outreach.Storage;

/// <summary>Clears what the database files keep of erased values (SQLite: a checkpoint; PostgreSQL: nothing to do here, see docs).</summary>
public sealed class SqlErasureTraces(Database db) : IErasureTraces
{
    public async Task ClearAsync(CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        // Inside a caller's unit of work (a transaction is open) the erasure is not committed yet: a checkpoint cannot run there.
        if (work.Transaction is not null) return;
        await db.Dialect.ClearErasureTracesAsync(work.Connection, ct);
    }
}
