namespace Outreach.Core.Mail;

public enum OutboxStatus
{
    /// <summary>Waiting for its due time (or for a retry).</summary>
    Pending,
    /// <summary>Claimed by a dispatcher; if its lease runs out (a crash) another dispatcher takes it over and first checks whether it was sent.</summary>
    Sending,
    Sent,
    /// <summary>Given up after the last attempt (a dead letter): shown in the UI with retry and cancel.</summary>
    Failed,
    Cancelled,
}

/// <summary>A mail to put in the outbox. The idempotency key makes adding it twice add it once.</summary>
public sealed record MailDraft
{
    /// <summary>enrolment + step (e.g. "enrolment:42:step:1"), or purpose + recipient + subject for a one-off mail.</summary>
    public required string IdempotencyKey { get; init; }
    public required string Purpose { get; init; }
    public long? ContactId { get; init; }
    public required string ToAddress { get; init; }
    public required string ToName { get; init; }
    public required string Subject { get; init; }
    public required string HtmlBody { get; init; }
    public required string TextBody { get; init; }
    /// <summary>The unsubscribe link for List-Unsubscribe (outreach mail always has one).</summary>
    public string? UnsubscribeUrl { get; init; }
    public string? TemplateKey { get; init; }
    public int? TemplateVersion { get; init; }
    public DateTimeOffset DueAt { get; init; }
    /// <summary>An iCalendar part (an event invitation, update or cancellation); null for ordinary mail.</summary>
    public CalendarPart? Calendar { get; init; }
}

/// <summary>An iTIP calendar object sent with a mail (RFC 6047): its METHOD (REQUEST, CANCEL) and the iCalendar text.</summary>
public sealed record CalendarPart(string Method, string Content);

/// <summary>A mail in the outbox.</summary>
public sealed record OutboxMail
{
    public long Id { get; init; }
    public required MailDraft Mail { get; init; }
    public OutboxStatus Status { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public string? ClaimedBy { get; init; }
    public DateTimeOffset? ClaimedUntil { get; init; }
    /// <summary>The sent message's RFC 5322 Message-ID (for matching a reply's In-Reply-To), once sent.</summary>
    public string? InternetMessageId { get; init; }
    /// <summary>The mailbox's conversation (thread) id of the sent message (Graph), for matching replies in the same thread.</summary>
    public string? ConversationId { get; init; }
}

/// <summary>Why a claimed mail is not sent after all: no longer wanted (cancelled now), or no longer this node's to send.</summary>
public sealed record Withdrawal(string Reason, bool ClaimLost = false);

/// <summary>What the delivery knows about a sent mail, kept in the outbox for matching replies to it.</summary>
public sealed record DeliveryReceipt(string? InternetMessageId, string? ConversationId)
{
    public static readonly DeliveryReceipt None = new(null, null);
}

/// <summary>The persistent outbox: every mail is a row before it is sent.</summary>
public interface IMailOutbox
{
    /// <summary>Adds the mail unless one with the same idempotency key exists; returns the row either way (and whether it was new).</summary>
    Task<(OutboxMail Mail, bool Added)> EnqueueAsync(MailDraft draft, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Claims up to <paramref name="max"/> due rows for <paramref name="node"/> until <paramref name="leaseUntil"/>, atomically,
    /// so two dispatchers never claim the same row. Rows whose lease ran out (their dispatcher died) are claimed again. A due
    /// row whose contact has opted out, been erased or bounced is not claimed but cancelled in the same statement (the reason in
    /// its last error), and not returned: only mail still wanted comes back.
    /// </summary>
    Task<IReadOnlyList<OutboxMail>> ClaimDueAsync(string node, DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken ct);

    /// <summary>
    /// Right before a claimed mail is sent: null when it is still wanted and still claimed by <paramref name="node"/>; else why
    /// not. A mail whose contact opted out, was erased or bounced since the claim is cancelled here (guarded by the claim).
    /// </summary>
    Task<Withdrawal?> WithdrawIfUnwantedAsync(long id, string node, CancellationToken ct);

    /// <summary>
    /// A node starting: the rows it claimed before it stopped (its name is stable across restarts) go back to pending at once,
    /// rather than after their lease; attempts are kept, so the next claim first asks the delivery whether they went. How many.
    /// </summary>
    Task<int> ReleaseClaimsOfAsync(string node, CancellationToken ct);

    /// <summary>
    /// Marks a claimed row sent, with what the delivery told about the message (null: nothing); false when the claim was lost
    /// meanwhile (another dispatcher owns it now).
    /// </summary>
    Task<bool> MarkSentAsync(long id, string node, DateTimeOffset at, DeliveryReceipt? receipt, CancellationToken ct);

    /// <summary>
    /// The sent mail a reply answers: the one whose Message-ID is among <paramref name="internetMessageIds"/> (a reply's
    /// In-Reply-To and References), else the latest sent in <paramref name="conversationId"/>; null when none is ours.
    /// </summary>
    Task<OutboxMail?> FindSentByMessageAsync(IReadOnlyCollection<string> internetMessageIds, string? conversationId, CancellationToken ct);

    /// <summary>Records a failed attempt: back to pending until <paramref name="retryAt"/>, or failed for good when it is null.</summary>
    Task MarkAttemptFailedAsync(long id, string node, string reason, DateTimeOffset? retryAt, CancellationToken ct);

    /// <summary>
    /// Gives a claimed row back untried (its mailbox is paused): pending, due at <paramref name="dueAt"/>, and the claim's
    /// attempt not counted. False when the claim was lost meanwhile.
    /// </summary>
    Task<bool> ReleaseAsync(long id, string node, DateTimeOffset dueAt, CancellationToken ct);

    Task<IReadOnlyList<OutboxMail>> ListAsync(OutboxStatus? status, int max, CancellationToken ct);

    /// <summary>One mail as it is stored (rendered), for the outbox's own page; null when there is no such row.</summary>
    Task<OutboxMail?> GetAsync(long id, CancellationToken ct);

    /// <summary>Cancels every pending mail to the contact (opt-out, erasure); returns how many.</summary>
    Task<int> CancelForContactAsync(long contactId, CancellationToken ct);

    /// <summary>
    /// Cancels the pending and failed mail whose idempotency key starts with <paramref name="keyPrefix"/> (an ended enrolment's
    /// steps, a done milestone's reminders), with <paramref name="reason"/> as its last error; returns how many. Joins a
    /// running unit of work, so the change that ends the mail and the cancellation commit together.
    /// </summary>
    Task<int> CancelByKeyPrefixAsync(string keyPrefix, string reason, CancellationToken ct);

    /// <summary>Erasure: the contact's mails lose everything personal (address, name, bodies), and unsent ones are cancelled; returns how many.</summary>
    Task<int> EraseForContactAsync(long contactId, CancellationToken ct);

    /// <summary>The idempotency keys of every mail to the contact (for erasing delivered copies).</summary>
    Task<IReadOnlyList<string>> ListKeysForContactAsync(long contactId, CancellationToken ct);

    /// <summary>A dead letter back to pending (due now), or a pending or failed mail cancelled.</summary>
    Task<bool> RetryAsync(long id, DateTimeOffset at, CancellationToken ct);
    Task<bool> CancelAsync(long id, CancellationToken ct);
}

/// <summary>Why a delivery failed, and whether trying again can help.</summary>
public sealed class MailDeliveryException(string message, bool permanent = false, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner), Common.IServiceFailure
{
    public bool Permanent { get; } = permanent;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>
/// Where mail goes (a pickup folder of .eml files, or Microsoft Graph). Delivery must be checkable by idempotency key,
/// so that a dispatcher that crashed between sending and marking does not send again.
/// </summary>
public interface IMailDelivery
{
    /// <summary>Sends the mail; the receipt says which message it became (Message-ID, conversation) as far as the delivery knows.</summary>
    Task<DeliveryReceipt> SendAsync(OutboxMail mail, CancellationToken ct);

