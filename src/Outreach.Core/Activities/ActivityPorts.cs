namespace Outreach.Core.Activities;

/// <summary>Logged calls, meetings and notes. Each change is audited in its own transaction (or the running unit of work's).</summary>
public interface IActivityStore
{
    /// <summary>Stores a cleaned, checked draft for the prospect; the contacts' names are copied from their rows as they are now.</summary>
    Task<Activity> AddAsync(long prospectId, ActivityDraft draft, string author, DateTimeOffset at, long? correctsId, CancellationToken ct);

    Task<Activity?> GetAsync(long id, CancellationToken ct);

    /// <summary>Changes the activity in place (the rules decide whether that is allowed); null when there is no such activity.</summary>
    Task<Activity?> UpdateAsync(long id, ActivityDraft draft, string by, DateTimeOffset at, CancellationToken ct);

    /// <summary>Erasure: the contact's name goes from every activity's contact links (the link stays, nameless). Free text is not searched.</summary>
    Task<int> EraseContactAsync(long contactId, CancellationToken ct);
}

/// <summary>A mail as it was sent (the outbox keeps the rendered mail), for opening it from the timeline.</summary>
public sealed record SentMail(long Id, long? ContactId, string ToName, string Subject, string Html, string Text, string? TemplateKey, int? TemplateVersion, DateTimeOffset? SentAt);

/// <summary>Reads a prospect's timeline: one query per page, whatever the number of sources.</summary>
public interface ITimelineSource
{
    /// <summary>The page after <see cref="TimelineQuery.After"/>, in <see cref="Timeline.NewestFirst"/> order.</summary>
    Task<TimelinePage> PageAsync(long prospectId, TimelineQuery query, CancellationToken ct);

    /// <summary>A sent mail to one of the organisation's contacts; null when there is none (or it is not the organisation's).</summary>
    Task<SentMail?> GetSentMailAsync(long organisationId, long mailId, CancellationToken ct);
}

/// <summary>A prospect on someone's day list, with why it is there.</summary>
public sealed record DayLine(long ProspectId, string Organisation, string Covenant, Pipeline.Stage Stage, string? What, DateOnly? Due, DateTimeOffset? Since, string? ContactName)
{
    /// <summary>The event an unanswered invitation is for.</summary>
    public string? EventTitle { get; init; }

    /// <summary>An overdue milestone: its Dutch name (<see cref="What"/> is the English one).</summary>
    public string? WhatNl { get; init; }
}

/// <summary>One officer's day.</summary>
public sealed record MyDay(
    IReadOnlyList<DayLine> Overdue,
    IReadOnlyList<DayLine> DueToday,
    IReadOnlyList<DayLine> Stalled,
    IReadOnlyList<DayLine> UnansweredInvitations,
    IReadOnlyList<DayLine> RepliesWaiting)
{
    /// <summary>Open milestones of the owner's signed parties that are past their due date: escalated from the reminders to the owner.</summary>
    public IReadOnlyList<DayLine> OverdueMilestones { get; init; } = [];
}

/// <summary>The lists of the "My day" page for an owner (as organisations name their owner).</summary>
public interface IMyDaySource
{
    /// <param name="owner">The owner as written on the organisation (the signed-in person's display name).</param>
    /// <param name="today">Today in Amsterdam.</param>
    /// <param name="stalledBefore">Prospects in an open stage since before this instant count as stalled.</param>
    /// <param name="now">Now, for "coming" events.</param>
    /// <param name="max">At most this many lines per list.</param>
    /// <param name="ct">Cancels the reads.</param>
    Task<MyDay> ReadAsync(string owner, DateOnly today, DateTimeOffset stalledBefore, DateTimeOffset now, int max, CancellationToken ct);
}
