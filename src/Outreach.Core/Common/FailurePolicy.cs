using Microsoft.Extensions.Logging;

namespace Outreach.Core.Common;

/// <summary>
/// A failure a service reported about one item, as opposed to anything else that went wrong with it: whether trying again
/// can help at all, and how long the service asked to be left alone (HTTP 429/503 Retry-After).
/// </summary>
public interface IServiceFailure
{
    bool Permanent { get; }
    TimeSpan? RetryAfter { get; }
}

/// <summary>
/// The verdict on one failed item. <see cref="Reason"/> goes on the item's row (last_error); <see cref="RetryAt"/> is when
/// it is due again, null when it is given up on (a dead letter a person can retry); <see cref="ServiceWait"/> is the wait
/// the service asked for, which holds the same mailbox's other items too; <see cref="Unexpected"/>: not a failure the
/// service reported (a bug, a missing right, a broken template), logged with its stack trace.
/// </summary>
public sealed record ItemFailure(string Reason, DateTimeOffset? RetryAt, TimeSpan? ServiceWait, bool Unexpected)
{
    public bool GivenUp => RetryAt is null;
}

/// <summary>
/// The failure policy of the mail and event-notice outboxes: per item, never per batch. (The Dynamics write-back keeps its
/// own, simpler rule for reasons given on DataverseWriteBack: it is sent once per sync, by one sender.)
/// Every exception of one item is that item's failure (<see cref="EndsTheRun"/> names the few that are not): the reason
/// is recorded on its row, the item backs off exponentially (or as long as the service asked, when longer), and after
/// <see cref="MaxAttempts"/> attempts, or at once when the service says trying again cannot help, it is given up on.
/// The other items of the batch go on. Every failure is logged (<see cref="Log"/>) with one message shape for all outboxes.
/// </summary>
public record FailurePolicy
{
    /// <summary>The longest reason kept on a row; longer ones are cut.</summary>
    public const int MaxReasonLength = 2000;

    /// <summary>Attempts in all, the first included; a claim that was given back untried does not count.</summary>
    public int MaxAttempts { get; init; } = 6;
    public TimeSpan FirstRetry { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan MaxRetry { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Exponential backoff (1, 2, 4 … minutes, capped), or the service's Retry-After when it is longer.</summary>
    public TimeSpan RetryDelay(int attempt, TimeSpan? retryAfter)
    {
        var exponential = TimeSpan.FromTicks(Math.Min(MaxRetry.Ticks, FirstRetry.Ticks * (1L << Math.Clamp(attempt - 1, 0, 30))));
        return retryAfter is { } asked && asked > exponential ? (asked < MaxRetry ? asked : MaxRetry) : exponential;
    }

    /// <summary>
    /// The exceptions that end the whole run instead of failing one item: the run's own cancellation (a stopping host), and
    /// running out of memory, after which the process cannot be trusted to record anything. A timeout's cancellation is an
    /// item's failure.
    /// </summary>
    public static bool EndsTheRun(Exception exception, CancellationToken ct) =>
        exception is OperationCanceledException && ct.IsCancellationRequested
        || exception is OutOfMemoryException and not InsufficientMemoryException;

    /// <summary>The verdict on an item that failed with <paramref name="exception"/> on its <paramref name="attempt"/>th attempt.</summary>
    public ItemFailure Judge(Exception exception, int attempt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is IServiceFailure service
            ? Judge(exception.Message, attempt, now, service.Permanent, service.RetryAfter)
            : Judge($"{exception.GetType().Name}: {exception.Message}", attempt, now) with { Unexpected = true };
    }

    /// <summary>The verdict on a failure reported without an exception (a Dataverse $batch change set's error, say).</summary>
    public ItemFailure Judge(string reason, int attempt, DateTimeOffset now, bool permanent = false, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var last = permanent || attempt >= MaxAttempts;
        var wait = !permanent && retryAfter is { } asked && asked > TimeSpan.Zero ? asked : (TimeSpan?)null;
        return new ItemFailure(
            reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason,
            last ? null : now + RetryDelay(attempt, retryAfter),
            wait,
            Unexpected: false);
    }

    /// <summary>
    /// The log line of one failed item: an error when it was given up on or failed unexpectedly (with the exception), else a
    /// warning. <paramref name="outbox"/> names the queue ("mail", "event notice"), <paramref name="item"/> the item.
    /// </summary>
    public static void Log(ILogger logger, string outbox, string item, int attempt, ItemFailure failure, Exception? exception)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(failure);
        var level = failure.GivenUp || failure.Unexpected ? LogLevel.Error : LogLevel.Warning;
        if (failure.RetryAt is { } retryAt)
            FailureLog.Retried(logger, level, failure.Unexpected ? exception : null, outbox, item, attempt, retryAt, failure.Reason);
        else
            FailureLog.GivenUp(logger, level, failure.Unexpected ? exception : null, outbox, item, attempt, failure.Reason);
    }
}

internal static partial class FailureLog
{
    [LoggerMessage(EventId = 5001, Message = "The {Outbox} {Item} failed on attempt {Attempt}, tried again at {RetryAt:u}: {Reason}")]
    public static partial void Retried(ILogger logger, LogLevel level, Exception? exception, string outbox, string item, int attempt, DateTimeOffset retryAt, string reason);

    [LoggerMessage(EventId = 5002, Message = "The {Outbox} {Item} failed on attempt {Attempt} and is given up on: {Reason}")]
    public static partial void GivenUp(ILogger logger, LogLevel level, Exception? exception, string outbox, string item, int attempt, string reason);
}
