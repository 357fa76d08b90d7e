using Outreach.Core.Audit;
using Outreach.Core.Events;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Storage.Tests;

/// <summary>Network events and invitations on every engine: round trips, the version guard, invite candidates, erasure.</summary>
public abstract partial class StoreContract
{
    private static readonly TimeSpan OfferWindow = TimeSpan.FromHours(48);

    private async Task<NetworkEvent> NewEventAsync(SqlEventStore events, int capacity = 2) =>
        await events.AddEventAsync(EventRules.Create(new NetworkEventDraft
        {
            Title = "Netwerkbijeenkomst bij Fairphone", CovenantId = gold.Id, Format = EventFormat.Hybrid, Venue = "Fairphone, Amsterdam",
            OnlineJoinUrl = "https://teams.example/meet/1", StartLocal = new DateTime(2026, 4, 15, 14, 0, 0), EndLocal = new DateTime(2026, 4, 15, 17, 0, 0),
            Capacity = capacity, RegistrationDeadlineLocal = new DateTime(2026, 4, 10, 23, 59, 0), DescriptionNl = "Welkom", DescriptionEn = "Welcome",
        }, "evt-" + Guid.NewGuid().ToString("N") + "@outreach.test", Clock.GetUtcNow()), default);

    private async Task<List<Contact>> ContactsAsync(int count, Stage stage = Stage.Contacted, string sector = "jewellery")
    {
        var entry = await NewEntryAsync("Goud " + Guid.NewGuid().ToString("N")[..6], stage, sector: sector);
        var contacts = new List<Contact>();
        for (var i = 0; i < count; i++)
            contacts.Add(await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = $"Person {i}", Email = $"p{i}-{Guid.NewGuid():N}@example.nl" }, default));
        return contacts;
    }

    /// <summary>The page-wide reads (review C7) give what the per-row reads they replace gave, in one query each.</summary>
    [Fact]
    public async Task TheOrganisationAndAllEventReads_MatchTheirPerRowReads()
    {
        var rig = Rig();
        var first = await NewEventAsync(rig.Service);
        var second = await NewEventAsync(rig.Service);
        var people = await ContactsAsync(3, Stage.Engaged);
        var others = await ContactsAsync(1, Stage.Engaged);
        await rig.Service.InviteAsync(first.Id, new InviteSelection { ContactIds = [people[0].Id, people[1].Id, others[0].Id] }, default);
        await rig.Service.InviteAsync(second.Id, new InviteSelection { ContactIds = [people[2].Id, people[0].Id] }, default);

        var perContact = new List<ContactEventHistory>();
        foreach (var person in people) perContact.AddRange(await rig.Events.ListForContactAsync(person.Id, default));
        var perOrganisation = await rig.Events.ListForOrganisationAsync(people[0].OrganisationId, default);
        Assert.Equal(4, perOrganisation.Count);
        Assert.Equal(perContact.Select(h => h.Invitation.Id).Order(), perOrganisation.Select(h => h.Invitation.Id).Order());
        Assert.Equal(perContact.OrderBy(h => h.Invitation.Id).Select(h => (h.EventTitle, h.EventStartsAt, h.EventStatus)),
            perOrganisation.OrderBy(h => h.Invitation.Id).Select(h => (h.EventTitle, h.EventStartsAt, h.EventStatus)));

        var all = (await rig.Events.ListAllInvitationsAsync(default)).ToLookup(i => i.EventId);
        foreach (var e in (NetworkEvent[])[first, second])
            Assert.Equal(await rig.Events.ListInvitationsAsync(e.Id, default), all[e.Id].ToList());

        var entry = await NewEntryAsync("Summaries BV");
        var again = await Pipeline.AddEntryAsync(entry.OrganisationId, metals.Id, Stage.Contacted, Clock.GetUtcNow(), "anne", "second covenant", default);
        var summaries = await Pipeline.ListSummariesForOrganisationAsync(entry.OrganisationId, default);
        Assert.Equal([(await Pipeline.GetSummaryAsync(entry.Id, default))!, (await Pipeline.GetSummaryAsync(again.Id, default))!], summaries);
    }

    [Fact]
    public async Task Event_RoundTrips_WithAmsterdamInstants_AndIsAudited()
    {
        var events = new SqlEventStore(Db);
        var created = await NewEventAsync(events);
        var read = await events.GetEventAsync(created.Id, default);

        Assert.NotNull(read);
        Assert.Equal(new DateTimeOffset(2026, 4, 15, 12, 0, 0, TimeSpan.Zero), read.StartsAt);
        Assert.Equal(new DateTimeOffset(2026, 4, 10, 21, 59, 0, TimeSpan.Zero), read.RegistrationDeadline);
        Assert.Equal((EventFormat.Hybrid, EventStatus.Scheduled, 0, 1, "Fairphone, Amsterdam", created.Uid), (read.Format, read.Status, read.Sequence, read.Version, read.Venue, read.Uid));
        Assert.Contains(created.Id, (await events.ListEventsAsync(default)).Select(e => e.Id));
        var audit = await new SqlAudit(Db).SearchAsync(new AuditFilter { Entity = AuditEntities.Event }, 1, 10, default);
        Assert.Contains(audit.Items, a => a.Action == "created" && a.EntityId == created.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Invitations_AnswersAndWaitlist_AreStored_AndAStaleChangeIsRefused()
    {
        var events = new SqlEventStore(Db);
        var e = await NewEventAsync(events, capacity: 1);
        var people = await ContactsAsync(3);
        var invite = EventRules.Invite(e, [], people.Select(p => new InviteCandidate(p.Id, false, false)), Clock.GetUtcNow());
        var (e1, invited) = await events.ApplyAsync(new EventChange(e, e.Version, EventRules.NewInvitations(e, invite, Clock.GetUtcNow()), "invited", Clock.GetUtcNow()), default);
        Assert.Equal(3, invited.Count);
        Assert.All(invited, i => Assert.True(i.Id > 0));
        Assert.Equal(2, e1.Version);

        async Task<NetworkEvent> Answer(NetworkEvent ev, Contact who, InvitationResponse response)
        {
            var all = await events.ListInvitationsAsync(ev.Id, default);
            var decision = EventRules.Respond(ev, all, all.Single(i => i.ContactId == who.Id).Id, response, OfferWindow, Clock.GetUtcNow());
            Assert.True(decision.IsAllowed);
            return (await events.ApplyAsync(new EventChange(ev, ev.Version, decision.Changed, "answered", Clock.GetUtcNow()), default)).Event;
        }

        var e2 = await Answer(e1, people[0], InvitationResponse.Accepted);
        var e3 = await Answer(e2, people[1], InvitationResponse.Accepted);
        var e4 = await Answer(e3, people[0], InvitationResponse.Declined);

        var stored = await events.ListInvitationsAsync(e.Id, default);
        var offered = stored.Single(i => i.ContactId == people[1].Id);
        Assert.Equal(PlaceStatus.Offered, offered.Place);
        Assert.Equal(Clock.GetUtcNow() + OfferWindow, offered.PlaceOfferedUntil);
        Assert.Equal(1, offered.WaitlistNumber);
        Assert.Equal((InvitationResponse.Declined, PlaceStatus.None), (stored.Single(i => i.ContactId == people[0].Id).Response, stored.Single(i => i.ContactId == people[0].Id).Place));

        // A decision made on the version before the last change is refused, and changes nothing.
        var stale = EventRules.Respond(e3, stored, stored.Single(i => i.ContactId == people[2].Id).Id, InvitationResponse.Accepted, OfferWindow, Clock.GetUtcNow());
        await Assert.ThrowsAsync<ConcurrentEventChangeException>(() => events.ApplyAsync(new EventChange(e3, e3.Version, stale.Changed, "answered", Clock.GetUtcNow()), default));
        Assert.Equal(InvitationResponse.None, (await events.ListInvitationsAsync(e.Id, default)).Single(i => i.ContactId == people[2].Id).Response);

        Assert.Equal([e.Id], await events.ListWithLapsedOffersAsync(Clock.GetUtcNow() + OfferWindow + TimeSpan.FromSeconds(1), default));
        Assert.Empty(await events.ListWithLapsedOffersAsync(Clock.GetUtcNow() + OfferWindow, default));

        var history = Assert.Single(await events.ListForContactAsync(people[0].Id, default));
        Assert.Equal((e.Title, InvitationResponse.Declined), (history.EventTitle, history.Invitation.Response));
        var views = await events.ListInvitationViewsAsync(e.Id, default);
        Assert.Equal(3, views.Count);
        Assert.Contains(views, v => v.ContactName == "Person 1" && v.Invitation.Place == PlaceStatus.Offered);
        var audit = await new SqlAudit(Db).SearchAsync(new AuditFilter { Entity = AuditEntities.Invitation }, 1, 50, default);
        Assert.Contains(audit.Items, a => a.Action == "answered" && a.Changes.Any(x => x.Field == "response" && x.After == "declined"));
        Assert.Equal(5, e4.Version);

        // Inviting someone twice is impossible even past the rules (unique per event and contact).
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => events.ApplyAsync(
            new EventChange(e4, e4.Version, [new Invitation { EventId = e.Id, ContactId = people[0].Id, InvitedAt = Clock.GetUtcNow() }], "invited", Clock.GetUtcNow()), default));
    }

    [Fact]
    public async Task InviteCandidates_ByFilterAndByHand_MarkOptedOutErasedAndBouncing()
    {
        var events = new SqlEventStore(Db);
        var engaged = await ContactsAsync(4, Stage.Engaged, sector: "textile");
        var other = await ContactsAsync(1, Stage.Identified, sector: "textile");
        await Privacy.SetOptedOutAsync(engaged[1].Id, Clock.GetUtcNow(), default);
        await Privacy.EraseAsync(engaged[2].Id, Clock.GetUtcNow(), default);
        // A non-delivery report marked the address (the replies job does this).
        await Privacy.MarkBouncedAsync(engaged[3].Email, Clock.GetUtcNow(), default);

        var byFilter = await events.ListInviteCandidatesAsync(new InviteSelection { Filter = new ProspectFilter { CovenantId = gold.Id, Stage = Stage.Engaged, Sector = "textile" } }, default);
        Assert.Equal(engaged.Select(c => c.Id), byFilter.Select(c => c.ContactId));
        Assert.Equal([false, true, true, false], byFilter.Select(c => c.OptedOut));
        Assert.Equal([false, false, true, false], byFilter.Select(c => c.Erased));
        Assert.Equal([false, false, false, true], byFilter.Select(c => c.Bouncing));

        var byHand = await events.ListInviteCandidatesAsync(new InviteSelection { ContactIds = [other[0].Id, engaged[0].Id, other[0].Id] }, default);
        Assert.Equal(new[] { engaged[0].Id, other[0].Id }.Order(), byHand.Select(c => c.ContactId));
        Assert.Empty(await events.ListInviteCandidatesAsync(new InviteSelection(), default));
        Assert.Empty(await events.ListInviteCandidatesAsync(new InviteSelection { Filter = new ProspectFilter { CovenantId = metals.Id } }, default));
    }

    [Fact]
    public async Task Erasure_LeavesAnAnonymousInvitation_AndErasesTheCalendarPartOfItsMail()
    {
        var events = new SqlEventStore(Db);
        var e = await NewEventAsync(events);
        var person = (await ContactsAsync(1))[0];
        var (_, invited) = await events.ApplyAsync(new EventChange(e, e.Version, [new Invitation { EventId = e.Id, ContactId = person.Id, InvitedAt = Clock.GetUtcNow() }], "invited", Clock.GetUtcNow()), default);
        var outbox = new SqlMailOutbox(Db);
        var calendar = new CalendarPart("REQUEST", "BEGIN:VCALENDAR\r\nATTENDEE;CN=\"Person 0\":mailto:" + person.Email + "\r\nEND:VCALENDAR\r\n");
        var (queued, _) = await outbox.EnqueueAsync(new MailDraft
        {
            IdempotencyKey = $"event:{e.Id}:invitation:{invited[0].Id}:invitation", Purpose = "event-invitation", ContactId = person.Id, ToAddress = person.Email,
            ToName = person.Name, Subject = "Invitation", HtmlBody = "<p>Hi</p>", TextBody = "Hi", DueAt = Clock.GetUtcNow(), Calendar = calendar,
        }, Clock.GetUtcNow(), default);
        Assert.Equal(calendar, queued.Mail.Calendar);
        Assert.Equal(calendar, (await outbox.ListAsync(OutboxStatus.Pending, 10, default)).Single(m => m.Id == queued.Id).Mail.Calendar);

        await Privacy.EraseAsync(person.Id, Clock.GetUtcNow(), default);

        var view = Assert.Single(await events.ListInvitationViewsAsync(e.Id, default));
        Assert.True(view.ContactErased);
        Assert.DoesNotContain(person.Email, view.Email, StringComparison.Ordinal);
        Assert.Equal(invited[0].Id, view.Invitation.Id);
        var erasedMail = (await outbox.ListAsync(null, 10, default)).Single(m => m.Id == queued.Id);
        Assert.Null(erasedMail.Mail.Calendar);
        Assert.Equal(OutboxStatus.Cancelled, erasedMail.Status);
    }

    [Fact]
    public async Task Attendance_FeedsTheReportsEventEffect_OnlyOnceRecorded()
    {
        var events = new SqlEventStore(Db);
        var source = new SqlEventAttendanceSource(Db);
        var query = new Core.Reports.ReportQuery { From = new DateOnly(2026, 1, 1), To = new DateOnly(2026, 12, 31) };
        var e = await NewEventAsync(events, capacity: 5);
        var people = await ContactsAsync(2);
        var (e1, invited) = await events.ApplyAsync(new EventChange(e, e.Version, people.Select(p => new Invitation { EventId = e.Id, ContactId = p.Id, InvitedAt = Clock.GetUtcNow() }).ToList(), "invited", Clock.GetUtcNow()), default);
        Assert.Null(await source.LoadAsync(query, default));

        var checkIn = EventRules.CheckIn(e1, invited, invited[0].Id, true, Clock.GetUtcNow());
        await events.ApplyAsync(new EventChange(e1, e1.Version, checkIn.Changed, "checked-in", Clock.GetUtcNow()), default);

        var attendance = await source.LoadAsync(query, default);
        Assert.NotNull(attendance);
        Assert.Equal([people[0].OrganisationId], attendance.AttendedOrganisationIds);
        Assert.Empty((await source.LoadAsync(query with { CovenantId = metals.Id }, default))!.AttendedOrganisationIds);
        // Several covenants at once: one list parameter, used for the event's covenant and the prospect's.
        Assert.Equal([people[0].OrganisationId], (await source.LoadAsync(query with { CovenantIds = [metals.Id, gold.Id] }, default))!.AttendedOrganisationIds);
        Assert.Empty((await source.LoadAsync(query with { From = new DateOnly(2026, 1, 1), To = new DateOnly(2026, 3, 1) }, default))!.AttendedOrganisationIds);
    }

    [Fact]
    public async Task Attendance_FactsPerEvent_MatchWhatWasRecorded_WithTheHostParty()
    {
        var events = new SqlEventStore(Db);
        var source = new SqlEventAttendanceSource(Db);
        var query = new Core.Reports.ReportQuery { From = new DateOnly(2026, 1, 1), To = new DateOnly(2026, 12, 31) };
        var host = await Prospects.AddOrganisationAsync(Draft("Fairphone & Co"), default);
        async Task<NetworkEvent> EventAsync(string title, long? hostId, DateTime startLocal, Covenant? covenant = null) =>
            await events.AddEventAsync(EventRules.Create(new NetworkEventDraft
            {
                Title = title, CovenantId = (covenant ?? gold).Id, HostOrganisationId = hostId, Format = EventFormat.Hybrid, Venue = "Utrecht",
                OnlineJoinUrl = "https://teams.example/meet/2", StartLocal = startLocal, EndLocal = startLocal.AddHours(3), Capacity = 10,
                RegistrationDeadlineLocal = startLocal.AddDays(-2), DescriptionNl = "Welkom", DescriptionEn = "Welcome",
            }, "evt-" + Guid.NewGuid().ToString("N") + "@outreach.test", Clock.GetUtcNow()), default);
        async Task<(NetworkEvent Event, IReadOnlyList<Invitation> Invited)> InviteAsync(NetworkEvent e, IEnumerable<Contact> people) =>
            await events.ApplyAsync(new EventChange(e, e.Version, people.Select(p => new Invitation { EventId = e.Id, ContactId = p.Id, InvitedAt = Clock.GetUtcNow() }).ToList(), "invited", Clock.GetUtcNow()), default);

        var hosted = await EventAsync("Ketenbijeenkomst <goud>", host.Id, new DateTime(2026, 4, 15, 14, 0, 0));
        var unhosted = await EventAsync("Webinar zilver", null, new DateTime(2026, 6, 1, 10, 0, 0));
        var cancelled = await EventAsync("Afgelast", host.Id, new DateTime(2026, 5, 1, 10, 0, 0));
        var two = await ContactsAsync(2);          // one organisation, both contacts check in at the hosted event
        var online = await ContactsAsync(1, sector: "steel");  // joins the webinar online
        var absent = await ContactsAsync(1);       // invited, never came
        var (h1, hInvited) = await InviteAsync(hosted, [.. two, .. absent]);
        foreach (var who in two)
        {
            var latest = await events.GetEventAsync(hosted.Id, default);
            var checkIn = EventRules.CheckIn(latest!, await events.ListInvitationsAsync(hosted.Id, default), hInvited.Single(i => i.ContactId == who.Id).Id, true, Clock.GetUtcNow());
            await events.ApplyAsync(new EventChange(latest!, latest!.Version, checkIn.Changed, "checked-in", Clock.GetUtcNow()), default);
        }

        var (u1, uInvited) = await InviteAsync(unhosted, online);
        var after = u1.StartsAt.AddHours(4);
        var attended = EventRules.RecordOnlineAttendance(u1, uInvited, [online[0].Id], after);
        await events.ApplyAsync(new EventChange(u1, u1.Version, attended.Changed, "attended-online", after), default);
        // A check-in at an event later cancelled does not count.
        var (c1, cInvited) = await InviteAsync(cancelled, absent);
        var cCheckIn = EventRules.CheckIn(c1, cInvited, cInvited[0].Id, true, Clock.GetUtcNow());
        var c2 = (await events.ApplyAsync(new EventChange(c1, c1.Version, cCheckIn.Changed, "checked-in", Clock.GetUtcNow()), default)).Event;
        var (c3, cancel) = EventRules.Cancel(c2, await events.ListInvitationsAsync(cancelled.Id, default), Clock.GetUtcNow());
        await events.ApplyAsync(new EventChange(c3, c2.Version, cancel.Changed, "cancelled", Clock.GetUtcNow()), default);

        var attendance = await source.LoadAsync(query, default);
        Assert.NotNull(attendance);
        Assert.Equal(
            [new Core.Reports.AttendedEvent(two[0].OrganisationId, hosted.Id, "Ketenbijeenkomst <goud>", new DateTimeOffset(2026, 4, 15, 12, 0, 0, TimeSpan.Zero), host.Id, "Fairphone & Co"),
             new Core.Reports.AttendedEvent(online[0].OrganisationId, unhosted.Id, "Webinar zilver", new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero), null, null)],
            attendance.Attended);
        Assert.Equal([two[0].OrganisationId, online[0].OrganisationId], attendance.AttendedOrganisationIds.Order());
        // The report's filters: the period's end, the organisation's sector, the covenant (events and prospects).
        Assert.Equal([hosted.Id], (await source.LoadAsync(query with { To = new DateOnly(2026, 5, 31) }, default))!.Attended.Select(a => a.EventId));
        Assert.Equal([online[0].OrganisationId], (await source.LoadAsync(query with { Sector = "steel" }, default))!.Attended.Select(a => a.OrganisationId));
        Assert.Empty((await source.LoadAsync(query with { CovenantId = metals.Id }, default))!.Attended);
        Assert.Equal(2, (await source.LoadAsync(query with { CovenantId = gold.Id }, default))!.Attended.Count);
        Assert.Empty((await source.LoadAsync(query with { Owner = "Nobody" }, default))!.Attended);
    }

    [Fact]
    public async Task TwoAnswersAtOnce_ForTheLastPlace_OnlyOneIsStored()
    {
        var events = new SqlEventStore(Db);
        var e = await NewEventAsync(events, capacity: 1);
        var people = await ContactsAsync(2);
        var (e1, invited) = await events.ApplyAsync(new EventChange(e, e.Version, people.Select(p => new Invitation { EventId = e.Id, ContactId = p.Id, InvitedAt = Clock.GetUtcNow() }).ToList(), "invited", Clock.GetUtcNow()), default);
        // Both decided on the same state: each would take the one place.
        var first = EventRules.Respond(e1, invited, invited[0].Id, InvitationResponse.Accepted, OfferWindow, Clock.GetUtcNow());
        var second = EventRules.Respond(e1, invited, invited[1].Id, InvitationResponse.Accepted, OfferWindow, Clock.GetUtcNow());
        Assert.Equal(PlaceStatus.Confirmed, first.Changed[0].Place);
        Assert.Equal(PlaceStatus.Confirmed, second.Changed[0].Place);

        var outcomes = await Task.WhenAll(new[] { first, second }.Select(d => Task.Run(async () =>
        {
            try
            {
                await events.ApplyAsync(new EventChange(e1, e1.Version, d.Changed, "answered", Clock.GetUtcNow()), default);
                return true;
            }
            catch (ConcurrentEventChangeException)
            {
                return false;
            }
        })));

        Assert.Single(outcomes, stored => stored);
        Assert.Equal(1, EventRules.PlacesTaken(await events.ListInvitationsAsync(e.Id, default)));
    }
}
