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

        // Locked: the right password no longer signs in.
        var locked = await SignInAsync(other, "anne", password);
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.Contains(Refusal, await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/prospects")).StatusCode);

        app.Clock.Advance(Lockout.Duration + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(other, "anne", password)).StatusCode);
    }

    private const string Refusal = "Wrong user name or password, or the account is locked for 15 minutes after repeated failures.";

    [Fact]
    public async Task UnknownUsers_WrongPasswords_LockedAndDisabledAccounts_AllGetTheSameAnswer()
    {
        var access = app.Services.GetRequiredService<AccessService>();
        var store = app.Services.GetRequiredService<IAccessStore>();
        await access.CreateUserAsync("bram", "Bram Jansen", Role.Manager, default);
        var (locked, _) = await access.CreateUserAsync("lotte", "Lotte", Role.Manager, default);
        for (var i = 0; i < Lockout.MaxFailures; i++) await store.RecordFailedSignInAsync(locked.Id, app.Clock.GetUtcNow(), default);
        var (disabled, disabledPassword) = await access.CreateUserAsync("dirk", "Dirk", Role.Manager, default);
        await store.SetDisabledAsync(disabled.Id, app.Clock.GetUtcNow(), default);

        var client = app.CreateClientAs(null);
        var answers = new List<string>();
        foreach (var (user, password) in new[] { ("nobody", "x"), ("bram", "x"), ("lotte", "x"), ("dirk", disabledPassword) })
        {
            var response = await SignInAsync(client, user, password);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Contains(Refusal, text, StringComparison.Ordinal);
            answers.Add(Token().Replace(text, "").Replace($"value=\"{user}\"", "value=\"\"", StringComparison.Ordinal));
        }

        // Apart from the form token, the pages are identical.
        Assert.Single(answers.Distinct());
    }

    [Fact]
    public async Task DisablingAUser_ResettingTheirPassword_OrChangingTheirRole_EndsTheirSessionAtTheNextRequest()
    {
        var access = app.Services.GetRequiredService<AccessService>();
        var store = app.Services.GetRequiredService<IAccessStore>();
        var (user, password) = await access.CreateUserAsync("sanne", "Sanne", Role.Secretariat, default);

        async Task<HttpClient> SignedInAsync(string pw)
        {
            var client = app.CreateClientAs(null);
            Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(client, "sanne", pw)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/board")).StatusCode);
            return client;
        }

        static async Task AssertSignedOutAsync(HttpClient client)
        {
            var response = await client.GetAsync("/board");
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/account/login", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        var first = await SignedInAsync(password);
        await store.SetDisabledAsync(user.Id, app.Clock.GetUtcNow(), default);
        await AssertSignedOutAsync(first);
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(app.CreateClientAs(null), "sanne", password)).StatusCode);

        await store.SetDisabledAsync(user.Id, null, default);
        var second = await SignedInAsync(password);
        var (_, newPassword) = (await access.ResetPasswordAsync(user.Id, default))!.Value;
        await AssertSignedOutAsync(second);
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(app.CreateClientAs(null), "sanne", password)).StatusCode);

        var third = await SignedInAsync(newPassword);
        await store.UpdateUserAsync(user.Id, "Sanne", Role.Manager, default);
        await AssertSignedOutAsync(third);
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
