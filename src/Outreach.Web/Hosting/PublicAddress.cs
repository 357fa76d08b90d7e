using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Outreach.Web.Hosting;

/// <summary>
/// The address people reach Outreach at, for the links in mail (unsubscribe, event answers, the prospect link in Dynamics):
/// Outreach:PublicBaseUrl when set; otherwise, in the embedded mode, the host's own listen address (the address the server
/// bound, or the configured Urls before it has), so the links of a local trial lead to this host rather than nowhere.
/// Deployments that send real mail must set the key (<see cref="PublicBaseUrlValidation"/>).
/// </summary>
public sealed class PublicAddress(IOptions<OutreachOptions> options, IServiceProvider services, IConfiguration configuration)
{
    /// <summary>Kestrel's own default when nothing says where to listen.</summary>
    private const string KestrelDefault = "http://localhost:5000";

    public string BaseUrl => (Configured(options.Value) ?? Bound() ?? FromConfiguredUrls() ?? KestrelDefault).TrimEnd('/');

    private static string? Configured(OutreachOptions o) => string.IsNullOrWhiteSpace(o.PublicBaseUrl) ? null : o.PublicBaseUrl.Trim();

    private string? Bound()
    {
        // Read at link time, not at start: the port is known only once the server listens (port 0 picks a free one).
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        return addresses is null ? null : Pick(addresses);
    }

    private string? FromConfiguredUrls() =>
        configuration["urls"] is { Length: > 0 } urls ? Pick(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) : null;

    /// <summary>An https address first; a wildcard host ("+", "*", 0.0.0.0, [::]) becomes localhost, the name this machine reaches itself by.</summary>
    internal static string? Pick(IEnumerable<string> addresses)
    {
        var usable = addresses.Select(Normalise).OfType<string>().ToList();
        return usable.FirstOrDefault(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) ?? usable.FirstOrDefault();
    }

    private static string? Normalise(string address)
    {
        var text = address.Trim();
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0) return null;
        var rest = text[(scheme + 3)..];
        foreach (var wildcard in new[] { "+", "*", "0.0.0.0", "[::]" })
        {
            if (rest.StartsWith(wildcard + ":", StringComparison.Ordinal) || rest == wildcard || rest.StartsWith(wildcard + "/", StringComparison.Ordinal))
            {
                rest = "localhost" + rest[wildcard.Length..];
                break;
            }
        }

        return Uri.TryCreate(text[..(scheme + 3)] + rest, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : null;
    }
}

/// <summary>
/// Refuses to start, naming Outreach:PublicBaseUrl, when a deployment that sends real mail (Graph mail or calendar, or any
/// environment but Development) has no https public address: the legally required unsubscribe link and every answer link
/// would otherwise point at a local address nobody outside can open. A value that is set must be an absolute http(s) URL
/// everywhere.
/// </summary>
internal sealed class PublicBaseUrlValidation(string? realMailBecause) : IValidateOptions<OutreachOptions>
{
    private const string Key = OutreachOptions.Section + ":" + nameof(OutreachOptions.PublicBaseUrl);

    public ValidateOptionsResult Validate(string? name, OutreachOptions options)
    {
        var value = options.PublicBaseUrl?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return realMailBecause is null
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{Key} is not set, and {realMailBecause}: set it to the https address people reach Outreach at " +
                                             "(e.g. https://outreach.secretariaat.nl), or the unsubscribe and answer links in every mail lead nowhere.");
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || string.IsNullOrEmpty(uri.Host))
            return ValidateOptionsResult.Fail($"{Key} '{value}' is not an absolute address such as https://outreach.secretariaat.nl.");
        if (realMailBecause is not null && uri.Scheme != Uri.UriSchemeHttps)
            return ValidateOptionsResult.Fail($"{Key} '{value}' is not https, and {realMailBecause}: links in real mail must be https " +
                                              "(RFC 8058 one-click unsubscribe requires it, and mail programs warn about plain http).");
        return ValidateOptionsResult.Success;
    }

    /// <summary>Why this deployment sends real mail, or null for a local one (Development with the pickup folder).</summary>
    public static string? RealMailBecause(IHostEnvironment environment, bool mailByGraph, bool calendarByGraph)
    {
        var reasons = new List<string>();
        if (mailByGraph) reasons.Add("Mail:Provider is Graph");
        if (calendarByGraph) reasons.Add("Events:Calendar is Graph");
        if (!environment.IsDevelopment()) reasons.Add($"the environment is '{environment.EnvironmentName}', not Development (ASPNETCORE_ENVIRONMENT=Development is a local trial)");
        return reasons.Count == 0 ? null : string.Join(" and ", reasons);
    }
}
