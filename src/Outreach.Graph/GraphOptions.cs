using System.ComponentModel.DataAnnotations;

namespace Outreach.Graph;

/// <summary>
/// Configuration section "Graph": the secretariat's Microsoft 365 mailbox, used when Mail:Provider is Graph. Secrets
/// (ClientSecret, AccessToken) come from environment variables or user secrets, never from appsettings in the repository.
/// </summary>
public sealed class GraphOptions : Entra.EntraAppOptions, IValidatableObject
{
    public const string Section = "Graph";
    public const string DefaultBaseUrl = "https://graph.microsoft.com/v1.0";

    /// <summary>The mailbox Outreach sends from and reads replies in (its address or object id).</summary>
    public string? Mailbox { get; set; }

    public string BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>A static bearer token; accepted only for a loopback BaseUrl (a local Graph server), never for the real service.</summary>
    public string? AccessToken { get; set; }

    /// <summary>Messages a minute from the mailbox (Exchange Online allows 30).</summary>
    [Range(1, 10000)]
    public int MaxPerMinute { get; set; } = 30;

    /// <summary>Requests at once to the mailbox (Graph allows 4 per app and mailbox).</summary>
    [Range(1, 4)]
    public int MaxConcurrent { get; set; } = 4;

    /// <summary>Inbox messages per delta page (Prefer: odata.maxpagesize).</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 50;

    /// <summary>Per-request timeout.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    public Uri BaseUri() => new(BaseUrl.TrimEnd('/'), UriKind.Absolute);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Mailbox))
            yield return new ValidationResult("Graph:Mailbox (the address Outreach sends from, e.g. secretariaat@convenant.nl) is required when Mail:Provider is Graph.", [nameof(Mailbox)]);
        if (!Uri.TryCreate(BaseUrl?.TrimEnd('/'), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            yield return new ValidationResult($"Graph:BaseUrl must be an absolute http(s) URL such as {DefaultBaseUrl}.", [nameof(BaseUrl)]);
            yield break;
        }

        var loopback = IsLoopback(uri);
        if (!string.IsNullOrEmpty(AccessToken))
        {
            if (!loopback)
                yield return new ValidationResult(
                    $"Graph:AccessToken (a static bearer token) is accepted only when Graph:BaseUrl is a loopback address such as http://127.0.0.1:5006/v1.0; '{uri.Host}' is not. Configure Graph:TenantId, Graph:ClientId and Graph:ClientSecret instead.",
                    [nameof(AccessToken)]);
            yield break;
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !loopback)
            yield return new ValidationResult("Graph:BaseUrl must use https.", [nameof(BaseUrl)]);
        foreach (var problem in CredentialProblems(Section, "Graph"))
            yield return problem;
    }
}
