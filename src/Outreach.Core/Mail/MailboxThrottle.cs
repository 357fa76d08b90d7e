namespace Outreach.Core.Mail;

/// <summary>The answer to a request for a send slot: granted, or the time to wait before asking again.</summary>
public readonly record struct SendSlot(bool Granted, TimeSpan Wait)
{
    public static readonly SendSlot Grant = new(true, TimeSpan.Zero);

    public static SendSlot WaitFor(TimeSpan wait) => new(false, wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1));
}

/// <summary>
/// What a mailbox may take, shared by every node: a pause (Graph answered 429 or 503 with Retry-After, which holds for every
/// request of the app to that mailbox, not only for the one that got it) and the sends of the last sliding minute (Exchange
/// Online's 30 a minute is per mailbox, whatever the number of hosts). Times are the caller's clock, never the store's.
/// </summary>
public interface IMailboxThrottle
{
    /// <summary>Pauses every request to the mailbox until <paramref name="until"/>; a later pause already recorded is kept.</summary>
    Task PauseAsync(string mailbox, DateTimeOffset until, CancellationToken ct);

    /// <summary>The end of the mailbox's pause when it is later than <paramref name="now"/>; else null.</summary>
    Task<DateTimeOffset?> PausedUntilAsync(string mailbox, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Takes one send of the mailbox's budget when fewer than <paramref name="maxPerMinute"/> were taken in the minute before
    /// now (atomically over every node), or says how long until one is free. "Now" is read from <paramref name="clock"/> once
    /// this taker is the mailbox's only one: a slot stamped when it was asked for, before a wait for the other takers, would
    /// leave the minute early and let the next one in while its send had only just begun.
    /// </summary>
    Task<SendSlot> TryTakeSendSlotAsync(string mailbox, TimeProvider clock, int maxPerMinute, CancellationToken ct);
}

/// <summary>
/// A request not made because its mailbox is paused until <see cref="Until"/>. Nothing reached the service: whoever
/// holds the work gives it back due then, without counting an attempt.
/// </summary>
public sealed class MailboxPausedException(string mailbox, DateTimeOffset until)
    : Exception($"Mailbox {mailbox} is paused until {until:u} (the service asked to wait).")
{
    public string Mailbox { get; } = mailbox;
    public DateTimeOffset Until { get; } = until;
}

public static class MailboxThrottles
{
    /// <summary>The sliding window of the send budget.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The instant a slot is recorded at: rounded up to the whole microsecond, the finest PostgreSQL keeps. Cut down instead (as
    /// a timestamptz parameter is), a slot would leave the minute up to a microsecond early and let one send too many in.
    /// </summary>
    public static DateTimeOffset RecordedAt(DateTimeOffset at)
    {
        var rest = at.UtcTicks % TimeSpan.TicksPerMicrosecond;
        return rest == 0 ? at.ToUniversalTime() : new DateTimeOffset(at.UtcTicks - rest + TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
    }

    /// <summary>One key per mailbox however it is spelt (Graph addresses are case-insensitive).</summary>
    public static string Key(string mailbox)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mailbox);
        return mailbox.Trim().ToLowerInvariant();
    }

    /// <summary>
    /// The decision of a sliding-minute budget over the instants already taken (any order): grant when fewer than
    /// <paramref name="maxPerMinute"/> fall in the minute before <paramref name="now"/>, else wait until enough of them age out.
    /// </summary>
    public static SendSlot Decide(IReadOnlyList<DateTimeOffset> taken, DateTimeOffset now, int maxPerMinute)
    {
        ArgumentNullException.ThrowIfNull(taken);
        var recent = taken.Where(t => t + Window > now).Order().ToList();
        if (recent.Count < maxPerMinute) return SendSlot.Grant;
        // The slot frees when the oldest that keeps the count at the limit is a minute old.
        return SendSlot.WaitFor(recent[recent.Count - maxPerMinute] + Window - now);
    }
}
