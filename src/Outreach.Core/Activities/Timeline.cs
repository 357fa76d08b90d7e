using System.Globalization;
using Outreach.Core.Common;

namespace Outreach.Core.Activities;

/// <summary>The groups the timeline can be filtered by, in the secretariat's words.</summary>
public enum TimelineKind
{
    Activity,
    Stage,
    Mail,
    Reply,
    Enrolment,
    Event,
    Dynamics,
    Onboarding,
}

/// <summary>
/// Where a timeline line comes from. The number is stored nowhere but in the cursor and orders lines of the same instant
/// (higher first), so it must never be renumbered while cursors may be held by a browser: add new sources at the end.
/// </summary>
public enum TimelineSource
{
    RemovedInDynamics = 1,
    EnrolmentStarted = 2,
    EnrolmentChanged = 3,
    Invited = 4,
    Answered = 5,
    Attended = 6,
    Reply = 7,
    MailSent = 8,
    StageChange = 9,
    Activity = 10,
    /// <summary>A party milestone created, marked done or reopened (<c>onboarding_milestone_change</c>).</summary>
    OnboardingMilestone = 11,
}

/// <summary>
/// One line of a prospect's timeline, read from whichever table recorded the touch. The fields a source does not have are
/// null; <see cref="Timeline.KindOf"/> says which group it belongs to. Personal data (contact names, subjects) is what the
/// source table holds now: erased contacts show as erased there too.
/// </summary>
public sealed record TimelineItem
{
    public DateTimeOffset At { get; init; }
    public TimelineSource Source { get; init; }
    /// <summary>The id in the source's table (an activity, a stage change, a mail, a reply, an enrolment, an invitation, an organisation, a milestone change).</summary>
    public long Id { get; init; }
    /// <summary>Who did it: the officer, the job, "Dynamics 365 sync".</summary>
    public string? Actor { get; init; }
    public long? ContactId { get; init; }
    public string? ContactName { get; init; }
    /// <summary>A code: the activity kind, the stage moved to, the reply kind, the enrolment state, the invitation answer, the milestone action.</summary>
    public string? Code { get; init; }
    /// <summary>A second code: the stage moved from, a call's direction, an enrolment's stop reason.</summary>
    public string? Code2 { get; init; }
    /// <summary>A third code: a call's outcome.</summary>
    public string? Code3 { get; init; }
    /// <summary>The headline: a mail's subject, an event's title, a sequence's name, a milestone's English name.</summary>
    public string? Title { get; init; }
    /// <summary>The headline in Dutch where the source keeps one: a milestone's Dutch name.</summary>
    public string? TitleNl { get; init; }
    /// <summary>The text: an activity's notes, a stage change's reason, what Outreach did with a reply, a milestone's reopen reason.</summary>
    public string? Text { get; init; }
    /// <summary>A meeting's place, a mail's template key, a milestone's evidence file name.</summary>
    public string? Place { get; init; }
    /// <summary>The names of the contacts an activity was with (erased contacts' names are gone).</summary>
    public string? People { get; init; }
    /// <summary>A meeting's other attendees (free text).</summary>
    public string? Others { get; init; }
    /// <summary>A call's or meeting's minutes, a mail's template version, an enrolment's next step, a yearly milestone's monitoring year.</summary>
    public long? Number { get; init; }
    /// <summary>What this line points at: the activity it corrects, the event of an invitation, a milestone's evidence file.</summary>
    public long? RelatedId { get; init; }
    /// <summary>A second instant: when an activity was logged (for the edit window), an out-of-office's return, a pause's end.</summary>
    public DateTimeOffset? Other { get; init; }
    /// <summary>A day without a time: the date a milestone was done.</summary>
    public DateOnly? Day { get; init; }
    /// <summary>A web link the line carries: a milestone's evidence link.</summary>
    public string? Link { get; init; }
    /// <summary>True for a change Dynamics brought in (the sync's stage changes and deletions; read-in activities later).</summary>
    public bool FromDynamics { get; init; }
}

/// <summary>Where a page ends: the last line's instant, source and id. The next page starts strictly after it.</summary>
public readonly record struct TimelineCursor(DateTimeOffset At, TimelineSource Source, long Id)
{
    public static TimelineCursor Of(TimelineItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new(item.At, item.Source, item.Id);
    }

    /// <summary>Opaque to callers, but plain: UTC ticks, source number and id.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{At.UtcTicks}.{(int)Source}.{Id}");

    /// <summary>Reads what <see cref="ToString"/> wrote; anything else (a hand-made or damaged cursor) is refused.</summary>
    public static bool TryParse(string? text, out TimelineCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 60) return false;
        var parts = text.Split('.');
        if (parts.Length != 3) return false;
        const NumberStyles digits = NumberStyles.None;
        if (!long.TryParse(parts[0], digits, CultureInfo.InvariantCulture, out var ticks) || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks) return false;
        if (!int.TryParse(parts[1], digits, CultureInfo.InvariantCulture, out var source) || !Enum.IsDefined((TimelineSource)source)) return false;
        if (!long.TryParse(parts[2], digits, CultureInfo.InvariantCulture, out var id)) return false;
        cursor = new TimelineCursor(new DateTimeOffset(ticks, TimeSpan.Zero), (TimelineSource)source, id);
        return true;
    }
}

