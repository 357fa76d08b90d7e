using Outreach.Core.Jobs;
using Outreach.Dataverse;

namespace Outreach.Jobs.Dataverse;

/// <summary>
/// The recurring Dataverse job: sync accounts and contacts in, then send the write-back outbox out. The counts per table
/// are the run's summary on the jobs page; a first (full) sync reports rows so far of the $count total as progress.
/// </summary>
public sealed class DataverseSyncJob(DataverseSync sync, DataverseWriteBack? writeBack = null) : IOutreachJob
{
    public async Task<JobResult> RunAsync(JobContext context, CancellationToken ct)
    {
        var result = await sync.RunAsync(context.Progress, ct);
        var summary = result.ToString();
        if (writeBack is not null)
        {
            var sent = await writeBack.SendPendingAsync(ct);
            summary += $" Write-back: {sent}.";
        }

        return JobResult.Succeeded(summary);
    }
}
