using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outreach.Core.Access;
using Outreach.Core.Events;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Testing;
using Outreach.Web.Access;

namespace Outreach.Web.BrowserTests;

/// <summary>Issue 16 in a real browser: forms without stray bullets, the invitee's own page, the layout at 1400 px, jobs, import and outbox.</summary>
public sealed class DailyUseBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private async Task<(long ProspectId, Contact Contact)> ProspectAsync(string name, ContactLanguage language = ContactLanguage.En)
    {
        var prospects = fixture.App.Services.GetRequiredService<IProspectStore>();
        var pipeline = fixture.App.Services.GetRequiredService<IPipelineStore>();
        var covenant = (await prospects.ListCovenantsAsync(default)).First(c => c.Code == "gold");
        var entry = await pipeline.AddProspectAsync(prospects, Validation.Clean(new OrganisationDraft { Name = name, Sector = "jewellery", Owner = "Anne", Country = "NL" }), covenant.Id, Stage.Contacted,
            fixture.App.Clock.GetUtcNow(), "anne", "Met at the fair", default);
        var contact = await prospects.AddContactAsync(entry.OrganisationId, Validation.Clean(new ContactDraft
        {
            Name = "Noor de Wit", Email = "noor@" + name.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant() + ".example", Language = language,
        }), default);
        return (entry.Id, contact);
    }

    /// <summary>True when the page is no wider than the window (nothing sticks out to the right).</summary>
    private static Task<bool> FitsAsync(IPage page) => page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");

    [Fact]
    public async Task Forms_ShowNoStrayErrorBullet_AndEachProspectPanelKeepsItsOwnErrorsAndValues()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/prospects/new");
        // The strict CSP blocks the empty summary's inline style: the class in the stylesheet must hide it.
        await Assertions.Expect(page.GetByTestId("form-errors")).ToBeHiddenAsync();

        var (prospectId, contact) = await ProspectAsync("Browser Panels Gold");
        await fixture.App.Services.GetRequiredService<IProspectStore>().SetOptedOutAsync(contact.Id, fixture.App.Clock.GetUtcNow(), default);
        await page.GotoAsync($"/prospects/{prospectId}");
        await Assertions.Expect(page.GetByTestId("move-form").Locator(".errors")).ToHaveCountAsync(0);
        await page.GetByTestId("next-action").FillAsync("Call Noor about the audit");
        await page.GetByTestId("next-action-form").Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToBeVisibleAsync();

        await page.GetByTestId("enrol-contact").SelectOptionAsync(contact.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId("enrol-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("enrol-errors")).ToContainTextAsync("opted out");
        await Assertions.Expect(page.GetByTestId("move-errors")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("next-action")).ToHaveValueAsync("Call Noor about the audit");
    }

    [Fact]
    public async Task ADutchInvitee_ReadsTheAnswerPageInDutch_WithoutTheStaffMenu_AndNotAnsweredIsNoSuccess()
    {
        var (_, contact) = await ProspectAsync("Browser Antwoord Goud", ContactLanguage.Nl);
        var services = fixture.App.Services;
        var gold = (await services.GetRequiredService<IProspectStore>().ListCovenantsAsync(default)).First(c => c.Code == "gold");
        var service = services.GetRequiredService<EventService>();
        var created = await service.CreateAsync(new NetworkEventDraft
        {
            Title = "Antwoord netwerkbijeenkomst", CovenantId = gold.Id, Format = EventFormat.Physical, Venue = "Utrecht", Capacity = 10,
            StartLocal = new DateTime(2027, 2, 10, 14, 0, 0), EndLocal = new DateTime(2027, 2, 10, 17, 0, 0), RegistrationDeadlineLocal = new DateTime(2027, 2, 5, 12, 0, 0),
        }, default);
        var id = created.Event!.Id;
        await service.InviteAsync(id, new InviteSelection { ContactIds = [contact.Id] }, default);
        var invitation = (await services.GetRequiredService<IEventStore>().ListInvitationsAsync(id, default)).Single();

        var page = await fixture.NewPageAsync(role: null);
        await page.GotoAsync(new Uri(services.GetRequiredService<EventLinks>().RsvpUrl(id, invitation.Id, "accept")).PathAndQuery);
        await Assertions.Expect(page.GetByTestId("rsvp-status")).ToContainTextAsync("U hebt nog niet geantwoord.");
        await Assertions.Expect(page.GetByTestId("rsvp-status")).ToHaveClassAsync("info");
        await Assertions.Expect(page.GetByTestId("nav-board")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("rsvp-accept")).ToHaveTextAsync("Ik kom");
        await page.GetByTestId("rsvp-accept").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rsvp-status")).ToContainTextAsync("U hebt een plaats");
        await Assertions.Expect(page.GetByTestId("rsvp-status")).ToHaveClassAsync("flash");
        await BrowserFixture.ScreenshotAsync(page, "event-rsvp-nl", fullPage: true);

        var signIn = await fixture.NewPageAsync(role: null);
        await signIn.GotoAsync("/account/login");
        await Assertions.Expect(signIn.GetByTestId("login-form")).ToBeVisibleAsync();
        await Assertions.Expect(signIn.GetByTestId("nav-board")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task At1400Wide_NoPageOverflows_TheLastBoardColumnCanBeReached_AndManagersSeeNoEditLinks()
    {
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1400, 900);
        await page.GotoAsync("/board");
        Assert.True(await FitsAsync(page), "the board page is wider than 1400 px");
        var last = page.Locator("section.column").Last;
        await last.ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(last).ToBeInViewportAsync();
        await BrowserFixture.ScreenshotAsync(page, "board-1400");

        var (prospectId, _) = await ProspectAsync("Browser Breedte Goud Met Een Heel Lange Naam Die Niet Past");
        await page.GotoAsync($"/prospects/{prospectId}");
        Assert.True(await FitsAsync(page), "the prospect page is wider than 1400 px");

        var eventId = (await fixture.App.Services.GetRequiredService<IEventStore>().ListEventsAsync(default))[0].Id;
        await page.GotoAsync($"/events/{eventId}");
        Assert.True(await FitsAsync(page), "the event page is wider than 1400 px");

        var manager = await fixture.NewPageAsync(Role.Manager);
        await manager.SetViewportSizeAsync(1400, 900);
        await manager.GotoAsync("/reports?from=2020-01-01&to=2027-12-31");
        Assert.True(await FitsAsync(manager), "the report is wider than 1400 px");
        await manager.GotoAsync($"/prospects/{prospectId}");
        await Assertions.Expect(manager.GetByTestId("prospect-name")).ToBeVisibleAsync();
        await Assertions.Expect(manager.GetByTestId("edit-organisation")).ToHaveCountAsync(0);
        await Assertions.Expect(manager.GetByTestId("add-contact")).ToHaveCountAsync(0);
        await Assertions.Expect(manager.GetByTestId("edit-contact")).ToHaveCountAsync(0);
        Assert.Equal(0, await manager.GetByText("Not allowed").CountAsync());
    }

    [Fact]
    public async Task TheJobsPage_SaysEverySchedule_InWords_InBothLanguages()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/jobs");
        var hygiene = page.Locator("tr[data-job=pipeline-hygiene] [data-testid=job-schedule]");
        await Assertions.Expect(hygiene).ToContainTextAsync("working days at 07:00");
        foreach (var text in await page.GetByTestId("job-schedule").AllInnerTextsAsync())
            Assert.DoesNotContain("* *", text, StringComparison.Ordinal);

        await page.GotoAsync("/jobs?culture=nl");
        await Assertions.Expect(hygiene).ToContainTextAsync("werkdagen om 07:00");
        await Assertions.Expect(page.Locator("tr[data-job=sequences] [data-testid=job-schedule]")).ToContainTextAsync("elke 5 minuten");
    }

    [Fact]
    public async Task AnImportThatSkipsEveryRow_IsAWarning_NotASuccess()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/import");
        await page.GetByTestId("import-file").SetInputFilesAsync(new FilePayload
        {
            Name = "prospects.csv", MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes("organisation;party_kind;sector;country;kvk_number;website;owner;covenant;stage;contact_name;contact_email;contact_language;contact_role\n" +
                                            "Kapotte Rij B.V.;company;refining;NL;1234;;Anne de Vries;gold;;;;;\n"),
        });
        await page.GetByTestId("import-valid-only").CheckAsync();
        await page.GetByTestId("import-submit").ClickAsync();
        var result = page.GetByTestId("import-result");
        await Assertions.Expect(result).ToContainTextAsync("Nothing was imported");
        await Assertions.Expect(result).ToHaveClassAsync("warning");
    }

    [Fact]
    public async Task TheOutbox_SaysWhereThePickupFolderIs_AndOpensTheRenderedMail()
    {
        var outbox = fixture.App.Services.GetRequiredService<IMailOutbox>();
        var now = fixture.App.Clock.GetUtcNow();
        await outbox.EnqueueAsync(new MailDraft
        {
            IdempotencyKey = "one-off:browser-outbox", Purpose = "follow-up", ToAddress = "eva@browser-outbox.example", ToName = "Eva Jansen",
            Subject = "Browser outbox: uw vragen", HtmlBody = "<p>Beste Eva,</p>", TextBody = "Beste Eva,", DueAt = now.AddDays(30),
        }, now, default);
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/outbox?status=pending");
        await Assertions.Expect(page.GetByTestId("pickup-folder")).ToContainTextAsync(Path.GetFullPath(Path.Combine(fixture.App.DataFolder, "mail")));
        await page.GetByTestId("outbox-open").Filter(new() { HasText = "Browser outbox: uw vragen" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("mail-subject")).ToHaveTextAsync("Browser outbox: uw vragen");
        await Assertions.Expect(page.GetByTestId("mail-text")).ToContainTextAsync("Beste Eva,");
        await Assertions.Expect(page.GetByTestId("mail-eml-path")).ToContainTextAsync(".eml");
    }
}
