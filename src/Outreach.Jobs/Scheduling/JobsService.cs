using Hangfire;
using Microsoft.Extensions.Options;
using Outreach.Core.Jobs;

namespace Outreach.Jobs.Scheduling;

/// <summary>What the jobs page shows for one job.</summary>
public sealed record JobStatus(
    JobDefinition Definition,
    string Schedule,
    ScheduleWords ScheduleWords,
    string TimeZone,
    DateTimeOffset? NextRun,
    JobRun? LastRun,
    JobRun? Running,
    IReadOnlyList<JobRun> Recent);

/// <summary>A node of the cluster as Hangfire's server list has it: its last heartbeat tells whether it is alive.</summary>
public sealed record NodeStatus(string Name, DateTimeOffset StartedAt, DateTimeOffset? Heartbeat, int Workers);

/// <summary>Reads job status (schedules, the job_run table, Hangfire's servers) and runs a job now.</summary>
public sealed class JobsService(IJobRunLog runs, IOptions<JobsOptions> options, IBackgroundJobClient client, JobStorage storage, TimeProvider clock)
{
    public async Task<IReadOnlyList<JobStatus>> ListAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var list = new List<JobStatus>();
        foreach (var (definition, schedule) in JobCatalog.Schedules(options.Value))
        {
            var recent = await runs.LatestAsync(definition.Key, 10, ct);
            list.Add(new JobStatus(
                definition,
                schedule.Cron,
                schedule.Describe(),
                schedule.Zone.Id,
                schedule.NextAfter(now),
                recent.FirstOrDefault(r => r.Outcome != JobOutcome.Running),
                recent.FirstOrDefault(r => r.Outcome == JobOutcome.Running),
                recent));
        }

        return list;
    }

    /// <summary>The nodes whose Hangfire server has reported (a node that stopped drops out after a minute without heartbeat).</summary>
    public IReadOnlyList<NodeStatus> Nodes() =>
        storage.GetMonitoringApi().Servers()
            .Select(s => new NodeStatus(s.Name, Utc(s.StartedAt), s.Heartbeat is { } h ? Utc(h) : null, s.WorkersCount))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    /// <summary>Queues a run now; false when the job is unknown or switched off.</summary>
    public Task<bool> RunNowAsync(string key, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (JobCatalog.Find(key) is not { } job || !job.IsEnabled(options.Value)) return Task.FromResult(false);
        client.Enqueue<HangfireJobRunner>(r => r.RunAsync(key, true, CancellationToken.None));
        return Task.FromResult(true);
    }
}
