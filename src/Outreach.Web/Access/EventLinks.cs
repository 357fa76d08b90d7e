using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Outreach.Core.Events;
using Outreach.Web.Hosting;

namespace Outreach.Web.Access;

/// <summary>
/// The answer links in event mail: event and invitation sealed with Data Protection, like the opt-out link (unguessable;
/// a changed character makes it unreadable). The page behind it asks once before recording, so a mail scanner that opens
/// links answers nothing.
/// </summary>
public sealed class EventLinks(IDataProtectionProvider protection, PublicAddress address, OptOutLinks optOut) : IEventLinks
{
    private readonly IDataProtector protector = protection.CreateProtector("Outreach.EventRsvp.v1");

    public string TokenFor(long eventId, long invitationId)
    {
        var payload = string.Create(CultureInfo.InvariantCulture, $"{eventId}:{invitationId}:{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}");
        return WebEncoders.Base64UrlEncode(protector.Protect(Encoding.UTF8.GetBytes(payload)));
    }

    public string RsvpUrl(long eventId, long invitationId, string answer) =>
        address.BaseUrl + "/r/" + TokenFor(eventId, invitationId) + "?answer=" + Uri.EscapeDataString(answer);

    public string UnsubscribeUrl(long contactId) => optOut.UrlFor(contactId);

    /// <summary>The event and invitation a token was made for, or null when it was not made here.</summary>
    public (long EventId, long InvitationId)? Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1000) return null;
        try
        {
            var parts = Encoding.UTF8.GetString(protector.Unprotect(WebEncoders.Base64UrlDecode(token))).Split(':');
            return parts.Length == 3
                   && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var eventId)
                   && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var invitationId)
                ? (eventId, invitationId)
                : null;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }
    }
}
