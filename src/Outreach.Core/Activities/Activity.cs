using Outreach.Core.Common;

namespace Outreach.Core.Activities;

/// <summary>What happened outside Outreach's own mail: a phone call, a meeting, or a note.</summary>
public enum ActivityKind
{
    Call,
    Meeting,
    Note,
}

public enum CallDirection
{
    Outgoing,
    Incoming,
}

/// <summary>How a call went, in the words an officer uses after hanging up.</summary>
public enum CallOutcome
{
    Reached,
    NoAnswer,
    LeftMessage,
    WrongNumber,
}

/// <summary>
/// Where an activity was logged. Only <see cref="Outreach"/> exists now; the write-back and read-in with Dynamics (issue 15
/// point 4) add <see cref="Dynamics"/> rows, which are never written back (no echo).
/// </summary>
public enum ActivityOrigin
{
    Outreach,
    Dynamics,
}

public static class ActivityCodes
{
    public static readonly CodeTable<ActivityKind> Kinds = new(new Dictionary<ActivityKind, string>
    {
        [ActivityKind.Call] = "call",
        [ActivityKind.Meeting] = "meeting",
        [ActivityKind.Note] = "note",
    });

    public static readonly CodeTable<CallDirection> Directions = new(new Dictionary<CallDirection, string>
    {
        [CallDirection.Outgoing] = "outgoing",
        [CallDirection.Incoming] = "incoming",
    });

    public static readonly CodeTable<CallOutcome> Outcomes = new(new Dictionary<CallOutcome, string>
    {
        [CallOutcome.Reached] = "reached",
        [CallOutcome.NoAnswer] = "no_answer",
        [CallOutcome.LeftMessage] = "left_message",
        [CallOutcome.WrongNumber] = "wrong_number",
    });

    public static readonly CodeTable<ActivityOrigin> Origins = new(new Dictionary<ActivityOrigin, string>
    {
        [ActivityOrigin.Outreach] = "outreach",
        [ActivityOrigin.Dynamics] = "dynamics",
    });

    public static string Code(this ActivityKind kind) => Kinds.Code(kind);
    public static string Code(this CallDirection direction) => Directions.Code(direction);
    public static string Code(this CallOutcome outcome) => Outcomes.Code(outcome);
    public static string Code(this ActivityOrigin origin) => Origins.Code(origin);

    public static string Label(this ActivityKind kind) => kind switch
    {
        ActivityKind.Call => "Call",
        ActivityKind.Meeting => "Meeting",
        _ => "Note",
    };

    public static string Label(this CallDirection direction) => direction == CallDirection.Outgoing ? "Outgoing" : "Incoming";

    public static string Label(this CallOutcome outcome) => outcome switch
    {
        CallOutcome.Reached => "Reached",
        CallOutcome.NoAnswer => "No answer",
        CallOutcome.LeftMessage => "Left a message",
        _ => "Wrong number",
    };
}

/// <summary>A contact an activity was with, by the name they had when it was logged (empty once the contact is erased).</summary>
public sealed record ActivityContact(long ContactId, string? Name);

/// <summary>What an officer fills in; the same for a new activity, an edit and a correction.</summary>
public sealed record ActivityDraft
{
    public ActivityKind Kind { get; init; }
    /// <summary>When the call or meeting took place (or the note was taken); defaults to now.</summary>
    public DateTimeOffset? OccurredAt { get; init; }
    /// <summary>What was said or agreed: free text, the secretariat's responsibility (as stage reasons are).</summary>
    public string? Text { get; init; }
    public CallDirection? Direction { get; init; }
    public CallOutcome? Outcome { get; init; }
    public int? DurationMinutes { get; init; }
    /// <summary>A meeting's place (an address, "Teams", "their office").</summary>
    public string? Location { get; init; }
    /// <summary>Who else attended a meeting, beyond the linked contacts (colleagues, people not in Outreach).</summary>
    public string? OtherAttendees { get; init; }
    public IReadOnlyList<long> ContactIds { get; init; } = [];
    /// <summary>The follow-up: becomes the prospect's next action (a save of the next action, so it replaces the one there).</summary>
    public string? FollowUp { get; init; }
    public DateOnly? FollowUpDue { get; init; }
}

