using Microsoft.Extensions.Logging;
using Outreach.Core.Jobs;
using Outreach.Core.Mail;

namespace Outreach.Jobs.Mail;

/// <summary>
/// Every few minutes, with a Microsoft 365 mailbox: reads what arrived in the inbox (Graph message delta) and acts on replies,
/// out-of-office answers and bounces (see <see cref="ReplyHandling"/>). Not scheduled with the pickup folder, which has no inbox.
/// </summary>
public sealed partial class ReplyScanJob(ReplyHandling replies, ILogger<ReplyScanJob> logger) : IOutreachJob
{
    public async Task<JobResult> RunAsync(JobContext context, CancellationToken ct)
    {
        ReplyScanResult result;
        try
        {
            result = await replies.ScanAsync(ct);
        }
        catch (MailboxPausedException paused)
        {
            // Graph asked the mailbox to wait (a 429 to any request of any node): the next run reads on from the stored link.
            return JobResult.Skipped($"Mailbox paused until {paused.Until:u} (Graph asked to wait).");
        }

        await context.Progress.ReportAsync(result.Read, result.Read, ct);
        LogScan(logger, result.Read, result.Replies, result.OutOfOffice, result.Bounces, result.Restarted);
        return result.Read == 0 ? JobResult.Skipped("Nothing new in the mailbox.") : JobResult.Succeeded(result.ToString() + ".");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mailbox read: {Read} messages, {Replies} replies, {OutOfOffice} out of office, {Bounces} bounces (restarted: {Restarted})")]
    private static partial void LogScan(ILogger logger, int read, int replies, int outOfOffice, int bounces, bool restarted);
}
