using System.Globalization;
using Outreach.Core.Calendar;
using Outreach.Core.Pipeline;

namespace Outreach.Core.Reports;

/// <summary>Which of the report's figures a prospect list shows the prospects of (issue 16 item 12).</summary>
public enum FigureKind
{
    /// <summary>The cohort funnel at a stage: first contacted in the period, got at least this far by today.</summary>
    CohortFunnel,
    /// <summary>The period funnel at a stage: first reached it in the period.</summary>
    PeriodFunnel,
    /// <summary>A conversion's "of": first reached the from-stage (or first contact) in the period.</summary>
    ConversionOf,
    /// <summary>A conversion's "went on": of those, reached the to-stage after it, before the period ended.</summary>
    ConversionWent,
    /// <summary>The prospects a duration (days between two stages) is measured over.</summary>
    Duration,
    /// <summary>One bar of the time from first contact to signed.</summary>
    TimeToSign,
    /// <summary>A cohort: first contacted in one quarter (within the period).</summary>
    Cohort,
    /// <summary>Network events: first contacted in the period, attended an event (or not).</summary>
    EventsOf,
    /// <summary>Of those, went on to sign in the period.</summary>
    EventsWent,
    /// <summary>Moved into an exit stage in the period (optionally giving one reason).</summary>
    Exit,
    /// <summary>The follow-through: an event's attendee organisations, one prospect each.</summary>
    EventAttendees,
    /// <summary>Of those, the organisations that went on to a next stage with the event's credit.</summary>
    EventWent,
    /// <summary>Of those, the organisations that reached one stage with the event's credit.</summary>
    EventReached,
    /// <summary>The same per host party (<see cref="ReportFigure.HostId"/> null: the events without a host), organisations once across its events.</summary>
    HostAttendees,
    HostWent,
    HostReached,
    /// <summary>The step after signing: the parties whose latest signing fell in the period, by <see cref="OnboardingMeasure"/>.</summary>
    OnboardingParties,
    /// <summary>The same for the parties of one signing quarter.</summary>
    OnboardingCohort,
    /// <summary>One year-one milestone of a signing quarter's funnel: the parties asked it, or those that did it.</summary>
    OnboardingStep,
}

/// <summary>Which parties of the step after signing (see OnboardingConversionBuilder) a figure counts.</summary>
public enum OnboardingMeasure
{
    /// <summary>Signed in the period with a milestone due in year one (the "of" of signed → onboarded; a cohort's "parties signed").</summary>
    Signed,
    /// <summary>A year-one milestone done (cohorts).</summary>
    Started,
    /// <summary>Every year-one milestone done.</summary>
    Onboarded,
    /// <summary>Not onboarded, year one not over yet.</summary>
    WithinYearOne,
    /// <summary>No milestone due in year one: counted apart.</summary>
    WithoutYearOne,
    /// <summary>Left after that signing.</summary>
    Left,
    /// <summary>A funnel step: asked the milestone in year one.</summary>
    Asked,
    /// <summary>A funnel step: did it.</summary>
    Done,
}

