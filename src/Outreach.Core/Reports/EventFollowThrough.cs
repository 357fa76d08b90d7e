using Outreach.Core.Pipeline;

namespace Outreach.Core.Reports;

/// <summary>One move credited to an event: the organisation's prospect (pipeline entry) reached the stage after it.</summary>
public sealed record FollowThroughCredit(long EventId, Stage Stage, long OrganisationId, long EntryId);

/// <summary>How many attendee organisations went on to one stage with the event's credit.</summary>
public sealed record StageReached(Stage Stage, int Organisations);

/// <summary>
/// One network event that started in the period: its attendee organisations, how many of them then reached a next
/// stage with this event's credit (<see cref="WentOn"/>: of the attendees), and which stages.
/// </summary>
public sealed record EventFollowThroughRow(
    long EventId, string Title, DateTimeOffset StartsAt, long? HostOrganisationId, string? HostName,
    Share WentOn, IReadOnlyList<StageReached> Reached);

/// <summary>The events of one host party (null: events without a host), organisations counted once across its events.</summary>
public sealed record HostFollowThroughRow(long? HostOrganisationId, string? HostName, int Events, Share WentOn, IReadOnlyList<StageReached> Reached);

/// <summary>
/// Which network event, and which host party, preceded prospects' next stage. Without recorded attendance
/// <see cref="HasAttendanceData"/> is false and the lists are empty: "not recorded", never "nobody went on".
/// </summary>
public sealed record EventFollowThrough(bool HasAttendanceData, int WindowDays, IReadOnlyList<EventFollowThroughRow> Events, IReadOnlyList<HostFollowThroughRow> Hosts)
{
    /// <summary>The rule in one sentence for the page, the API and the README.</summary>
    public const string Rule =
        "Each time a prospect first reaches a later stage of the main line (contacted to signed), the credit goes to the latest network event its organisation attended that started before the move, at most {0} days before it. Events that started in the period are listed, with their attendee organisations under the filters; moves count up to the end of the period, and each organisation counts once per event and per stage.";

    /// <summary>The rule with the window filled in, so that the API's JSON carries it with the figures.</summary>
    public string Counting => string.Format(System.Globalization.CultureInfo.InvariantCulture, RuleFormat, WindowDays);

    private static readonly System.Text.CompositeFormat RuleFormat = System.Text.CompositeFormat.Parse(Rule);
}

/// <summary>
/// The follow-through's arithmetic, pure. Rule:
/// <list type="bullet">
/// <item>A <em>move</em> is a prospect's first reach of a main-line stage from contacted to signed that is later than
/// every main-line stage it had reached before (a step back to a stage never reached, such as contacted after a
/// re-approach straight to engaged, is not a move forward).</item>
/// <item>The move's credit goes to the attended event of the prospect's organisation that started most recently before
/// the move (strictly before), if that start is at most <see cref="WindowDays"/> days before the move; an older
/// event gets nothing, and neither does an event after the move. Equal starts: the higher event id.</item>
/// <item>Period and filters as the rest of the report: listed are the events that started in the period; their
/// attendees are the organisations in the attendance (the source gives only organisations that are prospects under
/// the filters, and only events of the covenant when one is chosen); a move counts when it happened before the
/// period's end, as conversions count up to the end of the period. The report's prospects hold every such move:
/// a move after an event in the period is a first reach in the period.</item>
/// <item>Organisations, not contacts or pipeline entries, are counted: once per event as attendee, once per event as
/// having gone on (whatever the number of its moves), once per event and stage. Per host party the same, counted
/// once across all the host's events.</item>
/// </list>
/// </summary>
public static class EventFollowThroughBuilder
{
    /// <summary>How long an event keeps the credit for a next stage: a quarter, the secretariat's follow-up horizon.</summary>
    public const int WindowDays = 90;

    /// <summary>The main-line stages a move can reach, in order: the funnel after identified.</summary>
    public static readonly IReadOnlyList<Stage> MoveStages = [.. Stages.Funnel.Skip(1)];

    public static EventFollowThrough Build(ReportQuery query, IReadOnlyList<ProspectPath> prospects, EventAttendance? attendance, int windowDays = WindowDays)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(prospects);
        if (attendance is null) return new EventFollowThrough(false, windowDays, [], []);
        var events = EventsInPeriod(query, attendance);

        // Credits: (event, stage) → organisations, and event → organisations that went on to any stage.
        var credited = new Dictionary<(long EventId, Stage Stage), HashSet<long>>();
        var wentOn = new Dictionary<long, HashSet<long>>();
        foreach (var c in Credits(query, prospects, attendance, windowDays))
        {
            Add(credited, (c.EventId, c.Stage), c.OrganisationId);
            Add(wentOn, c.EventId, c.OrganisationId);
        }

