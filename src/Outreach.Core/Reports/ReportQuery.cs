using Outreach.Core.Calendar;
using Outreach.Core.Common;
using Outreach.Core.Prospects;

namespace Outreach.Core.Reports;

/// <summary>What a conversion report covers: a period of local Amsterdam days (both ends included) and filters; null filters mean "any".</summary>
public sealed record ReportQuery
{
    /// <summary>Ten years: longer periods are not a question anyone asks, and would only make the report slow.</summary>
    public const int MaxDays = 3660;

    public required DateOnly From { get; init; }
    public required DateOnly To { get; init; }
    public long? CovenantId { get; init; }
    public string? Sector { get; init; }
    public PartyKind? PartyKind { get; init; }
    public string? Owner { get; init; }

    /// <summary>The first instant of the period: midnight in Amsterdam at the start of <see cref="From"/>.</summary>
    public DateTimeOffset Start => AmsterdamClock.AtLocal(From, TimeOnly.MinValue);

    /// <summary>The first instant after the period (exclusive end): midnight after <see cref="To"/>.</summary>
    public DateTimeOffset End => AmsterdamClock.AtLocal(To.AddDays(1), TimeOnly.MinValue);

    public bool Contains(DateTimeOffset? at) => at is { } t && t >= Start && t < End;

    /// <summary>The last <paramref name="days"/> days up to and including <paramref name="today"/>.</summary>
    public static ReportQuery Last(int days, DateOnly today) => new() { From = today.AddDays(1 - days), To = today };

    /// <summary>Null when the period can be reported on, otherwise why not.</summary>
    public DomainMessage? WhyRefused()
    {
        if (To < From) return new DomainMessage("The period ends before it starts.");
        if (To.DayNumber - From.DayNumber + 1 > MaxDays)
            return new DomainMessage("The period is too long (at most {0} days).", MaxDays.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return null;
    }
}
