using Microsoft.AspNetCore.Http.HttpResults;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;

namespace Outreach.Web.Api;

/// <summary>The conversion report as JSON: the same figures as the reports page, for the same filters.</summary>
public static class ReportsApi
{
    public static RouteGroupBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/reports").WithTags("Reports").RequireAuthorization(Access.Policies.Read);
        group.MapGet("/conversion", ConversionAsync)
            .WithSummary("The conversion report computed from the stage history: funnel, conversions, days between stages, cohorts, events, exits, leavers.")
            .WithDescription("Filters: covenant (code; repeat it or separate codes by commas for several), period (this-year, last-quarter, last-12-months; wins over from and to), from and to (yyyy-mm-dd, Amsterdam days, both included; default the last 365 days), sector, partyKind, owner, excludeImported (true: leave out prospects whose history was imported). " + ConversionReport.CountingRule + " " + ConversionReport.CohortFunnelRule);
        return group;
    }

    private static async Task<Results<Ok<ConversionReport>, ValidationProblem>> ConversionAsync(
        ConversionReports reports, IProspectStore prospects, CancellationToken ct,
        string[]? covenant = null, string? period = null, string? from = null, string? to = null, string? sector = null, string? partyKind = null, string? owner = null, bool excludeImported = false)
    {
        var (query, errors) = ReportFilters.Parse(covenant ?? [], period, from, to, sector, partyKind, owner, await prospects.ListCovenantsAsync(ct), reports.Today, excludeImported);
        if (query is null)
            return TypedResults.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message.ToString()).ToArray()));
        return TypedResults.Ok(await reports.BuildAsync(query, ct));
    }
}
