using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Outreach.Core.Mail;
using Outreach.Mail;

namespace Outreach.Graph;

/// <summary>The Microsoft Graph adapter: its options (bound once, refused at start naming the missing keys) and its parts.</summary>
public static class GraphRegistration
{
    /// <summary>
    /// The options and the one client, for whichever needs Graph (mail, the Microsoft 365 calendar of events): call once, with
    /// <paramref name="why"/> Graph is needed, which a refusal at start names beside the missing keys.
    /// </summary>
    public static IServiceCollection AddOutreachGraph(this IServiceCollection services, IConfiguration configuration, string why)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GraphOptions>().Bind(configuration.GetSection(GraphOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GraphOptions>>(new RefusedAtStart<GraphOptions>($"Graph configuration refused ({why}): "));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<GraphOptions>>().Value);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<GraphOptions>();
            var clock = sp.GetRequiredService<TimeProvider>();
            TokenCredential credential = string.IsNullOrEmpty(options.AccessToken)
                ? options.CreateCredential()
                : new FixedTokenCredential(options.AccessToken, clock);
            // Every request to a mailbox (mail, calendar, reads) passes its pause, which a 429 on any node sets.
            return GraphConnection.Create(options, credential, clock, throttle: sp.GetRequiredService<IMailboxThrottle>(),
                metrics: sp.GetService<Core.Common.OutreachMetrics>());
        });
        return services;
    }

    /// <summary>Mail through the secretariat's mailbox: delivery (draft + send, per-mailbox limits) and the inbox reader.</summary>
    public static IServiceCollection AddOutreachGraphMail(this IServiceCollection services)
    {
        // Graph:MaxPerMinute from the database (every node, every restart); MaxConcurrent per process.
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<GraphOptions>();
            return new SendRateLimiter(sp.GetRequiredService<IMailboxThrottle>(), options.MaxPerMinute, options.MaxConcurrent, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<IMailDelivery, GraphMailDelivery>();
        services.AddSingleton<IMailboxReader, GraphMailboxReader>();
        return services;
    }
}

/// <summary>The options' own validation (data annotations and <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/>), each refusal prefixed with why the section is needed.</summary>
internal sealed class RefusedAtStart<T>(string prefix) : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        return System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), errors, validateAllProperties: true)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(prefix + string.Join(" ", errors.Select(e => e.ErrorMessage)));
    }
}
