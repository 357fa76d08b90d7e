using Microsoft.Kiota.Abstractions;
using Outreach.Core.Events;
using Outreach.Core.Mail;

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
        catch (MailboxPausedException paused)
        {
            // Not sent: the mailbox waits for Graph; the notice outbox gives the notice back until then.
            throw new EventChannelException($"Graph {what} of network event {eventId} not made: {paused.Message}", false, paused.Until - clock.GetUtcNow(), paused);
        }
        catch (Exception ex) when (GraphFailure.From(ex, what, $"of network event {eventId}", clock) is { } failure)
        {
            throw new EventChannelException(failure.Text, failure.Permanent, failure.RetryAfter, ex);
        }
    }

    public static bool IsNotFound(Exception ex) =>
        ex is EventChannelException { InnerException: ApiException { ResponseStatusCode: 404 } };
}
