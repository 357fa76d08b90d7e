using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Sequences;

namespace Outreach.Core.Tests.Sequences;

public sealed class SequenceValidationTests
{
    private static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.Ordinal) { BuiltInTemplates.FollowUp, BuiltInTemplates.FollowUpReminder };

    private static SequenceDraft Valid => new() { Name = "After the fair", Stage = Stage.Contacted, Steps = [new(BuiltInTemplates.FollowUp, 2)] };

    [Fact]
    public void AValidSequence_HasNoErrors() => Assert.Empty(SequenceValidation.Check(Valid, Keys));

    [Theory]
    [InlineData("name")]
    [InlineData("steps")]
    [InlineData("steps[0].template")]
    [InlineData("steps[0].wait")]
    [InlineData("enrolOnEntering")]
    public void EachMistake_IsNamedOnItsField(string field)
    {
        var draft = field switch
        {
            "name" => Valid with { Name = " " },
            "steps" => Valid with { Steps = [] },
            "steps[0].template" => Valid with { Steps = [new("no-such-template", 2)] },
            "steps[0].wait" => Valid with { Steps = [new(BuiltInTemplates.FollowUp, SequenceValidation.MaxWaitBusinessDays + 1)] },
            _ => Valid with { EnrolOnEntering = Stage.Signed },
        };
        Assert.Equal([field], SequenceValidation.Check(draft, Keys).Select(e => e.Field).Distinct());
    }

    [Fact]
    public void TooManySteps_AreRefused() =>
        Assert.Contains(SequenceValidation.Check(Valid with { Steps = Enumerable.Repeat(new SequenceStep(BuiltInTemplates.FollowUp, 1), SequenceValidation.MaxSteps + 1).ToList() }, Keys),
            e => e.Field == "steps");

    [Fact]
    public void Schedule_PlansAnEnrolmentMadeByRule_FromItsEnrolmentTime_AndLeavesAPlannedOneAlone()
    {
        var sequence = new Sequence(1, "s", Stage.Contacted, [new(BuiltInTemplates.FollowUp, 1)]);
        // Friday 24 April 2026, 16:30 in Amsterdam; Monday 27 April is King's Day, so one business day later is Tuesday.
        var at = new DateTimeOffset(2026, 4, 24, 14, 30, 0, TimeSpan.Zero);
        var byRule = new Enrolment { Id = 7, SequenceId = 1, State = EnrolmentState.Active, EnrolledAt = at };
        var planned = EnrolmentRules.Schedule(byRule, sequence, SendWindow.OfficeHours);
        Assert.Equal(new DateTimeOffset(2026, 4, 28, 14, 30, 0, TimeSpan.Zero), planned.NextDue);
        Assert.Same(planned, EnrolmentRules.Schedule(planned, sequence, SendWindow.OfficeHours));
    }
}
