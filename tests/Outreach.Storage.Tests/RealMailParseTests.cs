using Outreach.Core.Events;
using Outreach.Core.Mail;
using Outreach.Core.Prospects;
using Outreach.Mail;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>
/// Issue 19: the kinds of mail Outreach sends (invitations to events across both daylight-saving switches and in the autumn
/// overlap hour, a reschedule, a cancellation, a waitlist offer, reminders and follow-ups, the sequence mails) to names with
/// diacritics, quotes, commas, periods, an emoji and a very long name: written as .eml and parsed strictly by MimeKit, the
/// calendar parts by Ical.Net, and compared with what was meant.
/// </summary>
public sealed class RealMailParseTests
{
    private sealed class Links : IEventLinks
    {
        public string RsvpUrl(long eventId, long invitationId, string answer) => $"https://outreach.secretariaat-imvo.example/events/{eventId}/rsvp/{invitationId}/{answer}?sig=" + new string('f', 43);
        public string UnsubscribeUrl(long contactId) => $"https://outreach.secretariaat-imvo.example/optout/{contactId}?token=" + new string('a', 86);
    }

    private static readonly string[] Names =
    [
        "Zoë de Vries-Ünal", "Jan \"Jantje\" Smit", "Smith, J.", "J.P. Smith", "Ünal 😀 Yılmaz", "Ægir Ørsted",
        "Maximiliaan Zoë Ångström-Überlinger van den Bosch tot Nijenrode en Hoogeveen-Cornelissen, directeur duurzaamheid",
    ];

