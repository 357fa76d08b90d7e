using System.Text;
using Microsoft.Playwright;

namespace Outreach.Web.BrowserTests;

/// <summary>The CSV import as a secretariat member uses it: check, see the report, import, find the result.</summary>
public sealed class ImportBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Header = "organisation;party_kind;sector;country;kvk_number;website;owner;covenant;stage;contact_name;contact_email;contact_language;contact_role";

    private static FilePayload Csv(params string[] rows) => new()
    {
        Name = "prospects.csv",
        MimeType = "text/csv",
        Buffer = Encoding.UTF8.GetBytes(string.Join("\n", [Header, .. rows]) + "\n"),
    };

    [Fact]
    public async Task AFileWithAnInvalidRow_ImportsNothing_UntilTheValidRowsAreAskedFor()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/import");
        var file = Csv(
            "Zilverstad Edelmetaal B.V.;company;refining;NL;87654321;zilverstad.example;Anne de Vries;gold;contacted;Iris de Boer;iris@zilverstad.example;nl;CSR lead",
            "=cmd|' /C calc'!A0;company;refining;NL;1234;;Anne de Vries;gold;;;;;");
        await page.GetByTestId("import-file").SetInputFilesAsync(file);
        await page.GetByTestId("import-submit").ClickAsync();

        await Assertions.Expect(page.GetByTestId("import-result")).ToContainTextAsync("1 of 2 rows are invalid, so nothing was imported");
        var bad = page.Locator("[data-testid=import-row][data-row='3']");
        await Assertions.Expect(bad).ToContainTextAsync("kvk_number: A KvK number has 8 digits.");
        await page.GotoAsync("/board?q=Zilverstad");
        await Assertions.Expect(page.Locator("[data-testid=card]")).ToHaveCountAsync(0);

        await page.GotoAsync("/import");
        await page.GetByTestId("import-file").SetInputFilesAsync(file);
        await page.GetByTestId("import-valid-only").CheckAsync();
        await page.GetByTestId("import-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-result")).ToContainTextAsync("Imported: 1 organisations, 1 contacts, 1 pipeline entries.");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("import"), FullPage = true });

        await page.GotoAsync("/board?q=Zilverstad");
        await Assertions.Expect(page.Locator("section[data-stage=contacted] [data-testid=card]")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task CheckingAFile_ReportsDuplicatesOfExistingOrganisations_AndWritesNothing()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/board");
        var existing = (await page.Locator("[data-testid=card] strong").First.InnerTextAsync()).Trim();
        await page.GotoAsync("/import");
        await page.GetByTestId("import-file").SetInputFilesAsync(Csv($"{existing.ToLowerInvariant()};company;steel;NL;;;Bram Jansen;metals;;;;;"));
        await page.GetByTestId("import-check").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-summary")).ToContainTextAsync("1 rows: 0 ready, 0 invalid, 1 duplicates.");
        await Assertions.Expect(page.Locator("[data-testid=import-row][data-row='2']")).ToContainTextAsync(existing);
    }

    [Fact]
    public async Task ALargeFile_ShowsAProgressIndicator_WhileItIsChecked()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/import");
        var rows = Enumerable.Range(0, 30_000).Select(i => $"Progress Metals {i};company;steel;NL;;progress{i}.example;Daan Visser;metals;;;;;").ToArray();
        await page.GetByTestId("import-file").SetInputFilesAsync(Csv(rows));
        await page.GetByTestId("import-check").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-progress")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("import-summary")).ToContainTextAsync("30000 rows: 30000 ready", new() { Timeout = 60_000 });
    }

    [Fact]
    public async Task Export_EscapesCellsThatWouldRunAsFormulas()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/import");
        await page.GetByTestId("import-file").SetInputFilesAsync(Csv("@SUM(1+1) Trading;company;metals trade;NL;;;Claire Smit;metals;;;;;"));
        await page.GetByTestId("import-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-result")).ToContainTextAsync("Imported: 1 organisations");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export").ClickAsync());
        var text = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Contains("'@SUM(1+1) Trading", text, StringComparison.Ordinal);
        Assert.DoesNotContain(";@SUM", text, StringComparison.Ordinal);
        Assert.DoesNotContain(text.Split('\n'), l => l.StartsWith("@SUM", StringComparison.Ordinal));
    }
}
