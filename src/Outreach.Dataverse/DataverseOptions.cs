using System.ComponentModel.DataAnnotations;

namespace Outreach.Dataverse;

/// <summary>
/// Configuration section "Dataverse". Without a Url Outreach runs on its own data. Secrets (ClientSecret, AccessToken)
/// come from environment variables or user secrets, never from appsettings in the repository.
/// </summary>
public sealed class DataverseOptions : Entra.EntraAppOptions, IValidatableObject
{
    public const string Section = "Dataverse";

    /// <summary>The environment, e.g. https://contoso.crm4.dynamics.com.</summary>
    public string? Url { get; set; }

    /// <summary>A static bearer token; accepted only for a loopback Url (a local test server), never for a real environment.</summary>
    public string? AccessToken { get; set; }

    /// <summary>How often the sync runs: whole minutes dividing an hour (1..60) or whole hours dividing a day.</summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Rows per page (Prefer: odata.maxpagesize); Dataverse's maximum and default is 5,000.</summary>
    [Range(1, 5000)]
    public int PageSize { get; set; } = 5000;

    /// <summary>Requests in flight at once; the service allows 52 per user, so stay well below.</summary>
    [Range(1, 52)]
    public int MaxConcurrentRequests { get; set; } = 4;

    /// <summary>Retries of one request after 429/503 (each waits Retry-After).</summary>
    [Range(0, 20)]
    public int MaxRetries { get; set; } = 8;

    /// <summary>Longest single wait; a Retry-After above it is still honoured up to this cap, then the request fails.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Per-request timeout (Microsoft's sample uses two minutes).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    public Uri BaseUri() => new(Url!.TrimEnd('/') + "/", UriKind.Absolute);

    /// <summary>
    /// The account's page in Dynamics 365 (the documented main.aspx record address), or null without Dataverse or without an
    /// account id (an organisation that lives only in Outreach).
    /// </summary>
    public Uri? AccountPage(string? accountId) =>
        Enabled && Guid.TryParse(accountId, out var id)
            ? new Uri($"{Url!.TrimEnd('/')}/main.aspx?pagetype=entityrecord&etn={DataverseSchema.Account.Table}&id={id:D}", UriKind.Absolute)
            : null;

    /// <summary>
    /// The cron expression (five fields, minute first) for <see cref="SyncInterval"/>: whole minutes dividing an hour run at
    /// those minutes of every hour, whole hours dividing a day (24 h included: midnight) at those hours of every day.
    /// </summary>
    public string SyncCron()
    {
        var minutes = SyncInterval.TotalMinutes;
        if (minutes >= 1 && minutes < 60 && minutes == Math.Floor(minutes) && 60 % (int)minutes == 0)
            return minutes == 1 ? "* * * * *" : $"*/{(int)minutes} * * * *";
        var hours = SyncInterval.TotalHours;
        if (hours >= 1 && hours <= 24 && hours == Math.Floor(hours) && 24 % (int)hours == 0)
            return hours switch
            {
                1 => "0 * * * *",
                24 => "0 0 * * *",
                _ => $"0 */{(int)hours} * * *",
            };
        throw new ValidationException($"Dataverse:SyncInterval {SyncInterval} must be whole minutes dividing an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30) or whole hours dividing a day (1, 2, 3, 4, 6, 8, 12, 24).");
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled) yield break;
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            yield return new ValidationResult("Dataverse:Url must be an absolute http(s) URL, e.g. https://contoso.crm4.dynamics.com.", [nameof(Url)]);
            yield break;
        }

        var loopback = IsLoopback(uri);
        if (!string.IsNullOrEmpty(AccessToken))
        {
            if (!loopback)
                yield return new ValidationResult(
                    $"Dataverse:AccessToken (a static bearer token) is accepted only when Dataverse:Url is a loopback address such as http://127.0.0.1:5005; '{uri.Host}' is not. Configure Dataverse:TenantId, Dataverse:ClientId and Dataverse:ClientSecret instead.",
                    [nameof(AccessToken)]);
        }
        else
        {
            if (uri.Scheme != Uri.UriSchemeHttps && !loopback)
                yield return new ValidationResult("Dataverse:Url must use https.", [nameof(Url)]);
            foreach (var problem in CredentialProblems(Section, "Dataverse:Url is set, so Outreach"))
                yield return problem;
        }

        string? cronError = null;
        try { SyncCron(); } catch (ValidationException ex) { cronError = ex.Message; }
        if (cronError is not null) yield return new ValidationResult(cronError, [nameof(SyncInterval)]);
    }
}
