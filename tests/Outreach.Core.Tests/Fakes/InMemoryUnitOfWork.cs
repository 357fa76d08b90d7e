using Outreach.Core.Common;

namespace Outreach.Core.Tests.Fakes;

/// <summary>A fake whose state a unit of work can put back: returns an action that restores what it holds now.</summary>
internal interface IInMemoryState
{
    Action Snapshot();
}

/// <summary>
/// The in-memory unit of work: runs the work and, like the SQL one, leaves nothing of it behind when it throws (each fake
/// taking part is put back to its snapshot). A unit inside another joins it.
/// </summary>
internal sealed class InMemoryUnitOfWork(params IInMemoryState[] stores) : IUnitOfWork
{
    private int depth;

    public int Runs { get; private set; }

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        if (depth > 0) return await work(ct);
        Runs++;
        var restores = stores.Select(s => s.Snapshot()).ToList();
        depth++;
        try
        {
            return await work(ct);
        }
        catch
        {
            foreach (var restore in restores) restore();
            throw;
        }
        finally
        {
            depth--;
        }
    }
}