    /// <summary>
    /// Sends the mail unless <paramref name="stillWanted"/>, asked at the last moment the send can still be stopped (after any
    /// wait for the mailbox's send budget, which can take a minute), says no; null when it said no. A delivery that waits for a
    /// budget overrides this to ask after the wait.
    /// </summary>
    async Task<DeliveryReceipt?> SendIfWantedAsync(OutboxMail mail, Func<CancellationToken, Task<bool>> stillWanted, CancellationToken ct) =>
        await stillWanted(ct) ? await SendAsync(mail, ct) : null;

    /// <summary>The receipt of the mail with this idempotency key if it was already delivered (it is in Sent Items, or its file exists); else null.</summary>
    Task<DeliveryReceipt?> WasDeliveredAsync(string idempotencyKey, CancellationToken ct);
}

/// <summary>Delivered copies Outreach keeps (the pickup folder's .eml files), so that erasing a person removes them too.</summary>
public interface IDeliveredMail
{
    Task EraseAsync(string idempotencyKey, CancellationToken ct);

    /// <summary>At a node's start: removes what a crash left half-written (the pickup folder's temporary files); how many.</summary>
    Task<int> RemoveUnfinishedAsync(CancellationToken ct);
}

public static class OutboxStatuses
{
    public static readonly IReadOnlyList<OutboxStatus> All = Enum.GetValues<OutboxStatus>();

    /// <summary>The stored codes (mail_outbox.status), also used in the API and URLs.</summary>
    public static readonly Common.CodeTable<OutboxStatus> Table = new(new Dictionary<OutboxStatus, string>
    {
        [OutboxStatus.Pending] = "pending",
        [OutboxStatus.Sending] = "sending",
        [OutboxStatus.Sent] = "sent",
        [OutboxStatus.Failed] = "failed",
        [OutboxStatus.Cancelled] = "cancelled",
    });

    /// <summary>The stable code used in storage, the API and URLs ("pending", "failed").</summary>
    public static string Code(this OutboxStatus status) => Table.Code(status);

    public static OutboxStatus Parse(string code) => Table.Parse(code);

    public static bool TryParse(string? value, out OutboxStatus status) => Common.Codes.TryParse(value, All, Code, out status);
}
