using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Graph.Models;
using Outreach.Core.Events;
using Outreach.Core.Prospects;
using Outreach.Graph.Testing;
using Outreach.Testing;
using Outreach.Mail;
using Outreach.Storage;
using Contact = Outreach.Core.Prospects.Contact;
using Invitation = Outreach.Core.Events.Invitation;

namespace Outreach.Graph.Tests;

/// <summary>
/// The Microsoft 365 calendar channel end to end: the real event service, stores and outbox on SQLite, Graph calls against the
/// local Graph server's calendar (events, transactionId, Teams meetings, answers, cancellation, attendance reports).
/// </summary>
public sealed class GraphCalendarTests
{
    private const string Zone = "W. Europe Standard Time";

    private sealed class Links : IEventLinks
    {
        public string RsvpUrl(long eventId, long invitationId, string answer) => $"https://outreach.example/r/{eventId}-{invitationId}?a={answer}";
        public string UnsubscribeUrl(long contactId) => $"https://outreach.example/u/{contactId}";
    }

    internal sealed record World(GraphFixture F, SqlProspectStore Prospects, SqlEventStore Events, SqlEventCalendarLinks Links, GraphCalendarChannel Channel,
        EventService Service, EventCalendarSync Sync, long CovenantId, IReadOnlyList<Contact> People, SqlEventNoticeOutbox Notices, EventNoticeDispatcher Dispatcher)
    {
        /// <summary>What the event-notices job does each minute.</summary>
        public Task<EventNoticeRun> PassOnNoticesAsync() => Dispatcher.DispatchAsync(null, "job", TimeSpan.FromSeconds(30), default);

        public async Task<NetworkEvent> CreateAsync(EventFormat format, int capacity = 10)
        {
            var result = await Service.CreateAsync(new NetworkEventDraft
            {
                Title = "Netwerkbijeenkomst verantwoord goud", CovenantId = CovenantId, Format = format, Venue = format == EventFormat.Online ? null : "Fairphone, Amsterdam",
                StartLocal = new DateTime(2026, 12, 10, 14, 0, 0), EndLocal = new DateTime(2026, 12, 10, 17, 0, 0), Capacity = capacity,
                RegistrationDeadlineLocal = new DateTime(2026, 12, 5, 23, 59, 0), DescriptionNl = "Welkom & tot ziens", DescriptionEn = "Welcome",
            }, default);
            return result.Event ?? throw new InvalidOperationException("Event refused.");
        }

        public Task<InviteResult> InviteAsync(NetworkEvent e, params Contact[] who) =>
            Service.InviteAsync(e.Id, new InviteSelection { ContactIds = who.Select(c => c.Id).ToList() }, default);

        public async Task<Invitation> InvitationOfAsync(NetworkEvent e, Contact who) =>
            (await Events.ListInvitationsAsync(e.Id, default)).Single(i => i.ContactId == who.Id);

        public JsonObject CalendarEvent() => Assert.Single(F.Server.Events(GraphFixture.Mailbox));

        public int Calls(string method, string suffix) =>
            F.Server.Requests.Count(r => r.Method == method && r.Path.EndsWith(suffix, StringComparison.Ordinal) && r.Status is >= 200 and < 300);
    }

    /// <summary>The stores, channel, service and notice dispatcher over the fixture (for the throttle tests too).</summary>
    internal static Task<World> WorldForAsync(GraphFixture f) => WorldAsync(f);

    private static async Task<World> WorldAsync(GraphFixture f)
    {
        var prospects = new SqlProspectStore(f.Db, f.Clock);
        var pipeline = new SqlPipelineStore(f.Db, f.Clock);
        var events = new SqlEventStore(f.Db);
        var links = new SqlEventCalendarLinks(f.Db);
        var options = new EventOptions { Calendar = EventOptions.CalendarGraph, OrganizerEmail = GraphFixture.Mailbox };
        var mail = new MailInvitationChannel(prospects, f.Outbox, new HandlebarsTemplateRenderer(), new Links(), options, f.Clock, calendarParts: false);
        var channel = new GraphCalendarChannel(f.Client, f.Options, links, prospects, events, mail, f.Clock, NullLogger<GraphCalendarChannel>.Instance);
        var notices = new SqlEventNoticeOutbox(f.Db);
        var dispatcher = new EventNoticeDispatcher(events, notices, channel, f.Clock, Outreach.Core.Mail.DispatchPolicy.EventNotices, Microsoft.Extensions.Logging.Abstractions.NullLogger<EventNoticeDispatcher>.Instance);
        var service = new EventService(events, channel, dispatcher, options, f.Clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<EventService>.Instance);
        var sync = new EventCalendarSync(links, new GraphCalendarReader(f.Client, f.Clock, NullLogger<GraphCalendarReader>.Instance), events, service, f.Clock);
        var world = await new CovenantProspect.Builder(prospects, pipeline)
        {
            Contacts =
            [
                CovenantProspect.EvaJansen, CovenantProspect.PietJansen,
                new() { Name = "Sara Kok", Email = "sara@jansen-metaal.example" }, new() { Name = "Tom Bakker", Email = "tom@jansen-metaal.example" },
            ],
            Language = ContactLanguage.Nl,
        }.BuildAsync(f.Clock.GetUtcNow());
        return new World(f, prospects, events, links, channel, service, sync, world.Covenant.Id, [.. world.Contacts], notices, dispatcher);
    }

