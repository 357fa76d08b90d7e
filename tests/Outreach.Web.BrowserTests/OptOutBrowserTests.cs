using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outreach.Core.Prospects;
using Outreach.Web.Access;

namespace Outreach.Web.BrowserTests;

/// <summary>A prospect follows the unsubscribe link from a mail, in a real browser, without an account.</summary>
public sealed class OptOutBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task TheUnsubscribeLink_AsksOnce_ThenOptsOutAtOnce()
    {
        var prospects = fixture.App.Services.GetRequiredService<IProspectStore>();
        var organisation = await prospects.AddOrganisationAsync(Validation.Clean(new OrganisationDraft { Name = "Browser Opt-out Gold", Sector = "jewellery", Owner = "Anne", Country = "NL" }), default);
        var contact = await prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Lotte", Email = "lotte@optout.example", Language = ContactLanguage.En }), default);
        var url = new Uri(fixture.App.Services.GetRequiredService<OptOutLinks>().UrlFor(contact.Id));

        var page = await fixture.NewPageAsync(role: null);
        await page.GotoAsync(url.PathAndQuery);
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Unsubscribe");
        Assert.Null((await prospects.GetContactAsync(contact.Id, default))!.OptedOutAt);
        await page.GetByTestId("optout-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("optout-done")).ToBeVisibleAsync();
        Assert.NotNull((await prospects.GetContactAsync(contact.Id, default))!.OptedOutAt);

        // Opening the link again says so, without a button.
        await page.GotoAsync(url.PathAndQuery);
        await Assertions.Expect(page.GetByTestId("optout-done")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("optout-confirm")).ToHaveCountAsync(0);
    }
}
