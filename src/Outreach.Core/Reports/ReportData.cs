using Outreach.Core.Calendar;
using Outreach.Core.Pipeline;

namespace Outreach.Core.Reports;

/// <summary>
/// One prospect (pipeline entry) as the report sees its history: when it first reached each stage. Later visits to a
/// stage it had reached before do not move the first time: that is how a prospect counts once per stage reached.
/// </summary>
public sealed class ProspectPath
{
    private readonly DateTimeOffset?[] firstReached;

    /// <param name="entryId">The pipeline entry.</param>
    /// <param name="organisationId">Its organisation (event attendance is per organisation).</param>
    /// <param name="firstReached">Indexed by <see cref="Stage"/>'s value; null where the stage was never reached.</param>
    public ProspectPath(long entryId, long organisationId, DateTimeOffset?[] firstReached)
    {
        ArgumentNullException.ThrowIfNull(firstReached);
        if (firstReached.Length != Stages.All.Count) throw new ArgumentException($"Expected {Stages.All.Count} stages.", nameof(firstReached));
        EntryId = entryId;
        OrganisationId = organisationId;
        this.firstReached = firstReached;
        FirstContact = EarliestContact(firstReached);
    }

    public long EntryId { get; }
    public long OrganisationId { get; }

    public DateTimeOffset? FirstReached(Stage stage) => firstReached[(int)stage];

    /// <summary>
    /// First contact: the first time the prospect reached contacted or any stage after it on the main line
    /// (a party re-approached from not now can go straight to engaged without a contacted line). Worked out once:
    /// the report asks for it several times per prospect.
    /// </summary>
    public DateTimeOffset? FirstContact { get; }

    private static DateTimeOffset? EarliestContact(DateTimeOffset?[] firstReached)
    {
        DateTimeOffset? first = null;
        for (var i = (int)Stage.Contacted; i <= (int)Stage.Signed; i++)
        {
            if (firstReached[i] is { } at && (first is null || at < first)) first = at;
        }

        return first;
    }

    /// <summary>True when the prospect reached some stage for the first time in the period: only those can count anywhere in the report.</summary>
    public bool FirstReachedAnyIn(ReportQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return firstReached.Any(query.Contains);
    }

    /// <summary>The reference computation from raw history lines: what the SQL source must return for the same history.</summary>
    public static ProspectPath FromHistory(long entryId, long organisationId, IEnumerable<StageChange> history)
    {
        var first = new DateTimeOffset?[Stages.All.Count];
        foreach (var change in history)
        {
            var i = (int)change.To;
            if (first[i] is null || change.At < first[i]) first[i] = change.At;
        }

        return new ProspectPath(entryId, organisationId, first);
    }
}

/// <summary>How often one reason was given for moves into an exit stage in the period.</summary>
public sealed record ExitReason(Stage Stage, string Reason, int Times);

/// <summary>
/// Everything the report is computed from: the prospects that first reached some stage in the period; the number
/// of moves in the period (re-entries are the moves that were not first reaches); the period's exits, counted by
/// reason and by prospect; and the parties that left in the period (the latest <see cref="ConversionReport.LeftListed"/>).
/// </summary>
public sealed record ReportData(
    IReadOnlyList<ProspectPath> Prospects,
    int MovesInPeriod,
    IReadOnlyList<ExitReason> ExitReasons,
    IReadOnlyDictionary<Stage, int> ExitProspects,
    IReadOnlyList<PartyThatLeft> Left);

/// <summary>
/// One organisation at one network event: some contact of it checked in at the door or joined online. Two contacts of
/// the same organisation at the same event are one fact (the report counts organisations, as prospects are theirs).
/// </summary>
/// <param name="OrganisationId">The attendee's organisation.</param>
/// <param name="EventId">The network event.</param>
/// <param name="Title">The event's title.</param>
/// <param name="StartsAt">When the event started (UTC).</param>
/// <param name="HostOrganisationId">The host party, null when the event had none.</param>
/// <param name="HostName">The host party's name, null when the event had none.</param>
public sealed record AttendedEvent(long OrganisationId, long EventId, string Title, DateTimeOffset StartsAt, long? HostOrganisationId, string? HostName);

/// <summary>
/// Who attended network events. <see cref="AttendedOrganisationIds"/> feeds the event effect (attendees against the
/// rest); <see cref="Attended"/> says which event, when and hosted by whom, for the follow-through (which event
/// preceded a prospect's next stage).
/// </summary>
public sealed record EventAttendance(IReadOnlySet<long> AttendedOrganisationIds)
{
    /// <summary>Per organisation and event; empty when only the organisations are known.</summary>
    public IReadOnlyList<AttendedEvent> Attended { get; init; } = [];

    /// <summary>The attendance from per-event facts: the organisations are those of the facts, so the two parts agree.</summary>
    public static EventAttendance Of(IEnumerable<AttendedEvent> attended)
    {
        ArgumentNullException.ThrowIfNull(attended);
        var list = attended.ToList();
        return new EventAttendance(list.Select(a => a.OrganisationId).ToHashSet()) { Attended = list };
    }
}

/// <summary>Reads what a report needs from the stage history (the port; SQL in Outreach.Storage).</summary>
public interface IReportSource
{
    /// <summary>
    /// For the prospects matching the filters: those that first reached some stage in the period, each with the first
    /// time it ever reached every stage (also before and after the period); and the period's moves and exits.
    /// </summary>
    Task<ReportData> LoadAsync(ReportQuery query, CancellationToken ct);
}

/// <summary>Who attended events; absent until events are recorded.</summary>
public interface IEventAttendanceSource
{
    /// <summary>
    /// Null while no attendance was ever recorded. Otherwise the attendance at scheduled events that started before the
    /// period's end (in the query's covenant when it names one), of organisations that are prospects under the query's
    /// filters: the follow-through's attendees are counted from these facts.
    /// </summary>
    Task<EventAttendance?> LoadAsync(ReportQuery query, CancellationToken ct);
}

/// <summary>Builds conversion reports: loads through the port, computes in <see cref="ConversionReportBuilder"/>.</summary>
public sealed class ConversionReports(IReportSource source, TimeProvider clock, IEventAttendanceSource? attendance = null)
{
    public async Task<ConversionReport> BuildAsync(ReportQuery query, CancellationToken ct)
    {
        var data = await source.LoadAsync(query, ct);
        var attended = attendance is null ? null : await attendance.LoadAsync(query, ct);
        return ConversionReportBuilder.Build(query, data, clock.GetUtcNow(), attended);
    }

    public DateOnly Today => AmsterdamClock.Today(clock);
}
