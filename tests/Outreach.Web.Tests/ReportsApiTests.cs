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
    private IReadOnlyDictionary<string, long> entries = new Dictionary<string, long>();

    public async Task InitializeAsync() => entries = await ReportDataSeeder.SeedAsync(factory.Services.GetRequiredService<Database>());

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
        Assert.False(report.GetProperty("eventFollowThrough").GetProperty("hasAttendanceData").GetBoolean());
        Assert.Equal(0, report.GetProperty("eventFollowThrough").GetProperty("events").GetArrayLength());
        Assert.Contains("once per stage", report.GetProperty("counting").GetString(), StringComparison.Ordinal);
        Assert.Equal("2025-12-31", report.GetProperty("query").GetProperty("to").GetString());
        var declined = report.GetProperty("exits").EnumerateArray().Single(e => e.GetProperty("stage").GetString() == "declined");
        Assert.Equal(2, declined.GetProperty("prospects").GetInt32());
        Assert.Equal("=Zilver & Co", report.GetProperty("left")[0].GetProperty("organisation").GetString());
    }

    /// <summary>
    /// Attendance on the data set: "Goud &lt;dag&gt;" (1 February 2025 14:00, hosted by "Fairphone &lt;Host&gt; &amp; Co"),
    /// two contacts of Alpha and one of Gamma checked in; "Zilverwebinar" (5 June 2025 10:00, no host), Beta online
    /// and Delta at the door.
    /// </summary>
    private async Task RecordAttendanceAsync()
    {
        var db = factory.Services.GetRequiredService<Database>();
        var prospects = new SqlProspectStore(db, factory.Clock);
        var pipeline = new SqlPipelineStore(db, factory.Clock);
        var events = new SqlEventStore(db);
        var gold = (await prospects.ListCovenantsAsync(default)).Single(c => c.Code == "gold");
        var host = await prospects.AddOrganisationAsync(Core.Prospects.Validation.Clean(new Core.Prospects.OrganisationDraft { Name = "Fairphone <Host> & Co", Sector = "electronics", Owner = "Anne", Country = "NL" }), default);
        async Task<Core.Prospects.Contact> ContactAsync(string organisation, string name) =>
            await prospects.AddContactAsync((await pipeline.GetEntryAsync(entries[organisation], default))!.OrganisationId,
                new Core.Prospects.ContactDraft { Name = name, Email = $"{Guid.NewGuid():N}@example.nl" }, default);
        async Task EventAsync(string title, long? hostId, DateTime startLocal, Core.Events.EventFormat format, params Core.Prospects.Contact[] attendees)
        {
            var now = new DateTimeOffset(2025, 1, 2, 9, 0, 0, TimeSpan.Zero);
            var e = await events.AddEventAsync(Core.Events.EventRules.Create(new Core.Events.NetworkEventDraft
            {
                Title = title, CovenantId = gold.Id, HostOrganisationId = hostId, Format = format, Venue = "Utrecht", OnlineJoinUrl = "https://teams.example/meet/9",
                StartLocal = startLocal, EndLocal = startLocal.AddHours(2), Capacity = 20, RegistrationDeadlineLocal = startLocal.AddDays(-1), DescriptionNl = "Welkom", DescriptionEn = "Welcome",
            }, "evt-" + Guid.NewGuid().ToString("N") + "@outreach.test", now), default);
            var (stored, invited) = await events.ApplyAsync(new Core.Events.EventChange(e, e.Version,
                attendees.Select(a => new Core.Events.Invitation { EventId = e.Id, ContactId = a.Id, InvitedAt = now }).ToList(), "invited", now), default);
            var after = stored.StartsAt.AddHours(1);
            var attended = invited.Select((i, n) => n == 0 && format == Core.Events.EventFormat.Online ? i with { AttendedOnline = true } : i with { CheckedInAt = after }).ToList();
            await events.ApplyAsync(new Core.Events.EventChange(stored, stored.Version, attended, "attended", after), default);
        }

        await EventAsync("Goud <dag>", host.Id, new DateTime(2025, 2, 1, 14, 0, 0), Core.Events.EventFormat.Physical,
            await ContactAsync("Alpha Goud B.V.", "Anna"), await ContactAsync("Alpha Goud B.V.", "Aart"), await ContactAsync("Gamma Edelsmeden", "Gert"));
        await EventAsync("Zilverwebinar", null, new DateTime(2025, 6, 5, 10, 0, 0), Core.Events.EventFormat.Online,
            await ContactAsync("Beta Juwelen", "Bea"), await ContactAsync("Delta Zilver", "Dirk"));
    }

    private static int[] Reached(JsonElement row) => [.. row.GetProperty("reached").EnumerateArray().Select(r => r.GetProperty("organisations").GetInt32())];

    private static (int Count, int Of) WentOn(JsonElement row) => (row.GetProperty("wentOn").GetProperty("count").GetInt32(), row.GetProperty("wentOn").GetProperty("of").GetInt32());

    [Fact]
    public async Task WithAttendance_TheFollowThroughCreditsTheEventAndHostThatPrecededTheNextStage()
    {
        await RecordAttendanceAsync();
        var report = await GetJsonAsync(Year);
        var f = report.GetProperty("eventFollowThrough");
        Assert.True(f.GetProperty("hasAttendanceData").GetBoolean());
        Assert.Equal(90, f.GetProperty("windowDays").GetInt32());
        Assert.Contains("at most 90 days", f.GetProperty("counting").GetString(), StringComparison.Ordinal);
        var events = f.GetProperty("events");
        Assert.Equal(["Goud <dag>", "Zilverwebinar"], events.EnumerateArray().Select(e => e.GetProperty("title").GetString()));
        // Goud <dag> (1 Feb): Alpha (two contacts, once) engaged 9 Feb, intake 11 Mar, signing scheduled 10 Apr (68 days);
        // signed 10 May is 98 days on, outside the window. Gamma contacted 15 Feb and engaged 1 Mar. 2 of 2.
        var goud = events[0];
        Assert.Equal((2, 2), WentOn(goud));
        Assert.Equal([1, 2, 1, 1, 0], Reached(goud));
        Assert.Equal("Fairphone <Host> & Co", goud.GetProperty("hostName").GetString());
        Assert.Equal("contacted", goud.GetProperty("reached")[0].GetProperty("stage").GetString());
        // Zilverwebinar (5 Jun): Beta engaged 11 Jun, then intake, signing scheduled, signed 11 Jul; Delta declined
        // before it. 1 of 2.
        var webinar = events[1];
        Assert.Equal((1, 2), WentOn(webinar));
        Assert.Equal([0, 1, 1, 1, 1], Reached(webinar));
        Assert.Equal(JsonValueKind.Null, webinar.GetProperty("hostName").ValueKind);
        var hosts = f.GetProperty("hosts");
        Assert.Equal(2, hosts.GetArrayLength());
        Assert.Equal(("Fairphone <Host> & Co", 1, (2, 2)), (hosts[0].GetProperty("hostName").GetString(), hosts[0].GetProperty("events").GetInt32(), WentOn(hosts[0])));
        Assert.Equal((JsonValueKind.Null, 1, (1, 2)), (hosts[1].GetProperty("hostName").ValueKind, hosts[1].GetProperty("events").GetInt32(), WentOn(hosts[1])));
        // The event effect reads the same attendance: Alpha, Beta, Gamma, Delta attended; Alpha and Beta signed.
        Assert.Equal((2, 4), (report.GetProperty("events").GetProperty("attended").GetProperty("count").GetInt32(), report.GetProperty("events").GetProperty("attended").GetProperty("of").GetInt32()));
        // The events are gold's: none under metals, and a period before them lists none (but has data).
        var metals = (await GetJsonAsync($"{Year}&covenant=metals")).GetProperty("eventFollowThrough");
        Assert.Equal((true, 0), (metals.GetProperty("hasAttendanceData").GetBoolean(), metals.GetProperty("events").GetArrayLength()));
        Assert.Equal(1, (await GetJsonAsync("from=2025-01-01&to=2025-03-31")).GetProperty("eventFollowThrough").GetProperty("events").GetArrayLength());

        // The page: both tables with the same figures, HTML-encoded, and the rule; in Dutch with the culture cookie.
        var html = await factory.CreateClientAs(Role.Manager).GetStringAsync($"/reports?{Year}");
        // Every count links to the list behind it (ReportFigureDemoLinkTests follows them); the cells read the same without the links.
        Assert.Contains("data-figure=\"event-attendees:", Section(html, "event-follow-through"), StringComparison.Ordinal);
        Assert.Contains("data-figure=\"host-reached:none:engaged\"", Section(html, "host-follow-through"), StringComparison.Ordinal);
        var perEvent = Unlinked(Section(html, "event-follow-through"));
        Assert.Contains("<th scope=\"row\">Goud &lt;dag&gt;</th>", perEvent, StringComparison.Ordinal);
        Assert.Contains("<td>Fairphone &lt;Host&gt; &amp; Co</td><td>2</td><td>2</td><td>100.0 %</td><td>1</td><td>2</td><td>1</td><td>1</td><td>0</td>", perEvent, StringComparison.Ordinal);
        Assert.Contains("<td>no host</td><td>2</td><td>1</td><td>50.0 %</td><td>0</td><td>1</td><td>1</td><td>1</td><td>1</td>", perEvent, StringComparison.Ordinal);
        var perHost = Unlinked(Section(html, "host-follow-through"));
        Assert.Contains("<th scope=\"row\">Fairphone &lt;Host&gt; &amp; Co</th><td>1</td><td>2</td><td>2</td><td>100.0 %</td>", perHost, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">no host</th><td>1</td><td>2</td><td>1</td><td>50.0 %</td>", perHost, StringComparison.Ordinal);
        Assert.DoesNotContain("Goud <dag>", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"follow-through-rule\"", html, StringComparison.Ordinal);

        var request = new HttpRequestMessage(HttpMethod.Get, $"/reports?{Year}");
        request.Headers.Add("Cookie", ".AspNetCore.Culture=c%3Dnl%7Cuic%3Dnl");
        var dutch = await (await factory.CreateClientAs(Role.Manager).SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains("Gastpartijen: wiens bijeenkomsten gingen aan de volgende fase vooraf", dutch, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">zonder gastpartij</th><td>1</td><td>2</td><td>1</td><td>50,0 %</td>", Unlinked(Section(dutch, "host-follow-through")), StringComparison.Ordinal);
        Assert.Contains("hooguit 90 dagen", dutch, StringComparison.Ordinal);

        // The per-event table downloads as CSV like the others.
        var csv = await factory.CreateClientAs(Role.Manager).GetStringAsync($"/reports?handler=Csv&table=event-follow-through&{Year}");
        Assert.Contains("Zilverwebinar;", csv, StringComparison.Ordinal);
    }

    /// <summary>A table's HTML with its figure links replaced by their text.</summary>
    private static string Unlinked(string html) =>
        System.Text.RegularExpressions.Regex.Replace(html, "<a href=\"/prospects\\?[^\"]*\" data-figure=\"[^\"]*\">([^<]*)</a>", "$1");

    /// <summary>The HTML of one report table.</summary>
    private static string Section(string html, string key)
    {
        var start = html.IndexOf($"data-table=\"{key}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No table {key}.");
        return html[start..html.IndexOf("</table>", start, StringComparison.Ordinal)];
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
        Assert.Contains("conversion-left-2025-01-01-2025-12-31-all-covenants-cohort.csv", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
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
        Assert.Contains("<th scope=\"row\">No attendance data yet</th>", html[html.IndexOf("data-table=\"event-follow-through\"", StringComparison.Ordinal)..], StringComparison.Ordinal);
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
        Assert.Equal(10, System.Text.RegularExpressions.Regex.Count(html, "<table"));
        Assert.Contains("at most 90 days before it", html, StringComparison.Ordinal);
    }
}
