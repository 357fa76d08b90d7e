namespace Outreach.Core.Calendar;

/// <summary>
/// The secretariat works in Europe/Amsterdam: "today", office hours and shown times are local there,
/// while instants are stored in UTC.
/// </summary>
public static class AmsterdamClock
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    public static DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>The Amsterdam calendar date of an instant.</summary>
    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(ToLocal(instant).DateTime);

    public static DateOnly Today(TimeProvider clock) => DateOf(clock.GetUtcNow());

    /// <summary>
    /// The instant at which a local Amsterdam wall-clock time occurs (the later one in the autumn overlap;
    /// skipped times move forward by the length of the gap, so 02:30 on the spring change day is 03:30).
    /// </summary>
    public static DateTimeOffset AtLocal(DateOnly date, TimeOnly time) => AtLocal(date, time, null);

    /// <summary>
    /// As <see cref="AtLocal(DateOnly, TimeOnly)"/>, but a time in the autumn overlap (which occurs twice) is taken at
    /// <paramref name="offset"/> when that is one of its two offsets (+02:00 the first, summer time; +01:00 the second).
    /// </summary>
    public static DateTimeOffset AtLocal(DateOnly date, TimeOnly time, TimeSpan? offset)
    {
        var wall = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (offset is { } chosen && Zone.IsAmbiguousTime(wall) && Zone.GetAmbiguousTimeOffsets(wall).Contains(chosen))
            return new DateTimeOffset(wall, chosen);
        return Later(date, time);
    }

    /// <summary>True when the wall-clock time occurs twice (the hour before 03:00 on the last Sunday of October).</summary>
    public static bool IsAmbiguous(DateTime wallClock) => Zone.IsAmbiguousTime(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified));

    /// <summary>The offset of an instant's Amsterdam wall-clock time when that time occurs twice, else null (nothing to choose).</summary>
    public static TimeSpan? OffsetIfAmbiguous(DateTimeOffset instant)
    {
        var local = ToLocal(instant);
        return IsAmbiguous(local.DateTime) ? local.Offset : null;
    }

    private static DateTimeOffset Later(DateOnly date, TimeOnly time)
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
