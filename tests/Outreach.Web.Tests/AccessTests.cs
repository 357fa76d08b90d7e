using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Web.Access;

namespace Outreach.Web.Tests;

/// <summary>
/// Every endpoint the host maps refuses an anonymous caller, and every endpoint that changes something refuses a
/// manager, except the few that must be public. New endpoints are covered automatically: the list comes from routing.
/// </summary>
public sealed partial class AccessTests(DemoAppFixture app) : IClassFixture<DemoAppFixture>
{
    private static readonly HashSet<string> Public = new(StringComparer.OrdinalIgnoreCase) { "/", "/health", "/language", "/account/login", "/account/denied", "/account/refused", "/error", "/u/1", "/r/1" };

    /// <summary>Pages only the secretariat opens at all (the rest may be read by managers).</summary>
    private static readonly HashSet<string> EditorPages = new(StringComparer.OrdinalIgnoreCase) { "/prospects/new", "/organisations/1/edit", "/contacts/1", "/import", "/templates/pipeline-hygiene/1", "/events/edit", "/events/edit/1", "/templates/new", "/covenants/1/onboarding/import" };

    /// <summary>Reads that hand out a person's data (subject-access exports) belong to those who handle such requests.</summary>
    private static readonly HashSet<string> EditorReads = new(StringComparer.OrdinalIgnoreCase) { "/api/contacts/1/export" };
    /// <summary>Pages whose post changes only the caller's own settings ([OwnSettingsPost]): a manager may post there (subscribing to the weekly mail).</summary>
    private static readonly HashSet<string> OwnSettingsPosts = new(StringComparer.OrdinalIgnoreCase) { "/reports/weekly-mail" };

    private sealed record Target(string Path, string Method, bool IsPage);

    [GeneratedRegex(@"\{([^}:?]+)(:[^}?]+)?\??\}")]
    private static partial Regex Parameter();

    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial Regex Token();

    private List<Target> Targets()
    {
        var targets = new List<Target>();
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var raw = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (raw.Contains("openapi", StringComparison.Ordinal) && raw.Contains("{documentName}", StringComparison.Ordinal)) raw = "/openapi/v1.json";
            var path = Parameter().Replace(raw, m => m.Groups[1].Value switch { "key" => "pipeline-hygiene", _ => "1" });
            var isPage = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.RazorPages.PageActionDescriptor>() is not null;
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? (isPage ? ["GET", "POST"] : ["GET"]);
            foreach (var method in methods) targets.Add(new Target(path.Length > 1 ? path.TrimEnd('/') : path, method, isPage));
        }

