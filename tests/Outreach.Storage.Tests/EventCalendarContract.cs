using Outreach.Core.Events;

namespace Outreach.Storage.Tests;

/// <summary>The Microsoft 365 calendar links of events on every engine: round trip, upsert, and the two work lists of the calendar job.</summary>
public abstract partial class StoreContract
{
    private async Task<NetworkEvent> CalendarEventAsync(SqlEventStore events, EventFormat format, DateTime startLocal) =>
        await events.AddEventAsync(EventRules.Create(new NetworkEventDraft
        {
            Title = "Online sessie " + format, CovenantId = gold.Id, Format = format, Venue = format == EventFormat.Online ? null : "Utrecht",
            StartLocal = startLocal, EndLocal = startLocal.AddHours(2), Capacity = 10, RegistrationDeadlineLocal = startLocal.AddDays(-1),
        }, "evt-" + Guid.NewGuid().ToString("N") + "@outreach.test", Clock.GetUtcNow()), default);

    [Fact]
    public async Task CalendarLink_RoundTrips_SavesWithoutGoingBack_AndUnknownEventsHaveNone()
    {
        var events = new SqlEventStore(Db);
        var links = new SqlEventCalendarLinks(Db);
        var e = await CalendarEventAsync(events, EventFormat.Hybrid, new DateTime(2026, 4, 15, 14, 0, 0));
        Assert.Null(await links.GetAsync(e.Id, default));

        var first = new EventCalendarLink
        {
            EventId = e.Id, Mailbox = "secretariaat@convenant.example", TransactionId = EventCalendarLink.TransactionIdFor(e.Uid),
            CreatedAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow(),
        };
        await links.SaveAsync(first, default);
        Assert.Equal(first, await links.GetAsync(e.Id, default));

        Clock.Advance(TimeSpan.FromMinutes(5));
        var later = first with
        {
            CalendarEventId = "AAMkAGraphEvent==", JoinUrl = "https://teams.microsoft.com/l/meetup-join/abc", OnlineMeetingId = "MSo1N2Y5",
            PushedSequence = 2, CancelPushedAt = Clock.GetUtcNow(), ResponsesReadAt = Clock.GetUtcNow(), AttendanceReadAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow(),
        };
        await links.SaveAsync(later, default);
        var read = await links.GetAsync(e.Id, default);
        Assert.Equal(later, read);
        Assert.Equal(first.CreatedAt, read!.CreatedAt);

        // A save from an older copy (the calendar job read before the channel pushed SEQUENCE 3) undoes nothing.
        Clock.Advance(TimeSpan.FromMinutes(5));
        await links.SaveAsync(read with { PushedSequence = 3, UpdatedAt = Clock.GetUtcNow() }, default);
        await links.SaveAsync(first with { ResponsesReadAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow() }, default);
        var merged = await links.GetAsync(e.Id, default);
        Assert.Equal(later with { PushedSequence = 3, ResponsesReadAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow() }, merged);
        await links.SaveAsync(merged! with { ResponsesReadAt = later.ResponsesReadAt, PushedSequence = 1 }, default);
        Assert.Equal((3, Clock.GetUtcNow()), ((await links.GetAsync(e.Id, default))!.PushedSequence, (await links.GetAsync(e.Id, default))!.ResponsesReadAt));

        // The transaction id is the same for the same UID and differs between events.
        Assert.Equal(first.TransactionId, EventCalendarLink.TransactionIdFor(e.Uid));
        Assert.NotEqual(first.TransactionId, EventCalendarLink.TransactionIdFor(e.Uid + "x"));
        Assert.True(Guid.TryParse(first.TransactionId, out _));
    }

    [Fact]
    public async Task CalendarLinks_ListForResponses_AndForAttendance_PickOnlyWhatIsDue()
    {
        var events = new SqlEventStore(Db);
        var links = new SqlEventCalendarLinks(Db);
        var now = new DateTimeOffset(2026, 4, 15, 13, 0, 0, TimeSpan.Zero); // 15:00 in Amsterdam
        var running = await CalendarEventAsync(events, EventFormat.Online, new DateTime(2026, 4, 15, 14, 0, 0)); // ends 16:00 local
        var ended = await CalendarEventAsync(events, EventFormat.Hybrid, new DateTime(2026, 4, 14, 10, 0, 0));
        var endedPhysical = await CalendarEventAsync(events, EventFormat.Physical, new DateTime(2026, 4, 14, 10, 0, 0));
        var endedRead = await CalendarEventAsync(events, EventFormat.Online, new DateTime(2026, 4, 13, 10, 0, 0));
        var future = await CalendarEventAsync(events, EventFormat.Online, new DateTime(2026, 5, 1, 10, 0, 0));
        var futureNotCreated = await CalendarEventAsync(events, EventFormat.Online, new DateTime(2026, 5, 2, 10, 0, 0));
        var futureCancelled = await CalendarEventAsync(events, EventFormat.Online, new DateTime(2026, 5, 3, 10, 0, 0));
        var cancelled = EventRules.Cancel(futureCancelled, [], Clock.GetUtcNow()).Event;
        await events.ApplyAsync(new EventChange(cancelled, futureCancelled.Version, [], "cancelled", Clock.GetUtcNow()), default);

        EventCalendarLink Link(NetworkEvent e, bool created = true, bool online = true) => new()
        {
            EventId = e.Id, Mailbox = "secretariaat@convenant.example", TransactionId = EventCalendarLink.TransactionIdFor(e.Uid),
            CalendarEventId = created ? "id-" + e.Id : null, JoinUrl = online && created ? "https://teams.microsoft.com/l/meetup-join/" + e.Id : null,
            PushedSequence = 0, CreatedAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow(),
        };
        await links.SaveAsync(Link(running), default);
        await links.SaveAsync(Link(ended), default);
        await links.SaveAsync(Link(endedPhysical, online: false), default);
        await links.SaveAsync(Link(endedRead) with { AttendanceReadAt = Clock.GetUtcNow() }, default);
        await links.SaveAsync(Link(future), default);
        await links.SaveAsync(Link(futureNotCreated, created: false), default);
        await links.SaveAsync(Link(futureCancelled) with { CancelPushedAt = Clock.GetUtcNow() }, default);

        Assert.Equal([running.Id, future.Id], (await links.ListForResponsesAsync(now, default)).Select(l => l.EventId));
        Assert.Equal([ended.Id], (await links.ListForAttendanceAsync(now, default)).Select(l => l.EventId));
        // Once the running event has ended it moves from the one list to the other.
        var afterwards = now.AddHours(2);
        Assert.Equal([future.Id], (await links.ListForResponsesAsync(afterwards, default)).Select(l => l.EventId));
        Assert.Equal([ended.Id, running.Id], (await links.ListForAttendanceAsync(afterwards, default)).Select(l => l.EventId));
    }
}
