using Outreach.Core.Calendar;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Web.Api;

public sealed record EventDto(
    long Id, string Title, long CovenantId, long? HostOrganisationId, EventFormat Format, string? Venue, string? OnlineJoinUrl,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, int Capacity, DateTimeOffset RegistrationDeadline, string DescriptionNl, string DescriptionEn,
    EventStatus Status, string Uid, int Sequence, int PlacesTaken, int Waitlisted, int Invited)
{
    public static EventDto From(NetworkEvent e, IReadOnlyList<Invitation> invitations) => new(
        e.Id, e.Title, e.CovenantId, e.HostOrganisationId, e.Format, e.Venue, e.OnlineJoinUrl, AmsterdamClock.ToLocal(e.StartsAt), AmsterdamClock.ToLocal(e.EndsAt), e.Capacity,
        AmsterdamClock.ToLocal(e.RegistrationDeadline), e.DescriptionNl, e.DescriptionEn, e.Status, e.Uid, e.Sequence,
        EventRules.PlacesTaken(invitations), invitations.Count(i => i.Place == PlaceStatus.Waitlisted), invitations.Count);
}

public sealed record InvitationDto(
    long Id, long ContactId, string ContactName, long OrganisationId, string Organisation, InvitationResponse Response, DateTimeOffset? RespondedAt,
    PlaceStatus Place, int? WaitlistPosition, DateTimeOffset? PlaceOfferedUntil, DateTimeOffset? CheckedInAt, bool AttendedOnline, bool Attended, bool WalkIn);

/// <summary>Start, end and deadline are Europe/Amsterdam wall-clock times (an explicit offset is honoured).</summary>
public sealed record CreateEventRequest(
    string? Title, string? Covenant, long? HostOrganisationId, string? Format, string? Venue, string? OnlineJoinUrl,
    string? Start, string? End, int? Capacity, string? RegistrationDeadline, string? DescriptionNl, string? DescriptionEn);

public sealed record InviteFilterRequest(string? Covenant, string? Stage, string? Sector, string? PartyKind, string? Owner);

public sealed record InviteRequest(IReadOnlyList<long>? ContactIds, InviteFilterRequest? Filter);

public sealed record InviteResultDto(int Invited, int ExcludedOptedOut, int ExcludedBouncing, int ExcludedAlreadyInvited);

