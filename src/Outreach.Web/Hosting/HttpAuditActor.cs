using Outreach.Core.Audit;
using Outreach.Web.Access;

namespace Outreach.Web.Hosting;

/// <summary>
/// Who the audit trail names: a signed-in person as "Display Name (user name)" (display names need not be unique),
/// an integration as "api:&lt;key name&gt;"; without a request, the job or command line that set <see cref="AmbientActor"/>.
/// </summary>
public sealed class HttpAuditActor(IHttpContextAccessor http) : IAuditActor
{
    public string Name
    {
        get
        {
            var user = http.HttpContext?.User;
            if (user?.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name })
                return user.FindFirst(AccessService.UserNameClaim)?.Value is { } userName ? $"{name} ({userName})" : name;
            return AmbientActor.Name ?? AmbientAuditActor.System;
        }
    }
}
