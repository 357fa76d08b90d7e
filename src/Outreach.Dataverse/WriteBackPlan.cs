using Outreach.Core.Crm;

namespace Outreach.Dataverse;

/// <summary>
/// One change set to send: the rows it settles (several rows for the same event or invitation send the same current state,
/// so they go as one upsert), and for an invitation whether its event's upsert goes first in the same change set.
/// </summary>
/// <param name="Target">What the change set writes (<see cref="WriteBackPlan.Target"/>).</param>
/// <param name="Items">The outbox rows it settles, first one first (they all send its state).</param>
/// <param name="WithEvent">An invitation whose event's upsert goes first in the same change set.</param>
/// <param name="EventWritten">The event this change set writes too, if any (an event's own row, or an invitation carrying its event).</param>
public sealed record PlannedChangeSet(string Target, IReadOnlyList<WriteBackItem> Items, bool WithEvent, string? EventWritten);

/// <summary>The next $batch request: its change sets, the rows settled without sending (already written in this pass), and the rows left for later requests.</summary>
public sealed record WriteBackBatch(IReadOnlyList<PlannedChangeSet> ChangeSets, IReadOnlyList<long> AlreadyWritten, IReadOnlyList<WriteBackItem> Remaining);

/// <summary>What one request's answers mean for the outbox: rows sent, rows refused (with Dataverse's error), and what is now written or failed in this pass.</summary>
public sealed record WriteBackSettlement(
    IReadOnlyList<long> Sent,
    IReadOnlyList<(WriteBackItem Item, DataverseException Error)> Refused,
    IReadOnlyList<string> Written,
    IReadOnlyList<string> Failed);

/// <summary>
/// The planning of a write-back pass, without I/O: which rows go in the next request, merged how and in what order
/// (an event is written before the first of its invitations: in the same change set when the pass holds no row for the
/// event itself, so an invitation never points at an event Dynamics does not have), and what the answers settle.
/// </summary>
public static class WriteBackPlan
{
    /// <summary>
    /// Plans the next request from <paramref name="queue"/> (outbox order): at most <paramref name="maxChangeSets"/> change
    /// sets. A row whose target was <paramref name="written"/> earlier in the pass is settled without sending; a row whose
    /// target <paramref name="failed"/> earlier stays pending (sending it again in the same pass would fail the same way).
    /// </summary>
    public static WriteBackBatch Next(IReadOnlyList<WriteBackItem> queue, IReadOnlySet<string> written, IReadOnlySet<string> failed, int maxChangeSets)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(written);
        ArgumentNullException.ThrowIfNull(failed);
        var sets = new List<(string Target, List<WriteBackItem> Items, bool WithEvent, string? EventWritten)>();
        var inBatch = new Dictionary<string, int>(StringComparer.Ordinal);
        var already = new List<long>();
        var next = 0;
        for (; next < queue.Count; next++)
        {
            var item = queue[next];
            var target = Target(item);
            if (written.Contains(target))
            {
                already.Add(item.Id);
                continue;
            }

            if (failed.Contains(target)) continue;
            if (inBatch.TryGetValue(target, out var same))
            {
                sets[same].Items.Add(item);
                continue;
            }

            if (sets.Count == maxChangeSets) break;
            var eventReady = item is InvitationWriteBack i && (written.Contains(EventTarget(i.Event)) || inBatch.ContainsKey(EventTarget(i.Event)));
            string? eventWritten = item switch
            {
                EventWriteBack e => EventTarget(e.Event),
                InvitationWriteBack v when !eventReady => EventTarget(v.Event),
                _ => null,
            };
            sets.Add((target, [item], item is InvitationWriteBack && !eventReady, eventWritten));
            inBatch[target] = sets.Count - 1;
            if (eventWritten is not null) inBatch.TryAdd(eventWritten, sets.Count - 1);
        }

        return new WriteBackBatch(
            sets.Select(s => new PlannedChangeSet(s.Target, s.Items, s.WithEvent, s.EventWritten)).ToList(),
            already,
            queue.Skip(next).ToList());
    }

    /// <summary>
    /// What the answers to <paramref name="batch"/> settle: an applied change set sends its rows and writes its targets; a
    /// refused one fails its rows with Dataverse's error; one the service did not attempt stays pending without an attempt counted.
    /// </summary>
    public static WriteBackSettlement Settle(WriteBackBatch batch, IReadOnlyList<ChangeSetResult> results)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(results);
        var sent = new List<long>(batch.AlreadyWritten);
        var refused = new List<(WriteBackItem, DataverseException)>();
        var written = new List<string>();
        var failed = new List<string>();
        for (var n = 0; n < batch.ChangeSets.Count; n++)
        {
            var set = batch.ChangeSets[n];
            var result = n < results.Count ? results[n] : new ChangeSetResult(false, null);
            if (result.Succeeded)
            {
                written.Add(set.Target);
                if (set.EventWritten is { } eventTarget) written.Add(eventTarget);
                sent.AddRange(set.Items.Select(x => x.Id));
                continue;
            }

            failed.Add(set.Target);
            if (result.Error is { } error) refused.AddRange(set.Items.Select(x => (x, error)));
        }

        return new WriteBackSettlement(sent, refused, written, failed);
    }

    /// <summary>What a row writes: rows with the same target send the same current state, so one upsert settles them all.</summary>
    public static string Target(WriteBackItem item) => item switch
    {
        EventWriteBack e => EventTarget(e.Event),
        InvitationWriteBack i => $"invitation:{i.Invitation.Id}",
        // An activity's rows all send its current state under one id: one upsert settles them.
        ActivityWriteBack a => $"activity:{a.ActivityId}",
        // A party's milestone rows go as one change set: each milestone's latest state once, then the account's status once.
        MilestoneWriteBack m => OnboardingTarget(m.ProspectId),
        // Each stage change and next action is its own timeline entry: never merged.
        _ => $"item:{item?.Id}",
    };

    public static string EventTarget(WriteBackEvent e) => $"event:{e?.Uid}";

    public static string OnboardingTarget(long prospectId) => $"onboarding:{prospectId}";

    /// <summary>
    /// What a party's change set writes: each milestone once, in the state of its newest row (highest outbox id: read last,
    /// so never older than another), in due order; and the party's onboarding as the newest row read it, for the account's status.
    /// </summary>
    public static (IReadOnlyList<MilestoneWriteBack> Milestones, PartyOnboardingStatus Party) Onboarding(IReadOnlyList<WriteBackItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var rows = items.OfType<MilestoneWriteBack>().ToList();
        if (rows.Count == 0 || rows.Count != items.Count || rows.Select(r => r.ProspectId).Distinct().Count() != 1)
            throw new ArgumentException("A party's change set holds milestone rows of that party only.", nameof(items));
        var latest = rows.GroupBy(r => r.Milestone.Id).Select(g => g.MaxBy(r => r.Id)!)
            .OrderBy(r => r.Milestone.DueOn).ThenBy(r => r.Milestone.Id).ToList();
        return (latest, rows.MaxBy(r => r.Id)!.Party);
    }
}
