using Microsoft.AspNetCore.Localization;
using Outreach.Core.Events;
using Outreach.Core.Prospects;

namespace Outreach.Web.Access;

/// <summary>
/// The pages a contact opens from a mail (the answer page /r/{token}, the unsubscribe page /u/{token}) speak the contact's
/// language, as the mail did: a Dutch invitee gets Dutch whatever the browser or a staff cookie says. The token names the
/// contact; an unreadable one gives no culture here, and the page says the link is not valid.
/// Chosen in the localization middleware (not the page), so the layout around the page speaks the same language.
/// </summary>
public sealed class RecipientCultureProvider : RequestCultureProvider
{
    public override async Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var path = httpContext.Request.Path;
        var services = httpContext.RequestServices;
        var ct = httpContext.RequestAborted;
        long? contactId = null;
        if (path.StartsWithSegments("/r", out var rsvp) && Token(rsvp) is { } rsvpToken
            && services.GetRequiredService<EventLinks>().Read(rsvpToken) is { } ids)
        {
            var invitations = await services.GetRequiredService<IEventStore>().ListInvitationsAsync(ids.EventId, ct);
            contactId = invitations.FirstOrDefault(i => i.Id == ids.InvitationId)?.ContactId;
        }
        else if (path.StartsWithSegments("/u", out var optOut) && Token(optOut) is { } optOutToken)
        {
            contactId = services.GetRequiredService<OptOutLinks>().Read(optOutToken);
        }

        if (contactId is not { } id || await services.GetRequiredService<IProspectStore>().GetContactAsync(id, ct) is not { Erased: false } contact) return null;
        return new ProviderCultureResult(contact.Language.Code());
    }

    /// <summary>The one segment after the prefix ("/abc" → "abc"); anything deeper is not a mail link.</summary>
    private static string? Token(PathString rest)
    {
        var value = rest.Value?.TrimStart('/');
        return string.IsNullOrEmpty(value) || value.Contains('/', StringComparison.Ordinal) ? null : value;
    }
}
