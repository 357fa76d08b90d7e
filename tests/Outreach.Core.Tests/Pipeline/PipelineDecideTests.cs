using Outreach.Core.Pipeline;
using Rules = Outreach.Core.Pipeline.Pipeline;

namespace Outreach.Core.Tests.Pipeline;

public sealed class PipelineDecideTests
{
    private static readonly DateTimeOffset Noon = new(2026, 1, 15, 11, 0, 0, TimeSpan.Zero);

    private static PipelineEntry Entry(Stage stage, DateOnly? revisitOn = null) => new()
    {
        Id = 7,
        OrganisationId = 70,
        CovenantId = 3,
        Stage = stage,
        StageSince = new DateTimeOffset(2025, 12, 1, 9, 0, 0, TimeSpan.Zero),
        RevisitOn = revisitOn,
        NextAction = "Call back",
        NextActionDue = new DateOnly(2026, 2, 1),
        CreatedAt = new DateTimeOffset(2025, 11, 1, 9, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public void Decide_AllowedMove_ReturnsTheChangeToAppend()
    {
        var decision = Rules.Decide(Entry(Stage.Contacted), Stage.Engaged, "Met at the network event", "anna", Noon);

        Assert.True(decision.IsAllowed);
        Assert.Null(decision.Refusal);
        Assert.Equal(new StageChange(7, Stage.Contacted, Stage.Engaged, Noon, "anna", "Met at the network event"), decision.Change);
    }

    [Fact]
    public void Decide_RefusedByTheStageRules_GivesTheRulesReasonAndNoChange()
    {
        var decision = Rules.Decide(Entry(Stage.Contacted), Stage.Signed, "They want to sign", "anna", Noon);

        Assert.False(decision.IsAllowed);
        Assert.Null(decision.Change);
        Assert.Equal(StageRules.WhyRefused(Stage.Contacted, Stage.Signed), decision.Refusal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void Decide_WithoutReason_IsRefused(string? reason)
    {
        var decision = Rules.Decide(Entry(Stage.Contacted), Stage.Engaged, reason, "anna", Noon);

        Assert.False(decision.IsAllowed);
        Assert.Equal("A reason is required for every stage change.", decision.Refusal!.Template);
    }

    [Fact]
    public void Decide_TrimsTheReasonAndTheActor()
    {
        var decision = Rules.Decide(Entry(Stage.Contacted), Stage.Engaged, "  Showed interest \n", "  anna ", Noon);

        Assert.Equal("Showed interest", decision.Change!.Reason);
        Assert.Equal("anna", decision.Change.By);
    }

    [Fact]
    public void Decide_ReasonOfMaximumLengthAfterTrimming_IsAllowed()
    {
        var reason = "  " + new string('r', Rules.MaxReasonLength) + "  ";

        var decision = Rules.Decide(Entry(Stage.Contacted), Stage.Engaged, reason, "anna", Noon);

        Assert.True(decision.IsAllowed);
        Assert.Equal(Rules.MaxReasonLength, decision.Change!.Reason.Length);
    }

    [Fact]
    public void Decide_ReasonTooLong_IsRefusedNamingTheLimit()
    {
        var decision = Rules.Decide(Entry(Stage.Contacted), Stage.Engaged, new string('r', Rules.MaxReasonLength + 1), "anna", Noon);

        Assert.False(decision.IsAllowed);
        Assert.Equal("The reason is too long (at most 1000 characters).", decision.Refusal!.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Decide_WithoutActor_IsRefused(string by)
    {
        var decision = Rules.Decide(Entry(Stage.Contacted), Stage.Engaged, "Interested", by, Noon);

        Assert.False(decision.IsAllowed);
        Assert.Equal("The person making the change must be known.", decision.Refusal!.Template);
    }

    [Fact]
    public void Decide_WithNullActor_IsRefused() =>
        Assert.False(Rules.Decide(Entry(Stage.Contacted), Stage.Engaged, "Interested", null!, Noon).IsAllowed);

    [Fact]
    public void Decide_ActorTooLong_IsRefused_AndMaximumLengthIsAllowed()
    {
        Assert.False(Rules.Decide(Entry(Stage.Contacted), Stage.Engaged, "Interested", new string('a', Rules.MaxActorLength + 1), Noon).IsAllowed);
        Assert.True(Rules.Decide(Entry(Stage.Contacted), Stage.Engaged, "Interested", new string('a', Rules.MaxActorLength), Noon).IsAllowed);
    }

    [Fact]
    public void Decide_NotNowWithoutRevisitDate_IsRefused()
    {
        var decision = Rules.Decide(Entry(Stage.Engaged), Stage.NotNow, "Budget next year", "anna", Noon);

        Assert.False(decision.IsAllowed);
        Assert.Equal("'not now' needs a revisit date.", decision.Refusal!.Template);
    }

    [Fact]
    public void Decide_NotNowWithRevisitDateTomorrow_IsAllowedAndCarriesTheDate()
    {
        var decision = Rules.Decide(Entry(Stage.Engaged), Stage.NotNow, "Budget next year", "anna", Noon, new DateOnly(2026, 1, 16));

        Assert.True(decision.IsAllowed);
        Assert.Equal(new DateOnly(2026, 1, 16), decision.Change!.RevisitOn);
    }

    [Theory]
    [InlineData(2026, 1, 15)]
    [InlineData(2026, 1, 14)]
    [InlineData(2025, 6, 1)]
    public void Decide_NotNowWithRevisitDateTodayOrEarlier_IsRefused(int year, int month, int day)
    {
        var decision = Rules.Decide(Entry(Stage.Engaged), Stage.NotNow, "Budget next year", "anna", Noon, new DateOnly(year, month, day));

        Assert.False(decision.IsAllowed);
        Assert.Equal("The revisit date must be after today (2026-01-15).", decision.Refusal!.ToString());
    }

    /// <summary>23:30 UTC on 15 January is 00:30 on the 16th in Amsterdam (UTC+1): "today" is already the 16th.</summary>
    [Fact]
    public void Decide_NotNowJustAfterMidnightInAmsterdamInWinter_CountsTodayAsTheLocalDate()
    {
        var at = new DateTimeOffset(2026, 1, 15, 23, 30, 0, TimeSpan.Zero);

        var sameLocalDay = Rules.Decide(Entry(Stage.Engaged), Stage.NotNow, "Later", "anna", at, new DateOnly(2026, 1, 16));
        var nextLocalDay = Rules.Decide(Entry(Stage.Engaged), Stage.NotNow, "Later", "anna", at, new DateOnly(2026, 1, 17));

        Assert.False(sameLocalDay.IsAllowed);
        Assert.Equal("The revisit date must be after today (2026-01-16).", sameLocalDay.Refusal!.ToString());
        Assert.True(nextLocalDay.IsAllowed);
    }

    /// <summary>22:30 UTC on 15 July is 00:30 on the 16th in Amsterdam (UTC+2), but 22:30 UTC in winter is still the 15th.</summary>
    [Theory]
    [InlineData("2026-07-15T22:30:00Z", "2026-07-16", false)]
    [InlineData("2026-07-15T21:59:59Z", "2026-07-16", true)]
    [InlineData("2026-01-15T22:30:00Z", "2026-01-16", true)]
    [InlineData("2026-01-15T22:59:59Z", "2026-01-16", true)]
    [InlineData("2026-01-15T23:00:00Z", "2026-01-16", false)]
    public void Decide_NotNowAroundMidnight_UsesTheAmsterdamDate(string atUtc, string revisit, bool allowed)
    {
        var at = DateTimeOffset.Parse(atUtc, System.Globalization.CultureInfo.InvariantCulture);

        var decision = Rules.Decide(Entry(Stage.Engaged), Stage.NotNow, "Later", "anna", at, DateOnly.Parse(revisit, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(allowed, decision.IsAllowed);
    }

    [Theory]
    [InlineData(Stage.Identified, Stage.Contacted)]
    [InlineData(Stage.NotNow, Stage.Contacted)]
    [InlineData(Stage.Engaged, Stage.Declined)]
    public void Decide_RevisitDateForAnotherStage_IsRefused(Stage from, Stage to)
    {
        var decision = Rules.Decide(Entry(from, from == Stage.NotNow ? new DateOnly(2026, 3, 1) : null), to, "Moving on", "anna", Noon, new DateOnly(2026, 6, 1));

        Assert.False(decision.IsAllowed);
        Assert.Equal("A revisit date only belongs with 'not now'.", decision.Refusal!.Template);
    }

    [Fact]
    public void Apply_SetsStageAndStageSince_AndKeepsTheRest()
    {
        var entry = Entry(Stage.Contacted);
        var at = new DateTimeOffset(2026, 1, 20, 14, 0, 0, TimeSpan.Zero);

        var applied = Rules.Apply(entry, new StageChange(entry.Id, Stage.Contacted, Stage.Engaged, at, "anna", "Interested"));

        Assert.Equal(entry with { Stage = Stage.Engaged, StageSince = at }, applied);
    }

    [Fact]
    public void Apply_IntoNotNow_SetsTheRevisitDate()
    {
        var entry = Entry(Stage.Engaged);

        var applied = Rules.Apply(entry, new StageChange(entry.Id, Stage.Engaged, Stage.NotNow, Noon, "anna", "Later", new DateOnly(2026, 9, 1)));

        Assert.Equal(Stage.NotNow, applied.Stage);
        Assert.Equal(new DateOnly(2026, 9, 1), applied.RevisitOn);
    }

    [Fact]
    public void Apply_LeavingNotNow_ClearsTheRevisitDate()
    {
        var entry = Entry(Stage.NotNow, new DateOnly(2026, 1, 10));

        var applied = Rules.Apply(entry, new StageChange(entry.Id, Stage.NotNow, Stage.Contacted, Noon, "anna", "Revisited"));

        Assert.Equal(Stage.Contacted, applied.Stage);
        Assert.Null(applied.RevisitOn);
    }

    [Fact]
    public void Apply_NeverKeepsARevisitDateOutsideNotNow_EvenIfTheChangeCarriesOne()
    {
        var entry = Entry(Stage.NotNow, new DateOnly(2026, 1, 10));

        var applied = Rules.Apply(entry, new StageChange(entry.Id, Stage.NotNow, Stage.Contacted, Noon, "anna", "Revisited", new DateOnly(2026, 5, 1)));

        Assert.Null(applied.RevisitOn);
    }

    [Fact]
    public void DecideThenApply_FollowsAWholeFunnel()
    {
        var entry = Entry(Stage.Identified);
        var at = Noon;
        foreach (var next in Stages.Funnel.Skip(1).Append(Stage.Left))
        {
            at = at.AddDays(1);
            var decision = Rules.Decide(entry, next, "step", "anna", at);
            Assert.True(decision.IsAllowed, decision.Refusal?.ToString());
            entry = Rules.Apply(entry, decision.Change!);
        }

        Assert.Equal(Stage.Left, entry.Stage);
        Assert.Equal(at, entry.StageSince);
    }

    [Fact]
    public void CurrentStage_OfNoHistory_IsNull() => Assert.Null(Rules.CurrentStage([]));

    [Fact]
    public void CurrentStage_ReplaysInTimeOrder_NotListOrderOrIdOrder()
    {
        var t0 = Noon;
        StageChange[] history =
        [
            new(1, Stage.Contacted, Stage.Engaged, t0.AddHours(2), "anna", "b") { Id = 2 },
            new(1, Stage.Identified, Stage.Contacted, t0.AddHours(1), "anna", "a") { Id = 9 },
            new(1, null, Stage.Identified, t0, "anna", "created") { Id = 1 },
        ];

        Assert.Equal(Stage.Engaged, Rules.CurrentStage(history));
    }

    [Fact]
    public void CurrentStage_WithEqualTimes_BreaksTheTieById()
    {
        var t0 = Noon;
        StageChange[] history =
        [
            new(1, Stage.Engaged, Stage.Declined, t0.AddHours(1), "bob", "no") { Id = 3 },
            new(1, Stage.Contacted, Stage.Engaged, t0.AddHours(1), "anna", "yes") { Id = 2 },
            new(1, null, Stage.Contacted, t0, "anna", "created") { Id = 1 },
        ];

        Assert.Equal(Stage.Declined, Rules.CurrentStage(history));
        Assert.Equal(Stage.Engaged, Rules.CurrentStage(history.Where(c => c.Id != 3)));
    }

    [Fact]
    public void CurrentStage_ComparesInstantsNotWallClocks()
    {
        // 10:30 at +02:00 is 08:30 UTC: earlier than 09:00 UTC even though its wall clock reads later.
        StageChange[] history =
        [
            new(1, Stage.Identified, Stage.Contacted, new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero), "anna", "b") { Id = 1 },
            new(1, null, Stage.Identified, new DateTimeOffset(2026, 6, 1, 10, 30, 0, TimeSpan.FromHours(2)), "anna", "a") { Id = 2 },
        ];

        Assert.Equal(Stage.Contacted, Rules.CurrentStage(history));
    }
}
