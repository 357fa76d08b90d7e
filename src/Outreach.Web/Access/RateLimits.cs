using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace Outreach.Web.Access;

/// <summary>
/// Public endpoints get a budget, so they cannot be used to guess passwords or flood the host. Each budget belongs to who
/// asks: a signed-in person or API key by name, a sign-in by the user name it tries, and only otherwise the client's address
/// (behind a proxy, the address it forwards: see <see cref="TrustedProxies"/>), so one caller cannot use up everyone's.
/// </summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    /// <summary>The opt-out links in outreach mail (public: they work without signing in).</summary>
    public const string OptOut = "opt-out";

    private const string SignInNameItem = "outreach:sign-in-name";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly FixedWindowRateLimiterOptions PerCaller = new() { PermitLimit = 30, Window = Window, QueueLimit = 0 };
    // Lock-out stops guessing one account after five tries; this keeps a flood of posts for one name from costing a password check each.
    private static readonly FixedWindowRateLimiterOptions PerUserName = new() { PermitLimit = 10, Window = Window, QueueLimit = 0 };

    public static void Configure(RateLimiterOptions options)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = RefuseAsync;
        options.AddPolicy(SignIn, context => context.Items[SignInNameItem] is string name
            ? RateLimitPartition.GetFixedWindowLimiter("sign-in:" + name, _ => PerUserName)
            : RateLimitPartition.GetFixedWindowLimiter(Caller(context), _ => PerCaller));
        options.AddPolicy(OptOut, context => RateLimitPartition.GetFixedWindowLimiter(Caller(context), _ => PerCaller));
    }

    /// <summary>The rate limiter, after the sign-in form is read, so a sign-in is counted against the user name it tries.</summary>
    public static IApplicationBuilder UseOutreachRateLimiter(this IApplicationBuilder app)
    {
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals("/account/login", StringComparison.OrdinalIgnoreCase)
                && context.Request.HasFormContentType)
            {
                var form = await context.Request.ReadFormAsync(context.RequestAborted);
                if (form["UserName"].ToString().Trim() is { Length: > 0 and <= 200 } name) context.Items[SignInNameItem] = name.ToLowerInvariant();
            }

            await next(context);
        });
        return app.UseRateLimiter();
    }

    /// <summary>Who is asking: a signed-in person or API key by name; else the client's address.</summary>
    public static string Caller(HttpContext context)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true)
            return "user:" + (user.FindFirstValue(AccessService.UserNameClaim) ?? user.Identity.Name ?? "");
        return "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }

    /// <summary>429 with Retry-After; problem+json for the API, a short page for people.</summary>
    private static async ValueTask RefuseAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var context = rejected.HttpContext;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            await Results.Problem(title: "Too many requests", detail: $"Try again in {seconds} seconds.", statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context);
            return;
        }

        var T = context.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
        var encode = System.Text.Encodings.Web.HtmlEncoder.Default;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(
            $"""
            <!DOCTYPE html>
            <html lang="{encode.Encode(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName)}"><head><meta charset="utf-8"><title>{encode.Encode(T["Too many requests"])}</title>
            <link rel="stylesheet" href="/css/site.css"></head>
            <body><main><h1>{encode.Encode(T["Too many requests"])}</h1>
            <p>{encode.Encode(T["Too many requests in a short time. Please wait {0} seconds and try again.", seconds])}</p></main></body></html>
            """, ct);
    }
}

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto, read only from the proxies named in Access:KnownProxies and Access:KnownNetworks
/// (by default the loopback and private networks), so a caller who reaches the host directly cannot claim another address.
/// </summary>
public static class TrustedProxies
{
    private static readonly string[] PrivateNetworks = ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];

    public static ForwardedHeadersOptions Options(AccessOptions access)
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in access.KnownProxies.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            options.KnownProxies.Add(IPAddress.TryParse(proxy.Trim(), out var address)
                ? address
                : throw new InvalidOperationException($"Access:KnownProxies: '{proxy}' is not an IP address."));
        }

        var networks = access.KnownNetworks.Where(n => !string.IsNullOrWhiteSpace(n)).ToList();
        if (options.KnownProxies.Count == 0 && networks.Count == 0) networks.AddRange(PrivateNetworks);
        foreach (var network in networks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network.Trim(), out var parsed)
                ? parsed
                : throw new InvalidOperationException($"Access:KnownNetworks: '{network}' is not a network such as 10.0.0.0/8."));
        }

        return options;
    }
}
