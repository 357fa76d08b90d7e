using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outreach.Core.Access;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;
using Outreach.Web.Access;

namespace Outreach.Web.BrowserTests;

/// <summary>A manager opens the conversion report in a real browser: the pictures render and the filters land in the URL.</summary>
public sealed class ReportsBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task AManager_OpensTheReport_FiltersIt_AndTheFiltersAreInTheUrl()
    {
        var page = await fixture.NewPageAsync(Role.Manager);
        await page.GotoAsync("/board");
        await page.GetByTestId("nav-reports").ClickAsync();
        await page.WaitForURLAsync("**/reports");

        // The funnel has a bar per main-line stage, and the demo history gives the first stage some prospects.
        var funnel = page.GetByTestId("funnel-chart");
        await Assertions.Expect(funnel.Locator("rect")).ToHaveCountAsync(6);
        var identified = await page.Locator("table[data-table=funnel] tbody tr").First.Locator("td").InnerTextAsync();
        Assert.True(int.Parse(identified.Trim(), System.Globalization.CultureInfo.InvariantCulture) > 0, $"identified: {identified}");
        await Assertions.Expect(page.GetByTestId("no-attendance")).ToBeVisibleAsync();

        await page.GetByTestId("report-from").FillAsync("2024-01-01");
        await page.GetByTestId("report-to").FillAsync("2024-12-31");
        var covenant = await page.GetByTestId("report-covenant").Locator("option").Nth(1).GetAttributeAsync("value");
        await page.GetByTestId("report-covenant").SelectOptionAsync(covenant!);
        await page.GetByTestId("report-apply").ClickAsync();
        await page.WaitForURLAsync("**/reports?*");
        Assert.Contains("from=2024-01-01", page.Url, StringComparison.Ordinal);
        Assert.Contains("to=2024-12-31", page.Url, StringComparison.Ordinal);
        Assert.Contains("covenant=" + covenant, page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByTestId("report-from")).ToHaveValueAsync("2024-01-01");
        await Assertions.Expect(page.GetByTestId("funnel-chart").Locator("rect")).ToHaveCountAsync(6);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("reports"), FullPage = true });

        // Opening the shared URL afresh shows the same view.
        var shared = await fixture.NewPageAsync(Role.Manager);
        await shared.GotoAsync(page.Url);
        await Assertions.Expect(shared.GetByTestId("report-to")).ToHaveValueAsync("2024-12-31");
    }

    /// <summary>Issue 16 items 11 and 12: the cohort funnel by default, presets with the comparison, the other funnel, the .xlsx.</summary>
    [Fact]
    public async Task AManager_ReadsTheCohortFunnel_PicksAPreset_Compares_AndDownloadsTheWorkbook()
    {
        var page = await fixture.NewPageAsync(Role.Manager);
        await page.GotoAsync("/reports");
        await Assertions.Expect(page.GetByTestId("funnel-rule")).ToContainTextAsync("Cohort funnel");
        // The cohort funnel never widens: each stage's figure is at most the one above it.
        var figures = (await page.Locator("table[data-table=funnel] tbody td").AllInnerTextsAsync())
            .Select(t => int.Parse(t.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(6, figures.Count);
        for (var i = 1; i < figures.Count; i++) Assert.True(figures[i] <= figures[i - 1], string.Join(",", figures));

        await page.GetByTestId("preset-last-quarter").ClickAsync();
        await page.WaitForURLAsync("**period=last-quarter*");
        await page.GetByTestId("report-compare").CheckAsync();
        await page.GetByTestId("report-funnel-kind").SelectOptionAsync("period");
        await page.GetByTestId("report-apply").ClickAsync();
        await page.WaitForURLAsync("**compare=true*");
        Assert.Contains("funnel=period", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByTestId("previous-period")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("previous-first-contacts")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("funnel-rule")).ToContainTextAsync("Period funnel");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("report-xlsx").ClickAsync());
        Assert.EndsWith("-all-covenants-period-funnel.xlsx", download.SuggestedFilename, StringComparison.Ordinal);
        var path = await download.PathAsync();
        var bytes = await File.ReadAllBytesAsync(path!);
        Assert.Equal((byte)'P', bytes[0]); // a zip: the .xlsx container
        Assert.Equal((byte)'K', bytes[1]);
    }

    /// <summary>Issue 16 item 12: two covenants at once, and a figure followed to the list of exactly the prospects behind it.</summary>
    [Fact]
    public async Task AManager_ReadsTwoCovenantsAtOnce_AndFollowsAFigureToTheProspectsBehindIt()
    {
        var page = await fixture.NewPageAsync(Role.Manager);
        await page.GotoAsync("/reports?from=2023-01-01&to=2026-11-18");
        var options = page.GetByTestId("report-covenant").Locator("option");
        var codes = new List<string>();
        var names = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            codes.Add((await options.Nth(i).GetAttributeAsync("value"))!);
            names.Add((await options.Nth(i).InnerTextAsync()).Trim());
        }

        await page.GetByTestId("report-covenant").SelectOptionAsync(codes.ToArray());
        await page.GetByTestId("report-apply").ClickAsync();
        await page.WaitForURLAsync("**covenant=*");
        foreach (var code in codes) Assert.Contains(code, page.Url, StringComparison.Ordinal);
        foreach (var name in names) await Assertions.Expect(page.GetByTestId("report-period")).ToContainTextAsync(name);

        // The first figure above zero, as the manager sees it, followed by a click.
        var links = page.Locator("a[data-figure]");
        await Assertions.Expect(links.First).ToBeVisibleAsync();
        ILocator? link = null;
        var shown = 0;
        for (var i = 0; i < await links.CountAsync() && link is null; i++)
        {
            if (int.TryParse((await links.Nth(i).InnerTextAsync()).Trim(), System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 && await links.Nth(i).IsVisibleAsync())
                (link, shown) = (links.Nth(i), n);
        }

        Assert.NotNull(link);
        await link.ClickAsync();
        await page.WaitForURLAsync("**/prospects?*figure=*");
        await Assertions.Expect(page.GetByTestId("list-figure")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("list-total")).ToHaveTextAsync(shown.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var rows = page.GetByTestId("list-row");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        // Each prospect listed belongs to one of the two covenants chosen.
        foreach (var covenant in await page.Locator("[data-testid=list-row] td[data-column=covenant]").AllInnerTextsAsync())
            Assert.Contains(covenant.Trim(), codes);
    }

    /// <summary>Issue 16 item 12: a manager subscribes themselves to the weekly mail from the report, and can stop it again.</summary>
    [Fact]
    public async Task AManager_SubscribesThemselvesToTheWeeklyMail_FromTheReport_AndStopsIt()
    {
        var services = fixture.App.Services;
        var (_, password) = await services.GetRequiredService<AccessService>().CreateUserAsync("marieke", "Marieke Bos", Role.Manager, default);
        var page = await fixture.NewPageAsync(role: null);
        await page.GotoAsync("/account/login");
        await page.GetByTestId("login-user").FillAsync("marieke");
        await page.GetByTestId("login-password").FillAsync(password);
        await page.GetByTestId("login-submit").ClickAsync();
        await page.WaitForURLAsync("**/board");

        await page.GetByTestId("nav-reports").ClickAsync();
        await page.WaitForURLAsync("**/reports");
        await page.GetByTestId("weekly-mail-link").ClickAsync();
        await page.WaitForURLAsync("**/reports/weekly-mail");
        await Assertions.Expect(page.GetByTestId("weekly-state")).ToContainTextAsync("You do not receive the weekly report.");
        await page.GetByTestId("weekly-address").FillAsync("marieke.bos@ministerie.example");
        await page.GetByTestId("weekly-language").SelectOptionAsync("nl");
        await page.GetByTestId("weekly-subscribe").ClickAsync();

        await Assertions.Expect(page.GetByTestId("weekly-done")).ToContainTextAsync("You will receive the weekly report.");
        await Assertions.Expect(page.GetByTestId("weekly-state")).ToContainTextAsync("marieke.bos@ministerie.example");
        var subscribers = services.GetRequiredService<IWeeklyReportSubscribers>();
        // Kept under the account ("marieke"), not the display name an administrator can change or two people can share.
        var subscription = await subscribers.GetAsync("marieke", default);
        Assert.Equal("marieke.bos@ministerie.example", subscription?.Address);
        Assert.Equal(ContactLanguage.Nl, subscription?.Language);
        Assert.Contains(await subscribers.ListAsync(default), s => s.Address == "marieke.bos@ministerie.example");

        await page.GetByTestId("weekly-unsubscribe").ClickAsync();
        await Assertions.Expect(page.GetByTestId("weekly-done")).ToContainTextAsync("You will no longer receive the weekly report.");
        await Assertions.Expect(page.GetByTestId("weekly-state")).ToContainTextAsync("You do not receive the weekly report.");
        Assert.Null(await subscribers.GetAsync("marieke", default));
    }
}
