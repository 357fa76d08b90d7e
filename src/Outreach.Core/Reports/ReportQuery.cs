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

    /// <summary>
    /// Leaves out the prospects whose history was imported (issue 16): their paths began before Outreach followed them, so
    /// counting only their later lines would show conversions without a first contact. Off by default: an import that
    /// carries its dates gives the true history, and leaving it out would hide most of an imported pipeline.
    /// </summary>
    public bool ExcludeImported { get; init; }

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

/// <summary>Reads a report's filters as they arrive in a URL (the page's and the API's query string).</summary>
public static class ReportFilters
{
    /// <summary>The period when none is given: the last twelve months up to today.</summary>
    public const int DefaultDays = 365;

    public static (ReportQuery? Query, IReadOnlyList<FieldError> Errors) Parse(
        string? covenant, string? from, string? to, string? sector, string? partyKind, string? owner,
        IReadOnlyList<Covenant> covenants, DateOnly today, bool excludeImported = false)
    {
        ArgumentNullException.ThrowIfNull(covenants);
        var errors = new List<FieldError>();
        var period = ReportQuery.Last(DefaultDays, today);
        var start = period.From;
        var end = period.To;
        if (!string.IsNullOrWhiteSpace(from) && !DateOnly.TryParseExact(from.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out start))
            errors.Add(new FieldError("from", "'{0}' is not a date (yyyy-mm-dd).", from));
        if (!string.IsNullOrWhiteSpace(to) && !DateOnly.TryParseExact(to.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out end))
            errors.Add(new FieldError("to", "'{0}' is not a date (yyyy-mm-dd).", to));

        long? covenantId = null;
        if (!string.IsNullOrWhiteSpace(covenant))
        {
            var match = covenants.FirstOrDefault(c => c.Code.Equals(covenant.Trim(), StringComparison.OrdinalIgnoreCase));
            if (match is null) errors.Add(new FieldError("covenant", "Unknown covenant '{0}'.", covenant));
            covenantId = match?.Id;
        }

        PartyKind? kind = null;
        if (!string.IsNullOrWhiteSpace(partyKind))
        {
            if (PartyKinds.TryParse(partyKind, out var k)) kind = k;
            else errors.Add(new FieldError("partyKind", "Unknown party kind '{0}'.", partyKind));
        }

        if (errors.Count > 0) return (null, errors);
        var query = new ReportQuery
        {
            From = start, To = end, CovenantId = covenantId, PartyKind = kind, ExcludeImported = excludeImported,
            Sector = string.IsNullOrWhiteSpace(sector) ? null : sector.Trim(),
            Owner = string.IsNullOrWhiteSpace(owner) ? null : owner.Trim(),
        };
        if (query.WhyRefused() is { } why) return (null, [new FieldError(Field: "to", Message: why)]);
        return (query, []);
    }
}
