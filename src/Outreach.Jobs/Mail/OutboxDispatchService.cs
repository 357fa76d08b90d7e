using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Outreach.Core.Mail;
using Outreach.Jobs.Scheduling;

namespace Outreach.Jobs.Mail;

/// <summary>
/// Sends what is due in the outbox every few seconds on every node: claims are exclusive, so nodes share the work without
/// sending anything twice. A loop rather than a Hangfire job, so the jobs page is not filled with a run a minute. Before the
/// first round it takes back what this node left behind when it stopped: its claims, and half-written delivery files.
/// </summary>
public sealed partial class OutboxDispatchService(OutboxDispatcher dispatcher, IEnumerable<IDeliveredMail> deliveredCopies, NodeIdentity node, TimeProvider clock, Core.Common.OutreachMetrics metrics, TimeSpan interval, ILogger<OutboxDispatchService> logger, LiveNodes? liveNodes = null)
    : BackgroundService
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox on {Node}: {Sent} sent, {AlreadyDelivered} found delivered, {Retried} to retry, {DeadLettered} failed for good, {Withdrawn} withdrawn before the send (no longer wanted)")]
    private static partial void LogDispatched(ILogger logger, string node, int sent, int alreadyDelivered, int retried, int deadLettered, int withdrawn);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox on {Node} starting: {Released} mails this node had claimed before it stopped are due again, {Removed} half-written delivery files removed")]
    private static partial void LogStarted(ILogger logger, string node, int released, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox on {Node}: taking back what this node left behind failed; its claims are taken again after their lease")]
    private static partial void LogStartFailed(ILogger logger, Exception ex, string node);

    [LoggerMessage(Level = LogLevel.Error, Message = "Another live node runs under the name {Node}: Jobs:NodeName must be unique among live nodes. This node's earlier claims are not taken back at start (they are taken again after their lease)")]
    private static partial void LogNameInUse(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox on {Node} stopping: {Released} mails this node had claimed are due again for any node")]
    private static partial void LogStopped(ILogger logger, string node, int released);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox dispatch on {Node} failed; trying again next round")]
    private static partial void LogFailed(ILogger logger, Exception ex, string node);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await StartNodeAsync(stoppingToken);
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            await DispatchRoundsAsync(timer, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping mid-round: the sends in flight were cancelled; their claims go back below.
        }

        // A graceful stop: what this node claimed and did not finish goes back now, not after its lease (attempts are kept, so
        // a mail cut off mid-send is first looked for in the delivery by whoever takes it next).
        try
        {
            var released = await dispatcher.ReleaseOwnClaimsAsync(node.Name, CancellationToken.None);
            LogStopped(logger, node.Name, released);
        }
        catch (Exception ex)
        {
            LogStartFailed(logger, ex, node.Name);
        }
    }

    private async Task DispatchRoundsAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        do
        {
            try
            {
                DispatchResult result;
                do
                {
                    result = await dispatcher.DispatchDueAsync(node.Name, stoppingToken);
                    metrics.MailDispatched(result);
                    if (result.Claimed > 0) LogDispatched(logger, node.Name, result.Sent, result.AlreadyDelivered, result.Retried, result.DeadLettered, result.Withdrawn);
                }
                while (result.Claimed > 0 && !stoppingToken.IsCancellationRequested);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be restarting; claimed rows keep their lease and are taken again after it.
                LogFailed(logger, ex, node.Name);
            }
        }
        while (await NextRoundAsync(timer, stoppingToken));
    }

    private static async Task<bool> NextRoundAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try { return await timer.WaitForNextTickAsync(stoppingToken); }
        catch (OperationCanceledException) { return false; }
    }

    /// <summary>
    /// This node's claims from before a restart: it is not sending them now, so they need not wait out their lease. Then the
    /// temporary files a crash cut off mid-write.
    /// </summary>
    internal async Task StartNodeAsync(CancellationToken ct)
    {
        try
        {
            // A twin under the same name may be sending what is claimed under it right now: then the leases decide, not this start.
            var twin = liveNodes is not null && await liveNodes.IsNameInUseAsync(node.Name, LiveNodes.Watch, ct);
            if (twin) LogNameInUse(logger, node.Name);
            var released = twin ? 0 : await dispatcher.ReleaseOwnClaimsAsync(node.Name, ct);
            var removed = 0;
            foreach (var copies in deliveredCopies) removed += await copies.RemoveUnfinishedAsync(ct);
            LogStarted(logger, node.Name, released, removed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStartFailed(logger, ex, node.Name);
        }
    }
}
