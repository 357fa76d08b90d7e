namespace Outreach.Core.Calendar;

/// <summary>
/// The secretariat works in Europe/Amsterdam: "today", office hours and shown times are local there,
/// while instants are stored in UTC.
/// </summary>
public static class AmsterdamClock
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    public static DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(ToLocal(clock.GetUtcNow()).DateTime);

    /// <summary>
    /// The instant at which a local Amsterdam wall-clock time occurs (the later one in the autumn overlap;
    /// skipped times move forward by the length of the gap, so 02:30 on the spring change day is 03:30).
    /// </summary>
    public static DateTimeOffset AtLocal(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(local))
        {
            // For a skipped time GetUtcOffset gives the standard offset, the one in force before the gap.
            return ToLocal(new DateTimeOffset(local, Zone.GetUtcOffset(local)));
        }

        var offset = Zone.IsAmbiguousTime(local)
            ? Zone.GetAmbiguousTimeOffsets(local).Min()
            : Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