        return targets.Distinct().ToList();
    }

    [Fact]
    public void TheEndpointList_IsReal()
    {
        var targets = Targets();
        Assert.True(targets.Count >= 20, $"only {targets.Count} endpoints found");
        Assert.Contains(targets, t => t.Path == "/api/prospects/1/stage" && t.Method == "POST");
        Assert.Contains(targets, t => t.Path == "/board" && t.IsPage);
    }

    [Fact]
    public async Task EveryEndpoint_RefusesAnAnonymousCaller_ExceptThePublicOnes()
    {
        var anonymous = app.CreateClientAs(null);
        var failures = new List<string>();
        foreach (var target in Targets().Where(t => !Public.Contains(t.Path)))
        {
            var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(target.Method), target.Path));
            var refused = response.StatusCode == HttpStatusCode.Unauthorized
                || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString.Contains("/account/login", StringComparison.Ordinal) == true);
            if (!refused) failures.Add($"{target.Method} {target.Path}: {(int)response.StatusCode}");
        }

        Assert.True(failures.Count == 0, "Reachable without signing in:\n" + string.Join("\n", failures));
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/account/login")).StatusCode);
    }

    [Fact]
    public async Task EveryEndpointThatChangesSomething_RefusesAManager()
    {
        var manager = app.CreateClientAs(Role.Manager);
        var failures = new List<string>();
        foreach (var target in Targets().Where(t => !Public.Contains(t.Path) && !(t.Method == "POST" && OwnSettingsPosts.Contains(t.Path))))
        {
            HttpResponseMessage response;
            if (target.IsPage && target.Method == "POST")
            {
                // Take a real form token from the page (where a manager may read it), so the refusal is about the role, not the token.
                var page = await manager.GetAsync(target.Path);
                var token = page.StatusCode == HttpStatusCode.OK ? Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value : "";
                var post = new HttpRequestMessage(HttpMethod.Post, target.Path) { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }) };
                foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : [])
                    post.Headers.Add("Cookie", cookie.Split(';')[0]);
                response = await manager.SendAsync(post);
            }
            else if (target.IsPage && (EditorPages.Contains(target.Path) || IsAdmin(target.Path)) || !target.IsPage && target.Method != "GET" || EditorReads.Contains(target.Path) || IsDashboard(target.Path))
            {
                response = await manager.SendAsync(new HttpRequestMessage(new HttpMethod(target.Method), target.Path) { Content = target.IsPage ? null : JsonContent() });
            }
            else
            {
                // Reading is allowed: it must not be refused for the role.
                response = await manager.GetAsync(target.Path);
                if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized || Denied(response))
                    failures.Add($"{target.Method} {target.Path} refused a manager's read: {(int)response.StatusCode}");
                continue;
            }

            if (!(response.StatusCode == HttpStatusCode.Forbidden || Denied(response)))
                failures.Add($"{target.Method} {target.Path}: {(int)response.StatusCode}");
        }

        Assert.True(failures.Count == 0, "Wrong answer to a manager:\n" + string.Join("\n", failures));
    }

    private static bool IsAdmin(string path) => path.StartsWith("/admin", StringComparison.OrdinalIgnoreCase);

    /// <summary>Hangfire's dashboard, for administrators only (reading included: it can trigger and delete jobs).</summary>
    private static bool IsDashboard(string path) => path.StartsWith("/jobs/dashboard", StringComparison.OrdinalIgnoreCase);

    [Fact]
    public async Task TheAdministrationPages_RefuseTheSecretariat_AndOpenForAnAdministrator()
    {
        var admin = Targets().Where(t => IsAdmin(t.Path) && t.Method == "GET").Select(t => t.Path).Distinct().ToList();
        Assert.Equal(["/admin/api-keys", "/admin/audit", "/admin/users"], admin.Order(StringComparer.Ordinal));
        var secretariat = app.CreateClientAs(Role.Secretariat);
        var administrator = app.CreateClientAs(Role.Administrator);
        foreach (var path in admin)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await secretariat.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await administrator.GetAsync(path)).StatusCode);
        }
    }

    [GeneratedRegex("""<form[^>]*method="post"[^>]*>""")]
    private static partial Regex PostForm();

    [GeneratedRegex(""""\baction="([^"]*)"|formaction="([^"]*)"|href="(/prospects/\d+)"""")]
    private static partial Regex Action();

    /// <summary>
    /// Every form an administrator sees (named handlers such as ?handler=Erase included), posted by a manager with a valid
    /// token: each is refused. Forms are found in the pages themselves, so a new button is covered without listing it here.
    /// </summary>
    [Fact]
    public async Task EveryFormHandler_RefusesAManager()
    {
        var administrator = app.CreateClientAs(Role.Administrator);
        var board = await (await administrator.GetAsync("/board")).Content.ReadAsStringAsync();
        var prospect = Action().Matches(board).Select(m => m.Groups[3].Value).First(v => v.Length > 0);
        var pages = new[] { "/board", prospect, "/organisations/1/edit", "/contacts/1", "/import", "/covenants", "/jobs", "/admin/users", "/admin/api-keys", "/events/1", "/events/1/check-in", "/events/edit/1", "/covenants/1/onboarding" };
        var actions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var page in pages)
        {
            var html = await (await administrator.GetAsync(page)).Content.ReadAsStringAsync();
            foreach (Match form in PostForm().Matches(html))
            {
                var action = Action().Match(form.Value) is { Success: true } m && m.Groups[1].Success ? System.Net.WebUtility.HtmlDecode(m.Groups[1].Value) : page;
                actions.Add(action);
            }

            foreach (Match m in Action().Matches(html).Where(m => m.Groups[2].Success)) actions.Add(System.Net.WebUtility.HtmlDecode(m.Groups[2].Value));
        }

        // Signing out and choosing a language are for everyone.
        actions.RemoveWhere(a => a.StartsWith("/language", StringComparison.Ordinal) || a.Contains("handler=Logout", StringComparison.Ordinal));
        Assert.Contains(actions, a => a.Contains("handler=Erase", StringComparison.Ordinal));
        Assert.Contains(actions, a => a.Contains("handler=Disable", StringComparison.Ordinal));
        Assert.True(actions.Count >= 10, "only found: " + string.Join(", ", actions));

        var manager = app.CreateClientAs(Role.Manager);
        var token = Token().Match(await (await manager.GetAsync("/board")).Content.ReadAsStringAsync()).Groups[1].Value;
        var failures = new List<string>();
        foreach (var action in actions)
        {
            var post = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }) };
            var response = await manager.SendAsync(post);
            if (!(response.StatusCode == HttpStatusCode.Forbidden || Denied(response))) failures.Add($"POST {action}: {(int)response.StatusCode}");
        }

        Assert.True(failures.Count == 0, "A manager could post:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task AFormPostWithoutItsAntiforgeryToken_IsRefused_ExceptTheOptOutLink()
    {
        var secretariat = app.CreateClientAs(Role.Secretariat);
        var form = new Dictionary<string, string> { ["Code"] = "tin", ["Name"] = "Tin", ["StartsOn"] = "2027-01-01", ["EndsOn"] = "2031-12-31" };
        Assert.Equal(HttpStatusCode.BadRequest, (await secretariat.PostAsync("/covenants", new FormUrlEncodedContent(form))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await secretariat.PostAsync("/prospects/1?handler=Move", new FormUrlEncodedContent(new Dictionary<string, string> { ["ToStage"] = "engaged", ["Reason"] = "x" }))).StatusCode);
        // The opt-out page takes no token (its link is the authorisation), so a made-up link gets the page's own refusal.
        var optOut = await app.CreateClientAs(null).PostAsync("/u/1", new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.Contains("data-testid=\"optout-invalid\"", await optOut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownApiKey_IsRefused()
    {
        var client = app.CreateClientAs(null);
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, AccessService.ApiKeyPrefix + "not-a-real-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/prospects")).StatusCode);
    }

    [Fact]
    public async Task ApiKeysAreStoredOnlyAsHashes()
    {
        var key = app.KeyFor(Role.Manager);
        var db = app.Services.GetRequiredService<Storage.Database>();
        await using var c = await db.OpenAsync(default);
        var stored = (await Dapper.SqlMapper.QueryAsync<string>(c, "SELECT key_hash FROM api_key")).ToList();
        Assert.DoesNotContain(key, stored);
        Assert.Contains(AccessService.HashKey(key), stored);
    }

    private static bool Denied(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString.Contains("/account/denied", StringComparison.Ordinal) == true;

    private static StringContent JsonContent() => new("{}", System.Text.Encoding.UTF8, "application/json");
}
