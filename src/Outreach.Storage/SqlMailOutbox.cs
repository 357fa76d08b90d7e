using Dapper;
using Outreach.Core.Mail;

namespace Outreach.Storage;

/// <summary>
/// The mail outbox on SQLite or PostgreSQL. Claims are one UPDATE: on PostgreSQL the candidate rows are locked with
/// SKIP LOCKED, so concurrent dispatchers on several nodes take different rows; SQLite has a single writer (BEGIN IMMEDIATE).
/// </summary>
public sealed class SqlMailOutbox(Database db) : IMailOutbox
{
    private const string Columns =
        "id AS Id, idempotency_key AS IdempotencyKey, purpose AS Purpose, contact_id AS ContactId, to_address AS ToAddress, to_name AS ToName, subject AS Subject, html_body AS HtmlBody, text_body AS TextBody, unsubscribe_url AS UnsubscribeUrl, template_key AS TemplateKey, template_version AS TemplateVersion, due_at AS DueAt, status AS Status, attempts AS Attempts, last_error AS LastError, claimed_by AS ClaimedBy, claimed_until AS ClaimedUntil, sent_at AS SentAt, internet_message_id AS InternetMessageId, conversation_id AS ConversationId, calendar_method AS CalendarMethod, calendar_content AS CalendarContent";

    public async Task<(OutboxMail Mail, bool Added)> EnqueueAsync(MailDraft draft, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        // Joins a running unit of work (a sequence step and its enrolment's advance commit together).
        await using var work = await db.BeginWorkAsync(ct);
        var result = await InsertAsync(work.Connection, work.Transaction!, draft, at, ct);
        await work.CommitAsync(ct);
        return result;
    }

