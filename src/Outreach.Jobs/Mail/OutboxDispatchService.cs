using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Outreach.Core.Mail;
using Outreach.Jobs.Scheduling;

namespace Outreach.Jobs.Mail;

/// <summary>
/// Sends what is due in the outbox every few seconds on every node: claims are exclusive, so nodes share the work without
/// sending anything twice. A loop rather than a Hangfire job, so the jobs page is not filled with a run a minute.
/// </summary>
public sealed partial class OutboxDispatchService(OutboxDispatcher dispatcher, NodeIdentity node, TimeProvider clock, TimeSpan interval, ILogger<OutboxDispatchService> logger)
    : BackgroundService
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox on {Node}: {Sent} sent, {AlreadyDelivered} found delivered, {Retried} to retry, {DeadLettered} failed for good")]
    private static partial void LogDispatched(ILogger logger, string node, int sent, int alreadyDelivered, int retried, int deadLettered);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox dispatch on {Node} failed; trying again next round")]
    private static partial void LogFailed(ILogger logger, Exception ex, string node);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, clock);
        do
        {
            try
            {
                DispatchResult result;
                do
                {
                    result = await dispatcher.DispatchDueAsync(node.Name, stoppingToken);
                    if (result.Claimed > 0) LogDispatched(logger, node.Name, result.Sent, result.AlreadyDelivered, result.Retried, result.DeadLettered);
                }
                while (result.Claimed > 0 && !stoppingToken.IsCancellationRequested);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be restarting; claimed rows keep their lease and are taken again after it.
                LogFailed(logger, ex, node.Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
