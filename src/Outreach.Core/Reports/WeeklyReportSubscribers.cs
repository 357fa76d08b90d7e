using Outreach.Core.Common;

namespace Outreach.Core.Reports;

/// <summary>A user who asked for the weekly report mail, at the address they gave, in the language they read it in.</summary>
public sealed record WeeklyReportSubscriber(string UserName, string Address, DateTimeOffset SubscribedAt, Prospects.ContactLanguage Language = Prospects.ContactLanguage.En);

/// <summary>Self-service subscriptions to the weekly report mail (the port; SQL in Outreach.Storage).</summary>
public interface IWeeklyReportSubscribers
{
    Task<IReadOnlyList<WeeklyReportSubscriber>> ListAsync(CancellationToken ct);
    Task<WeeklyReportSubscriber?> GetAsync(string userName, CancellationToken ct);
    /// <summary>Subscribes the user, or changes their address and language.</summary>
    Task SubscribeAsync(string userName, string address, Prospects.ContactLanguage language, DateTimeOffset at, CancellationToken ct);
    Task UnsubscribeAsync(string userName, CancellationToken ct);
}

public static class WeeklyReportSubscription
{
    /// <summary>Null when the address can receive the mail, otherwise why not.</summary>
    public static DomainMessage? WhyRefused(string? address)
    {
        var a = (address ?? "").Trim();
        if (a.Length is 0 or > 254 || !System.Net.Mail.MailAddress.TryCreate(a, out var parsed) || parsed.Address != a || !a.Contains('.', StringComparison.Ordinal))
            return new DomainMessage("Give the address to send the weekly report to (name@example.nl).");
        return null;
    }
}
