using System.Globalization;

namespace Outreach.Dataverse;

/// <summary>
/// Where a prospect's page in Outreach is (from Outreach:PublicBaseUrl), for the link the write-back puts on the account:
/// a plain URL column needs no web resource or script in Dynamics. Without a base URL (<see cref="None"/>) no link is written.
/// </summary>
public sealed class OutreachLinks(Func<string?> publicBaseUrl)
{
    public OutreachLinks(string? publicBaseUrl) : this(() => publicBaseUrl) { }

    /// <summary>No Outreach address known: the write-back leaves the account's link alone.</summary>
    public static OutreachLinks None { get; } = new((string?)null);

    /// <summary>The prospect's page, or null without a base URL (read each time: the host's own address is known once it listens).</summary>
    public string? Prospect(long prospectId) =>
        publicBaseUrl() is not { } url || string.IsNullOrWhiteSpace(url) ? null : url.TrimEnd('/') + "/prospects/" + prospectId.ToString(CultureInfo.InvariantCulture);

    /// <summary>An evidence file kept with the party (the milestones page's download), or null without a base URL; opening it needs a sign-in to Outreach.</summary>
    public string? EvidenceFile(long prospectId, long fileId) =>
        Prospect(prospectId) is { } prospect ? prospect + "/onboarding?handler=Evidence&fileId=" + fileId.ToString(CultureInfo.InvariantCulture) : null;
}
