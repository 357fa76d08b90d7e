using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Testing;

namespace Outreach.Web.BrowserTests;

/// <summary>Follow-up mail in a real browser: enrol a contact from the prospect page and stop it again; preview a template with a real prospect.</summary>
public sealed class SequencesBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private async Task<(long ProspectId, Contact Contact)> ProspectAsync(string name)
    {
        var prospects = fixture.App.Services.GetRequiredService<IProspectStore>();
        var pipeline = fixture.App.Services.GetRequiredService<IPipelineStore>();
        var covenant = (await prospects.ListCovenantsAsync(default))[0];
        var entry = await pipeline.AddProspectAsync(prospects, Validation.Clean(new OrganisationDraft { Name = name, Sector = "jewellery", Owner = "Anne", Country = "NL" }), covenant.Id, Stage.Contacted,
            fixture.App.Clock.GetUtcNow(), "anne", "Met at the fair", default);
        var contact = await prospects.AddContactAsync(entry.OrganisationId, Validation.Clean(new ContactDraft { Name = "Noor de Wit", Email = "noor@" + name.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant() + ".example", Language = ContactLanguage.En }), default);
        return (entry.Id, contact);
    }

    [Fact]
    public async Task AContact_IsEnrolledFromTheProspectPage_ShowsItsNextStep_AndCanBeStopped()
    {
        var (prospectId, contact) = await ProspectAsync("Browser Sequence Gold");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/prospects/{prospectId}");
        await page.GetByTestId("enrol-contact").SelectOptionAsync(contact.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId("enrol-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Enrolled");
        var row = page.GetByTestId("enrolment-row");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.GetByTestId("enrolment-state")).ToHaveTextAsync("active");
        await Assertions.Expect(row.GetByTestId("enrolment-next")).ToContainTextAsync("Step 1 of 3");

        string? asked = null;
        page.Dialog += async (_, dialog) => { asked = dialog.Message; await dialog.AcceptAsync(); };
        await row.GetByTestId("stop-enrolment").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("stopped");
        await Assertions.Expect(page.GetByTestId("enrolment-row").GetByTestId("enrolment-state")).ToHaveTextAsync("stopped");
        Assert.Contains("Stop this enrolment", asked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATemplate_IsPreviewedWithARealProspect_WithItsValuesEncoded()
    {
        var (prospectId, _) = await ProspectAsync("Preview <Gold> & Co");
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/templates/follow-up/en");
        await page.GetByTestId("preview-prospect").SelectOptionAsync(prospectId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId("template-preview").ClickAsync();
        await Assertions.Expect(page.GetByTestId("preview-subject")).ToContainTextAsync("following up");
        var frame = page.FrameLocator("[data-testid=preview-html]");
        // The organisation's name arrives as text, not as markup.
        await Assertions.Expect(frame.Locator("body")).ToContainTextAsync("Preview <Gold> & Co");
        await Assertions.Expect(frame.Locator("gold")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("preview-text")).ToContainTextAsync("Dear Noor de Wit");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("template"), FullPage = false });
    }
}
