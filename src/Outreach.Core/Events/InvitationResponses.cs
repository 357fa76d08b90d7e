using Outreach.Core.Common;

namespace Outreach.Core.Events;

/// <summary>The stored codes of <see cref="InvitationResponse"/> (invitation.response).</summary>
public static class InvitationResponses
{
    public static readonly CodeTable<InvitationResponse> Table = new(new Dictionary<InvitationResponse, string>
    {
        [InvitationResponse.None] = "none",
        [InvitationResponse.Accepted] = "accepted",
        [InvitationResponse.Tentative] = "tentative",
        [InvitationResponse.Declined] = "declined",
    });

    public static string Code(this InvitationResponse value) => Table.Code(value);

    public static InvitationResponse Parse(string code) => Table.Parse(code);
}
