namespace Outreach.Core.Common;

/// <summary>
/// One transaction across several stores, for the rules that span tables (an erasure, a stage move, an event change): every
/// store call made inside <see cref="RunAsync{T}"/> joins it, so the change and all its consequences commit together or not at
/// all. The SQL adapter opens one connection with a write transaction (BEGIN IMMEDIATE on SQLite, so the unit holds the single
/// writer from its start; on PostgreSQL each store's row locks are held until the unit commits) and makes it ambient for the
/// flow of the work; the stores keep their signatures and join it instead of opening their own. A unit run
/// inside another joins the outer one. The work must not start background work that outlives it.
/// </summary>
public interface IUnitOfWork
{
    /// <summary>Runs <paramref name="work"/> in one transaction: committed when it returns, rolled back when it throws.</summary>
    Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct);
}

public static class UnitOfWorkExtensions
{
    public static Task RunAsync(this IUnitOfWork unit, Func<CancellationToken, Task> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(work);
        return unit.RunAsync(async token =>
        {
            await work(token).ConfigureAwait(false);
            return true;
        }, ct);
    }
}