/// <summary>
/// A reference to one figure of the report, as a link carries it: <c>kind:argument:argument</c>, e.g.
/// <c>cohort-funnel:engaged</c>, <c>conversion-went:first-contact:signed</c>, <c>time-to-sign:2</c>, <c>cohort:2025-3</c>,
/// <c>events-went:attended</c>, <c>exit:declined</c> (the reason, when one, travels beside it). <see cref="From"/> null
/// with a from-stage kind means "first contact".
/// </summary>
public sealed record ReportFigure(
    FigureKind Kind, Stage? Stage = null, Stage? From = null, int? Bucket = null, int? Year = null, int? Quarter = null, bool? Attended = null, string? Reason = null,
    long? EventId = null, long? HostId = null, OnboardingMeasure? Measure = null, string? Milestone = null)
{
    public const string FirstContact = "first-contact";

    /// <summary>A host figure's code for the events without a host party.</summary>
    public const string NoHost = "none";

    /// <summary>Longer codes are refused unread: a milestone key is short, and a link is never this long.</summary>
    public const int MaxCodeLength = 300;

    private static readonly Dictionary<OnboardingMeasure, string> MeasureCodes = new()
    {
        [OnboardingMeasure.Signed] = "signed", [OnboardingMeasure.Started] = "started", [OnboardingMeasure.Onboarded] = "onboarded",
        [OnboardingMeasure.WithinYearOne] = "within-year-one", [OnboardingMeasure.WithoutYearOne] = "without-year-one", [OnboardingMeasure.Left] = "left",
        [OnboardingMeasure.Asked] = "asked", [OnboardingMeasure.Done] = "done",
    };

    /// <summary>The measures each onboarding kind knows (as the page shows them).</summary>
    private static readonly Dictionary<FigureKind, OnboardingMeasure[]> MeasuresOf = new()
    {
        [FigureKind.OnboardingParties] = [OnboardingMeasure.Signed, OnboardingMeasure.Onboarded, OnboardingMeasure.WithinYearOne, OnboardingMeasure.WithoutYearOne, OnboardingMeasure.Left],
        [FigureKind.OnboardingCohort] = [OnboardingMeasure.Signed, OnboardingMeasure.Started, OnboardingMeasure.Onboarded, OnboardingMeasure.WithinYearOne],
        [FigureKind.OnboardingStep] = [OnboardingMeasure.Asked, OnboardingMeasure.Done],
    };

    /// <summary>The step after signing (parties by their latest signing and milestones), not the stage history's prospects.</summary>
    public bool IsOnboarding => Kind is FigureKind.OnboardingParties or FigureKind.OnboardingCohort or FigureKind.OnboardingStep;

    /// <summary>The event and host follow-through: organisations per event, one prospect each.</summary>
    public bool IsFollowThrough => Kind is FigureKind.EventAttendees or FigureKind.EventWent or FigureKind.EventReached
        or FigureKind.HostAttendees or FigureKind.HostWent or FigureKind.HostReached;

    /// <summary>The follow-through's attendee figures, which count organisations that may have no move in the period.</summary>
    public bool IsAttendees => Kind is FigureKind.EventAttendees or FigureKind.HostAttendees;

    /// <summary>Whether the report's sector and owner filters apply: the step after signing ignores them (it says so on the page).</summary>
    public bool UsesSectorAndOwner => !IsOnboarding;

    public static ReportFigure OfEvent(FigureKind kind, long eventId, Stage? stage = null) => new(kind, stage, EventId: eventId);

    public static ReportFigure OfHost(FigureKind kind, long? hostId, Stage? stage = null) => new(kind, stage, HostId: hostId);

    public static ReportFigure Onboarding(OnboardingMeasure measure) => new(FigureKind.OnboardingParties, Measure: measure);

    public static ReportFigure OnboardingOf(int year, int quarter, OnboardingMeasure measure) => new(FigureKind.OnboardingCohort, Year: year, Quarter: quarter, Measure: measure);

    public static ReportFigure OnboardingStepOf(int year, int quarter, string milestone, bool done) =>
        new(FigureKind.OnboardingStep, Year: year, Quarter: quarter, Measure: done ? OnboardingMeasure.Done : OnboardingMeasure.Asked, Milestone: milestone);

    private static readonly Dictionary<FigureKind, string> Codes = new()
    {
        [FigureKind.CohortFunnel] = "cohort-funnel", [FigureKind.PeriodFunnel] = "period-funnel",
        [FigureKind.ConversionOf] = "conversion-of", [FigureKind.ConversionWent] = "conversion-went",
        [FigureKind.Duration] = "duration", [FigureKind.TimeToSign] = "time-to-sign", [FigureKind.Cohort] = "cohort",
        [FigureKind.EventsOf] = "events-of", [FigureKind.EventsWent] = "events-went", [FigureKind.Exit] = "exit",
        [FigureKind.EventAttendees] = "event-attendees", [FigureKind.EventWent] = "event-went", [FigureKind.EventReached] = "event-reached",
        [FigureKind.HostAttendees] = "host-attendees", [FigureKind.HostWent] = "host-went", [FigureKind.HostReached] = "host-reached",
        [FigureKind.OnboardingParties] = "onboarding", [FigureKind.OnboardingCohort] = "onboarding-cohort", [FigureKind.OnboardingStep] = "onboarding-step",
    };

    public static ReportFigure Funnel(FunnelKind kind, Stage stage) => new(kind == FunnelKind.Cohort ? FigureKind.CohortFunnel : FigureKind.PeriodFunnel, stage);

    /// <summary>From <paramref name="from"/> (null: first contact) to <paramref name="to"/>.</summary>
    public static ReportFigure Conversion(Stage? from, Stage to, bool wentOn) => new(wentOn ? FigureKind.ConversionWent : FigureKind.ConversionOf, to, from);

    public static ReportFigure DurationOf(Stage? from, Stage to) => new(FigureKind.Duration, to, from);

    /// <summary>The code a link carries (the reason apart).</summary>
    public string Code
    {
        get
        {
            var kind = Codes[Kind];
            string StageCode(Stage? s) => s is { } x ? x.Code() : FirstContact;
            string Id(long? id) => id is { } x ? x.ToString(CultureInfo.InvariantCulture) : NoHost;
            string QuarterCode() => string.Create(CultureInfo.InvariantCulture, $"{Year}-{Quarter}");
            return Kind switch
            {
                FigureKind.EventAttendees or FigureKind.EventWent => $"{kind}:{Id(EventId)}",
                FigureKind.EventReached => $"{kind}:{Id(EventId)}:{Stage!.Value.Code()}",
                FigureKind.HostAttendees or FigureKind.HostWent => $"{kind}:{Id(HostId)}",
                FigureKind.HostReached => $"{kind}:{Id(HostId)}:{Stage!.Value.Code()}",
                FigureKind.OnboardingParties => $"{kind}:{MeasureCodes[Measure!.Value]}",
                FigureKind.OnboardingCohort => $"{kind}:{QuarterCode()}:{MeasureCodes[Measure!.Value]}",
                FigureKind.OnboardingStep => $"{kind}:{QuarterCode()}:{MeasureCodes[Measure!.Value]}:{Milestone}",
                FigureKind.CohortFunnel or FigureKind.PeriodFunnel or FigureKind.Exit => $"{kind}:{Stage!.Value.Code()}",
                FigureKind.ConversionOf or FigureKind.ConversionWent or FigureKind.Duration => $"{kind}:{StageCode(From)}:{Stage!.Value.Code()}",
                FigureKind.TimeToSign => string.Create(CultureInfo.InvariantCulture, $"{kind}:{Bucket}"),
                FigureKind.Cohort => string.Create(CultureInfo.InvariantCulture, $"{kind}:{Year}-{Quarter}"),
                FigureKind.EventsOf or FigureKind.EventsWent => $"{kind}:{(Attended == true ? "attended" : "not-attended")}",
                _ => kind,
            };
        }
    }

    /// <summary>Reads a link's figure; false for anything that is not one.</summary>
    public static bool TryParse(string? code, string? reason, out ReportFigure figure)
    {
        figure = new ReportFigure(FigureKind.Exit);
        if (code is null || code.Length > MaxCodeLength) return false;
        // A milestone key comes last and is taken whole, whatever it holds.
        var parts = code.Trim().Split(':', 4);
        var kind = Codes.FirstOrDefault(c => c.Value == parts[0]).Key;
        if (parts.Length < 2 || Codes.GetValueOrDefault(kind) != parts[0]) return false;
        static bool StageOf(string text, out Stage? stage)
        {
            stage = null;
            if (text == FirstContact) return true;
            if (!Stages.TryParse(text, out var s)) return false;
            stage = s;
            return true;
        }

        static bool QuarterOf(string text, out int year, out int quarter)
        {
            (year, quarter) = (0, 0);
            return text.Split('-') is [var y, var q]
                   && int.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out year) && year is > 1900 and < 3000
                   && int.TryParse(q, NumberStyles.None, CultureInfo.InvariantCulture, out quarter) && quarter is >= 1 and <= 4;
        }

        static bool IdOf(string text, out long id) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

        static bool HostOf(string text, out long? host)
        {
            host = null;
            if (text == NoHost) return true;
            if (!IdOf(text, out var id)) return false;
            host = id;
            return true;
        }

        bool MeasureOf(string text, out OnboardingMeasure measure)
        {
            measure = MeasureCodes.FirstOrDefault(m => m.Value == text).Key;
            return MeasureCodes.GetValueOrDefault(measure) == text && MeasuresOf[kind].Contains(measure);
        }

        // The follow-through's reached figures are the main line's stages after identified.
        static bool MoveStage(string text, out Stage stage) => Stages.TryParse(text, out stage) && EventFollowThroughBuilder.MoveStages.Contains(stage);

        switch (kind)
        {
            case FigureKind.EventAttendees or FigureKind.EventWent when parts.Length == 2 && IdOf(parts[1], out var eventId):
                figure = OfEvent(kind, eventId);
                return true;
            case FigureKind.EventReached when parts.Length == 3 && IdOf(parts[1], out var eventId) && MoveStage(parts[2], out var stage):
                figure = OfEvent(kind, eventId, stage);
                return true;
            case FigureKind.HostAttendees or FigureKind.HostWent when parts.Length == 2 && HostOf(parts[1], out var host):
                figure = OfHost(kind, host);
                return true;
            case FigureKind.HostReached when parts.Length == 3 && HostOf(parts[1], out var host) && MoveStage(parts[2], out var stage):
                figure = OfHost(kind, host, stage);
                return true;
            case FigureKind.OnboardingParties when parts.Length == 2 && MeasureOf(parts[1], out var measure):
                figure = Onboarding(measure);
                return true;
            case FigureKind.OnboardingCohort when parts.Length == 3 && QuarterOf(parts[1], out var year, out var quarter) && MeasureOf(parts[2], out var measure):
                figure = OnboardingOf(year, quarter, measure);
                return true;
            case FigureKind.OnboardingStep when parts.Length == 4 && QuarterOf(parts[1], out var year, out var quarter) && MeasureOf(parts[2], out var measure)
                                                && parts[3].Length > 0 && !parts[3].Any(char.IsControl):
                figure = OnboardingStepOf(year, quarter, parts[3], measure == OnboardingMeasure.Done);
                return true;
            case FigureKind.CohortFunnel or FigureKind.PeriodFunnel or FigureKind.Exit when parts.Length == 2 && Stages.TryParse(parts[1], out var stage):
                figure = new ReportFigure(kind, stage, Reason: kind == FigureKind.Exit && !string.IsNullOrWhiteSpace(reason) ? reason.Trim() : null);
                return true;
            case FigureKind.ConversionOf or FigureKind.ConversionWent or FigureKind.Duration when parts.Length == 3 && StageOf(parts[1], out var from) && Stages.TryParse(parts[2], out var to):
                figure = new ReportFigure(kind, to, from);
                return true;
            case FigureKind.TimeToSign when parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket) && bucket <= ConversionReportBuilder.TimeToSignBounds.Count:
                figure = new ReportFigure(kind, Bucket: bucket);
                return true;
            case FigureKind.Cohort when parts.Length == 2 && QuarterOf(parts[1], out var year, out var quarter):
                figure = new ReportFigure(kind, Year: year, Quarter: quarter);
                return true;
            case FigureKind.EventsOf or FigureKind.EventsWent when parts.Length == 2 && parts[1] is "attended" or "not-attended":
                figure = new ReportFigure(kind, Attended: parts[1] == "attended");
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The prospects (entry ids) the figure counts, from the report's own inputs and by the report's own rules (see
    /// <see cref="ConversionReportBuilder"/>): a list with these is exactly the figure. Exits are not among the paths
    /// (the report counts them in SQL): <see cref="IReportFigureSource"/> lists those. For the follow-through's attendee
    /// figures, <c>prospectOfOrganisation</c> gives a prospect (entry) of each attendee organisation under the report's
    /// covenants, for the attendees without a credited move (see <see cref="IReportFigureSource.ProspectsOfOrganisationsAsync"/>).
    /// </summary>
    public IReadOnlyList<long> Select(ReportQuery q, IReadOnlyList<ProspectPath> prospects, DateTimeOffset asOf, EventAttendance? attendance,
        IReadOnlyDictionary<long, long>? prospectOfOrganisation = null)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(prospects);
        if (IsFollowThrough) return attendance is null ? [] : FollowThrough(q, prospects, attendance, prospectOfOrganisation ?? new Dictionary<long, long>());
        var (start, end) = (q.Start, q.End);
        bool In(DateTimeOffset? at) => at is { } t && t >= start && t < end;
        DateTimeOffset? FromOf(ProspectPath p) => From is { } f ? p.FirstReached(f) : p.FirstContact;
        Func<ProspectPath, bool> member = Kind switch
        {
            FigureKind.PeriodFunnel => p => In(p.FirstReached(Stage!.Value)),
            FigureKind.CohortFunnel => p => In(p.FirstContact) && p.FirstContact <= asOf && Furthest(p, asOf) >= Stages.Funnel.ToList().IndexOf(Stage!.Value),
            FigureKind.ConversionOf => p => In(FromOf(p)),
            FigureKind.ConversionWent => p => In(FromOf(p)) && p.FirstReached(Stage!.Value) is { } t && t >= FromOf(p) && t < end,
            FigureKind.Duration => p => p.FirstReached(Stage!.Value) is { } t && In(t) && FromOf(p) is { } f && f <= t,
            FigureKind.TimeToSign => p => p.FirstReached(Pipeline.Stage.Signed) is { } t && In(t) && p.FirstContact is { } f && f <= t && InBucket((t - f).TotalDays),
            FigureKind.Cohort => p => In(p.FirstContact) && p.FirstContact >= QuarterStart(0) && p.FirstContact < QuarterStart(3),
            FigureKind.EventsOf => p => attendance is not null && attendance.AttendedOrganisationIds.Contains(p.OrganisationId) == Attended && In(p.FirstContact),
            FigureKind.EventsWent => p => attendance is not null && attendance.AttendedOrganisationIds.Contains(p.OrganisationId) == Attended && In(p.FirstContact)
                                          && p.FirstReached(Pipeline.Stage.Signed) is { } t && t >= p.FirstContact && t < end,
            _ => _ => false,
        };
        return [.. prospects.Where(member).Select(p => p.EntryId)];
    }

    /// <summary>The follow-through figure's events: the one event, or the host's events, that started in the period.</summary>
    private List<(AttendedEvent Event, IReadOnlySet<long> Attendees)> EventsOf(ReportQuery q, EventAttendance attendance)
    {
        var byEvent = Kind is FigureKind.EventAttendees or FigureKind.EventWent or FigureKind.EventReached;
        return [.. EventFollowThroughBuilder.EventsInPeriod(q, attendance).Where(e => byEvent ? e.Event.EventId == EventId : e.Event.HostOrganisationId == HostId)];
    }

    /// <summary>The attendee organisations of a follow-through figure's events (each once).</summary>
    public IReadOnlySet<long> AttendeesOf(ReportQuery q, EventAttendance attendance)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(attendance);
        return IsFollowThrough ? EventsOf(q, attendance).SelectMany(e => e.Attendees).ToHashSet() : new HashSet<long>();
    }

    /// <summary>
    /// The follow-through's organisations (counted by <see cref="EventFollowThroughBuilder"/>), one prospect each: the one
    /// whose move was credited (the lowest entry id when several of its prospects were), otherwise the organisation's
    /// prospect under the report's covenants. So the list is as long as the figure.
    /// </summary>
    private List<long> FollowThrough(ReportQuery q, IReadOnlyList<ProspectPath> prospects, EventAttendance attendance, IReadOnlyDictionary<long, long> prospectOfOrganisation)
    {
        var events = EventsOf(q, attendance);
        var ids = events.Select(e => e.Event.EventId).ToHashSet();
        var credited = EventFollowThroughBuilder.Credits(q, prospects, attendance)
            .Where(c => ids.Contains(c.EventId) && (Kind is not (FigureKind.EventReached or FigureKind.HostReached) || c.Stage == Stage))
            .GroupBy(c => c.OrganisationId)
            .ToDictionary(g => g.Key, g => g.Min(c => c.EntryId));
        if (!IsAttendees) return [.. credited.Values];
        return [.. events.SelectMany(e => e.Attendees).Distinct()
            .Select(o => credited.TryGetValue(o, out var entry) ? entry : prospectOfOrganisation.TryGetValue(o, out var any) ? any : (long?)null)
            .OfType<long>()];
    }

    /// <summary>The cohort funnel's "got this far": the furthest main-line stage reached by <paramref name="asOf"/>, at least contacted.</summary>
    private static int Furthest(ProspectPath p, DateTimeOffset asOf)
    {
        for (var i = Stages.Funnel.Count - 1; i > 1; i--)
        {
            if (p.FirstReached(Stages.Funnel[i]) is { } t && t <= asOf) return i;
        }

        return 1;
    }

    /// <summary>The time-to-sign bar's rule (see ConversionReportBuilder.Distribution): the first bar holds day 0 too.</summary>
    private bool InBucket(double days)
    {
        var bounds = ConversionReportBuilder.TimeToSignBounds;
        var b = Bucket!.Value;
        var lower = b == 0 ? 0 : bounds[b - 1];
        if (b == bounds.Count) return days > lower;
        return days > lower && days <= bounds[b] || lower == 0 && days == 0;
    }

    private DateTimeOffset QuarterStart(int addMonths) => AmsterdamClock.AtLocal(new DateOnly(Year!.Value, (Quarter!.Value - 1) * 3 + 1, 1).AddMonths(addMonths), TimeOnly.MinValue);
}

