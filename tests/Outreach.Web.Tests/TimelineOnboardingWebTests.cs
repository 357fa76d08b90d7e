using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;

namespace Outreach.Web.Tests;

/// <summary>
/// Issue 15 point 2: onboarding milestones on the prospect's timeline, through the real host. An officer marks milestones done
/// on the onboarding panel (a link, a file) and reopens one; the timeline shows each line with its evidence, HTML-encoded, on
/// the page and at <c>GET /api/prospects/{id}/timeline</c>, filtered by kind. The host's clock stands at 18 November 2026.
/// </summary>
public sealed partial class TimelineOnboardingWebTests : IAsyncLifetime
{
    private readonly OutreachAppFactory app = new();
    private HttpClient client = null!;
    private long prospectId;

    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial Regex Token();

    [GeneratedRegex("""href="(/prospects/\d+/onboarding\?handler=Evidence&amp;fileId=\d+)" data-testid="timeline-evidence-file">([^<]*)<""")]
    private static partial Regex FileLink();

    public async Task InitializeAsync()
    {
        client = app.CreateClientAs(Role.Secretariat);
        var covenant = await app.Services.GetRequiredService<IProspectStore>().AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
        PlanMilestone[] plan =
        [
            new() { Key = "policy", NameNl = "IMVO-beleid gepubliceerd", NameEn = "RBC policy published", AppliesTo = [PartyKind.Company], Due = DueRule.AfterSigning, MonthsAfterSigning = 12 },
            new() { Key = "risk", NameNl = "Risicoanalyse geleverd", NameEn = "Risk analysis delivered", AppliesTo = [PartyKind.Company], Due = DueRule.AfterSigning, MonthsAfterSigning = 18 },
        ];
        await app.Services.GetRequiredService<IOnboardingStore>().SavePlanAsync(covenant.Id, 0, plan, 0, app.Clock.GetUtcNow(), "anne", default);
        var created = await client.PostAsJsonAsync("/api/prospects", new { name = "Tijdlijn Goud", partyKind = "company", sector = "jewellery", owner = "Anne", covenant = "gold" });
        prospectId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        foreach (var stage in new[] { "contacted", "engaged", "intake", "signing_scheduled", "signed" })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/prospects/{prospectId}/stage", new { stage, reason = "Next step" })).StatusCode);
        }
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PostFormAsync(string postPath, Dictionary<string, string> fields, (string Name, byte[] Content)? file = null)
    {
        var page = await client.GetAsync($"/prospects/{prospectId}");
        var token = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        var content = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
        foreach (var (key, value) in fields) content.Add(new StringContent(value), key);
        if (file is { } f) content.Add(new ByteArrayContent(f.Content), "EvidenceFile", f.Name);
        var post = new HttpRequestMessage(HttpMethod.Post, postPath) { Content = content };
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        return await client.SendAsync(post);
    }

    private static List<Match> Lines(string html, string source) =>
        Regex.Matches(html, $"""<li data-testid="timeline-item" data-source="{source}">(.*?)</li>""", RegexOptions.Singleline).ToList();

