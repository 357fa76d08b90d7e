using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Outreach.Core.Mail;

namespace Outreach.Mail;

/// <summary>The mail adapter: options (bound once), the pickup folder, the template renderer.</summary>
public static class MailRegistration
{
    public static IServiceCollection AddOutreachMail(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MailOptions>().Bind(configuration.GetSection(MailOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MailOptions>>().Value);
        services.AddSingleton<PickupFolderDelivery>();
        // Erasure also removes pickup copies written before a switch to Graph (Graph's sent mail stays in the mailbox).
        services.AddSingleton<IDeliveredMail>(sp => sp.GetRequiredService<PickupFolderDelivery>());
        services.AddSingleton<IMailTemplateRenderer, HandlebarsTemplateRenderer>();
        return services;
    }

    /// <summary>Mail as .eml files; Mail:MaxPerMinute holds for Mail:FromAddress over every node and restart (the budget is the database's).</summary>
    public static IServiceCollection AddOutreachPickupDelivery(this IServiceCollection services)
    {
        services.AddSingleton<IMailDelivery>(sp =>
        {
            var mail = sp.GetRequiredService<MailOptions>();
            var pickup = sp.GetRequiredService<PickupFolderDelivery>();
            return mail.MaxPerMinute <= 0
                ? pickup
                : new RateLimitedDelivery(pickup, new SendRateLimiter(sp.GetRequiredService<IMailboxThrottle>(), mail.MaxPerMinute, 1, sp.GetRequiredService<TimeProvider>()), mail.FromAddress);
        });
        return services;
    }
}
