using Dapper;
using Outreach.Core.Jobs;

namespace Outreach.Storage;

/// <summary>Job runs with progress, in the shared database so every node's page shows the same.</summary>
public sealed class SqlJobRunLog(Database db) : IJobRunLog
{
    public async Task<long> StartAsync(string jobName, DateTimeOffset at, string node, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO job_run (job_name, node, started_at, outcome) VALUES (@jobName, @node, @at, @Outcome) RETURNING id",
            new { jobName, node, at, Outcome = JobOutcome.Running.Code() }, cancellationToken: ct));
    }

    public async Task ProgressAsync(long runId, long done, long? total, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE job_run SET progress_done = @done, progress_total = @total WHERE id = @runId", new { runId, done, total }, cancellationToken: ct));
    }

    public async Task FinishAsync(long runId, JobOutcome outcome, string summary, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE job_run SET outcome = @Outcome, summary = @summary, finished_at = @at WHERE id = @runId",
            new { runId, Outcome = outcome.Code(), summary, at }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<JobRun>> LatestAsync(string jobName, int count, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            """
            SELECT id AS Id, job_name AS JobName, node AS Node, started_at AS StartedAt, finished_at AS FinishedAt, outcome AS Outcome,
                   summary AS Summary, progress_done AS ProgressDone, progress_total AS ProgressTotal
            FROM job_run WHERE job_name = @jobName ORDER BY started_at DESC, id DESC LIMIT @count
            """,
            new { jobName, count }, cancellationToken: ct));
        return rows.Select(r => new JobRun
        {
            Id = r.Id, JobName = r.JobName, Node = r.Node, StartedAt = r.StartedAt, FinishedAt = r.FinishedAt,
            Outcome = JobOutcomes.Parse(r.Outcome), Summary = r.Summary, ProgressDone = r.ProgressDone, ProgressTotal = r.ProgressTotal,
        }).ToList();
    }

    public async Task<int> AbandonRunningAsync(string? node, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE job_run SET outcome = @Failed, summary = @summary, finished_at = @at WHERE (@node IS NULL OR node = @node) AND outcome = @Running",
            new { node, at, Failed = JobOutcome.Failed.Code(), Running = JobOutcome.Running.Code(), summary = "Interrupted: the node stopped before the run finished." },
            cancellationToken: ct));
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public string JobName { get; init; } = "";
        public string Node { get; init; } = "";
        public DateTimeOffset StartedAt { get; init; }
        public DateTimeOffset? FinishedAt { get; init; }
        public string Outcome { get; init; } = "";
        public string? Summary { get; init; }
        public long ProgressDone { get; init; }
        public long? ProgressTotal { get; init; }
    }
}
