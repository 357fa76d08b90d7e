using System.Globalization;
using Outreach.Core.Calendar;
using Outreach.Core.Common;
using Outreach.Core.Crm;
using Outreach.Core.Prospects;

namespace Outreach.Core.Onboarding;

/// <summary>The outcome of a change to a party's milestone: done, refused with a reason, or not found (wrong party or id).</summary>
public sealed record MilestoneResult(DomainMessage? Refusal, bool NotFound = false)
{
    public bool Succeeded => Refusal is null && !NotFound;
}

/// <summary>
/// The onboarding use cases: saving a plan version, marking a party's milestone done or reopening it (rules first, then the
/// store; the milestone's Dataverse write-back is queued in the same unit of work).
/// </summary>
public sealed class OnboardingService(IOnboardingStore store, MilestoneCompletion completion, TimeProvider clock, IWriteBackOutbox writeBack, IUnitOfWork unit)
{
    /// <summary>Checks and saves a new plan version; refused with field errors, or with a message when someone saved in between.</summary>
    public async Task<(OnboardingPlan? Plan, IReadOnlyList<FieldError> Errors)> SavePlanAsync(long covenantId, int expectedVersion, IReadOnlyList<PlanMilestone> milestones, int cutOffMonths, string by, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        var errors = OnboardingRules.Check(milestones, cutOffMonths);
        if (errors.Count > 0) return (null, errors);
        try
        {
            var plan = await store.SavePlanAsync(covenantId, expectedVersion, milestones.Select(OnboardingRules.Clean).ToList(), cutOffMonths, clock.GetUtcNow(), by.Trim(), ct).ConfigureAwait(false);
            return (plan, []);
        }
        catch (ConcurrentPlanChangeException)
        {
            return (null, [new FieldError("Version", "Someone else changed this plan in the meantime. Reload and try again.")]);
        }
    }

    public async Task<MilestoneResult> MarkDoneAsync(long prospectId, long milestoneId, DateOnly? doneOn, string? evidenceUrl, EvidenceUpload? file, string by, CancellationToken ct)
    {
        var milestone = await store.GetMilestoneAsync(milestoneId, ct).ConfigureAwait(false);
        if (milestone is null || milestone.ProspectId != prospectId) return new MilestoneResult(null, NotFound: true);
        var why = OnboardingRules.WhyNotDone(milestone, doneOn, evidenceUrl, file is not null, by, AmsterdamClock.Today(clock))
            ?? (file is null ? null : OnboardingRules.WhyFileRefused(file.FileName, file.Content.LongLength));
        if (why is not null) return new MilestoneResult(why);
        return await completion.MarkDoneAsync(milestoneId, doneOn!.Value, evidenceUrl, file, clock.GetUtcNow(), by.Trim(), ct).ConfigureAwait(false)
            ? new MilestoneResult(null)
            : new MilestoneResult(new DomainMessage("Someone else changed this milestone in the meantime. Reload and try again."));
    }

    public async Task<MilestoneResult> ReopenAsync(long prospectId, long milestoneId, string? reason, string by, CancellationToken ct)
    {
        var milestone = await store.GetMilestoneAsync(milestoneId, ct).ConfigureAwait(false);
        if (milestone is null || milestone.ProspectId != prospectId) return new MilestoneResult(null, NotFound: true);
        var why = OnboardingRules.WhyNotReopened(milestone, reason, by);
        if (why is not null) return new MilestoneResult(why);
        return await unit.RunAsync(async token =>
                await store.ReopenAsync(milestoneId, reason!.Trim(), clock.GetUtcNow(), by.Trim(), token).ConfigureAwait(false)
                && await WrittenBackAsync(milestoneId, token).ConfigureAwait(false), ct).ConfigureAwait(false)
            ? new MilestoneResult(null)
            : new MilestoneResult(new DomainMessage("Someone else changed this milestone in the meantime. Reload and try again."));
    }

    /// <summary>Queues the milestone's Dataverse write-back in the change's unit of work; true, so it chains after the store's answer.</summary>
    private async Task<bool> WrittenBackAsync(long milestoneId, CancellationToken ct)
    {
        await writeBack.EnqueueMilestoneAsync(milestoneId, clock.GetUtcNow(), ct).ConfigureAwait(false);
        return true;
    }
}

/// <summary>The monitoring report for a covenant (by code) and year, for the page, the CSV and the API alike.</summary>
public sealed class MonitoringReports(IProspectStore prospects, IOnboardingStore store, TimeProvider clock)
{
    /// <summary>
    /// Reads the plan and the parties once and counts. <paramref name="year"/> defaults to the last monitoring year that has
    /// ended (year 1 while the first runs); errors name the field ("covenant", "year").
    /// </summary>
    public async Task<(MonitoringReport? Report, IReadOnlyList<FieldError> Errors)> BuildAsync(string? covenant, string? year, CancellationToken ct)
    {
        var covenants = await prospects.ListCovenantsAsync(ct).ConfigureAwait(false);
        var chosen = covenants.FirstOrDefault(c => string.Equals(c.Code, covenant?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (chosen is null) return (null, [new FieldError("covenant", "Choose a covenant.")]);
        var years = MonitoringYears.Count(chosen);
        int number;
        if (string.IsNullOrWhiteSpace(year))
            number = Math.Clamp(MonitoringYears.YearOf(chosen, AmsterdamClock.Today(clock)) - 1, 1, years);
        // Digits only: int.TryParse would also take trailing NUL characters ("4\0").
        else if (year.Length > 9 || !year.All(char.IsAsciiDigit) || !int.TryParse(year, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number < 1 || number > years)
            return (null, [new FieldError("year", "The monitoring year is 1 to {0} for this covenant.", years.ToString(CultureInfo.InvariantCulture))]);
        var plan = await store.GetPlanAsync(chosen.Id, ct).ConfigureAwait(false) ?? new OnboardingPlan { CovenantId = chosen.Id, Milestones = [] };
        var parties = await store.ListPartiesAsync(chosen.Id, ct).ConfigureAwait(false);
        return (MonitoringReportBuilder.Build(chosen, plan, parties, number), []);
    }
}
