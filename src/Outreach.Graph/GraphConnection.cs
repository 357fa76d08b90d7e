using System.Net;
using Azure.Core;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Outreach.Core.Mail;

namespace Outreach.Graph;

/// <summary>
/// Builds the <see cref="GraphServiceClient"/>: the SDK's default middleware without its RetryHandler (it re-sends POSTs on
/// 429/503/504, so a send could go out twice; retrying is the outbox's job, which checks Sent Items first), a bearer token
/// from the injected <see cref="TokenCredential"/>, and the configured base URL (a local Graph server in tests). With a
/// throttle, every request first passes the <see cref="MailboxThrottleHandler"/> (Graph's per-mailbox pauses, on all nodes).
/// </summary>
public static class GraphConnection
{
    public const string Scope = "https://graph.microsoft.com/.default";

    public static GraphServiceClient Create(GraphOptions options, TokenCredential credential, TimeProvider clock, HttpMessageHandler? transport = null,
        IMailboxThrottle? throttle = null, Core.Common.OutreachMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        var handlers = GraphClientFactory.CreateDefaultHandlers().Where(h => h is not RetryHandler).ToList();
        // First, so it sees each request before anything is sent and the final answer after redirects.
        if (throttle is not null)
            handlers.Insert(0, new MailboxThrottleHandler(throttle, clock, options.Mailbox ?? throw new ArgumentException("Graph:Mailbox is required.", nameof(options)), metrics));
        var http = GraphClientFactory.Create(handlers, finalHandler: transport ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
        });
        http.Timeout = options.RequestTimeout;
        var baseUri = options.BaseUri();
        var auth = new BaseBearerTokenAuthenticationProvider(new CredentialTokenProvider(credential, baseUri.Host));
        return new GraphServiceClient(http, auth, baseUri.AbsoluteUri.TrimEnd('/'));
    }

    /// <summary>
    /// Tokens from the credential, only for the configured host. Kiota's Azure provider refuses plain http except for
    /// "localhost", which a local server on 127.0.0.1 is not; the options already refuse http for anything but loopback.
    /// </summary>
    private sealed class CredentialTokenProvider(TokenCredential credential, string host) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new([host]);

        public async Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            if (!AllowedHostsValidator.IsUrlHostValid(uri)) return "";
            var token = await credential.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken);
            return token.Token;
        }
    }
}

/// <summary>A fixed token, for a local Graph server in tests only (the options refuse it for any non-loopback base URL).</summary>
public sealed class FixedTokenCredential(string token, TimeProvider clock) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(token, clock.GetUtcNow().AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