    [Fact]
    public async Task MilestonesMarkedDoneAndReopened_AreOnTheTimeline_WithTheirEvidence_OnThePageAndInTheApi_FilteredByKind()
    {
        var milestones = await app.Services.GetRequiredService<IOnboardingStore>().ListForProspectAsync(prospectId, default);
        var (policy, risk) = (milestones.Single(m => m.Key == "policy"), milestones.Single(m => m.Key == "risk"));
        byte[] pdf = [0x25, 0x50, 0x44, 0x46, 0x2D];
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync($"/prospects/{prospectId}/onboarding?handler=Done&milestoneId={policy.Id}",
            new() { ["DoneOn"] = "2026-11-17", ["EvidenceUrl"] = "https://goud.example/beleid?jaar=2026&taal=nl" })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync($"/prospects/{prospectId}/onboarding?handler=Done&milestoneId={risk.Id}",
            new() { ["DoneOn"] = "2026-11-16", ["EvidenceUrl"] = "" }, ("risico & <analyse>.pdf", pdf))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync($"/prospects/{prospectId}/onboarding?handler=Reopen&milestoneId={risk.Id}",
            new() { ["Reason"] = "<b>Last</b> year's analysis" })).StatusCode);

        // The page, filtered to onboarding: two created, two done, one reopened; nothing else.
        var html = await client.GetStringAsync($"/prospects/{prospectId}?kind=onboarding");
        var lines = Lines(html, "onboarding");
        Assert.Equal(5, lines.Count);
        Assert.Empty(Lines(html, "stage"));
        Assert.Contains("checked=\"checked\" /> Onboarding milestones", html, StringComparison.Ordinal);
        var policyDone = Assert.Single(lines, l => l.Value.Contains("Milestone marked done: RBC policy published", StringComparison.Ordinal)).Value;
        Assert.Contains("done on 17 Nov 2026", policyDone, StringComparison.Ordinal);
        Assert.Contains("href=\"https://goud.example/beleid?jaar=2026&amp;taal=nl\"", policyDone, StringComparison.Ordinal);
        var riskDone = Assert.Single(lines, l => l.Value.Contains("Milestone marked done: Risk analysis delivered", StringComparison.Ordinal)).Value;
        Assert.Contains("done on 16 Nov 2026", riskDone, StringComparison.Ordinal);
        var file = FileLink().Match(riskDone);
        Assert.True(file.Success, riskDone);
        Assert.Equal("risico &amp; &lt;analyse&gt;.pdf", file.Groups[2].Value);
        // The file's link is the onboarding panel's download, and it gives the file back.
        var download = await client.GetAsync(System.Net.WebUtility.HtmlDecode(file.Groups[1].Value));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(pdf, await download.Content.ReadAsByteArrayAsync());
        var reopened = Assert.Single(lines, l => l.Value.Contains("Milestone reopened: Risk analysis delivered", StringComparison.Ordinal)).Value;
        Assert.Contains("&lt;b&gt;Last&lt;/b&gt; year&#x27;s analysis", reopened, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Last</b>", html, StringComparison.Ordinal);
        Assert.Equal(2, lines.Count(l => l.Value.Contains("Milestone created: ", StringComparison.Ordinal)));

        // Unfiltered, the milestones are among the stage changes; in Dutch, with the Dutch names.
        var everything = await client.GetStringAsync($"/prospects/{prospectId}");
        Assert.Equal(5, Lines(everything, "onboarding").Count);
        Assert.NotEmpty(Lines(everything, "stage"));
        var dutch = await client.GetStringAsync($"/prospects/{prospectId}?kind=onboarding&culture=nl");
        Assert.Contains("Mijlpaal gemarkeerd als gedaan: IMVO-beleid gepubliceerd", dutch, StringComparison.Ordinal);
        Assert.Contains("Mijlpaal heropend: Risicoanalyse geleverd", dutch, StringComparison.Ordinal);
        Assert.Contains("> Onboardingmijlpalen", dutch, StringComparison.Ordinal);

        // The API, filtered by kind: the same five lines with their fields.
        var api = await client.GetFromJsonAsync<JsonElement>($"/api/prospects/{prospectId}/timeline?kind=onboarding");
        var items = api.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(5, items.Count);
        Assert.All(items, i => Assert.Equal(("onboarding", "onboarding_milestone"), (i.GetProperty("kind").GetString(), i.GetProperty("source").GetString())));
        var apiPolicy = items.Single(i => i.GetProperty("code").GetString() == "done" && i.GetProperty("title").GetString() == "RBC policy published");
        Assert.Equal(("IMVO-beleid gepubliceerd", "2026-11-17", "https://goud.example/beleid?jaar=2026&taal=nl"),
            (apiPolicy.GetProperty("titleNl").GetString(), apiPolicy.GetProperty("day").GetString(), apiPolicy.GetProperty("link").GetString()));
        var apiRisk = items.Single(i => i.GetProperty("code").GetString() == "done" && i.GetProperty("title").GetString() == "Risk analysis delivered");
        Assert.Equal("risico & <analyse>.pdf", apiRisk.GetProperty("place").GetString());
        Assert.Equal(JsonValueKind.Number, apiRisk.GetProperty("relatedId").ValueKind);
        Assert.Equal("<b>Last</b> year's analysis", items.Single(i => i.GetProperty("code").GetString() == "reopened").GetProperty("text").GetString());
        var all = await client.GetFromJsonAsync<JsonElement>($"/api/prospects/{prospectId}/timeline?kind=onboarding,stage&pageSize=200");
        Assert.Equal(["onboarding", "stage"], all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()).Distinct().Order());

        // Unknown kinds are still refused.
        var bad = await client.GetAsync($"/api/prospects/{prospectId}/timeline?kind=onboarding,milestones");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("onboarding", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
