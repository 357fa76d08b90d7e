using Microsoft.AspNetCore.Http.HttpResults;
using Outreach.Core.Activities;
using Outreach.Core.Pipeline;
using Outreach.Web.Hosting;

namespace Outreach.Web.Api;

/// <summary>One line of a prospect's timeline; fields a source does not have are null (see docs/activities.md).</summary>
public sealed record TimelineItemDto(
    DateTimeOffset At, string Kind, string Source, long Id, string? Actor, long? ContactId, string? ContactName, string? Code, string? Code2, string? Code3,
    string? Title, string? Text, string? Place, string? People, string? Others, long? Number, long? RelatedId, DateTimeOffset? Other, bool FromDynamics,
    string? TitleNl, DateOnly? Day, string? Link)
{
    public static TimelineItemDto From(TimelineItem i) => new(i.At, Timeline.KindOf(i.Source).Code(), SourceCode(i.Source), i.Id, i.Actor, i.ContactId, i.ContactName, i.Code, i.Code2, i.Code3,
        i.Title, i.Text, i.Place, i.People, i.Others, i.Number, i.RelatedId, i.Other, i.FromDynamics, i.TitleNl, i.Day, i.Link);

    private static string SourceCode(TimelineSource source) => source switch
    {
        TimelineSource.RemovedInDynamics => "removed_in_dynamics",
        TimelineSource.EnrolmentStarted => "enrolment_started",
        TimelineSource.EnrolmentChanged => "enrolment_changed",
        TimelineSource.Invited => "invited",
        TimelineSource.Answered => "answered",
        TimelineSource.Attended => "attended",
        TimelineSource.Reply => "reply",
        TimelineSource.MailSent => "mail_sent",
        TimelineSource.StageChange => "stage_change",
        TimelineSource.OnboardingMilestone => "onboarding_milestone",
        _ => "activity",
    };
}

/// <summary>A page of the timeline; pass <c>next</c> as <c>after</c> for the older page (null on the last).</summary>
public sealed record TimelinePageDto(IReadOnlyList<TimelineItemDto> Items, string? Next);

public sealed record ActivityContactDto(long ContactId, string? Name);

public sealed record ActivityDto(
    long Id, long ProspectId, string Kind, DateTimeOffset OccurredAt, string Text, string? Direction, string? Outcome, int? DurationMinutes, string? Location,
    string? OtherAttendees, IReadOnlyList<ActivityContactDto> Contacts, string? FollowUp, DateOnly? FollowUpDue, string Author, DateTimeOffset CreatedAt,
    long? CorrectsId, string Origin)
{
    public static ActivityDto From(Activity a) => new(a.Id, a.ProspectId, a.Kind.Code(), a.OccurredAt, a.Text, a.Direction?.Code(), a.Outcome?.Code(), a.DurationMinutes,
        a.Location, a.OtherAttendees, a.Contacts.Select(c => new ActivityContactDto(c.ContactId, c.Name)).ToList(), a.FollowUp, a.FollowUpDue, a.Author, a.CreatedAt,
        a.CorrectsId, a.Origin.Code());
}

/// <summary>Codes as in the UI: kind call|meeting|note, direction outgoing|incoming, outcome reached|no_answer|left_message|wrong_number.</summary>
public sealed record LogActivityRequest(
    string? Kind, DateTimeOffset? OccurredAt, string? Text, string? Direction, string? Outcome, int? DurationMinutes, string? Location, string? OtherAttendees,
    IReadOnlyList<long>? ContactIds, string? FollowUp, DateOnly? FollowUpDue, long? Corrects = null);

