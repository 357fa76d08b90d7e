using System.Text;
using Outreach.Core.Mail;
using Outreach.Mail;

namespace Outreach.Storage.Tests;

/// <summary>The .eml files and the retry policy: what a mail program reads, and how long a failed mail waits.</summary>
public sealed class MailFormatTests
{
    private static OutboxMail Outgoing(string subject = "Uitnodiging: netwerkbijeenkomst goud", string name = "Zoë de Vries") => new()
    {
        Id = 1,
        Mail = new MailDraft
        {
            IdempotencyKey = "enrolment:1:step:0", Purpose = "follow-up", ToAddress = "zoe@example.nl", ToName = name, Subject = subject,
            HtmlBody = "<p>Beste Zoë, &lt;script&gt;</p>", TextBody = "Beste Zoë,\r\nTot ziens.", UnsubscribeUrl = "https://outreach.example/u/tok", DueAt = DateTimeOffset.UnixEpoch,
        },
    };

    private const string Installation = "3f0c9a7e5b2d4e18a6c1f0e9d8b7a654";

    private static byte[] Eml(OutboxMail mail, string from = "outreach@secretariaat.example", string fromName = "Secretariaat IMVO", DateTimeOffset? date = null) =>
        EmlWriter.Write(mail, from, fromName, date ?? DateTimeOffset.UnixEpoch, EmlWriter.MessageId(Installation, mail.Mail.IdempotencyKey, from));

    /// <summary>
    /// Parses a written mail with MimeKit, after checking what a lenient parser forgives: every line ends in CRLF (no bare
    /// LF or CR), and every header line keeps to 78 characters (RFC 5322 §2.1.1), or with <paramref name="longQuotedName"/> a
    /// line of an address's quoted display name to 998 (MimeKit does not fold inside a quoted-string, so a very long name with
    /// a comma keeps its quoted part on one line: allowed, as 78 is a SHOULD).
    /// </summary>
    internal static MimeKit.MimeMessage Strict(byte[] eml, bool longQuotedName = false)
    {
        var text = Encoding.ASCII.GetString(eml);
        Assert.All(eml, b => Assert.True(b < 0x80, "only 7-bit bytes"));
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n') Assert.True(i > 0 && text[i - 1] == '\r', $"bare LF at {i}");
            if (text[i] == '\r') Assert.True(i + 1 < text.Length && text[i + 1] == '\n', $"bare CR at {i}");
        }

