namespace Outreach.Core.Jobs;

/// <summary>How a job reports progress; persisted so every node's jobs page shows it.</summary>
public interface IJobProgress
{
    Task ReportAsync(long done, long? total, CancellationToken ct);
}

/// <summary>What a job run knows about itself.</summary>
/// <param name="RunByHand">True when someone pressed "run now" (a scheduled run may skip non-working days; a manual one never does).</param>
/// <param name="Progress">Where the job reports how far it is.</param>
public sealed record JobContext(bool RunByHand, IJobProgress Progress);

public sealed record JobResult(JobOutcome Outcome, string Summary)
{
    public static JobResult Succeeded(string summary) => new(JobOutcome.Succeeded, summary);
    public static JobResult Skipped(string summary) => new(JobOutcome.Skipped, summary);
    public static JobResult PartlyFailed(string summary) => new(JobOutcome.PartlyFailed, summary);
}

/// <summary>
/// A background job: a plain class with one method. The scheduler (Hangfire) only triggers it, so the
/// work is testable without a scheduler and another scheduler could trigger it too.
/// </summary>
public interface IOutreachJob
{
    Task<JobResult> RunAsync(JobContext context, CancellationToken ct);
}
