using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Mail;
using Outreach.Graph.Testing;

namespace Outreach.Graph.Tests;

/// <summary>Reading the inbox with message delta against the local Graph server: pages, delta links, an expired link, and what the classifier gets.</summary>
public sealed class GraphMailboxReaderTests
{
    private static GraphMailboxReader Reader(GraphFixture f) => new(f.Client, f.Options, NullLogger<GraphMailboxReader>.Instance);

    private static async Task<(List<InboxMessage> Messages, string DeltaLink, bool Restarted, int Pages)> ReadRoundAsync(IMailboxReader reader, string? link)
    {
        var messages = new List<InboxMessage>();
        var restarted = false;
        for (var pages = 1; pages < 100; pages++)
        {
            var page = await reader.ReadChangesAsync(link, default);
            messages.AddRange(page.Messages);
            restarted |= page.Restarted;
            if (page.NextLink is null) return (messages, page.DeltaLink ?? throw new InvalidOperationException("no delta link"), restarted, pages);
            link = page.NextLink;
        }

        throw new InvalidOperationException("too many pages");
    }

    [Fact]
    public async Task FirstRound_FollowsNextLinksPageByPage_ThenTheDeltaLinkGivesOnlyWhatArrivedSince()
    {
        await using var f = await GraphFixture.StartAsync();
        for (var i = 0; i < 25; i++) f.Server.Receive(GraphFixture.Mailbox, new IncomingMail($"person{i}@example.nl", $"Person {i}", $"Vraag {i}", $"Tekst {i}"));
        var reader = Reader(f);

        var first = await reader.ReadChangesAsync(null, default);
        Assert.Equal(10, first.Messages.Count);
        Assert.NotNull(first.NextLink);
        Assert.Null(first.DeltaLink);
        Assert.False(first.Restarted);

        var (rest, deltaLink, restarted, pages) = await ReadRoundAsync(reader, first.NextLink);
        Assert.Equal((15, 2, false), (rest.Count, pages, restarted));
        Assert.Equal(25, first.Messages.Concat(rest).Select(m => m.Id).Distinct().Count());
        // Every request asks for small pages; the first names the fields and the MAPI properties, the links carry them on.
        var deltaCalls = f.Server.Requests.Where(r => r.Path.Contains("/delta", StringComparison.Ordinal)).ToList();
        Assert.All(deltaCalls, r => Assert.Contains("odata.maxpagesize=10", r.Prefer, StringComparison.Ordinal));
        Assert.Contains("$select=", Uri.UnescapeDataString(deltaCalls[0].Query), StringComparison.Ordinal);
        Assert.Contains("String 0x001A", Uri.UnescapeDataString(deltaCalls[0].Query), StringComparison.Ordinal);

        var nothing = await reader.ReadChangesAsync(deltaLink, default);
        Assert.Empty(nothing.Messages);
        Assert.NotNull(nothing.DeltaLink);

        f.Server.Receive(GraphFixture.Mailbox, new IncomingMail("late@example.nl", "Late", "Nog een vraag", "Hallo"));
        var later = await reader.ReadChangesAsync(nothing.DeltaLink, default);
        var late = Assert.Single(later.Messages);
        Assert.Equal(("late@example.nl", "Late", "Nog een vraag", "Hallo"), (late.FromAddress, late.FromName, late.Subject, late.Body));
    }

    [Fact]
    public async Task AnExpiredDeltaLink_RestartsFromTheWholeInbox_AndSaysSo()
    {
        await using var f = await GraphFixture.StartAsync();
        for (var i = 0; i < 12; i++) f.Server.Receive(GraphFixture.Mailbox, new IncomingMail($"p{i}@example.nl", "P", "S", "T"));
        var reader = Reader(f);
        var (_, deltaLink, _, _) = await ReadRoundAsync(reader, null);

        f.Server.ExpireDeltaTokens();
        var (again, newLink, restarted, pages) = await ReadRoundAsync(reader, deltaLink);

        Assert.True(restarted);
        Assert.Equal((12, 2), (again.Count, pages));
        Assert.Contains(f.Server.Requests, r => r.Status == 410);
        Assert.Empty((await reader.ReadChangesAsync(newLink, default)).Messages);
    }

