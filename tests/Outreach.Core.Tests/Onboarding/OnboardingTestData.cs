using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;

namespace Outreach.Core.Tests.Onboarding;

/// <summary>The fixed plan the onboarding tests share: policy and tool for every kind but NGOs, the risk analysis and a yearly training for companies only.</summary>
internal static class OnboardingTestData
{
    public static readonly Covenant Gold = new(1, "gold", "Responsible Gold", new DateOnly(2021, 1, 1), new DateOnly(2025, 12, 31));

    public static readonly PartyKind[] NotNgo = [PartyKind.Company, PartyKind.BranchOrganisation, PartyKind.Government];

    public static OnboardingPlan Plan(int cutOffMonths = 0) => new()
    {
        CovenantId = Gold.Id,
        Version = 3,
        CutOffMonths = cutOffMonths,
        Milestones =
        [
            new() { Key = "policy", NameNl = "IMVO-beleid gepubliceerd", NameEn = "RBC policy published", PhraseNl = "publiceerden hun IMVO-beleid", PhraseEn = "published their RBC policy", AppliesTo = NotNgo, Due = DueRule.AfterSigning, MonthsAfterSigning = 12 },
            new() { Key = "tool", NameNl = "Assessmenttool gebruikt", NameEn = "Assessment tool used", PhraseNl = "gebruikten de assessmenttool", PhraseEn = "used the assessment tool", AppliesTo = NotNgo, Due = DueRule.AfterSigning, MonthsAfterSigning = 6 },
            new() { Key = "risk", NameNl = "Risicoanalyse geleverd", NameEn = "Risk analysis delivered", PhraseNl = "leverden een risicoanalyse", PhraseEn = "delivered a risk analysis", AppliesTo = [PartyKind.Company], Due = DueRule.AfterSigning, MonthsAfterSigning = 18 },
            new() { Key = "training", NameNl = "Training gevolgd", NameEn = "Training attended", PhraseNl = "volgden de due-diligencetraining", PhraseEn = "attended the due-diligence training", AppliesTo = [PartyKind.Company], Due = DueRule.FixedEachYear, DueMonth = 11, DueDay = 1, RepeatsYearly = true },
        ],
    };

    private static long nextId = 1000;

    public static PartyMilestone Done(string key, DateOnly on, int? year = null) =>
        new() { Id = nextId++, Key = key, Year = year, NameNl = key, NameEn = key, DueOn = on, DoneOn = on, EvidenceUrl = "https://example.org/" + key };

    public static PartyMilestone Open(string key, DateOnly due, int? year = null) =>
        new() { Id = nextId++, Key = key, Year = year, NameNl = key, NameEn = key, DueOn = due };
}
