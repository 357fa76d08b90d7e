using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Outreach.Web.Access;

/// <summary>
/// Every form post on a page changes something, so it needs the edit policy, whatever the page allows for reading.
/// Pages that anonymous callers use (sign-in) are marked [AllowAnonymous] and skipped.
/// </summary>
public sealed class EditOnWriteFilter(IAuthorizationService authorization) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var method = context.HttpContext.Request.Method;
        var anonymous = context.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any();
        if (!anonymous && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            var result = await authorization.AuthorizeAsync(context.HttpContext.User, Policies.Edit);
            if (!result.Succeeded)
            {
                context.Result = new ForbidResult();
                return;
            }
        }

        await next();
    }
}
