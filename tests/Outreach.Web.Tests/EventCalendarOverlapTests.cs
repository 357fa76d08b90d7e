using Dapper;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Graph.Testing;
using Outreach.Jobs.Events;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>
/// The event-calendar job on two nodes at once, reading the local Graph server's calendar: each answer is applied once (the
/// one who comes when the event is full is waitlisted once, told once), and the Teams attendance is applied once.
/// </summary>
public sealed class EventCalendarOverlapTests
{
    private const string Mailbox = "secretariaat@convenant.example";

    [Theory]
    [MemberData(nameof(TwoNodes.Engines), MemberType = typeof(TwoNodes))]
    public async Task TwoOverlappingRuns_ApplyEachCalendarAnswerAndTheAttendanceOnce(StorageEngine engine)
    {
        await using var server = await LocalGraphServer.StartAsync("local-graph-token", Mailbox);
        await using var nodes = TwoNodes.Start(engine, GraphCalendarHost.Settings(server, Mailbox));
        var world = await OverlapWorld.CreateAsync(nodes, "Verantwoord Goud", new DateOnly(2017, 6, 1), new DateOnly(2027, 6, 1));
        var (service, events, links, db, covenant) = (world.A<EventService>(), world.A<IEventStore>(), world.A<IEventCalendarLinks>(), world.Db, world.Covenant);
        for (var round = 0; round < 3; round++)
        {
            var start = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero).AddDays(14 * round);
            nodes.SetTime(start);
            var contacts = (await world.ProspectAsync($"Jansen Metaal {round}", "metal", Stage.Contacted, "Fair", CovenantProspect.Invitees($"{round}", 3), start)).Contacts;
            var day = start.UtcDateTime.Date;
            var e = (await service.CreateAsync(new NetworkEventDraft
            {
                Title = $"Online sessie {round}", CovenantId = covenant.Id, Format = EventFormat.Online, Capacity = 2,
                StartLocal = day.AddDays(5).AddHours(14), EndLocal = day.AddDays(5).AddHours(15), RegistrationDeadlineLocal = day.AddDays(4).AddHours(12),
            }, default)).Event!;
            Assert.Equal(3, (await service.InviteAsync(e.Id, new InviteSelection { ContactIds = [.. contacts.Select(c => c.Id)] }, default)).Invited);
            var link = (await links.GetAsync(e.Id, default))!;
            var calendarId = server.Events(Mailbox).Single(x => x["onlineMeeting"]?["joinUrl"]?.GetValue<string>() == link.JoinUrl)["id"]!.GetValue<string>();

            // All three accept in Outlook, in order: two places, the third waits.
            nodes.Advance(TimeSpan.FromHours(1));
            for (var i = 0; i < 3; i++) server.SetResponse(Mailbox, calendarId, contacts[i].Email, "accepted", nodes.A.Clock.GetUtcNow().AddMinutes(i - 10));
            await nodes.RunBothAsync<EventCalendarJob>();
            var invitations = (await events.ListInvitationsAsync(e.Id, default)).ToDictionary(i => i.ContactId);
            Assert.Equal(PlaceStatus.Confirmed, invitations[contacts[0].Id].Place);
            Assert.Equal(PlaceStatus.Confirmed, invitations[contacts[1].Id].Place);
            Assert.Equal(PlaceStatus.Waitlisted, invitations[contacts[2].Id].Place);
            Assert.Equal(1, invitations[contacts[2].Id].WaitlistNumber);
            await using (var c = await db.OpenAsync(default))
            {
                Assert.Equal(1, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM mail_outbox WHERE contact_id = @id AND purpose = @purpose",
                    new { id = contacts[2].Id, purpose = EventMailTemplates.Key(EventMailKind.Waitlisted) }));
            }

            // After the event Teams reports the first as attending: applied once, the attendance read once.
            nodes.SetTime(e.EndsAt.AddMinutes(30));
            server.AddAttendanceReport(Mailbox, link.JoinUrl!, e.StartsAt, e.EndsAt, new AttendanceLine(contacts[0].Email, 3000));
            var before = (await events.GetEventAsync(e.Id, default))!.Version;
            await nodes.RunBothAsync<EventCalendarJob>();
            invitations = (await events.ListInvitationsAsync(e.Id, default)).ToDictionary(i => i.ContactId);
            Assert.True(invitations[contacts[0].Id].AttendedOnline);
            Assert.False(invitations[contacts[1].Id].AttendedOnline);
            Assert.Equal(before + 1, (await events.GetEventAsync(e.Id, default))!.Version);
            Assert.NotNull((await links.GetAsync(e.Id, default))!.AttendanceReadAt);
        }
    }
}
