using Outreach.Core.Common;

namespace Outreach.Core.Events;

/// <summary>The stored codes of <see cref="EventFormat"/> (network_event.format).</summary>
public static class EventFormats
{
    public static readonly CodeTable<EventFormat> Table = new(new Dictionary<EventFormat, string>
    {
        [EventFormat.Physical] = "physical",
        [EventFormat.Online] = "online",
        [EventFormat.Hybrid] = "hybrid",
    });

    public static string Code(this EventFormat value) => Table.Code(value);

    public static EventFormat Parse(string code) => Table.Parse(code);
}
