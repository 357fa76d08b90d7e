using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Outreach.Web.Tests;

/// <summary>A person as Entra ID knows them: object id, user principal name, display name and the app roles assigned.</summary>
public sealed record EntraTestUser(string ObjectId, string UserName, string DisplayName, params string[] Roles);

/// <summary>
/// A minimal OpenID Connect issuer on 127.0.0.1 that answers like Entra ID v2.0 for one tenant: discovery document, signing keys,
/// the authorization endpoint (no login screen: it signs in <see cref="User"/> and answers with the form_post page Entra sends),
/// and the token endpoint (authorization code with PKCE and the client secret; client credentials for applications). Tokens are
/// RSA-signed JWTs with Entra's claims (tid, oid, preferred_username, name, roles; azp and no scp for application tokens).
/// Hand-rolled rather than OpenIddict: the refusal cases need an id token that is expired or made out for another audience,
/// which OpenIddict derives from the request and its own clock (aud is always the client_id) and does not let a test choose.
/// </summary>
public sealed class LocalEntraIssuer : IAsyncDisposable
{
    public const string TenantId = "7d3c1f55-0a4b-4a3e-9d51-5c1b8e2a9f10";
    public const string ClientId = "0b6e2d4c-outreach-web";
    public const string ClientSecret = "local-issuer-secret";

