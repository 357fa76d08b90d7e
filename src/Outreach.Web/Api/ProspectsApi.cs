using Microsoft.AspNetCore.Http.HttpResults;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Web.Hosting;

namespace Outreach.Web.Api;

public sealed record ProspectDto(
    long Id, long OrganisationId, string Organisation, long CovenantId, string Covenant, PartyKind PartyKind, string Sector, string Owner,
    Stage Stage, DateTimeOffset StageSince, DateOnly? RevisitOn, string? NextAction, DateOnly? NextActionDue, bool NextActionOverdue)
{
    /// <summary>When the organisation was deleted in Dynamics 365; Outreach keeps it, marked.</summary>
    public DateTimeOffset? RemovedInDynamicsAt { get; init; }

    public static ProspectDto From(ProspectSummary s) => new(s.Id, s.OrganisationId, s.OrganisationName, s.CovenantId, s.CovenantCode, s.PartyKind, s.Sector, s.Owner,
        s.Stage, s.StageSince, s.RevisitOn, s.NextAction, s.NextActionDue, s.NextActionOverdue) { RemovedInDynamicsAt = s.RemovedAt };
}

public sealed record ContactDto(long Id, string Name, string Email, ContactLanguage Language, string? Role, DateTimeOffset? OptedOutAt)
{
    public LawfulBasis LawfulBasis { get; init; }
    public string? Source { get; init; }
    public DateTimeOffset? ErasedAt { get; init; }

    public static ContactDto From(Contact c) =>
        new(c.Id, c.Name, c.Email, c.Language, c.Role, c.OptedOutAt) { LawfulBasis = c.LawfulBasis, Source = c.Source, ErasedAt = c.ErasedAt };
}

public sealed record ProspectDetailsDto(ProspectDto Prospect, string Country, string? KvkNumber, string? WebsiteDomain, IReadOnlyList<ContactDto> Contacts, IReadOnlyList<Stage> AllowedMoves);

public sealed record PageDto<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);

public sealed record StageChangeDto(long Id, Stage? From, Stage To, DateTimeOffset At, string By, string Reason, DateOnly? RevisitOn);

public sealed record CreateProspectRequest(
    string? Name, string? PartyKind, string? Sector, string? Country, string? KvkNumber, string? Website, string? Owner,
    string? Covenant, string? Stage, string? Reason, bool AcceptDuplicates = false);

public sealed record MoveStageRequest(string? Stage, string? Reason, DateOnly? RevisitOn);

public sealed record DuplicateDto(long OrganisationId, string Organisation, string Why);

