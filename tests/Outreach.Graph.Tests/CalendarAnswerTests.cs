using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using Outreach.Core.Events;
using Outreach.Core.Mail;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;
using Outreach.Graph.Testing;
using Outreach.Testing;
using Outreach.Mail;
using Outreach.Storage;

namespace Outreach.Graph.Tests;

/// <summary>
/// Issue 19, finding 5: Outlook and Gmail answer a mailed invitation with an iTIP REPLY to its ORGANIZER. Arriving in the Graph
/// mailbox (the local Graph server), the answers are read by the replies job as the invitees' answers to the event, and stop
/// no sequence (they answer the event, not a sequence's mail).
/// </summary>
public sealed class CalendarAnswerTests
{
    private sealed class Links : IEventLinks
    {
        public string RsvpUrl(long eventId, long invitationId, string answer) => $"https://outreach.example/r/{eventId}-{invitationId}?a={answer}";
        public string UnsubscribeUrl(long contactId) => $"https://outreach.example/u/{contactId}";
    }

    private static string Reply(string uid, int sequence, string email, string name, string partstat) =>
        "BEGIN:VCALENDAR\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        + $"ATTENDEE;PARTSTAT={partstat};CN=\"{name}\":mailto:{email}\r\nSUMMARY;LANGUAGE=nl-NL:Geaccepteerd: Netwerkbijeenkomst\r\n"
        + $"DTSTART:20261210T130000Z\r\nDTEND:20261210T160000Z\r\nUID:{uid}\r\nSEQUENCE:{sequence}\r\nDTSTAMP:20261118T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    /// <summary>An answer as Outlook sends it (a text/calendar alternative), or as Gmail does (an attached invite.ics as well).</summary>
    private static string Mime(string from, string subject, string ics, bool attached)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("", from));
        message.To.Add(new MailboxAddress("Secretariaat", GraphFixture.Mailbox));
        message.Subject = subject;
        var alternative = new MultipartAlternative { new TextPart("plain") { Text = subject } };
        var calendar = new TextPart("calendar") { Text = ics };
        calendar.ContentType.Parameters.Add("method", "REPLY");
        if (attached)
        {
            var mixed = new Multipart("mixed") { alternative, new MimePart("application", "ics") { Content = new MimeContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(ics))), FileName = "invite.ics", ContentTransferEncoding = ContentEncoding.Base64 } };
            message.Body = mixed;
        }
        else
        {
            alternative.Add(calendar);
            message.Body = alternative;
        }

        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task CalendarAnswersInTheMailbox_AreRecordedAsTheInviteesAnswers_AndStopNoSequence()
    {
        await using var f = await GraphFixture.StartAsync();
        var prospects = new SqlProspectStore(f.Db, f.Clock);
        var pipeline = new SqlPipelineStore(f.Db, f.Clock);
        var events = new SqlEventStore(f.Db);
        var sequences = new SqlSequenceStore(f.Db);
        var options = new EventOptions { OrganizerEmail = GraphFixture.Mailbox };
        var channel = new MailInvitationChannel(prospects, f.Outbox, new HandlebarsTemplateRenderer(), new Links(), options, f.Clock);
        var service = new EventService(events, channel, new EventNoticeDispatcher(events, new SqlEventNoticeOutbox(f.Db), channel, f.Clock, DispatchPolicy.EventNotices,
            NullLogger<EventNoticeDispatcher>.Instance), options, f.Clock, NullLogger<EventService>.Instance);
        var replies = new ReplyHandling(new GraphMailboxReader(f.Client, f.Options, NullLogger<GraphMailboxReader>.Instance), new SqlReplyLog(f.Db), f.Outbox, prospects,
            SqlServices.Privacy(f.Db, f.Clock), sequences, SqlServices.Stops(f.Db), f.Clock,
            SequenceSettings.Default, GraphFixture.Mailbox, new CalendarReplyAnswers(events, prospects, service));
        var world = await new CovenantProspect.Builder(prospects, pipeline) { Language = ContactLanguage.Nl }.BuildAsync(f.Clock.GetUtcNow());
        var (covenant, entry, eva, piet) = (world.Covenant, world.Entry, world.Eva, world.Piet);
        var e = (await service.CreateAsync(new NetworkEventDraft
        {
            Title = "Netwerkbijeenkomst", CovenantId = covenant.Id, Format = EventFormat.Physical, Venue = "Utrecht", Capacity = 10,
            StartLocal = new DateTime(2026, 12, 10, 14, 0, 0), EndLocal = new DateTime(2026, 12, 10, 17, 0, 0), RegistrationDeadlineLocal = new DateTime(2026, 12, 5, 12, 0, 0),
        }, default)).Event!;
        Assert.Equal(2, (await service.InviteAsync(e.Id, new InviteSelection { ContactIds = [eva.Id, piet.Id] }, default)).Invited);
        // The invitations go out through the Graph mailbox, each with its iCalendar REQUEST.
        await f.Dispatcher().DispatchDueAsync("node", default);
        Assert.Equal(2, f.Server.Delivered.Count);

        f.Server.Receive(GraphFixture.Mailbox, new IncomingMail(eva.Email, eva.Name, "Geaccepteerd: Netwerkbijeenkomst", "")
        {
            MessageClass = "IPM.Schedule.Meeting.Resp.Pos", Mime = Mime(eva.Email, "Geaccepteerd: Netwerkbijeenkomst", Reply(e.Uid, e.Sequence, eva.Email, eva.Name, "ACCEPTED"), attached: false),
        });
        f.Server.Receive(GraphFixture.Mailbox, new IncomingMail(piet.Email, piet.Name, "Declined: Netwerkbijeenkomst", "Helaas")
        {
            MessageClass = "IPM.Schedule.Meeting.Resp.Neg", Mime = Mime(piet.Email, "Declined: Netwerkbijeenkomst", Reply(e.Uid, e.Sequence, piet.Email, piet.Name, "DECLINED"), attached: true),
        });
        // An answer to an event Outreach never sent changes nothing.
        f.Server.Receive(GraphFixture.Mailbox, new IncomingMail(eva.Email, eva.Name, "Accepted: lunch", "")
        {
            MessageClass = "IPM.Schedule.Meeting.Resp.Pos", Mime = Mime(eva.Email, "Accepted: lunch", Reply("other-uid@elsewhere.example", 0, eva.Email, eva.Name, "ACCEPTED"), attached: false),
        });

        var scan = await replies.ScanAsync(default);

        Assert.Equal((3, 0, 0), (scan.Read, scan.Replies, scan.EnrolmentsStopped));
        var answers = (await events.ListInvitationsAsync(e.Id, default)).ToDictionary(i => i.ContactId, i => i.Response);
        Assert.Equal(InvitationResponse.Accepted, answers[eva.Id]);
        Assert.Equal(InvitationResponse.Declined, answers[piet.Id]);
        var recorded = await new SqlReplyLog(f.Db).ListForOrganisationAsync(entry.OrganisationId, 10, default);
        Assert.Equal(2, recorded.Count(r => r.Kind == ReplyHandling.CalendarAnswerKind && r.Outcome.StartsWith("calendar answer to \"Netwerkbijeenkomst\"", StringComparison.Ordinal)));
        Assert.Contains(recorded, r => r.Outcome == "calendar answer to an event Outreach does not know: nothing done");
        // The MIME was fetched only for the calendar answers.
        Assert.Equal(3, f.Server.Requests.Count(r => r.Method == "GET" && r.Path.EndsWith("/$value", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("ACCEPTED", InvitationResponse.Accepted)]
    [InlineData("TENTATIVE", InvitationResponse.Tentative)]
    [InlineData("DECLINED", InvitationResponse.Declined)]
    public void TheReplyReader_ReadsUidAttendeeAndAnswer_FromAFoldedReply(string partstat, InvitationResponse expected)
    {
        var ics = Reply("evt-17-3f9a@outreach.example", 2, "eva@jansen-metaal.example", "Eva Jansen", partstat).Replace("UID:evt-17", "UID:evt-1\r\n 7", StringComparison.Ordinal);
        Assert.Equal(new CalendarReply("evt-17-3f9a@outreach.example", 2, "eva@jansen-metaal.example", expected), CalendarReplyReader.TryRead(ics));
        Assert.Null(CalendarReplyReader.TryRead(ics.Replace("METHOD:REPLY", "METHOD:REQUEST", StringComparison.Ordinal)));
        Assert.Null(CalendarReplyReader.TryRead(ics.Replace("PARTSTAT=" + partstat, "PARTSTAT=DELEGATED", StringComparison.Ordinal)));
    }
}