        var eventRows = events.Select(e => new EventFollowThroughRow(
            e.Event.EventId, e.Event.Title, e.Event.StartsAt, e.Event.HostOrganisationId, e.Event.HostName,
            new Share(wentOn.GetValueOrDefault(e.Event.EventId)?.Count ?? 0, e.Attendees.Count),
            MoveStages.Select(s => new StageReached(s, credited.GetValueOrDefault((e.Event.EventId, s))?.Count ?? 0)).ToList())).ToList();

        // Hosts by name, the events without a host last.
        var hostRows = events.GroupBy(e => e.Event.HostOrganisationId)
            .Select(g =>
            {
                var ids = g.Select(e => e.Event.EventId).ToList();
                var attendees = g.SelectMany(e => e.Attendees).ToHashSet();
                var went = ids.SelectMany(id => wentOn.GetValueOrDefault(id) ?? []).ToHashSet();
                var reached = MoveStages.Select(s => new StageReached(s, ids.SelectMany(id => credited.GetValueOrDefault((id, s)) ?? []).ToHashSet().Count)).ToList();
                return new HostFollowThroughRow(g.Key, g.First().Event.HostName, ids.Count, new Share(went.Count, attendees.Count), reached);
            })
            .OrderBy(h => h.HostOrganisationId is null).ThenBy(h => h.HostName, StringComparer.Ordinal).ThenBy(h => h.HostOrganisationId)
            .ToList();

        return new EventFollowThrough(true, windowDays, eventRows, hostRows);
    }

    /// <summary>The events that started in the period, in start order, each with its attendee organisations (once each).</summary>
    public static IReadOnlyList<(AttendedEvent Event, IReadOnlySet<long> Attendees)> EventsInPeriod(ReportQuery query, EventAttendance attendance)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(attendance);
        var (start, end) = (query.Start, query.End);
        return attendance.Attended.DistinctBy(a => (a.OrganisationId, a.EventId))
            .Where(a => a.StartsAt >= start && a.StartsAt < end)
            .GroupBy(a => a.EventId)
            .Select(g => (Event: g.First(), Attendees: (IReadOnlySet<long>)g.Select(a => a.OrganisationId).ToHashSet()))
            .OrderBy(e => e.Event.StartsAt).ThenBy(e => e.Event.EventId)
            .ToList();
    }

    /// <summary>
    /// Every credited move (see the rule above): which prospect of which organisation reached which stage with which
    /// event's credit. The tables count the organisations in these; the report's links list their prospects.
    /// </summary>
    public static IEnumerable<FollowThroughCredit> Credits(ReportQuery query, IReadOnlyList<ProspectPath> prospects, EventAttendance attendance, int windowDays = WindowDays)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(prospects);
        ArgumentNullException.ThrowIfNull(attendance);
        var (start, end, window) = (query.Start, query.End, TimeSpan.FromDays(windowDays));
        // One fact per organisation and event, whatever the number of its contacts there.
        var byOrganisation = attendance.Attended.DistinctBy(a => (a.OrganisationId, a.EventId))
            .GroupBy(a => a.OrganisationId)
            .ToDictionary(g => g.Key, g => g.OrderBy(a => a.StartsAt).ThenBy(a => a.EventId).ToArray());
        foreach (var p in prospects)
        {
            if (!byOrganisation.TryGetValue(p.OrganisationId, out var attended)) continue;
            foreach (var (stage, at) in Moves(p))
            {
                if (at >= end) continue;
                if (Latest(attended, at) is not { } e || at - e.StartsAt > window || e.StartsAt < start) continue;
                yield return new FollowThroughCredit(e.EventId, stage, p.OrganisationId, p.EntryId);
            }
        }
    }

    /// <summary>The prospect's moves forward: first reaches of a main-line stage beyond every one reached before.</summary>
    public static IEnumerable<(Stage Stage, DateTimeOffset At)> Moves(ProspectPath p)
    {
        ArgumentNullException.ThrowIfNull(p);
        foreach (var stage in MoveStages)
        {
            if (p.FirstReached(stage) is not { } at) continue;
            var beyond = false;
            for (var later = (int)stage + 1; later <= (int)Stage.Signed; later++)
            {
                if (p.FirstReached((Stage)later) is { } t && t < at) beyond = true;
            }

            if (!beyond) yield return (stage, at);
        }
    }

    /// <summary>The attended event that started last strictly before <paramref name="at"/>; the array is ordered by start, then id.</summary>
    private static AttendedEvent? Latest(AttendedEvent[] attended, DateTimeOffset at)
    {
        AttendedEvent? latest = null;
        foreach (var a in attended)
        {
            if (a.StartsAt >= at) break;
            latest = a;
        }

        return latest;
    }

    private static void Add<TKey>(Dictionary<TKey, HashSet<long>> map, TKey key, long organisation) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var set)) map[key] = set = [];
        set.Add(organisation);
    }
}