    private readonly WebApplication app;
    private readonly TimeProvider clock;
    private readonly RsaSecurityKey key = new(RSA.Create(2048)) { KeyId = "local-key-1" };
    private readonly ConcurrentDictionary<string, Grant> codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Secret, string[] Roles)> applications = new(StringComparer.Ordinal);

    private LocalEntraIssuer(WebApplication app, TimeProvider clock) => (this.app, this.clock) = (app, clock);

    /// <summary>The authority Access:Entra:Authority points at: http://127.0.0.1:port/{tenant}/v2.0 (also the tokens' issuer).</summary>
    public string Authority { get; private set; } = "";

    /// <summary>Who signs in at the next authorization request.</summary>
    public EntraTestUser? User { get; set; }

    /// <summary>The next id tokens' audience; null: the requesting client's id, as Entra does.</summary>
    public string? IdTokenAudience { get; set; }

    /// <summary>How long before the next id token's issue time it was made (a value over an hour makes it expired).</summary>
    public TimeSpan IdTokenAge { get; set; }

    public static async Task<LocalEntraIssuer> StartAsync(TimeProvider clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var issuer = new LocalEntraIssuer(app, clock);
        var prefix = $"/{TenantId}/v2.0";
        app.MapGet(prefix + "/.well-known/openid-configuration", issuer.Discovery);
        app.MapGet(prefix + "/keys", issuer.Keys);
        app.MapGet(prefix + "/oauth2/authorize", issuer.Authorize);
        app.MapPost(prefix + "/oauth2/token", issuer.TokenAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        issuer.Authority = address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + prefix;
        return issuer;
    }

    /// <summary>Registers an application that may get tokens by client credentials, with these app roles.</summary>
    public void AddApplication(string clientId, string secret, params string[] roles) => applications[clientId] = (secret, roles);

    /// <summary>An application token from the token endpoint (client credentials), as an integration would get it.</summary>
    public async Task<string> ApplicationTokenAsync(string clientId, string secret, string scope)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(Authority + "/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret, ["scope"] = scope,
        }));
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    private IResult Discovery() => Results.Json(new Dictionary<string, object>
    {
        ["issuer"] = Authority,
        ["authorization_endpoint"] = Authority + "/oauth2/authorize",
        ["token_endpoint"] = Authority + "/oauth2/token",
        ["jwks_uri"] = Authority + "/keys",
        ["response_types_supported"] = ResponseTypes,
        ["response_modes_supported"] = ResponseModes,
        ["subject_types_supported"] = SubjectTypes,
        ["id_token_signing_alg_values_supported"] = Algorithms,
        ["scopes_supported"] = Scopes,
        ["code_challenge_methods_supported"] = ChallengeMethods,
    });

    private static readonly string[] ResponseTypes = ["code"];
    private static readonly string[] ResponseModes = ["query", "form_post"];
    private static readonly string[] SubjectTypes = ["pairwise"];
    private static readonly string[] Algorithms = ["RS256"];
    private static readonly string[] Scopes = ["openid", "profile", "email"];
    private static readonly string[] ChallengeMethods = ["S256"];

    private IResult Keys()
    {
        var p = key.Rsa.ExportParameters(false);
        return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = key.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } } });
    }

    private IResult Authorize(HttpRequest request)
    {
        string Q(string name) => request.Query[name].ToString();
        if (Q("client_id") != ClientId || Q("response_type") != "code" || Q("code_challenge_method") != "S256" || string.IsNullOrEmpty(Q("redirect_uri")))
            return Results.BadRequest("invalid_request");
        if (User is not { } user) return Results.BadRequest("no test user set");
        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));
        codes[code] = new Grant(user, Q("client_id"), Q("redirect_uri"), Q("nonce"), Q("code_challenge"));
        var fields = new Dictionary<string, string> { ["code"] = code, ["state"] = Q("state") };
        if (Q("response_mode") == "form_post")
        {
            // The page Entra answers with: a form the browser posts to the app's redirect URI.
            var html = new StringBuilder($"<html><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{HtmlEncoder.Default.Encode(Q("redirect_uri"))}\">");
            foreach (var (name, value) in fields) html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"{name}\" value=\"{HtmlEncoder.Default.Encode(value)}\"/>");
            html.Append("</form></body></html>");
            return Results.Content(html.ToString(), "text/html");
        }

        return Results.Redirect(Q("redirect_uri") + "?" + string.Join("&", fields.Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value)}")));
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        string F(string name) => form[name].ToString();
        var now = clock.GetUtcNow().UtcDateTime;
        switch (F("grant_type"))
        {
            case "authorization_code":
                if (!codes.TryRemove(F("code"), out var grant) || F("client_id") != grant.ClientId || F("client_secret") != ClientSecret || F("redirect_uri") != grant.RedirectUri)
                    return Results.BadRequest(new { error = "invalid_grant" });
                var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(F("code_verifier"))));
                if (challenge != grant.CodeChallenge) return Results.BadRequest(new { error = "invalid_grant", error_description = "PKCE" });
                var issued = now - IdTokenAge;
                var idToken = Sign(IdTokenAudience ?? grant.ClientId, issued, issued.AddHours(1), new Dictionary<string, object>
                {
                    ["sub"] = "pairwise-" + grant.User.ObjectId,
                    ["oid"] = grant.User.ObjectId,
                    ["tid"] = TenantId,
                    ["preferred_username"] = grant.User.UserName,
                    ["name"] = grant.User.DisplayName,
                    ["nonce"] = grant.Nonce,
                    ["roles"] = grant.User.Roles,
                    ["ver"] = "2.0",
                });
                return Results.Json(new { token_type = "Bearer", id_token = idToken, access_token = "opaque-" + Guid.NewGuid().ToString("N"), expires_in = 3600, scope = "openid profile" });
            case "client_credentials":
                if (!applications.TryGetValue(F("client_id"), out var registered) || registered.Secret != F("client_secret") || !F("scope").EndsWith("/.default", StringComparison.Ordinal))
                    return Results.BadRequest(new { error = "invalid_client" });
                var accessToken = Sign(F("scope")[..^"/.default".Length], now, now.AddHours(1), new Dictionary<string, object>
                {
                    ["sub"] = "sp-" + F("client_id"),
                    ["oid"] = "sp-" + F("client_id"),
                    ["tid"] = TenantId,
                    ["azp"] = F("client_id"),
                    ["roles"] = registered.Roles,
                    ["ver"] = "2.0",
                });
                return Results.Json(new { token_type = "Bearer", access_token = accessToken, expires_in = 3600 });
            default:
                return Results.BadRequest(new { error = "unsupported_grant_type" });
        }
    }

    private string Sign(string audience, DateTime issuedAt, DateTime expires, Dictionary<string, object> claims) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = audience,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = expires,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        key.Rsa.Dispose();
    }

    private sealed record Grant(EntraTestUser User, string ClientId, string RedirectUri, string Nonce, string CodeChallenge);
}
