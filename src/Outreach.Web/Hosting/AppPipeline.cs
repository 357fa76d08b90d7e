using System.Data.Common;
using Hangfire;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Outreach.Storage;
using Outreach.Web.Access;
using Outreach.Web.Api;

namespace Outreach.Web.Hosting;

public static class AppPipeline
{
    public static WebApplication UseOutreach(this WebApplication app)
    {
        var access = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AccessOptions>>().Value;
        if (access.TrustForwardedHeaders) app.UseForwardedHeaders(TrustedProxies.Options(access));

        app.UseSecurityHeaders();
        // API callers get problem+json; people get the error page. Never a stack trace outside Development.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseExceptionHandler());
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), ui =>
        {
            if (!app.Environment.IsDevelopment()) ui.UseExceptionHandler("/error");
        });
        app.UseStatusCodePages();
        app.UseStaticFiles();
        app.UseRequestLocalization();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseOutreachRateLimiter();
        // Form posts to minimal endpoints (language, name) are checked like Razor Pages forms.
        app.UseAntiforgery();

        app.MapOpenApi().RequireAuthorization(Policies.Read);
        app.MapGet("/health", async (Database db, ILogger<Database> logger, CancellationToken ct) =>
        {
            try
            {
                await using var connection = await db.OpenAsync(ct);
                return Results.Ok(new { status = "ok", database = db.Engine.ToString().ToLowerInvariant() });
            }
            catch (DbException ex)
            {
                // The reason goes to the log, not to whoever asks.
                logger.LogError(ex, "Health check could not reach the {Engine} database", db.Engine);
                return Results.Json(new { status = "unhealthy", database = db.Engine.ToString().ToLowerInvariant() }, statusCode: 503);
            }
        }).WithTags("Health").AllowAnonymous();
        app.MapProspectsApi();
        app.MapActivitiesApi();
        app.MapJobsApi();
        // Hangfire's own dashboard, for administrators only: the app's sign-in and role through endpoint authorisation (no
        // Hangfire filter, whose default would admit local requests only), and its posts checked against the app's antiforgery.
        app.MapHangfireDashboardWithAuthorizationPolicy(Policies.Admin, "/jobs/dashboard", new DashboardOptions
        {
            AppPath = "/jobs",
            DashboardTitle = "Outreach jobs",
            DisplayStorageConnectionString = false,
            IgnoreAntiforgeryToken = false,
        }, app.Services.GetRequiredService<JobStorage>());
        app.MapContactsApi();
        app.MapReportsApi();
        app.MapFeedApi();
        app.MapMonitoringApi();
        app.MapSequencesApi();
        app.MapEventsApi();

        // Language choice: a cookie, so the choice sticks; only local return URLs are followed.
        app.MapPost("/language", (HttpContext context, [FromForm] string culture, [FromForm] string? returnUrl) =>
        {
            // No browser sends control characters in a URL; the redirect would refuse them with a server error.
            if (returnUrl is not null && returnUrl.Any(char.IsControl)) return Results.BadRequest();
            if (ServiceRegistration.Cultures.All(c => c.Name != culture)) culture = "en";
            context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = DateTimeOffset.MaxValue.AddYears(-1), IsEssential = true, HttpOnly = true, SameSite = SameSiteMode.Lax });
            return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
        }).ExcludeFromDescription().AllowAnonymous();

        app.MapGet("/", () => Results.Redirect("/board")).ExcludeFromDescription().AllowAnonymous();
        app.MapRazorPages();
        return app;
    }

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}
