using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;
using Outreach.Testing;

namespace Outreach.Web.BrowserTests;

/// <summary>Issue 16, 3: after a move to engaged, the officer makes a template and a sequence for that stage and enrols the contact.</summary>
public sealed class SequenceStagesBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task AnEngagedProspect_IsOfferedOnlyWhatServesIt_AndANewTemplateAndRangedSequenceServeIt()
    {
        var prospects = fixture.App.Services.GetRequiredService<IProspectStore>();
        var covenant = (await prospects.ListCovenantsAsync(default))[0];
        var entry = await fixture.App.Services.GetRequiredService<IPipelineStore>().AddProspectAsync(prospects,
            Validation.Clean(new OrganisationDraft { Name = "Browser Engaged Gold", Sector = "jewellery", Owner = "Anne", Country = "NL" }), covenant.Id, Stage.Engaged,
            fixture.App.Clock.GetUtcNow(), "anne", "Talking already", default);
        var contact = await prospects.AddContactAsync(entry.OrganisationId, Validation.Clean(new ContactDraft { Name = "Sanne Engaged", Email = "sanne@engaged.example" }), default);
        var existing = await fixture.App.Services.GetRequiredService<ISequenceStore>().ListSequencesAsync(default);
        var page = await fixture.NewPageAsync();

        // Every sequence there is serves only up to an earlier stage: none is offered, and the page says where to go.
        await page.GotoAsync($"/prospects/{entry.Id}");
        var servesEngaged = existing.Where(s => EnrolmentRules.Serves(s, Stage.Engaged)).ToList();
        if (servesEngaged.Count == 0) await Assertions.Expect(page.GetByTestId("no-sequence-for-stage")).ToBeVisibleAsync();
        foreach (var s in existing.Except(servesEngaged))
            await Assertions.Expect(page.Locator($"[data-testid=enrol-sequence] option[value='{s.Id}']")).ToHaveCountAsync(0);

        // A new purpose, in both languages.
        await page.GotoAsync("/templates");
        await page.GetByTestId("template-new").ClickAsync();
        await page.GetByTestId("template-key").FillAsync("browser-engaged");
        await page.GetByTestId("template-subject-nl").FillAsync("Na ons gesprek");
        await page.GetByTestId("template-html-nl").FillAsync("<p>Beste {{contactName}}</p><a href=\"{{unsubscribeUrl}}\">afmelden</a>");
        await page.GetByTestId("template-text-nl").FillAsync("Beste {{contactName}} {{unsubscribeUrl}}");
        await page.GetByTestId("template-subject-en").FillAsync("After our talk");
        await page.GetByTestId("template-html-en").FillAsync("<p>Dear {{contactName}}</p><a href=\"{{unsubscribeUrl}}\">unsubscribe</a>");
        await page.GetByTestId("template-text-en").FillAsync("Dear {{contactName}} {{unsubscribeUrl}}");
        await page.GetByTestId("template-new-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("browser-engaged");
        await Assertions.Expect(page.GetByTestId("edit-browser-engaged-nl")).ToBeVisibleAsync();

        // A sequence serving contacted to intake, with that template.
        await page.GotoAsync("/sequences");
        await page.GetByTestId("sequence-name").FillAsync("While talking (browser)");
        await page.GetByTestId("sequence-from-stage").SelectOptionAsync("contacted");
        await page.GetByTestId("sequence-stage").SelectOptionAsync("intake");
        await page.GetByTestId("step-template-0").SelectOptionAsync("browser-engaged");
        await page.GetByTestId("step-wait-0").FillAsync("1");
        await page.GetByTestId("sequence-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Sequence added");
        await Assertions.Expect(page.GetByTestId("sequence-row").Filter(new() { HasText = "While talking (browser)" }).GetByTestId("sequence-stages")).ToHaveTextAsync("contacted – intake");

        await page.GotoAsync($"/prospects/{entry.Id}");
        var id = (await fixture.App.Services.GetRequiredService<ISequenceStore>().ListSequencesAsync(default)).Single(s => s.Name == "While talking (browser)").Id;
        await page.GetByTestId("enrol-contact").SelectOptionAsync(contact.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId("enrol-sequence").SelectOptionAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId("enrol-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Enrolled");
        await Assertions.Expect(page.GetByTestId("enrolment-row")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("sequence-range"), FullPage = true });
    }
}
