using System.Globalization;
using Outreach.Core.Calendar;

namespace Outreach.Web.Pages;

/// <summary>How the UI writes times and dates: Europe/Amsterdam, in the person's language.</summary>
public static class Format
{
    public static string Local(DateTimeOffset instant) =>
        AmsterdamClock.ToLocal(instant).ToString("d MMM yyyy HH:mm", CultureInfo.CurrentCulture);

    public static string Date(DateOnly date) => date.ToString("d MMM yyyy", CultureInfo.CurrentCulture);

    /// <summary>A file's size for people: bytes, kB or MB (one decimal).</summary>
    public static string FileSize(long bytes) => bytes switch
    {
        < 1024 => Bytes(bytes),
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.#", CultureInfo.CurrentCulture) + " kB",
        _ => (bytes / 1_048_576.0).ToString("0.#", CultureInfo.CurrentCulture) + " MB",
    };

    /// <summary>Two sizes to compare (a file and a limit): in bytes when rounding would make them read the same.</summary>
    public static (string First, string Second) FileSizes(long first, long second) =>
        FileSize(first) is var a && FileSize(second) is var b && a == b ? (Bytes(first), Bytes(second)) : (a, b);

    private static string Bytes(long bytes) => bytes.ToString("N0", CultureInfo.CurrentCulture) + " bytes";

    public static string Date(DateOnly? date) => date is { } d ? Date(d) : "";

    public static string Iso(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
}
