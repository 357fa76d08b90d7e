using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Core.Onboarding;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>
/// Issue 14 point 2 through the real host: the plan page counts the signed parties without milestones (they signed before
/// the covenant had a plan) and its button creates theirs, for the secretariat only, with the form token, once.
/// </summary>
public sealed partial class OnboardingWebTests
{
    /// <summary>A covenant "silver" whose two companies signed (on the host's day, 18 November 2026) before it had a plan, which it has now.</summary>
    private async Task<(long Covenant, long First, long Second)> SignedBeforeThePlanAsync()
    {
        var silver = (await app.Services.GetRequiredService<Core.Prospects.IProspectStore>().AddCovenantAsync("silver", "Silver Sector", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default)).Id;
        var first = await SignedInAsync("Zilver Een B.V.", "silver");
        var second = await SignedInAsync("Zilver Twee B.V.", "silver");
        Assert.Empty(await app.Services.GetRequiredService<IOnboardingStore>().ListForProspectAsync(first, default));
        var saved = await PostFormAsync($"/covenants/{silver}/onboarding", $"/covenants/{silver}/onboarding", PlanFields());
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        return (silver, first, second);
    }

    private async Task<long> SignedInAsync(string name, string covenant)
    {
        var created = await client.PostAsJsonAsync("/api/prospects", new { name, partyKind = "company", sector = "jewellery", owner = "Anne", covenant });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        foreach (var stage in new[] { "contacted", "engaged", "intake", "signing_scheduled", "signed" })
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/prospects/{id}/stage", new { stage, reason = "Next step" })).StatusCode);
        return id;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var c = await app.Services.GetRequiredService<Database>().OpenAsync(default);
        return await c.ExecuteScalarAsync<long>(sql);
    }

    [Fact]
    public async Task ThePlanPage_CountsTheSignedPartiesWithoutMilestones_ItsButtonCreatesThem_AndASecondPressCreatesNothing()
    {
        var (silver, first, second) = await SignedBeforeThePlanAsync();
        var panel = await (await client.GetAsync($"/prospects/{first}")).Content.ReadAsStringAsync();
        Assert.Contains("This party signed before its covenant had an onboarding plan.", panel, StringComparison.Ordinal);
        Assert.Contains($"href=\"/covenants/{silver}/onboarding\" data-testid=\"onboarding-plan-link\"", panel, StringComparison.Ordinal);
        var page = await (await client.GetAsync($"/covenants/{silver}/onboarding")).Content.ReadAsStringAsync();
        Assert.Contains("2 signed parties have no milestones yet.", page, StringComparison.Ordinal);
        Assert.Contains("Zilver Een B.V., Zilver Twee B.V.", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"create-missing-milestones\"", page, StringComparison.Ordinal);
        // The gold covenant's party signed under its plan: nothing missing there.
        Assert.DoesNotContain("data-testid=\"missing-milestones\"", await (await client.GetAsync($"/covenants/{covenantId}/onboarding")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var pressed = await PostFormAsync($"/covenants/{silver}/onboarding", $"/covenants/{silver}/onboarding?handler=CreateMilestones", new());

        Assert.Equal(HttpStatusCode.Redirect, pressed.StatusCode);
        var store = app.Services.GetRequiredService<IOnboardingStore>();
        // Signed on 18 November 2026 (year 4), first monitored in year 5: the policy 12 months on, the risk analysis 18, year 5's training.
        foreach (var party in new[] { first, second })
        {
            Assert.Equal([("training", (int?)5, new DateOnly(2027, 11, 1)), ("policy", null, new DateOnly(2027, 11, 18)), ("risk", null, new DateOnly(2028, 5, 18))],
                (await store.ListForProspectAsync(party, default)).Select(m => (m.Key, m.Year, m.DueOn)));
        }

        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM audit_entry WHERE action = 'milestones_created'"));
        Assert.DoesNotContain("data-testid=\"missing-milestones\"", await (await client.GetAsync($"/covenants/{silver}/onboarding")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("0 of 2 done", await (await client.GetAsync($"/prospects/{first}")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var before = await StateAsync();
        var again = await PostFormAsync($"/covenants/{silver}/onboarding", $"/covenants/{silver}/onboarding?handler=CreateMilestones", new());
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task TheMissingMilestonesButton_WithoutItsToken_OrByAManager_IsRefused_AndCreatesNothing_AnUnknownCovenantIsNotFound()
    {
        var (silver, _, _) = await SignedBeforeThePlanAsync();
        var path = $"/covenants/{silver}/onboarding?handler=CreateMilestones";
        // Made first: giving the manager a key is audited.
        var manager = app.CreateClientAs(Role.Manager);
        var before = await StateAsync();

        var tokenless = await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.BadRequest, tokenless.StatusCode);

        var page = await manager.GetAsync($"/covenants/{silver}/onboarding");
        var html = await page.Content.ReadAsStringAsync();
        // The manager reads the count but is offered no button.
        Assert.Contains("2 signed parties have no milestones yet.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"create-missing-milestones\"", html, StringComparison.Ordinal);
        var post = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Token().Match(html).Groups[1].Value }),
        };
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        var byManager = await manager.SendAsync(post);
        var denied = byManager.StatusCode == HttpStatusCode.Forbidden
            || (byManager.StatusCode == HttpStatusCode.Redirect && byManager.Headers.Location?.OriginalString.Contains("/account/denied", StringComparison.Ordinal) == true);
        Assert.True(denied, $"A manager could create the milestones: {(int)byManager.StatusCode}");

        Assert.Equal(HttpStatusCode.NotFound, (await PostFormAsync($"/covenants/{silver}/onboarding", "/covenants/999999/onboarding?handler=CreateMilestones", new())).StatusCode);
        Assert.Equal(before, await StateAsync());
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM onboarding_milestone m JOIN pipeline_entry e ON e.id = m.entry_id JOIN covenant c ON c.id = e.covenant_id WHERE c.code = 'silver'"));
    }
}