/// <summary>A logged call, meeting or note against a prospect (a pipeline entry).</summary>
public sealed record Activity
{
    public long Id { get; init; }
    public long ProspectId { get; init; }
    public ActivityKind Kind { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public string Text { get; init; } = "";
    public CallDirection? Direction { get; init; }
    public CallOutcome? Outcome { get; init; }
    public int? DurationMinutes { get; init; }
    public string? Location { get; init; }
    public string? OtherAttendees { get; init; }
    public IReadOnlyList<ActivityContact> Contacts { get; init; } = [];
    public string? FollowUp { get; init; }
    public DateOnly? FollowUpDue { get; init; }
    public string Author { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? EditedAt { get; init; }
    /// <summary>The activity this one corrects (an activity older than a day is not edited; a correction is appended).</summary>
    public long? CorrectsId { get; init; }
    public ActivityOrigin Origin { get; init; } = ActivityOrigin.Outreach;
    /// <summary>The Dynamics activity's id (phone call, appointment, annotation), once written back or read in.</summary>
    public string? DataverseId { get; init; }
}

/// <summary>The rules of logging and changing activities; pure.</summary>
public static class ActivityRules
{
    public const int MaxTextLength = 4000;
    public const int MaxLocationLength = 300;
    public const int MaxAttendeesLength = 500;
    public const int MaxFollowUpLength = 500;
    public const int MaxDurationMinutes = 24 * 60;
    public const int MaxContacts = 50;

    /// <summary>How long the author may still change an activity in place; later, a correction is appended (the record stays as it was).</summary>
    public static readonly TimeSpan EditWindow = TimeSpan.FromDays(1);

    /// <summary>How far ahead an activity may be dated (a meeting being logged just before it starts); further is a typing error.</summary>
    public static readonly TimeSpan FutureSlack = TimeSpan.FromDays(1);

    /// <summary>Only the author, within a day of logging it, and only what was logged in Outreach.</summary>
    public static bool CanEdit(Activity activity, string actor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return activity.Origin == ActivityOrigin.Outreach
               && string.Equals(activity.Author, actor, StringComparison.Ordinal)
               && now - activity.CreatedAt < EditWindow;
    }

    /// <summary>
    /// The field errors of a draft for a prospect whose contacts are <paramref name="prospectContacts"/>. A call needs its
    /// direction and outcome, a note its text; contacts must be the organisation's own; a follow-up due date needs a follow-up.
    /// </summary>
    public static IReadOnlyList<FieldError> Check(ActivityDraft draft, IReadOnlyCollection<long> prospectContacts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(prospectContacts);
        var errors = new List<FieldError>();
        if (!Enum.IsDefined(draft.Kind)) errors.Add(new FieldError("Kind", new DomainMessage("Choose a call, a meeting or a note.")));
        errors.AddRange(Prospects.Validation.CheckText("Text", draft.Text, MaxTextLength, required: draft.Kind == ActivityKind.Note, multiline: true));
        errors.AddRange(Prospects.Validation.CheckText("Location", draft.Location, MaxLocationLength, required: false));
        errors.AddRange(Prospects.Validation.CheckText("OtherAttendees", draft.OtherAttendees, MaxAttendeesLength, required: false));
        errors.AddRange(Prospects.Validation.CheckText("FollowUp", draft.FollowUp, MaxFollowUpLength, required: false));
        if (draft.Kind == ActivityKind.Call)
        {
            if (draft.Direction is not { } d || !Enum.IsDefined(d)) errors.Add(new FieldError("Direction", new DomainMessage("Say whether you called or were called.")));
            if (draft.Outcome is not { } o || !Enum.IsDefined(o)) errors.Add(new FieldError("Outcome", new DomainMessage("Say how the call went.")));
        }

        if (draft.DurationMinutes is < 0 or > MaxDurationMinutes)
            errors.Add(new FieldError("DurationMinutes", new DomainMessage("A duration is between 0 and {0} minutes.", MaxDurationMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        if (draft.OccurredAt is { } at && at > now + FutureSlack)
            errors.Add(new FieldError("OccurredAt", new DomainMessage("An activity cannot be more than a day ahead.")));
        if (draft.ContactIds.Count > MaxContacts || draft.ContactIds.Any(id => !prospectContacts.Contains(id)))
            errors.Add(new FieldError("ContactIds", new DomainMessage("Choose contacts of this organisation.")));
        if (draft.FollowUpDue is not null && string.IsNullOrWhiteSpace(draft.FollowUp))
            errors.Add(new FieldError("FollowUp", new DomainMessage("Say what the follow-up is, or leave its date empty.")));
        return errors;
    }

    /// <summary>The draft as stored: texts trimmed, empties as null, fields of other kinds dropped, contacts once each.</summary>
    public static ActivityDraft Clean(ActivityDraft draft, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var call = draft.Kind == ActivityKind.Call;
        var meeting = draft.Kind == ActivityKind.Meeting;
        return draft with
        {
            OccurredAt = draft.OccurredAt ?? now,
            Text = draft.Text?.Trim() ?? "",
            Direction = call ? draft.Direction : null,
            Outcome = call ? draft.Outcome : null,
            DurationMinutes = call || meeting ? draft.DurationMinutes : null,
            Location = meeting ? Empty(draft.Location) : null,
            OtherAttendees = meeting ? Empty(draft.OtherAttendees) : null,
            ContactIds = draft.ContactIds.Distinct().Order().ToList(),
            FollowUp = Empty(draft.FollowUp),
            FollowUpDue = Empty(draft.FollowUp) is null ? null : draft.FollowUpDue,
        };
    }

    private static string? Empty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
