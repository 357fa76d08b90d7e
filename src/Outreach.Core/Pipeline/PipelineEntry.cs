using Outreach.Core.Calendar;
using Outreach.Core.Common;

namespace Outreach.Core.Pipeline;

/// <summary>One appended line of an entry's stage history. <see cref="From"/> is null for the entry's creation.</summary>
public sealed record StageChange(
    long EntryId,
    Stage? From,
    Stage To,
    DateTimeOffset At,
    string By,
    string Reason,
    DateOnly? RevisitOn = null)
{
    public long Id { get; init; }
}

/// <summary>A party's place in one covenant's pipeline. Its stage is kept consistent with its history by the store, in one transaction.</summary>
public sealed record PipelineEntry
{
    public long Id { get; init; }
    public long OrganisationId { get; init; }
    public long CovenantId { get; init; }
    public Stage Stage { get; init; }
    public DateTimeOffset StageSince { get; init; }
    /// <summary>Set while the entry is in <see cref="Stage.NotNow"/>: the local date to approach the party again.</summary>
    public DateOnly? RevisitOn { get; init; }
    public string? NextAction { get; init; }
    public DateOnly? NextActionDue { get; init; }
    /// <summary>Set by pipeline hygiene when the next action's due date has passed.</summary>
    public bool NextActionOverdue { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>The result of asking to move an entry: either the change to append, or why it is refused.</summary>
public sealed record MoveDecision(StageChange? Change, DomainMessage? Refusal)
{
    public bool IsAllowed => Change is not null;

    public static MoveDecision Refuse(string template, params string[] args) => new(null, new DomainMessage(template, args));
}

/// <summary>The pipeline's rules for a single move (pure: the caller persists the change).</summary>
public static class Pipeline
{
    public const int MaxReasonLength = 1000;
    public const int MaxActorLength = 200;
    public const int MaxRevisitYears = 3;

    /// <summary>The stages a new entry may start in; anything further is reached by moves with reasons.</summary>
    public static readonly IReadOnlyList<Stage> StartingStages = [Stage.Identified, Stage.Contacted];

    public static MoveDecision Decide(PipelineEntry entry, Stage to, string? reason, string by, DateTimeOffset at, DateOnly? revisitOn = null)
    {
        var why = StageRules.WhyRefused(entry.Stage, to);
        if (why is not null) return new MoveDecision(null, why);

        var trimmed = reason?.Trim() ?? "";
        if (trimmed.Length == 0)
            return MoveDecision.Refuse("A reason is required for every stage change.");
        if (trimmed.Length > MaxReasonLength)
            return MoveDecision.Refuse("The reason is too long (at most {0} characters).", MaxReasonLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Prospects.Validation.HasForbiddenCharacters(trimmed, multiline: true))
            return MoveDecision.Refuse("The reason contains characters that are not allowed.");
        if (string.IsNullOrWhiteSpace(by) || by.Length > MaxActorLength)
            return MoveDecision.Refuse("The person making the change must be known.");

        if (to == Stage.NotNow)
        {
            if (revisitOn is null)
                return MoveDecision.Refuse("'not now' needs a revisit date.");
            var today = AmsterdamClock.DateOf(at);
            if (revisitOn <= today)
                return MoveDecision.Refuse("The revisit date must be after today ({0}).", today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            if (revisitOn > today.AddYears(MaxRevisitYears))
                return MoveDecision.Refuse("The revisit date must be within {0} years.", MaxRevisitYears.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (revisitOn is not null)
        {
            return MoveDecision.Refuse("A revisit date only belongs with 'not now'.");
        }

        return new MoveDecision(new StageChange(entry.Id, entry.Stage, to, at, by.Trim(), trimmed, revisitOn), null);
    }

    /// <summary>Applies an allowed change to the entry (what the store writes in the same transaction as the history line).</summary>
    public static PipelineEntry Apply(PipelineEntry entry, StageChange change) => entry with
    {
        Stage = change.To,
        StageSince = change.At,
        RevisitOn = change.To == Stage.NotNow ? change.RevisitOn : null,
    };

    /// <summary>Replays a history to the current stage: the store's stage column must always equal this.</summary>
    public static Stage? CurrentStage(IEnumerable<StageChange> history) =>
        history.OrderBy(c => c.At).ThenBy(c => c.Id).Select(c => (Stage?)c.To).LastOrDefault();
}
