using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;

namespace Outreach.Web.Tests;

/// <summary>
/// Issue 14 point 8, the hostile-input treatment for the onboarding forms and endpoints as the older forms get it
/// (HostileInputTests, AccessTests): no antiforgery token, the wrong role, unknown or garbage ids, oversized and
/// malformed files, hostile text. Each is refused clearly (a message, 400, 403 or 404, never a 500) and nothing is stored.
/// </summary>
public sealed partial class OnboardingWebTests
{
    private string Reopen(long milestoneId) => $"/prospects/{prospectId}/onboarding?handler=Reopen&milestoneId={milestoneId}";

    private async Task<long> PolicyIdAsync() => (await MilestonesAsync()).Single(m => m.Key == "policy").Id;

    /// <summary>Every onboarding form's post, with fields that would succeed given a token.</summary>
    private async Task<List<(string Path, Dictionary<string, string> Fields)>> OnboardingPostsAsync()
    {
        var policy = await PolicyIdAsync();
        var summary = (await app.Services.GetRequiredService<Core.Pipeline.IPipelineStore>().GetSummaryAsync(prospectId, default))!;
        var eva = await app.Services.GetRequiredService<Core.Prospects.IProspectStore>().AddContactAsync(summary.OrganisationId,
            Core.Prospects.Validation.Clean(new Core.Prospects.ContactDraft { Name = "Eva Jansen", Email = "eva@goud.example" }), default);
        return
        [
            ($"/covenants/{covenantId}/onboarding", PlanFields("Policy published", version: 1)),
            ($"/covenants/{covenantId}/onboarding?handler=CreateMilestones", new()),
            (Done(policy), new() { ["DoneOn"] = "2026-01-15", ["EvidenceUrl"] = "https://example.org/beleid" }),
            (Reopen(policy), new() { ["Reason"] = "Wrong file" }),
            ($"/prospects/{prospectId}/onboarding?handler=OnboardingContact&contactId={eva.Id}&holds=true", new()),
            (ImportPage, new() { ["Upload"] = "party,year,milestone,done on,evidence" }),
        ];
    }

    private async Task<string> StateWithRolesAsync()
    {
        await using var c = await app.Services.GetRequiredService<Storage.Database>().OpenAsync(default);
        var roles = await Dapper.SqlMapper.QueryAsync<string>(c, "SELECT contact_id || ':' || role FROM contact_role ORDER BY 1");
        return await StateAsync() + "\nroles:" + string.Join(",", roles);
    }

    [Fact]
    public async Task EveryOnboardingForm_WithoutItsAntiforgeryToken_IsRefused_AndStoresNothing()
    {
        var posts = await OnboardingPostsAsync();
        var before = await StateWithRolesAsync();
        foreach (var (path, fields) in posts)
        {
            var response = await client.PostAsync(path, new FormUrlEncodedContent(fields));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"POST {path} without a token: {(int)response.StatusCode}");
        }

