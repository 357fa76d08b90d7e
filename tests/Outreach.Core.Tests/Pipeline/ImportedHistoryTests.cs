using Outreach.Core.Pipeline;

namespace Outreach.Core.Tests.Pipeline;

/// <summary>Issue 16 (4): an imported pipeline keeps its dates; the history it is given passes the stage rules.</summary>
public sealed class ImportedHistoryTests
{
    private static readonly DateOnly Today = new(2026, 3, 2);
    private static readonly DateOnly FirstContact = new(2025, 2, 10);
    private static readonly DateOnly StageDay = new(2025, 9, 1);

    public static TheoryData<Stage> EveryStage() => [.. Stages.All];

    [Theory]
    [MemberData(nameof(EveryStage))]
    public void EveryStage_WithDates_GetsAPathTheStageRulesAllow_EndingInItOnItsDay(Stage stage)
    {
        var (steps, errors) = ImportedHistory.Plan(stage, stage == Stage.Identified ? null : FirstContact, stage == Stage.Contacted ? null : StageDay, Today);

        Assert.Empty(errors);
        Assert.Equal(stage, steps[^1].Stage);
        Assert.Contains(steps[0].Stage, Outreach.Core.Pipeline.Pipeline.StartingStages);
        for (var i = 1; i < steps.Count; i++) Assert.True(StageRules.IsAllowed(steps[i - 1].Stage, steps[i].Stage), $"{steps[i - 1].Stage} -> {steps[i].Stage}");
        Assert.All(steps, s => Assert.True(s.On <= Today));
        if (steps[0].Stage == Stage.Contacted) Assert.Equal(FirstContact, steps[0].On);
        if (stage != Stage.Contacted) Assert.Equal(StageDay, steps[^1].On);
    }

    [Fact]
    public void Signed_IsReachedStepByStep_FromTheFirstContact()
    {
        var (steps, _) = ImportedHistory.Plan(Stage.Signed, FirstContact, StageDay, Today);

        Assert.Equal(
            [new(Stage.Contacted, FirstContact), new(Stage.Engaged, StageDay), new(Stage.Intake, StageDay), new(Stage.SigningScheduled, StageDay), new(Stage.Signed, StageDay)],
            steps);
    }

    [Fact]
    public void ADeclineWithoutFirstContact_StartsFromIdentified()
    {
        var (steps, _) = ImportedHistory.Plan(Stage.Declined, null, StageDay, Today);
        Assert.Equal([new(Stage.Identified, StageDay), new(Stage.Declined, StageDay)], steps);
    }

    [Fact]
    public void WithoutDates_AStartingStageIsDatedAtTheImport_AndALaterStageIsRefused()
    {
        Assert.Equal([new HistoryStep(Stage.Contacted, null)], ImportedHistory.Plan(Stage.Contacted, null, null, Today).Steps);
        var (steps, errors) = ImportedHistory.Plan(Stage.Engaged, null, null, Today);
        Assert.Empty(steps);
        Assert.Equal(ImportedHistory.StageField, Assert.Single(errors).Field);
    }

    [Fact]
    public void DatesInTheFuture_AreRefused()
    {
        var (steps, errors) = ImportedHistory.Plan(Stage.Engaged, Today.AddDays(1), Today.AddDays(2), Today);
        Assert.Empty(steps);
        Assert.Equal([ImportedHistory.FirstContactField, ImportedHistory.StageDateField], errors.Select(e => e.Field));
        Assert.Equal("The stage date 2026-03-04 is in the future.", errors[1].Message.ToString());
    }

    [Fact]
    public void AFirstContactAfterTheStageDate_IsRefused()
    {
        var (steps, errors) = ImportedHistory.Plan(Stage.Intake, StageDay, FirstContact, Today);
        Assert.Empty(steps);
        Assert.Equal("The first contact (2025-09-01) is after the stage date (2025-02-10); it cannot be later than the current stage.", Assert.Single(errors).Message.ToString());
    }

    [Fact]
    public void AnIdentifiedProspectWithAFirstContact_IsRefused()
    {
        var (_, errors) = ImportedHistory.Plan(Stage.Identified, FirstContact, StageDay, Today);
        Assert.Equal(ImportedHistory.FirstContactField, Assert.Single(errors).Field);
    }

    [Fact]
    public void ALaterStageWithOnlyAFirstContact_AsksForTheStageDate()
    {
        var (_, errors) = ImportedHistory.Plan(Stage.Signed, FirstContact, null, Today);
        Assert.Equal("Give the date the prospect reached 'signed'.", Assert.Single(errors).Message.ToString());
    }
}
