using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Outreach.Web.Access;

/// <summary>Public endpoints get a per-address budget, so they cannot be used to guess passwords or flood the host.</summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    /// <summary>The opt-out links in outreach mail (public: they work without signing in).</summary>
    public const string OptOut = "opt-out";

    public static void Configure(RateLimiterOptions options)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.AddPolicy(SignIn, context => RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = 30, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        options.AddPolicy(OptOut, context => RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = 30, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }
}
