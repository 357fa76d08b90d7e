using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Jobs;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>
/// Two nodes of one installation: two hosts on one database, each with its own stores, services, clock and node name, and
/// the scheduler off in both, so that a test starts the runs itself. <see cref="RunBothAsync{TJob}"/> runs one job on both
/// at once, as two overlapping scheduled runs would (the scheduler's own lock is not relied on).
/// </summary>
public sealed class TwoNodes : IAsyncDisposable
{
    /// <summary>How often a test runs its pair: one pair can happen to run one after the other.</summary>
    public const int Rounds = 5;

    private TwoNodes(Node a, Node b) => (A, B) = (a, b);

    public OutreachAppFactory A { get; }

    public OutreachAppFactory B { get; }

    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    /// <summary>Starts node A (which migrates the new database), then node B on the same database.</summary>
    public static TwoNodes Start(StorageEngine engine, Action<IWebHostBuilder>? configure = null)
    {
        var connectionString = engine == StorageEngine.Postgres ? PostgresCluster.Instance.CreateDatabase("overlap") : TestDatabases.NewSqliteConnectionString();
        var a = new Node(engine, connectionString, "node-a", configure);
        _ = a.Services;
        var b = new Node(engine, connectionString, "node-b", configure);
        _ = b.Services;
        return new TwoNodes(a, b);
    }

    public void SetTime(DateTimeOffset at)
    {
        A.Clock.Set(at);
        B.Clock.Set(at);
    }

    public void Advance(TimeSpan by)
    {
        A.Clock.Advance(by);
        B.Clock.Advance(by);
    }

    /// <summary>Runs <typeparamref name="TJob"/> on both nodes at once, each resolved in its own scope as the scheduler would.</summary>
    public async Task<(JobResult A, JobResult B)> RunBothAsync<TJob>(bool byHand = false) where TJob : IOutreachJob
    {
        await using var scopeA = A.Services.CreateAsyncScope();
        await using var scopeB = B.Services.CreateAsyncScope();
        var jobA = scopeA.ServiceProvider.GetRequiredService<TJob>();
        var jobB = scopeB.ServiceProvider.GetRequiredService<TJob>();
        // Task.Run: neither run's synchronous start holds the other back.
        var runA = Task.Run(() => jobA.RunAsync(new JobContext(byHand, NoProgress.Instance), CancellationToken.None));
        var runB = Task.Run(() => jobB.RunAsync(new JobContext(byHand, NoProgress.Instance), CancellationToken.None));
        await Task.WhenAll(runA, runB);
        return (await runA, await runB);
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
    }

    private sealed class Node(StorageEngine engine, string connectionString, string name, Action<IWebHostBuilder>? configure)
        : OutreachAppFactory(engine, sharedConnectionString: connectionString)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Jobs:SchedulerEnabled", "false");
            builder.UseSetting("Jobs:NodeName", name);
            configure?.Invoke(builder);
        }
    }

    private sealed class NoProgress : IJobProgress
    {
        public static readonly NoProgress Instance = new();

        public Task ReportAsync(long done, long? total, CancellationToken ct) => Task.CompletedTask;
    }
}
