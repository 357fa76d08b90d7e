using System.Globalization;
using Outreach.Core.Calendar;

namespace Outreach.Web.Pages;

/// <summary>How the UI writes times and dates: Europe/Amsterdam, in the person's language.</summary>
public static class Format
{
    public static string Local(DateTimeOffset instant) =>
        AmsterdamClock.ToLocal(instant).ToString("d MMM yyyy HH:mm", CultureInfo.CurrentCulture);

    public static string Date(DateOnly date) => date.ToString("d MMM yyyy", CultureInfo.CurrentCulture);

    public static string Date(DateOnly? date) => date is { } d ? Date(d) : "";

    public static string Iso(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
}
