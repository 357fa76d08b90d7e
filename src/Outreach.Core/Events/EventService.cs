using Microsoft.Extensions.Logging;
using Outreach.Core.Common;

namespace Outreach.Core.Events;

/// <summary>The outcome of a use case: the event after it, or why not (a refusal, field errors, or no such event).</summary>
public sealed record EventResult(NetworkEvent? Event, DomainMessage? Refusal = null, IReadOnlyList<FieldError>? Errors = null, bool NotFound = false)
{
    public bool Succeeded => Event is not null && Refusal is null && (Errors is null || Errors.Count == 0) && !NotFound;
}

/// <summary>The outcome of inviting: the counts the person inviting sees.</summary>
public sealed record InviteResult(int Invited, int ExcludedOptedOut, int ExcludedBouncing, int ExcludedAlreadyInvited, DomainMessage? Refusal = null, bool NotFound = false)
{
    /// <summary>The number who would be invited differs from the one confirmed: nothing was stored; show the new count and ask again.</summary>
    public bool CountChanged { get; init; }

    /// <summary>How many the selection would invite now (after those left out).</summary>
    public int Matching { get; init; }

    /// <summary>When the invitations wait for the send window: its opening; null when they were passed on at once.</summary>
    public DateTimeOffset? QueuedUntil { get; init; }
}

/// <summary>What the person confirmed: how many they saw would be invited (null: no check), and whether to send now rather than in the send window.</summary>
public sealed record InviteConfirmation(int? ExpectedCount = null, bool Now = true);

/// <summary>What inviting a selection would do: how many would be invited, how many are left out and why, and who, by example.</summary>
public sealed record InvitePreview(int ToInvite, int ExcludedOptedOut, int ExcludedBouncing, int ExcludedAlreadyInvited, IReadOnlyList<ContactChoice> Sample,
    DomainMessage? Refusal = null, bool NotFound = false);

