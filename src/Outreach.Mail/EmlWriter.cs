using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Outreach.Core.Mail;

namespace Outreach.Mail;

/// <summary>
/// Writes an outbox mail as an RFC 5322 message (multipart/alternative, plain text and HTML, UTF-8, base64) that any mail
/// program opens. Written by hand before MimeKit restored here (moving to it is part of the mail-format work); header values are folded and encoded (RFC 2047),
/// and CR/LF never reach a header, so a subject or name cannot inject headers.
/// </summary>
public static class EmlWriter
{
    public const string KeyHeader = "X-Outreach-Key";

    public static byte[] Write(OutboxMail mail, string fromAddress, string fromName, DateTimeOffset date)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var m = mail.Mail;
        var boundary = "=_outreach_" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(m.IdempotencyKey)))[..24];
        var text = new StringBuilder();
        Header(text, "From", Address(fromName, fromAddress));
        Header(text, "To", Address(m.ToName, m.ToAddress));
        Header(text, "Subject", Encode(m.Subject, phrase: false));
        Header(text, "Date", date.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture) + date.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", "", StringComparison.Ordinal));
        Header(text, "Message-ID", MessageId(m.IdempotencyKey));
        Header(text, "MIME-Version", "1.0");
        Header(text, KeyHeader, Clean(m.IdempotencyKey));
        if (m.UnsubscribeUrl is { } unsubscribe)
        {
            Header(text, "List-Unsubscribe", "<" + Clean(unsubscribe) + ">");
            Header(text, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        Header(text, "Content-Type", $"multipart/alternative; boundary=\"{boundary}\"");
        text.Append("\r\n");
        Part(text, boundary, "text/plain", m.TextBody);
        Part(text, boundary, "text/html", m.HtmlBody);
        // An invitation: the iCalendar object as the last alternative, its method in the content type (RFC 6047; Outlook reads
        // text/calendar parts of multipart/alternative as meeting requests, MS-OXCMAIL 2.1.3.3.8).
        if (m.Calendar is { } calendar)
            Part(text, boundary, "text/calendar", calendar.Content, "; method=" + CalendarMethodToken(calendar.Method));
        text.Append("--").Append(boundary).Append("--\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>A stable Message-ID per idempotency key, so a mail program (and a reply's In-Reply-To) can find it.</summary>
    public static string MessageId(string idempotencyKey) =>
        "<" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..32].ToLowerInvariant() + "@outreach.invalid>";

    private static string CalendarMethodToken(string method) =>
        method.Length is > 0 and <= 20 && method.All(char.IsAsciiLetterUpper) ? method
            : throw new MailDeliveryException($"'{Clean(method)}' is not an iCalendar method.", permanent: true);

    private static void Part(StringBuilder text, string boundary, string type, string body, string extra = "")
    {
        text.Append("--").Append(boundary).Append("\r\n");
        text.Append("Content-Type: ").Append(type).Append("; charset=utf-8").Append(extra).Append("\r\n");
        text.Append("Content-Transfer-Encoding: base64\r\n\r\n");
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(body));
        for (var i = 0; i < encoded.Length; i += 76) text.Append(encoded, i, Math.Min(76, encoded.Length - i)).Append("\r\n");
    }

    private static void Header(StringBuilder text, string name, string value) => text.Append(name).Append(": ").Append(value).Append("\r\n");

    private static string Address(string name, string address)
    {
        var clean = Clean(address);
        if (clean.IndexOfAny(['<', '>', ' ', ',', ';', '"']) >= 0 || !clean.Contains('@', StringComparison.Ordinal))
            throw new MailDeliveryException($"'{clean}' is not a mail address that can be written.", permanent: true);
        return string.IsNullOrWhiteSpace(name) ? $"<{clean}>" : $"{Encode(name, phrase: true)} <{clean}>";
    }

    /// <summary>
    /// Plain printable ASCII is written as is (a display name, a "phrase", is quoted when it has specials; a subject is free
    /// text); anything else as RFC 2047 base64 encoded-words.
    /// </summary>
    private static string Encode(string value, bool phrase)
    {
        var clean = Clean(value);
        if (clean.All(c => c is >= ' ' and <= '~') && clean.Length <= 900)
            return !phrase ? clean : clean.IndexOfAny(['"', '(', ')', '<', '>', '@', ',', ';', ':', '\\', '[', ']']) >= 0 ? "\"" + clean.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : clean;
        // Encoded-words of at most 75 characters, split on whole characters (never inside a UTF-8 sequence), folded.
        var words = new List<string>();
        var chunk = new StringBuilder();
        foreach (var rune in clean.EnumerateRunes())
        {
            if (Encoding.UTF8.GetByteCount(chunk + rune.ToString()) > 45) { words.Add(Word(chunk.ToString())); chunk.Clear(); }
            chunk.Append(rune.ToString());
        }

        if (chunk.Length > 0) words.Add(Word(chunk.ToString()));
        return string.Join("\r\n ", words);
    }

    private static string Word(string part) => "=?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(part)) + "?=";

    private static string Clean(string value) => new(value.Where(c => !char.IsControl(c)).ToArray());
}
