using Outreach.Core.Crm;
using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;

namespace Outreach.Dataverse.Tests;

/// <summary>Milestone write-back rows for the planner and the names tests: a party of the gold covenant (started 2023-01-01) with a plan of three milestones.</summary>
internal static class MilestoneItems
{
    public static readonly Covenant Gold = new(1, "gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31));

    public static PartyMilestone Milestone(long id, long prospectId, string key, DateOnly due, DateOnly? done = null, int? year = null) => new()
    {
        Id = id, ProspectId = prospectId, Key = key, Year = year, NameNl = key + " (nl)", NameEn = key + " (en)", DueOn = due, DoneOn = done,
        EvidenceUrl = done is null ? null : $"https://evidence.example/{key}",
    };

    public static MilestoneWriteBack Row(long id, Guid account, long prospectId, PartyMilestone milestone, IReadOnlyList<PartyMilestone> all, DateOnly? leftOn = null) =>
        new(id, $"milestone:{milestone.Id}:{id}", account, prospectId, milestone, new PartyOnboardingStatus(Gold, all, leftOn), 0);
}
