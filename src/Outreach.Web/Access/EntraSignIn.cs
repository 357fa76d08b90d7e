using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Outreach.Core.Access;
using Outreach.Entra;
using OidcTokenValidated = Microsoft.AspNetCore.Authentication.OpenIdConnect.TokenValidatedContext;

namespace Outreach.Web.Access;

/// <summary>Why an Entra ID sign-in was refused (the refusal page's reason).</summary>
public static class EntraRefusal
{
    public const string NoRole = "no-role";
    public const string Disabled = "disabled";
    public const string Failed = "failed";
}

/// <summary>
/// Entra ID for people (OpenID Connect, authorization code flow; the session is then Outreach's own cookie, checked against the
/// account on every request) and for integrations (JWT bearer access tokens from the client credentials flow, on /api only).
/// The token's app roles decide the role; the account is provisioned, updated or disabled at each sign-in.
/// </summary>
public static partial class EntraSignIn
{
    public const string Scheme = "Entra";
    public const string BearerScheme = "EntraBearer";
    public const string TenantClaim = "tid";
    public const string ObjectIdClaim = "oid";
    public const string RolesClaim = "roles";

    /// <summary>Adds both schemes when Access:Entra is configured; the options are checked at start.</summary>
    public static void AddEntraSignIn(this AuthenticationBuilder auth, IConfiguration configuration)
    {
        var services = auth.Services;
        services.AddOptions<EntraSignInOptions>().Bind(configuration.GetSection(EntraSignInOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        if (!(configuration.GetSection(EntraSignInOptions.Section).Get<EntraSignInOptions>()?.Enabled ?? false)) return;

        auth.AddOpenIdConnect(Scheme, "Microsoft", _ => { });
        services.AddOptions<OpenIdConnectOptions>(Scheme).Configure<IOptions<EntraSignInOptions>, TimeProvider>((o, entraOptions, clock) =>
        {
            var entra = entraOptions.Value;
            o.Authority = entra.AuthorityUrl();
            o.RequireHttpsMetadata = !EntraAppOptions.IsLoopback(new Uri(o.Authority));
            o.ClientId = entra.ClientId;
            if (entra.Credential == EntraCredentialType.ClientSecret) o.ClientSecret = entra.ClientSecret;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;
            o.CallbackPath = entra.CallbackPath;
            o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            // The id token's own claim names (oid, tid, roles), not the WS-Federation URIs they would be mapped to.
            o.MapInboundClaims = false;
            o.SaveTokens = false;
            o.GetClaimsFromUserInfoEndpoint = false;
            o.TokenValidationParameters = Validation(clock, [entra.ClientId!]);
            o.Events.OnTokenValidated = TokenValidatedAsync;
            o.Events.OnRemoteFailure = RemoteFailureAsync;
            if (entra.Credential == EntraCredentialType.Certificate)
            {
                var certificate = entra.LoadCertificate();
                o.Events.OnAuthorizationCodeReceived = async c =>
                {
                    // No secret: the code is redeemed with an assertion signed by the certificate uploaded to the app registration.
                    var configuration = await c.Options.ConfigurationManager!.GetConfigurationAsync(c.HttpContext.RequestAborted);
                    c.TokenEndpointRequest!.ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
                    c.TokenEndpointRequest.ClientAssertion = ClientAssertion(entra.ClientId!, configuration.TokenEndpoint, certificate, clock);
                };
            }
        });

        auth.AddJwtBearer(BearerScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(BearerScheme).Configure<IOptions<EntraSignInOptions>, TimeProvider>((o, entraOptions, clock) =>
        {
            var entra = entraOptions.Value;
            o.Authority = entra.AuthorityUrl();
            o.RequireHttpsMetadata = !EntraAppOptions.IsLoopback(new Uri(o.Authority));
            o.MapInboundClaims = false;
            o.TokenValidationParameters = Validation(clock, entra.Audiences());
            o.Events = new JwtBearerEvents { OnTokenValidated = BearerValidated };
        });
    }

    private static TokenValidationParameters Validation(TimeProvider clock, string[] audiences) => new()
    {
        ValidAudiences = audiences,
        NameClaimType = "name",
        RoleClaimType = RolesClaim,
        // Token lifetimes against the host's clock (the library would read the system clock), with the usual five minutes' skew.
        LifetimeValidator = (notBefore, expires, _, parameters) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            return expires is { } exp && exp.ToUniversalTime() + parameters.ClockSkew >= now
                && (notBefore is not { } nbf || nbf.ToUniversalTime() - parameters.ClockSkew <= now);
        },
    };

    private static string ClientAssertion(string clientId, string audience, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = clientId, ["jti"] = Guid.NewGuid().ToString("N") },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            SigningCredentials = new X509SigningCredentials(certificate),
        });
    }

    /// <summary>The person's account in line with the token: provisioned or updated with a role, disabled without one.</summary>
    private static async Task TokenValidatedAsync(OidcTokenValidated context)
    {
        var services = context.HttpContext.RequestServices;
        var entra = services.GetRequiredService<IOptions<EntraSignInOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EntraSignIn));
        var token = context.Principal!;
        var tenant = token.FindFirstValue(TenantClaim);
        var objectId = token.FindFirstValue(ObjectIdClaim);
        if (string.IsNullOrWhiteSpace(tenant) || string.IsNullOrWhiteSpace(objectId))
        {
            LogMissingIds(logger);
            Refuse(context, EntraRefusal.Failed);
            return;
        }

        var userName = new[] { token.FindFirstValue("preferred_username"), token.FindFirstValue("upn"), token.FindFirstValue("email"), objectId }
            .First(v => !string.IsNullOrWhiteSpace(v))!.Trim();
        var displayName = token.FindFirstValue("name") is { Length: > 0 } name ? name.Trim() : userName;
        if (displayName.Length > 100) displayName = displayName[..100];
        var role = entra.RoleFrom(token.FindAll(RolesClaim).Select(c => c.Value));
        var user = await services.GetRequiredService<IAccessStore>().SyncEntraUserAsync(new EntraIdentity(tenant, objectId, userName, displayName), role, context.HttpContext.RequestAborted);
        if (role is null)
        {
            LogNoRole(logger, userName, objectId);
            Refuse(context, EntraRefusal.NoRole);
            return;
        }

        if (user is null || user.DisabledAt is not null)
        {
            LogDisabled(logger, userName, objectId);
            Refuse(context, EntraRefusal.Disabled);
            return;
        }

        LogSignedIn(logger, userName, objectId, role.Value.Code());
        // From here on the session is Outreach's own: the same claims and per-request checks as a password sign-in.
        context.Principal = AccessService.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme);
    }

    private static void Refuse(OidcTokenValidated context, string reason)
    {
        context.HandleResponse();
        context.Response.Redirect($"/account/refused?reason={reason}");
    }

    private static Task RemoteFailureAsync(RemoteFailureContext context)
    {
        // An expired or foreign token, a wrong signature, a lost correlation cookie: the person sees a page, the log says why.
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EntraSignIn));
        LogRemoteFailure(logger, context.Failure?.Message ?? "unknown");
        context.HandleResponse();
        context.Response.Redirect($"/account/refused?reason={EntraRefusal.Failed}");
        return Task.CompletedTask;
    }

    /// <summary>An application's token (client credentials) with an Outreach app role; delegated user tokens are not taken.</summary>
    private static Task BearerValidated(Microsoft.AspNetCore.Authentication.JwtBearer.TokenValidatedContext context)
    {
        var entra = context.HttpContext.RequestServices.GetRequiredService<IOptions<EntraSignInOptions>>().Value;
        var token = context.Principal!;
        if (token.HasClaim(c => c.Type == "scp"))
        {
            context.Fail("A delegated (user) token is not accepted by the API; use an application token (client credentials) with an app role.");
            return Task.CompletedTask;
        }

        if (entra.RoleFrom(token.FindAll(RolesClaim).Select(c => c.Value)) is not { } role)
        {
            context.Fail("The token carries no Outreach app role.");
            return Task.CompletedTask;
        }

        var app = token.FindFirstValue("azp") ?? token.FindFirstValue("appid") ?? token.FindFirstValue(ObjectIdClaim) ?? "unknown";
        // Named like an API key caller ("api:…"), so the audit trail and stage history say which application acted.
        context.Principal = AccessService.Principal($"entra-app:{app}", role, BearerScheme);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Entra ID sign-in refused: the id token has no tid or oid claim")]
    private static partial void LogMissingIds(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Entra ID sign-in refused for {UserName} ({ObjectId}): no Outreach app role; the account, if any, is disabled")]
    private static partial void LogNoRole(ILogger logger, string userName, string objectId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Entra ID sign-in refused for {UserName} ({ObjectId}): the Outreach account is disabled")]
    private static partial void LogDisabled(ILogger logger, string userName, string objectId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Entra ID sign-in of {UserName} ({ObjectId}) as {Role}")]
    private static partial void LogSignedIn(ILogger logger, string userName, string objectId, string role);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Entra ID sign-in failed: {Reason}")]
    private static partial void LogRemoteFailure(ILogger logger, string reason);
}
