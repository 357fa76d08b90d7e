namespace Outreach.Core.Onboarding;

/// <summary>What the onboarding panel shows for one party: the milestones that count now, how many are done, what is due next, what is overdue.</summary>
public sealed record OnboardingProgress(
    IReadOnlyList<PartyMilestone> Current,
    int Done,
    PartyMilestone? DueNext,
    IReadOnlyList<PartyMilestone> Overdue,
    IReadOnlyList<PartyMilestone> Dropped)
{
    public int Total => Current.Count;

    /// <summary>
    /// The milestones that count on <paramref name="today"/>: every one asked once, and a yearly one from the monitoring
    /// year that has started; for a party that left, those due after it left are dropped (kept, shown apart).
    /// </summary>
    public static OnboardingProgress Of(IReadOnlyList<PartyMilestone> milestones, Prospects.Covenant covenant, DateOnly today, DateOnly? leftOn)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        var started = MonitoringYears.YearOf(covenant, today);
        var dropped = leftOn is { } left ? milestones.Where(m => !m.IsDone && m.DueOn > left).ToList() : [];
        var current = milestones
            .Where(m => (m.Year is null || m.Year <= started) && !dropped.Contains(m))
            .OrderBy(m => m.DueOn).ThenBy(m => m.Key, StringComparer.Ordinal).ToList();
        // A party that left is not chased: nothing is due next or overdue.
        var open = leftOn is null ? milestones.Where(m => !m.IsDone).OrderBy(m => m.DueOn).ThenBy(m => m.Key, StringComparer.Ordinal).ToList() : [];
        return new OnboardingProgress(
            current,
            current.Count(m => m.IsDone),
            open.FirstOrDefault(m => m.DueOn >= today),
            open.Where(m => m.IsOverdue(today)).ToList(),
            dropped);
    }
}
