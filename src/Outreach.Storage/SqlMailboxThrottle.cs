using Dapper;
using Outreach.Core.Mail;

namespace Outreach.Storage;

/// <summary>
/// The mailbox throttle in the database, so that every node (and a node after a restart) sees the same pause and the same
/// minute of sends. Taking a slot is one transaction that serialises the mailbox's takers: SQLite's single writer
/// (BEGIN IMMEDIATE), on PostgreSQL a row lock on the mailbox's row; inside it the slots of the last minute are counted and
/// older ones pruned. Every instant is the caller's (its <see cref="TimeProvider"/>, read inside that transaction), never the
/// database clock.
/// </summary>
public sealed class SqlMailboxThrottle(Database db) : IMailboxThrottle
{
    public async Task PauseAsync(string mailbox, DateTimeOffset until, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO mailbox_throttle (mailbox, paused_until) VALUES (@mailbox, @until)
            ON CONFLICT (mailbox) DO UPDATE SET paused_until = CASE
                WHEN mailbox_throttle.paused_until IS NULL OR mailbox_throttle.paused_until < excluded.paused_until THEN excluded.paused_until
                ELSE mailbox_throttle.paused_until END
            """, new { mailbox = MailboxThrottles.Key(mailbox), until }, cancellationToken: ct));
    }

    public async Task<DateTimeOffset?> PausedUntilAsync(string mailbox, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var until = await c.QuerySingleOrDefaultAsync<DateTimeOffset?>(new CommandDefinition(
            "SELECT paused_until FROM mailbox_throttle WHERE mailbox = @mailbox AND paused_until IS NOT NULL", new { mailbox = MailboxThrottles.Key(mailbox) }, cancellationToken: ct));
        return until > now ? until : null;
    }

    public async Task<SendSlot> TryTakeSendSlotAsync(string mailbox, TimeProvider clock, int maxPerMinute, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (maxPerMinute <= 0) return SendSlot.Grant;
        var key = MailboxThrottles.Key(mailbox);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO mailbox_throttle (mailbox) VALUES (@key) ON CONFLICT (mailbox) DO NOTHING", new { key }, tx, cancellationToken: ct));
        // PostgreSQL: takers of this mailbox queue here until the holder commits, so the count below cannot be passed twice.
        await db.Dialect.LockRowsAsync(c, tx, "SELECT mailbox FROM mailbox_throttle WHERE mailbox = @key FOR UPDATE", new { key }, ct);
        // Read once the lock is held: the slot is stamped when it is given (see the interface).
        var now = clock.GetUtcNow();
        var since = now - MailboxThrottles.Window;
        await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM mail_send_slot WHERE mailbox = @key AND taken_at <= @since", new { key, since }, tx, cancellationToken: ct));
        var taken = (await c.QueryAsync<DateTimeOffset>(new CommandDefinition(
            "SELECT taken_at FROM mail_send_slot WHERE mailbox = @key", new { key }, tx, cancellationToken: ct))).ToList();
        var slot = MailboxThrottles.Decide(taken, now, maxPerMinute);
        if (slot.Granted)
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO mail_send_slot (mailbox, taken_at) VALUES (@key, @at)", new { key, at = MailboxThrottles.RecordedAt(now) }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return slot;
    }
}
