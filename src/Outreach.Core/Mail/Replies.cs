namespace Outreach.Core.Mail;

/// <summary>A message from the secretariat's mailbox that the replies-and-bounces job handled, and what it did.</summary>
public sealed record MailReply
{
    /// <summary>The mailbox's id of the message: each is handled once, even when the mailbox sends it again.</summary>
    public required string MessageId { get; init; }
    /// <summary>reply, out_of_office, bounce or other.</summary>
    public required string Kind { get; init; }
    public long? ContactId { get; init; }
    public long? OrganisationId { get; init; }
    public string? FromAddress { get; init; }
    public string Subject { get; init; } = "";
    public DateTimeOffset ReceivedAt { get; init; }
    public DateOnly? ReturnsOn { get; init; }
    public string? BouncedAddress { get; init; }
    /// <summary>What Outreach did about it, in English ("stopped 2 enrolments").</summary>
    public string Outcome { get; init; } = "";
}

public enum ReplyClaim
{
    Claimed,
    Handled,
    HeldElsewhere,
}

/// <summary>The handled messages and where the job left off in the mailbox.</summary>
public interface IReplyLog
{
    Task<bool> SeenAsync(string messageId, CancellationToken ct);

    /// <summary>
    /// Claims a message before it is handled, so that two runs reading the same inbox handle it once: Claimed (until
    /// <paramref name="until"/>; a run that crashed leaves a claim that lapses, so the message is handled again, never lost),
    /// Handled (its outcome is recorded), or HeldElsewhere (another run is handling it now).
    /// </summary>
    Task<ReplyClaim> ClaimAsync(string messageId, string by, DateTimeOffset now, DateTimeOffset until, CancellationToken ct);

    /// <summary>Records a handled message and makes its claim final; false when it was recorded before (nothing changes then).</summary>
    Task<bool> RecordAsync(MailReply reply, DateTimeOffset at, CancellationToken ct);

    Task<IReadOnlyList<MailReply>> ListForOrganisationAsync(long organisationId, int max, CancellationToken ct);

    /// <summary>The mailbox's stored next or delta link; null to start from the whole inbox.</summary>
    Task<string?> GetLinkAsync(string mailbox, CancellationToken ct);

    Task SaveLinkAsync(string mailbox, string? link, DateTimeOffset at, CancellationToken ct);

    /// <summary>Erasure: the person's replies lose the address and subject; the rows stay so no message is handled again.</summary>
    Task<int> EraseForContactAsync(long contactId, CancellationToken ct);
}

/// <summary>
/// Calendar answers that arrive as mail (iTIP REPLY): recorded as the invitee's answer to the event. Returns what was done,
/// or null when the calendar object is no answer.
/// </summary>
public interface ICalendarAnswers
{
    Task<string?> RecordAsync(string calendar, CancellationToken ct);
}
