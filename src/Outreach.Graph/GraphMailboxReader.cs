using Microsoft.Extensions.Logging;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Outreach.Core.Mail;

namespace Outreach.Graph;

/// <summary>
/// Reads the secretariat's inbox with Graph message delta (/users/{mailbox}/mailFolders/inbox/messages/delta): the first
/// round lists the whole inbox, later rounds only what arrived or changed since the stored delta link. The text body
/// (Prefer: outlook.body-content-type="text") and a few MAPI properties come along, so the classifier needs no second
/// request per message: the item class (0x001A: out-of-office and non-delivery reports), In-Reply-To (0x1042), References
/// (0x1039) and the transport headers (0x007D: Auto-Submitted, Content-Type, X-Failed-Recipients). A calendar program's
/// answer (item class IPM.Schedule.Meeting.Resp.*, or a text/calendar content type) is fetched once more as MIME
/// (/messages/{id}/$value) for its iCalendar part: Graph's JSON of a message does not carry it.
/// </summary>
public sealed class GraphMailboxReader(GraphServiceClient client, GraphOptions options, ILogger<GraphMailboxReader> logger) : IMailboxReader
{
    public const string MessageClassProperty = "String 0x001A";
    public const string InReplyToProperty = "String 0x1042";
    public const string ReferencesProperty = "String 0x1039";
    public const string TransportHeadersProperty = "String 0x007D";

    private static readonly string[] Fields =
        ["id", "internetMessageId", "conversationId", "from", "subject", "receivedDateTime", "bodyPreview", "body"];

    private static readonly string[] Expand =
        [$"singleValueExtendedProperties($filter=id eq '{MessageClassProperty}' or id eq '{InReplyToProperty}' or id eq '{ReferencesProperty}' or id eq '{TransportHeadersProperty}')"];

