using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outreach.Core.Jobs;
using Outreach.Core.Prospects;
using Outreach.Jobs.Scheduling;

namespace Outreach.Jobs.Privacy;

/// <summary>
/// Keeps personal data no longer than needed: contacts of organisations that declined (in every covenant) longer ago
/// than the configured retention are erased. The count is the run's outcome on the jobs page.
/// </summary>
public sealed partial class DeclinedContactRetentionJob(IProspectStore prospects, ContactPrivacy erasure, TimeProvider clock, IOptions<JobsOptions> options, ILogger<DeclinedContactRetentionJob> logger) : IOutreachJob
{
    public async Task<JobResult> RunAsync(JobContext context, CancellationToken ct)
    {
        var days = options.Value.RetainDeclinedContactsDays;
        if (days <= 0) return JobResult.Skipped("Retention is switched off (Jobs:RetainDeclinedContactsDays is 0).");
        var now = clock.GetUtcNow();
        var due = await prospects.ListContactsOfDeclinedBeforeAsync(now.AddDays(-days), ct);
        var erased = 0;
        foreach (var contactId in due)
        {
            ct.ThrowIfCancellationRequested();
            if (await erasure.EraseAsync(contactId, now, ct) is not null) erased++;
            await context.Progress.ReportAsync(erased, due.Count, ct);
        }

        LogRun(logger, erased, days);
        return JobResult.Succeeded($"{erased} contacts of prospects declined more than {days} days ago erased.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: {Erased} contacts of prospects declined more than {Days} days ago erased")]
    private static partial void LogRun(ILogger logger, int erased, int days);
}
