using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outreach.Core.Jobs;

namespace Outreach.Jobs.Scheduling;

/// <summary>
/// The only class Hangfire invokes: for a recurring slot or a "Run now" it resolves the plain job class in its own scope,
/// records the run with its progress and outcome in the job_run table, and logs one line. Hangfire's own retries are off:
/// a failed run is recorded and the next slot tries again, and work that must not be lost is a row in an outbox, not a job.
/// Nothing here relies on Hangfire's distributed lock: two overlapping runs of a job leave the same result as one, because
/// every job claims its rows or guards its updates.
/// </summary>
public sealed partial class HangfireJobRunner(IServiceScopeFactory scopes, IJobRunLog runs, TimeProvider clock, NodeIdentity node, Core.Common.OutreachMetrics metrics, ILogger<HangfireJobRunner> logger)
{
    /// <summary>Runs the job <paramref name="key"/>; Hangfire passes its shutdown token as <paramref name="cancellationToken"/>.</summary>
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("{0}")]
    public async Task RunAsync(string key, bool byHand, CancellationToken cancellationToken)
    {
        var definition = JobCatalog.Find(key) ?? throw new InvalidOperationException($"Unknown job '{key}'.");
        var runId = await runs.StartAsync(key, clock.GetUtcNow(), node.Name, cancellationToken);
        var started = clock.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            // What the job changes is audited as done by the job.
            using var actor = Core.Audit.AmbientActor.Use($"job:{key}");
            var job = (IOutreachJob)scope.ServiceProvider.GetRequiredService(definition.JobType);
            var result = await job.RunAsync(new JobContext(byHand, new RunProgress(runs, runId, clock)), cancellationToken);
            await runs.FinishAsync(runId, result.Outcome, result.Summary, clock.GetUtcNow(), CancellationToken.None);
            metrics.JobFinished(key, result.Outcome, clock.GetElapsedTime(started));
            LogFinished(logger, key, result.Outcome, result.Summary, clock.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Hangfire puts the job back in the queue for another worker (at least once); this run is recorded as cut short.
            await runs.FinishAsync(runId, JobOutcome.Failed, "Cancelled: the node shut down during the run.", clock.GetUtcNow(), CancellationToken.None);
            metrics.JobFinished(key, JobOutcome.Failed, clock.GetElapsedTime(started));
            throw;
        }
        catch (Exception ex)
        {
            // The run is recorded as failed with the reason; the next slot tries again. Rethrown so Hangfire shows it as failed too.
            await runs.FinishAsync(runId, JobOutcome.Failed, $"{ex.GetType().Name}: {ex.Message}", clock.GetUtcNow(), CancellationToken.None);
            metrics.JobFinished(key, JobOutcome.Failed, clock.GetElapsedTime(started));
            LogFailed(logger, ex, key);
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
