namespace Outreach.Core.Jobs;

public enum JobOutcome
{
    Running,
    Succeeded,
    Failed,
    Skipped,
    /// <summary>The run did its work, but some items failed (say, write-backs Dynamics refused): not a plain success.</summary>
    PartlyFailed,
}

/// <summary>The stored codes of <see cref="JobOutcome"/> (job_run.outcome: the member names, as first written).</summary>
public static class JobOutcomes
{
    public static readonly Common.CodeTable<JobOutcome> Table = new(new Dictionary<JobOutcome, string>
    {
        [JobOutcome.Running] = "Running",
        [JobOutcome.Succeeded] = "Succeeded",
        [JobOutcome.Failed] = "Failed",
        [JobOutcome.Skipped] = "Skipped",
        [JobOutcome.PartlyFailed] = "PartlyFailed",
    });

    public static string Code(this JobOutcome outcome) => Table.Code(outcome);

    public static JobOutcome Parse(string code) => Table.Parse(code);
}

/// <summary>One run of a background job, as the jobs page shows it.</summary>
public sealed record JobRun
{
    public long Id { get; init; }
    public required string JobName { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public JobOutcome Outcome { get; init; }
    public string? Summary { get; init; }
    public long ProgressDone { get; init; }
    public long? ProgressTotal { get; init; }
    public string? Node { get; init; }
}

/// <summary>Persisted job runs, so status and progress are visible on every node.</summary>
public interface IJobRunLog
{
    Task<long> StartAsync(string jobName, DateTimeOffset at, string node, CancellationToken ct);
    Task ProgressAsync(long runId, long done, long? total, CancellationToken ct);
    Task FinishAsync(long runId, JobOutcome outcome, string summary, DateTimeOffset at, CancellationToken ct);
    Task<IReadOnlyList<JobRun>> LatestAsync(string jobName, int count, CancellationToken ct);
    /// <summary>
    /// Marks runs left "running" by a node that stopped (crash, restart) as failed: those of <paramref name="node"/>,
    /// or of every node when it is null (a single-node installation that is starting has nothing running).
    /// </summary>
    Task<int> AbandonRunningAsync(string? node, DateTimeOffset at, CancellationToken ct);
}
