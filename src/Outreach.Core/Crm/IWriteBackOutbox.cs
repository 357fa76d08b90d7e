using Outreach.Core.Pipeline;

namespace Outreach.Core.Crm;

/// <summary>A stage change as it goes to the CRM's timeline.</summary>
public sealed record WriteBackChange(long Id, Stage? From, Stage To, DateTimeOffset At, string By, string Reason);

/// <summary>
/// One pending write-back: the account's current pipeline stage and next action, and (for a stage change) the change as a
/// timeline activity. <see cref="Key"/> is the idempotency key: the CRM ids of what it creates are derived from it.
/// </summary>
public sealed record WriteBackItem(
    long Id,
    string Key,
    Guid AccountId,
    string CovenantCode,
    Stage Stage,
    DateTimeOffset StageSince,
    string? NextAction,
    DateOnly? NextActionDue,
    WriteBackChange? Change,
    int Attempts);

/// <summary>
/// The write-back outbox: rows are added in the transaction of the change, sent, then marked sent. A crash between
/// sending and marking sends again, which the CRM side absorbs (upserts under ids derived from the key).
/// Only one sender runs at a time (the Quartz job disallows concurrent runs, cluster-wide on PostgreSQL).
/// </summary>
public interface IWriteBackOutbox
{
    /// <summary>Unsent items after <paramref name="afterId"/>, oldest first, skipping items that failed too often.</summary>
    Task<IReadOnlyList<WriteBackItem>> PendingAsync(long afterId, int max, CancellationToken ct);

    Task MarkSentAsync(IReadOnlyList<long> ids, DateTimeOffset at, CancellationToken ct);

    Task MarkFailedAsync(long id, string reason, CancellationToken ct);
}
