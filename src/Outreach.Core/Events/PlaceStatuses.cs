using Outreach.Core.Common;

namespace Outreach.Core.Events;

/// <summary>The stored codes of <see cref="PlaceStatus"/> (invitation.place).</summary>
public static class PlaceStatuses
{
    public static readonly CodeTable<PlaceStatus> Table = new(new Dictionary<PlaceStatus, string>
    {
        [PlaceStatus.None] = "none",
        [PlaceStatus.Confirmed] = "confirmed",
        [PlaceStatus.Waitlisted] = "waitlisted",
        [PlaceStatus.Offered] = "offered",
        [PlaceStatus.Lapsed] = "lapsed",
    });

    public static string Code(this PlaceStatus value) => Table.Code(value);

    public static PlaceStatus Parse(string code) => Table.Parse(code);
}
