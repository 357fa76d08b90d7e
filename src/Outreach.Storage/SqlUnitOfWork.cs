using Outreach.Core.Common;

namespace Outreach.Storage;

/// <summary>The unit of work on SQLite or PostgreSQL: one connection and write transaction, joined by every store inside (see <see cref="IUnitOfWork"/>).</summary>
public sealed class SqlUnitOfWork(Database db) : IUnitOfWork
{
    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(work);
        return db.RunInTransactionAsync(work, ct);
    }
}
