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
    /// <summary>One covenant (kept for callers that name one); see <see cref="Covenants"/> for the set the report covers.</summary>
    public long? CovenantId { get; init; }
    /// <summary>Several covenants at once; together with <see cref="CovenantId"/> the covenants the report covers (empty: all).</summary>
    public IReadOnlyList<long> CovenantIds { get; init; } = [];
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

    /// <summary>The covenants the report covers, each once, ascending; empty for all covenants.</summary>
    public IReadOnlyList<long> Covenants =>
        [.. CovenantIds.Concat(CovenantId is { } one ? [one] : []).Distinct().Order()];

    /// <summary>The same filters over the period before this one (see <see cref="ReportPeriods.Previous"/>).</summary>
    public ReportQuery Previous(ReportPeriod preset)
    {
        var (from, to) = ReportPeriods.Previous(preset, From, To);
        return this with { From = from, To = to };
    }

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
        IReadOnlyList<Covenant> covenants, DateOnly today, bool excludeImported = false) =>
        Parse(string.IsNullOrWhiteSpace(covenant) ? [] : [covenant], null, from, to, sector, partyKind, owner, covenants, today, excludeImported);

    /// <summary>
    /// <paramref name="covenant"/>: covenant codes (the parameter may repeat, or carry codes separated by commas), none for
    /// all; <paramref name="period"/>: a preset (<see cref="ReportPeriods.Code"/>), which wins over the two dates;
    /// <paramref name="excludeImported"/>: leave out prospects whose history was imported.
    /// </summary>
    public static (ReportQuery? Query, IReadOnlyList<FieldError> Errors) Parse(
        IEnumerable<string?> covenant, string? period, string? from, string? to, string? sector, string? partyKind, string? owner,
        IReadOnlyList<Covenant> covenants, DateOnly today, bool excludeImported = false)
    {
        ArgumentNullException.ThrowIfNull(covenants);
        ArgumentNullException.ThrowIfNull(covenant);
        var errors = new List<FieldError>();
        var last = ReportQuery.Last(DefaultDays, today);
        var start = last.From;
        var end = last.To;
        if (!string.IsNullOrWhiteSpace(period) && period.Trim() != ReportPeriods.Code(ReportPeriod.Custom))
        {
            if (ReportPeriods.TryParse(period, out var preset)) (start, end) = ReportPeriods.Resolve(preset, today);
            else errors.Add(new FieldError("period", "Unknown period '{0}'.", period));
        }
        else
        {
            if (!string.IsNullOrWhiteSpace(from) && !DateOnly.TryParseExact(from.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out start))
                errors.Add(new FieldError("from", "'{0}' is not a date (yyyy-mm-dd).", from));
            if (!string.IsNullOrWhiteSpace(to) && !DateOnly.TryParseExact(to.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out end))
                errors.Add(new FieldError("to", "'{0}' is not a date (yyyy-mm-dd).", to));
        }

        var covenantIds = new List<long>();
        foreach (var code in covenant.SelectMany(c => (c ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var match = covenants.FirstOrDefault(c => c.Code.Equals(code, StringComparison.OrdinalIgnoreCase));
            if (match is null) errors.Add(new FieldError("covenant", "Unknown covenant '{0}'.", code));
            else if (!covenantIds.Contains(match.Id)) covenantIds.Add(match.Id);
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
            From = start, To = end, CovenantId = covenantIds.Count == 1 ? covenantIds[0] : null,
            CovenantIds = covenantIds.Count > 1 ? covenantIds : [], PartyKind = kind, ExcludeImported = excludeImported,
            Sector = string.IsNullOrWhiteSpace(sector) ? null : sector.Trim(),
            Owner = string.IsNullOrWhiteSpace(owner) ? null : owner.Trim(),
        };
        if (query.WhyRefused() is { } why) return (null, [new FieldError(Field: "to", Message: why)]);
        return (query, []);
    }
}

/// <summary>The report's period presets; <see cref="Custom"/> is a period typed as two dates.</summary>
public enum ReportPeriod
{
    Custom,
    ThisYear,
    LastQuarter,
    Last12Months,
}

/// <summary>
/// Periods in Amsterdam days, from "today" (<see cref="AmsterdamClock.Today"/> on the TimeProvider), and the period each
/// is compared with: the year so far with the same days of the year before, a quarter with the quarter before it, twelve
/// months with the twelve months before them, and a typed period with as many days just before it.
/// </summary>
public static class ReportPeriods
{
    public static readonly IReadOnlyList<ReportPeriod> All = Enum.GetValues<ReportPeriod>();

    private static readonly CodeTable<ReportPeriod> Table = new(new Dictionary<ReportPeriod, string>
    {
        [ReportPeriod.Custom] = "custom",
        [ReportPeriod.ThisYear] = "this-year",
        [ReportPeriod.LastQuarter] = "last-quarter",
        [ReportPeriod.Last12Months] = "last-12-months",
    });

    public static string Code(ReportPeriod period) => Table.Code(period);

    /// <summary>By code ("last-quarter"), as the URL carries it.</summary>
    public static bool TryParse(string? value, out ReportPeriod period)
    {
        var trimmed = (value ?? "").Trim();
        period = All.FirstOrDefault(p => Code(p).Equals(trimmed, StringComparison.OrdinalIgnoreCase));
        return Code(period).Equals(trimmed, StringComparison.OrdinalIgnoreCase);
    }

    public static string Label(ReportPeriod period) => period switch
    {
        ReportPeriod.ThisYear => "This year",
        ReportPeriod.LastQuarter => "Last quarter",
        ReportPeriod.Last12Months => "Last 12 months",
        _ => "Custom period",
    };

    /// <summary>The first and last day (both included) of a preset, on <paramref name="today"/>.</summary>
    public static (DateOnly From, DateOnly To) Resolve(ReportPeriod period, DateOnly today) => period switch
    {
        ReportPeriod.ThisYear => (new DateOnly(today.Year, 1, 1), today),
        ReportPeriod.LastQuarter => Quarter(QuarterStart(today).AddMonths(-3)),
        ReportPeriod.Last12Months => (today.AddMonths(-12).AddDays(1), today),
        _ => (today.AddDays(1 - ReportFilters.DefaultDays), today),
    };

    /// <summary>The period a report is compared with.</summary>
    public static (DateOnly From, DateOnly To) Previous(ReportPeriod period, DateOnly from, DateOnly to)
    {
        switch (period)
        {
            case ReportPeriod.ThisYear:
                return (from.AddYears(-1), to.AddYears(-1));
            // A whole calendar quarter, however chosen (the preset, or its dates kept in the form), against the one before.
            case ReportPeriod.LastQuarter or ReportPeriod.Custom when from == QuarterStart(from) && to == Quarter(from).To:
                return Quarter(from.AddMonths(-3));
            case ReportPeriod.Last12Months:
                return (from.AddMonths(-12), from.AddDays(-1));
            default:
                var days = to.DayNumber - from.DayNumber + 1;
                return (from.AddDays(-days), from.AddDays(-1));
        }
    }

    private static DateOnly QuarterStart(DateOnly day) => new(day.Year, (day.Month - 1) / 3 * 3 + 1, 1);

    private static (DateOnly From, DateOnly To) Quarter(DateOnly start) => (QuarterStart(start), QuarterStart(start).AddMonths(3).AddDays(-1));
}
