namespace Outreach.Core.Onboarding;

/// <summary>Onboarding plans (versioned per covenant) and each signed party's milestones with their history and evidence.</summary>
public interface IOnboardingStore
{
    /// <summary>The plan in force: the covenant's newest version, or null when it has none yet.</summary>
    Task<OnboardingPlan?> GetPlanAsync(long covenantId, CancellationToken ct);

    /// <summary>Every version of the covenant's plan, newest first.</summary>
    Task<IReadOnlyList<OnboardingPlan>> ListPlanVersionsAsync(long covenantId, CancellationToken ct);

    /// <summary>
    /// Saves a checked, cleaned plan as version <paramref name="expectedVersion"/> + 1, with its audit line; throws
    /// <see cref="ConcurrentPlanChangeException"/> (and saves nothing) when the newest version is no longer <paramref name="expectedVersion"/> (0: none yet).
    /// </summary>
    Task<OnboardingPlan> SavePlanAsync(long covenantId, int expectedVersion, IReadOnlyList<PlanMilestone> milestones, int cutOffMonths, DateTimeOffset at, string by, CancellationToken ct);

    /// <summary>Creates the party's milestones with a history line each; one it already has (same code and year) is left as it is. Returns how many were created.</summary>
    Task<int> AddMilestonesAsync(long prospectId, IReadOnlyList<MilestoneDraft> drafts, DateTimeOffset at, string by, CancellationToken ct);

    /// <summary>
    /// The covenant's parties at signed (so not left) that have no milestone at all, with their latest signing, by prospect
    /// id: those that signed before the covenant had a plan (<see cref="MilestoneBackfill"/>).
    /// </summary>
    Task<IReadOnlyList<PartyWithoutMilestones>> ListSignedWithoutMilestonesAsync(long covenantId, CancellationToken ct);

    /// <summary>
    /// Creates the milestones of a party that is at signed and has none yet, with a history line each and one audit entry on
    /// the prospect (<c>milestones_created</c>), joining a running unit of work. The party is locked and checked first: one
    /// that left or got a milestone in the meantime gets nothing (0).
    /// </summary>
    Task<int> AddMissingMilestonesAsync(long prospectId, IReadOnlyList<MilestoneDraft> drafts, DateTimeOffset at, string by, CancellationToken ct);

    Task<PartyMilestone?> GetMilestoneAsync(long milestoneId, CancellationToken ct);

    /// <summary>The party's milestones in due order.</summary>
    Task<IReadOnlyList<PartyMilestone>> ListForProspectAsync(long prospectId, CancellationToken ct);

    /// <summary>Every history line of the party's milestones, oldest first.</summary>
    Task<IReadOnlyList<MilestoneChange>> HistoryForProspectAsync(long prospectId, CancellationToken ct);

    /// <summary>
    /// Marks an open milestone done (with the file kept with the party when one is given), its history line and audit, in one
    /// transaction; false (and nothing written) when it was done already. The milestone's tables only, joining a running unit
    /// of work: <see cref="MilestoneCompletion"/> also cancels its queued reminders.
    /// </summary>
    Task<bool> MarkDoneAsync(long milestoneId, DateOnly doneOn, string? evidenceUrl, EvidenceUpload? file, DateTimeOffset at, string by, CancellationToken ct);

    /// <summary>Reopens a done milestone with the reason (history and audit kept); false when it was not done.</summary>
    Task<bool> ReopenAsync(long milestoneId, string reason, DateTimeOffset at, string by, CancellationToken ct);

    /// <summary>An evidence file of the party; null when it has none with that id.</summary>
    Task<EvidenceFile?> GetEvidenceFileAsync(long prospectId, long fileId, CancellationToken ct);

    /// <summary>Every party of the covenant that ever signed, with its latest signing, its leaving after it, and its milestones: one read.</summary>
    Task<IReadOnlyList<MonitoredParty>> ListPartiesAsync(long covenantId, CancellationToken ct);

    /// <summary>
    /// As <see cref="ListPartiesAsync"/>, only the parties whose latest signing fell from <paramref name="firstDay"/> to
    /// <paramref name="lastDay"/> (Amsterdam dates, both inclusive): what the conversion report's step after signing counts,
    /// read by the signings in the period rather than every party that ever signed.
    /// </summary>
    Task<IReadOnlyList<MonitoredParty>> ListSignedInAsync(long covenantId, DateOnly firstDay, DateOnly lastDay, CancellationToken ct);
}
