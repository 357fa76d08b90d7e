using Outreach.Core.Prospects;
using Outreach.Web.Hosting;

namespace Outreach.Web.Api;

public static class ContactsApi
{
    public static RouteGroupBuilder MapContactsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/contacts").WithTags("Contacts").RequireAuthorization(Access.Policies.Edit);
        group.MapPost("/{id:long}/opt-out", async (long id, ContactPrivacy privacy, TimeProvider clock, CancellationToken ct) =>
                await privacy.SetOptedOutAsync(id, clock.GetUtcNow(), ct) is { } c
                    ? Results.Ok(ContactDto.From(c))
                    : Results.Problem(title: "Not found", detail: $"There is no contact {id}.", statusCode: StatusCodes.Status404NotFound))
            .WithSummary("Record that a contact opted out of outreach (the first time is kept).");
        group.MapPost("/{id:long}/erase", async (long id, ContactPrivacy erasure, TimeProvider clock, CancellationToken ct) =>
                await erasure.EraseAsync(id, clock.GetUtcNow(), ct) is { } c
                    ? Results.Ok(ContactDto.From(c))
                    : Results.Problem(title: "Not found", detail: $"There is no contact {id}.", statusCode: StatusCodes.Status404NotFound))
            .WithSummary("Erase a contact's personal data on request; the anonymous row keeps the history's counts.");
        group.MapGet("/{id:long}/export", async (long id, HttpResponse response, IProspectStore prospects, Core.Pipeline.IPipelineStore pipeline, Core.Audit.IAuditLog audit, CancellationToken ct) =>
            {
                response.NotCached();
                return await ContactExportDto.BuildAsync(id, prospects, pipeline, audit, ct) is { } export
                    ? Results.Ok(export)
                    : Results.Problem(title: "Not found", detail: $"There is no contact {id}.", statusCode: StatusCodes.Status404NotFound);
            })
            .WithSummary("Everything held on one contact (for a subject-access request).");
        return group;
    }
}
