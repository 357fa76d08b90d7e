using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Outreach.Web.Access;

/// <summary>Integrations authenticate with a per-client key in the X-Api-Key header; the key's role is the caller's role.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessService access)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values)) return AuthenticateResult.NoResult();
        var principal = await access.AuthenticateApiKeyAsync(values.ToString(), SchemeName, Context.RequestAborted);
        return principal is null ? AuthenticateResult.Fail("Unknown or revoked API key.") : AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
