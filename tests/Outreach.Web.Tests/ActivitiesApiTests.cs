using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>POST /api/prospects/{id}/activities and GET /api/prospects/{id}/timeline through the real host, on both engines.</summary>
public abstract partial class ActivitiesApiContract(StorageEngine engine) : IAsyncLifetime
{
    private OutreachAppFactory factory = null!;
    private HttpClient client = null!;
    private long prospectId;

    public async Task InitializeAsync()
    {
        factory = new OutreachAppFactory(engine);
        client = factory.CreateClientAs(Core.Access.Role.Secretariat);
        await factory.Services.GetRequiredService<Core.Prospects.IProspectStore>().AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
        var created = await client.PostAsJsonAsync("/api/prospects", new { name = "Api Gold", partyKind = "company", sector = "jewellery", owner = "Anne", covenant = "gold" });
        prospectId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public async Task LogACallWithAFollowUp_ItIsOnTheTimeline_AndTheFollowUpIsTheNextAction()
    {
        var response = await client.PostAsJsonAsync($"/api/prospects/{prospectId}/activities", new
        {
            kind = "call", direction = "outgoing", outcome = "left_message", durationMinutes = 2, text = "Voicemail", followUp = "Call again", followUpDue = "2027-01-05",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var activity = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("call", "left_message", "outreach"), (activity.GetProperty("kind").GetString(), activity.GetProperty("outcome").GetString(), activity.GetProperty("origin").GetString()));

        var prospect = await client.GetFromJsonAsync<JsonElement>($"/api/prospects/{prospectId}");
        Assert.Equal("Call again", prospect.GetProperty("prospect").GetProperty("nextAction").GetString());

        var timeline = await client.GetFromJsonAsync<JsonElement>($"/api/prospects/{prospectId}/timeline");
        var items = timeline.GetProperty("items");
        Assert.Equal(["activity", "stage"], items.EnumerateArray().Select(i => i.GetProperty("kind").GetString()));
        Assert.Equal("Voicemail", items[0].GetProperty("text").GetString());

        var firstPage = await client.GetFromJsonAsync<JsonElement>($"/api/prospects/{prospectId}/timeline?pageSize=1");
        var next = firstPage.GetProperty("next").GetString();
        var second = await client.GetFromJsonAsync<JsonElement>($"/api/prospects/{prospectId}/timeline?pageSize=1&after={Uri.EscapeDataString(next!)}");
        Assert.Equal("stage_change", second.GetProperty("items")[0].GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);

        var stagesOnly = await client.GetFromJsonAsync<JsonElement>($"/api/prospects/{prospectId}/timeline?kind=stage,reply");
        Assert.Equal(["stage"], stagesOnly.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()));
    }

    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial System.Text.RegularExpressions.Regex Token();

    /// <summary>The officer's path in the UI: the prospect page's form, then the call on the timeline and its follow-up in My day.</summary>
    [Fact]
    public async Task TheProspectPageForm_LogsACallWithAFollowUp_ShownOnTheTimelineAndInMyDay()
    {
        var page = await client.GetAsync($"/prospects/{prospectId}");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"activity-form\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"activity-free-text-note\"", html, StringComparison.Ordinal);
        var post = new HttpRequestMessage(HttpMethod.Post, $"/prospects/{prospectId}/activities")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = Token().Match(html).Groups[1].Value, ["Input.Kind"] = "call", ["Input.Direction"] = "outgoing", ["Input.Outcome"] = "reached",
                ["Input.Text"] = "Wants the <b>brochure</b>", ["Input.FollowUp"] = "Send the brochure", ["Input.FollowUpDue"] = "2026-11-18",
            }),
        };
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        var response = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var after = await client.GetStringAsync($"/prospects/{prospectId}");
        Assert.Contains("Wants the &lt;b&gt;brochure&lt;/b&gt;", after, StringComparison.Ordinal);
        Assert.Contains("data-source=\"activity\"", after, StringComparison.Ordinal);
        // The factory's clock is 18 November 2026: the follow-up is due today, and the prospect's owner is the signed-in person's colleague Anne.
        var day = await client.GetStringAsync("/my-day?owner=Anne");
        Assert.Contains("Send the brochure", day, StringComparison.Ordinal);
        Assert.Contains($"href=\"/prospects/{prospectId}\"", day, StringComparison.Ordinal);
    }

    /// <summary>The board card's quick form (issue 15 pt 1): back to the board after a call; any other return address is not followed.</summary>
    [Theory]
    [InlineData("board", "/board")]
    [InlineData("https://evil.example/", null)]
    [InlineData("/admin", null)]
    public async Task TheBoardCardForm_LogsACall_AndGoesBackToTheBoardOnly(string returnTo, string? expected)
    {
        var page = await client.GetAsync("/board");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains($"action=\"/prospects/{prospectId}/activities\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"card-log-form\"", html, StringComparison.Ordinal);
        var post = new HttpRequestMessage(HttpMethod.Post, $"/prospects/{prospectId}/activities")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = Token().Match(html).Groups[1].Value, ["returnTo"] = returnTo, ["Input.Kind"] = "call", ["Input.Direction"] = "incoming",
                ["Input.Outcome"] = "reached", ["Input.Text"] = "Called back from the board", ["Input.FollowUp"] = "Send the invoice", ["Input.FollowUpDue"] = "",
            }),
        };
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        var response = await client.SendAsync(post);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected ?? $"/prospects/{prospectId}#timeline", response.Headers.Location?.OriginalString);
        var prospect = await client.GetFromJsonAsync<JsonElement>($"/api/prospects/{prospectId}");
        Assert.Equal("Send the invoice", prospect.GetProperty("prospect").GetProperty("nextAction").GetString());
    }

    [Theory]
    [InlineData("kind=%3Cscript%3E")]
    [InlineData("after=1.2")]
    [InlineData("after=99999999999999999999.9.1")]
    [InlineData("after=1.999.1")]
    [InlineData("pageSize=0")]
    [InlineData("pageSize=100000")]
    public async Task Timeline_RefusesABadQuery_WithAProblem(string query)
    {
        var response = await client.GetAsync($"/api/prospects/{prospectId}/timeline?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UnknownProspects_AreNotFound_AndAManagerMayReadButNotLog()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/prospects/999999/timeline")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/api/prospects/999999/activities", new { kind = "note", text = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync($"/api/prospects/{prospectId}/activities", new { kind = "note", text = "x", corrects = 424242 })).StatusCode);

        using var manager = factory.CreateClientAs(Core.Access.Role.Manager);
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync($"/api/prospects/{prospectId}/timeline")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostAsJsonAsync($"/api/prospects/{prospectId}/activities", new { kind = "note", text = "x" })).StatusCode);
        using var nobody = factory.CreateClientAs(null);
        Assert.Contains((await nobody.GetAsync($"/api/prospects/{prospectId}/timeline")).StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Redirect });
    }
}

public sealed class SqliteActivitiesApiTests() : ActivitiesApiContract(StorageEngine.Sqlite);

public sealed class PostgresActivitiesApiTests() : ActivitiesApiContract(StorageEngine.Postgres);
