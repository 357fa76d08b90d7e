using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Outreach.Dataverse.Http;

/// <summary>
/// Service-protection behaviour in one place: at most N requests in flight (a SemaphoreSlim; Dataverse allows 52 per user),
/// and 429/503 answers retried a bounded number of times (Polly) after exactly the Retry-After the service asked for.
/// A 429 also pauses every other request of this client until the Retry-After has passed, because the limit is per
/// user and the penalty grows while the client keeps sending.
/// </summary>
public sealed partial class ThrottlingHandler : DelegatingHandler
{
    private readonly SemaphoreSlim slots;
    private readonly ResiliencePipeline<HttpResponseMessage> retry;
    private readonly TimeProvider clock;
    private readonly TimeSpan attemptTimeout;
    private readonly ILogger logger;
    private long pausedUntilTicks;

    public ThrottlingHandler(DataverseOptions options, TimeProvider clock, ILogger logger, Core.Common.OutreachMetrics? metrics = null)
    {
        this.clock = clock;
        this.logger = logger;
        attemptTimeout = options.RequestTimeout;
        slots = new SemaphoreSlim(options.MaxConcurrentRequests, options.MaxConcurrentRequests);
        retry = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .HandleResult(r => r.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
                    .Handle<HttpRequestException>(),
                MaxRetryAttempts = options.MaxRetries,
                // Without Retry-After (a 503 from a gateway, a dropped connection): 2^attempt seconds, as Microsoft's sample does.
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromSeconds(2),
                UseJitter = true,
                MaxDelay = options.MaxRetryDelay,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result) is { } wait
                    ? (TimeSpan?)(wait > options.MaxRetryDelay ? options.MaxRetryDelay : wait)
                    : null),
                OnRetry = args =>
                {
                    var response = args.Outcome.Result;
                    Interlocked.Increment(ref retries);
                    if (response?.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) metrics?.Throttled("dataverse", (int)response.StatusCode);
                    if (response?.StatusCode == HttpStatusCode.TooManyRequests) PauseAll(args.RetryDelay);
                    LogRetry(this.logger, response is null ? 0 : (int)response.StatusCode, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds);
                    response?.Dispose();
                    return default;
                },
            })
            .Build();
    }

    /// <summary>Requests that got a 429 or 503 and were sent again (for tests and the benchmark).</summary>
    public int Retries => retries;
    private int retries;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        await retry.ExecuteAsync(async ct =>
        {
            await slots.WaitAsync(ct);
            try
            {
                var pause = TimeSpan.FromTicks(Interlocked.Read(ref pausedUntilTicks) - clock.GetUtcNow().UtcTicks);
                if (pause > TimeSpan.Zero) await Task.Delay(pause, clock, ct);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(attemptTimeout);
                return await base.SendAsync(request, timeout.Token);
            }
            finally
            {
                slots.Release();
            }
        }, cancellationToken);

    private void PauseAll(TimeSpan wait)
    {
        var until = clock.GetUtcNow().Add(wait).UtcTicks;
        long current;
        do
        {
            current = Interlocked.Read(ref pausedUntilTicks);
            if (current >= until) return;
        }
        while (Interlocked.CompareExchange(ref pausedUntilTicks, until, current) != current);
    }

    /// <summary>Retry-After as delta-seconds or an HTTP date.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response is null) return null;
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - clock.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) slots.Dispose();
        base.Dispose(disposing);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dataverse answered {Status}; attempt {Attempt} after {DelaySeconds:F1} s")]
    private static partial void LogRetry(ILogger logger, int status, int attempt, double delaySeconds);
}
