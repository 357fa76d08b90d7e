using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Sequences;

namespace Outreach.Core.Tests.Sequences;

/// <summary>Issue 16, 3: a sequence serves a range of stages; the enrolment rule checks the range. Pure.</summary>
public sealed class SequenceStageRangeTests
{
    private static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.Ordinal) { BuiltInTemplates.FollowUp };

    private static Sequence Ranged(Stage? from, Stage to) => new(1, "s", to, [new(BuiltInTemplates.FollowUp, 1)]) { FromStage = from };

    [Theory]
    // A sequence made before ranges (no first stage) keeps serving every funnel stage up to its own, as it did.
    [InlineData(null, Stage.Contacted, Stage.Identified, true)]
    [InlineData(null, Stage.Contacted, Stage.Contacted, true)]
    [InlineData(null, Stage.Contacted, Stage.Engaged, false)]
    [InlineData(null, Stage.Contacted, Stage.NotNow, false)]
    // A range serves its stages and no other.
    [InlineData(Stage.Contacted, Stage.Intake, Stage.Identified, false)]
    [InlineData(Stage.Contacted, Stage.Intake, Stage.Contacted, true)]
    [InlineData(Stage.Contacted, Stage.Intake, Stage.Engaged, true)]
    [InlineData(Stage.Contacted, Stage.Intake, Stage.Intake, true)]
    [InlineData(Stage.Contacted, Stage.Intake, Stage.SigningScheduled, false)]
    [InlineData(Stage.Contacted, Stage.Intake, Stage.Declined, false)]
    [InlineData(Stage.Engaged, Stage.Engaged, Stage.Engaged, true)]
    [InlineData(Stage.Engaged, Stage.Engaged, Stage.Contacted, false)]
    public void Serves_ChecksTheRange(Stage? from, Stage to, Stage prospectAt, bool served)
    {
        Assert.Equal(served, EnrolmentRules.Serves(Ranged(from, to), prospectAt));
        Assert.Equal(served, EnrolmentRules.WhyNotServed(Ranged(from, to), prospectAt) is null);
    }

    [Fact]
    public void AProspectBeforeTheRange_IsToldTheRange()
    {
        var why = EnrolmentRules.WhyNotServed(Ranged(Stage.Engaged, Stage.Intake), Stage.Contacted);
        Assert.NotNull(why);
        Assert.Equal("The prospect is at '{0}', outside this sequence's stages '{1}' to '{2}'.", why.Template);
        Assert.Equal(["contacted", "engaged", "intake"], why.Args.Select(a => a.ToLowerInvariant()));
    }

    [Fact]
    public void AnOldSequence_StillRefusesPastItsStage_WithTheSameWords()
    {
        var why = EnrolmentRules.WhyNotServed(Ranged(null, Stage.Contacted), Stage.Engaged);
        Assert.Equal("The prospect is at '{0}', past this sequence's stage '{1}'.", why?.Template);
    }

    [Fact]
    public void MovingInsideTheRange_DoesNotEndIt_PastItsLastStageDoes()
    {
        var sequence = Ranged(Stage.Contacted, Stage.Intake);
        var open = new Enrolment { Id = 3, SequenceId = 1, State = EnrolmentState.Active };
        Assert.Empty(EnrolmentRules.EndedByMove(Stage.Engaged, [open], [sequence]));
        Assert.Single(EnrolmentRules.EndedByMove(Stage.SigningScheduled, [open], [sequence]));
    }

    [Fact]
    public void ARangeThatEndsBeforeItStarts_IsRefused() =>
        Assert.Contains(SequenceValidation.Check(Valid with { FromStage = Stage.Intake, Stage = Stage.Contacted }, Keys), e => e.Field == "fromStage");

    [Fact]
    public void AnExitStage_CannotBeServed()
    {
        Assert.Contains(SequenceValidation.Check(Valid with { FromStage = Stage.NotNow }, Keys), e => e.Field == "fromStage");
        Assert.Contains(SequenceValidation.Check(Valid with { Stage = Stage.Declined }, Keys), e => e.Field == "stage");
    }

    [Fact]
    public void EnrollingByRule_BeforeTheFirstStage_IsRefused_InsideTheRange_Allowed()
    {
        var ranged = Valid with { FromStage = Stage.Engaged, Stage = Stage.Intake };
        Assert.Contains(SequenceValidation.Check(ranged with { EnrolOnEntering = Stage.Contacted }, Keys), e => e.Field == "enrolOnEntering");
        Assert.Empty(SequenceValidation.Check(ranged with { EnrolOnEntering = Stage.Engaged }, Keys));
        Assert.Empty(SequenceValidation.Check(ranged, Keys));
    }

    private static SequenceDraft Valid => new() { Name = "Engaged follow-up", Stage = Stage.Contacted, Steps = [new(BuiltInTemplates.FollowUp, 2)] };
}