    private static string[] Addresses(JsonObject calendarEvent) =>
        [.. (calendarEvent["attendees"] as JsonArray ?? []).Select(a => a!["emailAddress"]!["address"]!.GetValue<string>()).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task InvitingThree_MakesOneCalendarEvent_WithThreeAttendees_InOnePost_AndKeepsTheTeamsJoinLink()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Online);

        var invited = await w.InviteAsync(e, w.People[0], w.People[1], w.People[2]);

        Assert.Equal(3, invited.Invited);
        var calendar = w.CalendarEvent();
        Assert.Equal(["eva@jansen-metaal.example", "piet@jansen-metaal.example", "sara@jansen-metaal.example"], Addresses(calendar));
        Assert.Equal(1, w.Calls("POST", "/events"));
        Assert.Equal(2, w.Calls("PATCH", "/events/" + calendar["id"]!.GetValue<string>()));
        Assert.Equal(("Netwerkbijeenkomst verantwoord goud", EventCalendarLink.TransactionIdFor(e.Uid), true, true),
            (calendar["subject"]!.GetValue<string>(), calendar["transactionId"]!.GetValue<string>(), calendar["hideAttendees"]!.GetValue<bool>(), calendar["isOnlineMeeting"]!.GetValue<bool>()));
        Assert.Equal("teamsForBusiness", calendar["onlineMeetingProvider"]!.GetValue<string>());
        Assert.Equal(("2026-12-10T14:00:00", Zone, "2026-12-10T17:00:00"),
            (calendar["start"]!["dateTime"]!.GetValue<string>(), calendar["start"]!["timeZone"]!.GetValue<string>(), calendar["end"]!["dateTime"]!.GetValue<string>()));
        Assert.Contains("Welkom &amp; tot ziens", calendar["body"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        // Every attendee starts unanswered, as Exchange shows them to the organizer.
        Assert.All(calendar["attendees"]!.AsArray(), a => Assert.Equal("none", a!["status"]!["response"]!.GetValue<string>()));

        var link = await w.Links.GetAsync(e.Id, default);
        var join = calendar["onlineMeeting"]!["joinUrl"]!.GetValue<string>();
        Assert.StartsWith("https://teams.microsoft.com/l/meetup-join/", join, StringComparison.Ordinal);
        Assert.Equal((calendar["id"]!.GetValue<string>(), join, 0), (link!.CalendarEventId, link.JoinUrl, link.PushedSequence));

        // The channel called again for someone already on the list (a retry from the queue) writes nothing.
        f.Server.ClearRequests();
        await w.Channel.SendAsync(e, await w.InvitationOfAsync(e, w.People[1]), EventMailKind.Invitation, default);
        Assert.DoesNotContain(f.Server.Requests, r => r.Method is "POST" or "PATCH");
        // No mail went into the outbox for the invitations: Exchange sends them.
        Assert.Empty(await f.Outbox.ListAsync(null, 10, default));
    }

    [Fact]
    public async Task APhysicalEvent_HasNoTeamsMeeting()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Physical);
        await w.InviteAsync(e, w.People[0]);

