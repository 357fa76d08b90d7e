using System.Net.Sockets;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Outreach.Core.Events;

namespace Outreach.Graph;

/// <summary>
/// Graph's answers to calendar calls as the event channel's callers understand them: 429 and 503 wait the Retry-After Graph
/// gave (a minute when it gave none), other 5xx, 408 and network failures are worth another try, other 4xx are permanent.
/// </summary>
internal static class GraphEventCalls
{
    public const string ImmutableIds = GraphMailDelivery.ImmutableIds;
    /// <summary>Amsterdam's Windows time zone name, which Graph's dateTimeTimeZone and Prefer: outlook.timezone take.</summary>
    public const string TimeZone = "W. Europe Standard Time";
    public const string PreferTimeZone = "outlook.timezone=\"" + TimeZone + "\"";

    public static async Task<T> CallAsync<T>(string what, long eventId, TimeProvider clock, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ApiException ex)
        {
            var status = ex.ResponseStatusCode;
            var (code, message) = ex is ODataError { Error: { } e } ? (e.Code, e.Message) : (null, ex.Message);
            var text = $"Graph {what} of network event {eventId} failed: {status} {code}: {message}".Trim();
            var retryAfter = GraphMailDelivery.RetryAfter(ex.ResponseHeaders, clock);
            throw status switch
            {
                429 or 503 => new EventChannelException(text, retryAfter: retryAfter ?? TimeSpan.FromMinutes(1), inner: ex),
                >= 500 or 408 => new EventChannelException(text, retryAfter: retryAfter, inner: ex),
                _ => new EventChannelException(text, permanent: true, inner: ex),
            };
        }
        catch (Azure.Identity.AuthenticationFailedException ex)
        {
            throw new EventChannelException($"Graph {what} of network event {eventId}: no token from Entra ID ({ex.Message})", inner: ex);
        }
        catch (HttpRequestException ex)
        {
            // The request may or may not have reached Graph: every step looks first at what is there already.
            throw new EventChannelException($"Graph {what} of network event {eventId} failed: {ex.Message}", inner: ex);
        }
        catch (Exception ex) when (ex is TaskCanceledException or SocketException or IOException && !IsCancelled(ex))
        {
            throw new EventChannelException($"Graph {what} of network event {eventId} timed out or was cut off: {ex.Message}", inner: ex);
        }
    }

    public static bool IsNotFound(Exception ex) =>
        ex is EventChannelException { InnerException: ApiException { ResponseStatusCode: 404 } };

    private static bool IsCancelled(Exception ex) => ex is OperationCanceledException { CancellationToken.IsCancellationRequested: true };
}
