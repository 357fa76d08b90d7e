namespace Outreach.Web.Hosting;

/// <summary>
/// Headers that keep the UI from being framed, sniffed or fed foreign scripts. The pages use only their own
/// script and style files (no inline code), so the policy can be strict.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    /// <summary>
    /// Hangfire's dashboard (administrators only) sets inline style attributes (bar widths, colours); it gets inline styles, and
    /// nothing else more: its scripts are still only its own files.
    /// </summary>
    public const string DashboardContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // Read now: the dashboard's branch moves its prefix into PathBase before the response starts.
        var policy = context.Request.Path.StartsWithSegments("/jobs/dashboard") ? DashboardContentSecurityPolicy : ContentSecurityPolicy;
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            return Task.CompletedTask;
        });
        await next(context);
    });
}
