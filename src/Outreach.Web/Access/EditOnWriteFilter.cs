using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Outreach.Web.Access;

/// <summary>
/// Every form post on a page changes something, so it needs the edit policy, whatever the page allows for reading.
/// Pages that anonymous callers use (sign-in) are marked [AllowAnonymous] and skipped. An authorization filter, so the role
/// is refused before anything else is looked at (the form token, the handler, the record): a manager's post always gets
/// 403, never a 400 or 404 that would depend on what the post carried.
/// </summary>
public sealed class EditOnWriteFilter(IAuthorizationService authorization) : IAsyncAuthorizationFilter
{
    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var method = context.HttpContext.Request.Method;
        var anonymous = context.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any()
            || context.ActionDescriptor.EndpointMetadata.OfType<OwnSettingsPostAttribute>().Any();
        if (anonymous || HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) return;
        var result = await authorization.AuthorizeAsync(context.HttpContext.User, Policies.Edit);
        if (!result.Succeeded) context.Result = new ForbidResult();
    }
}

/// <summary>
/// A page whose posts change only the signed-in user's own settings (the weekly mail subscription), which every role may
/// do: <see cref="EditOnWriteFilter"/> lets its posts through; the page's own read policy still applies.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class OwnSettingsPostAttribute : Attribute;
