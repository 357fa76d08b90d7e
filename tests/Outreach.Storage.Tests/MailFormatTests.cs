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

    [Fact]
    public void AnEml_HasTheHeadersAndBothParts_DecodingToTheOriginalText()
    {
        var eml = Encoding.ASCII.GetString(EmlWriter.Write(Outgoing(), "outreach@secretariaat.example", "Secretariaat IMVO", new DateTimeOffset(2027, 3, 30, 10, 0, 0, TimeSpan.FromHours(2))));
        Assert.Contains("From: Secretariaat IMVO <outreach@secretariaat.example>\r\n", eml, StringComparison.Ordinal);
        Assert.Contains("To: =?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes("Zoë de Vries")) + "?= <zoe@example.nl>\r\n", eml, StringComparison.Ordinal);
        Assert.Contains("Date: Tue, 30 Mar 2027 10:00:00 +0200\r\n", eml, StringComparison.Ordinal);
        Assert.Contains("List-Unsubscribe: <https://outreach.example/u/tok>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", eml, StringComparison.Ordinal);
        Assert.Contains("Message-ID: " + EmlWriter.MessageId("enrolment:1:step:0"), eml, StringComparison.Ordinal);

        var parts = eml.Split("Content-Transfer-Encoding: base64\r\n\r\n").Skip(1)
            .Select(p => Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(p.Split("\r\n--")[0].Split("\r\n"))))).ToList();
        Assert.Equal(["Beste Zoë,\r\nTot ziens.", "<p>Beste Zoë, &lt;script&gt;</p>"], parts);
        Assert.EndsWith("--\r\n", eml, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInvitation_CarriesItsCalendarAsATextCalendarAlternative_WithTheMethod()
    {
        var ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Netwerkbijeenkomst — goud\r\nEND:VCALENDAR\r\n";
        var mail = Outgoing() with { Mail = Outgoing().Mail with { Calendar = new CalendarPart("REQUEST", ics) } };
        var eml = Encoding.ASCII.GetString(EmlWriter.Write(mail, "a@b.example", "A", DateTimeOffset.UnixEpoch));

        Assert.Contains("Content-Type: multipart/alternative;", eml, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\n", eml, StringComparison.Ordinal);
        var parts = eml.Split("Content-Transfer-Encoding: base64\r\n\r\n").Skip(1)
            .Select(p => Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(p.Split("\r\n--")[0].Split("\r\n"))))).ToList();
        Assert.Equal(3, parts.Count);
        Assert.Equal(ics, parts[2]);
        // Without a calendar the mail is as before: two alternatives.
        Assert.DoesNotContain("text/calendar", Encoding.ASCII.GetString(EmlWriter.Write(Outgoing(), "a@b.example", "A", DateTimeOffset.UnixEpoch)), StringComparison.Ordinal);
        var bad = Outgoing() with { Mail = Outgoing().Mail with { Calendar = new CalendarPart("REQUEST\r\nX-Evil: 1", ics) } };
        Assert.True(Assert.Throws<MailDeliveryException>(() => EmlWriter.Write(bad, "a@b.example", "A", DateTimeOffset.UnixEpoch)).Permanent);
    }

    [Fact]
    public void ASubjectOrNameWithLineBreaks_CannotAddHeaders()
    {
        var eml = Encoding.ASCII.GetString(EmlWriter.Write(Outgoing("Hello\r\nBcc: everyone@example.org", "Eva\r\nX-Evil: 1"), "a@b.example", "A", DateTimeOffset.UnixEpoch));
        Assert.DoesNotContain("\r\nBcc:", eml, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\nX-Evil:", eml, StringComparison.Ordinal);
        Assert.Contains("Subject: HelloBcc: everyone@example.org\r\n", eml, StringComparison.Ordinal);
        var broken = Outgoing() with { Mail = Outgoing().Mail with { ToAddress = "eva@example.nl>, all@example.org" } };
        Assert.True(Assert.Throws<MailDeliveryException>(() => EmlWriter.Write(broken, "a@b.example", "A", DateTimeOffset.UnixEpoch)).Permanent);
    }

    [Fact]
    public void ALongNonAsciiSubject_IsFoldedIntoEncodedWordsThatDecodeBack()
    {
        var subject = string.Concat(Enumerable.Repeat("Verantwoord goud — ë€𝔘 ", 6));
        var eml = Encoding.ASCII.GetString(EmlWriter.Write(Outgoing(subject), "a@b.example", "A", DateTimeOffset.UnixEpoch));
        var header = eml[eml.IndexOf("Subject: ", StringComparison.Ordinal)..].Split("\r\nDate:")[0]["Subject: ".Length..];
        var words = header.Split("\r\n ");
        Assert.True(words.Length > 1);
        Assert.All(words, w => Assert.True(w.Length <= 75, w));
        Assert.Equal(subject, string.Concat(words.Select(w => Encoding.UTF8.GetString(Convert.FromBase64String(w["=?utf-8?B?".Length..^2])))));
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
