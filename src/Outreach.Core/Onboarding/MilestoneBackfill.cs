using Microsoft.Extensions.Logging;
using Outreach.Core.Common;
using Outreach.Core.Crm;
using Outreach.Core.Prospects;

namespace Outreach.Core.Onboarding;

/// <summary>A party at signed without a single milestone, with the instant of its latest signing.</summary>
public sealed record PartyWithoutMilestones(long ProspectId, string Name, PartyKind Kind, DateTimeOffset SignedAt);

/// <summary>A party without milestones and the ones the plan in force gives it, due from its latest signing day.</summary>
public sealed record MissingMilestones(PartyWithoutMilestones Party, DateOnly SignedOn, IReadOnlyList<MilestoneDraft> Drafts);

/// <summary>What creating the missing milestones did: how many parties got how many milestones.</summary>
public sealed record MilestoneBackfillResult(int Parties, int Milestones);

/// <summary>
/// The signed parties that have no milestones (they signed before their covenant had a plan, or before issue 14) get the
/// plan's milestones afterwards, as if they had signed now under it: due from their latest signing day by the same rule as
/// a move to signed (<see cref="OnboardingRules.MilestonesAtSigning"/>). One unit of work for all of them, each party's
/// milestones with their history lines and an audit entry by the person who asked, and its Dataverse write-back. A party
/// that has a milestone by then is left alone, so asking twice creates nothing the second time.
/// </summary>
public sealed partial class MilestoneBackfill(IProspectStore prospects, IOnboardingStore store, IWriteBackOutbox writeBack, IUnitOfWork unit, TimeProvider clock, ILogger<MilestoneBackfill> logger)
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Missing milestones created for covenant {CovenantId} by {By}: {Milestones} milestones for {Parties} signed parties (plan version {PlanVersion})")]
    private static partial void LogCreated(ILogger logger, long covenantId, string by, int milestones, int parties, int planVersion);

    /// <summary>
    /// The parties that would get milestones from <paramref name="plan"/> and what each gets. A party the plan asks nothing of
    /// (its kind is in no milestone) is left out: there is nothing to create for it. No plan, nothing.
    /// </summary>
    public static IReadOnlyList<MissingMilestones> Plan(OnboardingPlan? plan, Covenant covenant, IEnumerable<PartyWithoutMilestones> parties)
    {
        ArgumentNullException.ThrowIfNull(covenant);
        ArgumentNullException.ThrowIfNull(parties);
        if (plan is null || plan.Milestones.Count == 0) return [];
        return parties
            .Select(p =>
            {
                var signedOn = OnboardingRules.SigningDay(p.SignedAt);
                return new MissingMilestones(p, signedOn, OnboardingRules.MilestonesAtSigning(plan, covenant, p.Kind, signedOn));
            })
            .Where(m => m.Drafts.Count > 0)
            .ToList();
    }

    /// <summary>What creating them would do now (for the plan page); null for an unknown covenant.</summary>
    public async Task<IReadOnlyList<MissingMilestones>?> PendingAsync(long covenantId, CancellationToken ct)
    {
        var covenant = await CovenantAsync(covenantId, ct).ConfigureAwait(false);
        if (covenant is null) return null;
        var plan = await store.GetPlanAsync(covenantId, ct).ConfigureAwait(false);
        if (plan is null || plan.Milestones.Count == 0) return [];
        return Plan(plan, covenant, await store.ListSignedWithoutMilestonesAsync(covenantId, ct).ConfigureAwait(false));
    }

    /// <summary>Creates the plan's milestones for every signed party of the covenant that has none; null for an unknown covenant.</summary>
    public async Task<MilestoneBackfillResult?> CreateAsync(long covenantId, string by, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(by) || by.Trim().Length > Pipeline.Pipeline.MaxActorLength)
            throw new ArgumentException("The person creating the milestones must be known.", nameof(by));
        by = by.Trim();
        var covenant = await CovenantAsync(covenantId, ct).ConfigureAwait(false);
        if (covenant is null) return null;
        var at = clock.GetUtcNow();
        var planVersion = 0;
        var result = await unit.RunAsync(async token =>
        {
            // Read in the unit, so the plan and the parties are those the milestones are written against.
            var plan = await store.GetPlanAsync(covenantId, token).ConfigureAwait(false);
            planVersion = plan?.Version ?? 0;
            if (plan is null || plan.Milestones.Count == 0) return new MilestoneBackfillResult(0, 0);
            var pending = Plan(plan, covenant, await store.ListSignedWithoutMilestonesAsync(covenantId, token).ConfigureAwait(false));
            var (parties, milestones) = (0, 0);
            foreach (var missing in pending)
            {
                // The store checks again under the party's lock: one that got milestones (or left) meanwhile gets nothing.
                var created = await store.AddMissingMilestonesAsync(missing.Party.ProspectId, missing.Drafts, at, by, token).ConfigureAwait(false);
                if (created == 0) continue;
                parties++;
                milestones += created;
                await writeBack.EnqueuePartyMilestonesAsync(missing.Party.ProspectId, at, token).ConfigureAwait(false);
            }

            return new MilestoneBackfillResult(parties, milestones);
        }, ct).ConfigureAwait(false);
        LogCreated(logger, covenantId, by, result.Milestones, result.Parties, planVersion);
        return result;
    }

    private async Task<Covenant?> CovenantAsync(long covenantId, CancellationToken ct) =>
        (await prospects.ListCovenantsAsync(ct).ConfigureAwait(false)).FirstOrDefault(c => c.Id == covenantId);
}
