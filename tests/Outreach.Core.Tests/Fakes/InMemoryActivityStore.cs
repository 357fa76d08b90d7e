using Outreach.Core.Activities;
using Outreach.Core.Prospects;

namespace Outreach.Core.Tests.Fakes;

/// <summary>Activities in memory; contact names are read from the prospect store as the SQL store reads them from the contact rows.</summary>
internal sealed class InMemoryActivityStore(IProspectStore? prospects = null) : IActivityStore, IInMemoryState
{
    private readonly Dictionary<long, Activity> rows = [];
    private long nextId = 1;

    public IReadOnlyCollection<Activity> All => rows.Values;

    public async Task<Activity> AddAsync(long prospectId, ActivityDraft draft, string author, DateTimeOffset at, long? correctsId, CancellationToken ct)
    {
        var contacts = new List<ActivityContact>();
        foreach (var id in draft.ContactIds)
        {
            var contact = prospects is null ? null : await prospects.GetContactAsync(id, ct);
            contacts.Add(new ActivityContact(id, contact?.Name));
        }

        var activity = new Activity
        {
            Id = nextId++, ProspectId = prospectId, Kind = draft.Kind, OccurredAt = draft.OccurredAt ?? at, Text = draft.Text ?? "", Direction = draft.Direction,
            Outcome = draft.Outcome, DurationMinutes = draft.DurationMinutes, Location = draft.Location, OtherAttendees = draft.OtherAttendees, Contacts = contacts,
            FollowUp = draft.FollowUp, FollowUpDue = draft.FollowUpDue, Author = author, CreatedAt = at, CorrectsId = correctsId,
        };
        rows[activity.Id] = activity;
        return activity;
    }

    public Task<Activity?> GetAsync(long id, CancellationToken ct) => Task.FromResult(rows.GetValueOrDefault(id));

    public Task<Activity?> UpdateAsync(long id, ActivityDraft draft, string by, DateTimeOffset at, CancellationToken ct)
    {
        if (!rows.TryGetValue(id, out var before)) return Task.FromResult<Activity?>(null);
        var updated = before with
        {
            OccurredAt = draft.OccurredAt ?? before.OccurredAt, Text = draft.Text ?? "", Direction = draft.Direction, Outcome = draft.Outcome,
            DurationMinutes = draft.DurationMinutes, Location = draft.Location, OtherAttendees = draft.OtherAttendees, EditedAt = at,
            Contacts = draft.ContactIds.Select(c => before.Contacts.FirstOrDefault(x => x.ContactId == c) ?? new ActivityContact(c, null)).ToList(),
        };
        rows[id] = updated;
        return Task.FromResult<Activity?>(updated);
    }

    public Task<int> EraseContactAsync(long contactId, CancellationToken ct)
    {
        var erased = 0;
        foreach (var activity in rows.Values.ToList())
        {
            if (!activity.Contacts.Any(c => c.ContactId == contactId && c.Name is not null)) continue;
            rows[activity.Id] = activity with { Contacts = activity.Contacts.Select(c => c.ContactId == contactId ? c with { Name = null } : c).ToList() };
            erased++;
        }

        return Task.FromResult(erased);
    }

    public Action Snapshot()
    {
        var copy = rows.ToDictionary();
        var next = nextId;
        return () =>
        {
            rows.Clear();
            foreach (var (k, v) in copy) rows[k] = v;
            nextId = next;
        };
    }
}
