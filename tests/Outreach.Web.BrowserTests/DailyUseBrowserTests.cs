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
using Outreach.Web.Tests;

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

    /// <summary>
    /// Each visible element matching <paramref name="selector"/> whose content is wider than its box (it scrolls or is cut off
    /// inside: the page itself need not widen for that) or that ends right of the window, measured in the browser.
    /// </summary>
    private static async Task<IReadOnlyList<string>> OverflowingAsync(IPage page, string selector) =>
        await page.EvaluateAsync<string[]>("""
            selector => [...document.querySelectorAll(selector)].filter(e => e.checkVisibility()).flatMap(e => {
                const name = e.tagName.toLowerCase() + (e.dataset.testid ? `[data-testid=${e.dataset.testid}]` : '')
                    + (e.querySelector('h2') ? ` "${e.querySelector('h2').textContent.trim()}"` : '');
                const out = [];
                if (e.scrollWidth > e.clientWidth + 1) out.push(`${name}: content ${e.scrollWidth} px wide in ${e.clientWidth} px`);
                const right = e.getBoundingClientRect().right;
                if (right > window.innerWidth + 0.5) out.push(`${name}: ends at ${Math.round(right)} px in a ${window.innerWidth} px window`);
                return out;
            })
            """, selector);

    /// <summary>
    /// The words a person reads on the page: visible text (not code, mail bodies or typed text), the options of visible
    /// lists, placeholders, titles and labels for screen readers; so text written by script counts too.
    /// </summary>
    private static Task<string> ReadableTextAsync(IPage page) => page.EvaluateAsync<string>("""
        () => {
            const parts = [];
            const skipped = 'script,style,code,pre,textarea,iframe,template,noscript';
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const p = n.parentElement;
                if (!p || p.closest(skipped)) continue;
                const shown = p.closest('option') ? p.closest('select')?.checkVisibility() : p.checkVisibility();
                if (shown && n.nodeValue.trim()) parts.push(n.nodeValue.trim());
            }
            for (const e of document.body.querySelectorAll('[placeholder],[title],[aria-label]')) {
                if (e.closest(skipped) && e.tagName !== 'TEXTAREA' || !e.checkVisibility()) continue;
                for (const a of ['placeholder', 'title', 'aria-label']) if (e.hasAttribute(a)) parts.push(e.getAttribute(a));
            }
            return parts.join(' | ');
        }
        """);

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

    /// <summary>A physical gold event of three hours from <paramref name="start"/> (registration closing five days before), with one contact invited.</summary>
    private async Task<long> InvitedEventAsync(string title, string venue, DateTime start, long contactId)
    {
        var services = fixture.App.Services;
        var gold = (await services.GetRequiredService<IProspectStore>().ListCovenantsAsync(default)).First(c => c.Code == "gold");
        var service = services.GetRequiredService<EventService>();
        var created = await service.CreateAsync(new NetworkEventDraft
        {
            Title = title, CovenantId = gold.Id, Format = EventFormat.Physical, Venue = venue, Capacity = 10,
            StartLocal = start, EndLocal = start.AddHours(3), RegistrationDeadlineLocal = start.Date.AddDays(-5).AddHours(12),
        }, default);
        var id = created.Event!.Id;
        await service.InviteAsync(id, new InviteSelection { ContactIds = [contactId] }, default);
        return id;
    }

    [Fact]
    public async Task ADutchInvitee_ReadsTheAnswerPageInDutch_WithoutTheStaffMenu_AndNotAnsweredIsNoSuccess()
    {
        var (_, contact) = await ProspectAsync("Browser Antwoord Goud", ContactLanguage.Nl);
        var services = fixture.App.Services;
        var id = await InvitedEventAsync("Antwoord netwerkbijeenkomst", "Utrecht", new DateTime(2027, 2, 10, 14, 0, 0), contact.Id);
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
        // Every column keeps its cards inside it (a long name wraps instead of running under the next column).
        Assert.Empty(await OverflowingAsync(page, "section.column"));

        await page.GotoAsync($"/prospects/{prospectId}");
        Assert.True(await FitsAsync(page), "the prospect page is wider than 1400 px");
        // The panels scroll sideways inside themselves when their content is too wide, so the page alone does not tell.
        await Assertions.Expect(page.GetByTestId("prospect-name")).ToBeVisibleAsync();
        Assert.Empty(await OverflowingAsync(page, ".panel"));

        var eventId = (await fixture.App.Services.GetRequiredService<IEventStore>().ListEventsAsync(default))[0].Id;
        await page.GotoAsync($"/events/{eventId}");
        Assert.True(await FitsAsync(page), "the event page is wider than 1400 px");
        Assert.Empty(await OverflowingAsync(page, ".panel"));

        var manager = await fixture.NewPageAsync(Role.Manager);
        await manager.SetViewportSizeAsync(1400, 900);
        await manager.GotoAsync("/reports?from=2020-01-01&to=2027-12-31");
        Assert.True(await FitsAsync(manager), "the report is wider than 1400 px");
        await Assertions.Expect(manager.GetByTestId("report-event-follow-through")).ToBeVisibleAsync();
        Assert.Empty(await OverflowingAsync(manager, ".panel"));
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

    /// <summary>Issue 16 item 6, the secretariat's side: an answer given by phone is chosen, never preset; the door list is not open months ahead.</summary>
    [Fact]
    public async Task RecordingAnAnswerByPhone_StartsWithNothingChosen_AndTheDoorListRefusesCheckInMonthsAhead()
    {
        var (_, contact) = await ProspectAsync("Browser Telefoon Goud", ContactLanguage.Nl);
        var services = fixture.App.Services;
        // Four months after the host's clock (18 November 2026).
        var id = await InvitedEventAsync("Telefoon netwerkbijeenkomst", "Zwolle", new DateTime(2027, 3, 10, 14, 0, 0), contact.Id);
        var store = services.GetRequiredService<IEventStore>();

        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"/events/{id}");
        var row = page.GetByTestId("invitation-row");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        var answer = row.GetByTestId("record-answer");
        await Assertions.Expect(answer).ToHaveValueAsync("");
        // A click on "record" without a choice is stopped by the browser, which asks for one: nothing is recorded.
        await row.GetByTestId("record-answer-submit").ClickAsync();
        Assert.True(await answer.EvaluateAsync<bool>("s => s.validity.valueMissing"));
        Assert.Equal(InvitationResponse.None, (await store.ListInvitationsAsync(id, default)).Single().Response);

        await answer.SelectOptionAsync("tentative");
        await row.GetByTestId("record-answer-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Answer recorded");
        await Assertions.Expect(page.GetByTestId("invitation-row")).ToContainTextAsync("Tentative");
        Assert.Equal(InvitationResponse.Tentative, (await store.ListInvitationsAsync(id, default)).Single().Response);

        await page.GetByTestId("check-in-link").ClickAsync();
        await page.WaitForURLAsync($"**/events/{id}/check-in");
        await Assertions.Expect(page.GetByTestId("check-in-not-open")).ToContainTextAsync("12 hours before the start");
        await page.GetByTestId("check-in").ClickAsync();
        // The refusal reads as one, not in the green box that says something worked.
        await Assertions.Expect(page.GetByTestId("flash-error")).ToContainTextAsync("Check-in opens at");
        await Assertions.Expect(page.GetByTestId("flash")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("check-in")).ToBeVisibleAsync();
        Assert.Null((await store.ListInvitationsAsync(id, default)).Single().CheckedInAt);
    }

    /// <summary>
    /// Issue 16 item 9 in Dutch: an officer switches to NL and goes through the day's pages; the schedules read in words, an import
    /// that skipped every row is a warning, and no English UI word is left on any page visited (text written by script included).
    /// </summary>
    [Fact]
    public async Task WorkingInDutch_SchedulesReadInWords_AnImportThatSkipsEveryRowWarns_AndNoEnglishWordIsLeft()
    {
        var (prospectId, _) = await ProspectAsync("Browser Nederlands Goud", ContactLanguage.Nl);
        var gold = (await fixture.App.Services.GetRequiredService<IProspectStore>().ListCovenantsAsync(default)).First(c => c.Code == "gold");
        var eventId = (await fixture.App.Services.GetRequiredService<EventService>().CreateAsync(new NetworkEventDraft
        {
            Title = "Nederlandse netwerkbijeenkomst", CovenantId = gold.Id, Format = EventFormat.Physical, Venue = "Arnhem", Capacity = 20,
            StartLocal = new DateTime(2027, 4, 14, 14, 0, 0), EndLocal = new DateTime(2027, 4, 14, 17, 0, 0), RegistrationDeadlineLocal = new DateTime(2027, 4, 9, 12, 0, 0),
        }, default)).Event!.Id;
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/board");
        await page.GetByRole(AriaRole.Button, new() { Name = "NL", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "nl");
        var found = new List<string>();
        async Task ReadAsync(string where)
        {
            await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "nl");
            found.AddRange(EnglishUiWords.Find(await ReadableTextAsync(page)).Select(f => $"{where}: {f}"));
        }

        await ReadAsync("/board");

        await page.GotoAsync("/import");
        await page.GetByTestId("import-file").SetInputFilesAsync(new FilePayload
        {
            Name = "prospecten.csv", MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes("organisation;party_kind;sector;country;kvk_number;website;owner;covenant;stage;contact_name;contact_email;contact_language;contact_role\n" +
                                            "Scheve Rij B.V.;company;refining;NL;999;;Anne de Vries;gold;;;;;\n"),
        });
        await page.GetByTestId("import-valid-only").CheckAsync();
        await page.GetByTestId("import-submit").ClickAsync();
        var result = page.GetByTestId("import-result");
        await Assertions.Expect(result).ToContainTextAsync("Er is niets geïmporteerd");
        await Assertions.Expect(result).ToHaveClassAsync("warning");
        await ReadAsync("/import (after the import)");

        await page.GotoAsync("/jobs");
        await Assertions.Expect(page.Locator("tr[data-job=pipeline-hygiene] [data-testid=job-schedule]")).ToContainTextAsync("werkdagen om 07:00");
        var schedules = await page.GetByTestId("job-schedule").AllInnerTextsAsync();
        Assert.NotEmpty(schedules);
        Assert.All(schedules, text => Assert.DoesNotContain("* *", text, StringComparison.Ordinal));
        await ReadAsync("/jobs");

        foreach (var path in new[] { "/my-day", $"/prospects/{prospectId}", "/prospects", "/events", $"/events/{eventId}", "/outbox", "/sequences", "/templates" })
        {
            await page.GotoAsync(path);
            await ReadAsync(path);
        }

        // The hand-pick picker writes its "nothing found" by script.
        await page.GotoAsync($"/events/{eventId}");
        await page.GetByTestId("contact-search").PressSequentiallyAsync("zzqx");
        await Assertions.Expect(page.GetByTestId("contact-results")).ToContainTextAsync("Geen contactpersoon gevonden");
        await ReadAsync($"/events/{eventId} (picker)");

        Assert.True(found.Count == 0, "English on the Dutch pages:\n" + string.Join("\n", found.Distinct()));
    }
}