/// <summary>What to read: which groups (all when empty), how many lines, and after which cursor.</summary>
public sealed record TimelineQuery
{
    public const int MaxPageSize = 200;
    public IReadOnlySet<TimelineKind> Kinds { get; init; } = new HashSet<TimelineKind>();
    public int PageSize { get; init; } = 50;
    public TimelineCursor? After { get; init; }

    public bool Includes(TimelineKind kind) => Kinds.Count == 0 || Kinds.Contains(kind);
}

/// <summary>A page of the timeline, newest first, with the cursor of the next page (null on the last).</summary>
public sealed record TimelinePage(IReadOnlyList<TimelineItem> Items, TimelineCursor? Next);

/// <summary>The timeline's order and paging rules; pure, so the storage's one query per page can be checked against them.</summary>
public static class Timeline
{
    public static readonly CodeTable<TimelineKind> Kinds = new(new Dictionary<TimelineKind, string>
    {
        [TimelineKind.Activity] = "activity",
        [TimelineKind.Stage] = "stage",
        [TimelineKind.Mail] = "mail",
        [TimelineKind.Reply] = "reply",
        [TimelineKind.Enrolment] = "enrolment",
        [TimelineKind.Event] = "event",
        [TimelineKind.Dynamics] = "dynamics",
        [TimelineKind.Onboarding] = "onboarding",
    });

    public static string Code(this TimelineKind kind) => Kinds.Code(kind);

    public static string Label(this TimelineKind kind) => kind switch
    {
        TimelineKind.Activity => "Calls, meetings and notes",
        TimelineKind.Stage => "Stage changes",
        TimelineKind.Mail => "Mail sent",
        TimelineKind.Reply => "Replies and bounces",
        TimelineKind.Enrolment => "Sequences",
        TimelineKind.Event => "Events",
        TimelineKind.Onboarding => "Onboarding milestones",
        _ => "Dynamics 365",
    };

    public static TimelineKind KindOf(TimelineSource source) => source switch
    {
        TimelineSource.Activity => TimelineKind.Activity,
        TimelineSource.StageChange => TimelineKind.Stage,
        TimelineSource.MailSent => TimelineKind.Mail,
        TimelineSource.Reply => TimelineKind.Reply,
        TimelineSource.EnrolmentStarted or TimelineSource.EnrolmentChanged => TimelineKind.Enrolment,
        TimelineSource.Invited or TimelineSource.Answered or TimelineSource.Attended => TimelineKind.Event,
        TimelineSource.OnboardingMilestone => TimelineKind.Onboarding,
        _ => TimelineKind.Dynamics,
    };

    /// <summary>The sources a query reads.</summary>
    public static IReadOnlyList<TimelineSource> SourcesOf(TimelineQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Enum.GetValues<TimelineSource>().Where(s => query.Includes(KindOf(s))).ToList();
    }

    /// <summary>Newest first; at the same instant the higher source first, then the higher id (the later row).</summary>
    public static readonly IComparer<TimelineItem> NewestFirst = Comparer<TimelineItem>.Create((a, b) =>
    {
        var byTime = b.At.UtcTicks.CompareTo(a.At.UtcTicks);
        if (byTime != 0) return byTime;
        var bySource = ((int)b.Source).CompareTo((int)a.Source);
        return bySource != 0 ? bySource : b.Id.CompareTo(a.Id);
    });

    /// <summary>True when <paramref name="item"/> comes after the cursor in <see cref="NewestFirst"/> order (belongs to a later page).</summary>
    public static bool IsAfter(TimelineItem item, TimelineCursor cursor)
    {
        ArgumentNullException.ThrowIfNull(item);
        return NewestFirst.Compare(item, new TimelineItem { At = cursor.At, Source = cursor.Source, Id = cursor.Id }) > 0;
    }

    /// <summary>
    /// The page from lines already in order, read one beyond the page size: that extra line says there is a next page.
    /// </summary>
    public static TimelinePage Page(IReadOnlyList<TimelineItem> ordered, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        if (ordered.Count <= pageSize) return new TimelinePage(ordered, null);
        var items = ordered.Take(pageSize).ToList();
        return new TimelinePage(items, TimelineCursor.Of(items[^1]));
    }

    /// <summary>
    /// The reference merge: every source's lines, filtered and ordered, one page after the cursor. The storage reads the same
    /// page with one query; this is what it must agree with (and what an in-memory store uses).
    /// </summary>
    public static TimelinePage Merge(IEnumerable<IEnumerable<TimelineItem>> sources, TimelineQuery query)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(query);
        var size = Math.Clamp(query.PageSize, 1, TimelineQuery.MaxPageSize);
        var lines = sources.SelectMany(s => s)
            .Where(i => query.Includes(KindOf(i.Source)))
            .Where(i => query.After is not { } after || IsAfter(i, after))
            .Order(NewestFirst)
            .Take(size + 1)
            .ToList();
        return Page(lines, size);
    }
}
