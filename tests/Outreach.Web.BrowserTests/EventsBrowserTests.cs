using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Web.Access;

namespace Outreach.Web.BrowserTests;

/// <summary>The door list on a tablet-sized screen, and an invitee answering from the links in their mail.</summary>
public sealed class EventsBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private async Task<(long EventId, long OrganisationId, List<Contact> People)> EventWithInviteesAsync(string prefix, int capacity, int invitees, DateTime? startLocal = null)
    {
        // The door list checks people in from Events:CheckInOpensHoursBefore (12) before the start: a door test's event starts soon.
        var start = startLocal ?? new DateTime(2027, 1, 20, 14, 0, 0);
        var services = fixture.App.Services;
        var gold = (await services.GetRequiredService<IProspectStore>().ListCovenantsAsync(default)).First(c => c.Code == "gold");
        var organisation = (await services.GetRequiredService<IPipelineStore>().SearchAsync(new ProspectFilter { CovenantId = gold.Id }, 1, 1, default)).Items[0];
        var prospects = services.GetRequiredService<IProspectStore>();
        var people = new List<Contact>();
        for (var i = 0; i < invitees; i++)
            people.Add(await prospects.AddContactAsync(organisation.OrganisationId, Validation.Clean(new ContactDraft { Name = $"{prefix} Gast{i}", Email = $"{prefix.ToLowerInvariant()}{i}@browser.example", Language = ContactLanguage.En }), default));
        var service = services.GetRequiredService<EventService>();
        var created = await service.CreateAsync(new NetworkEventDraft
        {
            Title = prefix + " netwerkbijeenkomst", CovenantId = gold.Id, Format = EventFormat.Physical, Venue = "Utrecht", Capacity = capacity,
            StartLocal = start, EndLocal = start.AddHours(3), RegistrationDeadlineLocal = startLocal is null ? start.AddDays(-5) : start.AddHours(-1),
        }, default);
        var id = created.Event!.Id;
        await service.InviteAsync(id, new InviteSelection { ContactIds = people.Select(p => p.Id).ToList() }, default);
        return (id, organisation.OrganisationId, people);
    }

    [Fact]
    public async Task CheckIn_SearchAsYouType_OneTap_AndAWalkIn()
    {
        var soon = Core.Calendar.AmsterdamClock.ToLocal(fixture.App.Clock.GetUtcNow()).DateTime.AddHours(2);
        var (id, _, people) = await EventWithInviteesAsync("Deur", 10, 3, new DateTime(soon.Year, soon.Month, soon.Day, soon.Hour, 0, 0));
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1024, 768);
        await page.GotoAsync($"/events/{id}/check-in");
        await Assertions.Expect(page.GetByTestId("door-row")).ToHaveCountAsync(3);

        await page.GetByTestId("door-search").FillAsync("gast1");
        await Assertions.Expect(page.GetByTestId("door-row").Filter(new() { Visible = true })).ToHaveCountAsync(1);
        var row = page.GetByTestId("door-row").Filter(new() { HasText = people[1].Name });
        await row.GetByTestId("check-in").ClickAsync();

        await Assertions.Expect(page.GetByTestId("checked-in-count")).ToHaveTextAsync("1");
        await Assertions.Expect(page.GetByTestId("door-row").Filter(new() { HasText = people[1].Name }).GetByTestId("undo-check-in")).ToBeVisibleAsync();
        // The search survives the tap, so the next guest with the same name part is one tap away.
        await Assertions.Expect(page.GetByTestId("door-search")).ToHaveValueAsync("gast1");
        var stored = await fixture.App.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(id, default);
        Assert.NotNull(stored.Single(i => i.ContactId == people[1].Id).CheckedInAt);
        Assert.Null(stored.Single(i => i.ContactId == people[0].Id).CheckedInAt);

        await page.GetByTestId("walk-in-name").FillAsync("Deur Binnenloper");
        await page.GetByTestId("walk-in-email").FillAsync("binnenloper@browser.example");
        await page.GetByTestId("walk-in-add").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Deur Binnenloper");
        await Assertions.Expect(page.GetByTestId("checked-in-count")).ToHaveTextAsync("2");
        var walkIn = (await fixture.App.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(id, default)).Single(i => i.WalkIn);
        Assert.NotNull(walkIn.CheckedInAt);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("event-check-in"), FullPage = true });
    }

    [Fact]
    public async Task AnInvitee_AnswersFromTheLinks_JoinsTheWaitlist_AndConfirmsAnOfferedPlace()
    {
        var (id, _, people) = await EventWithInviteesAsync("Rsvp", 1, 2);
        var store = fixture.App.Services.GetRequiredService<IEventStore>();
        var links = fixture.App.Services.GetRequiredService<EventLinks>();
        var invitations = await store.ListInvitationsAsync(id, default);
        string Link(Contact c, string answer) => new Uri(links.RsvpUrl(id, invitations.Single(i => i.ContactId == c.Id).Id, answer)).PathAndQuery;

        var first = await fixture.NewPageAsync(role: null);
        await first.GotoAsync(Link(people[0], "accept"));
        await Assertions.Expect(first.GetByTestId("rsvp-status")).ToContainTextAsync("not answered");
        await first.GetByTestId("rsvp-accept").ClickAsync();
        await Assertions.Expect(first.GetByTestId("rsvp-status")).ToContainTextAsync("You have a place");

        var second = await fixture.NewPageAsync(role: null);
        await second.GotoAsync(Link(people[1], "accept"));
        await second.GetByTestId("rsvp-accept").ClickAsync();
        await Assertions.Expect(second.GetByTestId("rsvp-position")).ToHaveTextAsync("1");

        // The first cancels from their own link: the place is offered to the second.
        await first.GotoAsync(Link(people[0], "cancel"));
        await first.GetByTestId("rsvp-cancel").ClickAsync();
        await Assertions.Expect(first.GetByTestId("rsvp-status")).ToContainTextAsync("declined");

        await second.GotoAsync(Link(people[1], "accept"));
        await second.GetByTestId("rsvp-confirm-place").ClickAsync();
        await Assertions.Expect(second.GetByTestId("rsvp-status")).ToContainTextAsync("You have a place");
        var stored = await store.ListInvitationsAsync(id, default);
        Assert.Equal(PlaceStatus.Confirmed, stored.Single(i => i.ContactId == people[1].Id).Place);
        Assert.Equal(InvitationResponse.Declined, stored.Single(i => i.ContactId == people[0].Id).Response);
        await second.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("event-rsvp"), FullPage = true });
    }
}
