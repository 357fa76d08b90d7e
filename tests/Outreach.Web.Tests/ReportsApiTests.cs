using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>The conversion report through the real host: the API's JSON and filters, the page, its CSV and the download.</summary>
public sealed class ReportsApiTests : IAsyncLifetime
{
    private const string Year = "from=2025-01-01&to=2025-12-31";
    private readonly OutreachAppFactory factory = new(StorageEngine.Sqlite);

    public async Task InitializeAsync() => await ReportDataSeeder.SeedAsync(factory.Services.GetRequiredService<Database>());

    public async Task DisposeAsync() => await factory.DisposeAsync();

    private async Task<JsonElement> GetJsonAsync(string query, Role role = Role.Manager)
    {
        var response = await factory.CreateClientAs(role).GetAsync("/api/reports/conversion?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static int[] Funnel(JsonElement report) => [.. report.GetProperty("funnel").EnumerateArray().Select(f => f.GetProperty("reached").GetInt32())];

    [Fact]
    public async Task AManager_ReadsTheReport_WithTheHandComputedFigures()
    {
        var report = await GetJsonAsync(Year);
        Assert.Equal([5, 7, 6, 2, 2, 2], Funnel(report));
        Assert.Equal("identified", report.GetProperty("funnel")[0].GetProperty("stage").GetString());
        var overall = report.GetProperty("firstContactToSigned");
        Assert.Equal((2, 7), (overall.GetProperty("count").GetInt32(), overall.GetProperty("of").GetInt32()));
        Assert.Equal(2.0 / 7, overall.GetProperty("rate").GetDouble(), 10);
        Assert.Equal(1, report.GetProperty("reEntries").GetInt32());
        Assert.Equal(146.0, report.GetProperty("timeToSign").GetProperty("medianDays").GetDouble());
        Assert.False(report.GetProperty("events").GetProperty("hasAttendanceData").GetBoolean());
        Assert.Contains("once per stage", report.GetProperty("counting").GetString(), StringComparison.Ordinal);
        Assert.Equal("2025-12-31", report.GetProperty("query").GetProperty("to").GetString());
        var declined = report.GetProperty("exits").EnumerateArray().Single(e => e.GetProperty("stage").GetString() == "declined");
        Assert.Equal(2, declined.GetProperty("prospects").GetInt32());
        Assert.Equal("=Zilver & Co", report.GetProperty("left")[0].GetProperty("organisation").GetString());
    }

    [Theory]
    [InlineData("covenant=metals", new[] { 1, 1, 1, 0, 0, 0 })]
    [InlineData("sector=steel", new[] { 1, 1, 1, 0, 0, 0 })]
    [InlineData("owner=Bram", new[] { 1, 1, 1, 0, 0, 0 })]
    [InlineData("partyKind=branch_organisation", new[] { 0, 1, 1, 0, 0, 0 })]
    [InlineData("covenant=gold&owner=Anne", new[] { 4, 6, 5, 2, 2, 2 })]
    public async Task Filters_NarrowTheFigures(string filter, int[] funnel) =>
        Assert.Equal(funnel, Funnel(await GetJsonAsync($"{Year}&{filter}")));

    [Theory]
    [InlineData("from=2025-13-01", "from")]
    [InlineData("from=2025-02-01&to=2025-01-01", "to")]
    [InlineData("covenant=nope", "covenant")]
    [InlineData("partyKind=alien", "partyKind")]
    public async Task BadFilters_AreRefusedWithTheField(string query, string field)
    {
        var response = await factory.CreateClientAs(Role.Manager).GetAsync("/api/reports/conversion?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WithoutAPeriod_TheLastTwelveMonthsAreShown()
    {
        // The factory's clock stands at 18 November 2026.
        var report = await GetJsonAsync("");
        Assert.Equal("2025-11-19", report.GetProperty("query").GetProperty("from").GetString());
        Assert.Equal("2026-11-18", report.GetProperty("query").GetProperty("to").GetString());
    }

    [Fact]
    public async Task AnAnonymousCaller_IsRefused() =>
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClientAs(null).GetAsync("/api/reports/conversion?" + Year)).StatusCode);

    [Fact]
    public async Task Csv_EscapesFormulaCells_AndKeepsTheFilters()
    {
        var response = await factory.CreateClientAs(Role.Manager).GetAsync($"/reports?handler=Csv&table=left&{Year}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("conversion-left-2025-01-01-2025-12-31.csv", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var lines = System.Text.Encoding.UTF8.GetString(bytes[3..]).Split("\r\n");
        Assert.Equal("Organisation;Covenant;Signed on;Left on;Reason", lines[0]);
        Assert.StartsWith("'=Zilver & Co;gold;", lines[1], StringComparison.Ordinal);

        var funnel = await factory.CreateClientAs(Role.Manager).GetStringAsync($"/reports?handler=Csv&table=funnel&{Year}");
        Assert.Contains("contacted;7", funnel, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClientAs(Role.Manager).GetAsync($"/reports?handler=Csv&table=nope&{Year}")).StatusCode);
    }

    [Fact]
    public async Task ThePage_DrawsThePicturesWithTheirTables_WithoutInlineStyles()
    {
        var response = await factory.CreateClientAs(Role.Manager).GetAsync($"/reports?{Year}&covenant=gold");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"funnel-chart\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"conversion-chart\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"time-to-sign-chart\"", html, StringComparison.Ordinal);
        Assert.Contains("data-table=\"cohorts\"", html, StringComparison.Ordinal);
        Assert.Contains("class=\"shade-", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"no-attendance\"", html, StringComparison.Ordinal);
        // Data is encoded; the strict CSP holds: no style attributes and no inline scripts.
        Assert.Contains("=Zilver &amp; Co", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        // The CSV links keep the filters.
        var csv = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(System.Text.RegularExpressions.Regex.Match(html, "<a [^>]*data-testid=\"csv-funnel\"[^>]*>").Value, "href=\"([^\"]+)\"").Groups[1].Value);
        Assert.Contains("handler=Csv", csv, StringComparison.Ordinal);
        Assert.Contains("covenant=gold", csv, StringComparison.Ordinal);
        Assert.Contains("from=2025-01-01", csv, StringComparison.Ordinal);
        Assert.Contains("to=2025-12-31", csv, StringComparison.Ordinal);
        Assert.Contains("table=funnel", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePage_ShowsBadFilters()
    {
        var html = await factory.CreateClientAs(Role.Manager).GetStringAsync("/reports?from=yesterday");
        Assert.Contains("data-testid=\"report-errors\"", html, StringComparison.Ordinal);
        Assert.Contains("&#x27;yesterday&#x27; is not a date", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDownload_IsOneSelfContainedHtmlFile()
    {
        var response = await factory.CreateClientAs(Role.Manager).GetAsync($"/reports?handler=Download&{Year}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<style>", html, StringComparison.Ordinal);
        Assert.Contains(".shade-10", html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("=Zilver &amp; Co", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
        Assert.Equal(8, System.Text.RegularExpressions.Regex.Count(html, "<table"));
    }
}
