using Outreach.Core.Prospects;

namespace Outreach.Web.Api;

public static class ContactsApi
{
    public static RouteGroupBuilder MapContactsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/contacts").WithTags("Contacts").RequireAuthorization(Access.Policies.Edit);
        group.MapPost("/{id:long}/opt-out", async (long id, IProspectStore prospects, TimeProvider clock, CancellationToken ct) =>
                await prospects.SetOptedOutAsync(id, clock.GetUtcNow(), ct) is { } c
                    ? Results.Ok(new ContactDto(c.Id, c.Name, c.Email, c.Language, c.Role, c.OptedOutAt))
                    : Results.Problem(title: "Not found", detail: $"There is no contact {id}.", statusCode: StatusCodes.Status404NotFound))
            .WithSummary("Record that a contact opted out of outreach (kept from the first time).");
        return group;
    }
}
