namespace Outreach.Core.Sequences;

/// <summary>
/// At most <see cref="MaxMails"/> outreach mails per contact in any <see cref="Period"/>, across all covenants and sequences
/// (default 2 per 7 days): a mail that would exceed it is held back until it fits.
/// </summary>
public sealed record FrequencyCap(int MaxMails, TimeSpan Period)
{
    public static readonly FrequencyCap Default = new(2, TimeSpan.FromDays(7));

    /// <summary>
    /// Null when a mail may go at <paramref name="at"/>; otherwise the first instant at which it fits, given the contact's
    /// outreach mails sent (or planned) at <paramref name="sent"/>.
    /// </summary>
    public DateTimeOffset? HoldUntil(IEnumerable<DateTimeOffset> sent, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(sent);
        if (MaxMails <= 0) throw new InvalidOperationException("The frequency cap must allow at least one mail.");
        // Only mails within a period either side of the candidate can collide with it.
        var recent = sent.Where(s => s > at - Period && s <= at).OrderByDescending(s => s).ToList();
        if (recent.Count < MaxMails) return null;
        // The mail fits once the MaxMails-th most recent one has left the period.
        return recent[MaxMails - 1] + Period;
    }
}
