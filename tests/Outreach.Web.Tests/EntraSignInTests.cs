using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Core.Audit;
using Outreach.Web.Access;

namespace Outreach.Web.Tests;

/// <summary>The host with Access:Entra pointing at a <see cref="LocalEntraIssuer"/> (started on the host's fake clock).</summary>
public sealed class EntraAppFactory : OutreachAppFactory
{
    private readonly bool localPasswords;

    public EntraAppFactory(bool localPasswords = true)
    {
        this.localPasswords = localPasswords;
        Issuer = LocalEntraIssuer.StartAsync(Clock).GetAwaiter().GetResult();
    }

    public LocalEntraIssuer Issuer { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Access:Entra:TenantId", LocalEntraIssuer.TenantId);
        builder.UseSetting("Access:Entra:ClientId", LocalEntraIssuer.ClientId);
        builder.UseSetting("Access:Entra:ClientSecret", LocalEntraIssuer.ClientSecret);
        builder.UseSetting("Access:Entra:Authority", Issuer.Authority);
        builder.UseSetting("Access:Entra:LocalPasswords", localPasswords ? "true" : "false");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Issuer.DisposeAsync();
    }
}

/// <summary>
/// A browser for the sign-in round trip: Outreach through the test server (over https, as the OpenID Connect correlation
/// cookies are Secure), the issuer over real HTTP on 127.0.0.1, and one cookie jar that keeps cookies by name (the jar of
/// HttpClient would drop them: the host's clock is a fake one in the past, so their expiry dates have passed in real time).
/// </summary>
public sealed partial class EntraBrowser : IDisposable
{
    private readonly HttpClient outreach;
    private readonly HttpClient identity = new(new HttpClientHandler { AllowAutoRedirect = false });
    private readonly Dictionary<string, string> cookies = new(StringComparer.Ordinal);

    public EntraBrowser(OutreachAppFactory app)
    {
        outreach = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://localhost") });
        outreach.DefaultRequestHeaders.Remove(ApiKeyAuthenticationHandler.Header);
    }

    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial Regex Token();

    [GeneratedRegex("""<form method="post" action="([^"]+)">""")]
    private static partial Regex FormAction();

    [GeneratedRegex("""<input type="hidden" name="([^"]+)" value="([^"]*)"/>""")]
    private static partial Regex HiddenField();

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
        var response = await outreach.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var set))
        {
            foreach (var line in set)
            {
                var pair = line.Split(';')[0];
                var at = pair.IndexOf('=', StringComparison.Ordinal);
                var (name, value) = (pair[..at].Trim(), pair[(at + 1)..].Trim());
                if (value.Length == 0 || line.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)) cookies.Remove(name);
                else cookies[name] = value;
            }
        }

        return response;
    }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    /// <summary>Posts a form of the page at <paramref name="formPage"/>, with that page's antiforgery token.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string formPage, string action, Dictionary<string, string> fields)
    {
        var page = await GetAsync(formPage);
        fields["__RequestVerificationToken"] = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) });
    }

    /// <summary>"Sign in with Microsoft", the issuer's form_post page, and Outreach's answer to it (a redirect, to the board or a refusal).</summary>
    public async Task<HttpResponseMessage> SignInWithMicrosoftAsync()
    {
        var challenge = await PostFormAsync("/account/login", "/account/login?handler=Microsoft", new() { ["ReturnUrl"] = "/board" });
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.Equal("127.0.0.1", authorize.Host);
        var page = await identity.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var action = WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value);
        Assert.Equal("https://localhost/signin-oidc", action);
        var fields = HiddenField().Matches(html).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) });
    }

    public void Dispose()
    {
        outreach.Dispose();
        identity.Dispose();
    }
}

/// <summary>Entra ID sign-in (issue 17 point 1) against a local OpenID Connect issuer: roles, provisioning, refusals, the API's bearer tokens.</summary>
public sealed class EntraSignInTests : IAsyncLifetime
{
    private readonly EntraAppFactory app = new();

    private static readonly EntraTestUser Jan = new("11111111-aaaa-4bbb-8ccc-000000000001", "Jan.Jansen@Contoso.test", "Jan Jansen", "secretariat");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    private IAccessStore Users => app.Services.GetRequiredService<IAccessStore>();

