namespace Outreach.Core.Calendar;

/// <summary>
/// Dutch business days: weekends and the public holidays the secretariat observes
/// (New Year, Easter Monday, King's Day, Ascension, Whit Monday, Christmas, Boxing Day, and
/// Liberation Day in lustrum years).
/// </summary>
public static class DutchCalendar
{
    public static bool IsBusinessDay(DateOnly date) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && HolidayName(date) is null;

    /// <summary>The English name of the public holiday on this date, or null.</summary>
    public static string? HolidayName(DateOnly date)
    {
        var easter = EasterSunday(date.Year);
        if (date.Month == 1 && date.Day == 1) return "New Year's Day";
        if (date == easter.AddDays(1)) return "Easter Monday";
        if (date == KingsDay(date.Year)) return "King's Day";
        if (date.Month == 5 && date.Day == 5 && date.Year % 5 == 0) return "Liberation Day";
        if (date == easter.AddDays(39)) return "Ascension Day";
        if (date == easter.AddDays(50)) return "Whit Monday";
        if (date.Month == 12 && date.Day == 25) return "Christmas Day";
        if (date.Month == 12 && date.Day == 26) return "Boxing Day";
        return null;
    }

    /// <summary>Adds business days: 0 returns the date itself if it is a business day, else the next one.</summary>
    public static DateOnly AddBusinessDays(DateOnly date, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        while (!IsBusinessDay(date)) date = date.AddDays(1);
        while (days > 0)
        {
            date = date.AddDays(1);
            if (IsBusinessDay(date)) days--;
        }

        return date;
    }

    /// <summary>27 April, or the 26th when the 27th is a Sunday.</summary>
    public static DateOnly KingsDay(int year)
    {
        var day = new DateOnly(year, 4, 27);
        return day.DayOfWeek == DayOfWeek.Sunday ? day.AddDays(-1) : day;
    }

    /// <summary>Gregorian Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher).</summary>
    public static DateOnly EasterSunday(int year)
    {
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
        int f = (b + 8) / 25, g = (b - f + 1) / 3, h = ((19 * a) + b - d - g + 15) % 30;
        int i = c / 4, k = c % 4, l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        int m = (a + (11 * h) + (22 * l)) / 451;
        int month = (h + l - (7 * m) + 114) / 31, day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }
}
