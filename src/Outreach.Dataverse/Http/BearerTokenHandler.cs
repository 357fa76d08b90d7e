using System.Net.Http.Headers;
using Azure.Core;

namespace Outreach.Dataverse.Http;

/// <summary>
/// Puts a bearer token on every request. Tokens live about an hour, so one is cached and renewed five minutes before it
/// expires; the credential (Azure.Identity's ClientSecretCredential in production) does the OAuth work.
/// </summary>
public sealed class BearerTokenHandler(TokenCredential credential, string scope, TimeProvider clock) : DelegatingHandler
{
    private readonly SemaphoreSlim renew = new(1, 1);
    private AccessToken? cached;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await TokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken);
    }

    private async Task<string> TokenAsync(CancellationToken ct)
    {
        if (cached is { } fresh && fresh.ExpiresOn - TimeSpan.FromMinutes(5) > clock.GetUtcNow()) return fresh.Token;
        await renew.WaitAsync(ct);
        try
        {
            if (cached is { } again && again.ExpiresOn - TimeSpan.FromMinutes(5) > clock.GetUtcNow()) return again.Token;
            var token = await credential.GetTokenAsync(new TokenRequestContext([scope]), ct);
            cached = token;
            return token.Token;
        }
        finally
        {
            renew.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) renew.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>A fixed token, for a local Dataverse server in tests and benchmarks only (options refuse it for any non-loopback URL).</summary>
public sealed class StaticTokenCredential(string token, TimeProvider clock) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(token, clock.GetUtcNow().AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
