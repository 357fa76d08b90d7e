using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outreach.Core.Access;
using Outreach.Web.Access;

namespace Outreach.Web.BrowserTests;

/// <summary>A secretariat member's path through the UI in a real browser.</summary>
public sealed class PipelineBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Board_OpenAProspect_MoveItWithAReason_AndSeeItInTheHistory()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/board");
        Assert.Equal(9, await page.Locator("section.column").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("board"), FullPage = false });

        var card = page.Locator("section[data-stage=contacted] [data-testid=card]").First;
        var name = (await card.Locator("strong").InnerTextAsync()).Trim();
        await card.ClickAsync();
        await page.WaitForURLAsync("**/prospects/*");
        Assert.Equal(name, (await page.GetByTestId("prospect-name").InnerTextAsync()).Trim());
        Assert.Equal("contacted", (await page.GetByTestId("current-stage").InnerTextAsync()).Trim().ToLowerInvariant());

        const string reason = "Met the CSR manager at the network event in Utrecht";
        await page.GetByTestId("move-stage").SelectOptionAsync("engaged");
        await page.GetByTestId("move-reason").FillAsync(reason);
        await page.GetByTestId("move-submit").ClickAsync();

        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Moved to 'engaged'");
        Assert.Equal("engaged", (await page.GetByTestId("current-stage").InnerTextAsync()).Trim().ToLowerInvariant());
        var newest = page.GetByTestId("history-row").First;
        await Assertions.Expect(newest).ToContainTextAsync(reason);
        await Assertions.Expect(newest).ToContainTextAsync("contacted");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("prospect"), FullPage = true });

        // Back on the board the prospect now sits in the engaged column.
        await page.GotoAsync("/board?q=" + Uri.EscapeDataString(name));
        await Assertions.Expect(page.Locator("section[data-stage=engaged] [data-testid=card]", new() { HasText = name })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task NotNow_WithoutARevisitDate_IsRefused_AndTheStageStays()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/board");
        await page.Locator("section[data-stage=identified] [data-testid=card]").First.ClickAsync();
        await page.WaitForURLAsync("**/prospects/*");
        await page.GetByTestId("move-stage").SelectOptionAsync("not_now");
        await Assertions.Expect(page.GetByTestId("move-revisit")).ToBeVisibleAsync();
        await page.GetByTestId("move-reason").FillAsync("Budget next year");
        // Bypass the browser's own required check to reach the server's rule.
        await page.EvaluateAsync("document.querySelector('[data-testid=move-revisit]').required = false");
        await page.GetByTestId("move-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("move-errors")).ToContainTextAsync("needs a revisit date");
        Assert.Equal("identified", (await page.GetByTestId("current-stage").InnerTextAsync()).Trim().ToLowerInvariant());
    }

    [Fact]
    public async Task NewProspect_WithALikelyDuplicateName_WarnsFirst_ThenSavesWhenConfirmed()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/board");
        var existing = (await page.Locator("[data-testid=card] strong").First.InnerTextAsync()).Trim();

        await page.GetByTestId("nav-new").ClickAsync();
        await page.GetByTestId("org-name").FillAsync(existing.ToUpperInvariant() + " B.V.");
        await page.Locator("select[name='Organisation.PartyKind']").SelectOptionAsync("company");
        await page.Locator("input[name='Organisation.Sector']").FillAsync("jewellery");
        await page.Locator("select[name=Covenant]").SelectOptionAsync("gold");
        await page.GetByTestId("create-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("duplicates")).ToContainTextAsync(existing);

        await page.GetByTestId("accept-duplicates").CheckAsync();
        await page.GetByTestId("create-submit").ClickAsync();
        await page.WaitForURLAsync("**/prospects/*");
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Prospect created");
        Assert.Equal(existing.ToUpperInvariant() + " B.V.", (await page.GetByTestId("prospect-name").InnerTextAsync()).Trim());
    }

    [Fact]
    public async Task NewProspect_WithInvalidFields_ShowsEachError()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/prospects/new");
        await page.GetByTestId("org-name").FillAsync("Validation Test Metals");
        await page.Locator("select[name='Organisation.PartyKind']").SelectOptionAsync("company");
        await page.Locator("input[name='Organisation.Sector']").FillAsync("steel");
        await page.Locator("input[name='Organisation.KvkNumber']").FillAsync("123");
        await page.Locator("select[name=Covenant]").SelectOptionAsync("metals");
        await page.GetByTestId("create-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("form-errors")).ToContainTextAsync("A KvK number has 8 digits.");
        Assert.EndsWith("/prospects/new", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LanguageSwitch_ShowsTheUiInDutch_AndTheChoiceSticks()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/board");
        await page.GetByRole(AriaRole.Button, new() { Name = "NL", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Pijplijn");
        await Assertions.Expect(page.Locator("section[data-stage=signed] h2")).ToContainTextAsync("ondertekend");
        await page.GotoAsync("/jobs");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Taken");
    }

    [Fact]
    public async Task SignIn_WithAPassword_RecordsThePersonInTheHistory_AndSignOutEndsIt()
    {
        var access = fixture.App.Services.GetRequiredService<AccessService>();
        var (_, password) = await access.CreateUserAsync("femke", "Femke Visser", Role.Secretariat, default);
        var page = await fixture.NewPageAsync(role: null);
        await page.GotoAsync("/board");
        await page.WaitForURLAsync("**/account/login**");
        await page.GetByTestId("login-user").FillAsync("femke");
        await page.GetByTestId("login-password").FillAsync("not the password");
        await page.GetByTestId("login-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("login-error")).ToContainTextAsync("Wrong user name or password, or the account is locked");

        await page.GetByTestId("login-user").FillAsync("Femke");
        await page.GetByTestId("login-password").FillAsync(password);
        await page.GetByTestId("login-submit").ClickAsync();
        await page.WaitForURLAsync("**/board");
        await Assertions.Expect(page.GetByTestId("signed-in")).ToContainTextAsync("Femke Visser");

        await page.Locator("section[data-stage=intake] [data-testid=card]").First.ClickAsync();
        await page.WaitForURLAsync("**/prospects/*");
        await page.GetByTestId("move-stage").SelectOptionAsync("signing_scheduled");
        await page.GetByTestId("move-reason").FillAsync("Board approved; signing at the steering group");
        await page.GetByTestId("move-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("history-row").First).ToContainTextAsync("Femke Visser");

        await page.GetByTestId("sign-out").ClickAsync();
        await page.WaitForURLAsync("**/account/login");
        await page.GotoAsync("/board");
        await page.WaitForURLAsync("**/account/login**");
    }

    [Fact]
    public async Task AManager_ReadsTheBoardAndProspects_ButGetsNoFormsToChangeThem()
    {
        var page = await fixture.NewPageAsync(Role.Manager);
        await page.GotoAsync("/board");
        await Assertions.Expect(page.GetByTestId("nav-new")).ToHaveCountAsync(0);
        // Follow the first card's link (a click on a busy CI host could land before the board is ready and be lost).
        var href = await page.Locator("[data-testid=card]").First.GetAttributeAsync("href");
        Assert.StartsWith("/prospects/", href, StringComparison.Ordinal);
        await page.GotoAsync(href!);
        await Assertions.Expect(page.GetByTestId("history")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("move-form")).ToHaveCountAsync(0);
        // An API-key caller gets 403 where a signed-in person is sent to the "not allowed" page.
        var response = await page.GotoAsync("/prospects/new");
        Assert.Equal(403, response!.Status);
    }

    [Fact]
    public async Task Covenants_CanBeAdded_WithTheirTerm_AndAreThenOffered()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/covenants");
        await page.Locator("input[name=Code]").FillAsync("Tin Mining");
        await page.Locator("input[name=Name]").FillAsync("Responsible Tin");
        await page.Locator("input[name=StartsOn]").FillAsync("2027-01-01");
        await page.Locator("input[name=EndsOn]").FillAsync("2026-01-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("form-errors")).ToContainTextAsync("lower-case letters");
        await Assertions.Expect(page.GetByTestId("form-errors")).ToContainTextAsync("end date after it");

        await page.Locator("input[name=Code]").FillAsync("tin");
        await page.Locator("input[name=EndsOn]").FillAsync("2031-12-31");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("covenants")).ToContainTextAsync("Responsible Tin");
        await page.GotoAsync("/prospects/new");
        await Assertions.Expect(page.Locator("select[name=Covenant] option[value=tin]")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Contact_CanBeMarkedOptedOut_AndTheProspectPageSaysSince()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/board");
        await page.Locator("section[data-stage=engaged] [data-testid=card]").First.ClickAsync();
        await page.WaitForURLAsync("**/prospects/*");
        var contact = page.Locator("ul.contacts li").First;
        var name = (await contact.Locator("strong").InnerTextAsync()).Trim();
        await contact.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await page.GetByTestId("opted-out").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).Last.ClickAsync();
        await page.WaitForURLAsync("**/prospects/*");
        await Assertions.Expect(page.Locator("ul.contacts li", new() { HasText = name })).ToContainTextAsync("opted out");
    }

    [Fact]
    public async Task Contact_ErasedOnRequest_AfterConfirming_LeavesNoNameBehind()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/board");
        await page.Locator("section[data-stage=declined] [data-testid=card]").First.ClickAsync();
        await page.WaitForURLAsync("**/prospects/*");
        var contact = page.Locator("ul.contacts li").First;
        var name = (await contact.Locator("strong").InnerTextAsync()).Trim();
        await contact.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await page.GetByTestId("lawful-basis").SelectOptionAsync("consent");
        await page.GetByTestId("source").FillAsync("Signed up at the network event");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/prospects/*");
        await page.Locator("ul.contacts li", new() { HasText = name }).GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("source")).ToHaveValueAsync("Signed up at the network event");

        string? asked = null;
        page.Dialog += async (_, dialog) =>
        {
            asked = dialog.Message;
            await dialog.AcceptAsync();
        };
        await page.GetByTestId("contact-erase").ClickAsync();
        await page.WaitForURLAsync("**/prospects/*");
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("erased");
        await Assertions.Expect(page.Locator("ul.contacts")).Not.ToContainTextAsync(name);
        await Assertions.Expect(page.Locator("ul.contacts")).ToContainTextAsync("Erased contact");
        Assert.Equal("Erase this person's data? This cannot be undone.", asked);
    }

    [Fact]
    public async Task JobsPage_RunNow_ShowsTheOutcome()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/jobs");
        var row = page.Locator("tr[data-job=pipeline-hygiene]");
        await Assertions.Expect(row).ToContainTextAsync("working days at 07:00");
        await row.GetByTestId("run-now").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Job queued");
        // The page refreshes itself while the job is queued or running.
        await Assertions.Expect(row.GetByTestId("job-outcome")).ToContainTextAsync("Succeeded", new() { Timeout = 30_000 });
        await Assertions.Expect(row.GetByTestId("job-outcome")).ToContainTextAsync("next actions overdue");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("jobs") });
    }
}