    private static readonly string[] KeptHeaders =
        ["Auto-Submitted", "X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "Precedence", "Content-Type", "X-Failed-Recipients", "List-Id"];

    private readonly string mailbox = options.Mailbox ?? throw new ArgumentException("Graph:Mailbox is required.", nameof(options));

    public async Task<InboxPage> ReadChangesAsync(string? link, CancellationToken ct)
    {
        try
        {
            return await ReadAsync(link, restarted: false, ct);
        }
        catch (ApiException ex) when (link is not null && IsExpired(ex))
        {
            // Outlook keeps delta state for an unstated time; an expired link means starting over from the whole inbox.
            logger.LogWarning("Inbox delta link of {Mailbox} expired ({Status}); reading the inbox from the start", mailbox, ex.ResponseStatusCode);
            return await ReadAsync(null, restarted: true, ct);
        }
    }

    private async Task<InboxPage> ReadAsync(string? link, bool restarted, CancellationToken ct)
    {
        var delta = client.Users[mailbox].MailFolders["inbox"].Messages.Delta;
        var builder = link is null ? delta : delta.WithUrl(link);
        var page = await builder.GetAsDeltaGetResponseAsync(rc =>
        {
            // Every parameter goes on the first request; next and delta links carry them on.
            if (link is null)
            {
                rc.QueryParameters.Select = Fields;
                rc.QueryParameters.Expand = Expand;
            }

            rc.Headers.Add("Prefer", $"odata.maxpagesize={options.PageSize}");
            rc.Headers.Add("Prefer", GraphMailDelivery.ImmutableIds);
            rc.Headers.Add("Prefer", "outlook.body-content-type=\"text\"");
        }, ct) ?? throw new InvalidOperationException("Graph answered the inbox delta with nothing.");
        var messages = new List<InboxMessage>();
        foreach (var m in (page.Value ?? []).Where(m => m.AdditionalData?.ContainsKey("@removed") != true && m.Id is not null))
        {
            var message = ToInbox(m);
            if (IsCalendarAnswer(message)) message = message with { Calendar = await CalendarOfAsync(message.Id, ct) };
            messages.Add(message);
        }

        return new InboxPage(messages, page.OdataNextLink, page.OdataDeltaLink, restarted);
    }

    /// <summary>Exchange files an iTIP REPLY as IPM.Schedule.Meeting.Resp.Pos / .Neg / .Tent; other mailers' keep their content type.</summary>
    internal static bool IsCalendarAnswer(InboxMessage message) =>
        message.MessageClass?.StartsWith("IPM.Schedule.Meeting.Resp", StringComparison.OrdinalIgnoreCase) == true
        || (message.Headers.TryGetValue("Content-Type", out var type) && type.Contains("text/calendar", StringComparison.OrdinalIgnoreCase));

    /// <summary>The iCalendar object of a message: its text/calendar part (or an attached .ics), from the message's MIME.</summary>
    private async Task<string?> CalendarOfAsync(string id, CancellationToken ct)
    {
        try
        {
            await using var stream = await client.Users[mailbox].Messages[id].Content.GetAsync(rc => rc.Headers.Add("Prefer", GraphMailDelivery.ImmutableIds), ct);
            if (stream is null) return null;
            var mime = await MimeKit.MimeMessage.LoadAsync(stream, ct);
            var part = mime.BodyParts.OfType<MimeKit.MimePart>().FirstOrDefault(p =>
                p.ContentType.IsMimeType("text", "calendar") || p.ContentType.IsMimeType("application", "ics")
                || p.FileName?.EndsWith(".ics", StringComparison.OrdinalIgnoreCase) == true);
            if (part?.Content is null) return null;
            using var decoded = new MemoryStream();
            await part.Content.DecodeToAsync(decoded, ct);
            var charset = part.ContentType.CharsetEncoding ?? System.Text.Encoding.UTF8;
            return charset.GetString(decoded.ToArray());
        }
        catch (Exception ex) when (ex is ApiException or MimeKit.ParseException or FormatException)
        {
            // Read as an ordinary message then; the answer can still be given by the link in the invitation.
            logger.LogWarning(ex, "Could not read the calendar part of message {MessageId} in {Mailbox}", id, mailbox);
            return null;
        }
    }

    private static bool IsExpired(ApiException ex) =>
        ex.ResponseStatusCode == 410
        || (ex is ODataError { Error.Code: { } code } && (code.Equals("syncStateNotFound", StringComparison.OrdinalIgnoreCase) || code.Equals("resyncRequired", StringComparison.OrdinalIgnoreCase)));

    private static InboxMessage ToInbox(Message m)
    {
        string? Property(string id) => m.SingleValueExtendedProperties?.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.OrdinalIgnoreCase))?.Value;
        var body = m.Body?.Content;
        return new InboxMessage
        {
            Id = m.Id!,
            InternetMessageId = m.InternetMessageId,
            ConversationId = m.ConversationId,
            InReplyTo = Property(InReplyToProperty)?.Trim(),
            References = (Property(ReferencesProperty) ?? "").Split([' ', '\t', '\r', '\n', ','], StringSplitOptions.RemoveEmptyEntries),
            FromAddress = m.From?.EmailAddress?.Address,
            FromName = m.From?.EmailAddress?.Name,
            Subject = m.Subject ?? "",
            ReceivedAt = m.ReceivedDateTime ?? default,
            MessageClass = Property(MessageClassProperty),
            Headers = ParseHeaders(Property(TransportHeadersProperty)),
            Body = string.IsNullOrEmpty(body) ? m.BodyPreview ?? "" : body,
        };
    }

    /// <summary>The headers the classifier reads, unfolded, from a block of transport headers (first occurrence wins).</summary>
    internal static IReadOnlyDictionary<string, string> ParseHeaders(string? block)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(block)) return headers;
        string? name = null;
        var value = new System.Text.StringBuilder();
        void Flush()
        {
            if (name is not null && Array.Exists(KeptHeaders, k => k.Equals(name, StringComparison.OrdinalIgnoreCase)) && !headers.ContainsKey(name))
                headers[name] = value.ToString().Trim();
        }

        foreach (var line in block.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (line.Length == 0) break;
            if (line[0] is ' ' or '\t')
            {
                value.Append(' ').Append(line.Trim());
                continue;
            }

            Flush();
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            name = colon > 0 ? line[..colon].Trim() : null;
            value.Clear().Append(colon > 0 ? line[(colon + 1)..] : "");
        }

        Flush();
        return headers;
    }
}
