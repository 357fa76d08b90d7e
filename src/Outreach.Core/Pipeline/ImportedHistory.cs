using System.Globalization;
using Outreach.Core.Common;

namespace Outreach.Core.Pipeline;

/// <summary>One line of an imported prospect's history: the stage it reached and on which day (null: at the moment of the import).</summary>
public sealed record HistoryStep(Stage Stage, DateOnly? On);

/// <summary>
/// The history an imported prospect is given when the file says where it stands: the stage path from its first contact to
/// its current stage, each step one the stage rules allow, dated in the past. Only two dates are known (first contact and
/// the current stage's), so the steps between them are dated on the current stage's day: the earliest day the prospect is
/// known to have passed them by. Without dates a prospect starts as a new one does (identified or contacted, today).
/// </summary>
public static class ImportedHistory
{
    /// <summary>Field names of the errors; the import names them after its columns.</summary>
    public const string FirstContactField = "FirstContactOn";
    public const string StageDateField = "StageOn";
    public const string StageField = "Stage";

    /// <summary>The lines to write, first to last, or the errors (then no lines).</summary>
    public static (IReadOnlyList<HistoryStep> Steps, IReadOnlyList<FieldError> Errors) Plan(Stage current, DateOnly? firstContactOn, DateOnly? stageOn, DateOnly today)
    {
        var errors = new List<FieldError>();
        if (firstContactOn > today)
            errors.Add(new FieldError(FirstContactField, "The first contact date {0} is in the future.", Day(firstContactOn.Value)));
        if (stageOn > today)
            errors.Add(new FieldError(StageDateField, "The stage date {0} is in the future.", Day(stageOn.Value)));
        if (firstContactOn is { } f && stageOn is { } s && f > s)
            errors.Add(new FieldError(FirstContactField, "The first contact ({0}) is after the stage date ({1}); it cannot be later than the current stage.", Day(f), Day(s)));

        if (firstContactOn is null && stageOn is null)
        {
            if (!Pipeline.StartingStages.Contains(current))
                errors.Add(new FieldError(StageField, "A prospect imported in '{0}' needs the date it reached that stage (and preferably its first contact date); without dates it starts in 'identified' or 'contacted'.", current.Label()));
            return errors.Count > 0 ? ([], errors) : ([new HistoryStep(current, null)], errors);
        }

        if (current == Stage.Identified && firstContactOn is not null)
            errors.Add(new FieldError(FirstContactField, "A prospect in 'identified' has not been contacted yet: leave the first contact date empty."));
        if (current == Stage.Contacted && firstContactOn is { } fc && stageOn is { } sc && fc != sc)
            errors.Add(new FieldError(StageDateField, "A prospect in 'contacted' reached it on its first contact: give the same date for both, or only one of them."));
        if (stageOn is null && current != Stage.Contacted)
            errors.Add(new FieldError(StageDateField, "Give the date the prospect reached '{0}'.", current.Label()));
        if (errors.Count > 0) return ([], errors);

        var stageDay = stageOn ?? firstContactOn!.Value;
        var firstContact = firstContactOn ?? stageDay;
        var steps = Path(current, firstContactOn is not null).Select((stage, i) =>
            new HistoryStep(stage, stage == Stage.Contacted && i == 0 ? firstContact : stageDay)).ToList();
        // The table below is checked against the stage rules here too, so a change of the rules cannot slip past the import.
        for (var i = 1; i < steps.Count; i++)
        {
            if (!StageRules.IsAllowed(steps[i - 1].Stage, steps[i].Stage))
                throw new InvalidOperationException($"Imported path {steps[i - 1].Stage} -> {steps[i].Stage} breaks the stage rules.");
        }

        return (steps, []);
    }

    /// <summary>The shortest path the rules allow from a first contact (or, for an exit without one, from identified) to <paramref name="current"/>.</summary>
    private static List<Stage> Path(Stage current, bool contacted)
    {
        switch (current)
        {
            case Stage.Identified:
                return [Stage.Identified];
            case Stage.Declined:
            case Stage.NotNow:
                return [contacted ? Stage.Contacted : Stage.Identified, current];
            case Stage.Left:
                return [.. Stages.Funnel.Skip(1), Stage.Left];
            default:
                var end = Stages.Funnel.IndexOf(current);
                return [.. Stages.Funnel.Skip(1).Take(end)];
        }
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
