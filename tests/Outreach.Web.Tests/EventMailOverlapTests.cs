using Dapper;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Sequences;
using Outreach.Jobs.Events;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>
/// The event-mail job on two nodes at once: each lapsed offer passes on once, each reminder, thank-you and no-show mail is in
/// the outbox once, and an attendee is enrolled in the follow-up sequence once per event, also after that enrolment stopped.
/// </summary>
public sealed class EventMailOverlapTests
{
    private const string FollowUp = "Follow-up after first contact";

    [Theory]
    [MemberData(nameof(TwoNodes.Engines), MemberType = typeof(TwoNodes))]
    public async Task TwoOverlappingRuns_QueueEachEventMailOnce_AndEnrolEachAttendeeOncePerEvent(StorageEngine engine)
    {
        await using var nodes = TwoNodes.Start(engine, b => b.UseSetting("Events:FollowUpSequence", FollowUp));
        var world = await OverlapWorld.CreateAsync(nodes, "Verantwoord Goud", new DateOnly(2017, 6, 1), new DateOnly(2027, 6, 1));
        var (service, events, sequences, db, covenant) = (world.A<EventService>(), world.A<IEventStore>(), world.A<ISequenceStore>(), world.Db, world.Covenant);

        for (var round = 0; round < 3; round++)
        {
            var start = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero).AddDays(14 * round);
            nodes.SetTime(start);
            var prospect = await world.ProspectAsync($"Jansen Metaal {round}", "metal", Stage.Contacted, "Fair", CovenantProspect.Invitees($"{round}", 6), start);
            var (entry, contacts) = (prospect.Entry, prospect.Contacts.Select(c => c.Id).ToList());
            var day = start.UtcDateTime.Date;
            var e = (await service.CreateAsync(new NetworkEventDraft
            {
                Title = $"Netwerkdag {round}", CovenantId = covenant.Id, Format = EventFormat.Physical, Venue = "Utrecht", Capacity = 3,
                StartLocal = day.AddDays(5).AddHours(14), EndLocal = day.AddDays(5).AddHours(17), RegistrationDeadlineLocal = day.AddDays(4).AddHours(12),
            }, default)).Event!;
            Assert.Equal(6, (await service.InviteAsync(e.Id, new InviteSelection { ContactIds = contacts }, default)).Invited);
            var invitation = (await events.ListInvitationsAsync(e.Id, default)).ToDictionary(i => i.ContactId, i => i.Id);
            // 0, 1, 2 hold the three places, 3 and 4 wait in that order, 5 is tentative; 2 declines, so 3 is offered the place.
            for (var i = 0; i < 5; i++) Assert.True((await service.RespondAsync(e.Id, invitation[contacts[i]], InvitationResponse.Accepted, default)).Succeeded);
            Assert.True((await service.RespondAsync(e.Id, invitation[contacts[5]], InvitationResponse.Tentative, default)).Succeeded);
            Assert.True((await service.RespondAsync(e.Id, invitation[contacts[2]], InvitationResponse.Declined, default)).Succeeded);
            Assert.Equal(1, await CountAsync(db, contacts[3], EventMailKind.PlaceOffered));

            // 3 lets the offer lapse: both runs pass it on, once, to 4.
            nodes.Advance(TimeSpan.FromHours(49));
            await nodes.RunBothAsync<EventMailJob>();
            Assert.Equal(PlaceStatus.Offered, (await events.ListInvitationsAsync(e.Id, default)).Single(i => i.ContactId == contacts[4]).Place);
            Assert.Equal(1, await CountAsync(db, contacts[4], EventMailKind.PlaceOffered));
            Assert.Equal(1, await CountAsync(db, contacts[3], EventMailKind.PlaceOffered));

            // Three days before: a reminder each to those holding a place and the tentative one.
            nodes.SetTime(start.AddDays(3));
            await nodes.RunBothAsync<EventMailJob>();
            foreach (var i in new[] { 0, 1, 5 }) Assert.Equal(1, await CountAsync(db, contacts[i], EventMailKind.Reminder));
            Assert.Equal(0, await CountAsync(db, contacts[2], EventMailKind.Reminder));

            // 0 comes, 1 does not: after the event thanks to 0 (and the follow-up enrolment), the no-show mail to 1.
            nodes.SetTime(e.StartsAt.AddMinutes(30));
            Assert.True((await service.CheckInAsync(e.Id, invitation[contacts[0]], true, default)).Succeeded);
            nodes.SetTime(e.EndsAt.AddMinutes(20));
            await nodes.RunBothAsync<EventMailJob>();
            Assert.Equal(1, await CountAsync(db, contacts[0], EventMailKind.Thanks));
            Assert.Equal(1, await CountAsync(db, contacts[1], EventMailKind.NoShow));
            Assert.Equal(0, await CountAsync(db, contacts[1], EventMailKind.Thanks));
            var enrolled = Assert.Single(await sequences.ListEnrolmentsForProspectAsync(entry.Id, default));
            Assert.Equal(contacts[0], enrolled.ContactId);

            // 0 replies (the enrolment stops); the job comes back to the event for days and must not enrol them again.
            Assert.Single(await sequences.StopForOrganisationAsync(entry.OrganisationId, StopReason.Reply, nodes.A.Clock.GetUtcNow(), default));
            nodes.Advance(TimeSpan.FromMinutes(15));
            await nodes.RunBothAsync<EventMailJob>();
            Assert.Equal(enrolled.Id, Assert.Single(await sequences.ListEnrolmentsForProspectAsync(entry.Id, default)).Id);
            Assert.Equal(1, await CountAsync(db, contacts[0], EventMailKind.Thanks));
        }
    }

    private static async Task<int> CountAsync(Database db, long contactId, EventMailKind kind)
    {
        await using var c = await db.OpenAsync(default);
        return await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM mail_outbox WHERE contact_id = @contactId AND purpose = @purpose",
            new { contactId, purpose = EventMailTemplates.Key(kind) });
    }
}
