using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Outreach.Core.Access;

namespace Outreach.Web.Access;

/// <summary>Configuration section "Access".</summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>
    /// Behind an identity proxy that signs people in (e.g. App Service authentication with Entra ID), the header that
    /// carries the signed-in user's name, such as X-MS-CLIENT-PRINCIPAL-NAME. Empty (the default): no header is trusted.
    /// Only set it when every request reaches Outreach through that proxy, which strips the header from outside callers.
    /// </summary>
    public string? ProxyUserHeader { get; set; }

    /// <summary>
    /// Behind a TLS-terminating reverse proxy or load balancer: read the client's address and scheme from X-Forwarded-For and
    /// X-Forwarded-Proto, so cookies are marked secure and rate limits count per client. Off by default. The headers are read
    /// only from <see cref="KnownProxies"/> and <see cref="KnownNetworks"/>: a caller reaching Outreach directly could otherwise
    /// claim any address.
    /// </summary>
    public bool TrustForwardedHeaders { get; set; }

    /// <summary>The proxies' addresses (e.g. 10.0.0.4) whose forwarded headers are read.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>
    /// Networks (e.g. 10.0.0.0/8) whose forwarded headers are read. With neither this nor <see cref="KnownProxies"/> set: the
    /// loopback and private networks (a proxy beside Outreach in a container network or virtual network).
    /// </summary>
    public string[] KnownNetworks { get; set; } = [];
}

/// <summary>
/// Trusts the fronting proxy's signed-in-user header, but only when configured, and only for people who also have a
/// local user (whose role applies): the proxy proves who someone is, Outreach decides what they may do.
/// </summary>
public sealed class ProxyUserAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IAccessStore users, IOptions<AccessOptions> access)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Proxy";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = access.Value.ProxyUserHeader;
        if (string.IsNullOrWhiteSpace(header) || !Request.Headers.TryGetValue(header, out var values)) return AuthenticateResult.NoResult();
        var name = values.ToString().Trim();
        var user = name.Length is > 0 and <= 256 ? await users.FindUserAsync(name, Context.RequestAborted) : null;
        if (user is null) return AuthenticateResult.Fail("The proxy's user has no Outreach account.");
        if (user.DisabledAt is not null) return AuthenticateResult.Fail("The proxy's user is disabled in Outreach.");
        return AuthenticateResult.Success(new AuthenticationTicket(AccessService.Principal(user, SchemeName), SchemeName));
    }
}
