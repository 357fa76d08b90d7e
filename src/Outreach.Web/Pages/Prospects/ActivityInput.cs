using Outreach.Core.Activities;
using Outreach.Core.Calendar;
using Outreach.Core.Common;
using Outreach.Core.Prospects;

namespace Outreach.Web.Pages.Prospects;

/// <summary>The activity form's fields as posted (the page and the edit page share it); codes are checked when turned into a draft.</summary>
public sealed class ActivityInput
{
    public string? Kind { get; set; }
    /// <summary>Amsterdam wall-clock time of the call or meeting; empty is now.</summary>
    public DateTime? OccurredAt { get; set; }
    public string? Text { get; set; }
    public string? Direction { get; set; }
    public string? Outcome { get; set; }
    public int? DurationMinutes { get; set; }
    public string? Location { get; set; }
    public string? OtherAttendees { get; set; }
    public List<long> ContactIds { get; set; } = [];
    public string? FollowUp { get; set; }
    public DateOnly? FollowUpDue { get; set; }

    /// <summary>The draft, or the fields whose codes are unknown (a hand-made post).</summary>
    public (ActivityDraft? Draft, IReadOnlyList<FieldError> Errors) ToDraft()
    {
        var errors = new List<FieldError>();
        if (!ActivityCodes.Kinds.TryParse(Kind, out var kind)) errors.Add(new FieldError("Kind", new DomainMessage("Choose a call, a meeting or a note.")));
        CallDirection? direction = null;
        if (!string.IsNullOrEmpty(Direction))
        {
            if (ActivityCodes.Directions.TryParse(Direction, out var d)) direction = d;
            else errors.Add(new FieldError("Direction", new DomainMessage("Say whether you called or were called.")));
        }

        CallOutcome? outcome = null;
        if (!string.IsNullOrEmpty(Outcome))
        {
            if (ActivityCodes.Outcomes.TryParse(Outcome, out var o)) outcome = o;
            else errors.Add(new FieldError("Outcome", new DomainMessage("Say how the call went.")));
        }

        DateTimeOffset? at = null;
        if (OccurredAt is { } local)
        {
            if (local.Year is < 2000 or > 2100) errors.Add(new FieldError("OccurredAt", new DomainMessage("Give a date between 2000 and 2100.")));
            else at = AmsterdamClock.AtLocal(DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local));
        }

        if (errors.Count > 0) return (null, errors);
        return (new ActivityDraft
        {
            Kind = kind, OccurredAt = at, Text = Text, Direction = direction, Outcome = outcome, DurationMinutes = DurationMinutes, Location = Location,
            OtherAttendees = OtherAttendees, ContactIds = ContactIds, FollowUp = FollowUp, FollowUpDue = FollowUpDue,
        }, errors);
    }

    public static ActivityInput From(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return new()
        {
            Kind = activity.Kind.Code(), OccurredAt = AmsterdamClock.ToLocal(activity.OccurredAt).DateTime, Text = activity.Text, Direction = activity.Direction?.Code(),
            Outcome = activity.Outcome?.Code(), DurationMinutes = activity.DurationMinutes, Location = activity.Location, OtherAttendees = activity.OtherAttendees,
            ContactIds = activity.Contacts.Select(c => c.ContactId).ToList(),
        };
    }
}

/// <summary>What the activity form partial shows: where it posts, the contacts to choose from, the values and errors.</summary>
public sealed record ActivityForm(long ProspectId, string Action, IReadOnlyList<Contact> Contacts, ActivityInput Input, bool ShowFollowUp, string Submit)
{
    /// <summary>Open when it has errors or is the page's main content.</summary>
    public bool Open { get; init; }
    /// <summary>Fixed kind (an edit or a correction keeps the kind).</summary>
    public bool KindFixed { get; init; }
}
