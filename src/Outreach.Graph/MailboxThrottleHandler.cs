using System.Net;
using Outreach.Core.Mail;

namespace Outreach.Graph;

/// <summary>
/// Graph's throttling is per app and mailbox: a 429 (or a 503 with Retry-After) applies to every request of the app to that
/// mailbox, and continuing to call extends it. This handler, in front of every Graph request (mail, calendar, reads), keeps
/// that rule for all nodes through the <see cref="IMailboxThrottle"/>: a request to a paused mailbox is not made
/// (<see cref="MailboxPausedException"/>, so that the caller's outbox gives its work back until then), and a 429/503 answer
/// pauses the mailbox for its Retry-After (a 429 without one for a minute, as <see cref="GraphFailure"/> waits).
/// </summary>
/// <remarks>
/// The mailbox is the path's users/{id} (or users('{id}'), as some next links spell it); a request without one counts for
/// <paramref name="defaultMailbox"/>. The same address in another case is the same mailbox.
/// </remarks>
public sealed class MailboxThrottleHandler(IMailboxThrottle throttle, TimeProvider clock, string defaultMailbox, Core.Common.OutreachMetrics? metrics = null) : DelegatingHandler
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(1);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var mailbox = MailboxOf(request.RequestUri) ?? defaultMailbox;
        if (await throttle.PausedUntilAsync(mailbox, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false) is { } until)
            throw new MailboxPausedException(mailbox, until);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
        {
            metrics?.Throttled("graph", (int)response.StatusCode);
            var wait = RetryAfter(response);
            if (wait is null && response.StatusCode == HttpStatusCode.TooManyRequests) wait = DefaultWait;
            // The pause is recorded even when the caller is gone: other requests to the mailbox must still wait.
            if (wait is { } w && w > TimeSpan.Zero)
                await throttle.PauseAsync(mailbox, clock.GetUtcNow() + w, CancellationToken.None).ConfigureAwait(false);
        }

        return response;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - clock.GetUtcNow(),
        _ => null,
    };

    /// <summary>The mailbox a Graph URL addresses (users/{id}/… or users('{id}')/…), or null.</summary>
    public static string? MailboxOf(Uri? uri)
    {
        if (uri is null || !uri.IsAbsoluteUri) return null;
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = Uri.UnescapeDataString(segments[i]);
            if (segment.Equals("users", StringComparison.OrdinalIgnoreCase) && i + 1 < segments.Length)
                return NonEmpty(Uri.UnescapeDataString(segments[i + 1]));
            if (segment.StartsWith("users(", StringComparison.OrdinalIgnoreCase) && segment.EndsWith(')'))
                return NonEmpty(segment["users(".Length..^1].Trim('\''));
        }

        return null;
    }

    private static string? NonEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