    /// <summary>RFC 6868 §3 (Ical.Net leaves the carets to its caller): ^' a double quote, ^n a line break, ^^ a caret.</summary>
    private static string Rfc6868(string value) =>
        System.Text.RegularExpressions.Regex.Replace(value, "\\^['n^]", m => m.Value[1] switch { '\'' => "\"", 'n' => "\n", _ => "^" });

    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2027, 1, 5, 9, 0, 0, TimeSpan.Zero));

    private static NetworkEvent Event(DateTime start, DateTime end, TimeSpan? startOffset = null) => EventRules.Create(new NetworkEventDraft
    {
        Title = "Netwerkbijeenkomst \"Verantwoord goud\", Amsterdam; 2e editie", CovenantId = 1, Format = EventFormat.Hybrid, Venue = "Fairphone, Amsterdam",
        OnlineJoinUrl = "https://teams.example/meet/1", StartLocal = start, EndLocal = end, StartOffset = startOffset, Capacity = 20, RegistrationDeadlineLocal = start.AddDays(-2),
    }, "evt-19-" + start.Ticks + "@outreach.example", Clock.GetUtcNow()) with { Id = 19 };

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var kind in Enum.GetValues<EventMailKind>().Where(k => k != EventMailKind.Withdrawn))
            for (var n = 0; n < Names.Length; n++) data.Add(kind.ToString(), n);
        return data;
    }

    /// <summary>Events on both switch days, in the overlap hour (both occurrences), and an ordinary summer day.</summary>
    private static IEnumerable<NetworkEvent> Events() =>
    [
        Event(new DateTime(2027, 3, 28, 1, 30, 0), new DateTime(2027, 3, 28, 4, 0, 0)),    // across the spring gap
        Event(new DateTime(2027, 10, 31, 2, 30, 0), new DateTime(2027, 10, 31, 4, 0, 0)),   // the second 02:30
        Event(new DateTime(2027, 10, 31, 2, 30, 0), new DateTime(2027, 10, 31, 3, 30, 0), TimeSpan.FromHours(2)), // the first 02:30
        Event(new DateTime(2027, 10, 31, 1, 0, 0), new DateTime(2027, 10, 31, 2, 15, 0)),   // ends in the overlap
        Event(new DateTime(2027, 7, 8, 14, 0, 0), new DateTime(2027, 7, 8, 17, 0, 0)),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryEventMail_ParsesStrictly_AndSaysWhatWasMeant(string kindName, int nameIndex)
    {
        var kind = Enum.Parse<EventMailKind>(kindName);
        var name = Names[nameIndex];
        var contact = new Contact { Id = 7, OrganisationId = 3, Name = name, Email = "contact7@example.nl", Language = nameIndex % 2 == 0 ? ContactLanguage.Nl : ContactLanguage.En };
        var channel = new MailInvitationChannel(null!, null!, new HandlebarsTemplateRenderer(), new Links(),
            new EventOptions { OrganizerEmail = "secretariaat@imvo.example", OrganizerName = "Secretariaat \"IMVO\", Den Haag" }, Clock);
        foreach (var planned in Events())
        {
            // A reschedule raises the SEQUENCE; a cancellation too.
            var e = kind switch
            {
                EventMailKind.Update => planned with { Sequence = 1 },
                EventMailKind.Cancelled => EventRules.Cancel(planned, [], Clock.GetUtcNow()).Event,
                _ => planned,
            };
            var invitation = new Invitation { Id = 5, EventId = e.Id, ContactId = contact.Id, Response = InvitationResponse.Accepted, PlaceOfferedUntil = kind == EventMailKind.PlaceOffered ? Clock.GetUtcNow().AddHours(48) : null, WaitlistNumber = kind == EventMailKind.Waitlisted ? 3 : null };
            var draft = channel.Compose(e, invitation, kind, contact, "Goudsmid & Zn., B.V.", "Anne \"Secretariaat\" de Wit", "Verantwoord goud");
            var mail = new OutboxMail { Id = 1, Mail = draft };
            var eml = EmlWriter.Write(mail, "secretariaat@imvo.example", "Secretariaat IMVO, Den Haag", Clock.GetUtcNow(), EmlWriter.MessageId("installation", draft.IdempotencyKey, "secretariaat@imvo.example"));

            var message = MailFormatTests.Strict(eml, longQuotedName: name.Length > 70);
            Assert.Equal(name, message.To.Mailboxes.Single().Name);
            Assert.Equal("Secretariaat IMVO, Den Haag", message.From.Mailboxes.Single().Name);
            Assert.Equal(draft.Subject, message.Subject);
            Assert.NotNull(message.MessageId);
            var parts = MailFormatTests.Parts(message);
            Assert.Equal(EmlWriter.Crlf(draft.TextBody), parts[0]);
            Assert.All(parts, p => Assert.DoesNotMatch("(?<!\r)\n", p));
            var ics = draft.Calendar?.Content;
            Assert.Equal(kind is EventMailKind.Invitation or EventMailKind.Update or EventMailKind.PlaceOffered or EventMailKind.Cancelled, ics is not null);
            if (ics is null)
            {
                Assert.Equal(2, parts.Count);
                continue;
            }

            Assert.Equal(ics, parts[2]);
            Assert.Equal(draft.Calendar!.Method, message.BodyParts.Last().ContentType.Parameters["method"]);
            var calendar = Ical.Net.Calendar.Load(ics)!;
            Assert.Equal(draft.Calendar.Method, calendar.Method);
            var read = calendar.Events.Single();
            Assert.Equal(e.StartsAt, new DateTimeOffset(DateTime.SpecifyKind(read.DtStart!.AsUtc, DateTimeKind.Utc)));
            Assert.Equal(e.EndsAt, new DateTimeOffset(DateTime.SpecifyKind(read.DtEnd!.AsUtc, DateTimeKind.Utc)));
            Assert.Equal((e.Uid, e.Sequence), (read.Uid, read.Sequence));
            Assert.Equal(e.Title, read.Summary);
            var attendee = read.Attendees.Single();
            Assert.Equal(name, Rfc6868(attendee.CommonName!));
            Assert.Equal("Secretariaat \"IMVO\", Den Haag", Rfc6868(read.Organizer!.CommonName!));
            Assert.Equal(new Uri("mailto:secretariaat@imvo.example"), read.Organizer.Value);
            Assert.Equal(kind != EventMailKind.Cancelled, attendee.Rsvp);
            Assert.Equal(kind == EventMailKind.Cancelled, read.Url is null);
            Assert.Equal(kind == EventMailKind.Cancelled ? "CANCELLED" : "CONFIRMED", read.Status);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(6)]
    public void EverySequenceMail_ParsesStrictly(int nameIndex)
    {
        var renderer = new HandlebarsTemplateRenderer();
        foreach (var template in BuiltInTemplates.All)
        {
            var rendered = renderer.Render(template, new TemplateValues
            {
                ContactName = Names[nameIndex], Organisation = "Goudsmid & Zn., B.V.", Covenant = "Verantwoord goud", Owner = "Anne de Wit",
                UnsubscribeUrl = new Links().UnsubscribeUrl(7),
            });
            var draft = new MailDraft
            {
                IdempotencyKey = "enrolment:1:step:" + template.Key, Purpose = template.Key, ToAddress = "contact7@example.nl", ToName = Names[nameIndex], Subject = rendered.Subject,
                HtmlBody = rendered.Html, TextBody = rendered.Text, UnsubscribeUrl = new Links().UnsubscribeUrl(7), DueAt = Clock.GetUtcNow(),
            };
            var message = MailFormatTests.Strict(longQuotedName: Names[nameIndex].Length > 70, eml: EmlWriter.Write(new OutboxMail { Id = 1, Mail = draft }, "secretariaat@imvo.example", "Secretariaat", Clock.GetUtcNow(), "<x@imvo.example>"));
            Assert.Equal(Names[nameIndex], message.To.Mailboxes.Single().Name);
            Assert.Equal(draft.Subject, message.Subject);
            Assert.Equal("<" + new Links().UnsubscribeUrl(7) + ">", string.Concat(message.Headers["List-Unsubscribe"]!.Where(c => !char.IsWhiteSpace(c))));
            Assert.Equal([EmlWriter.Crlf(draft.TextBody), EmlWriter.Crlf(draft.HtmlBody)], MailFormatTests.Parts(message));
        }
    }
}
