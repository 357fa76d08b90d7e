using Outreach.Jobs.Scheduling;

namespace Outreach.Web.Api;

public sealed record JobDto(string Key, string Title, string Schedule, string ScheduleInWords, string TimeZone, DateTimeOffset? NextRun, JobRunDto? LastRun, JobRunDto? Running);

public sealed record NodeDto(string Name, DateTimeOffset StartedAt, DateTimeOffset? Heartbeat, int Workers);

public sealed record JobRunDto(long Id, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Outcome, string? Summary, long ProgressDone, long? ProgressTotal, string? Node);

public static class JobsApi
{
    public static RouteGroupBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/jobs").WithTags("Jobs").RequireAuthorization(Access.Policies.Read);
        group.MapGet("/", async (JobsService jobs, CancellationToken ct) =>
            TypedResults.Ok((await jobs.ListAsync(ct)).Select(ToDto).ToList())).WithSummary("Every recurring job with its schedule, last run and progress.");
        group.MapGet("/nodes", (JobsService jobs) =>
            TypedResults.Ok(jobs.Nodes().Select(n => new NodeDto(n.Name, n.StartedAt, n.Heartbeat, n.Workers)).ToList())).WithSummary("The nodes running jobs, with their last heartbeat.");
        group.MapPost("/{key}/run", async (string key, JobsService jobs, CancellationToken ct) =>
            await jobs.RunNowAsync(key, ct)
                ? Results.Accepted($"/api/jobs", new { queued = key })
                : Results.Problem(title: "Unknown job", detail: $"There is no job '{key}'.", statusCode: 404)).WithSummary("Run a job now.").RequireAuthorization(Access.Policies.Edit);
        return group;
    }

    public static JobDto ToDto(JobStatus s) =>
        new(s.Definition.Key, s.Definition.Title, s.Schedule, s.ScheduleWords.Format(t => t), s.TimeZone, s.NextRun, Run(s.LastRun), Run(s.Running));

    private static JobRunDto? Run(Core.Jobs.JobRun? r) =>
        r is null ? null : new JobRunDto(r.Id, r.StartedAt, r.FinishedAt, r.Outcome.ToString(), r.Summary, r.ProgressDone, r.ProgressTotal, r.Node);
}