        var calendar = w.CalendarEvent();
        Assert.Null(calendar["isOnlineMeeting"]);
        Assert.Null(calendar["onlineMeeting"]);
        Assert.Equal("Fairphone, Amsterdam", calendar["location"]!["displayName"]!.GetValue<string>());
        Assert.Null((await w.Links.GetAsync(e.Id, default))!.JoinUrl);
    }

    [Fact]
    public async Task ALostCreateAnswer_ThenARetry_LeavesOneCalendarEvent_WithEveryAttendee()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Hybrid);
        // Graph makes the event, the connection drops before its 201 arrives.
        f.Server.Inject(new GraphFault(AfterApply: true, Abort: true), when: r => r.Method == "POST" && r.Path.EndsWith("/events", StringComparison.Ordinal));

        var invited = await w.InviteAsync(e, w.People[0], w.People[1]);

        // The invitations are stored and their notices wait (a lost answer is transient: a minute's backoff).
        Assert.Equal(2, invited.Invited);
        Assert.Single(f.Server.Events(GraphFixture.Mailbox));
        Assert.Null((await w.Links.GetAsync(e.Id, default))!.CalendarEventId);
        Assert.Equal(2, (await w.Notices.CountAsync(e.Id, default)).Waiting);

        // The event-notices job tries each invitation again: the first attempt's event is found by its UID, not made twice.
        f.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(2, (await w.PassOnNoticesAsync()).Done);

        var calendar = w.CalendarEvent();
        Assert.Equal(["eva@jansen-metaal.example", "piet@jansen-metaal.example"], Addresses(calendar));
        Assert.Equal(1, f.Server.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/events", StringComparison.Ordinal)));
        var link = await w.Links.GetAsync(e.Id, default);
        Assert.Equal((calendar["id"]!.GetValue<string>(), calendar["onlineMeeting"]!["joinUrl"]!.GetValue<string>(), 0), (link!.CalendarEventId, link.JoinUrl, link.PushedSequence));
    }

    [Fact]
    public async Task ASecondPostWithTheSameTransactionId_GivesBackTheFirstEvent()
    {
        // The local server as Exchange: the transactionId is what makes a blindly repeated POST harmless.
        await using var f = await GraphFixture.StartAsync();
        Event Make() => new()
        {
            Subject = "x", TransactionId = "7d0b5d3e-1111-2222-3333-444455556666",
            Start = new DateTimeTimeZone { DateTime = "2026-12-10T14:00:00", TimeZone = Zone }, End = new DateTimeTimeZone { DateTime = "2026-12-10T15:00:00", TimeZone = Zone },
        };
        var first = await f.Client.Users[GraphFixture.Mailbox].Events.PostAsync(Make());
        var second = await f.Client.Users[GraphFixture.Mailbox].Events.PostAsync(Make());
        Assert.Equal(first!.Id, second!.Id);
        Assert.Single(f.Server.Events(GraphFixture.Mailbox));
        // Without the Prefer header times come back in UTC (14:00 in Amsterdam in December is 13:00 UTC).
        Assert.Equal(("2026-12-10T13:00:00.0000000", "UTC"), (first.Start!.DateTime, first.Start.TimeZone));
    }

    [Fact]
    public async Task AReschedule_IsOnePatchWithTheNewTimes_ThoughTheRulesCallOncePerInvitee()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Online);
        await w.InviteAsync(e, w.People[0], w.People[1], w.People[2]);
        var id = w.CalendarEvent()["id"]!.GetValue<string>();
        f.Server.ClearRequests();

        var draft = EventRules.ToDraft(e) with { StartLocal = new DateTime(2026, 12, 11, 15, 0, 0), EndLocal = new DateTime(2026, 12, 11, 18, 30, 0) };
        var edited = await w.Service.EditAsync(e.Id, draft, default);

        Assert.True(edited.Succeeded);
        Assert.Equal(1, edited.Event!.Sequence);
        var patch = Assert.Single(f.Server.Requests, r => r.Method == "PATCH");
        Assert.EndsWith("/events/" + id, patch.Path, StringComparison.Ordinal);
        var body = JsonNode.Parse(patch.Body!)!;
        Assert.Equal(("2026-12-11T15:00:00", Zone, "2026-12-11T18:30:00"),
            (body["start"]!["dateTime"]!.GetValue<string>(), body["start"]!["timeZone"]!.GetValue<string>(), body["end"]!["dateTime"]!.GetValue<string>()));
        Assert.Equal("2026-12-11T15:00:00", w.CalendarEvent()["start"]!["dateTime"]!.GetValue<string>());
        Assert.Equal(1, (await w.Links.GetAsync(e.Id, default))!.PushedSequence);
        // The attendees keep their place on the event; nothing went to the outbox.
        Assert.Equal(3, Addresses(w.CalendarEvent()).Length);
        Assert.Empty(await f.Outbox.ListAsync(null, 10, default));
    }

    [Fact]
    public async Task AnErasedInvitee_IsRemovedFromTheCalendarEvent_ByTheNoticeTheErasureQueued()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Hybrid);
        await w.InviteAsync(e, w.People[0], w.People[1], w.People[2]);
        Assert.Contains("piet@jansen-metaal.example", Addresses(w.CalendarEvent()));

        // The erasure's own transaction queues the withdrawal; Graph is not asked during the erasure.
        f.Server.ClearRequests();
        Assert.NotNull(await SqlServices.Privacy(f.Db, f.Clock).EraseAsync(w.People[1].Id, f.Clock.GetUtcNow(), default));
        Assert.Empty(f.Server.Requests);
        Assert.Equal(1, (await w.Notices.CountAsync(e.Id, default)).Waiting);

        Assert.Equal(1, (await w.PassOnNoticesAsync()).Done);

        Assert.Equal(["eva@jansen-metaal.example", "sara@jansen-metaal.example"], Addresses(w.CalendarEvent()));
        Assert.DoesNotContain("piet@", w.CalendarEvent().ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.Single(f.Server.Requests, r => r.Method == "PATCH");
        // Passed on again (a stop before marking), it finds nothing more to remove.
        f.Server.ClearRequests();
        await w.Channel.SendAsync(e, await w.InvitationOfAsync(e, w.People[1]), EventMailKind.Withdrawn, default);
        Assert.DoesNotContain(f.Server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task AnOptedOutInvitee_IsDroppedFromAComingCalendarEvent_AndAColleagueAddedInOutlookStays()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Physical);
        await w.InviteAsync(e, w.People[0], w.People[1]);
        // The secretariat adds a colleague by hand in Outlook: not an invitee of Outreach's, and not Outreach's to remove.
        var calendar = w.CalendarEvent();
        var id = calendar["id"]!.GetValue<string>();
        await f.Client.Users[GraphFixture.Mailbox].Events[id].PatchAsync(new Event
        {
            Attendees =
            [
                .. calendar["attendees"]!.AsArray().Select(a => new Attendee { EmailAddress = new EmailAddress { Address = a!["emailAddress"]!["address"]!.GetValue<string>() }, Type = AttendeeType.Required }),
                new Attendee { EmailAddress = new EmailAddress { Address = "collega@convenant.example" }, Type = AttendeeType.Optional },
            ],
        });

        await SqlServices.Privacy(f.Db, f.Clock).SetOptedOutAsync(w.People[0].Id, f.Clock.GetUtcNow(), default);
        Assert.Equal(1, (await w.PassOnNoticesAsync()).Done);

        Assert.Equal(["collega@convenant.example", "piet@jansen-metaal.example"], Addresses(w.CalendarEvent()));
    }

    [Fact]
    public async Task ACancellation_AfterACreateWhoseAnswerWasLost_FindsTheEventByItsUid_AndCancelsIt()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Physical);
        f.Server.Inject(new GraphFault(AfterApply: true, Abort: true), when: r => r.Method == "POST" && r.Path.EndsWith("/events", StringComparison.Ordinal));
        await w.InviteAsync(e, w.People[0]);
        Assert.Null((await w.Links.GetAsync(e.Id, default))!.CalendarEventId);

        // Cancelled before the invitation's retry: that notice is dropped (the event is off), the cancellation must still reach Exchange.
        Assert.True((await w.Service.CancelAsync(e.Id, default)).Succeeded);
        f.Clock.Advance(TimeSpan.FromMinutes(2));
        await w.PassOnNoticesAsync();

        Assert.True(w.CalendarEvent()["isCancelled"]!.GetValue<bool>());
        Assert.Equal(new EventNoticeCounts(0, 0, null), await w.Notices.CountAsync(e.Id, default));
        Assert.Single(f.Server.Requests, r => r.Method == "POST" && r.Path.EndsWith("/events", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AttendanceRefusedForGood_IsTakenAsRead_SoTheFollowUpsAreNotHeldForever()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Online);
        await w.InviteAsync(e, w.People[0]);
        // No Teams application access policy: Graph refuses the meeting look-up with 403.
        f.Server.Inject(new GraphFault(Status: 403, Code: "Forbidden"), when: r => r.Path.Contains("/onlineMeetings", StringComparison.Ordinal));
        f.Clock.Advance(e.EndsAt - f.Clock.GetUtcNow() + TimeSpan.FromMinutes(20));

        var run = await w.Sync.RunAsync(default);

        Assert.Contains(run.Failures, x => x.Contains("403", StringComparison.Ordinal));
        Assert.Contains(run.Failures, x => x.Contains("given up", StringComparison.Ordinal));
        Assert.Equal(f.Clock.GetUtcNow(), (await w.Links.GetAsync(e.Id, default))!.AttendanceReadAt);
        f.Server.ClearRequests();
        Assert.Empty((await w.Sync.RunAsync(default)).Failures);
        Assert.DoesNotContain(f.Server.Requests, r => r.Path.Contains("/onlineMeetings", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACancellation_IsOneCancel_AndARetryAfterALostAnswerCancelsNothingTwice()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Physical);
        await w.InviteAsync(e, w.People[0], w.People[1], w.People[2]);
        f.Server.ClearRequests();

        var cancelled = await w.Service.CancelAsync(e.Id, default);

        Assert.True(cancelled.Succeeded);
        Assert.Single(f.Server.Requests, r => r.Method == "POST" && r.Path.EndsWith("/cancel", StringComparison.Ordinal));
        Assert.True(w.CalendarEvent()["isCancelled"]!.GetValue<bool>());
        Assert.NotNull((await w.Links.GetAsync(e.Id, default))!.CancelPushedAt);
        // The rules' other per-invitee calls and any repeat do nothing more.
        f.Server.ClearRequests();
        foreach (var invitation in await w.Events.ListInvitationsAsync(e.Id, default))
            await w.Channel.SendAsync(cancelled.Event!, invitation, EventMailKind.Cancelled, default);
        Assert.Empty(f.Server.Requests);

        // Another event whose cancel answer is lost: the retry finds it in Deleted Items (404) and takes it as done.
        var other = await w.CreateAsync(EventFormat.Physical);
        await w.InviteAsync(other, w.People[3]);
        f.Server.Inject(new GraphFault(AfterApply: true, Abort: true), when: r => r.Path.EndsWith("/cancel", StringComparison.Ordinal));
        Assert.True((await w.Service.CancelAsync(other.Id, default)).Succeeded);
        Assert.Null((await w.Links.GetAsync(other.Id, default))!.CancelPushedAt);
        Assert.Equal(1, (await w.Notices.CountAsync(other.Id, default)).Waiting);
        f.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, (await w.PassOnNoticesAsync()).Done);
        Assert.NotNull((await w.Links.GetAsync(other.Id, default))!.CancelPushedAt);
        Assert.Equal(2, f.Server.Events(GraphFixture.Mailbox).Count(x => x["isCancelled"]!.GetValue<bool>()));
    }

    [Theory]
    [InlineData(429, 17, false)]
    [InlineData(503, 5, false)]
    [InlineData(500, null, false)]
    [InlineData(400, null, true)]
    public async Task GraphRefusals_BecomeEventChannelExceptions_WithRetryAfter_AndARetryMakesNoDuplicate(int status, int? retryAfter, bool permanent)
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Online);
        f.Server.Inject(new GraphFault(Status: status, RetryAfterSeconds: retryAfter), when: r => r.Method == "POST" && r.Path.EndsWith("/events", StringComparison.Ordinal));

        var failed = await Assert.ThrowsAsync<EventChannelException>(() => w.Channel.SendAsync(e, new Invitation { Id = 1, EventId = e.Id, ContactId = w.People[0].Id }, EventMailKind.Invitation, default));

        Assert.Equal(permanent, failed.Permanent);
        // 429 and 503 give Graph's Retry-After (a minute when it gives none); other 5xx leave the backoff to the outbox.
        Assert.Equal(retryAfter is { } s ? TimeSpan.FromSeconds(s) : status is 429 or 503 ? TimeSpan.FromMinutes(1) : null, failed.RetryAfter);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), failed.Message, StringComparison.Ordinal);
        Assert.Empty(f.Server.Events(GraphFixture.Mailbox));
    }

    [Theory]
    [InlineData(429, 90, false)]
    [InlineData(503, 5, false)]
    [InlineData(500, null, false)]
    [InlineData(400, null, true)]
    public async Task AnInvitationGraphRefuses_WaitsInTheNoticeOutbox_AtLeastRetryAfter_AndGoesOnce(int status, int? retryAfter, bool permanent)
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Online);
        f.Server.Inject(new GraphFault(Status: status, RetryAfterSeconds: retryAfter), when: r => r.Method == "POST" && r.Path.EndsWith("/events", StringComparison.Ordinal));

        var invited = await w.InviteAsync(e, w.People[0]);

        Assert.Equal(1, invited.Invited);
        Assert.Empty(f.Server.Events(GraphFixture.Mailbox));
        var counts = await w.Notices.CountAsync(e.Id, default);
        Assert.Equal(permanent ? (0, 1) : (1, 0), (counts.Waiting, counts.Failed));
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), counts.LastError, StringComparison.Ordinal);
        if (permanent)
        {
            // Given up on and shown; the secretariat mends the cause and asks again.
            f.Clock.Advance(TimeSpan.FromHours(2));
            Assert.Equal(0, (await w.PassOnNoticesAsync()).Claimed);
            Assert.Equal(1, await w.Notices.RetryFailedAsync(e.Id, f.Clock.GetUtcNow(), default));
        }
        else
        {
            // The first retry is a minute on, or later when Graph asked for longer.
            var wait = TimeSpan.FromSeconds(Math.Max(60, retryAfter ?? 0));
            f.Clock.Advance(wait - TimeSpan.FromSeconds(1));
            Assert.Equal(0, (await w.PassOnNoticesAsync()).Claimed);
            f.Clock.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.Equal(1, (await w.PassOnNoticesAsync()).Done);
        Assert.Equal(0, (await w.PassOnNoticesAsync()).Claimed);
        await w.Channel.SendAsync(e, await w.InvitationOfAsync(e, w.People[0]), EventMailKind.Invitation, default);
        Assert.Equal(["eva@jansen-metaal.example"], Addresses(w.CalendarEvent()));
        Assert.Equal(1, w.Calls("POST", "/events"));
    }

    [Fact]
    public async Task AThrottledPatch_IsTransient_WithItsRetryAfter_AndTheUpdateGoesOnceWhenRetried()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Physical);
        await w.InviteAsync(e, w.People[0], w.People[1]);
        f.Server.Inject(new GraphFault(Status: 429, RetryAfterSeconds: 30), when: r => r.Method == "PATCH");

        var draft = EventRules.ToDraft(e) with { Venue = "Rijksmuseum, Amsterdam" };
        Assert.True((await w.Service.EditAsync(e.Id, draft, default)).Succeeded);
        Assert.Equal(0, (await w.Links.GetAsync(e.Id, default))!.PushedSequence);
        // The refused update waits; the other invitee's waits as long, untried.
        Assert.Single(f.Server.Requests, r => r.Method == "PATCH" && r.Status == 429);
        var waiting = await w.Notices.CountAsync(e.Id, default);
        Assert.Equal(2, waiting.Waiting);
        Assert.Contains("429", waiting.LastError, StringComparison.Ordinal);

        f.Server.ClearRequests();
        f.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(2, (await w.PassOnNoticesAsync()).Done);
        Assert.Single(f.Server.Requests, r => r.Method == "PATCH");
        Assert.Equal("Rijksmuseum, Amsterdam", w.CalendarEvent()["location"]!["displayName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Answers_FromTheCalendar_AreApplied_WithCapacityAndWaitlist_AndStaleOnesAreIgnored()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Hybrid, capacity: 1);
        var (eva, piet, sara, tom) = (w.People[0], w.People[1], w.People[2], w.People[3]);
        await w.InviteAsync(e, eva, piet, sara, tom);
        var id = w.CalendarEvent()["id"]!.GetValue<string>();
        var t0 = f.Clock.GetUtcNow();

        // Sara answered tentative through Outreach's own link an hour from now; her calendar's earlier "declined" is older.
        f.Clock.Advance(TimeSpan.FromHours(1));
        Assert.True((await w.Service.RespondAsync(e.Id, (await w.InvitationOfAsync(e, sara)).Id, InvitationResponse.Tentative, default)).Succeeded);
        f.Server.SetResponse(GraphFixture.Mailbox, id, eva.Email, "accepted", t0.AddMinutes(10));
        f.Server.SetResponse(GraphFixture.Mailbox, id, piet.Email, "tentativelyAccepted", t0.AddMinutes(20));
        f.Server.SetResponse(GraphFixture.Mailbox, id, sara.Email, "declined", t0.AddMinutes(30));
        f.Clock.Advance(TimeSpan.FromHours(1));

        var first = await w.Sync.RunAsync(default);

        Assert.Equal((1, 2, 1, 0), (first.EventsRead, first.ResponsesApplied, first.ResponsesStale, first.ResponsesRefused));
        Assert.Empty(first.Failures);
        Assert.Equal((InvitationResponse.Accepted, PlaceStatus.Confirmed), Answer(await w.InvitationOfAsync(e, eva)));
        Assert.Equal((InvitationResponse.Tentative, PlaceStatus.None), Answer(await w.InvitationOfAsync(e, piet)));
        Assert.Equal((InvitationResponse.Tentative, PlaceStatus.None), Answer(await w.InvitationOfAsync(e, sara)));
        Assert.Equal((InvitationResponse.None, PlaceStatus.None), Answer(await w.InvitationOfAsync(e, tom)));
        Assert.Equal(f.Clock.GetUtcNow(), (await w.Links.GetAsync(e.Id, default))!.ResponsesReadAt);
        Assert.Contains(f.Server.Requests, r => r.Method == "GET" && r.Path.EndsWith("/events/" + id, StringComparison.Ordinal) && r.Query.Contains("attendees", StringComparison.Ordinal));

        // The event is full: Piet accepting later goes on the waitlist; the next round applies only what changed.
        f.Server.SetResponse(GraphFixture.Mailbox, id, piet.Email, "accepted", f.Clock.GetUtcNow().AddMinutes(5));
        f.Clock.Advance(TimeSpan.FromMinutes(15));
        var second = await w.Sync.RunAsync(default);
        Assert.Equal((1, 1), (second.ResponsesApplied, second.ResponsesStale));
        var pietNow = await w.InvitationOfAsync(e, piet);
        Assert.Equal((InvitationResponse.Accepted, PlaceStatus.Waitlisted, 1L), (pietNow.Response, pietNow.Place, pietNow.WaitlistNumber));
        // His calendar says "accepted": a mail tells him he is in line.
        var waitlisted = Assert.Single(await f.Outbox.ListAsync(null, 10, default));
        Assert.Equal((piet.Email, EventMailTemplates.Waitlisted), (waitlisted.Mail.ToAddress, waitlisted.Mail.Purpose));
        Assert.Null(waitlisted.Mail.Calendar);

        // Eva declines in her calendar: her place is offered to Piet, by mail without a calendar part (the Graph event is the calendar item).
        f.Server.SetResponse(GraphFixture.Mailbox, id, eva.Email, "declined", f.Clock.GetUtcNow().AddMinutes(1));
        f.Clock.Advance(TimeSpan.FromMinutes(15));
        var third = await w.Sync.RunAsync(default);
        Assert.Equal(1, third.ResponsesApplied);
        Assert.Equal(PlaceStatus.Offered, (await w.InvitationOfAsync(e, piet)).Place);
        var offer = Assert.Single(await f.Outbox.ListAsync(null, 10, default), m => m.Mail.Purpose != EventMailTemplates.Waitlisted);
        Assert.Equal((piet.Email, EventMailTemplates.Key(EventMailKind.PlaceOffered)), (offer.Mail.ToAddress, offer.Mail.Purpose));
        Assert.Null(offer.Mail.Calendar);

        // Nothing new: a fourth round changes nothing.
        f.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(0, (await w.Sync.RunAsync(default)).ResponsesApplied);
    }

    private static (InvitationResponse, PlaceStatus) Answer(Invitation i) => (i.Response, i.Place);

    [Fact]
    public async Task OnlineAttendance_IsReadOnceAfterTheEnd_MarksOnlineAttendees_AndKeepsDoorCheckIns()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        f.Server.AttendancePageSize = 2; // the records come in pages: the next link is followed
        var e = await w.CreateAsync(EventFormat.Hybrid);
        var (eva, piet, sara, tom) = (w.People[0], w.People[1], w.People[2], w.People[3]);
        await w.InviteAsync(e, eva, piet, sara, tom);
        var join = (await w.Links.GetAsync(e.Id, default))!.JoinUrl!;

        // At the door Eva checks in; the event ends.
        f.Clock.Advance(e.StartsAt - f.Clock.GetUtcNow() + TimeSpan.FromMinutes(5));
        Assert.True((await w.Service.CheckInAsync(e.Id, (await w.InvitationOfAsync(e, eva)).Id, true, default)).Succeeded);
        var checkedInAt = (await w.InvitationOfAsync(e, eva)).CheckedInAt;
        f.Clock.Advance(e.EndsAt - f.Clock.GetUtcNow() + TimeSpan.FromMinutes(2));

        // Just after the end Teams is not asked yet: a meeting that ran over is still writing its report.
        f.Server.ClearRequests();
        Assert.Equal(0, (await w.Sync.RunAsync(default)).AttendanceRead);
        Assert.DoesNotContain(f.Server.Requests, r => r.Path.Contains("/onlineMeetings", StringComparison.Ordinal));

        // A quarter of an hour on, no report yet: asked again next time, the meeting id kept. A rehearsal's report days
        // before the event is not the event's.
        f.Server.AddAttendanceReport(GraphFixture.Mailbox, join, e.StartsAt.AddDays(-3), e.StartsAt.AddDays(-3).AddMinutes(20), new AttendanceLine(tom.Email, 600));
        f.Clock.Advance(TimeSpan.FromMinutes(15));
        var early = await w.Sync.RunAsync(default);
        Assert.Equal(0, early.AttendanceRead);
        var waiting = await w.Links.GetAsync(e.Id, default);
        Assert.Null(waiting!.AttendanceReadAt);
        Assert.NotNull(waiting.OnlineMeetingId);

        f.Server.AddAttendanceReport(GraphFixture.Mailbox, join, e.StartsAt, e.EndsAt,
            new AttendanceLine("EVA@jansen-metaal.example", 300), new AttendanceLine(piet.Email, 3600), new AttendanceLine("stranger@elsewhere.example", 3600),
            new AttendanceLine(sara.Email, 0));
        f.Clock.Advance(TimeSpan.FromMinutes(15));
        f.Server.ClearRequests();
        var read = await w.Sync.RunAsync(default);

        Assert.Equal((1, 2), (read.AttendanceRead, read.AttendedOnline));
        // The meeting was found by its join link the first time; now straight to its reports.
        Assert.DoesNotContain(f.Server.Requests, r => r.Path.EndsWith("/onlineMeetings", StringComparison.Ordinal));
        Assert.Equal(2, f.Server.Requests.Count(r => r.Path.EndsWith("/attendanceRecords", StringComparison.Ordinal)));
        var evaNow = await w.InvitationOfAsync(e, eva);
        Assert.Equal((true, checkedInAt), (evaNow.AttendedOnline, evaNow.CheckedInAt));
        Assert.True((await w.InvitationOfAsync(e, piet)).AttendedOnline);
        Assert.False((await w.InvitationOfAsync(e, sara)).Attended);
        Assert.False((await w.InvitationOfAsync(e, tom)).Attended);
        Assert.Equal(f.Clock.GetUtcNow(), (await w.Links.GetAsync(e.Id, default))!.AttendanceReadAt);

        // Once: a later round does not ask Teams again.
        f.Server.ClearRequests();
        f.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(0, (await w.Sync.RunAsync(default)).AttendanceRead);
        Assert.DoesNotContain(f.Server.Requests, r => r.Path.Contains("/onlineMeetings", StringComparison.Ordinal));

        // The follow-ups see the online attendance: thanks to Eva and Piet, the rest held no confirmed place.
        var followUps = EventRules.FollowUps(e, await w.Events.ListInvitationsAsync(e.Id, default), f.Clock.GetUtcNow());
        Assert.Equal([eva.Id, piet.Id], followUps.Where(m => m.Kind == EventMailKind.Thanks).Select(m => m.ContactId).Order());
    }

    [Fact]
    public async Task OffersAndReminders_GoAsMailWithoutACalendarPart_AndTheReminderShowsTheTeamsLink()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var e = await w.CreateAsync(EventFormat.Online, capacity: 1);
        var (eva, piet) = (w.People[0], w.People[1]);
        await w.InviteAsync(e, eva, piet);
        await w.Service.RespondAsync(e.Id, (await w.InvitationOfAsync(e, eva)).Id, InvitationResponse.Accepted, default);
        await w.Service.RespondAsync(e.Id, (await w.InvitationOfAsync(e, piet)).Id, InvitationResponse.Accepted, default);
        await w.Service.RespondAsync(e.Id, (await w.InvitationOfAsync(e, eva)).Id, InvitationResponse.Declined, default);
        await w.Service.RespondAsync(e.Id, (await w.InvitationOfAsync(e, piet)).Id, InvitationResponse.Accepted, default);
        var stored = (await w.Events.GetEventAsync(e.Id, default))!;
        f.Server.ClearRequests();

        Assert.Equal(1, await w.Service.SendRemindersAsync(stored, default));

        var mails = await f.Outbox.ListAsync(null, 10, default);
        Assert.Equal([EventMailTemplates.Key(EventMailKind.PlaceOffered), EventMailTemplates.Key(EventMailKind.Reminder), EventMailTemplates.Waitlisted],
            mails.Select(m => m.Mail.Purpose).Order(StringComparer.Ordinal));
        Assert.All(mails, m => Assert.Null(m.Mail.Calendar));
        var reminder = mails.Single(m => m.Mail.Purpose == EventMailTemplates.Key(EventMailKind.Reminder));
        Assert.Contains((await w.Links.GetAsync(e.Id, default))!.JoinUrl!, reminder.Mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(f.Server.Requests, r => r.Method is "POST" or "PATCH");
    }

    [Theory]
    [InlineData(ResponseType.Accepted, InvitationResponse.Accepted)]
    [InlineData(ResponseType.TentativelyAccepted, InvitationResponse.Tentative)]
    [InlineData(ResponseType.Declined, InvitationResponse.Declined)]
    [InlineData(ResponseType.None, InvitationResponse.None)]
    [InlineData(ResponseType.NotResponded, InvitationResponse.None)]
    [InlineData(ResponseType.Organizer, InvitationResponse.None)]
    [InlineData(null, InvitationResponse.None)]
    public void GraphAnswers_MapOntoOutreachAnswers(ResponseType? graph, InvitationResponse expected) =>
        Assert.Equal(expected, GraphCalendarReader.Map(graph));

    [Fact]
    public async Task AThrottledRead_OfOneEvent_IsReported_AndPausesTheMailbox_SoTheOtherEventsAreReadAfterTheWait()
    {
        await using var f = await GraphFixture.StartAsync();
        var w = await WorldAsync(f);
        var first = await w.CreateAsync(EventFormat.Physical);
        var second = await w.CreateAsync(EventFormat.Physical);
        await w.InviteAsync(first, w.People[0]);
        await w.InviteAsync(second, w.People[0]);
        var ids = new[] { (await w.Links.GetAsync(first.Id, default))!.CalendarEventId!, (await w.Links.GetAsync(second.Id, default))!.CalendarEventId! };
        foreach (var id in ids) f.Server.SetResponse(GraphFixture.Mailbox, id, w.People[0].Email, "accepted", f.Clock.GetUtcNow().AddMinutes(1));
        f.Clock.Advance(TimeSpan.FromMinutes(5));
        f.Server.Inject(new GraphFault(Status: 429, RetryAfterSeconds: 9), when: r => r.Method == "GET" && r.Path.EndsWith("/events/" + ids[0], StringComparison.Ordinal));
        f.Server.ClearRequests();

        var result = await w.Sync.RunAsync(default);

        // A 429 holds for every request to the mailbox (integration facts 6): the second event is not asked for in the wait.
        Assert.Equal((0, 0), (result.EventsRead, result.ResponsesApplied));
        Assert.Equal(2, result.Failures.Count);
        Assert.Contains(result.Failures, x => x.Contains("429", StringComparison.Ordinal));
        Assert.Contains(result.Failures, x => x.Contains("paused", StringComparison.Ordinal));
        Assert.DoesNotContain(f.Server.Requests, r => r.Path.EndsWith("/events/" + ids[1], StringComparison.Ordinal));
        Assert.Equal(InvitationResponse.None, (await w.InvitationOfAsync(first, w.People[0])).Response);
        Assert.Null((await w.Links.GetAsync(first.Id, default))!.ResponsesReadAt);

        // The next round, after the wait, reads both.
        f.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(2, (await w.Sync.RunAsync(default)).ResponsesApplied);
        Assert.Equal(InvitationResponse.Accepted, (await w.InvitationOfAsync(first, w.People[0])).Response);
        Assert.Equal(InvitationResponse.Accepted, (await w.InvitationOfAsync(second, w.People[0])).Response);
    }
}
