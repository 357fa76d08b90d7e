using Microsoft.AspNetCore.HostFiltering;

namespace Outreach.Web.Hosting;

/// <summary>
/// Which Host headers the host answers. Any (the framework's default) lets a request with a forged Host header make Outreach
/// write that name into its redirects and links; so when Outreach:PublicBaseUrl is configured and AllowedHosts is not, only
/// the public host name is answered, and the names the host itself is reached by on the machine (health checks).
/// </summary>
public static class AllowedHostNames
{
    private static readonly string[] Local = ["localhost", "127.0.0.1", "[::1]"];

    public static IServiceCollection AddAllowedHostNames(this IServiceCollection services, IConfiguration configuration)
    {
        // An explicit AllowedHosts (even "*") is the operator's choice; only its absence takes the default from PublicBaseUrl.
        if (!string.IsNullOrWhiteSpace(configuration["AllowedHosts"])) return services;
        var publicUrl = configuration[$"{OutreachOptions.Section}:{nameof(OutreachOptions.PublicBaseUrl)}"];
        if (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host)) return services;
        services.PostConfigure<HostFilteringOptions>(o => o.AllowedHosts = [uri.IdnHost, .. Local]);
        return services;
    }
}