/// <summary>
/// The event use cases: read the event and its invitations, decide with <see cref="EventRules"/>, store the change under the
/// event's version (deciding again when someone else came first) together with the notices it calls for, then pass those
/// notices to the channel at once. A crash or a refusing service after the change leaves the notices queued for the
/// event-notices job, so no invitee misses an invitation, update, cancellation or offered place.
/// </summary>
public sealed partial class EventService(IEventStore store, IEventInvitationChannel channel, EventNoticeDispatcher notices, EventOptions options, TimeProvider clock,
    ILogger<EventService> logger, string? node = null, Sequences.SendWindow? window = null)
{
    /// <summary>The window invitations wait for unless the person sends them now (the sequences' one, Sequences:SendWindow*).</summary>
    private readonly Sequences.SendWindow sendWindow = window ?? Sequences.SendWindow.OfficeHours;

    private const int Attempts = 5;

    /// <summary>How long a person's action waits for its notices; the rest goes with the job (a large invitation to a calendar service).</summary>
    public static readonly TimeSpan NoticeBudget = TimeSpan.FromSeconds(10);

    private const int NoticesPerClaim = 10;

    private readonly string nodeName = node ?? $"{Environment.MachineName}:{Environment.ProcessId}";

    public async Task<EventResult> CreateAsync(NetworkEventDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = EventRules.Check(draft);
        if (errors.Count > 0) return new EventResult(null, Errors: errors);
        var uid = "evt-" + Guid.NewGuid().ToString("N") + "@outreach";
        return new EventResult(await store.AddEventAsync(EventRules.Create(draft, uid, clock.GetUtcNow()), ct).ConfigureAwait(false));
    }

    public async Task<EventResult> EditAsync(long eventId, NetworkEventDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = EventRules.Check(draft);
        if (errors.Count > 0) return new EventResult(null, Errors: errors);
        return await ChangeAsync(eventId, "edited", (e, invitations, now) => EventRules.Edit(e, draft, invitations, options.OfferWindow, now), ct).ConfigureAwait(false);
    }

    public Task<EventResult> CancelAsync(long eventId, CancellationToken ct) =>
        ChangeAsync(eventId, "cancelled", (e, invitations, now) => EventRules.Cancel(e, invitations, now), ct);

    public Task<EventResult> RespondAsync(long eventId, long invitationId, InvitationResponse response, CancellationToken ct) =>
        ChangeAsync(eventId, "answered", (e, invitations, now) => (e, EventRules.Respond(e, invitations, invitationId, response, options.OfferWindow, now)), ct);

    public Task<EventResult> CheckInAsync(long eventId, long invitationId, bool checkedIn, CancellationToken ct) =>
        ChangeAsync(eventId, checkedIn ? "checked-in" : "check-in-undone", (e, invitations, now) => (e, EventRules.CheckIn(e, invitations, invitationId, checkedIn, now, options.CheckInOpensBefore)), ct);

    public Task<EventResult> WalkInAsync(long eventId, long contactId, CancellationToken ct) =>
        ChangeAsync(eventId, "checked-in", (e, invitations, now) => (e, EventRules.WalkIn(e, invitations, contactId, now, options.CheckInOpensBefore)), ct);

    /// <summary>Marks the invited contacts who attended online (from the meeting's attendance report); door check-ins stay.</summary>
    public Task<EventResult> RecordOnlineAttendanceAsync(long eventId, IReadOnlyCollection<long> contactIds, CancellationToken ct) =>
        ChangeAsync(eventId, "attended-online", (e, invitations, now) => (e, EventRules.RecordOnlineAttendance(e, invitations, contactIds, now)), ct);

    public Task<EventResult> ExpireOffersAsync(long eventId, CancellationToken ct) =>
        ChangeAsync(eventId, "offer-lapsed", (e, invitations, now) => (e, EventRules.ExpireOffers(e, invitations, options.OfferWindow, now)), ct);

    /// <summary>How many contacts a filtered invitation shows by name before it is confirmed.</summary>
    public const int SampleSize = 10;

    /// <summary>
    /// What inviting <paramref name="selection"/> would do, without doing it: how many would be invited, how many are left
    /// out and why, and the first <see cref="SampleSize"/> by name and organisation (the confirmation step of the event page).
    /// </summary>
    public async Task<InvitePreview> PreviewInviteAsync(long eventId, InviteSelection selection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var e = await store.GetEventAsync(eventId, ct).ConfigureAwait(false);
        if (e is null) return new InvitePreview(0, 0, 0, 0, [], NotFound: true);
        var candidates = await store.ListInviteCandidatesAsync(selection, ct).ConfigureAwait(false);
        var invitations = await store.ListInvitationsAsync(eventId, ct).ConfigureAwait(false);
        var decision = EventRules.Invite(e, invitations, candidates, clock.GetUtcNow());
        if (!decision.IsAllowed) return new InvitePreview(0, 0, 0, 0, [], decision.Refusal);
        var sample = decision.Invited.Count == 0 ? [] : await store.ListContactChoicesAsync([.. decision.Invited.Take(SampleSize)], ct).ConfigureAwait(false);
        return new InvitePreview(decision.Invited.Count, decision.ExcludedOptedOut, decision.ExcludedBouncing, decision.ExcludedAlreadyInvited, sample);
    }

    /// <summary>Invites at once (the API and the tests), passing the invitations on now.</summary>
    public Task<InviteResult> InviteAsync(long eventId, InviteSelection selection, CancellationToken ct) =>
        InviteAsync(eventId, selection, new InviteConfirmation(), ct);

    /// <summary>
    /// Invites the selection as the person confirmed it: nothing is stored when <see cref="InviteConfirmation.ExpectedCount"/>
    /// is given and the number who would be invited differs now (<see cref="InviteResult.CountChanged"/>: ask again), and the
    /// invitations wait for the send window's next opening unless <see cref="InviteConfirmation.Now"/>.
    /// </summary>
    public async Task<InviteResult> InviteAsync(long eventId, InviteSelection selection, InviteConfirmation confirmation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(confirmation);
        var candidates = await store.ListInviteCandidatesAsync(selection, ct).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var e = await store.GetEventAsync(eventId, ct).ConfigureAwait(false);
            if (e is null) return new InviteResult(0, 0, 0, 0, NotFound: true);
            var invitations = await store.ListInvitationsAsync(eventId, ct).ConfigureAwait(false);
            var now = clock.GetUtcNow();
            var decision = EventRules.Invite(e, invitations, candidates, now);
            if (!decision.IsAllowed) return new InviteResult(0, 0, 0, 0, decision.Refusal);
            if (confirmation.ExpectedCount is { } expected && expected != decision.Invited.Count)
                return new InviteResult(0, decision.ExcludedOptedOut, decision.ExcludedBouncing, decision.ExcludedAlreadyInvited) { CountChanged = true, Matching = decision.Invited.Count };
            DateTimeOffset? dueAt = confirmation.Now ? null : sendWindow.NextOpening(now);
            try
            {
                var (_, added) = decision.Invited.Count == 0
                    ? (e, [])
                    : await store.ApplyAsync(new EventChange(e, e.Version, EventRules.NewInvitations(e, decision, now), "invited", now)
                    {
                        Notices = decision.Invited.Select(contactId => new EventMail(contactId, EventMailKind.Invitation)).ToList(),
                        NoticesDueAt = dueAt,
                    }, ct).ConfigureAwait(false);
                // Queued for the window: the event-notices job passes them on from its opening, not this request.
                if (added.Count > 0 && dueAt is null) await PassOnNoticesAsync(eventId, ct).ConfigureAwait(false);
                return new InviteResult(added.Count, decision.ExcludedOptedOut, decision.ExcludedBouncing, decision.ExcludedAlreadyInvited)
                {
                    Matching = decision.Invited.Count,
                    QueuedUntil = added.Count > 0 ? dueAt : null,
                };
            }
            catch (ConcurrentEventChangeException) when (attempt < Attempts)
            {
                // Someone answered or invited meanwhile: decide again on the current invitations.
            }
        }
    }

    /// <summary>Sends the reminders of one event (each invitee once, however often this runs).</summary>
    public async Task<int> SendRemindersAsync(NetworkEvent networkEvent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(networkEvent);
        var invitations = await store.ListInvitationsAsync(networkEvent.Id, ct).ConfigureAwait(false);
        return await SendAsync(networkEvent, invitations, EventRules.Reminders(networkEvent, invitations), ct).ConfigureAwait(false);
    }

    /// <summary>After the event: thanks to attendees (and their follow-up enrolment), another message to no-shows.</summary>
    public async Task<int> SendFollowUpsAsync(NetworkEvent networkEvent, IEventFollowUpEnrolment enrolment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(networkEvent);
        ArgumentNullException.ThrowIfNull(enrolment);
        var invitations = await store.ListInvitationsAsync(networkEvent.Id, ct).ConfigureAwait(false);
        var mails = EventRules.FollowUps(networkEvent, invitations, clock.GetUtcNow());
        foreach (var mail in mails.Where(m => m.Kind == EventMailKind.Thanks))
            await enrolment.EnrolAttendeeAsync(networkEvent, invitations.First(i => i.ContactId == mail.ContactId), ct).ConfigureAwait(false);
        return await SendAsync(networkEvent, invitations, mails, ct).ConfigureAwait(false);
    }

    private async Task<int> SendAsync(NetworkEvent e, IReadOnlyList<Invitation> invitations, IEnumerable<EventMail> mails, CancellationToken ct)
    {
        var byContact = invitations.ToDictionary(i => i.ContactId);
        var sent = 0;
        foreach (var mail in mails)
        {
            if (!byContact.TryGetValue(mail.ContactId, out var invitation)) continue;
            await channel.SendAsync(e, invitation, mail.Kind, ct).ConfigureAwait(false);
            sent++;
        }

        return sent;
    }

    /// <summary>
    /// Passes the change's notices on now, within <see cref="NoticeBudget"/>. The change is stored whatever happens here:
    /// a failure leaves the notices queued for the event-notices job (which retries and reports), so it is not the caller's error.
    /// </summary>
    private async Task PassOnNoticesAsync(long eventId, CancellationToken ct)
    {
        try
        {
            // A claimer name of its own: two people acting on one event in this process must not share a claim. Few at a
            // time, so a person waits for one calendar call at most past the budget.
            await notices.DispatchAsync(eventId, $"{nodeName}/{Guid.NewGuid():N}", NoticeBudget, ct, NoticesPerClaim).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The person left (or the host stops): the change is stored, and the job passes on what is left.
            LogNoticesLeftToTheJob(logger, eventId);
        }
        catch (Exception ex) when (!FailurePolicy.EndsTheRun(ex, ct))
        {
            // Not the caller's error: the change is stored and the notices stay queued for the job, but it is logged.
            LogNoticesFailed(logger, ex, eventId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId}: the request ended before its notices were passed on; the event-notices job passes them on")]
    private static partial void LogNoticesLeftToTheJob(ILogger logger, long eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: passing its notices on at once failed; they stay queued for the event-notices job")]
    private static partial void LogNoticesFailed(ILogger logger, Exception exception, long eventId);

    private async Task<EventResult> ChangeAsync(long eventId, string action,
        Func<NetworkEvent, IReadOnlyList<Invitation>, DateTimeOffset, (NetworkEvent Event, EventDecision Decision)> decide, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var e = await store.GetEventAsync(eventId, ct).ConfigureAwait(false);
            if (e is null) return new EventResult(null, NotFound: true);
            var invitations = await store.ListInvitationsAsync(eventId, ct).ConfigureAwait(false);
            var (changedEvent, decision) = decide(e, invitations, clock.GetUtcNow());
            if (!decision.IsAllowed) return new EventResult(e, decision.Refusal);
            if (changedEvent == e && decision.Changed.Count == 0) return new EventResult(e);
            try
            {
                var (stored, _) = await store.ApplyAsync(new EventChange(changedEvent, e.Version, decision.Changed, action, clock.GetUtcNow()) { Notices = decision.Mails }, ct)
                    .ConfigureAwait(false);
                if (decision.Mails.Count > 0) await PassOnNoticesAsync(eventId, ct).ConfigureAwait(false);
                return new EventResult(stored);
            }
            catch (ConcurrentEventChangeException) when (attempt < Attempts)
            {
                // Another change came first: decide again on what is stored now.
            }
        }
    }
}
