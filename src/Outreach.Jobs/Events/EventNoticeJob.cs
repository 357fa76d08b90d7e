using Microsoft.Extensions.Logging;
using Outreach.Core.Events;
using Outreach.Core.Jobs;
using Outreach.Jobs.Scheduling;

namespace Outreach.Jobs.Events;

/// <summary>
/// Every minute: passes on the event notices that a person's action could not (the service was busy, refused for now, or the
/// host stopped between storing the change and sending), honouring the retry times the service asked for.
/// </summary>
public sealed partial class EventNoticeJob(EventNoticeDispatcher dispatcher, NodeIdentity node, ILogger<EventNoticeJob> logger) : IOutreachJob
{
    /// <summary>Long enough for a large invitation list, short enough to leave the next run its minute.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(50);

    public async Task<JobResult> RunAsync(JobContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        // A claimer name of this run's own: the per-event exclusivity holds only between names, and two runs can overlap on one node.
        var run = await dispatcher.DispatchAsync(null, node.ForOneRun(), Budget, ct);
        if (run.Claimed == 0) return JobResult.Skipped("No event notice was due.");
        LogRun(logger, run.Done, run.Retried, run.Failed);
        return JobResult.Succeeded($"{run.Done} event notices passed on, {run.Retried} to try again later, {run.Failed} given up on.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event notices: {Done} passed on, {Retried} to retry, {Failed} given up on")]
    private static partial void LogRun(ILogger logger, int done, int retried, int failed);
}
