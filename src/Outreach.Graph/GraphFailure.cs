using System.Globalization;
using System.Net.Sockets;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace Outreach.Graph;

/// <summary>
/// A failed Graph call as Outreach's outboxes understand it, the same for mail and calendar: 429 and 503 wait the Retry-After
/// Graph gave (a minute when it gave none); other 5xx, 408, a missing token and network failures are worth another try;
/// other 4xx (a bad recipient, a refused request) are permanent. <see cref="Status"/> and <see cref="Code"/> are Graph's.
/// </summary>
internal sealed record GraphFailure(string Text, bool Permanent, TimeSpan? RetryAfter, int? Status = null, string? Code = null, string? Message = null)
{
    /// <summary>
    /// The failure <paramref name="ex"/> stands for, described as "Graph {what} {subject} …"; null for anything that is
    /// not a Graph or transport failure (a cancellation the caller asked for, a bug), which the caller lets through.
    /// </summary>
    public static GraphFailure? From(Exception ex, string what, string subject, TimeProvider clock)
    {
        switch (ex)
        {
            case ApiException api:
                var status = api.ResponseStatusCode;
                var (code, message) = api is ODataError { Error: { } e } ? (e.Code, e.Message) : (null, api.Message);
                var text = $"Graph {what} {subject} failed: {status} {code}: {message}".Trim();
                var retryAfter = RetryAfterOf(api.ResponseHeaders, clock);
                return status switch
                {
                    429 or 503 => new GraphFailure(text, false, retryAfter ?? TimeSpan.FromMinutes(1), status, code, message),
                    >= 500 or 408 => new GraphFailure(text, false, retryAfter, status, code, message),
                    _ => new GraphFailure(text, true, null, status, code, message),
                };
            case Azure.Identity.AuthenticationFailedException auth:
                return new GraphFailure($"Graph {what} {subject}: no token from Entra ID ({auth.Message})", false, null);
            case HttpRequestException http:
                // The request may or may not have reached Graph: every caller looks first at what is there already.
                return new GraphFailure($"Graph {what} {subject} failed: {http.Message}", false, null);
            case TaskCanceledException or SocketException or IOException when !IsCancelled(ex):
                return new GraphFailure($"Graph {what} {subject} timed out or was cut off: {ex.Message}", false, null);
            default:
                return null;
        }
    }

    private static bool IsCancelled(Exception ex) => ex is OperationCanceledException { CancellationToken.IsCancellationRequested: true };

    /// <summary>Retry-After in seconds or as an HTTP date.</summary>
    public static TimeSpan? RetryAfterOf(IDictionary<string, IEnumerable<string>>? headers, TimeProvider clock)
    {
        if (headers is null) return null;
        var value = headers.FirstOrDefault(h => string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
        if (value is null) return null;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(seconds);
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at - clock.GetUtcNow() : null;
    }
}