    private static async Task<(OutboxMail Mail, bool Added)> InsertAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, MailDraft draft, DateTimeOffset at, CancellationToken ct)
    {
        var added = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"""
            INSERT INTO mail_outbox (idempotency_key, purpose, contact_id, to_address, to_name, subject, html_body, text_body, unsubscribe_url,
                                     template_key, template_version, due_at, status, created_at, calendar_method, calendar_content)
            VALUES (@IdempotencyKey, @Purpose, @ContactId, @ToAddress, @ToName, @Subject, @HtmlBody, @TextBody, @UnsubscribeUrl,
                    @TemplateKey, @TemplateVersion, @DueAt, 'pending', @at, @CalendarMethod, @CalendarContent)
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING {Columns}
            """,
            new { draft.IdempotencyKey, draft.Purpose, draft.ContactId, draft.ToAddress, draft.ToName, draft.Subject, draft.HtmlBody, draft.TextBody, draft.UnsubscribeUrl, draft.TemplateKey, draft.TemplateVersion, draft.DueAt, at, CalendarMethod = draft.Calendar?.Method, CalendarContent = draft.Calendar?.Content },
            tx, cancellationToken: ct));
        var row = added ?? await c.QuerySingleAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM mail_outbox WHERE idempotency_key = @IdempotencyKey", new { draft.IdempotencyKey }, tx, cancellationToken: ct));
        return (row.ToDomain(), added is not null);
    }

    /// <summary>
    /// Why mail to the contact aliased <c>k</c> must not go (null: it may). Erasure also sets opted_out_at, so it is named first.
    /// </summary>
    private const string UnwantedReason =
        """
        CASE WHEN k.erased_at IS NOT NULL THEN 'Withdrawn: the contact was erased'
             WHEN k.opted_out_at IS NOT NULL THEN 'Withdrawn: the contact opted out'
             WHEN k.bounced_at IS NOT NULL THEN 'Withdrawn: the contact''s address bounced' END
        """;

    public async Task<IReadOnlyList<OutboxMail>> ClaimDueAsync(string node, DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken ct)
    {
        // The due rows in due order: one index-ordered range per status, so a claim reads about max rows, not every due row
        // (an OR over both made SQLite read and sort the whole backlog on each claim). PostgreSQL locks them, skipping rows
        // another dispatcher is claiming at this moment (a lapsed row beyond the first max stays locked until the commit).
        var candidates = $"""
            SELECT claim_id, claim_contact_id FROM (
                SELECT * FROM (SELECT id AS claim_id, contact_id AS claim_contact_id, due_at AS claim_due FROM mail_outbox
                               WHERE status = 'pending' AND due_at <= @now ORDER BY due_at, id LIMIT @max{db.Dialect.ForUpdateSkipLocked}) pending
                UNION ALL
                SELECT * FROM (SELECT id AS claim_id, contact_id AS claim_contact_id, due_at AS claim_due FROM mail_outbox
                               WHERE status = 'sending' AND claimed_until <= @now ORDER BY due_at, id LIMIT @max{db.Dialect.ForUpdateSkipLocked}) lapsed) due
            ORDER BY claim_due, claim_id LIMIT @max
            """;
        // Taking the row and checking that it is still wanted are one statement: mail to a person who opted out, was erased or
        // bounced is cancelled instead of claimed, also a row whose earlier claim's node died before the opt-out.
        var sql = $"""
            UPDATE mail_outbox SET
                status = CASE WHEN w.withdraw_reason IS NULL THEN 'sending' ELSE 'cancelled' END,
                claimed_by = CASE WHEN w.withdraw_reason IS NULL THEN @node END,
                claimed_until = CASE WHEN w.withdraw_reason IS NULL THEN @leaseUntil END,
                attempts = CASE WHEN w.withdraw_reason IS NULL THEN attempts + 1 ELSE attempts END,
                last_error = COALESCE(w.withdraw_reason, last_error)
            FROM (SELECT d.claim_id, {UnwantedReason} AS withdraw_reason
                  FROM ({candidates}) d LEFT JOIN contact k ON k.id = d.claim_contact_id) w
            WHERE mail_outbox.id = w.claim_id
            RETURNING {Columns}
            """;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var claimed = new List<OutboxMail>();
        // A batch that was all withdrawn says nothing about the rows behind it: take the next (a few times at most).
        for (var round = 0; round < 10 && claimed.Count == 0; round++)
        {
            var rows = (await c.QueryAsync<Row>(new CommandDefinition(sql, new { node, now, leaseUntil, max }, tx, cancellationToken: ct))).ToList();
            claimed.AddRange(rows.Where(r => r.Status == "sending").Select(r => r.ToDomain()));
            if (rows.Count == 0) break;
        }

        await tx.CommitAsync(ct);
        return claimed.OrderBy(m => m.Mail.DueAt).ThenBy(m => m.Id).ToList();
    }

    public async Task<Withdrawal?> WithdrawIfUnwantedAsync(long id, string node, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        // A read first (one row by key, its contact by key): the usual answer, "still wanted", takes no write lock.
        var state = await c.QuerySingleOrDefaultAsync<WantedRow>(new CommandDefinition(
            $"SELECT m.status AS Status, m.claimed_by AS ClaimedBy, {UnwantedReason} AS Reason FROM mail_outbox m LEFT JOIN contact k ON k.id = m.contact_id WHERE m.id = @id",
            new { id }, cancellationToken: ct));
        if (state is null || state.Status != "sending" || state.ClaimedBy != node)
            return new Withdrawal($"No longer claimed by {node} (now {state?.Status ?? "gone"})", ClaimLost: true);
        if (state.Reason is null) return null;
        var cancelled = await c.ExecuteAsync(new CommandDefinition(
            "UPDATE mail_outbox SET status = 'cancelled', last_error = @reason, claimed_by = NULL, claimed_until = NULL WHERE id = @id AND status = 'sending' AND claimed_by = @node",
            new { id, node, reason = state.Reason }, cancellationToken: ct));
        return new Withdrawal(state.Reason, ClaimLost: cancelled == 0);
    }

    public async Task<int> ReleaseClaimsOfAsync(string node, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        // Due as before (it was due when claimed), so the row keeps its place; attempts stay, so it is checked for delivery first.
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE mail_outbox SET status = 'pending', claimed_by = NULL, claimed_until = NULL WHERE status = 'sending' AND claimed_by = @node",
            new { node }, cancellationToken: ct));
    }

    private sealed class WantedRow
    {
        public string Status { get; init; } = "";
        public string? ClaimedBy { get; init; }
        public string? Reason { get; init; }
    }

    public async Task<bool> MarkSentAsync(long id, string node, DateTimeOffset at, DeliveryReceipt? receipt, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE mail_outbox SET status = 'sent', sent_at = @at, claimed_by = NULL, claimed_until = NULL, last_error = NULL,
                internet_message_id = @messageId, conversation_id = @conversationId
            WHERE id = @id AND status = 'sending' AND claimed_by = @node
            """,
            new { id, node, at, messageId = Limit(receipt?.InternetMessageId), conversationId = Limit(receipt?.ConversationId) }, cancellationToken: ct)) == 1;
    }

    public async Task<OutboxMail?> FindSentByMessageAsync(IReadOnlyCollection<string> internetMessageIds, string? conversationId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(internetMessageIds);
        var ids = internetMessageIds.Where(i => !string.IsNullOrWhiteSpace(i)).Select(i => i.Trim()).Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0 && string.IsNullOrWhiteSpace(conversationId)) return null;
        await using var c = await db.OpenAsync(ct);
        // A Message-ID names one mail; a conversation may hold several of ours (a sequence's steps in one thread): the latest.
        Row? row = null;
        if (ids.Length > 0)
            row = await c.QueryFirstOrDefaultAsync<Row>(new CommandDefinition(
                $"SELECT {Columns} FROM mail_outbox WHERE status = 'sent' AND {db.Dialect.InList("internet_message_id", "@ids")} ORDER BY sent_at DESC, id DESC LIMIT 1", new { ids = db.Dialect.List(ids) }, cancellationToken: ct));
        if (row is null && !string.IsNullOrWhiteSpace(conversationId))
            row = await c.QueryFirstOrDefaultAsync<Row>(new CommandDefinition(
                $"SELECT {Columns} FROM mail_outbox WHERE status = 'sent' AND conversation_id = @conversationId ORDER BY sent_at DESC, id DESC LIMIT 1", new { conversationId }, cancellationToken: ct));
        return row?.ToDomain();
    }

    private static string? Limit(string? value) => value is null ? null : value.Length > 1000 ? value[..1000] : value;

    public async Task MarkAttemptFailedAsync(long id, string node, string reason, DateTimeOffset? retryAt, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE mail_outbox SET status = @status, due_at = COALESCE(@retryAt, due_at), last_error = @reason, claimed_by = NULL, claimed_until = NULL
            WHERE id = @id AND status = 'sending' AND claimed_by = @node
            """,
            new { id, node, reason = reason.Length > 2000 ? reason[..2000] : reason, retryAt, status = retryAt is null ? "failed" : "pending" }, cancellationToken: ct));
    }

    public async Task<bool> ReleaseAsync(long id, string node, DateTimeOffset dueAt, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        // The claim raised attempts; nothing reached the service, so that is taken back (a row claimed again after a lease ran
        // out keeps its count above one, and is still checked for an earlier delivery next time).
        return await c.ExecuteAsync(new CommandDefinition(
            """
            UPDATE mail_outbox SET status = 'pending', due_at = @dueAt, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
                claimed_by = NULL, claimed_until = NULL
            WHERE id = @id AND status = 'sending' AND claimed_by = @node
            """, new { id, node, dueAt }, cancellationToken: ct)) == 1;
    }

    public async Task<IReadOnlyList<OutboxMail>> ListAsync(OutboxStatus? status, int max, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM mail_outbox {(status is null ? "" : "WHERE status = @Status")} ORDER BY due_at DESC, id DESC LIMIT @max",
            new { Status = status is { } s ? s.Code() : null, max = Math.Clamp(max, 1, 1000) }, cancellationToken: ct));
        return rows.Select(r => r.ToDomain()).ToList();
    }

    public async Task<OutboxMail?> GetAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM mail_outbox WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToDomain();
    }

    public async Task<int> CancelForContactAsync(long contactId, CancellationToken ct)
    {
        // In an opt-out's or a bounce's unit of work when there is one.
        await using var work = await db.BeginWorkAsync(ct);
        var cancelled = await work.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE mail_outbox SET status = 'cancelled', claimed_by = NULL, claimed_until = NULL WHERE contact_id = @contactId AND status IN ('pending', 'failed')",
            new { contactId }, work.Transaction, cancellationToken: ct));
        await work.CommitAsync(ct);
        return cancelled;
    }

    public async Task<int> CancelByKeyPrefixAsync(string keyPrefix, string reason, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        // In the unit of work of the change that ends the mail (an enrolment's stop, a milestone done).
        await using var work = await db.BeginWorkAsync(ct);
        var cancelled = await work.Connection.ExecuteAsync(new CommandDefinition(
            @"UPDATE mail_outbox SET status = 'cancelled', last_error = @reason WHERE status IN ('pending', 'failed') AND idempotency_key LIKE @pattern ESCAPE '\'",
            new { reason, pattern = Database.EscapeLike(keyPrefix) + "%" }, work.Transaction, cancellationToken: ct));
        await work.CommitAsync(ct);
        return cancelled;
    }

    public async Task<IReadOnlyList<string>> ListKeysForContactAsync(long contactId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT idempotency_key FROM mail_outbox WHERE contact_id = @contactId ORDER BY id", new { contactId }, cancellationToken: ct))).ToList();
    }

    public async Task<bool> RetryAsync(long id, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE mail_outbox SET status = 'pending', due_at = @at, attempts = 0 WHERE id = @id AND status = 'failed'", new { id, at }, cancellationToken: ct)) == 1;
    }

    public async Task<bool> CancelAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE mail_outbox SET status = 'cancelled' WHERE id = @id AND status IN ('pending', 'failed')", new { id }, cancellationToken: ct)) == 1;
    }

    public async Task<int> EraseForContactAsync(long contactId, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var erased = await work.Connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE mail_outbox SET to_address = 'erased@erased.invalid', to_name = '', subject = '(erased)', html_body = '', text_body = '', unsubscribe_url = NULL, calendar_content = NULL, calendar_method = NULL,
                status = CASE WHEN status IN ('pending', 'failed') THEN 'cancelled' ELSE status END
            WHERE contact_id = @contactId
            """,
            new { contactId }, work.Transaction, cancellationToken: ct));
        await work.CommitAsync(ct);
        return erased;
    }


    private sealed class Row
    {
        public long Id { get; init; }
        public string IdempotencyKey { get; init; } = "";
        public string Purpose { get; init; } = "";
        public long? ContactId { get; init; }
        public string ToAddress { get; init; } = "";
        public string ToName { get; init; } = "";
        public string Subject { get; init; } = "";
        public string HtmlBody { get; init; } = "";
        public string TextBody { get; init; } = "";
        public string? UnsubscribeUrl { get; init; }
        public string? TemplateKey { get; init; }
        public int? TemplateVersion { get; init; }
        public DateTimeOffset DueAt { get; init; }
        public string Status { get; init; } = "";
        public int Attempts { get; init; }
        public string? LastError { get; init; }
        public string? ClaimedBy { get; init; }
        public DateTimeOffset? ClaimedUntil { get; init; }
        public DateTimeOffset? SentAt { get; init; }
        public string? InternetMessageId { get; init; }
        public string? ConversationId { get; init; }
        public string? CalendarMethod { get; init; }
        public string? CalendarContent { get; init; }

        public OutboxMail ToDomain() => new()
        {
            Id = Id,
            Mail = new MailDraft
            {
                IdempotencyKey = IdempotencyKey, Purpose = Purpose, ContactId = ContactId, ToAddress = ToAddress, ToName = ToName, Subject = Subject,
                HtmlBody = HtmlBody, TextBody = TextBody, UnsubscribeUrl = UnsubscribeUrl, TemplateKey = TemplateKey, TemplateVersion = TemplateVersion, DueAt = DueAt,
                Calendar = CalendarMethod is not null && CalendarContent is not null ? new CalendarPart(CalendarMethod, CalendarContent) : null,
            },
            Status = OutboxStatuses.Parse(Status), Attempts = Attempts, LastError = LastError, ClaimedBy = ClaimedBy, ClaimedUntil = ClaimedUntil, SentAt = SentAt,
            InternetMessageId = InternetMessageId, ConversationId = ConversationId,
        };
    }
}
