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
/// (0x1039) and the transport headers (0x007D: Auto-Submitted, Content-Type, X-Failed-Recipients).
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
        var messages = (page.Value ?? [])
            .Where(m => m.AdditionalData?.ContainsKey("@removed") != true && m.Id is not null)
            .Select(ToInbox)
            .ToList();
        return new InboxPage(messages, page.OdataNextLink, page.OdataDeltaLink, restarted);
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
