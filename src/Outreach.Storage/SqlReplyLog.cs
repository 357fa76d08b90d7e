using Dapper;
using Outreach.Core.Mail;

namespace Outreach.Storage;

/// <summary>The replies-and-bounces job's record (one row per handled message) and its place in the mailbox.</summary>
public sealed class SqlReplyLog(Database db) : IReplyLog
{
    private const string Columns =
        "message_id AS MessageId, kind AS Kind, contact_id AS ContactId, organisation_id AS OrganisationId, from_address AS FromAddress, subject AS Subject, received_at AS ReceivedAt, returns_on AS ReturnsOn, bounced_address AS BouncedAddress, outcome AS Outcome";

    public async Task<bool> SeenAsync(string messageId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM mail_reply WHERE message_id = @messageId", new { messageId }, cancellationToken: ct)) > 0;
    }

    public async Task<ReplyClaim> ClaimAsync(string messageId, string by, DateTimeOffset now, DateTimeOffset until, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        // A final claim (held_until NULL) is never taken over; a lapsed one is. On PostgreSQL a second claimer of the same id
        // waits for the first's insert and then sees its row.
        var taken = await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO mail_reply_claim (message_id, claimed_by, held_until) VALUES (@messageId, @by, @until)
            ON CONFLICT (message_id) DO UPDATE SET claimed_by = excluded.claimed_by, held_until = excluded.held_until
            WHERE mail_reply_claim.held_until IS NOT NULL AND mail_reply_claim.held_until < @now
            """,
            new { messageId, by, until, now }, tx, cancellationToken: ct)) == 1;
        var result = ReplyClaim.Claimed;
        if (!taken)
        {
            var final = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM mail_reply_claim WHERE message_id = @messageId AND held_until IS NULL", new { messageId }, tx, cancellationToken: ct));
            result = final > 0 ? ReplyClaim.Handled : ReplyClaim.HeldElsewhere;
        }

        await tx.CommitAsync(ct);
        return result;
    }

    public async Task<bool> RecordAsync(MailReply reply, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reply);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO mail_reply_claim (message_id, claimed_by, held_until) VALUES (@MessageId, 'recorded', NULL)
            ON CONFLICT (message_id) DO UPDATE SET held_until = NULL
            """,
            new { reply.MessageId }, tx, cancellationToken: ct));
        var recorded = await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO mail_reply (message_id, kind, contact_id, organisation_id, from_address, subject, received_at, returns_on, bounced_address, outcome, recorded_at)
            VALUES (@MessageId, @Kind, @ContactId, @OrganisationId, @FromAddress, @Subject, @ReceivedAt, @ReturnsOn, @BouncedAddress, @Outcome, @at)
            ON CONFLICT (message_id) DO NOTHING
            """,
            new
            {
                reply.MessageId, reply.Kind, reply.ContactId, reply.OrganisationId, FromAddress = Cut(reply.FromAddress, 320), Subject = Cut(reply.Subject, 500) ?? "",
                reply.ReceivedAt, reply.ReturnsOn, BouncedAddress = Cut(reply.BouncedAddress, 320), Outcome = Cut(reply.Outcome, 500) ?? "", at,
            }, tx, cancellationToken: ct)) == 1;
        await tx.CommitAsync(ct);
        return recorded;
    }

    private static string? Cut(string? value, int max) => value is null ? null : value.Length > max ? value[..max] : value;

    public async Task<IReadOnlyList<MailReply>> ListForOrganisationAsync(long organisationId, int max, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<MailReply>(new CommandDefinition(
            $"SELECT {Columns} FROM mail_reply WHERE organisation_id = @organisationId ORDER BY received_at DESC, id DESC LIMIT @max",
            new { organisationId, max = Math.Clamp(max, 1, 500) }, cancellationToken: ct))).ToList();
    }

    public async Task<string?> GetLinkAsync(string mailbox, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT delta_link FROM mailbox_state WHERE mailbox = @mailbox", new { mailbox }, cancellationToken: ct));
    }

    public async Task SaveLinkAsync(string mailbox, string? link, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO mailbox_state (mailbox, delta_link, updated_at) VALUES (@mailbox, @link, @at)
            ON CONFLICT (mailbox) DO UPDATE SET delta_link = excluded.delta_link, updated_at = excluded.updated_at
            """,
            new { mailbox, link, at }, cancellationToken: ct));
    }

    public async Task<int> EraseForContactAsync(long contactId, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var erased = await work.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE mail_reply SET from_address = NULL, subject = '', bounced_address = NULL WHERE contact_id = @contactId",
            new { contactId }, work.Transaction, cancellationToken: ct));
        await work.CommitAsync(ct);
        return erased;
    }
}
