using Outreach.Core.Mail;

namespace Outreach.Core.Tests.Mail;

/// <summary>Replies, out-of-office answers (with their return dates), bounces and other automatic mail, from realistic samples.</summary>
public sealed class InboxClassifierTests
{
    private static readonly DateTimeOffset Received = new(2027, 2, 20, 10, 0, 0, TimeSpan.Zero);

    private static InboxMessage Message(string subject, string body, string from = "eva@jansen-metaal.example", string? messageClass = "IPM.Note", params (string Name, string Value)[] headers) => new()
    {
        Id = "AAkAL1", Subject = subject, Body = body, FromAddress = from, FromName = "Eva Jansen", ReceivedAt = Received, MessageClass = messageClass,
        Headers = headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase),
    };

    [Fact]
    public void APersonsAnswer_IsAReply()
    {
        var reply = Message("RE: Uw vragen over het convenant", "Beste Anne,\n\nDank voor uw bericht. Volgende week dinsdag schikt ons goed.\n\nMet vriendelijke groet,\nEva");
        Assert.Equal(new InboxClassification(InboxMessageKind.Reply), InboxClassifier.Classify(reply));
        Assert.False(reply.IsAutomatic);
        // A person writing "tot 3 maart" in a normal reply is not an out-of-office answer.
        Assert.Equal(InboxMessageKind.Reply, InboxClassifier.Classify(Message("Re: afspraak", "Ik ben er tot 3 maart niet, daarna graag.")).Kind);
    }

    [Theory]
    [InlineData("Automatisch antwoord: Uw vragen over het convenant", "Ik ben afwezig tot en met 12 april. Voor dringende zaken: 020-1234567.", 2027, 4, 13)]
    [InlineData("Automatic reply: Your covenant questions", "Thank you for your email. I am out of the office and will be back on 3 March.", 2027, 3, 3)]
    [InlineData("Automatic reply: Your covenant questions", "I'm away until Friday 5 March 2027 with limited access to email.", 2027, 3, 5)]
    [InlineData("Afwezig: Uw vragen", "Beste afzender, ik ben met vakantie en ben weer aanwezig op maandag 8 maart.", 2027, 3, 8)]
    [InlineData("Automatisch antwoord: Uw vragen", "Ik ben terug op 14-05-2027. Uw mail wordt niet doorgestuurd.", 2027, 5, 14)]
    [InlineData("Out of Office: covenant", "I am on leave from 1 February through 28 February and return on March 2nd.", 2027, 3, 2)]
    [InlineData("Automatisch antwoord: Uw vragen", "Afwezig t/m 2/3, daarna ben ik weer bereikbaar.", 2027, 3, 3)]
    [InlineData("Automatic reply: covenant", "Back on 2027-03-01.", 2027, 3, 1)]
    public void AnOutOfOfficeAnswer_StatesItsReturnDate(string subject, string body, int year, int month, int day)
    {
        var answer = Message(subject, body, messageClass: "IPM.Note.Rules.OofTemplate.Microsoft");
        Assert.Equal(new InboxClassification(InboxMessageKind.OutOfOffice, new DateOnly(year, month, day)), InboxClassifier.Classify(answer));
        Assert.True(answer.IsAutomatic);
    }

    [Fact]
    public void OutOfOffice_IsRecognisedByHeadersOrSubject_AndADateWithoutYearIsTheNextOne()
    {
        // Received 20 February 2027: "3 January" is next year's.
        var byHeader = Message("Re: Uw vragen", "I am travelling until 3 January.", messageClass: null, headers: ("Auto-Submitted", "auto-replied"));
        Assert.Equal(new InboxClassification(InboxMessageKind.OutOfOffice, new DateOnly(2028, 1, 3)), InboxClassifier.Classify(byHeader));
        var bySubject = Message("Out of Office: Your covenant questions", "I am currently out of the office with no access to email.", messageClass: null);
        Assert.Equal(new InboxClassification(InboxMessageKind.OutOfOffice), InboxClassifier.Classify(bySubject));
    }

    [Theory]
    [InlineData("Ik ben afwezig. Tot ziens!")]
    [InlineData("I am out of the office. Back soon.")]
    [InlineData("Ik ben terug op 31-02-2027.")] // no such day
    [InlineData("I will be back on 3 March 2025.")] // in the past
    [InlineData("Back on 3 March 2031.")] // years away: not believed
    public void NoClearReturnDate_GivesNone(string body)
    {
        var answer = Message("Automatic reply: x", body, messageClass: "IPM.Note.Rules.OofTemplate.Microsoft");
        Assert.Equal(new InboxClassification(InboxMessageKind.OutOfOffice), InboxClassifier.Classify(answer));
    }

    [Fact]
    public void AStatedReturnWinsOverTheEndOfTheAbsence()
    {
        Assert.Equal(new DateOnly(2027, 3, 8),
            InboxClassifier.ReturnDate("I am away until Friday 5 March and back in the office on Monday 8 March.", DateOnly.FromDateTime(Received.UtcDateTime)));
    }

    [Fact]
    public void AnExchangeNonDeliveryReport_IsAHardBounceForTheAddress()
    {
        var ndr = Message("Onbestelbaar: Uw vragen over het convenant",
            """
            Uw bericht aan jan@oud-bedrijf.example kan niet worden bezorgd.

            jan wordt niet gevonden op oud-bedrijf.example.

            Diagnostische informatie voor beheerders:
            Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'
            """,
            from: "postmaster@convenant.example", messageClass: "REPORT.IPM.Note.NDR");
        Assert.Equal(new InboxClassification(InboxMessageKind.Bounce, BouncedAddress: "jan@oud-bedrijf.example", HardBounce: true, Status: "5.1.1"), InboxClassifier.Classify(ndr));
    }

    [Fact]
    public void ADsnWithDelayStatus_IsASoftBounce_AndTheFinalRecipientIsTheAddress()
    {
        var dsn = Message("Delivery Status Notification (Delay)",
            """
            This is an automatically generated Delivery Status Notification.

            Reporting-MTA: dns; mx.example.net

            Final-Recipient: rfc822; Piet@Traag-Bedrijf.example
            Action: delayed
            Status: 4.4.7
            Diagnostic-Code: smtp; 421 4.4.7 Connection timed out
            """,
            from: "mailer-daemon@mx.example.net", messageClass: null, headers: ("Content-Type", "multipart/report; report-type=delivery-status; boundary=\"x\""));
        Assert.Equal(new InboxClassification(InboxMessageKind.Bounce, BouncedAddress: "piet@traag-bedrijf.example", HardBounce: false, Status: "4.4.7"), InboxClassifier.Classify(dsn));
    }

    [Fact]
    public void AGmailBounce_NamesTheAddressFromItsText()
    {
        var bounce = Message("Delivery Status Notification (Failure)",
            "Address not found\n\nYour message wasn't delivered to kees@bestaat-niet.example because the address couldn't be found, or is unable to receive mail.\n\nThe response was:\n\n550 5.1.1 The email account that you tried to reach does not exist.",
            from: "mailer-daemon@googlemail.com", messageClass: null, headers: ("X-Failed-Recipients", "kees@bestaat-niet.example"));
        var result = InboxClassifier.Classify(bounce);
        Assert.Equal((InboxMessageKind.Bounce, "kees@bestaat-niet.example", true), (result.Kind, result.BouncedAddress, result.HardBounce));
    }

    [Fact]
    public void ReceiptsAndNewsletters_AreOther_NotReplies()
    {
        Assert.Equal(InboxMessageKind.Other, InboxClassifier.Classify(Message("Delivered: Uw vragen", "Your message has been delivered.", from: "postmaster@x.example", messageClass: "REPORT.IPM.Note.DR")).Kind);
        Assert.Equal(InboxMessageKind.Other, InboxClassifier.Classify(Message("Read: Uw vragen", "Your message was read.", messageClass: "REPORT.IPM.Note.IPNRN")).Kind);
        Assert.Equal(InboxMessageKind.Other, InboxClassifier.Classify(Message("Nieuwsbrief november", "Het laatste nieuws", from: "nieuws@branche.example", headers: ("Precedence", "bulk"))).Kind);
        // A DSN reporting success is not a bounce.
        var delivered = Message("Delivery Status Notification (Success)", "Final-Recipient: rfc822; eva@x.example\nAction: delivered\nStatus: 2.0.0",
            from: "mailer-daemon@x.example", messageClass: null, headers: ("Content-Type", "multipart/report; report-type=delivery-status"));
        Assert.Equal(InboxMessageKind.Other, InboxClassifier.Classify(delivered).Kind);
    }

    [Fact]
    public void AHugeHostileBody_IsReadOnlyAtItsTop_AndClassifiedQuickly()
    {
        var junk = string.Concat(Enumerable.Repeat("aaaaaaaaaa@bbbbbbbbbb.c tot en met 31-02 back on march ", 20000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = InboxClassifier.Classify(Message("Undeliverable: x", "Your message to kees@bestaat-niet.example couldn't be delivered. 550 5.1.1\n" + junk, from: "postmaster@x.example"));
        Assert.Equal((InboxMessageKind.Bounce, "kees@bestaat-niet.example"), (result.Kind, result.BouncedAddress));
        Assert.Null(InboxClassifier.ReturnDate(junk, new DateOnly(2027, 1, 1)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
    }

    [Fact]
    public void ReferencedMessageIds_PutInReplyToFirst()
    {
        var reply = new InboxMessage { Id = "1", InReplyTo = "<b@x>", References = ["<a@x>", "<b@x>"] };
        Assert.Equal(["<b@x>", "<a@x>"], reply.ReferencedMessageIds);
    }
}
