using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outreach.Core.Jobs;
using Quartz;

namespace Outreach.Jobs.Scheduling;

/// <summary>
/// Identifies this node (shown on the jobs page, used to clean up runs a crash left behind). It must be the same
/// across restarts of the node, so it is the configured Jobs:NodeName or the machine name, never a process id.
/// </summary>
public sealed record NodeIdentity(string Name)
{
    public static NodeIdentity From(JobsOptions options) =>
        new(string.IsNullOrWhiteSpace(options.NodeName) ? Environment.MachineName : options.NodeName.Trim());
}

/// <summary>
/// The only Quartz-aware piece: when a trigger fires, it resolves the plain job class in its own scope,
/// records the run with its progress and outcome in the job_run table, and logs one line.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class QuartzJobRunner(IServiceScopeFactory scopes, IJobRunLog runs, TimeProvider clock, NodeIdentity node, ILogger<QuartzJobRunner> logger) : IJob
{
    public const string JobTypeKey = "jobType";
    public const string RunByHandKey = "runByHand";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var name = context.JobDetail.Key.Name;
        var definition = JobCatalog.Find(name) ?? throw new JobExecutionException($"Unknown job '{name}'.");
        var byHand = context.MergedJobDataMap.TryGetValue(RunByHandKey, out var flag) && string.Equals(flag?.ToString(), "true", StringComparison.OrdinalIgnoreCase);
        var runId = await runs.StartAsync(name, clock.GetUtcNow(), node.Name, cancellationToken);
        var started = clock.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            // What the job changes is audited as done by the job.
            using var actor = Core.Audit.AmbientActor.Use($"job:{name}");
            var job = (IOutreachJob)scope.ServiceProvider.GetRequiredService(definition.JobType);
            var result = await job.RunAsync(new JobContext(byHand, new RunProgress(runs, runId, clock)), cancellationToken);
            await runs.FinishAsync(runId, result.Outcome, result.Summary, clock.GetUtcNow(), CancellationToken.None);
            LogFinished(logger, name, result.Outcome, result.Summary, clock.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The run is recorded as failed with the reason; the next trigger tries again.
            await runs.FinishAsync(runId, JobOutcome.Failed, $"{ex.GetType().Name}: {ex.Message}", clock.GetUtcNow(), CancellationToken.None);
            LogFailed(logger, ex, name);
            throw new JobExecutionException(ex);
        }
        catch (OperationCanceledException)
        {
            await runs.FinishAsync(runId, JobOutcome.Failed, "Cancelled: the node shut down during the run.", clock.GetUtcNow(), CancellationToken.None);
            throw;
        }
    }

    /// <summary>Writes progress at most twice a second, and always the last report.</summary>
    private sealed class RunProgress(IJobRunLog runs, long runId, TimeProvider clock) : IJobProgress
    {
        private long lastWrite;

        public async Task ReportAsync(long done, long? total, CancellationToken ct)
        {
            var now = clock.GetTimestamp();
            if (done != total && lastWrite != 0 && clock.GetElapsedTime(lastWrite, now) < TimeSpan.FromMilliseconds(500)) return;
            lastWrite = now;
            await runs.ProgressAsync(runId, done, total, ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job} finished {Outcome}: {Summary} ({ElapsedMs:F0} ms)")]
    private static partial void LogFinished(ILogger logger, string job, JobOutcome outcome, string summary, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {Job} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string job);
}
