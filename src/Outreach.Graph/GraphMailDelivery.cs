using Microsoft.Extensions.Logging;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;
using Outreach.Core.Mail;
using Outreach.Mail;

namespace Outreach.Graph;

/// <summary>
/// Sends outbox mail from the secretariat's Microsoft 365 mailbox, exactly once together with the <see cref="OutboxDispatcher"/>:
/// each mail is first created as a draft that carries its idempotency key (a single-value extended property, which Graph can
/// filter on, and an x-outreach-key header), then sent. <see cref="WasDeliveredAsync"/> looks the key up in Sent Items, and every
/// send first looks for it in the whole mailbox: sent already, it is not sent again; a draft left by a crash between creating
/// and sending is sent rather than a second one. A draft refused for good (a bad recipient) is deleted.
/// Ids are immutable (Prefer: IdType="ImmutableId"), so the draft's id still names the message after it moved to Sent Items.
/// </summary>
/// <remarks>
/// Graph messages have one body: the HTML one is sent (the text part is the pickup folder's). Graph refuses internet headers
/// that do not start with "x-", so List-Unsubscribe is set through its MAPI property (PidTagListUnsubscribe, 0x1045), which
/// Exchange writes out as the header; List-Unsubscribe-Post has no such property, and the link is in the body as well.
/// </remarks>
public sealed class GraphMailDelivery(GraphServiceClient client, GraphOptions options, SendRateLimiter limiter, TimeProvider clock, ILogger<GraphMailDelivery> logger) : IMailDelivery
{
    /// <summary>Outreach's named property set; the key is a string property in it.</summary>
    public const string KeyPropertyId = "String {6f1d7a52-0c3e-4b8e-9a57-2f4d8c1e6b30} Name OutreachKey";
    public const string ListUnsubscribePropertyId = "String 0x1045";
    public const string KeyHeader = "x-outreach-key";
    public const string ImmutableIds = "IdType=\"ImmutableId\"";
    private static readonly string[] ReceiptFields = ["id", "internetMessageId", "conversationId", "isDraft"];

    private readonly string mailbox = options.Mailbox ?? throw new ArgumentException("Graph:Mailbox is required.", nameof(options));