    [Fact]
    public async Task ARemovedMessage_IsLeftOut()
    {
        await using var f = await GraphFixture.StartAsync();
        var reader = Reader(f);
        var id = f.Server.Receive(GraphFixture.Mailbox, new IncomingMail("a@example.nl", "A", "S", "T"));
        var (_, link, _, _) = await ReadRoundAsync(reader, null);
        f.Server.Delete(GraphFixture.Mailbox, id);
        var page = await reader.ReadChangesAsync(link, default);
        Assert.Empty(page.Messages);
        Assert.Contains(f.Server.Requests, r => r.Path.Contains("/delta", StringComparison.Ordinal) && r.Status == 200);
    }

    [Fact]
    public async Task AReplyToASentMail_IsMatchedToItsOutboxRow_AndAnOutOfOfficeAndABounceAreClassified()
    {
        await using var f = await GraphFixture.StartAsync();
        var now = f.Clock.GetUtcNow();
        await f.Outbox.EnqueueAsync(GraphFixture.Mail("enrolment:7:step:0", now), now, default);
        await f.Dispatcher().DispatchDueAsync("node-a", default);
        var sent = Assert.Single(f.Server.Delivered);

        f.Server.Receive(GraphFixture.Mailbox, new IncomingMail("eva@jansen-metaal.example", "Eva Jansen", "RE: Uw vragen over het convenant", "Dank, we willen graag een afspraak.")
        {
            InReplyTo = sent.InternetMessageId,
            References = sent.InternetMessageId,
        });
        f.Server.Receive(GraphFixture.Mailbox, new IncomingMail("piet@jansen-metaal.example", "Piet", "Automatisch antwoord: Uw vragen over het convenant",
            "Ik ben afwezig tot en met 12 april. Voor dringende zaken kunt u bellen met 020-1234567.")
        {
            MessageClass = "IPM.Note.Rules.OofTemplate.Microsoft",
            TransportHeaders = "Received: from x\r\nAuto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\nContent-Type: text/plain",
            ReceivedAt = new DateTimeOffset(2027, 4, 1, 8, 0, 0, TimeSpan.Zero),
        });
        f.Server.Receive(GraphFixture.Mailbox, new IncomingMail("MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@convenant.example", "Microsoft Outlook",
            "Undeliverable: Uw vragen over het convenant",
            "Delivery has failed to these recipients or groups:\n\njan@oud-bedrijf.example\nThe email address you entered couldn't be found.\n\nDiagnostic information for administrators:\nRemote Server returned '550 5.1.1 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'")
        {
            MessageClass = "REPORT.IPM.Note.NDR",
        });

        var (messages, _, _, _) = await ReadRoundAsync(Reader(f), null);
        Assert.Equal(3, messages.Count);

        var reply = messages.Single(m => m.FromAddress == "eva@jansen-metaal.example");
        Assert.Equal(sent.InternetMessageId, reply.InReplyTo);
        Assert.Equal(sent.ConversationId, reply.ConversationId);
        Assert.Equal(InboxMessageKind.Reply, InboxClassifier.Classify(reply).Kind);
        var row = await f.Outbox.FindSentByMessageAsync(reply.ReferencedMessageIds, reply.ConversationId, default);
        Assert.Equal("enrolment:7:step:0", row?.Mail.IdempotencyKey);

        var away = messages.Single(m => m.FromAddress == "piet@jansen-metaal.example");
        Assert.Equal("auto-generated", away.Headers["auto-submitted"]);
        Assert.True(away.IsAutomatic);
        Assert.Equal(new InboxClassification(InboxMessageKind.OutOfOffice, new DateOnly(2027, 4, 13)), InboxClassifier.Classify(away));

        var bounce = InboxClassifier.Classify(messages.Single(m => m.MessageClass == "REPORT.IPM.Note.NDR"));
        Assert.Equal((InboxMessageKind.Bounce, "jan@oud-bedrijf.example", true, "5.1.1"), (bounce.Kind, bounce.BouncedAddress, bounce.HardBounce, bounce.Status));
    }
}
