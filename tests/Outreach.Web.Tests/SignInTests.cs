using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Web.Access;

namespace Outreach.Web.Tests;

/// <summary>Sign-in through the real form: passwords checked with the framework's hasher, lock-out after repeated failures.</summary>
public sealed partial class SignInTests : IAsyncLifetime
{
    private readonly OutreachAppFactory app = new();

    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial Regex Token();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string user, string password)
    {
        var form = await client.GetAsync("/account/login");
        var token = Token().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        var post = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["UserName"] = user, ["Password"] = password, ["__RequestVerificationToken"] = token }),
        };
        return await client.SendAsync(post);
    }

    [Fact]
    public async Task RightPassword_SignsIn_WrongOnesLockTheAccountForAQuarterOfAnHour()
    {
        var (_, password) = await app.Services.GetRequiredService<AccessService>().CreateUserAsync("anne", "Anne de Vries", Role.Secretariat, default);
        var client = app.CreateClientAs(null);

        var ok = await SignInAsync(client, "ANNE", password);
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        Assert.Equal("/board", ok.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/board")).StatusCode);
        // The JSON API does not take the cookie (its posts have no antiforgery token): integrations use keys.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/prospects")).StatusCode);

        var other = app.CreateClientAs(null);
        for (var i = 0; i < Lockout.MaxFailures; i++)
        {
            var wrong = await SignInAsync(other, "anne", "guess" + i);
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var locked = await SignInAsync(other, "anne", password);
        Assert.Contains("locked for 15 minutes", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/prospects")).StatusCode);

        app.Clock.Advance(Lockout.Duration + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(other, "anne", password)).StatusCode);
    }

    [Fact]
    public async Task AnUnknownUser_GetsTheSameAnswerAsAWrongPassword()
    {
        await app.Services.GetRequiredService<AccessService>().CreateUserAsync("bram", "Bram Jansen", Role.Manager, default);
        var client = app.CreateClientAs(null);
        var unknown = await (await SignInAsync(client, "nobody", "x")).Content.ReadAsStringAsync();
        var wrong = await (await SignInAsync(client, "bram", "x")).Content.ReadAsStringAsync();
        Assert.Contains("Wrong user name or password.", unknown, StringComparison.Ordinal);
        Assert.Contains("Wrong user name or password.", wrong, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_AndErrors_CarryTheSecurityHeaders()
    {
        var client = app.CreateClientAs(null);
        foreach (var path in new[] { "/account/login", "/api/prospects", "/health" })
        {
            var response = await client.GetAsync(path);
            Assert.Equal(Hosting.SecurityHeaders.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
        }
    }

    [Fact]
    public async Task TheSignInPage_IsRateLimited()
    {
        var client = app.CreateClientAs(null);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 35; i++) statuses.Add((await client.GetAsync("/account/login")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task PasswordsAreStoredOnlyAsHashes()
    {
        var (_, password) = await app.Services.GetRequiredService<AccessService>().CreateUserAsync("eva", "Eva Bakker", Role.Administrator, default);
        var user = await app.Services.GetRequiredService<IAccessStore>().FindUserAsync("eva", default);
        Assert.NotNull(user);
        Assert.DoesNotContain(password, user.PasswordHash, StringComparison.Ordinal);
        Assert.StartsWith("AQAAAA", user.PasswordHash, StringComparison.Ordinal);
    }
}
