using Outreach.Core.Mail;

namespace Outreach.Testing;

/// <summary>
/// Stands for the process dying at a chosen point, so nothing may handle it. The outboxes handle every failure of one item
/// (FailurePolicy) except those that end the run, among them running out of memory: hence the base class, which lets it
/// pass every per-item handler as a real crash would, leaving the claim to its lease.
/// </summary>
public sealed class SimulatedCrashException : OutOfMemoryException;

/// <summary>
/// An outbox whose process "dies" (throws <see cref="SimulatedCrashException"/>) when marking a mail sent, if told to; and
/// where something else can happen between a claim and the sends (another request's opt-out).
/// </summary>
public sealed class CrashingOutbox(IMailOutbox inner) : IMailOutbox
{
    public bool CrashOnMark { get; set; }

    /// <summary>Dies while cancelling mail by key prefix (half-way through a stop's or a "done"'s unit of work).</summary>
    public bool CrashOnCancelByKeyPrefix { get; set; }
    public Func<Task>? AfterClaim { get; set; }
    public Task<(OutboxMail Mail, bool Added)> EnqueueAsync(MailDraft draft, DateTimeOffset at, CancellationToken ct) => inner.EnqueueAsync(draft, at, ct);

    public async Task<IReadOnlyList<OutboxMail>> ClaimDueAsync(string node, DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken ct)
    {
        var claimed = await inner.ClaimDueAsync(node, now, leaseUntil, max, ct);
        if (AfterClaim is { } then) await then();
        return claimed;
    }

    public Task<Withdrawal?> WithdrawIfUnwantedAsync(long id, string node, CancellationToken ct) => inner.WithdrawIfUnwantedAsync(id, node, ct);
    public Task<int> ReleaseClaimsOfAsync(string node, CancellationToken ct) => inner.ReleaseClaimsOfAsync(node, ct);
    public Task<bool> MarkSentAsync(long id, string node, DateTimeOffset at, DeliveryReceipt? receipt, CancellationToken ct) => CrashOnMark ? throw new SimulatedCrashException() : inner.MarkSentAsync(id, node, at, receipt, ct);
    public Task<OutboxMail?> FindSentByMessageAsync(IReadOnlyCollection<string> internetMessageIds, string? conversationId, CancellationToken ct) => inner.FindSentByMessageAsync(internetMessageIds, conversationId, ct);
    public Task MarkAttemptFailedAsync(long id, string node, string reason, DateTimeOffset? retryAt, CancellationToken ct) => inner.MarkAttemptFailedAsync(id, node, reason, retryAt, ct);
    public Task<bool> ReleaseAsync(long id, string node, DateTimeOffset dueAt, CancellationToken ct) => inner.ReleaseAsync(id, node, dueAt, ct);
    public Task<IReadOnlyList<OutboxMail>> ListAsync(OutboxStatus? status, int max, CancellationToken ct) => inner.ListAsync(status, max, ct);
    public Task<OutboxMail?> GetAsync(long id, CancellationToken ct) => inner.GetAsync(id, ct);
    public Task<int> CancelForContactAsync(long contactId, CancellationToken ct) => inner.CancelForContactAsync(contactId, ct);
    public Task<int> CancelByKeyPrefixAsync(string keyPrefix, string reason, CancellationToken ct) =>
        CrashOnCancelByKeyPrefix ? throw new SimulatedCrashException() : inner.CancelByKeyPrefixAsync(keyPrefix, reason, ct);
    public Task<int> EraseForContactAsync(long contactId, CancellationToken ct) => inner.EraseForContactAsync(contactId, ct);
    public Task<IReadOnlyList<string>> ListKeysForContactAsync(long contactId, CancellationToken ct) => inner.ListKeysForContactAsync(contactId, ct);
    public Task<bool> RetryAsync(long id, DateTimeOffset at, CancellationToken ct) => inner.RetryAsync(id, at, ct);
    public Task<bool> CancelAsync(long id, CancellationToken ct) => inner.CancelAsync(id, ct);
}
