using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Outreach.Web.Tests;

/// <summary>The key ring lives in the database, so a form served by one node can be posted to another.</summary>
public sealed partial class DataProtectionTests
{
    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial Regex Token();

    [Fact]
    public async Task AFormFromOneNode_IsAcceptedByAnotherNodeOnTheSameDatabase()
    {
        await using var first = new OutreachAppFactory(seedDemo: true);
        var a = first.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        var page = await a.GetAsync("/board");
        var html = await page.Content.ReadAsStringAsync();
        var token = Token().Match(html).Groups[1].Value;
        var cookie = page.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal)).Split(';')[0];
        Assert.NotEmpty(token);

        await using var second = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Storage:DataFolder", first.DataFolder);
            b.UseSetting("Outreach:SeedDemoDataOnFirstStart", "false");
            b.UseSetting("Jobs:RunSchedules", "false");
        });
        var b2 = second.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        // The same caller on the other node (antiforgery tokens are bound to who asked for them); its key is in the shared database.
        b2.DefaultRequestHeaders.Add(Access.ApiKeyAuthenticationHandler.Header, first.KeyFor(Core.Access.Role.Secretariat));
        var post = new HttpRequestMessage(HttpMethod.Post, "/language")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["culture"] = "nl", ["returnUrl"] = "/board", ["__RequestVerificationToken"] = token }),
        };
        post.Headers.Add("Cookie", cookie);
        var response = await b2.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var forged = new HttpRequestMessage(HttpMethod.Post, "/language")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["culture"] = "nl", ["returnUrl"] = "/board" }),
        };
        Assert.Equal(HttpStatusCode.BadRequest, (await b2.SendAsync(forged)).StatusCode);
    }
}
