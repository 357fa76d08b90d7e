using System.Security.Cryptography;
using System.Text;
using MimeKit;
using Outreach.Core.Mail;

namespace Outreach.Mail;

/// <summary>
/// Writes an outbox mail as an RFC 5322 message (multipart/alternative: plain text, HTML and, for an invitation, the
/// iCalendar object; UTF-8, base64) with MimeKit, which encodes (RFC 2047), quotes and folds the header fields. Lines end in
/// CRLF, in the headers and inside every text part (RFC 2046 §4.1.1); control characters never reach a header, so a subject
/// or name cannot inject headers.
/// </summary>
public static class EmlWriter
{
    public const string KeyHeader = "X-Outreach-Key";

    /// <summary>The line length RFC 5322 §2.1.1 asks header lines to keep to.</summary>
    public const int MaxLineLength = 78;

    private static readonly FormatOptions Format = CreateFormat();

    private static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        // MimeKit's default on Linux is LF; a .eml file and SMTP need CRLF.
        format.NewLineFormat = NewLineFormat.Dos;
        format.MaxLineLength = MaxLineLength;
        return format;
    }

    /// <summary>The mail as .eml bytes; <paramref name="messageId"/> (<see cref="MessageId"/>) with or without its angle brackets.</summary>
    public static byte[] Write(OutboxMail mail, string fromAddress, string fromName, DateTimeOffset date, string messageId)
    {
        ArgumentNullException.ThrowIfNull(mail);
        ArgumentNullException.ThrowIfNull(messageId);
        var m = mail.Mail;
        var message = new MimeMessage();
        message.From.Add(Address(fromName, fromAddress));
        message.To.Add(Address(m.ToName, m.ToAddress));
        message.Subject = Clean(m.Subject);
        message.Date = date;
        message.MessageId = messageId.Trim().TrimStart('<').TrimEnd('>');
        message.Headers.Add(KeyHeader, Clean(m.IdempotencyKey));
        if (m.UnsubscribeUrl is { } unsubscribe)
        {
            message.Headers.Add(UnsubscribeHeader(unsubscribe));
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        var body = new MultipartAlternative { Boundary = "=_outreach_" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(m.IdempotencyKey)))[..24] };
        body.Add(Part("plain", m.TextBody));
        body.Add(Part("html", m.HtmlBody));
        // An invitation: the iCalendar object as the last alternative, its method in the content type (RFC 6047; Outlook reads
        // text/calendar parts of multipart/alternative as meeting requests, MS-OXCMAIL 2.1.3.3.8).
        if (m.Calendar is { } calendar)
        {
            var part = Part("calendar", calendar.Content);
            part.ContentType.Parameters.Add("method", CalendarMethodToken(calendar.Method));
            body.Add(part);
        }

        message.Body = body;
        using var stream = new MemoryStream();
        message.WriteTo(Format, stream);
        return stream.ToArray();
    }

    /// <summary>
    /// The Message-ID of a mail: derived from this installation's id and the mail's idempotency key, so it is the same on every
    /// retry of the mail (exactly-once finds a sent mail by it) and differs between installations, whose keys repeat
    /// (RFC 5322 §3.6.4: globally unique). The domain is the sender's.
    /// </summary>
    public static string MessageId(string installationId, string idempotencyKey, string fromAddress)
    {
        ArgumentNullException.ThrowIfNull(installationId);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(installationId + "\n" + idempotencyKey)))[..32].ToLowerInvariant();
        var at = fromAddress?.LastIndexOf('@') ?? -1;
        var domain = at > 0 ? new string(fromAddress![(at + 1)..].Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-').ToArray()).ToLowerInvariant() : "";
        return "<" + hash + "@" + (domain.Length > 0 ? domain : "outreach.invalid") + ">";
    }

    private static TextPart Part(string subtype, string text) => new(subtype)
    {
        // Every line break as CRLF inside the part too: base64 keeps whatever the text holds.
        Text = Crlf(text),
        ContentTransferEncoding = ContentEncoding.Base64,
    };

    /// <summary>Every line break as CRLF.</summary>
    public static string Crlf(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Replace("\n", "\r\n", StringComparison.Ordinal);

    /// <summary>
    /// List-Unsubscribe with the URL folded into lines of at most 78 characters: RFC 2369 §2 ignores whitespace inside the
    /// angle brackets, so the fold changes nothing for a reader (MimeKit folds only at whitespace, which a URL has none of).
    /// </summary>
    private static Header UnsubscribeHeader(string url)
    {
        var clean = Clean(url).Replace(" ", "", StringComparison.Ordinal);
        if (clean.IndexOfAny(['<', '>']) >= 0 || clean.Any(c => c > '~'))
            throw new MailDeliveryException($"'{clean}' is not an unsubscribe address that can be written.", permanent: true);
        const string name = "List-Unsubscribe";
        var value = new StringBuilder();
        var line = name.Length + 2; // "List-Unsubscribe: "
        var text = "<" + clean + ">";
        value.Append(' ');
        for (var i = 0; i < text.Length;)
        {
            var room = MaxLineLength - line;
            var take = Math.Min(room, text.Length - i);
            value.Append(text, i, take);
            i += take;
            if (i < text.Length)
            {
                value.Append("\r\n ");
                line = 1;
            }
        }

        value.Append("\r\n");
        var header = new Header(name, "");
        header.SetRawValue(Encoding.ASCII.GetBytes(value.ToString()));
        return header;
    }

    private static string CalendarMethodToken(string method) =>
        method.Length is > 0 and <= 20 && method.All(char.IsAsciiLetterUpper) ? method
            : throw new MailDeliveryException($"'{Clean(method)}' is not an iCalendar method.", permanent: true);

    private static MailboxAddress Address(string name, string address)
    {
        var clean = Clean(address);
        if (clean.IndexOfAny(['<', '>', ' ', ',', ';', '"', '(', ')', '\\']) >= 0 || clean.Count(c => c == '@') != 1 || clean.StartsWith('@') || clean.EndsWith('@'))
            throw new MailDeliveryException($"'{clean}' is not a mail address that can be written.", permanent: true);
        // MimeKit quotes a name with specials (a period, RFC 5322 §4's obsolete form, included) and encodes one that is not ASCII.
        return new MailboxAddress(string.IsNullOrWhiteSpace(name) ? "" : Clean(name).Trim(), clean);
    }

    private static string Clean(string value) => new(value.Where(c => !char.IsControl(c)).ToArray());
}
