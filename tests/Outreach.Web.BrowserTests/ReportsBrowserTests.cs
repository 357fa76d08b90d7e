using Microsoft.Playwright;
using Outreach.Core.Access;

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
}
