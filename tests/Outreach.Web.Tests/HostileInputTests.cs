using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>
/// Every form, driven with hostile values: each invalid value gets a clear message and leaves the stored data as it
/// was; values that are merely odd text are stored as text and shown HTML-encoded.
/// </summary>
public sealed partial class HostileInputTests : IAsyncLifetime
{
    private readonly OutreachAppFactory app = new();
    private HttpClient client = null!;
    private long prospectId;
    private long organisationId;
    private long eventId;

    public static readonly TheoryData<string, string> Invalid = new()
    {
        { "over-long", new string('x', 5000) },
        { "control character", "Acme\u0001 B.V." },
        { "NUL", "Acme\0 B.V." },
        { "broken UTF-8", "Acme \uFFFD B.V." },
    };

    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial Regex Token();

    public async Task InitializeAsync()
    {
        client = app.CreateClientAs(Core.Access.Role.Secretariat);
        // Issued now, so that the administrator's key is part of the state before any refused post.
        _ = app.KeyFor(Core.Access.Role.Administrator);
        await app.Services.GetRequiredService<Core.Prospects.IProspectStore>().AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
        var created = await client.PostAsJsonAsync("/api/prospects", new { name = "Baseline Gold", partyKind = "company", sector = "jewellery", owner = "Anne", covenant = "gold" });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        (prospectId, organisationId) = (body.GetProperty("id").GetInt64(), body.GetProperty("organisationId").GetInt64());
        var createdEvent = await client.PostAsJsonAsync("/api/events", new
        {
            title = "Baseline event", covenant = "gold", format = "physical", venue = "Utrecht", start = "2027-01-20T14:00", end = "2027-01-20T17:00",
            registrationDeadline = "2027-01-15T12:00", capacity = 10,
        });
        eventId = (await createdEvent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<string> StateAsync()
    {
        await using var c = await app.Services.GetRequiredService<Database>().OpenAsync(default);
        var parts = new List<string>();
        // Every column of every row, so an update that slipped through shows, not just an insert.
        foreach (var table in new[] { "covenant", "organisation", "contact", "pipeline_entry", "stage_change", "user_account", "api_key", "audit_entry", "audit_personal", "enrolment", "network_event", "invitation", "event_notice", "mail_outbox", "mail_template", "mail_sequence", "activity", "activity_contact" })
        {
            foreach (IDictionary<string, object?> row in await c.QueryAsync($"SELECT * FROM {table} ORDER BY 1"))
                parts.Add(table + ":" + string.Join(",", row.Select(kv => $"{kv.Key}={kv.Value}")));
        }

        return string.Join("\n", parts);
    }

    private async Task<HttpResponseMessage> PostFormAsync(string pagePath, string postPath, Dictionary<string, string> fields)
    {
        var page = await client.GetAsync(pagePath);
        fields["__RequestVerificationToken"] = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        var post = new HttpRequestMessage(HttpMethod.Post, postPath) { Content = new FormUrlEncodedContent(fields) };
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        return await client.SendAsync(post);
    }

    private async Task AssertRefusedAsync(Func<Task<HttpResponseMessage>> post, bool nul)
    {
        var before = await StateAsync();
        Assert.Contains("name=Baseline Gold", before, StringComparison.Ordinal);
        var response = await post();
        await AssertClearRefusalAsync(response, nul);
        Assert.Equal(before, await StateAsync());
    }

    /// <summary>
    /// The form comes back with the message, except for a NUL character, which ASP.NET Core's form reader already refuses
    /// with 400 Bad Request before any page code runs (still nothing stored).
    /// </summary>
    private static async Task AssertClearRefusalAsync(HttpResponseMessage response, bool nul)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (nul && response.StatusCode == HttpStatusCode.BadRequest)
        {
            Assert.Contains("Bad Request", body, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("too long|not allowed|is required|not a valid|Give the covenant a name|at most 100 characters|1 to 100 characters", body);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public Task NewProspect_RefusesIt(string what, string value) => AssertRefusedAsync(() =>
    {
        _ = what;
        return PostFormAsync("/prospects/new", "/prospects/new", new()
        {
            ["Organisation.Name"] = value, ["Organisation.PartyKind"] = "company", ["Organisation.Sector"] = "steel", ["Organisation.Country"] = "NL",
            ["Organisation.Owner"] = "Anne", ["Covenant"] = "gold", ["Stage"] = "identified",
        });
    }, value.Contains('\0', StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Invalid))]
    public Task EditOrganisation_RefusesIt(string what, string value) => AssertRefusedAsync(() =>
    {
        _ = what;
        return PostFormAsync($"/organisations/{organisationId}/edit", $"/organisations/{organisationId}/edit", new()
        {
            ["Organisation.Name"] = "Baseline Gold", ["Organisation.PartyKind"] = "company", ["Organisation.Sector"] = value, ["Organisation.Country"] = "NL", ["Organisation.Owner"] = "Anne",
        });
    }, value.Contains('\0', StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Invalid))]
    public Task NewContact_RefusesIt(string what, string value) => AssertRefusedAsync(() =>
    {
        _ = what;
        return PostFormAsync($"/contacts/new?organisationId={organisationId}", $"/contacts/new?organisationId={organisationId}", new()
        {
            ["Name"] = value, ["Email"] = "someone@hostile.example", ["Language"] = "nl", ["LawfulBasis"] = "consent", ["OrganisationId"] = organisationId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }, value.Contains('\0', StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Invalid))]
    public Task NextAction_RefusesIt(string what, string value) => AssertRefusedAsync(() =>
    {
        _ = what;
        return PostFormAsync($"/prospects/{prospectId}", $"/prospects/{prospectId}?handler=NextAction", new() { ["NextAction"] = value, ["NextActionDue"] = "2026-12-01" });
    }, value.Contains('\0', StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Invalid))]
    public Task Covenant_RefusesIt(string what, string value) => AssertRefusedAsync(() =>
    {
        _ = what;
        return PostFormAsync("/covenants", "/covenants", new() { ["Code"] = "tin", ["Name"] = value, ["StartsOn"] = "2027-01-01", ["EndsOn"] = "2031-12-31" });
    }, value.Contains('\0', StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Invalid))]
    public Task ActivityText_RefusesIt(string what, string value) => AssertRefusedAsync(() =>
    {
        _ = what;
        return PostFormAsync($"/prospects/{prospectId}", $"/prospects/{prospectId}/activities", new() { ["Input.Kind"] = "note", ["Input.Text"] = value });
    }, value.Contains('\0', StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Invalid))]
    public Task ActivityFollowUp_RefusesIt_AndKeepsTheNextAction(string what, string value) => AssertRefusedAsync(() =>
    {
        _ = what;
        return PostFormAsync($"/prospects/{prospectId}", $"/prospects/{prospectId}/activities", new()
        {
            ["Input.Kind"] = "call", ["Input.Direction"] = "outgoing", ["Input.Outcome"] = "reached", ["Input.FollowUp"] = value, ["Input.FollowUpDue"] = "2026-12-01",
        });
    }, value.Contains('\0', StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task MoveReason_RefusesIt(string what, string value)
    {
        _ = what;
        var before = await StateAsync();
        var response = await PostFormAsync($"/prospects/{prospectId}", $"/prospects/{prospectId}?handler=Move", new() { ["ToStage"] = "contacted", ["Reason"] = value });
        await AssertClearRefusalAsync(response, value.Contains('\0', StringComparison.Ordinal));
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task ATooLargeImport_IsRefusedWithTheLimit_AndNothingIsStored()
    {
        var key = app.KeyFor(Core.Access.Role.Secretariat);
        await using var small = app.WithWebHostBuilder(b => b.UseSetting("Import:MaxFileBytes", "2048"));
        var upload = small.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        upload.DefaultRequestHeaders.Remove(Access.ApiKeyAuthenticationHandler.Header);
        upload.DefaultRequestHeaders.Add(Access.ApiKeyAuthenticationHandler.Header, key);
        var page = await upload.GetAsync("/import");
        var token = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        var csv = "organisation;party_kind;sector;owner;covenant\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"Huge {i};company;steel;Anne;gold\n"));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv)), "Upload", "huge.csv" },
        };
        var post = new HttpRequestMessage(HttpMethod.Post, "/import?handler=Import") { Content = form };
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        var before = await StateAsync();
        var response = await upload.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The file is too large", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Theory]
    [InlineData("<script>alert('x')</script> Gold")]
    [InlineData("'; DROP TABLE organisation; -- Gold")]
    [InlineData("=cmd|' /C calc'!A0 Gold")]
    [InlineData("\u202Egnp.exe Gold")]
    public async Task OddButValidText_IsStoredAsText_AndShownEncoded(string name)
    {
        var response = await PostFormAsync("/prospects/new", "/prospects/new", new()
        {
            ["Organisation.Name"] = name, ["Organisation.PartyKind"] = "company", ["Organisation.Sector"] = "steel", ["Organisation.Country"] = "NL",
            ["Organisation.Owner"] = "Anne", ["Covenant"] = "gold", ["Stage"] = "identified",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = await client.GetStringAsync(response.Headers.Location!.OriginalString);
        Assert.DoesNotContain("<script>alert", page, StringComparison.Ordinal);
        Assert.Contains(System.Text.Encodings.Web.HtmlEncoder.Default.Encode(name), page, StringComparison.Ordinal);
        var stored = await client.GetFromJsonAsync<JsonElement>($"/api/prospects?q={Uri.EscapeDataString(name[..6])}");
        Assert.Equal(name, stored.GetProperty("items")[0].GetProperty("organisation").GetString());
    }

    public static readonly TheoryData<string, string> HostileJson = new()
    {
        { "over-long name", """{"name":"__LONG__","partyKind":"company","sector":"steel","owner":"Anne","covenant":"gold"}""" },
        { "control character", """{"name":"Acme\u0001","partyKind":"company","sector":"steel","owner":"Anne","covenant":"gold"}""" },
        { "NUL", """{"name":"Acme\u0000","partyKind":"company","sector":"steel","owner":"Anne","covenant":"gold"}""" },
        { "lone surrogate", """{"name":"Acme \uD800","partyKind":"company","sector":"steel","owner":"Anne","covenant":"gold"}""" },
        { "unknown party kind", """{"name":"Acme","partyKind":"<script>","sector":"steel","owner":"Anne","covenant":"gold"}""" },
        { "SQL in the covenant", """{"name":"Acme","partyKind":"company","sector":"steel","owner":"Anne","covenant":"gold' OR '1'='1"}""" },
        { "wrong type", """{"name":42,"partyKind":"company","sector":"steel","owner":"Anne","covenant":"gold"}""" },
        { "not JSON", "name=Acme" },
        { "truncated JSON", """{"name":"Acme","partyKind":""" },
        { "array instead of object", "[1,2,3]" },
        { "empty body", "" },
    };

    /// <summary>Every write endpoint of the API refuses hostile JSON with 400 and a problem body, and nothing changes.</summary>
    [Theory]
    [MemberData(nameof(HostileJson))]
    public async Task Api_RefusesHostileJson_WithAProblem_AndStoresNothing(string what, string body)
    {
        _ = what;
        body = body.Replace("__LONG__", new string('x', 5000), StringComparison.Ordinal);
        foreach (var path in new[] { "/api/prospects", $"/api/prospects/{prospectId}/stage", $"/api/prospects/{prospectId}/enrolments", "/api/events", $"/api/events/{eventId}/invitations", $"/api/prospects/{prospectId}/activities" })
        {
            var before = await StateAsync();
            var moveBody = path.EndsWith("/stage", StringComparison.Ordinal)
                ? body.Replace("\"name\"", "\"reason\"", StringComparison.Ordinal).Replace("\"partyKind\"", "\"toStage\"", StringComparison.Ordinal)
                : path == "/api/events"
                    ? body.Replace("\"name\"", "\"title\"", StringComparison.Ordinal).Replace("\"partyKind\"", "\"format\"", StringComparison.Ordinal)
                    : path.EndsWith("/activities", StringComparison.Ordinal)
                        ? body.Replace("\"partyKind\":\"company\"", "\"kind\":\"note\"", StringComparison.Ordinal).Replace("\"partyKind\"", "\"kind\"", StringComparison.Ordinal).Replace("\"name\"", "\"text\"", StringComparison.Ordinal)
                            .Replace("\"covenant\":\"gold\"", "\"location\":\"gold\"", StringComparison.Ordinal).Replace("\"covenant\"", "\"outcome\"", StringComparison.Ordinal)
                    : path.EndsWith("/invitations", StringComparison.Ordinal)
                        ? body.Replace("\"name\"", "\"contactIds\"", StringComparison.Ordinal).Replace("\"covenant\"", "\"filter\"", StringComparison.Ordinal)
                        : body;
            var response = await client.PostAsync(path, new StringContent(moveBody, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("   at ", problem, StringComparison.Ordinal);
            Assert.Equal(before, await StateAsync());
        }
    }

    [Fact]
    public async Task Api_RefusesAnOversizedBody_AndStoresNothing()
    {
        var before = await StateAsync();
        var huge = "{\"name\":\"" + new string('x', 5_000_000) + "\"}";
        var response = await client.PostAsync("/api/prospects", new StringContent(huge, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"got {(int)response.StatusCode}");
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task AFormWithRawBytesThatAreNotUtf8_IsRefused_AndStoresNothing()
    {
        var before = await StateAsync();
        var page = await client.GetAsync($"/contacts/new?organisationId={organisationId}");
        var token = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        // Raw Latin-1 bytes for "Café" (0xE9 alone is not UTF-8), as an old form or tool might send them.
        var bytes = Encoding.ASCII.GetBytes($"__RequestVerificationToken={Uri.EscapeDataString(token)}&Email=cafe%40hostile.example&Language=nl&LawfulBasis=consent&Name=Caf")
            .Concat(new byte[] { 0xE9 }).Concat(Encoding.ASCII.GetBytes("+Owner")).ToArray();
        var post = new HttpRequestMessage(HttpMethod.Post, $"/contacts/new?organisationId={organisationId}") { Content = new ByteArrayContent(bytes) };
        post.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        var response = await client.SendAsync(post);
        await AssertClearRefusalAsync(response, nul: false);
        Assert.Equal(before, await StateAsync());
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public Task AdminAddUser_RefusesIt(string what, string value) => AssertRefusedAsync(() =>
    {
        _ = what;
        return PostAdminFormAsync("/admin/users", new() { ["UserName"] = "hostile", ["DisplayName"] = value, ["Role"] = "manager" });
    }, value.Contains('\0', StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Invalid))]
    public Task AdminIssueKey_RefusesIt(string what, string value) => AssertRefusedAsync(() =>
    {
        _ = what;
        return PostAdminFormAsync("/admin/api-keys", new() { ["Name"] = value, ["Role"] = "manager" });
    }, value.Contains('\0', StringComparison.Ordinal));

    private async Task<HttpResponseMessage> PostAdminFormAsync(string path, Dictionary<string, string> fields)
    {
        var admin = app.CreateClientAs(Core.Access.Role.Administrator);
        var page = await admin.GetAsync(path);
        fields["__RequestVerificationToken"] = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        return await admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) });
    }
}