/// <summary>A prospect's timeline and its activities over the JSON API, with the same roles as the rest of /api/prospects.</summary>
public static class ActivitiesApi
{
    public static RouteGroupBuilder MapActivitiesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/prospects").WithTags("Prospects").RequireAuthorization(Access.Policies.Read);
        group.MapGet("/{id:long}/timeline", TimelineAsync).WithSummary("The prospect's timeline, newest first, filtered by kind and keyset-paged (after = the previous page's next).");
        group.MapPost("/{id:long}/activities", LogAsync).WithSummary("Log a call, meeting or note (optionally with a follow-up that becomes the next action), or a correction of one.")
            .RequireAuthorization(Access.Policies.Edit);
        return group;
    }

    private static async Task<IResult> TimelineAsync(long id, IPipelineStore pipeline, ITimelineSource timeline, CancellationToken ct,
        string? kind = null, string? after = null, int pageSize = 50)
    {
        var errors = new Dictionary<string, string[]>();
        var kinds = new HashSet<TimelineKind>();
        foreach (var code in (kind ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Timeline.Kinds.TryParse(code, out var k)) kinds.Add(k);
            else
            {
                errors["kind"] = [$"Unknown kind. Use one or more of: {string.Join(", ", Timeline.Kinds.Members.Select(m => m.Code()))}."];
                break;
            }
        }

        TimelineCursor? cursor = null;
        if (!string.IsNullOrEmpty(after))
        {
            if (TimelineCursor.TryParse(after, out var c)) cursor = c;
            else errors["after"] = ["after must be the next value of a previous page."];
        }

        if (pageSize is < 1 or > TimelineQuery.MaxPageSize) errors["pageSize"] = [$"pageSize must be between 1 and {TimelineQuery.MaxPageSize}."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (await pipeline.GetEntryAsync(id, ct) is null) return NotFound(id);
        var page = await timeline.PageAsync(id, new TimelineQuery { Kinds = kinds, After = cursor, PageSize = pageSize }, ct);
        return TypedResults.Ok(new TimelinePageDto(page.Items.Select(TimelineItemDto.From).ToList(), page.Next?.ToString()));
    }

    private static async Task<IResult> LogAsync(long id, LogActivityRequest request, ActivityService service, CurrentActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        if (!ActivityCodes.Kinds.TryParse(request.Kind, out var kind)) errors["kind"] = ["Use call, meeting or note."];
        CallDirection? direction = null;
        if (request.Direction is not null)
        {
            if (ActivityCodes.Directions.TryParse(request.Direction, out var d)) direction = d;
            else errors["direction"] = ["Use outgoing or incoming."];
        }

        CallOutcome? outcome = null;
        if (request.Outcome is not null)
        {
            if (ActivityCodes.Outcomes.TryParse(request.Outcome, out var o)) outcome = o;
            else errors["outcome"] = [$"Use one of: {string.Join(", ", ActivityCodes.Outcomes.Members.Select(m => m.Code()))}."];
        }

        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var draft = new ActivityDraft
        {
            Kind = kind, OccurredAt = request.OccurredAt, Text = request.Text, Direction = direction, Outcome = outcome, DurationMinutes = request.DurationMinutes,
            Location = request.Location, OtherAttendees = request.OtherAttendees, ContactIds = request.ContactIds ?? [], FollowUp = request.FollowUp, FollowUpDue = request.FollowUpDue,
        };
        var result = request.Corrects is { } corrects
            ? await service.CorrectAsync(id, corrects, draft, actor.Name, ct)
            : await service.LogAsync(id, draft, actor.Name, ct);
        if (result.NotFound) return NotFound(id);
        if (result.Errors.Count > 0)
            return TypedResults.ValidationProblem(result.Errors.GroupBy(e => Camel(e.Field)).ToDictionary(g => g.Key, g => g.Select(e => e.Message.ToString()).ToArray()));
        return TypedResults.Created($"/api/prospects/{id}/timeline", ActivityDto.From(result.Activity!));
    }

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(title: "Not found", detail: $"There is no prospect {id} (or no such activity on it).", statusCode: StatusCodes.Status404NotFound);

    private static string Camel(string field) => field.Length == 0 ? field : char.ToLowerInvariant(field[0]) + field[1..];
}