        var weekly = await client.PostAsync("/reports/weekly-mail?handler=Subscribe", new FormUrlEncodedContent(new Dictionary<string, string> { ["Address"] = "x@secretariaat.example", ["Language"] = "nl" }));
        Assert.Equal(HttpStatusCode.BadRequest, weekly.StatusCode);
        Assert.Empty(await app.Services.GetRequiredService<Core.Reports.IWeeklyReportSubscribers>().ListAsync(default));
        Assert.Equal(before, await StateWithRolesAsync());
    }

    [Fact]
    public async Task AManager_CannotChangeAnyOnboardingRecord_EvenWithAToken()
    {
        var posts = await OnboardingPostsAsync();
        var manager = app.CreateClientAs(Role.Manager);
        var page = await manager.GetAsync(Panel);
        var token = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        Assert.NotEmpty(token);
        var before = await StateWithRolesAsync();
        foreach (var (path, fields) in posts)
        {
            fields["__RequestVerificationToken"] = token;
            var post = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
            foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
            var response = await manager.SendAsync(post);
            var denied = response.StatusCode == HttpStatusCode.Forbidden
                || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString.Contains("/account/denied", StringComparison.Ordinal) == true);
            Assert.True(denied, $"A manager could post {path}: {(int)response.StatusCode}");
        }

        Assert.Equal(before, await StateWithRolesAsync());
        // The manager's page offers none of those forms.
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("data-testid=\"done-form\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"onboarding-contact-form\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("999999999", "policy")]
    [InlineData("abc", "policy")]
    [InlineData("-1", "policy")]
    [InlineData("1e3", "policy")]
    [InlineData("", "policy")]
    public async Task MarkingDoneOrReopening_AnUnknownOrGarbageMilestone_IsNotFound_AndStoresNothing(string milestoneId, string _)
    {
        var before = await StateAsync();
        foreach (var path in new[] { $"/prospects/{prospectId}/onboarding?handler=Done&milestoneId={milestoneId}", $"/prospects/{prospectId}/onboarding?handler=Reopen&milestoneId={milestoneId}" })
        {
            var response = await PostFormAsync(Panel, path, new() { ["DoneOn"] = "2026-01-15", ["EvidenceUrl"] = "https://example.org/beleid", ["Reason"] = "x" });
            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode}");
        }

        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task AnotherPartysMilestone_CannotBeMarkedDoneThroughThisPartysAddress()
    {
        var other = await SignedProspectAsync("Zilverwerk B.V.");
        var theirs = (await app.Services.GetRequiredService<Core.Onboarding.IOnboardingStore>().ListForProspectAsync(other, default)).First(m => m.Key == "policy");
        var before = await StateAsync();

        var response = await PostFormAsync(Panel, Done(theirs.Id), new() { ["DoneOn"] = "2026-01-15", ["EvidenceUrl"] = "https://example.org/beleid" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(before, await StateAsync());
    }

    public static readonly TheoryData<string, string, int, string> HostileFiles = new()
    {
        { "over-long name", new string('x', 400) + ".pdf", 10, "The file name is not allowed." },
        { "control character in the name", "beleid\u0001.pdf", 10, "The file name is not allowed." },
        { "right-to-left override in the name", "beleid\u202Efdp.exe", 10, "The file name is not allowed." },
        { "just over the limit", "groot.pdf", 10 * 1024 * 1024 + 1, "The file is too large; the limit is 10 MB." },
    };

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public async Task MarkingDone_RefusesAHostileOrOversizedFile_WithAMessage_AndStoresNothing(string what, string fileName, int size, string message)
    {
        _ = what;
        var before = await StateAsync();

        var response = await PostFormAsync(Panel, Done(await PolicyIdAsync()), new() { ["DoneOn"] = "2026-01-15", ["EvidenceUrl"] = "" }, (fileName, new byte[size]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, System.Net.WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task MarkingDone_WithAFileFarOverTheTransportLimit_IsRefused_AndStoresNothing()
    {
        var before = await StateAsync();
        var response = await PostFormAsync(Panel, Done(await PolicyIdAsync()), new() { ["DoneOn"] = "2026-01-15" }, ("huge.pdf", new byte[12 * 1024 * 1024]));
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.OK, $"got {(int)response.StatusCode}");
        if (response.StatusCode == HttpStatusCode.OK) Assert.Contains("too large", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task AFileNameWithAPath_IsKeptAsItsLastPart_AndDownloadedAsAnAttachment()
    {
        var response = await PostFormAsync(Panel, Done(await PolicyIdAsync()), new() { ["DoneOn"] = "2026-01-15" }, ("../../etc/<b>passwd</b>.pdf", "%PDF"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var stored = (await MilestonesAsync()).Single(m => m.Key == "policy");
        Assert.DoesNotContain("..", stored.EvidenceFileName, StringComparison.Ordinal);
        Assert.DoesNotContain("/", stored.EvidenceFileName, StringComparison.Ordinal);
        var page = await (await client.GetAsync(Panel)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("<b>passwd", page, StringComparison.Ordinal);
        var download = await client.GetAsync($"/prospects/{prospectId}/onboarding?handler=Evidence&fileId={stored.EvidenceFileId}");
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("999999999")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("1%27%20OR%20%271%27%3D%271")]
    public async Task TheEvidenceDownload_OfAnUnknownOrGarbageFile_IsNotFound(string fileId)
    {
        var response = await client.GetAsync($"/prospects/{prospectId}/onboarding?handler=Evidence&fileId={fileId}");
        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"got {(int)response.StatusCode}");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/prospects/999999999/onboarding")).StatusCode);
    }

    [Fact]
    public async Task ThePlanForm_OfAnUnknownCovenant_IsNotFound_AndTooManyRowsAreRefused()
    {
        var before = await StateAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/covenants/999999/onboarding")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostFormAsync($"/covenants/{covenantId}/onboarding", "/covenants/999999/onboarding", PlanFields(version: 1))).StatusCode);

        var fields = PlanFields(version: 1);
        for (var i = 3; i < 40; i++)
        {
            fields[$"Rows[{i}].Key"] = $"m{i}";
            fields[$"Rows[{i}].NameNl"] = $"Mijlpaal {i}";
            fields[$"Rows[{i}].NameEn"] = $"Milestone {i}";
            fields[$"Rows[{i}].Kinds"] = "company";
            fields[$"Rows[{i}].Due"] = "after_signing";
            fields[$"Rows[{i}].MonthsAfterSigning"] = "12";
        }

        var response = await PostFormAsync($"/covenants/{covenantId}/onboarding", $"/covenants/{covenantId}/onboarding", fields);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("A plan has at most 30 milestones.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Far more fields than any form has: the form reader's limit, not a 500.
        fields = PlanFields(version: 1);
        for (var i = 3; i < 1500; i++) fields[$"Rows[{i}].Key"] = $"m{i}";
        response = await PostFormAsync($"/covenants/{covenantId}/onboarding", $"/covenants/{covenantId}/onboarding", fields);
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.OK, $"got {(int)response.StatusCode}");
        Assert.Equal(before, await StateAsync());
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task ThePlanForm_RefusesAHostilePhrase_AndStoresNothing(string what, string value)
    {
        _ = what;
        var before = await StateAsync();
        var fields = PlanFields(version: 1);
        fields["Rows[0].PhraseNl"] = value;
        var response = await PostFormAsync($"/covenants/{covenantId}/onboarding", $"/covenants/{covenantId}/onboarding", fields);
        if (!(value.Contains('\0', StringComparison.Ordinal) && response.StatusCode == HttpStatusCode.BadRequest))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Matches("too long|not allowed", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(before, await StateAsync());
    }

    private async Task<(HttpResponseMessage Response, string Body)> ImportBytesAsync(byte[] content, string path)
    {
        var page = await client.GetAsync(ImportPage);
        var token = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        var multipart = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
        multipart.Add(new ByteArrayContent(content), "Upload", "vragenlijst.csv");
        var post = new HttpRequestMessage(HttpMethod.Post, path) { Content = multipart };
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        var response = await client.SendAsync(post);
        return (response, System.Net.WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task TheQuestionnaireImport_RefusesOversizedOrGarbageFiles_WithAMessage_AndStoresNothing()
    {
        const string header = "party,year,milestone,done on,evidence\n";
        var before = await StateAsync();

        // Just over the 5 MB limit, still within what the transport lets through: the page names the limit.
        var padded = Encoding.UTF8.GetBytes(header + "'=Goud B.V.,,policy,2026-01-15,https://goud.example/beleid\n" + new string(' ', 5 * 1024 * 1024));
        var (response, body) = await ImportBytesAsync(padded, ImportPage);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The file is too large; the limit is 5 MB.", body, StringComparison.Ordinal);

        // More rows than the import takes.
        var many = Encoding.UTF8.GetBytes(header + string.Concat(Enumerable.Repeat("'=Goud B.V.,,policy,2026-01-15,https://goud.example/beleid\n", 10_001)));
        (_, body) = await ImportBytesAsync(many, ImportPage);
        Assert.Contains("The file has more than 10000 rows", body, StringComparison.Ordinal);

        // Bytes that are not text: a clear refusal, not a 500.
        var random = new byte[4096];
        new Random(14).NextBytes(random);
        (response, body) = await ImportBytesAsync(random, ImportPage);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data-testid=\"import-errors\"", body, StringComparison.Ordinal);

        // Latin-1 bytes (an old Excel's "Café") in an otherwise good file.
        var latin1 = Encoding.UTF8.GetBytes(header + "'=Goud B.V.,,policy,2026-01-15,https://goud.example/caf").Concat(new byte[] { 0xE9, (byte)'\n' }).ToArray();
        (response, body) = await ImportBytesAsync(latin1, ImportPage);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data-testid=\"import-errors\"", body, StringComparison.Ordinal);

        // No file at all, and an unknown covenant.
        (_, body) = await ImportBytesAsync([], ImportPage);
        Assert.Contains("Choose a CSV file.", body, StringComparison.Ordinal);
        (response, _) = await ImportBytesAsync(Encoding.UTF8.GetBytes(header), "/covenants/999999/onboarding/import");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        Assert.Equal(before, await StateAsync());
        Assert.DoesNotContain(await MilestonesAsync(), m => m.IsDone);
    }

    [Fact]
    public async Task TheOnboardingContactForm_RefusesGarbageIds_AndAnErasedContact_AndStoresNothing()
    {
        var summary = (await app.Services.GetRequiredService<Core.Pipeline.IPipelineStore>().GetSummaryAsync(prospectId, default))!;
        var prospects = app.Services.GetRequiredService<Core.Prospects.IProspectStore>();
        var erased = await prospects.AddContactAsync(summary.OrganisationId, Core.Prospects.Validation.Clean(new Core.Prospects.ContactDraft { Name = "Weg Geweest", Email = "weg@goud.example" }), default);
        var before = await StateWithRolesAsync();
        foreach (var query in new[] { "contactId=abc&holds=true", "contactId=&holds=true", "contactId=1&holds=<script>", $"contactId={erased.Id}&holds=maybe" })
        {
            var response = await PostFormAsync(Panel, $"/prospects/{prospectId}/onboarding?handler=OnboardingContact&{query}", new());
            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode}");
        }

        Assert.Equal(before, await StateWithRolesAsync());
        await prospects.EraseContactAsync(erased.Id, app.Clock.GetUtcNow(), default);
        before = await StateWithRolesAsync();
        var refused = await PostFormAsync(Panel, $"/prospects/{prospectId}/onboarding?handler=OnboardingContact&contactId={erased.Id}&holds=true", new());
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("This contact&#x27;s data was erased.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await StateWithRolesAsync());
    }

    [Theory]
    [InlineData("covenant=<script>alert(1)</script>&year=4")]
    [InlineData("covenant=gold'%20OR%20'1'%3D'1&year=4")]
    public async Task TheMonitoringPage_AndItsDownloads_RefuseHostileParameters_Encoded(string query)
    {
        var page = await client.GetAsync("/monitoring?" + query);
        Assert.True(page.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"got {(int)page.StatusCode}");
        Assert.DoesNotContain("<script>alert", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var handler in new[] { "Csv", "Download" })
        {
            var file = await client.GetAsync($"/monitoring?handler={handler}&" + query);
            Assert.Equal(HttpStatusCode.BadRequest, file.StatusCode);
            Assert.DoesNotContain("<script>alert", await file.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("covenant=__LONG__&year=4", "covenant")]
    [InlineData("covenant=gold%27%3B%20DROP%20TABLE%20onboarding_milestone%3B--&year=4", "covenant")]
    [InlineData("covenant=gold&year=4%00", "year")]
    [InlineData("covenant=gold&year=%E2%80%AE4", "year")]
    public async Task TheMonitoringApi_RefusesOverlongAndInjectedParameters_AsAValidationProblem(string query, string field)
    {
        var response = await client.GetAsync("/api/monitoring?" + query.Replace("__LONG__", new string('g', 5000), StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.DoesNotContain("   at ", problem.ToString(), StringComparison.Ordinal);
    }
}
