using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;
using Outreach.Core.Access;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>
/// Issue 16 items 11 and 12 through the real host, on the hand-built data set: the cohort funnel by default, period
/// presets with the previous period, several covenants, whole-day medians, CSVs for Dutch Excel, file names that carry
/// the filters and the .xlsx workbook. The factory's clock stands at 18 November 2026 (Amsterdam).
/// </summary>
public sealed class ReportsManagerTests : IAsyncLifetime
{
    private const string Year = "from=2025-01-01&to=2025-12-31";
    private readonly OutreachAppFactory factory = new(StorageEngine.Sqlite);

    public async Task InitializeAsync() => await ReportDataSeeder.SeedAsync(factory.Services.GetRequiredService<Database>());

    public async Task DisposeAsync() => await factory.DisposeAsync();

    private Task<string> PageAsync(string query) => factory.CreateClientAs(Role.Manager).GetStringAsync("/reports?" + query);

    /// <summary>The figures of the page's funnel table, top to bottom.</summary>
    private static int[] FunnelOnPage(string html)
    {
        var start = html.IndexOf("data-table=\"funnel\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "no funnel table");
        var table = html[start..html.IndexOf("</table>", start, StringComparison.Ordinal)];
        return [.. Regex.Matches(table, "<td>(?:<a [^>]*>)?([0-9]+)(?:</a>)?</td>").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];
    }

    private async Task<JsonElement> JsonAsync(string query)
    {
        var response = await factory.CreateClientAs(Role.Manager).GetAsync("/api/reports/conversion?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static int[] Funnel(JsonElement report, string property = "funnel") => [.. report.GetProperty(property).EnumerateArray().Select(f => f.GetProperty("reached").GetInt32())];

    [Fact]
    public async Task ThePage_ShowsTheCohortFunnelByDefault_WhichCannotWiden_AndSaysSo()
    {
        // The finding: the period funnel of 2025 reads identified 5 < contacted 7. The cohort (first contacted in 2025,
        // followed to today) is A, B, C, D, E, G, H: 7, 7, engaged 6, and A, B, G went on to intake and signed: 3.
        var html = await PageAsync(Year);
        var funnel = FunnelOnPage(html);
        Assert.Equal([7, 7, 6, 3, 3, 3], funnel);
        for (var i = 1; i < funnel.Length; i++) Assert.True(funnel[i] <= funnel[i - 1], string.Join(",", funnel));
        Assert.Contains("data-testid=\"funnel-rule\"", html, StringComparison.Ordinal);
        Assert.Contains("Cohort funnel: prospects first contacted in the period, followed to today", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePeriodFunnel_StaysSelectable_AndTheApiCarriesBoth()
    {
        var html = await PageAsync(Year + "&funnel=period");
        Assert.Equal([5, 7, 6, 2, 2, 2], FunnelOnPage(html));
        Assert.Contains("Period funnel: prospects that first reached each stage in the period", html, StringComparison.Ordinal);
        var report = await JsonAsync(Year);
        Assert.Equal([5, 7, 6, 2, 2, 2], Funnel(report));
        Assert.Equal([7, 7, 6, 3, 3, 3], Funnel(report, "cohortFunnel"));
    }

    [Theory]
    [InlineData("this-year", "2026-01-01", "2026-11-18")]
    [InlineData("last-quarter", "2026-07-01", "2026-09-30")]
    [InlineData("last-12-months", "2025-11-19", "2026-11-18")]
    public async Task APreset_SetsThePeriod_InAmsterdamDays(string preset, string from, string to)
    {
        var query = (await JsonAsync("period=" + preset)).GetProperty("query");
        Assert.Equal((from, to), (query.GetProperty("from").GetString(), query.GetProperty("to").GetString()));
    }

    [Fact]
    public async Task TheComparison_ShowsThePreviousPeriodsFigures()
    {
        // 2026 so far against 1 January – 18 November 2025: first contacts then were A, B, C, D, E, G (H is metals… and
        // also first contacted in 2025, on 15 March): 7; in 2026 nobody was first contacted.
        var html = await PageAsync("period=this-year&compare=true");
        Assert.Contains("data-testid=\"previous-period\"", html, StringComparison.Ordinal);
        Assert.Contains("1 Jan 2025 – 18 Nov 2025", System.Net.WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        var firstContacts = Regex.Match(html, "data-testid=\"previous-first-contacts\">([^<]*)</span>").Groups[1].Value;
        Assert.Contains(": 7 (−7)", System.Net.WebUtility.HtmlDecode(firstContacts), StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"previous-period\"", await PageAsync("period=this-year"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralCovenants_AtOnce_CountTheirProspectsTogether()
    {
        var gold = Funnel(await JsonAsync(Year + "&covenant=gold"), "cohortFunnel");
        var metals = Funnel(await JsonAsync(Year + "&covenant=metals"), "cohortFunnel");
        var both = Funnel(await JsonAsync(Year + "&covenant=gold&covenant=metals"), "cohortFunnel");
        Assert.Equal(gold.Zip(metals, (a, b) => a + b), both);
        Assert.Equal(both, Funnel(await JsonAsync(Year + "&covenant=gold,metals"), "cohortFunnel"));
        Assert.Equal([6, 6, 5, 3, 3, 3], gold);
        // The page selects both, and its links carry both.
        var html = await PageAsync(Year + "&covenant=gold&covenant=metals");
        Assert.Equal([7, 7, 6, 3, 3, 3], FunnelOnPage(html));
        // The page's own links keep both covenants (a comma needs no encoding in a query).
        Assert.Matches("href=\"/reports\\?covenant=(gold,metals|metals,gold)&amp;", html);
    }

    [Fact]
    public async Task Csv_IsForDutchExcel_WithWholeDays_AndItsNameCarriesTheFilters()
    {
        // English page, Dutch numbers: contacted → engaged 6 of 7 = 85.7 % is written 85,7; the median of first contact
        // → signed (A 120, B 172 days) is 146 whole days.
        var response = await factory.CreateClientAs(Role.Manager).GetAsync($"/reports?handler=Csv&table=conversion&{Year}&covenant=gold,metals&owner=Anne&funnel=period");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("conversion-conversion-2025-01-01-2025-12-31-gold+metals-owner-anne-period-funnel.csv", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var csv = System.Text.Encoding.UTF8.GetString(bytes[3..]);
        Assert.Contains("contacted;engaged;5;6;83,3\r\n", csv, StringComparison.Ordinal);

        var durations = await factory.CreateClientAs(Role.Manager).GetStringAsync($"/reports?handler=Csv&table=durations&{Year}");
        Assert.Contains("first contact;signed;2;146;159\r\n", durations, StringComparison.Ordinal);
        // On the page too, medians are whole days (identified → contacted: 23).
        // The prospects counted link to their list (issue 16 item 12): the figure is the link's text.
        Assert.Contains("\">6</a></td><td>23</td><td>31</td>", await PageAsync(Year), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheXlsx_HoldsTheWholeReport_WithFiguresAsNumbers()
    {
        var response = await factory.CreateClientAs(Role.Manager).GetAsync($"/reports?handler=Xlsx&{Year}&covenant=gold");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("conversion-report-2025-01-01-2025-12-31-gold-cohort.xlsx", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        using var file = new MemoryStream(await response.Content.ReadAsByteArrayAsync());

        var sheets = MiniExcel.GetSheetNames(file);
        Assert.Equal(["Report", "funnel", "conversion", "durations", "time-to-sign", "cohorts", "events", "event-follow-through", "host-follow-through", "exits", "left"], sheets);
        file.Position = 0;
        var funnel = MiniExcel.Query(file, useHeaderRow: true, sheetName: "funnel").Cast<IDictionary<string, object>>().ToList();
        Assert.Equal("identified", funnel[0]["Stage"]);
        Assert.Equal([6.0, 6.0, 5.0, 3.0, 3.0, 3.0], funnel.Select(r => Assert.IsType<double>(r["Prospects"])));
        file.Position = 0;
        var left = MiniExcel.Query(file, useHeaderRow: true, sheetName: "left").Cast<IDictionary<string, object>>().Single();
        // Text stays text, never a formula.
        Assert.Equal("=Zilver & Co", left["Organisation"]);
    }
}
