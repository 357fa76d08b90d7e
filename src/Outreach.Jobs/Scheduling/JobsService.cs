using Outreach.Core.Jobs;
using Quartz;

namespace Outreach.Jobs.Scheduling;

/// <summary>What the jobs page shows for one job.</summary>
public sealed record JobStatus(
    JobDefinition Definition,
    string Schedule,
    string TimeZone,
    DateTimeOffset? NextRun,
    JobRun? LastRun,
    JobRun? Running,
    IReadOnlyList<JobRun> Recent);

/// <summary>Reads job status (from Quartz and the job_run table) and runs a job now.</summary>
public sealed class JobsService(ISchedulerFactory schedulers, IJobRunLog runs, Microsoft.Extensions.Options.IOptions<JobsOptions> options)
{
    public async Task<IReadOnlyList<JobStatus>> ListAsync(CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var list = new List<JobStatus>();
        foreach (var definition in JobCatalog.All.Where(j => j.IsEnabled(options.Value)))
        {
            var trigger = await scheduler.GetTrigger(new TriggerKey(definition.Key, JobCatalog.Group), ct);
            var recent = await runs.LatestAsync(definition.Key, 10, ct);
            list.Add(new JobStatus(
                definition,
                (trigger as ICronTrigger)?.CronExpressionString ?? definition.Cron(options.Value),
                (trigger as ICronTrigger)?.TimeZone.Id ?? options.Value.TimeZone,
                trigger?.NextFireTimeUtc,
                recent.FirstOrDefault(r => r.Outcome != JobOutcome.Running),
                recent.FirstOrDefault(r => r.Outcome == JobOutcome.Running),
                recent));
        }

        return list;
    }

    /// <summary>Queues a run now; false when the job is unknown.</summary>
    public async Task<bool> RunNowAsync(string key, CancellationToken ct)
    {
        if (JobCatalog.Find(key) is not { } job || !job.IsEnabled(options.Value)) return false;
        var scheduler = await schedulers.GetScheduler(ct);
        await scheduler.TriggerJob(new JobKey(key, JobCatalog.Group), new JobDataMap { [QuartzJobRunner.RunByHandKey] = "true" }, ct);
        return true;
    }
}