/// <summary>The prospects JSON API: a prospect is one organisation's entry in one covenant's pipeline.</summary>
public static class ProspectsApi
{
    public static RouteGroupBuilder MapProspectsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/prospects").WithTags("Prospects").RequireAuthorization(Access.Policies.Read);
        group.MapGet("/", ListAsync).WithSummary("List prospects, filtered and paged.");
        group.MapGet("/{id:long}", GetAsync).WithSummary("One prospect with its organisation and contacts.");
        group.MapPost("/", CreateAsync).WithSummary("Create an organisation with a pipeline entry in a covenant.").RequireAuthorization(Access.Policies.Edit);
        group.MapPost("/{id:long}/stage", MoveAsync).WithSummary("Move a prospect to another stage, with a reason.").RequireAuthorization(Access.Policies.Edit);
        group.MapGet("/{id:long}/history", HistoryAsync).WithSummary("The prospect's stage history, oldest first.");
        return group;
    }

    private static async Task<Results<Ok<PageDto<ProspectDto>>, ValidationProblem>> ListAsync(
        IPipelineStore pipeline, IProspectStore prospects, CancellationToken ct,
        string? covenant = null, string? sector = null, string? partyKind = null, string? owner = null, string? stage = null,
        string? q = null, bool? overdue = null, int page = 1, int pageSize = 50)
    {
        var errors = new Dictionary<string, string[]>();
        long? covenantId = null;
        if (!string.IsNullOrWhiteSpace(covenant))
        {
            var match = (await prospects.ListCovenantsAsync(ct)).FirstOrDefault(c => c.Code.Equals(covenant.Trim(), StringComparison.OrdinalIgnoreCase));
            if (match is null) errors["covenant"] = [$"Unknown covenant '{covenant}'."];
            covenantId = match?.Id;
        }

        PartyKind? kind = null;
        if (!string.IsNullOrWhiteSpace(partyKind))
        {
            if (PartyKinds.TryParse(partyKind, out var k)) kind = k;
            else errors["partyKind"] = [$"Unknown party kind '{partyKind}'. Use one of: {string.Join(", ", PartyKinds.All.Select(p => p.Code()))}."];
        }

        Stage? stageFilter = null;
        if (!string.IsNullOrWhiteSpace(stage))
        {
            if (Stages.TryParse(stage, out var s)) stageFilter = s;
            else errors["stage"] = [UnknownStage(stage)];
        }

        if (page is < 1 or > 100_000) errors["page"] = ["page must be between 1 and 100000."];
        if (pageSize is < 1 or > 500) errors["pageSize"] = ["pageSize must be between 1 and 500."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var filter = new ProspectFilter { CovenantId = covenantId, Sector = sector, PartyKind = kind, Owner = owner, Stage = stageFilter, Text = q, Overdue = overdue };
        var result = await pipeline.SearchAsync(filter, page, pageSize, ct);
        return TypedResults.Ok(new PageDto<ProspectDto>(result.Items.Select(ProspectDto.From).ToList(), result.Total, result.PageNumber, result.PageSize));
    }

    private static async Task<Results<Ok<ProspectDetailsDto>, ProblemHttpResult>> GetAsync(long id, IPipelineStore pipeline, IProspectStore prospects, CancellationToken ct)
    {
        var summary = await pipeline.GetSummaryAsync(id, ct);
        if (summary is null) return NotFound(id);
        var organisation = (await prospects.GetOrganisationAsync(summary.OrganisationId, ct))!;
        var contacts = await prospects.ListContactsAsync(summary.OrganisationId, ct);
        return TypedResults.Ok(new ProspectDetailsDto(
            ProspectDto.From(summary), organisation.Country, organisation.KvkNumber, organisation.WebsiteDomain,
            contacts.Select(ContactDto.From).ToList(),
            StageRules.Allowed[summary.Stage]));
    }

    private static async Task<IResult> CreateAsync(CreateProspectRequest request, PipelineService service, IProspectStore prospects, IPipelineStore pipeline, CurrentActor actor, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!PartyKinds.TryParse(request.PartyKind, out var kind))
            errors["partyKind"] = [$"Unknown party kind '{request.PartyKind}'. Use one of: {string.Join(", ", PartyKinds.All.Select(p => p.Code()))}."];
        var stage = Stage.Identified;
        if (!string.IsNullOrWhiteSpace(request.Stage) && !Stages.TryParse(request.Stage, out stage))
            errors["stage"] = [UnknownStage(request.Stage)];
        var covenant = (await prospects.ListCovenantsAsync(ct)).FirstOrDefault(c => c.Code.Equals(request.Covenant?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (covenant is null)
            errors["covenant"] = [$"Unknown covenant '{request.Covenant}'."];
        if (stage is not (Stage.Identified or Stage.Contacted))
            errors["stage"] = ["A new prospect starts in 'identified' or 'contacted'; move it further with a reason."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var draft = new OrganisationDraft
        {
            Name = request.Name ?? "", PartyKind = kind, Sector = request.Sector ?? "", Country = string.IsNullOrWhiteSpace(request.Country) ? "NL" : request.Country,
            KvkNumber = request.KvkNumber, Website = request.Website, Owner = request.Owner ?? "",
        };
        var result = await service.CreateAsync(draft, covenant!.Id, stage, actor.Name, request.Reason, request.AcceptDuplicates, ct);
        if (result.Errors.Count > 0)
        {
            return TypedResults.ValidationProblem(result.Errors.GroupBy(e => Camel(e.Field)).ToDictionary(g => g.Key, g => g.Select(e => e.Message.ToString()).ToArray()));
        }

        if (!result.Created)
        {
            return TypedResults.Problem(
                title: "Likely duplicate",
                detail: "An organisation like this exists already. Send acceptDuplicates: true to create it anyway.",
                statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["duplicates"] = result.Duplicates.Select(d => new DuplicateDto(d.OrganisationId, d.OrganisationName, d.Why.ToString())).ToList() });
        }

        var summary = await pipeline.GetSummaryAsync(result.Entry!.Id, ct);
        return TypedResults.Created($"/api/prospects/{result.Entry.Id}", ProspectDto.From(summary!));
    }

    private static async Task<IResult> MoveAsync(long id, MoveStageRequest request, PipelineService service, IPipelineStore pipeline, CurrentActor actor, CancellationToken ct)
    {
        if (await pipeline.GetEntryAsync(id, ct) is null) return NotFound(id);
        if (!Stages.TryParse(request.Stage, out var to))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["stage"] = [UnknownStage(request.Stage)] });
        var result = await service.MoveAsync(id, to, request.Reason, actor.Name, request.RevisitOn, ct);
        if (result.NotFound) return NotFound(id);
        if (!result.Succeeded)
            return TypedResults.Problem(title: "Stage change refused", detail: result.Refusal!.ToString(), statusCode: StatusCodes.Status400BadRequest);
        return TypedResults.Ok(ProspectDto.From((await pipeline.GetSummaryAsync(id, ct))!));
    }

    private static async Task<Results<Ok<IReadOnlyList<StageChangeDto>>, ProblemHttpResult>> HistoryAsync(long id, IPipelineStore pipeline, CancellationToken ct)
    {
        if (await pipeline.GetEntryAsync(id, ct) is null) return NotFound(id);
        var history = await pipeline.HistoryAsync(id, ct);
        return TypedResults.Ok<IReadOnlyList<StageChangeDto>>(history.Select(h => new StageChangeDto(h.Id, h.From, h.To, h.At, h.By, h.Reason, h.RevisitOn)).ToList());
    }

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(title: "Not found", detail: $"There is no prospect {id}.", statusCode: StatusCodes.Status404NotFound);

    private static string UnknownStage(string? stage) =>
        $"Unknown stage '{stage}'. Use one of: {string.Join(", ", Stages.All.Select(s => s.Code()))}.";

    private static string Camel(string field) => field.Length == 0 ? field : char.ToLowerInvariant(field[0]) + field[1..];
}

