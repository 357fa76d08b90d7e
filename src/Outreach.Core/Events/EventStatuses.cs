using Outreach.Core.Common;

namespace Outreach.Core.Events;

/// <summary>The stored codes of <see cref="EventStatus"/> (network_event.status).</summary>
public static class EventStatuses
{
    public static readonly CodeTable<EventStatus> Table = new(new Dictionary<EventStatus, string>
    {
        [EventStatus.Scheduled] = "scheduled",
        [EventStatus.Cancelled] = "cancelled",
    });

    public static string Code(this EventStatus value) => Table.Code(value);

    public static EventStatus Parse(string code) => Table.Parse(code);
}
