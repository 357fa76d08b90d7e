using Microsoft.AspNetCore.Http.HttpResults;
using Outreach.Core.Common;
using Outreach.Core.Reports;

namespace Outreach.Web.Api;

/// <summary>
/// The Power BI feed (docs/power-bi.md): four flat tables, paged by keyset. Each page is {"rows": [...], "next": url or
/// null}; a client follows "next" until it is null. For managers' and administrators' keys only (<see cref="Access.Policies.Feed"/>).
/// </summary>
public static class FeedApi
{
    private const string Paging =
        "Paged by keyset, in ascending id order: follow the next link (null on the last page) as it is. limit: rows per page, 1 to 5000 (default 1000); cursor: from the next link. A bad cursor or page size is refused with 400.";

    public static RouteGroupBuilder MapFeedApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/feed").WithTags("Feed").RequireAuthorization(Access.Policies.Feed);
        group.MapGet("/stage-changes", (IReportFeed feed, HttpContext http, CancellationToken ct, string? cursor = null, string? limit = null) =>
                PageAsync(FeedTable.StageChanges, http, cursor, limit, feed.StageChangesAsync, r => r.Id, ct))
            .WithSummary("Every stage change (the pipeline's history): prospect, organisation, covenant, from and to stage, when (UTC) and why.")
            .WithDescription(Paging);
        group.MapGet("/prospects", (IReportFeed feed, HttpContext http, CancellationToken ct, string? cursor = null, string? limit = null) =>
                PageAsync(FeedTable.Prospects, http, cursor, limit, feed.ProspectsAsync, r => r.Id, ct))
            .WithSummary("Every prospect (organisation in a covenant's pipeline): organisation, sector, party kind, owner, country, stage now and since when.")
            .WithDescription(Paging);
        group.MapGet("/attendance", (IReportFeed feed, HttpContext http, CancellationToken ct, string? cursor = null, string? limit = null) =>
                PageAsync(FeedTable.Attendance, http, cursor, limit, feed.AttendanceAsync, r => r.Id, ct))
            .WithSummary("Every invitation to a network event, per organisation (no contact details): event, covenant, start, answer, place, checked in, online, walk-in.")
            .WithDescription(Paging);
        group.MapGet("/monitoring", (IReportFeed feed, HttpContext http, CancellationToken ct, string? cursor = null, string? limit = null) =>
                PageAsync(FeedTable.Monitoring, http, cursor, limit, feed.MonitoringAsync, r => r.Id, ct))
            .WithSummary("Every onboarding milestone of the signed parties (the monitoring report's rows): milestone, monitoring year, due and done dates.")
            .WithDescription(Paging);
        return group;
    }

    private static async Task<Results<Ok<FeedPageResponse<T>>, ValidationProblem>> PageAsync<T>(
        FeedTable table, HttpContext http, string? cursor, string? limit,
        Func<long, int, CancellationToken, Task<IReadOnlyList<T>>> read, Func<T, long> id, CancellationToken ct)
    {
        var (after, size, errors) = FeedPaging.Parse(table, cursor, limit);
        if (errors.Count > 0) return Problem(errors);
        var page = FeedPaging.Page(table, await read(after, size, ct), size, id);
        string? next = null;
        if (page.Next is { } c)
        {
            var request = http.Request;
            // The same path and page size, so a client only ever follows the link.
            next = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?limit={size}&cursor={Uri.EscapeDataString(c)}";
        }

        return TypedResults.Ok(new FeedPageResponse<T>(page.Rows, next));
    }

    private static ValidationProblem Problem(IReadOnlyList<FieldError> errors) =>
        TypedResults.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message.ToString()).ToArray()));
}

/// <summary>One page of the feed as JSON.</summary>
public sealed record FeedPageResponse<T>(IReadOnlyList<T> Rows, string? Next);
