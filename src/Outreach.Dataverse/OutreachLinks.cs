using System.Globalization;

namespace Outreach.Dataverse;

/// <summary>
/// Where a prospect's page in Outreach is (from Outreach:PublicBaseUrl), for the link the write-back puts on the account:
/// a plain URL column needs no web resource or script in Dynamics.
/// </summary>
public sealed class OutreachLinks(string publicBaseUrl)
{
    public string Prospect(long prospectId) =>
        publicBaseUrl.TrimEnd('/') + "/prospects/" + prospectId.ToString(CultureInfo.InvariantCulture);
}
