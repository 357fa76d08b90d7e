using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Outreach.Web.Hosting;

namespace Outreach.Web.Access;

/// <summary>
/// The unsubscribe link in every outreach mail: the contact's id sealed with ASP.NET Core Data Protection (authenticated
/// encryption; the keys are in the database, so every node reads every link). Unguessable, and a changed character makes
/// it unreadable. It does not expire: an old mail's link must still work.
/// </summary>
public sealed class OptOutLinks(IDataProtectionProvider protection, PublicAddress address) : Core.Sequences.IUnsubscribeLinks
{
    private readonly IDataProtector protector = protection.CreateProtector("Outreach.OptOut.v1");

    public string TokenFor(long contactId)
    {
        // A random part makes each link different, so links cannot be compared to tell who is who.
        var payload = $"{contactId}:{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}";
        return WebEncoders.Base64UrlEncode(protector.Protect(Encoding.UTF8.GetBytes(payload)));
    }

    public string UrlFor(long contactId) => address.BaseUrl + "/u/" + TokenFor(contactId);

    /// <summary>The contact a token was made for, or null when it was not made here (tampered, truncated, from elsewhere).</summary>
    public long? Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1000) return null;
        try
        {
            var text = Encoding.UTF8.GetString(protector.Unprotect(WebEncoders.Base64UrlDecode(token)));
            var id = text.Split(':')[0];
            return long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var contactId) ? contactId : null;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }
    }
}
