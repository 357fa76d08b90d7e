using Microsoft.AspNetCore.Http.HttpResults;
using Outreach.Core.Onboarding;

namespace Outreach.Web.Api;

/// <summary>The annual monitoring report as JSON: the same figures as the monitoring page.</summary>
public static class MonitoringApi
{
    public static RouteGroupBuilder MapMonitoringApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/monitoring").WithTags("Monitoring").RequireAuthorization(Access.Policies.Read);
        group.MapGet("", ReportAsync)
            .WithSummary("The monitoring report of one covenant and monitoring year: every milestone as N of M with the parties behind it, the year before, who is not yet monitored, who left, and the sentence in Dutch and English.")
            .WithDescription("Parameters: covenant (code, required) and year (1 for the covenant's first twelve months; default the last year that has ended). " + MonitoringReport.CountingRule);
        return group;
    }

    private static async Task<Results<Ok<MonitoringReport>, ValidationProblem>> ReportAsync(MonitoringReports reports, CancellationToken ct, string? covenant = null, string? year = null)
    {
        var (report, errors) = await reports.BuildAsync(covenant, year, ct);
        if (report is null)
            return TypedResults.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message.ToString()).ToArray()));
        return TypedResults.Ok(report);
    }
}
