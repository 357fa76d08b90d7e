namespace Outreach.Core.Mail;

/// <summary>
/// A message that arrived in the secretariat's mailbox, as far as reply and bounce handling needs it. Header names in
/// <see cref="Headers"/> compare case-insensitively; a mailbox that cannot give headers leaves it empty.
/// </summary>
public sealed record InboxMessage
{
    /// <summary>The mailbox's id of the message (Graph: the immutable id).</summary>
    public required string Id { get; init; }
    /// <summary>Its RFC 5322 Message-ID.</summary>
    public string? InternetMessageId { get; init; }
    /// <summary>The mailbox's thread: a reply to a sent mail usually shares the sent mail's conversation id.</summary>
    public string? ConversationId { get; init; }
    /// <summary>The Message-ID it answers (In-Reply-To), when given.</summary>
    public string? InReplyTo { get; init; }
    /// <summary>The Message-IDs of the thread before it (References), oldest first.</summary>
    public IReadOnlyList<string> References { get; init; } = [];
    public string? FromAddress { get; init; }
    public string? FromName { get; init; }
    public string Subject { get; init; } = "";
    public DateTimeOffset ReceivedAt { get; init; }
    /// <summary>Exchange's item class: IPM.Note for mail, IPM.Note.Rules.OofTemplate.Microsoft for an out-of-office reply, REPORT.IPM.Note.NDR for a non-delivery report.</summary>
    public string? MessageClass { get; init; }
    /// <summary>Internet headers of the message (Auto-Submitted, Content-Type, X-Failed-Recipients…), when known.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    /// <summary>The text body (or, when the mailbox gives no body, its preview).</summary>
    public string Body { get; init; } = "";
    /// <summary>The iCalendar object the message carries (a text/calendar part: a calendar program's answer), when it has one.</summary>
    public string? Calendar { get; init; }

    /// <summary>Sent by a program rather than a person: an out-of-office reply, a delivery report, a mailer's notice.</summary>
    public bool IsAutomatic => InboxClassifier.IsAutomatic(this);

    /// <summary>The Message-IDs this message refers to (In-Reply-To first, then References newest first), for reply matching.</summary>
    public IReadOnlyList<string> ReferencedMessageIds =>
        (InReplyTo is null ? References.Reverse() : References.Reverse().Prepend(InReplyTo)).Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>
/// One page of changes in the inbox. Store <see cref="NextLink"/> when there is one and read it next; after the last page,
/// store <see cref="DeltaLink"/> and read it the next time for what arrived since.
/// </summary>
/// <param name="Messages">New or changed messages (removed ones are left out).</param>
/// <param name="NextLink">More of this round; null on its last page.</param>
/// <param name="DeltaLink">On the last page: where the next round starts.</param>
/// <param name="Restarted">The stored link had expired, so this round started again from the whole inbox (messages already seen come again).</param>
public sealed record InboxPage(IReadOnlyList<InboxMessage> Messages, string? NextLink, string? DeltaLink, bool Restarted);

/// <summary>Reads what arrived in the secretariat's mailbox (Graph message delta on the inbox).</summary>
public interface IMailboxReader
{
    /// <summary>
    /// Reads one page: from the start of the inbox when <paramref name="link"/> is null, else from a stored next or delta
    /// link. An expired link restarts from the start (and says so in <see cref="InboxPage.Restarted"/>).
    /// </summary>
    Task<InboxPage> ReadChangesAsync(string? link, CancellationToken ct);
}

public enum InboxMessageKind
{
    /// <summary>Written by a person: stops the sender organisation's sequences when it matches a contact.</summary>
    Reply,
    /// <summary>An automatic out-of-office answer: pauses the enrolment until <see cref="InboxClassification.ReturnsOn"/> (or a default).</summary>
    OutOfOffice,
    /// <summary>A non-delivery report for <see cref="InboxClassification.BouncedAddress"/>.</summary>
    Bounce,
    /// <summary>Anything else automatic (delivery or read receipts, notices, newsletters): ignored.</summary>
    Other,
}

/// <param name="Kind">What the message is.</param>
/// <param name="ReturnsOn">An out-of-office reply's stated return date, when it states one clearly.</param>
/// <param name="BouncedAddress">The address a non-delivery report is about, when it names one clearly.</param>
/// <param name="HardBounce">A permanent failure (DSN status 5.x.x); a temporary one (4.x.x) or an unstated one is soft.</param>
/// <param name="Status">The DSN status code found (e.g. 5.1.1).</param>
public sealed record InboxClassification(InboxMessageKind Kind, DateOnly? ReturnsOn = null, string? BouncedAddress = null, bool HardBounce = false, string? Status = null);
