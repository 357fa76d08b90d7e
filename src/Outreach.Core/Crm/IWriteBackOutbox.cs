using Outreach.Core.Events;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;

namespace Outreach.Core.Crm;

/// <summary>A stage change as it goes to the CRM's timeline.</summary>
public sealed record WriteBackChange(long Id, Stage? From, Stage To, DateTimeOffset At, string By, string Reason)
{
    /// <summary>The otr_stagechange row a Dynamics user requested this move with: it is written there (status applied), not as a row of its own.</summary>
    public Guid? RequestRowId { get; init; }

    /// <summary>What is written back on the requested row's outcome.</summary>
    public string? RequestMessage { get; init; }
}

/// <summary>
/// One pending write-back. <see cref="Key"/> is the idempotency key of the outbox row; what is sent is the current state of
/// what the row points at, read when it is sent, so several rows for the same event or invitation send the same thing.
/// </summary>
public abstract record WriteBackItem(long Id, string Key, int Attempts);

/// <summary>
/// The account's current pipeline stage and next action, and (for a stage change) the change as a timeline activity. The CRM
/// ids of what it creates are derived from <see cref="WriteBackItem.Key"/>.
/// </summary>
public sealed record AccountWriteBack(
    long Id,
    string Key,
    Guid AccountId,
    string CovenantCode,
    Stage Stage,
    DateTimeOffset StageSince,
    string? NextAction,
    DateOnly? NextActionDue,
    WriteBackChange? Change,
    int Attempts) : WriteBackItem(Id, Key, Attempts)
{
    /// <summary>The prospect (pipeline entry) whose state this is; its Outreach page is linked from the account.</summary>
    public long? ProspectId { get; init; }
}

/// <summary>A network event as the CRM gets it; its CRM id is derived from <see cref="Uid"/>, so it is the same for every change.</summary>
public sealed record WriteBackEvent(
    long Id,
    string Uid,
    string Title,
    string CovenantCode,
    EventFormat Format,
    EventStatus Status,
    string? Venue,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    int Capacity,
    DateTimeOffset RegistrationDeadline,
    Guid? HostAccountId);

/// <summary>
/// An invitation as the CRM gets it. <see cref="ContactId"/> is the CRM contact, null when the person was erased in Outreach
/// or their contact was removed in the CRM; an erased person's <see cref="ContactName"/> is null too, so nothing personal goes.
/// </summary>
public sealed record WriteBackInvitation(
    long Id,
    Guid? ContactId,
    string? ContactName,
    InvitationResponse Response,
    DateTimeOffset? RespondedAt,
    PlaceStatus Place,
    int? WaitlistPosition,
    DateTimeOffset? PlaceOfferedUntil,
    DateTimeOffset? CheckedInAt,
    bool AttendedOnline,
    bool WalkIn,
    DateTimeOffset InvitedAt)
{
    public bool Attended => CheckedInAt is not null || AttendedOnline;

    /// <summary>The Dataverse account of the invited person's organisation (null when erased, removed or not from Dynamics).</summary>
    public Guid? AccountId { get; init; }
}

/// <summary>Outreach's answer to a request from Dynamics, written on the row the request came from (a refused move; a start on the account).</summary>
public sealed record RequestAnswerWriteBack(long Id, string Key, CrmRequestKind Kind, Guid DataverseId, CrmRequestOutcome Outcome, string Message, int Attempts)
    : WriteBackItem(Id, Key, Attempts);

/// <summary>
/// An activity logged in Outreach as it goes to the account's Dynamics timeline (a phone call, an appointment, a note),
/// in its current state; its Dynamics id is <see cref="CrmIds.Activity"/> of <see cref="ActivityId"/>. Only activities
/// logged in Outreach are written: one read in from Dynamics never is (no echo).
/// </summary>
public sealed record ActivityWriteBack(
    long Id,
    string Key,
    Guid AccountId,
    long ActivityId,
    Activities.ActivityKind Kind,
    DateTimeOffset OccurredAt,
    string Text,
    Activities.CallDirection? Direction,
    Activities.CallOutcome? Outcome,
    int? DurationMinutes,
    string? Location,
    string? OtherAttendees,
    string? ContactNames,
    string Author,
    long? CorrectsId,
    int Attempts) : WriteBackItem(Id, Key, Attempts)
{
    public Guid DataverseId => CrmIds.Activity(ActivityId);
}

/// <summary>A network event's current state.</summary>
public sealed record EventWriteBack(long Id, string Key, WriteBackEvent Event, int Attempts) : WriteBackItem(Id, Key, Attempts);

/// <summary>An invitation's current state, with its event's (the event must be in the CRM before the invitation can point at it).</summary>
public sealed record InvitationWriteBack(long Id, string Key, WriteBackEvent Event, WriteBackInvitation Invitation, int Attempts) : WriteBackItem(Id, Key, Attempts);

/// <summary>
/// Where a party's milestone stands as Dynamics gets it, as of the write: open, done, or dropped (the party left before it
/// was due, so it is no longer asked; the onboarding panel shows it apart). "Overdue" is not a status: written once it would
/// stay true after the milestone was done elsewhere or go stale by the next day; the view "Overdue onboarding milestones"
/// in Dynamics finds open ones past their due date instead.
/// </summary>
public enum MilestoneStatus
{
    Open,
    Done,
    Dropped,
}

/// <summary>A signed party's onboarding as the account shows it: all its milestones, its covenant (for the monitoring years) and the day it left, if it did.</summary>
public sealed record PartyOnboardingStatus(Prospects.Covenant Covenant, IReadOnlyList<PartyMilestone> Milestones, DateOnly? LeftOn)
{
    /// <summary>The onboarding panel's count on <paramref name="today"/> (<see cref="OnboardingProgress.Of"/>).</summary>
    public OnboardingProgress ProgressOn(DateOnly today) => OnboardingProgress.Of(Milestones, Covenant, today, LeftOn);

