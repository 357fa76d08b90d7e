using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using Outreach.Core.Access;

namespace Outreach.Web.BrowserTests;

/// <summary>
/// Issue 16 (4, 5) as a secretariat member and a manager meet them: an existing pipeline imported with its dates reads
/// right in the report (and can be left out), and every prospect can be listed, sorted, paged and exported.
/// </summary>
public sealed class PipelineImportAndListBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task AnExistingPipeline_ImportedWithItsDates_CountsOnThoseDates_AndCanBeLeftOutOfTheReport()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/import");
        await page.GetByTestId("import-file").SetInputFilesAsync(new FilePayload
        {
            Name = "pipeline.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(string.Join("\n",
                "organisation;party_kind;sector;owner;covenant;stage;first_contact_on;stage_on",
                "Oudgoud Signed B.V.;company;refining;Isa Import;gold;signed;2019-02-10;2019-09-01",
                "Oudgoud Engaged B.V.;company;refining;Isa Import;gold;engaged;05-05-2019;2019-06-01") + "\n"),
        });
        await page.GetByTestId("import-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-result")).ToContainTextAsync("Imported: 2 organisations");

        await page.GotoAsync("/board?owner=" + Uri.EscapeDataString("Isa Import"));
        await Assertions.Expect(page.Locator("section[data-stage=signed] [data-testid=card]")).ToHaveCountAsync(1);

        var manager = await fixture.NewPageAsync(Role.Manager);
        await manager.GotoAsync("/reports?from=2019-01-01&to=2019-12-31&owner=" + Uri.EscapeDataString("Isa Import"));
        var funnel = manager.Locator("table[data-table=funnel] tbody tr");
        // Contacted (row 2) by both in 2019, signed (row 6) by one: the imported dates, not the day of the import.
        await Assertions.Expect(funnel.Nth(1).Locator("td").First).ToHaveTextAsync("2");
        await Assertions.Expect(funnel.Nth(5).Locator("td").First).ToHaveTextAsync("1");

        await manager.GetByTestId("report-exclude-imported").CheckAsync();
        await manager.GetByTestId("report-apply").ClickAsync();
        await manager.WaitForURLAsync("**excludeImported=true**");
        await Assertions.Expect(manager.GetByTestId("report-exclude-imported")).ToBeCheckedAsync();
        await Assertions.Expect(funnel.Nth(1).Locator("td").First).ToHaveTextAsync("0");
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("report-without-imported"), FullPage = true });
    }

    [Fact]
    public async Task TheList_ShowsEveryProspect_SortsPagesChoosesColumns_AndExportsExactlyThat()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/board");
        var boardTotal = (await page.GetByTestId("board-total").InnerTextAsync()).Trim();
        await page.GetByTestId("board-list").ClickAsync();
        await page.WaitForURLAsync("**/prospects?*");
        await Assertions.Expect(page.GetByTestId("list-total")).ToHaveTextAsync(boardTotal);

        // 25 a page, sorted by name descending, with the sector column instead of the owner.
        await page.GetByTestId("list-size").SelectOptionAsync("25");
        await page.GetByTestId("list-columns").Locator("summary").ClickAsync();
        await page.GetByTestId("col-owner").UncheckAsync();
        await page.GetByTestId("col-sector").CheckAsync();
        await page.GetByTestId("list-apply").ClickAsync();
        // The applied page has the sector column; its name heading (sorted by name, ascending by default) sorts descending.
        await Assertions.Expect(page.Locator("table[data-testid=list] thead th[data-column=sector]")).ToBeVisibleAsync();
        await page.GetByTestId("sort-name").ClickAsync();
        await page.WaitForURLAsync("**desc=true**");

        var rows = page.GetByTestId("list-row");
        var total = int.Parse(boardTotal, CultureInfo.InvariantCulture);
        await Assertions.Expect(rows).ToHaveCountAsync(Math.Min(25, total));
        var headings = (await page.Locator("table[data-testid=list] thead th").AllInnerTextsAsync()).Select(h => h.Trim().TrimEnd('▲', '▼').Trim()).ToList();
        Assert.Contains("Sector", headings);
        Assert.DoesNotContain("Owner", headings);
        var names = (await page.Locator("[data-testid=list-row] td[data-column=organisation]").AllInnerTextsAsync()).Select(n => n.Trim()).ToList();
        Assert.Equal(names.OrderByDescending(n => n, StringComparer.Create(CultureInfo.InvariantCulture, CompareOptions.IgnoreCase | CompareOptions.IgnoreNonSpace)).ToList(), names);

        if (total > 25)
        {
            await page.GetByTestId("list-next").ClickAsync();
            await Assertions.Expect(page.GetByTestId("list-page")).ToContainTextAsync("2");
            var second = (await page.Locator("[data-testid=list-row] td[data-column=organisation]").AllInnerTextsAsync()).Select(n => n.Trim()).ToList();
            // The second page goes on where the first stopped (an organisation in two covenants is two rows with one name).
            var byName = StringComparer.Create(CultureInfo.InvariantCulture, CompareOptions.IgnoreCase | CompareOptions.IgnoreNonSpace);
            Assert.True(byName.Compare(second[0], names[^1]) <= 0, $"page 2 starts with {second[0]}, page 1 ended with {names[^1]}");
            Assert.Equal(second.OrderByDescending(n => n, byName).ToList(), second);
            await page.GetByTestId("list-previous").ClickAsync();
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("prospect-list"), FullPage = true });

        // The export: the same columns and order, every page.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("list-export").ClickAsync());
        var lines = (await File.ReadAllTextAsync(await download.PathAsync())).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(";", headings), lines[0]);
        Assert.Equal(total, lines.Length - 1);
        Assert.Equal(names, lines.Skip(1).Take(names.Count).Select(l => l.Split(';')[0].Trim('"')).ToList());

        // Search ignores case and accents: the first name, shouted, finds that prospect.
        await page.GetByTestId("list-search").FillAsync(names[0].ToUpperInvariant());
        await page.GetByTestId("list-apply").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=list-row] td[data-column=organisation]").First).ToHaveTextAsync(names[0]);
    }
}
