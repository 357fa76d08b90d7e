using Outreach.Core.Calendar;
using Outreach.Core.Common;
using Outreach.Core.Crm;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Core.Activities;

/// <summary>What logging, editing or correcting an activity came to: the activity, or why not (field errors or a refusal).</summary>
public sealed record ActivityOutcome(Activity? Activity, IReadOnlyList<FieldError> Errors, DomainMessage? Refusal = null)
{
    public bool NotFound { get; init; }
    public bool Succeeded => Activity is not null && Errors.Count == 0 && Refusal is null;
}

/// <summary>
/// Logs calls, meetings and notes against a prospect, with the follow-up as its next action in the same transaction; edits
/// by the author within a day, corrections after that. Every caller (the prospect page, the API) goes through here.
/// </summary>
public sealed class ActivityService(IUnitOfWork unit, IActivityStore activities, IPipelineStore pipeline, PipelineService moves, IWriteBackOutbox writeBack, IProspectStore prospects, TimeProvider clock)
{
    public async Task<ActivityOutcome> LogAsync(long prospectId, ActivityDraft draft, string by, CancellationToken ct) =>
        await SaveAsync(prospectId, draft, by, correctsId: null, ct).ConfigureAwait(false);

    /// <summary>Appends a correction to <paramref name="activityId"/>: a new activity that points at it (the original stays as logged).</summary>
    public async Task<ActivityOutcome> CorrectAsync(long prospectId, long activityId, ActivityDraft draft, string by, CancellationToken ct)
    {
        var original = await activities.GetAsync(activityId, ct).ConfigureAwait(false);
        if (original is null || original.ProspectId != prospectId) return new ActivityOutcome(null, []) { NotFound = true };
        return await SaveAsync(prospectId, draft with { Kind = original.Kind }, by, activityId, ct).ConfigureAwait(false);
    }

    /// <summary>Changes the activity in place when its author asks within a day; otherwise refuses and says to add a correction.</summary>
    public async Task<ActivityOutcome> EditAsync(long prospectId, long activityId, ActivityDraft draft, string by, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var now = clock.GetUtcNow();
        var original = await activities.GetAsync(activityId, ct).ConfigureAwait(false);
        if (original is null || original.ProspectId != prospectId) return new ActivityOutcome(null, []) { NotFound = true };
        if (!ActivityRules.CanEdit(original, by, now))
            return new ActivityOutcome(null, [], new DomainMessage("Only its author can change an activity, within a day of logging it. Add a correction instead."));
        var entry = await pipeline.GetEntryAsync(prospectId, ct).ConfigureAwait(false);
        if (entry is null) return new ActivityOutcome(null, []) { NotFound = true };
        var contacts = (await prospects.ListContactsAsync(entry.OrganisationId, ct).ConfigureAwait(false)).Where(c => !c.Erased).Select(c => c.Id).ToHashSet();
        // The kind stays what it was; a follow-up is set when logging (a later change goes through the next action).
        var changed = draft with { Kind = original.Kind, FollowUp = original.FollowUp, FollowUpDue = original.FollowUpDue };
        var errors = ActivityRules.Check(changed, contacts, now);
        if (errors.Count > 0) return new ActivityOutcome(null, errors);
        var updated = await unit.RunAsync(async token =>
        {
            var after = await activities.UpdateAsync(activityId, ActivityRules.Clean(changed, now), by, now, token).ConfigureAwait(false);
            if (after is not null && Differs(original, after)) await writeBack.EnqueueActivityAsync(activityId, now, token).ConfigureAwait(false);
            return after;
        }, ct).ConfigureAwait(false);
        return updated is null ? new ActivityOutcome(null, []) { NotFound = true } : new ActivityOutcome(updated, []);
    }

    private async Task<ActivityOutcome> SaveAsync(long prospectId, ActivityDraft draft, string by, long? correctsId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var now = clock.GetUtcNow();
        var entry = await pipeline.GetEntryAsync(prospectId, ct).ConfigureAwait(false);
        if (entry is null) return new ActivityOutcome(null, []) { NotFound = true };
        // Erased contacts cannot be linked again: their name would come back from nowhere.
        var contacts = (await prospects.ListContactsAsync(entry.OrganisationId, ct).ConfigureAwait(false)).Where(c => !c.Erased).Select(c => c.Id).ToHashSet();
        var errors = ActivityRules.Check(draft, contacts, now);
        if (errors.Count > 0) return new ActivityOutcome(null, errors);
        var clean = ActivityRules.Clean(draft, now);
        var today = AmsterdamClock.Today(clock);
        var saved = await unit.RunAsync(async token =>
        {
            var activity = await activities.AddAsync(prospectId, clean, by, now, correctsId, token).ConfigureAwait(false);
            await writeBack.EnqueueActivityAsync(activity.Id, now, token).ConfigureAwait(false);
            if (clean.FollowUp is not null)
                await moves.SetNextActionAsync(prospectId, clean.FollowUp, clean.FollowUpDue, today, token).ConfigureAwait(false);
            return activity;
        }, ct).ConfigureAwait(false);
        return new ActivityOutcome(saved, []);
    }

    /// <summary>Whether an edit changed what Dynamics shows of the activity (an unchanged save sends nothing).</summary>
    private static bool Differs(Activity before, Activity after) =>
        (before.OccurredAt, before.Text, before.Direction, before.Outcome, before.DurationMinutes, before.Location, before.OtherAttendees)
        != (after.OccurredAt, after.Text, after.Direction, after.Outcome, after.DurationMinutes, after.Location, after.OtherAttendees)
        || !before.Contacts.Select(c => c.ContactId).Order().SequenceEqual(after.Contacts.Select(c => c.ContactId).Order());
}
