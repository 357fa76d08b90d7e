using Microsoft.Extensions.Logging;
using Outreach.Core.Jobs;
using Outreach.Core.Sequences;

namespace Outreach.Jobs.Mail;

/// <summary>
/// Every few minutes: moves the enrolments that need a decision along (see <see cref="SequenceRunner"/>). Due steps go into
/// the outbox, due at the next opening of the send window; the dispatcher sends them. Safe to run twice: a step's mail has
/// the enrolment and step as its idempotency key, and is queued in one transaction with the enrolment's advance.
/// </summary>
public sealed partial class SequenceJob(SequenceRunner runner, ILogger<SequenceJob> logger) : IOutreachJob
{
    private const int Batch = 500;
    private const int MaxBatches = 40;

    public async Task<JobResult> RunAsync(JobContext context, CancellationToken ct)
    {
        int considered = 0, queued = 0, held = 0, stopped = 0, completed = 0, planned = 0, problems = 0;
        for (var i = 0; i < MaxBatches; i++)
        {
            var run = await runner.RunAsync(Batch, ct);
            considered += run.Considered;
            queued += run.Queued;
            held += run.Held;
            stopped += run.Stopped;
            completed += run.Completed;
            planned += run.Planned;
            problems += run.Problems;
            await context.Progress.ReportAsync(considered, null, ct);
            // A batch that changed nothing would come back the same (e.g. every row has a problem): stop rather than loop.
            if (run.Considered < Batch || run.Queued + run.Held + run.Stopped + run.Completed + run.Planned == 0) break;
        }

        var result = new SequenceRunResult(considered, queued, held, stopped, completed, planned, problems);
        LogRun(logger, considered, queued, held, stopped, problems);
        return considered == 0 ? JobResult.Skipped("No enrolment needed a decision.") : JobResult.Succeeded(result.ToString() + ".");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sequences: {Considered} enrolments considered, {Queued} mails queued, {Held} held by the cap, {Stopped} stopped, {Problems} problems")]
    private static partial void LogRun(ILogger logger, int considered, int queued, int held, int stopped, int problems);
}
