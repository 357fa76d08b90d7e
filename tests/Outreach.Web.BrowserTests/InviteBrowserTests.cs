using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Web.BrowserTests;

/// <summary>Issue 16, 1: inviting by filter asks first (count, sample, when); hand-picking searches as you type.</summary>
public sealed class InviteBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private async Task<(long EventId, long OrganisationId)> EventAsync(string title)
    {
        var services = fixture.App.Services;
        var gold = (await services.GetRequiredService<IProspectStore>().ListCovenantsAsync(default)).First(c => c.Code == "gold");
        var organisation = (await services.GetRequiredService<IPipelineStore>().SearchAsync(new ProspectFilter { CovenantId = gold.Id }, 1, 1, default)).Items[0];
        var created = await services.GetRequiredService<EventService>().CreateAsync(new NetworkEventDraft
        {
            Title = title, CovenantId = gold.Id, Format = EventFormat.Physical, Venue = "Utrecht", Capacity = 500,
            StartLocal = new DateTime(2027, 1, 20, 14, 0, 0), EndLocal = new DateTime(2027, 1, 20, 17, 0, 0), RegistrationDeadlineLocal = new DateTime(2027, 1, 15, 12, 0, 0),
        }, default);
        return (created.Event!.Id, organisation.OrganisationId);
    }

    [Fact]
    public async Task InvitingEveryoneWhoMatches_ShowsCountAndSample_ThenInvitesOnConfirmation_ForTheSendWindow()
    {
        var (id, _) = await EventAsync("Bevestig netwerkbijeenkomst");
        var store = fixture.App.Services.GetRequiredService<IEventStore>();
        // Wednesday 18 November 2026, 19:00 in Amsterdam, after office hours: the send window opens on Thursday at 09:00.
        var before = fixture.App.Clock.GetUtcNow();
        fixture.App.Clock.Set(new DateTimeOffset(2026, 11, 18, 18, 0, 0, TimeSpan.Zero));
        try
        {
            await InviteEveryoneAsync(id, store);
        }
        finally
        {
            fixture.App.Clock.Set(before);
        }
    }

    private async Task InviteEveryoneAsync(long id, IEventStore store)
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/events/{id}");

        await page.GetByTestId("invite-by-filter").ClickAsync();

        await Assertions.Expect(page.GetByTestId("invite-confirm")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("invite-count")).ToContainTextAsync("contacts match and would be invited");
        await Assertions.Expect(page.GetByTestId("invite-sample-row")).ToHaveCountAsync(EventService.SampleSize);
        await Assertions.Expect(page.GetByTestId("invite-when-window")).ToBeCheckedAsync();
        Assert.Empty(await store.ListInvitationsAsync(id, default));
        var confirmed = int.Parse(await page.Locator("input[name=ConfirmedCount]").InputValueAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(confirmed > EventService.SampleSize);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("event-invite-confirm"), FullPage = true });

        await page.GetByTestId("invite-confirm-submit").ClickAsync();

        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync($"{confirmed} invited");
        // Queued for the window, and the officer is told when they go.
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("wait for the send window and go out from 19 Nov 2026 09:00");
        await Assertions.Expect(page.GetByTestId("invite-confirm")).ToHaveCountAsync(0);
        Assert.Equal(confirmed, (await store.ListInvitationsAsync(id, default)).Count);
        Assert.Equal(confirmed, (await fixture.App.Services.GetRequiredService<IEventNoticeOutbox>().CountAsync(id, default)).Waiting);
    }

    [Fact]
    public async Task HandPicking_SearchesAsYouType_KeepsTheChosen_AndInvitesThem()
    {
        var (id, organisationId) = await EventAsync("Kies netwerkbijeenkomst");
        var prospects = fixture.App.Services.GetRequiredService<IProspectStore>();
        var people = new List<Contact>();
        for (var i = 0; i < 3; i++)
            people.Add(await prospects.AddContactAsync(organisationId, Validation.Clean(new ContactDraft { Name = $"Kiezer Gast{i}", Email = $"kiezer{i}@browser.example" }), default));
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/events/{id}");
        // Script on: the search answers as you type, without its button.
        await Assertions.Expect(page.GetByTestId("contact-search-submit")).ToBeHiddenAsync();

        await page.GetByTestId("contact-search").PressSequentiallyAsync("kiezer");
        await Assertions.Expect(page.GetByTestId("contact-results").GetByTestId("contact-result")).ToHaveCountAsync(3);
        await page.GetByTestId("contact-results").GetByTestId("contact-result").Filter(new() { HasText = "Kiezer Gast0" }).Locator("input").CheckAsync();
        await Assertions.Expect(page.GetByTestId("contact-chosen").GetByTestId("contact-result")).ToHaveCountAsync(1);

        await page.GetByTestId("contact-search").FillAsync("kiezer2@");
        await Assertions.Expect(page.GetByTestId("contact-results").GetByTestId("contact-result")).ToHaveCountAsync(1);
        await page.GetByTestId("contact-results").GetByTestId("contact-result").Locator("input").CheckAsync();
        await Assertions.Expect(page.GetByTestId("contact-chosen").GetByTestId("contact-result")).ToHaveCountAsync(2);
        await page.GetByTestId("invite-hand-when").SelectOptionAsync("now");
        await page.GetByTestId("invite-by-hand").ClickAsync();

        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("2 invited");
        var invited = (await fixture.App.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(id, default)).Select(i => i.ContactId).Order();
        Assert.Equal([people[0].Id, people[2].Id], invited);
    }
}
