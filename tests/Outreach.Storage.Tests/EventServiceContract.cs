using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Mail;

namespace Outreach.Storage.Tests;

/// <summary>The event use cases end to end on every engine: store, rules, built-in templates, outbox with iCalendar parts.</summary>
public abstract partial class StoreContract
{
    private sealed class TestLinks : IEventLinks
    {
        public string RsvpUrl(long eventId, long invitationId, string answer) => $"https://outreach.test/r/{eventId}-{invitationId}?a={answer}";
        public string UnsubscribeUrl(long contactId) => $"https://outreach.test/u/{contactId}";
    }

    [Fact]
    public async Task EventService_InvitesCountsExclusions_MailsICalendar_OffersFreedPlaces_AndCancels()
    {
        var events = new SqlEventStore(Db);
        var outbox = new SqlMailOutbox(Db);
        var options = new EventOptions { OfferHours = 24, OrganizerEmail = "secretariaat@imvo.example", OrganizerName = "Secretariaat" };
        var channel = new MailInvitationChannel(Prospects, outbox, new HandlebarsTemplateRenderer(), new TestLinks(), options, Clock);
        var service = new EventService(events, channel, new EventNoticeDispatcher(events, new SqlEventNoticeOutbox(Db), channel, Clock, Outreach.Core.Mail.DispatchPolicy.EventNotices, Microsoft.Extensions.Logging.Abstractions.NullLogger<EventNoticeDispatcher>.Instance), options, Clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<EventService>.Instance);
        var people = await ContactsAsync(4, Stage.Engaged);
        await Prospects.UpdateContactAsync(people[0].Id, new ContactDraft { Name = people[0].Name, Email = people[0].Email, Language = ContactLanguage.En }, default);
        await Privacy.SetOptedOutAsync(people[3].Id, Clock.GetUtcNow(), default);

        var created = await service.CreateAsync(new NetworkEventDraft
        {
            Title = "Gold network event", CovenantId = gold.Id, Format = EventFormat.Physical, Venue = "Utrecht", Capacity = 1,
            StartLocal = new DateTime(2026, 4, 15, 14, 0, 0), EndLocal = new DateTime(2026, 4, 15, 17, 0, 0), RegistrationDeadlineLocal = new DateTime(2026, 4, 10, 12, 0, 0),
        }, default);
        Assert.True(created.Succeeded);
        var id = created.Event!.Id;
        Assert.False((await service.CreateAsync(new NetworkEventDraft(), default)).Succeeded);

        var invited = await service.InviteAsync(id, new InviteSelection { Filter = new ProspectFilter { CovenantId = gold.Id, Stage = Stage.Engaged } }, default);
        Assert.Equal((3, 1, 0, 0), (invited.Invited, invited.ExcludedOptedOut, invited.ExcludedBouncing, invited.ExcludedAlreadyInvited));
        var again = await service.InviteAsync(id, new InviteSelection { ContactIds = [people[0].Id, people[1].Id] }, default);
        Assert.Equal((0, 2), (again.Invited, again.ExcludedAlreadyInvited));

        var mails = (await outbox.ListAsync(null, 50, default)).Where(m => m.Mail.Purpose == EventMailTemplates.Invitation).ToList();
        Assert.Equal(3, mails.Count);
        var english = mails.Single(m => m.Mail.ContactId == people[0].Id).Mail;
        Assert.Equal("Invitation: Gold network event", english.Subject);
        Assert.Equal("REQUEST", english.Calendar!.Method);
        Assert.Contains("METHOD:REQUEST", english.Calendar.Content, StringComparison.Ordinal);
        Assert.Contains("SEQUENCE:0", english.Calendar.Content, StringComparison.Ordinal);
        Assert.Contains("mailto:" + people[0].Email, english.Calendar.Content.Replace("\r\n ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("?a=accept", english.TextBody, StringComparison.Ordinal);
        Assert.Contains("https://outreach.test/u/" + people[0].Id, english.TextBody, StringComparison.Ordinal);
        Assert.StartsWith("Uitnodiging: ", mails.Single(m => m.Mail.ContactId == people[1].Id).Mail.Subject, StringComparison.Ordinal);

        var invitations = await events.ListInvitationsAsync(id, default);
        long Inv(Contact c) => invitations.Single(i => i.ContactId == c.Id).Id;
        Assert.True((await service.RespondAsync(id, Inv(people[0]), InvitationResponse.Accepted, default)).Succeeded);
        Assert.True((await service.RespondAsync(id, Inv(people[1]), InvitationResponse.Accepted, default)).Succeeded);
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.True((await service.RespondAsync(id, Inv(people[0]), InvitationResponse.Declined, default)).Succeeded);
        var offer = (await outbox.ListAsync(null, 50, default)).Single(m => m.Mail.Purpose == EventMailTemplates.PlaceOffered);
        Assert.Equal(people[1].Id, offer.Mail.ContactId);
        Assert.Contains("Er is een plaats vrij", offer.Mail.Subject, StringComparison.Ordinal);

        // Nobody confirms in time: the job's use case passes the place on (to nobody else here: the third invitee never accepted).
        Clock.Advance(TimeSpan.FromHours(25));
        Assert.True((await service.ExpireOffersAsync(id, default)).Succeeded);
        Assert.Equal(PlaceStatus.Lapsed, (await events.ListInvitationsAsync(id, default)).Single(i => i.ContactId == people[1].Id).Place);

        var cancelled = await service.CancelAsync(id, default);
        Assert.Equal((EventStatus.Cancelled, 1), (cancelled.Event!.Status, cancelled.Event.Sequence));
        var cancels = (await outbox.ListAsync(null, 50, default)).Where(m => m.Mail.Purpose == EventMailTemplates.Cancelled).ToList();
        Assert.Equal([people[1].Id, people[2].Id], cancels.Select(m => m.Mail.ContactId!.Value).Order());
        Assert.All(cancels, m => Assert.Contains("SEQUENCE:1", m.Mail.Calendar!.Content, StringComparison.Ordinal));
        Assert.All(cancels, m => Assert.Equal("CANCEL", m.Mail.Calendar!.Method));
        Assert.False((await service.CancelAsync(id, default)).Succeeded);
        Assert.True((await service.RespondAsync(id + 1000, 1, InvitationResponse.Accepted, default)).NotFound);
    }
}
