using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outreach.Dataverse.Http;

namespace Outreach.Dataverse;

/// <summary>The Dataverse adapter: options (bound once, refused at start with the validator's words) and, when on, its parts.</summary>
public static class DataverseRegistration
{
    /// <summary>Whether Dataverse:Url is set: without it Outreach runs on its own data and nothing of Dataverse is registered.</summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration?[$"{DataverseOptions.Section}:{nameof(DataverseOptions.Url)}"]);

    /// <summary>
    /// The Web API client (a token from Entra ID through Azure.Identity, or a static token for a loopback test server), the
    /// sync and the write-back. Their stores come from the storage adapter.
    /// </summary>
    public static IServiceCollection AddOutreachDataverse(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DataverseOptions>().Bind(configuration.GetSection(DataverseOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        if (!IsConfigured(configuration)) return services;

        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<DataverseOptions>>().Value;
            var clock = sp.GetRequiredService<TimeProvider>();
            TokenCredential credential = string.IsNullOrEmpty(o.AccessToken)
                ? o.CreateCredential()
                : new StaticTokenCredential(o.AccessToken, clock);
            return DataverseClient.Create(o, credential, clock, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Outreach.Dataverse"),
                metrics: sp.GetService<Core.Common.OutreachMetrics>());
        });
        services.AddSingleton<DataverseSync>();
        services.AddSingleton<DataverseWriteBack>();
        return services;
    }

    /// <summary>The sync's cron when Dataverse is on and its interval is valid (the options' validation names a bad one), else null.</summary>
    public static string? SyncCronOrNull(DataverseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled) return null;
        try { return options.SyncCron(); }
        catch (System.ComponentModel.DataAnnotations.ValidationException) { return null; }
    }
}
