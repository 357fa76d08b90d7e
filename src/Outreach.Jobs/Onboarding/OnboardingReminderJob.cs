using Microsoft.Extensions.Logging;
using Outreach.Core.Jobs;
using Outreach.Core.Onboarding;

namespace Outreach.Jobs.Onboarding;

/// <summary>
/// Every hour: the milestone reminders due today go into the outbox (see <see cref="OnboardingReminderRunner"/>), due at the
/// next opening of the send window. Safe to run twice: each reminder's key is its milestone, kind and contact.
/// </summary>
public sealed partial class OnboardingReminderJob(OnboardingReminderRunner runner, ILogger<OnboardingReminderJob> logger) : IOutreachJob
{
    public async Task<JobResult> RunAsync(JobContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var run = await runner.RunAsync(ct);
        LogRun(logger, run.Considered, run.Queued, run.Problems);
        return run.Considered == 0 ? JobResult.Skipped("No open milestone with an onboarding contact is near its due date.") : JobResult.Succeeded(run + ".");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Onboarding reminders: {Considered} candidates, {Queued} queued, {Problems} problems")]
    private static partial void LogRun(ILogger logger, int considered, int queued, int problems);
}