/// <summary>The network events JSON API: events, and invitations with answers, waitlist and attendance.</summary>
public static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/events").WithTags("Events").RequireAuthorization(Access.Policies.Read);
        group.MapGet("/", ListAsync).WithSummary("Every network event, newest first, with places taken and waitlist length.");
        group.MapGet("/{id:long}", GetAsync).WithSummary("One network event.");
        group.MapPost("/", CreateAsync).WithSummary("Create a network event (times in Europe/Amsterdam).").RequireAuthorization(Access.Policies.Edit);
        group.MapGet("/{id:long}/invitations", InvitationsAsync).WithSummary("The event's invitations, each with answer, waitlist position and attendance.");
        group.MapPost("/{id:long}/invitations", InviteAsync)
            .WithSummary("Invite contacts by id or by a pipeline filter; opted-out, bouncing and already invited contacts are left out and counted.")
            .RequireAuthorization(Access.Policies.Edit);
        return group;
    }

    private static async Task<IResult> ListAsync(IEventStore events, CancellationToken ct)
    {
        // Two queries for the whole list, not one per event.
        var invitations = (await events.ListAllInvitationsAsync(ct)).ToLookup(i => i.EventId);
        var list = (await events.ListEventsAsync(ct)).Select(e => EventDto.From(e, invitations[e.Id].ToList())).ToList();
        return TypedResults.Ok(list);
    }

    private static async Task<IResult> GetAsync(long id, IEventStore events, CancellationToken ct) =>
        await events.GetEventAsync(id, ct) is { } e ? TypedResults.Ok(EventDto.From(e, await events.ListInvitationsAsync(id, ct))) : NotFound(id);

    private static async Task<IResult> CreateAsync(CreateEventRequest request, EventService service, IEventStore events, IProspectStore prospects, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var covenant = (await prospects.ListCovenantsAsync(ct)).FirstOrDefault(c => c.Code.Equals(request.Covenant?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (covenant is null) errors["covenant"] = [$"Unknown covenant '{request.Covenant}'."];
        if (!Enum.TryParse<EventFormat>(request.Format, ignoreCase: true, out var format) || !Enum.IsDefined(format) || int.TryParse(request.Format, out _))
            errors["format"] = ["Use one of: physical, online, hybrid."];
        var start = Local(request.Start);
        var end = Local(request.End);
        var deadline = Local(request.RegistrationDeadline);
        if (start is null) errors["start"] = ["Give the start as an ISO 8601 time, e.g. 2026-04-15T14:00 (Europe/Amsterdam)."];
        if (end is null) errors["end"] = ["Give the end as an ISO 8601 time, e.g. 2026-04-15T17:00 (Europe/Amsterdam)."];
        if (deadline is null) errors["registrationDeadline"] = ["Give the registration deadline as an ISO 8601 time (Europe/Amsterdam)."];
        if (request.Capacity is null) errors["capacity"] = ["Give the capacity."];
        if (request.HostOrganisationId is { } host && await prospects.GetOrganisationAsync(host, ct) is null)
            errors["hostOrganisationId"] = [$"There is no organisation {host}."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var draft = new NetworkEventDraft
        {
            Title = request.Title ?? "", CovenantId = covenant!.Id, HostOrganisationId = request.HostOrganisationId, Format = format, Venue = request.Venue,
            OnlineJoinUrl = request.OnlineJoinUrl, StartLocal = start!.Value.Local, EndLocal = end!.Value.Local, Capacity = request.Capacity!.Value,
            RegistrationDeadlineLocal = deadline!.Value.Local, StartOffset = start.Value.Offset, EndOffset = end.Value.Offset, RegistrationDeadlineOffset = deadline.Value.Offset,
            DescriptionNl = request.DescriptionNl ?? "", DescriptionEn = request.DescriptionEn ?? "",
        };
        var result = await service.CreateAsync(draft, ct);
        if (result.Errors is { Count: > 0 })
            return TypedResults.ValidationProblem(result.Errors.GroupBy(e => Camel(e.Field)).ToDictionary(g => g.Key, g => g.Select(e => e.Message.ToString()).ToArray()));
        return TypedResults.Created($"/api/events/{result.Event!.Id}", EventDto.From(result.Event, []));
    }

    /// <summary>
    /// An ISO 8601 time: without an offset it is Amsterdam wall-clock time (in the autumn overlap hour, the second one); with
    /// one (or Z) it is that instant, as Amsterdam wall-clock time with the offset that tells the overlap hour's two apart.
    /// </summary>
    private static (DateTime Local, TimeSpan? Offset)? Local(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 40) return null;
        var text = value.Trim();
        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 10 && (text[10..].Contains('+', StringComparison.Ordinal) || text[10..].Contains('-', StringComparison.Ordinal)));
        if (hasOffset)
            return DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var instant)
                ? (AmsterdamClock.ToLocal(instant).DateTime, AmsterdamClock.OffsetIfAmbiguous(instant)) : null;
        return DateTime.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var local)
            ? (DateTime.SpecifyKind(local, DateTimeKind.Unspecified), null) : null;
    }

    private static async Task<IResult> InvitationsAsync(long id, IEventStore events, CancellationToken ct)
    {
        if (await events.GetEventAsync(id, ct) is null) return NotFound(id);
        var views = await events.ListInvitationViewsAsync(id, ct);
        var raw = views.Select(v => v.Invitation).ToList();
        return TypedResults.Ok(views.Select(v => new InvitationDto(
            v.Invitation.Id, v.Invitation.ContactId, v.ContactName, v.OrganisationId, v.OrganisationName, v.Invitation.Response, v.Invitation.RespondedAt,
            v.Invitation.Place, EventRules.WaitlistPosition(raw, v.Invitation), v.Invitation.PlaceOfferedUntil, v.Invitation.CheckedInAt, v.Invitation.AttendedOnline,
            v.Invitation.Attended, v.Invitation.WalkIn)).ToList());
    }

    private static async Task<IResult> InviteAsync(long id, InviteRequest request, EventService service, IEventStore events, IProspectStore prospects, CancellationToken ct)
    {
        if (await events.GetEventAsync(id, ct) is null) return NotFound(id);
        var errors = new Dictionary<string, string[]>();
        var ids = request.ContactIds ?? [];
        if (ids.Count > 5000) errors["contactIds"] = ["At most 5000 contacts at once."];
        if (ids.Any(x => x <= 0)) errors["contactIds"] = ["Contact ids are positive numbers."];
        ProspectFilter? filter = null;
        if (request.Filter is { } f)
        {
            filter = new ProspectFilter();
            if (!string.IsNullOrWhiteSpace(f.Covenant))
            {
                var covenant = (await prospects.ListCovenantsAsync(ct)).FirstOrDefault(c => c.Code.Equals(f.Covenant.Trim(), StringComparison.OrdinalIgnoreCase));
                if (covenant is null) errors["filter.covenant"] = [$"Unknown covenant '{f.Covenant}'."];
                filter = filter with { CovenantId = covenant?.Id };
            }

            if (!string.IsNullOrWhiteSpace(f.Stage))
            {
                if (Stages.TryParse(f.Stage, out var stage)) filter = filter with { Stage = stage };
                else errors["filter.stage"] = [$"Unknown stage '{f.Stage}'. Use one of: {string.Join(", ", Stages.All.Select(s => s.Code()))}."];
            }

            if (!string.IsNullOrWhiteSpace(f.PartyKind))
            {
                if (PartyKinds.TryParse(f.PartyKind, out var kind)) filter = filter with { PartyKind = kind };
                else errors["filter.partyKind"] = [$"Unknown party kind '{f.PartyKind}'. Use one of: {string.Join(", ", PartyKinds.All.Select(p => p.Code()))}."];
            }

            foreach (var (field, value) in new[] { ("filter.sector", f.Sector), ("filter.owner", f.Owner) })
            {
                var textErrors = Validation.CheckText(field, value, 200, required: false);
                if (textErrors.Count > 0) errors[field] = textErrors.Select(e => e.Message.ToString()).ToArray();
            }

            filter = filter with { Sector = string.IsNullOrWhiteSpace(f.Sector) ? null : f.Sector, Owner = string.IsNullOrWhiteSpace(f.Owner) ? null : f.Owner };
        }

        if (ids.Count == 0 && filter is null) errors["contactIds"] = ["Give contact ids or a filter."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var result = await service.InviteAsync(id, new InviteSelection { ContactIds = ids, Filter = filter }, ct);
        if (result.NotFound) return NotFound(id);
        if (result.Refusal is not null)
            return TypedResults.Problem(title: "Invitation refused", detail: result.Refusal.ToString(), statusCode: StatusCodes.Status409Conflict);
        return TypedResults.Ok(new InviteResultDto(result.Invited, result.ExcludedOptedOut, result.ExcludedBouncing, result.ExcludedAlreadyInvited));
    }

    private static string Camel(string field) => field.Length == 0 ? field : char.ToLowerInvariant(field[0]) + field[1..];

    private static IResult NotFound(long id) =>
        TypedResults.Problem(title: "Not found", detail: $"There is no network event {id}.", statusCode: StatusCodes.Status404NotFound);
}
