using Microsoft.AspNetCore.Http.HttpResults;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Sequences;
using Outreach.Web.Hosting;

namespace Outreach.Web.Api;

public sealed record SequenceStepDto(string Template, int WaitBusinessDays);

public sealed record SequenceDto(long Id, string Name, Stage Stage, Stage? EnrolOnEntering, IReadOnlyList<SequenceStepDto> Steps)
{
    public static SequenceDto From(Sequence s) => new(s.Id, s.Name, s.Stage, s.EnrolOnEntering, s.Steps.Select(x => new SequenceStepDto(x.TemplateKey, x.WaitBusinessDays)).ToList());
}

public sealed record EnrolmentDto(
    long Id, long SequenceId, long ProspectId, long ContactId, EnrolmentState State, int NextStep, DateTimeOffset? NextDue,
    DateTimeOffset? PausedUntil, DateTimeOffset? HeldByFrequencyCapUntil, StopReason? StoppedBecause, DateTimeOffset EnrolledAt, string EnrolledBy)
{
    public static EnrolmentDto From(Enrolment e) => new(e.Id, e.SequenceId, e.ProspectId, e.ContactId, e.State, e.NextStep, e.NextDue, e.PausedUntil, e.HeldUntil,
        e.StoppedBecause, e.EnrolledAt, e.EnrolledBy);
}

public sealed record EnrolRequest(long? SequenceId, long? ContactId);

public sealed record OutboxMailDto(
    long Id, string IdempotencyKey, string Purpose, long? ContactId, string To, string Subject, OutboxStatus Status, DateTimeOffset DueAt,
    DateTimeOffset? SentAt, int Attempts, string? LastError, string? Template, int? TemplateVersion)
{
    public static OutboxMailDto From(OutboxMail m) => new(m.Id, m.Mail.IdempotencyKey, m.Mail.Purpose, m.Mail.ContactId, m.Mail.ToAddress, m.Mail.Subject, m.Status,
        m.Mail.DueAt, m.SentAt, m.Attempts, m.LastError, m.Mail.TemplateKey, m.Mail.TemplateVersion);
}

/// <summary>Follow-up sequences, enrolments and the outbox as JSON.</summary>
public static class SequencesApi
{
    public static void MapSequencesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/sequences", async (ISequenceStore store, CancellationToken ct) =>
                TypedResults.Ok((await store.ListSequencesAsync(ct)).Select(SequenceDto.From).ToList()))
            .WithTags("Sequences").WithSummary("The follow-up sequences with their steps.").RequireAuthorization(Access.Policies.Read);

        var prospects = app.MapGroup("/api/prospects/{id:long}/enrolments").WithTags("Sequences").RequireAuthorization(Access.Policies.Read);
        prospects.MapGet("/", ListEnrolmentsAsync).WithSummary("The prospect's enrolments, newest first.");
        prospects.MapPost("/", EnrolAsync).WithSummary("Enrol one of the prospect's contacts in a sequence: { \"sequenceId\", \"contactId\" }.").RequireAuthorization(Access.Policies.Edit);

        app.MapGet("/api/outbox", ListOutboxAsync).WithTags("Outbox")
            .WithSummary("Mail in the outbox, newest due first; status is pending, sending, sent, failed or cancelled.").RequireAuthorization(Access.Policies.Read);
    }

    private static async Task<Results<Ok<List<EnrolmentDto>>, ProblemHttpResult>> ListEnrolmentsAsync(long id, IPipelineStore pipeline, ISequenceStore store, CancellationToken ct)
    {
        if (await pipeline.GetEntryAsync(id, ct) is null) return NotFound(id);
        return TypedResults.Ok((await store.ListEnrolmentsForProspectAsync(id, ct)).Select(EnrolmentDto.From).ToList());
    }

    private static async Task<IResult> EnrolAsync(long id, EnrolRequest? request, IPipelineStore pipeline, SequenceRunner runner, CurrentActor actor, CancellationToken ct)
    {
        if (await pipeline.GetEntryAsync(id, ct) is null) return NotFound(id);
        var errors = new Dictionary<string, string[]>();
        if (request?.SequenceId is not > 0) errors["sequenceId"] = ["Give the id of a sequence (see GET /api/sequences)."];
        if (request?.ContactId is not > 0) errors["contactId"] = ["Give the id of one of the prospect's contacts."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var outcome = await runner.EnrolAsync(id, request!.ContactId!.Value, request.SequenceId!.Value, actor.Name, ct);
        if (outcome.Enrolment is { } enrolment)
            return TypedResults.Created($"/api/prospects/{id}/enrolments", EnrolmentDto.From(enrolment));
        var already = outcome.Refusal!.Template == "{0} is already in this sequence.";
        return TypedResults.Problem(title: already ? "Already enrolled" : "Enrolment refused", detail: outcome.Refusal.ToString(),
            statusCode: already ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest);
    }

    private static async Task<Results<Ok<List<OutboxMailDto>>, ValidationProblem>> ListOutboxAsync(IMailOutbox outbox, CancellationToken ct, string? status = null, int limit = 200)
    {
        OutboxStatus? filter = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (!OutboxStatuses.TryParse(status, out var s))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"Unknown status '{status}'. Use one of: {string.Join(", ", OutboxStatuses.All.Select(x => x.Code()))}."] });
            filter = s;
        }

        if (limit is < 1 or > 1000)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["The limit is 1 to 1000."] });
        return TypedResults.Ok((await outbox.ListAsync(filter, limit, ct)).Select(OutboxMailDto.From).ToList());
    }

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(title: "Not found", detail: $"There is no prospect {id}.", statusCode: StatusCodes.Status404NotFound);
}
