using Outreach.Core.Common;

namespace Outreach.Core.Events;

/// <summary>The stored codes of <see cref="EventMailKind"/> (event_notice.kind).</summary>
public static class EventMailKinds
{
    public static readonly CodeTable<EventMailKind> Table = new(new Dictionary<EventMailKind, string>
    {
        [EventMailKind.Invitation] = "invitation",
        [EventMailKind.Update] = "update",
        [EventMailKind.Cancelled] = "cancelled",
        [EventMailKind.PlaceOffered] = "place_offered",
        [EventMailKind.Reminder] = "reminder",
        [EventMailKind.Thanks] = "thanks",
        [EventMailKind.NoShow] = "no_show",
        [EventMailKind.Waitlisted] = "waitlisted",
        [EventMailKind.Withdrawn] = "withdrawn",
    });

    public static string Code(this EventMailKind value) => Table.Code(value);

    public static EventMailKind Parse(string code) => Table.Parse(code);
}
