using Outreach.Core.Access;

namespace Outreach.Web.Hosting;

/// <summary>Who is making a change, for the stage history: the signed-in person's name, or "api:&lt;key name&gt;" for an integration.</summary>
public sealed class CurrentActor(IHttpContextAccessor http, Microsoft.Extensions.Options.IOptions<OutreachOptions> options)
{
    public string Name => http.HttpContext?.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : options.Value.DefaultActor;

    public bool CanEdit => http.HttpContext?.User is { } user && Roles.All.Any(r => r.CanEdit() && user.IsInRole(r.Code()));

    public bool IsAdministrator => http.HttpContext?.User.IsInRole(Role.Administrator.Code()) == true;

    public bool SignedIn => http.HttpContext?.User.Identity?.IsAuthenticated == true;

    public string? RoleName => http.HttpContext?.User.Claims.FirstOrDefault(c => c.Type == System.Security.Claims.ClaimTypes.Role)?.Value;
}