        var head = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.All(head.Split("\r\n"), line => Assert.True(line.Length <= 78 || (longQuotedName && line.Length <= 998 && line.StartsWith(" \"", StringComparison.Ordinal)),
            $"header line of {line.Length} characters: {line}"));
        using var stream = new MemoryStream(eml);
        return MimeKit.MimeMessage.Load(new MimeKit.ParserOptions { AddressParserComplianceMode = MimeKit.RfcComplianceMode.Strict, ParameterComplianceMode = MimeKit.RfcComplianceMode.Strict, Rfc2047ComplianceMode = MimeKit.RfcComplianceMode.Strict }, stream);
    }

    /// <summary>The decoded bytes of each leaf part, as UTF-8 text.</summary>
    internal static List<string> Parts(MimeKit.MimeMessage message) =>
        message.BodyParts.OfType<MimeKit.MimePart>().Select(p =>
        {
            using var decoded = new MemoryStream();
            p.Content!.DecodeTo(decoded);
            return Encoding.UTF8.GetString(decoded.ToArray());
        }).ToList();

    [Fact]
    public void AnEml_HasTheHeadersAndBothParts_DecodingToTheOriginalText()
    {
        var message = Strict(Eml(Outgoing(), date: new DateTimeOffset(2027, 3, 30, 10, 0, 0, TimeSpan.FromHours(2))));
        var from = Assert.IsType<MimeKit.MailboxAddress>(message.From.Single());
        Assert.Equal(("Secretariaat IMVO", "outreach@secretariaat.example"), (from.Name, from.Address));
        var to = Assert.IsType<MimeKit.MailboxAddress>(message.To.Single());
        Assert.Equal(("Zoë de Vries", "zoe@example.nl"), (to.Name, to.Address));
        Assert.Equal("Uitnodiging: netwerkbijeenkomst goud", message.Subject);
        Assert.Equal(new DateTimeOffset(2027, 3, 30, 10, 0, 0, TimeSpan.FromHours(2)), message.Date);
        Assert.Equal("Tue, 30 Mar 2027 10:00:00 +0200", message.Headers[MimeKit.HeaderId.Date]);
        Assert.Equal("<https://outreach.example/u/tok>", message.Headers["List-Unsubscribe"]!.Trim());
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("enrolment:1:step:0", message.Headers[EmlWriter.KeyHeader]);
        Assert.Equal(EmlWriter.MessageId(Installation, "enrolment:1:step:0", "outreach@secretariaat.example"), "<" + message.MessageId + ">");
        Assert.Equal("1.0", message.Headers[MimeKit.HeaderId.MimeVersion]);
        Assert.Equal("multipart/alternative", message.Body!.ContentType.MimeType);
        Assert.Equal(["text/plain", "text/html"], message.BodyParts.Select(p => p.ContentType.MimeType));
        Assert.All(message.BodyParts.OfType<MimeKit.MimePart>(), p => Assert.Equal((MimeKit.ContentEncoding.Base64, "utf-8"), (p.ContentTransferEncoding, p.ContentType.Charset)));
        Assert.Equal(["Beste Zoë,\r\nTot ziens.", "<p>Beste Zoë, &lt;script&gt;</p>"], Parts(message));
        Assert.EndsWith("--\r\n", Encoding.ASCII.GetString(Eml(Outgoing())), StringComparison.Ordinal);
    }

    [Fact]
    public void AnInvitation_CarriesItsCalendarAsATextCalendarAlternative_WithTheMethod()
    {
        var ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Netwerkbijeenkomst — goud\r\nEND:VCALENDAR\r\n";
        var mail = Outgoing() with { Mail = Outgoing().Mail with { Calendar = new CalendarPart("REQUEST", ics) } };
        var message = Strict(Eml(mail));

        Assert.Equal("multipart/alternative", message.Body!.ContentType.MimeType);
        var calendar = message.BodyParts.Last();
        Assert.Equal(("text/calendar", "utf-8", "REQUEST"), (calendar.ContentType.MimeType, calendar.ContentType.Charset, calendar.ContentType.Parameters["method"]));
        var parts = Parts(message);
        Assert.Equal(3, parts.Count);
        Assert.Equal(ics, parts[2]);
        // Without a calendar the mail is as before: two alternatives.
        Assert.DoesNotContain("text/calendar", Encoding.ASCII.GetString(Eml(Outgoing())), StringComparison.Ordinal);
        var bad = Outgoing() with { Mail = Outgoing().Mail with { Calendar = new CalendarPart("REQUEST\r\nX-Evil: 1", ics) } };
        Assert.True(Assert.Throws<MailDeliveryException>(() => Eml(bad)).Permanent);
    }

    [Fact]
    public void ASubjectOrNameWithLineBreaks_CannotAddHeaders()
    {
        var eml = Eml(Outgoing("Hello\r\nBcc: everyone@example.org", "Eva\r\nX-Evil: 1"));
        var text = Encoding.ASCII.GetString(eml);
        Assert.DoesNotContain("\r\nBcc:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\nX-Evil:", text, StringComparison.Ordinal);
        var message = Strict(eml);
        Assert.Equal("HelloBcc: everyone@example.org", message.Subject);
        Assert.Empty(message.Bcc);
        Assert.Null(message.Headers["X-Evil"]);
        Assert.Equal("EvaX-Evil: 1", message.To.Mailboxes.Single().Name);
        var broken = Outgoing() with { Mail = Outgoing().Mail with { ToAddress = "eva@example.nl>, all@example.org" } };
        Assert.True(Assert.Throws<MailDeliveryException>(() => Eml(broken)).Permanent);
    }

    [Fact]
    public void ALongNonAsciiSubject_IsFoldedIntoEncodedWordsThatDecodeBack()
    {
        var subject = string.Concat(Enumerable.Repeat("Verantwoord goud — ë€𝔘 ", 6)).Trim();
        var eml = Eml(Outgoing(subject));
        var text = Encoding.ASCII.GetString(eml);
        var header = text[text.IndexOf("Subject: ", StringComparison.Ordinal)..].Split("\r\n").TakeWhile((l, i) => i == 0 || l.StartsWith(' ')).ToList();
        Assert.True(header.Count > 1);
        Assert.All(System.Text.RegularExpressions.Regex.Matches(string.Join(" ", header), @"=\?[^?]+\?[bBqQ]\?[^?]*\?=").Select(m => m.Value), w => Assert.True(w.Length <= 75, w));
        Assert.Equal(subject, Strict(eml).Subject);
    }

    /// <summary>Finding 2 of issue 19: the text parts held bare LF line breaks inside their base64 (RFC 2046 §4.1.1: CRLF).</summary>
    [Fact]
    public void TextParts_BreakLinesWithCrlf_WhateverTheTemplateUsed()
    {
        var mail = Outgoing() with { Mail = Outgoing().Mail with { TextBody = "Beste Zoë,\n\nTot ziens.\rGroet\n", HtmlBody = "<p>Beste Zoë,</p>\n<p>Tot ziens.</p>\n" } };
        var parts = Parts(Strict(Eml(mail)));
        Assert.Equal("Beste Zoë,\r\n\r\nTot ziens.\r\nGroet\r\n", parts[0]);
        Assert.Equal("<p>Beste Zoë,</p>\r\n<p>Tot ziens.</p>\r\n", parts[1]);
    }

    /// <summary>Finding 3 of issue 19: "To: J.P. Smith &lt;…&gt;" is the obsolete phrase RFC 5322 §4 forbids generating.</summary>
    [Theory]
    [InlineData("J.P. Smith")]
    [InlineData("Smith, J.")]
    [InlineData("Jan \"de Vries\"")]
    public void ADisplayNameWithAPeriodOrOtherSpecials_IsQuoted(string name)
    {
        var eml = Eml(Outgoing(name: name));
        var text = Encoding.ASCII.GetString(eml);
        var to = text.Split("\r\n").Single(l => l.StartsWith("To: ", StringComparison.Ordinal))["To: ".Length..];
        var quoted = "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        Assert.Equal(quoted + " <zoe@example.nl>", to);
        Assert.Equal(name, Strict(eml).To.Mailboxes.Single().Name);
    }

    /// <summary>Finding 4 of issue 19: the Message-ID was a hash of the idempotency key alone, which repeats in every installation.</summary>
    [Fact]
    public async Task MessageIds_DifferBetweenInstallations_AndStayTheSameOnEveryRetryOfOneMail()
    {
        var root = Directory.CreateTempSubdirectory("outreach-eml-ids-").FullName;
        try
        {
            var clock = new Outreach.Testing.FakeTimeProvider(new DateTimeOffset(2027, 3, 30, 8, 0, 0, TimeSpan.Zero));
            PickupFolderDelivery Pickup(string installation) =>
                new(new MailOptions { PickupFolder = Path.Combine(root, installation), FromAddress = "outreach@secretariaat.example" }, clock, new FixedInstallation(installation));
            var first = Pickup("2b1f9e0c7d6a4b3c8e5f1a2d3c4b5a69");
            var second = Pickup("9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f");
            var mail = Outgoing();

            var one = await first.SendAsync(mail, default);
            var other = await second.SendAsync(mail, default);
            Assert.NotEqual(one.InternetMessageId, other.InternetMessageId);
            // A retry (the same mail again, or the crash check) gives the same id, and so does the file itself.
            clock.Advance(TimeSpan.FromMinutes(3));
            Assert.Equal(one, await first.SendAsync(mail, default));
            Assert.Equal(one, await first.WasDeliveredAsync(mail.Mail.IdempotencyKey, default));
            Assert.Equal(one, await Pickup("2b1f9e0c7d6a4b3c8e5f1a2d3c4b5a69").WasDeliveredAsync(mail.Mail.IdempotencyKey, default));
            Assert.Equal(one.InternetMessageId, "<" + Strict(await File.ReadAllBytesAsync(first.PathFor(mail.Mail.IdempotencyKey))).MessageId + ">");
            Assert.Matches("^<[0-9a-f]{32}@secretariaat\\.example>$", one.InternetMessageId);
            Assert.NotEqual(EmlWriter.MessageId("a", "enrolment:1:step:0", "x@y.example"), EmlWriter.MessageId("b", "enrolment:1:step:0", "x@y.example"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Finding 5 of issue 19: List-Unsubscribe was one line of 206 characters (RFC 5322 §2.1.1: 78 SHOULD).</summary>
    [Fact]
    public void AListUnsubscribeWithALongLink_IsFoldedTo78Characters_AndReadsBackWhole()
    {
        var url = "https://outreach.secretariaat-imvo.example/optout/" + new string('a', 40) + "-" + new string('b', 60) + "?k=" + new string('c', 50);
        var eml = Eml(Outgoing() with { Mail = Outgoing().Mail with { UnsubscribeUrl = url } });
        var message = Strict(eml); // checks every header line is at most 78 characters
        // RFC 2369 §2: whitespace inside the angle brackets is ignored.
        Assert.Equal("<" + url + ">", string.Concat(message.Headers["List-Unsubscribe"]!.Where(c => !char.IsWhiteSpace(c))));
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
    }

    /// <summary>
    /// Finding 5 of issue 19: a long name was cut into encoded-words in the middle of a word, which Thunderbird, Apple Mail and
    /// older Python show with a space ("van den B osch"). Each encoded-word must end (and the next begin) at a space.
    /// </summary>
    [Theory]
    [InlineData("Maximiliaan Zoë Ångström-Überlinger van den Bosch tot Nijenrode en Hoogeveen 😀")]
    [InlineData("Dr. Hélène Émilie Françoise de la Tour d'Auvergne-Lauraguais, directrice générale")]
    public void ALongNonAsciiName_IsNotSplitInsideAWord(string name)
    {
        var eml = Eml(Outgoing(name: name));
        var message = Strict(eml);
        Assert.Equal(name, message.To.Mailboxes.Single().Name);
        var text = Encoding.ASCII.GetString(eml);
        var lines = text[text.IndexOf("\r\nTo: ", StringComparison.Ordinal)..].Split("\r\n").Skip(1).TakeWhile((l, i) => i == 0 || l.StartsWith(' ')).ToList();
        var tokens = string.Join(" ", lines)["To: ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeWhile(t => !t.StartsWith('<')).ToList();
        var pieces = tokens.Select(t => t.StartsWith("=?", StringComparison.Ordinal) ? MimeKit.Utils.Rfc2047.DecodeText(Encoding.ASCII.GetBytes(t)) : t).ToList();
        for (var i = 0; i + 1 < pieces.Count; i++)
        {
            // Adjacent encoded-words join without a space; plain words are separated by one. Either way the cut falls at a space.
            var joined = tokens[i].StartsWith("=?", StringComparison.Ordinal) && tokens[i + 1].StartsWith("=?", StringComparison.Ordinal);
            Assert.True(!joined || pieces[i].EndsWith(' ') || pieces[i + 1].StartsWith(' '), $"cut inside a word: '{pieces[i]}' | '{pieces[i + 1]}'");
        }
    }

    [Theory]
    [InlineData(1, null, 60)]
    [InlineData(2, null, 120)]
    [InlineData(4, null, 480)]
    [InlineData(20, null, 7200)]
    [InlineData(1, 300, 300)]
    [InlineData(3, 30, 240)]
    [InlineData(1, 86400, 7200)]
    public void Backoff_DoublesUpToTheCap_AndHonoursALongerRetryAfter(int attempt, int? retryAfterSeconds, int expectedSeconds)
    {
        var delay = new DispatchPolicy().RetryDelay(attempt, retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delay);
    }
}
