using Outreach.Core.Calendar;

namespace Outreach.Core.Sequences;

/// <summary>
/// Office hours in Europe/Amsterdam on Dutch business days, when outreach mail may go out (default 09:00–17:00).
/// Times are wall-clock times, so a mail planned for 09:00 goes at 09:00 on both sides of a daylight-saving change.
/// </summary>
public sealed record SendWindow(TimeOnly Opens, TimeOnly Closes)
{
    public static readonly SendWindow OfficeHours = new(new TimeOnly(9, 0), new TimeOnly(17, 0));

    /// <summary>Refuses a window that closes before it opens (a night window is not something the secretariat sends in).</summary>
    public static SendWindow Create(TimeOnly opens, TimeOnly closes) =>
        closes > opens ? new SendWindow(opens, closes) : throw new ArgumentException($"The send window must close after it opens ({opens:HH:mm}–{closes:HH:mm}).");

    public bool Contains(DateTimeOffset instant)
    {
        var local = AmsterdamClock.ToLocal(instant);
        var time = TimeOnly.FromDateTime(local.DateTime);
        return DutchCalendar.IsBusinessDay(DateOnly.FromDateTime(local.DateTime)) && time >= Opens && time < Closes;
    }

    /// <summary>The first instant at or after <paramref name="earliest"/> inside the window.</summary>
    public DateTimeOffset NextOpening(DateTimeOffset earliest)
    {
        if (Contains(earliest)) return earliest;
        var local = AmsterdamClock.ToLocal(earliest);
        var date = DateOnly.FromDateTime(local.DateTime);
        if (!DutchCalendar.IsBusinessDay(date) || TimeOnly.FromDateTime(local.DateTime) >= Closes)
            date = DutchCalendar.AddBusinessDays(date.AddDays(1), 0);
        return AmsterdamClock.AtLocal(date, Opens);
    }

    /// <summary>
    /// When a step that waits <paramref name="businessDays"/> Dutch business days after <paramref name="from"/> is due:
    /// that many business days later, at the same wall-clock time, moved into the window.
    /// </summary>
    public DateTimeOffset After(DateTimeOffset from, int businessDays)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(businessDays);
        if (businessDays == 0) return NextOpening(from);
        var local = AmsterdamClock.ToLocal(from);
        var day = DutchCalendar.AddBusinessDays(DateOnly.FromDateTime(local.DateTime), businessDays);
        return NextOpening(AmsterdamClock.AtLocal(day, TimeOnly.FromDateTime(local.DateTime)));
    }
}