/// <summary>The prospects behind the figures the report counts in SQL (the exits).</summary>
public interface IReportFigureSource
{
    /// <summary>Entries (under the query's filters) that moved into <paramref name="exitStage"/> in the period; with a reason, those that gave it (trimmed).</summary>
    Task<IReadOnlyList<long>> ExitedAsync(ReportQuery query, Stage exitStage, string? reason, CancellationToken ct);

    /// <summary>
    /// One prospect (the lowest entry id) of each of the organisations in the query's covenants (all when none): the
    /// follow-through counts attendee organisations, and an attendee without a move in the period is no report prospect.
    /// </summary>
    Task<IReadOnlyDictionary<long, long>> ProspectsOfOrganisationsAsync(ReportQuery query, IReadOnlyCollection<long> organisationIds, CancellationToken ct);
}

/// <summary>Lists the prospects behind a report figure: the report's inputs, read afresh, and the figure's own rule.</summary>
public sealed class ReportFigures(IReportSource source, IReportFigureSource figures, TimeProvider clock, IEventAttendanceSource? attendance = null,
    Onboarding.OnboardingConversions? onboarding = null)
{
    public async Task<IReadOnlyList<long>> EntryIdsAsync(ReportQuery query, ReportFigure figure, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(figure);
        if (figure.Kind == FigureKind.Exit) return await figures.ExitedAsync(query, figure.Stage!.Value, figure.Reason, ct);
        if (figure.IsOnboarding) return onboarding is null ? [] : await onboarding.ProspectIdsAsync(query, figure, ct);
        var data = await source.LoadAsync(query, ct);
        var attended = figure.Kind is FigureKind.EventsOf or FigureKind.EventsWent || figure.IsFollowThrough ? attendance is null ? null : await attendance.LoadAsync(query, ct) : null;
        IReadOnlyDictionary<long, long>? prospectOf = null;
        if (figure.IsAttendees && attended is not null)
            prospectOf = await figures.ProspectsOfOrganisationsAsync(query, figure.AttendeesOf(query, attended), ct);
        return figure.Select(query, data.Prospects, clock.GetUtcNow(), attended, prospectOf);
    }
}
