using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Core.Onboarding;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>
/// Onboarding through the real host: the plan form, the panel on the prospect page with its done and reopen forms, the
/// evidence file, the monitoring page, its CSV and <c>GET /api/monitoring</c>, each also with hostile input.
/// The covenant starts 2023-01-01, so year 4 is 2026 (the host's clock stands at 18 November 2026).
/// </summary>
public sealed partial class OnboardingWebTests : IAsyncLifetime
{
    private readonly OutreachAppFactory app = new();
    private HttpClient client = null!;
    private long covenantId;
    private long prospectId;

    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial Regex Token();

    public async Task InitializeAsync()
    {
        client = app.CreateClientAs(Role.Secretariat);
        covenantId = (await app.Services.GetRequiredService<Core.Prospects.IProspectStore>().AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default)).Id;
        var saved = await PostFormAsync($"/covenants/{covenantId}/onboarding", $"/covenants/{covenantId}/onboarding", PlanFields());
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        // Signed on 1 February 2025 (year 3), so first monitored in year 4.
        var now = app.Clock.GetUtcNow();
        app.Clock.Set(new DateTimeOffset(2025, 2, 1, 10, 0, 0, TimeSpan.Zero));
        prospectId = await SignedProspectAsync("=Goud B.V.");
        app.Clock.Set(now);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static Dictionary<string, string> PlanFields(string nameEn = "RBC policy published", int version = 0) => new()
    {
        ["Version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture), ["CutOffMonths"] = "0",
        ["Rows[0].Key"] = "policy", ["Rows[0].NameNl"] = "IMVO-beleid gepubliceerd", ["Rows[0].NameEn"] = nameEn, ["Rows[0].PhraseEn"] = "published their RBC policy",
        ["Rows[0].Kinds"] = "company", ["Rows[0].Due"] = "after_signing", ["Rows[0].MonthsAfterSigning"] = "12",
        ["Rows[1].Key"] = "risk", ["Rows[1].NameNl"] = "Risicoanalyse geleverd", ["Rows[1].NameEn"] = "Risk analysis delivered",
        ["Rows[1].Kinds"] = "company", ["Rows[1].Due"] = "after_signing", ["Rows[1].MonthsAfterSigning"] = "18",
        ["Rows[2].Key"] = "training", ["Rows[2].NameNl"] = "Training gevolgd", ["Rows[2].NameEn"] = "Training attended",
        ["Rows[2].Kinds"] = "company", ["Rows[2].Due"] = "fixed_each_year", ["Rows[2].DueMonth"] = "11", ["Rows[2].DueDay"] = "1", ["Rows[2].RepeatsYearly"] = "true",
        // A blank row, as the form always offers: ignored.
        ["Rows[3].Key"] = "", ["Rows[3].NameNl"] = "", ["Rows[3].NameEn"] = "",
    };

    private async Task<long> SignedProspectAsync(string name)
    {
        var created = await client.PostAsJsonAsync("/api/prospects", new { name, partyKind = "company", sector = "jewellery", owner = "Anne", covenant = "gold" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        foreach (var stage in new[] { "contacted", "engaged", "intake", "signing_scheduled", "signed" })
        {
            var moved = await client.PostAsJsonAsync($"/api/prospects/{id}/stage", new { stage, reason = "Next step" });
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        }

        return id;
    }

    private async Task<HttpResponseMessage> PostFormAsync(string pagePath, string postPath, Dictionary<string, string> fields, (string Name, byte[] Content)? file = null)
    {
        var page = await client.GetAsync(pagePath);
        var token = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        HttpContent content;
        if (file is { } f)
        {
            var multipart = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
            foreach (var (key, value) in fields) multipart.Add(new StringContent(value), key);
            multipart.Add(new ByteArrayContent(f.Content), "EvidenceFile", f.Name);
            content = multipart;
        }
        else
        {
            fields["__RequestVerificationToken"] = token;
            content = new FormUrlEncodedContent(fields);
        }

        var post = new HttpRequestMessage(HttpMethod.Post, postPath) { Content = content };
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        return await client.SendAsync(post);
    }

    private async Task<string> StateAsync()
    {
        await using var c = await app.Services.GetRequiredService<Database>().OpenAsync(default);
        var parts = new List<string>();
        foreach (var table in new[] { "onboarding_plan", "onboarding_milestone", "onboarding_milestone_change", "onboarding_evidence", "audit_entry" })
        {
            foreach (IDictionary<string, object?> row in await c.QueryAsync($"SELECT * FROM {table} ORDER BY 1"))
                parts.Add(table + ":" + string.Join(",", row.Select(kv => $"{kv.Key}={(kv.Value is byte[] b ? Convert.ToBase64String(b) : kv.Value)}")));
        }

        return string.Join("\n", parts);
    }

    private async Task<IReadOnlyList<PartyMilestone>> MilestonesAsync() =>
        await app.Services.GetRequiredService<IOnboardingStore>().ListForProspectAsync(prospectId, default);

    private string Panel => $"/prospects/{prospectId}";

    private string Done(long milestoneId) => $"/prospects/{prospectId}/onboarding?handler=Done&milestoneId={milestoneId}";

    [Fact]
    public async Task ThePlanForm_SavedAVersion_ThatSigningUsed_AndAStaleSaveIsRefused()
    {
        var plan = await app.Services.GetRequiredService<IOnboardingStore>().GetPlanAsync(covenantId, default);
        Assert.Equal((1, 3), (plan!.Version, plan.Milestones.Count));
        Assert.Equal([("policy", (int?)null, new DateOnly(2026, 2, 1)), ("risk", null, new DateOnly(2026, 8, 1)), ("training", 4, new DateOnly(2026, 11, 1)), ("training", 5, new DateOnly(2027, 11, 1))],
            (await MilestonesAsync()).Select(m => (m.Key, m.Year, m.DueOn)));

        var stale = await PostFormAsync($"/covenants/{covenantId}/onboarding", $"/covenants/{covenantId}/onboarding", PlanFields("Policy published", version: 0));
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Contains("Someone else changed this plan", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var second = await PostFormAsync($"/covenants/{covenantId}/onboarding", $"/covenants/{covenantId}/onboarding", PlanFields("Policy published", version: 1));
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        var page = await (await client.GetAsync($"/covenants/{covenantId}/onboarding")).Content.ReadAsStringAsync();
        Assert.Contains("value=\"Policy published\"", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"plan-versions\"", page, StringComparison.Ordinal);
    }

    public static readonly TheoryData<string, string> Invalid = HostileInputTests.Invalid;

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task ThePlanForm_RefusesAHostileName_AndStoresNothing(string what, string value)
    {
        _ = what;
        var before = await StateAsync();
        var response = await PostFormAsync($"/covenants/{covenantId}/onboarding", $"/covenants/{covenantId}/onboarding", PlanFields(value, version: 1));
        var body = await response.Content.ReadAsStringAsync();
        if (!(value.Contains('\0', StringComparison.Ordinal) && response.StatusCode == HttpStatusCode.BadRequest))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Matches("too long|not allowed", body);
            Assert.Contains("Row 1", body, StringComparison.Ordinal);
        }

        Assert.Equal(before, await StateAsync());
    }

    [Theory]
    [InlineData("Rows[0].MonthsAfterSigning", "12abc")]
    [InlineData("Rows[0].MonthsAfterSigning", "99999999999999")]
    [InlineData("Rows[0].Kinds", "<script>")]
    [InlineData("CutOffMonths", "-1")]
    [InlineData("Rows[2].DueDay", "29")]
    [InlineData("Rows[0].Key", "policy'; DROP TABLE onboarding_plan;--")]
    public async Task ThePlanForm_RefusesOtherBadValues_WithAMessage(string field, string value)
    {
        var before = await StateAsync();
        var fields = PlanFields(version: 1);
        fields[field] = value;
        if (field == "Rows[2].DueDay") fields["Rows[2].DueMonth"] = "2";

        var response = await PostFormAsync($"/covenants/{covenantId}/onboarding", $"/covenants/{covenantId}/onboarding", fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data-testid=\"plan-errors\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task AManager_ReadsThePlan_ButCannotSaveIt()
    {
        var manager = app.CreateClientAs(Role.Manager);
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync($"/covenants/{covenantId}/onboarding")).StatusCode);
        var before = await StateAsync();
        var post = await manager.PostAsync($"/covenants/{covenantId}/onboarding", new FormUrlEncodedContent(PlanFields(version: 1)));
        Assert.NotEqual(HttpStatusCode.Redirect, post.StatusCode);
        Assert.True(post.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, post.StatusCode.ToString());
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task ThePanel_ShowsProgressAndOverdue_AndMarkingDoneWithAFile_KeepsTheFileWithTheParty_AndChangesTheReport()
    {
        var page = await (await client.GetAsync(Panel)).Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"onboarding-panel\"", page, StringComparison.Ordinal);
        Assert.Contains("0 of 3 done", page, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Count(page, "class=\"overdue\""));
        var before = await ReportAsync(4);
        Assert.Equal((0, 1), Figure(before, "policy"));

        var policy = (await MilestonesAsync()).Single(m => m.Key == "policy");
        var pdf = "%PDF-1.4 beleid"u8.ToArray();
        var done = await PostFormAsync(Panel, Done(policy.Id), new() { ["DoneOn"] = "2026-01-15", ["EvidenceUrl"] = "" }, ("beleid <2026>.pdf", pdf));

        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        page = await (await client.GetAsync(Panel)).Content.ReadAsStringAsync();
        Assert.Contains("1 of 3 done", page, StringComparison.Ordinal);
        Assert.Contains("beleid &lt;2026&gt;.pdf", page, StringComparison.Ordinal);
        var stored = (await MilestonesAsync()).Single(m => m.Key == "policy");
        Assert.Equal((new DateOnly(2026, 1, 15), "api:tests-secretariat"), (stored.DoneOn!.Value, stored.DoneBy));
        var download = await client.GetAsync($"/prospects/{prospectId}/onboarding?handler=Evidence&fileId={stored.EvidenceFileId}");
        Assert.Equal(pdf, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        // Another party's address does not reach the file.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/prospects/{prospectId + 1}/onboarding?handler=Evidence&fileId={stored.EvidenceFileId}")).StatusCode);
        Assert.Equal((1, 1), Figure(await ReportAsync(4), "policy"));
    }

    [Theory]
    [InlineData("2026-01-15", "javascript:alert(1)", "not a valid web address")]
    [InlineData("2026-01-15", "https://example.org/\u0001", "not a valid web address")]
    [InlineData("2026-01-15", "", "Give the evidence")]
    [InlineData("2027-01-15", "https://example.org/beleid", "cannot be in the future")]
    [InlineData("15-01-2026x", "https://example.org/beleid", "not a valid date")]
    [InlineData("", "https://example.org/beleid", "Give the date")]
    public async Task MarkingDone_RefusesBadDatesAndEvidence_AndStoresNothing(string on, string url, string message)
    {
        var policy = (await MilestonesAsync()).Single(m => m.Key == "policy");
        var before = await StateAsync();

        var response = await PostFormAsync(Panel, Done(policy.Id), new() { ["DoneOn"] = on, ["EvidenceUrl"] = url });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task MarkingDone_RefusesAHostileLink_AndReopen_AHostileReason(string what, string value)
    {
        _ = what;
        var policy = (await MilestonesAsync()).Single(m => m.Key == "policy");
        var before = await StateAsync();
        var response = await PostFormAsync(Panel, Done(policy.Id), new() { ["DoneOn"] = "2026-01-15", ["EvidenceUrl"] = "https://example.org/" + value });
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, response.StatusCode.ToString());
        Assert.Equal(before, await StateAsync());

        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(Panel, Done(policy.Id), new() { ["DoneOn"] = "2026-01-15", ["EvidenceUrl"] = "https://example.org/beleid" })).StatusCode);
        before = await StateAsync();
        response = await PostFormAsync(Panel, $"/prospects/{prospectId}/onboarding?handler=Reopen&milestoneId={policy.Id}", new() { ["Reason"] = value });
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, response.StatusCode.ToString());
        if (response.StatusCode == HttpStatusCode.OK) Assert.Matches("too long|not allowed", await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task Reopening_NeedsAReason_AndTheHistoryKeepsIt()
    {
        var policy = (await MilestonesAsync()).Single(m => m.Key == "policy");
        await PostFormAsync(Panel, Done(policy.Id), new() { ["DoneOn"] = "2026-01-15", ["EvidenceUrl"] = "https://example.org/beleid" });
        var reopen = $"/prospects/{prospectId}/onboarding?handler=Reopen&milestoneId={policy.Id}";

        var refused = await PostFormAsync(Panel, reopen, new() { ["Reason"] = "  " });
        Assert.Contains("A reason is required to reopen a milestone.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(Panel, reopen, new() { ["Reason"] = "Link <points> to last year's policy" })).StatusCode);

        Assert.False((await MilestonesAsync()).Single(m => m.Key == "policy").IsDone);
        var history = await (await client.GetAsync($"/prospects/{prospectId}/onboarding")).Content.ReadAsStringAsync();
        Assert.Contains("Link &lt;points&gt; to last year&#x27;s policy", history, StringComparison.Ordinal);
        Assert.Equal(4 + 2, Regex.Count(history, "data-testid=\"milestone-history-row\""));
        // Another party's milestone cannot be changed through this party's address.
        Assert.Equal(HttpStatusCode.NotFound, (await PostFormAsync(Panel, $"/prospects/{prospectId + 1}/onboarding?handler=Reopen&milestoneId={policy.Id}", new() { ["Reason"] = "x" })).StatusCode);
    }

    private async Task<JsonElement> ReportAsync(int year, Role role = Role.Manager)
    {
        var response = await app.CreateClientAs(role).GetAsync($"/api/monitoring?covenant=gold&year={year}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static (int Done, int Of) Figure(JsonElement report, string key)
    {
        var m = report.GetProperty("milestones").EnumerateArray().Single(x => x.GetProperty("key").GetString() == key);
        return (m.GetProperty("done").GetInt32(), m.GetProperty("of").GetInt32());
    }

    [Fact]
    public async Task TheMonitoringApi_GivesTheFiguresAndTheSentence_ToAnyRole_AndNothingWithoutAKey()
    {
        var late = await SignedProspectAsync("Laatkomer B.V.");
        var report = await ReportAsync(4, Role.Manager);
        Assert.Equal(4, report.GetProperty("year").GetInt32());
        Assert.Equal(["=Goud B.V."], report.GetProperty("monitored").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal([late], report.GetProperty("notYetMonitored").EnumerateArray().Select(p => p.GetProperty("prospectId").GetInt64()));
        Assert.Equal("0 of 1 company published their RBC policy, 0 Risk analysis delivered, 0 Training attended; one company joined in year 4 and could not be monitored yet.",
            report.GetProperty("sentenceEn").GetString());
        Assert.StartsWith("0 van 1 bedrijf ", report.GetProperty("sentenceNl").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClientAs(null).GetAsync("/api/monitoring?covenant=gold&year=4")).StatusCode);
    }

    [Theory]
    [InlineData("covenant=gold&year=0", "year")]
    [InlineData("covenant=gold&year=6", "year")]
    [InlineData("covenant=gold&year=abc", "year")]
    [InlineData("covenant=gold&year=99999999999999999999", "year")]
    [InlineData("covenant=gold&year=%2B4", "year")]
    [InlineData("covenant=zilver&year=4", "covenant")]
    [InlineData("year=4", "covenant")]
    [InlineData("covenant=%00gold&year=4", "covenant")]
    public async Task TheMonitoringApi_RefusesBadParameters_AsAValidationProblem(string query, string field)
    {
        var response = await client.GetAsync("/api/monitoring?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task TheMonitoringPage_ShowsTheSentence_AndItsCsvEscapesFormulas()
    {
        var page = await (await client.GetAsync("/monitoring?covenant=gold&year=4")).Content.ReadAsStringAsync();
        Assert.Contains("0 of 1 company published their RBC policy", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"monitoring-figures\"", page, StringComparison.Ordinal);

        var csv = await client.GetAsync("/monitoring?handler=Csv&covenant=gold&year=4");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var text = await csv.Content.ReadAsStringAsync();
        Assert.Contains("RBC policy published;0;1;0;0;0;;'=Goud B.V.", text, StringComparison.Ordinal);

        var bad = await client.GetAsync("/monitoring?covenant=gold&year=<script>");
        var body = await bad.Content.ReadAsStringAsync();
        Assert.Contains("The monitoring year is 1 to 5 for this covenant.", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", body, StringComparison.Ordinal);
    }
}