    /// <summary>The account's onboarding status: "3 of 5 done", the same figures as the onboarding panel.</summary>
    public string Summary(DateOnly today)
    {
        var progress = ProgressOn(today);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{progress.Done} of {progress.Total} done");
    }

    /// <summary>Done; dropped when the party left before it was due and it was not done (as the panel drops it); else open.</summary>
    public MilestoneStatus StatusOf(PartyMilestone milestone)
    {
        ArgumentNullException.ThrowIfNull(milestone);
        if (milestone.IsDone) return MilestoneStatus.Done;
        return LeftOn is { } left && milestone.DueOn > left ? MilestoneStatus.Dropped : MilestoneStatus.Open;
    }
}

/// <summary>
/// A party's milestone in its current state (read when sent), with the party's onboarding for the account's status column.
/// Its Dynamics id is derived from the milestone's id, so every row of the same milestone writes the same otr_onboardingmilestone row.
/// </summary>
public sealed record MilestoneWriteBack(long Id, string Key, Guid AccountId, long ProspectId, PartyMilestone Milestone, PartyOnboardingStatus Party, int Attempts)
    : WriteBackItem(Id, Key, Attempts)
{
    /// <summary>The milestone's id in Dynamics.</summary>
    public Guid DataverseId => CrmIds.Milestone(Milestone.Id);
}

/// <summary>
/// The write-back outbox: rows are added in the transaction of the change, sent, then marked sent. A crash between
/// sending and marking sends again, which the CRM side absorbs (upserts under ids derived from keys).
/// Only one sender runs at a time: the Dataverse job sends only while it holds the sync's lease (ICrmSyncStore.TryLeaseAsync),
/// a row of our own, not the scheduler's lock. Should a lease lapse under a stalled run, a second sender's repeats are absorbed as above.
/// </summary>
public interface IWriteBackOutbox
{
    /// <summary>Unsent items after <paramref name="afterId"/>, oldest first, skipping items that failed too often.</summary>
    Task<IReadOnlyList<WriteBackItem>> PendingAsync(long afterId, int max, CancellationToken ct);

    Task MarkSentAsync(IReadOnlyList<long> ids, DateTimeOffset at, CancellationToken ct);

    Task MarkFailedAsync(long id, string reason, CancellationToken ct);

    /// <summary>Unsent items the CRM refused, newest first, with its error: all of them, or those of one pipeline entry.</summary>
    Task<IReadOnlyList<WriteBackRefusal>> RefusedAsync(long? entryId, int max, CancellationToken ct);

    /// <summary>
    /// After a contact is erased: their invitations are written back again, now without their name and without the link to the
    /// Dataverse contact, so the CRM's invitation rows keep no personal data (nothing while Dataverse is not in use).
    /// </summary>
    Task EnqueueContactErasedAsync(long contactId, DateTimeOffset at, CancellationToken ct);

    /// <summary>Adds the write-back of a stage change, only for an organisation that mirrors a Dataverse account (none without Dataverse).</summary>
    Task EnqueueStageChangeAsync(long entryId, long stageChangeId, DateTimeOffset at, CancellationToken ct);

    /// <summary>Adds the write-back of a changed next action (the account gets the entry's current stage and next action), only for an organisation that mirrors a Dataverse account.</summary>
    Task EnqueueNextActionAsync(long entryId, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Adds the write-back of an activity in its current state: only for one logged in Outreach (one read in from Dynamics is
    /// never sent back) on a prospect whose organisation mirrors a Dataverse account. Each change its own row; the rows of one
    /// activity send its current state under the same id (an upsert).
    /// </summary>
    Task EnqueueActivityAsync(long activityId, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Adds what <see cref="EventChangeRules"/> decided an event change sends: the event, and those of the invitations
    /// whose contact mirrors a Dataverse contact; nothing while no organisation mirrors a Dataverse account (the embedded mode,
    /// where nothing would send them).
    /// </summary>
    Task EnqueueEventChangeAsync(EventChangeWriteBack change, DateTimeOffset at, CancellationToken ct);
    /// <summary>Whether a stage change or next action of the entry waits to be written back (its account does not show Outreach's latest yet).</summary>
    Task<bool> HasPendingForEntryAsync(long entryId, CancellationToken ct);

    /// <summary>
    /// Adds the write-back of one milestone in its current state (marked done, reopened, answered by a questionnaire import),
    /// with its party's onboarding status on the account; only for a party whose organisation mirrors a Dataverse account.
    /// Each change its own row; the rows of one party in a pass go as one change set.
    /// </summary>
    Task EnqueueMilestoneAsync(long milestoneId, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Adds the write-back of every milestone of the party (just created at signing; dropped or not when it leaves or signs
    /// again) with its onboarding status, in the move's unit of work; nothing for a party without milestones or without a Dataverse account.
    /// </summary>
    Task EnqueuePartyMilestonesAsync(long entryId, DateTimeOffset at, CancellationToken ct);

    /// <summary>Adds the write-back of a recorded answer to a request from Dynamics (<see cref="ICrmSyncStore.RecordAnswerAsync"/>), in the caller's unit of work.</summary>
    Task EnqueueAnswerAsync(long answerId, DateTimeOffset at, CancellationToken ct);
}

/// <summary>An unsent write-back the CRM refused: what it was, how often it was tried, the CRM's own error, and whether it is no longer tried.</summary>
public sealed record WriteBackRefusal(long Id, string Key, string Kind, long? EntryId, int Attempts, string Error, bool GivenUp);