    private async Task<EntraBrowser> SignedInAsync(EntraTestUser user)
    {
        var browser = new EntraBrowser(app);
        app.Issuer.User = user;
        var answer = await browser.SignInWithMicrosoftAsync();
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/board", answer.Headers.Location?.OriginalString);
        return browser;
    }

    private static async Task AssertRefusedAsync(EntraBrowser browser, HttpResponseMessage answer, string reason, string message)
    {
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal($"/account/refused?reason={reason}", answer.Headers.Location?.OriginalString);
        var page = await browser.GetAsync(answer.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Contains(message, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // No session came of it.
        var board = await browser.GetAsync("/board");
        Assert.Equal(HttpStatusCode.Redirect, board.StatusCode);
        Assert.StartsWith("/account/login", board.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AUserWithAnAppRole_SignsIn_IsProvisionedWithThatRole_AndUpdatedAtTheNextSignIn()
    {
        using var browser = await SignedInAsync(Jan);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/board")).StatusCode);
        var user = await Users.FindUserAsync("jan.jansen@contoso.test", default);
        Assert.NotNull(user);
        Assert.Equal(Role.Secretariat, user.Role);
        Assert.Equal("Jan Jansen", user.DisplayName);
        Assert.Equal(Jan.ObjectId, user.EntraObjectId);
        Assert.Equal(LocalEntraIssuer.TenantId, user.EntraTenantId);
        // The JSON API never takes the cookie, whichever way it was got.
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/prospects")).StatusCode);

        // Keyed by the object id: a new name, address and role in Entra update the same account.
        using var again = await SignedInAsync(Jan with { UserName = "jan.jansen-devries@contoso.test", DisplayName = "Jan Jansen-de Vries", Roles = ["manager", "administrator"] });
        var updated = await Users.GetUserAsync(user.Id, default);
        Assert.Equal(("jan.jansen-devries@contoso.test", "Jan Jansen-de Vries", Role.Administrator), (updated!.UserName, updated.DisplayName, updated.Role));
        Assert.Single(await Users.ListUsersAsync(default), u => u.EntraObjectId == Jan.ObjectId);
        var users = await again.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        // Marked on the users page, without a password to reset.
        var usersPage = await users.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"entra-jan.jansen-devries@contoso.test\"", usersPage, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"reset-jan.jansen-devries@contoso.test\"", usersPage, StringComparison.Ordinal);
        // The first session had the old role and name: it ends, as after any change to the account.
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/board")).StatusCode);
    }

    [Fact]
    public async Task ATokenWithoutAnOutreachRole_IsRefusedWithAClearPage_AndProvisionsNobody()
    {
        using var browser = new EntraBrowser(app);
        app.Issuer.User = Jan with { Roles = ["reader-of-something-else"] };
        var answer = await browser.SignInWithMicrosoftAsync();
        await AssertRefusedAsync(browser, answer, EntraRefusal.NoRole, "Your Microsoft account has no Outreach role.");
        Assert.Null(await Users.FindUserAsync("jan.jansen@contoso.test", default));
    }

    [Fact]
    public async Task AnExpiredIdToken_IsRefused()
    {
        using var browser = new EntraBrowser(app);
        app.Issuer.User = Jan;
        app.Issuer.IdTokenAge = TimeSpan.FromHours(2);
        var answer = await browser.SignInWithMicrosoftAsync();
        await AssertRefusedAsync(browser, answer, EntraRefusal.Failed, "Sign-in with Microsoft did not succeed.");
        Assert.Null(await Users.FindUserAsync("jan.jansen@contoso.test", default));

        // The same sign-in with a fresh token succeeds: it was the expiry that was refused.
        app.Issuer.IdTokenAge = TimeSpan.Zero;
        using var _ = await SignedInAsync(Jan);
    }

    [Fact]
    public async Task AnIdTokenForAnotherAudience_IsRefused()
    {
        using var browser = new EntraBrowser(app);
        app.Issuer.User = Jan;
        app.Issuer.IdTokenAudience = "another-app-in-the-tenant";
        var answer = await browser.SignInWithMicrosoftAsync();
        await AssertRefusedAsync(browser, answer, EntraRefusal.Failed, "Sign-in with Microsoft did not succeed.");
        Assert.Null(await Users.FindUserAsync("jan.jansen@contoso.test", default));
    }

    [Fact]
    public async Task AUserWhoseRoleWasRemoved_IsDisabledAtTheirNextSignIn_AndTheirOpenSessionEnds()
    {
        using var first = await SignedInAsync(Jan with { Roles = ["manager"] });
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/board")).StatusCode);
        var user = (await Users.FindUserAsync("jan.jansen@contoso.test", default))!;

        // The app role is taken away in Entra; Jan signs in again (elsewhere).
        using var second = new EntraBrowser(app);
        app.Issuer.User = Jan with { Roles = [] };
        await AssertRefusedAsync(second, await second.SignInWithMicrosoftAsync(), EntraRefusal.NoRole, "Your Microsoft account has no Outreach role.");
        Assert.NotNull((await Users.GetUserAsync(user.Id, default))!.DisabledAt);
        // The session that was open ends at its next request.
        var board = await first.GetAsync("/board");
        Assert.Equal(HttpStatusCode.Redirect, board.StatusCode);
        Assert.StartsWith("/account/login", board.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        // A role given back does not undo a disabling: an Outreach administrator enables the account.
        using var third = new EntraBrowser(app);
        app.Issuer.User = Jan;
        await AssertRefusedAsync(third, await third.SignInWithMicrosoftAsync(), EntraRefusal.Disabled, "Your Outreach account is disabled.");
        await Users.SetDisabledAsync(user.Id, null, default);
        using var fourth = await SignedInAsync(Jan);
        Assert.Equal(HttpStatusCode.OK, (await fourth.GetAsync("/board")).StatusCode);
    }

    [Fact]
    public async Task TheAuditNamesTheEntraUser_ForTheirProvisioningAndForWhatTheyDo()
    {
        var (local, _) = await app.Services.GetRequiredService<AccessService>().CreateUserAsync("piet", "Piet", Role.Manager, default);
        var ada = new EntraTestUser("22222222-aaaa-4bbb-8ccc-000000000002", "ada@contoso.test", "Ada Admin", "administrator");
        using var browser = await SignedInAsync(ada);
        var adaAccount = (await Users.FindUserAsync("ada@contoso.test", default))!;

        var disable = await browser.PostFormAsync("/admin/users", $"/admin/users?handler=Disable&id={local.Id}", []);
        Assert.Equal(HttpStatusCode.Redirect, disable.StatusCode);
        Assert.NotNull((await Users.GetUserAsync(local.Id, default))!.DisabledAt);

        var audit = app.Services.GetRequiredService<IAuditLog>();
        var created = (await audit.SearchAsync(new AuditFilter { Entity = AuditEntities.User, EntityId = adaAccount.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, 1, 50, default)).Items;
        Assert.Contains(created, e => e.Action == "created" && e.Actor == "Entra ID (ada@contoso.test)");
        var disabled = (await audit.SearchAsync(new AuditFilter { Entity = AuditEntities.User, EntityId = local.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, 1, 50, default)).Items;
        Assert.Contains(disabled, e => e.Action == "disabled" && e.Actor == "Ada Admin (ada@contoso.test)");
    }

    [Fact]
    public async Task AnEntraUser_CannotSignInWithAPassword_EvenOneSetOnTheirAccount()
    {
        using var _ = await SignedInAsync(Jan);
        var user = (await Users.FindUserAsync("jan.jansen@contoso.test", default))!;
        var (_, password) = (await app.Services.GetRequiredService<AccessService>().ResetPasswordAsync(user.Id, default))!.Value;
        Assert.NotEqual(SignInOutcome.SignedIn, (await app.Services.GetRequiredService<AccessService>().SignInAsync("jan.jansen@contoso.test", password, default)).Outcome);
    }

    [Fact]
    public async Task ABearerTokenWithAnAppRole_CallsTheApi_WithoutARoleOrForAnotherAudience_IsRefused()
    {
        app.Issuer.AddApplication("crm-sync", "crm-secret", "secretariat");
        app.Issuer.AddApplication("dashboard", "dash-secret", "manager");
        app.Issuer.AddApplication("nobody", "nobody-secret", "something-else");
        var scope = $"api://{LocalEntraIssuer.ClientId}/.default";
        var client = app.CreateClientAs(null);

        async Task<HttpStatusCode> CallAsync(HttpMethod method, string path, string token)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (method == HttpMethod.Post) request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            return (await client.SendAsync(request)).StatusCode;
        }

        var secretariat = await app.Issuer.ApplicationTokenAsync("crm-sync", "crm-secret", scope);
        Assert.Equal(HttpStatusCode.OK, await CallAsync(HttpMethod.Get, "/api/prospects", secretariat));
        // The manager role reads, and may not change anything.
        var manager = await app.Issuer.ApplicationTokenAsync("dashboard", "dash-secret", scope);
        Assert.Equal(HttpStatusCode.OK, await CallAsync(HttpMethod.Get, "/api/prospects", manager));
        Assert.Equal(HttpStatusCode.Forbidden, await CallAsync(HttpMethod.Post, "/api/prospects", manager));
        // No Outreach role, another audience, or nonsense: not signed in.
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(HttpMethod.Get, "/api/prospects", await app.Issuer.ApplicationTokenAsync("nobody", "nobody-secret", scope)));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(HttpMethod.Get, "/api/prospects", await app.Issuer.ApplicationTokenAsync("crm-sync", "crm-secret", "api://another-app/.default")));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(HttpMethod.Get, "/api/prospects", "not-a-token"));
        // An expired token too (an hour's lifetime, five minutes' skew).
        app.Clock.Advance(TimeSpan.FromMinutes(66));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(HttpMethod.Get, "/api/prospects", secretariat));
        // And a bearer token is not taken outside the API: pages want a signed-in person.
        using var page = new HttpRequestMessage(HttpMethod.Get, "/board");
        page.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await app.Issuer.ApplicationTokenAsync("crm-sync", "crm-secret", scope));
        Assert.Equal(HttpStatusCode.Redirect, (await client.SendAsync(page)).StatusCode);
    }
}

