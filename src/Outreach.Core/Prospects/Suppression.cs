using System.Security.Cryptography;
using System.Text;

namespace Outreach.Core.Prospects;

/// <summary>
/// After erasure the address itself is gone; only this hash stays, so that adding or importing the same person again is
/// refused instead of silently undoing their request.
/// </summary>
public static class Suppression
{
    public static string Hash(string email) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));

    public const string Message = "This address belongs to a person whose data was erased at their request; it cannot be added again.";
}
