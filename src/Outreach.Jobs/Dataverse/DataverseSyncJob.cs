using Outreach.Core.Crm;
using Outreach.Core.Jobs;
using Outreach.Dataverse;
using Outreach.Jobs.Scheduling;

namespace Outreach.Jobs.Dataverse;

/// <summary>
/// The recurring Dataverse job: sync accounts and contacts in, then send the write-back outbox out. The counts per table
/// are the run's summary on the jobs page; a first (full) sync reports rows so far of the $count total as progress.
/// One run at a time across nodes, by a lease row renewed while it runs (two at once would both insert a new account, whose
/// second insert fails on the unique Dataverse id, sweep each other's full read, and send the write-back twice); a run that
/// finds the lease held ends skipped.
/// </summary>
public sealed class DataverseSyncJob(DataverseSync sync, ICrmSyncStore store, NodeIdentity node, TimeProvider clock, Core.Common.OutreachMetrics metrics, DataverseWriteBack? writeBack = null) : IOutreachJob
{
    public const string LeaseName = "dataverse";

    /// <summary>How long the lease holds without renewal; it is renewed every third of that while the run goes on.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    public async Task<JobResult> RunAsync(JobContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var holder = node.ForOneRun();
        var now = clock.GetUtcNow();
        if (await store.TryLeaseAsync(LeaseName, holder, now, now + Lease, ct) is { } other)
            return JobResult.Skipped($"Another node is syncing with Dataverse (node {NodeIdentity.NodeOf(other)}).");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewal = RenewAsync(holder, stop);
        try
        {
            var result = await sync.RunAsync(context.Progress, stop.Token);
            metrics.SyncRead("account", result.Accounts.Read);
            metrics.SyncRead("contact", result.Contacts.Read);
            var summary = result.ToString();
            var refused = 0;
            if (writeBack is not null)
            {
                var sent = await writeBack.SendPendingAsync(stop.Token);
                summary += $" Write-back: {sent}.";
                refused = sent.Failed;
            }

            // Refused write-backs keep Dynamics' error on their rows (jobs page, prospect page) and are tried again next run.
            return refused > 0 ? JobResult.PartlyFailed(summary) : JobResult.Succeeded(summary);
        }
        finally
        {
            await stop.CancelAsync();
            await renewal;
            await store.ReleaseLeaseAsync(LeaseName, holder, CancellationToken.None);
        }
    }

    /// <summary>Renews the lease until the run ends; if another took it meanwhile (this run stalled past it), the run is stopped.</summary>
    private async Task RenewAsync(string holder, CancellationTokenSource run)
    {
        try
        {
            while (!run.IsCancellationRequested)
            {
                await Task.Delay(Lease / 3, clock, run.Token);
                if (!await store.RenewLeaseAsync(LeaseName, holder, clock.GetUtcNow() + Lease, run.Token))
                {
                    await run.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }
}