/// <summary>Access:Entra:LocalPasswords false: Microsoft only; and the settings that are refused at start.</summary>
public sealed class EntraLocalPasswordsTests
{
    [Fact]
    public async Task WithLocalPasswordsOff_TheSignInPageOffersOnlyMicrosoft_AndPasswordPostsAreRefused()
    {
        await using var app = new EntraAppFactory(localPasswords: false);
        var (user, password) = await app.Services.GetRequiredService<AccessService>().CreateUserAsync("anne", "Anne", Role.Administrator, default);
        using var browser = new EntraBrowser(app);
        var page = await (await browser.GetAsync("/account/login")).Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"login-microsoft\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"login-password\"", page, StringComparison.Ordinal);

        var post = await browser.PostFormAsync("/account/login", "/account/login", new() { ["UserName"] = "anne", ["Password"] = password });
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Contains("Sign-in with a password is switched off; sign in with Microsoft.", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/board")).StatusCode);
        // Not even counted as an attempt: the account cannot be locked from outside.
        Assert.Equal(0, (await app.Services.GetRequiredService<IAccessStore>().GetUserAsync(user.Id, default))!.FailedSignIns);

        // Microsoft still signs people in.
        app.Issuer.User = new EntraTestUser("33333333-aaaa-4bbb-8ccc-000000000003", "lies@contoso.test", "Lies", "manager");
        var answer = await browser.SignInWithMicrosoftAsync();
        Assert.Equal("/board", answer.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/board")).StatusCode);
    }

    [Fact]
    public async Task WithoutEntra_TheSignInPageIsAsBefore_PasswordsOnly()
    {
        await using var app = new OutreachAppFactory();
        var client = app.CreateClientAs(null);
        var page = await (await client.GetAsync("/account/login")).Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"login-password\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("login-microsoft", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Access:Entra:TenantId", "tenant", "Access:Entra:ClientId")]
    [InlineData("Access:Entra:ClientId", "client", "Access:Entra:TenantId")]
    [InlineData("Access:Entra:LocalPasswords", "false", "Access:Entra:LocalPasswords")]
    public async Task IncompleteEntraSettings_AreRefusedAtStart_NamingTheKey(string key, string value, string named)
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b => b.UseSetting(key, value));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(StartFailure.Flatten(error), e => e.Message.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACertificateCredentialWithoutACertificate_IsRefusedAtStart_NamingTheKeys()
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Access:Entra:TenantId", "tenant");
            b.UseSetting("Access:Entra:ClientId", "client");
            b.UseSetting("Access:Entra:Credential", "Certificate");
        });
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(StartFailure.Flatten(error), e => e.Message.Contains("Access:Entra:CertificatePath", StringComparison.Ordinal));
    }
}