    public async Task<DeliveryReceipt> SendAsync(OutboxMail mail, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mail);
        using var slot = await limiter.AcquireAsync(mailbox, ct);
        return await SendInSlotAsync(mail, ct);
    }

    /// <summary>Asks whether the mail is still wanted after the wait for a send slot (up to a minute at 30 a minute), not before it.</summary>
    public async Task<DeliveryReceipt?> SendIfWantedAsync(OutboxMail mail, Func<CancellationToken, Task<bool>> stillWanted, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mail);
        ArgumentNullException.ThrowIfNull(stillWanted);
        using var slot = await limiter.AcquireAsync(mailbox, ct);
        return await stillWanted(ct) ? await SendInSlotAsync(mail, ct) : null;
    }

    private async Task<DeliveryReceipt> SendInSlotAsync(OutboxMail mail, CancellationToken ct)
    {
        var key = mail.Mail.IdempotencyKey;
        return await CallAsync("send", key, async () =>
        {
            // Every attempt first asks the whole mailbox for the key, not only a retry: a dead letter retried from the UI
            // starts again at attempt 1, when the dispatcher does not check for an earlier delivery.
            var existing = await FindAsync(null, key, ct);
            if (existing.FirstOrDefault(m => m.IsDraft == false) is { } sentBefore)
            {
                logger.LogInformation("Mail {Key} was sent before (found in the mailbox); not sending it again", key);
                return new DeliveryReceipt(sentBefore.InternetMessageId, sentBefore.ConversationId);
            }

            // A crash (or a failed send) after the draft was made leaves it in the mailbox: send that draft, not a second one.
            var draft = existing.FirstOrDefault(m => m.IsDraft == true);
            if (draft is null)
                draft = await client.Users[mailbox].Messages.PostAsync(Draft(mail.Mail), rc => rc.Headers.Add("Prefer", ImmutableIds), ct)
                        ?? throw new MailDeliveryException("Graph created no draft (empty answer).");
            else
                logger.LogInformation("Mail {Key}: a draft from an earlier attempt is in the mailbox; sending it instead of a new one", key);

            try
            {
                await client.Users[mailbox].Messages[draft.Id].Send.PostAsync(rc => rc.Headers.Add("Prefer", ImmutableIds), ct);
            }
            catch (ApiException ex) when (ex.ResponseStatusCode is >= 400 and < 500 and not 408 and not 429)
            {
                // The send may have gone out after all (a connection that dropped after the service acted, and the send repeated
                // below the SDK): then the draft is no longer a draft. Delivered, not a failure.
                if (await FindAsync("sentitems", key, ct) is [var sent, ..])
                {
                    logger.LogInformation("Mail {Key}: Graph refused the send ({Status}) but the message is in Sent Items", key, ex.ResponseStatusCode);
                    return new DeliveryReceipt(sent.InternetMessageId, sent.ConversationId);
                }

                // Refused for good (a bad recipient): the draft goes, so the secretariat's Drafts folder does not fill up.
                await DeleteQuietlyAsync(draft.Id!, key, ct);
                throw;
            }

            return new DeliveryReceipt(draft.InternetMessageId, draft.ConversationId);
        });
    }

    public Task<DeliveryReceipt?> WasDeliveredAsync(string idempotencyKey, CancellationToken ct) =>
        CallAsync("look up", idempotencyKey, async () => await FindAsync("sentitems", idempotencyKey, ct) is [var sent, ..]
            ? new DeliveryReceipt(sent.InternetMessageId, sent.ConversationId)
            : null);

    /// <summary>The messages carrying the key in a folder, or anywhere in the mailbox when <paramref name="folder"/> is null.</summary>
    private async Task<IReadOnlyList<Message>> FindAsync(string? folder, string key, CancellationToken ct)
    {
        var filter = $"singleValueExtendedProperties/Any(ep: ep/id eq '{KeyPropertyId}' and ep/value eq '{key.Replace("'", "''", StringComparison.Ordinal)}')";
        var found = folder is null
            ? await client.Users[mailbox].Messages.GetAsync(rc =>
            {
                rc.QueryParameters.Filter = filter;
                rc.QueryParameters.Select = ReceiptFields;
                rc.QueryParameters.Top = 5;
                rc.Headers.Add("Prefer", ImmutableIds);
            }, ct)
            : await client.Users[mailbox].MailFolders[folder].Messages.GetAsync(rc =>
            {
                rc.QueryParameters.Filter = filter;
                rc.QueryParameters.Select = ReceiptFields;
                rc.QueryParameters.Top = 5;
                rc.Headers.Add("Prefer", ImmutableIds);
            }, ct);
        return found?.Value ?? [];
    }

    private async Task DeleteQuietlyAsync(string id, string key, CancellationToken ct)
    {
        try
        {
            await client.Users[mailbox].Messages[id].DeleteAsync(rc => rc.Headers.Add("Prefer", ImmutableIds), ct);
        }
        catch (Exception ex) when (ex is ApiException or HttpRequestException)
        {
            logger.LogWarning(ex, "Mail {Key}: could not delete the refused draft {Id}", key, id);
        }
    }

    private static Message Draft(MailDraft mail)
    {
        var properties = new List<SingleValueLegacyExtendedProperty> { new() { Id = KeyPropertyId, Value = mail.IdempotencyKey } };
        if (mail.UnsubscribeUrl is { } unsubscribe) properties.Add(new() { Id = ListUnsubscribePropertyId, Value = "<" + unsubscribe + ">" });
        return new Message
        {
            Subject = mail.Subject,
            Body = new ItemBody { ContentType = BodyType.Html, Content = mail.HtmlBody },
            ToRecipients = [new Recipient { EmailAddress = new EmailAddress { Address = mail.ToAddress, Name = string.IsNullOrWhiteSpace(mail.ToName) ? null : mail.ToName } }],
            SingleValueExtendedProperties = properties,
            InternetMessageHeaders = [new InternetMessageHeader { Name = KeyHeader, Value = mail.IdempotencyKey }],
        };
    }

    /// <summary>
    /// Graph's answers as the outbox understands them: 429 and 503 wait Retry-After, other 5xx, 408 and network failures are
    /// worth another try, other 4xx (a bad recipient, a refused message) are permanent and go to the dead letters.
    /// </summary>
    private async Task<T> CallAsync<T>(string what, string key, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (GraphFailure.From(ex, what, $"for {key}", clock) is { } failure)
        {
            if (failure.Status is { } status) logger.LogWarning("Mail {Key}: Graph answered {Status} {Code} ({Message})", key, status, failure.Code, failure.Message);
            throw new MailDeliveryException(failure.Text, failure.Permanent, failure.RetryAfter, ex);
        }
    }
}
