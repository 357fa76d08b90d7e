using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;

namespace Outreach.Core.Prospects.Import;

/// <summary>
/// A row imported at signed is a party that signed: it gets its covenant's onboarding milestones as a move to signed gives
/// them (<see cref="OnboardingRules.MilestonesAtSigning"/>, the plan in force, the party's kind), due from the imported
/// signing day rather than the day of the import. A covenant without a plan gives nothing, as for a move. Pure.
/// </summary>
public static class ImportedMilestones
{
    /// <param name="plan">The import as the planner worked it out.</param>
    /// <param name="plans">The plan in force per covenant id; a covenant missing here has none.</param>
    /// <param name="covenants">Every covenant (the rows name theirs by id).</param>
    /// <param name="today">The Amsterdam date of the import: the signing day of a line the import dates "now".</param>
    public static ImportPlan Attach(ImportPlan plan, IReadOnlyDictionary<long, OnboardingPlan> plans, IEnumerable<Covenant> covenants, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(covenants);
        var byId = covenants.ToDictionary(c => c.Id);
        if (plans.Count == 0 || !plan.Organisations.Any(o => o.Entries.Any(e => e.Stage == Stage.Signed))) return plan;
        var organisations = plan.Organisations.Select(o => o with
        {
            Entries = o.Entries.Select(e =>
            {
                if (e.Stage != Stage.Signed || !plans.TryGetValue(e.CovenantId, out var onboarding) || !byId.TryGetValue(e.CovenantId, out var covenant)) return e;
                var signedOn = e.Steps.Last(s => s.Stage == Stage.Signed).On ?? today;
                return e with { Milestones = OnboardingRules.MilestonesAtSigning(onboarding, covenant, o.Draft.PartyKind, signedOn) };
            }).ToList(),
        }).ToList();
        return plan with { Organisations = organisations };
    }
}
