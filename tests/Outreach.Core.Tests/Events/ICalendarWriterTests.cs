using System.Globalization;
using System.Text;
using Outreach.Core.Calendar;
using Outreach.Core.Events;

namespace Outreach.Core.Tests.Events;

public sealed class ICalendarWriterTests
{
    private static readonly DateTimeOffset Stamp = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly CalendarOrganizer Secretariat = new("Secretariaat IMVO", "secretariaat@imvo.example");

    private static NetworkEvent Event(DateTime startLocal, DateTime endLocal, int sequence = 0, string title = "Network event") =>
        EventRules.Create(new NetworkEventDraft
        {
            Title = title, CovenantId = 1, Format = EventFormat.Hybrid, Venue = "Fairphone, Amsterdam; 2nd floor", OnlineJoinUrl = "https://teams.example/meet/1",
            StartLocal = startLocal, EndLocal = endLocal, Capacity = 50, RegistrationDeadlineLocal = startLocal.AddDays(-2),
        }, "evt-17-3f9a@outreach.example", Stamp) with { Sequence = sequence };

    /// <summary>A parsed content line: name, parameters, value (still escaped).</summary>
    private sealed record Line(string Name, Dictionary<string, string> Params, string Value);

    /// <summary>A small RFC 5545 reader: checks CRLF and the 75-octet limit, unfolds, splits name;params:value (quoted params may hold : and ;).</summary>
    private static List<Line> Parse(string ics)
    {
        Assert.EndsWith("\r\n", ics, StringComparison.Ordinal);
        var physical = ics[..^2].Split("\r\n");
        foreach (var p in physical)
        {
            Assert.True(Encoding.UTF8.GetByteCount(p) <= 75, $"Line longer than 75 octets: {p}");
            Assert.DoesNotContain('\n', p);
        }

        var logical = new List<string>();
        foreach (var p in physical)
        {
            if (p.StartsWith(' ')) logical[^1] += p[1..];
            else logical.Add(p);
        }

        var lines = new List<Line>();
        foreach (var l in logical)
        {
            var inQuotes = false;
            var colon = -1;
            for (var i = 0; i < l.Length && colon < 0; i++)
            {
                if (l[i] == '"') inQuotes = !inQuotes;
                else if (l[i] == ':' && !inQuotes) colon = i;
            }

            Assert.True(colon > 0, l);
            var head = new List<string>();
            var sb = new StringBuilder();
            inQuotes = false;
            foreach (var c in l[..colon])
            {
                if (c == '"') inQuotes = !inQuotes;
                if (c == ';' && !inQuotes) { head.Add(sb.ToString()); sb.Clear(); }
                else sb.Append(c);
            }

            head.Add(sb.ToString());
            var ps = head.Skip(1).Select(h => h.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1].Trim('"'), StringComparer.Ordinal);
            lines.Add(new Line(head[0], ps, l[(colon + 1)..]));
        }

        return lines;
    }

    private static string Unescape(string value)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                sb.Append(value[i] is 'n' or 'N' ? '\n' : value[i]);
            }
            else
            {
                Assert.False(value[i] is ';' or ',', $"Unescaped {value[i]} in {value}");
                sb.Append(value[i]);
            }
        }

        return sb.ToString();
    }

    /// <summary>The lines of the VEVENT only (the VTIMEZONE has DTSTART lines of its own).</summary>
    private static List<Line> EventLines(List<Line> all) =>
        all.SkipWhile(l => !(l.Name == "BEGIN" && l.Value == "VEVENT")).TakeWhile(l => !(l.Name == "END" && l.Value == "VEVENT")).ToList();

    private static DateTimeOffset ReadLocal(Line line)
    {
        Assert.Equal("Europe/Amsterdam", line.Params["TZID"]);
        var local = DateTime.ParseExact(line.Value, "yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
        return AmsterdamClock.AtLocal(DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local));
    }

    [Theory]
    [InlineData(2026, 1, 20, "20260120T140000", 13)] // winter: CET, UTC+1
    [InlineData(2026, 7, 8, "20260708T140000", 12)]  // summer: CEST, UTC+2
    public void Request_HasUidSequenceAmsterdamTimesAndAttendees(int y, int m, int d, string expectedLocal, int expectedUtcHour)
    {
        var e = Event(new DateTime(y, m, d, 14, 0, 0), new DateTime(y, m, d, 17, 30, 0), sequence: 2);
        var ics = ICalendarWriter.Write(e, CalendarMethod.Request, Secretariat,
            [new CalendarAttendee("Jan de Vries", "jan@example.nl", InvitationResponse.None), new CalendarAttendee("Ann Smith", "ann@example.com", InvitationResponse.Accepted, Rsvp: false)],
            "Welkom", "https://outreach.example/e/abc", Stamp);
        var all = Parse(ics);
        var ev = EventLines(all);

        Assert.Equal("REQUEST", all.Single(l => l.Name == "METHOD").Value);
        Assert.Equal("VCALENDAR", all[0].Value);
        Assert.Equal("Europe/Amsterdam", all.Single(l => l.Name == "TZID").Value);
        Assert.Contains(all, l => l.Name == "BEGIN" && l.Value == "DAYLIGHT");
        Assert.Equal("evt-17-3f9a@outreach.example", ev.Single(l => l.Name == "UID").Value);
        Assert.Equal("2", ev.Single(l => l.Name == "SEQUENCE").Value);
        Assert.Equal("20260302T090000Z", ev.Single(l => l.Name == "DTSTAMP").Value);
        var start = ev.Single(l => l.Name == "DTSTART");
        Assert.Equal(expectedLocal, start.Value);
        Assert.Equal(e.StartsAt, ReadLocal(start));
        Assert.Equal(expectedUtcHour, e.StartsAt.UtcDateTime.Hour);
        Assert.Equal(e.EndsAt, ReadLocal(ev.Single(l => l.Name == "DTEND")));
        Assert.Equal("CONFIRMED", ev.Single(l => l.Name == "STATUS").Value);
        var organizer = ev.Single(l => l.Name == "ORGANIZER");
        Assert.Equal("mailto:secretariaat@imvo.example", organizer.Value);
        Assert.Equal("Secretariaat IMVO", organizer.Params["CN"]);
        var attendees = ev.Where(l => l.Name == "ATTENDEE").ToList();
        Assert.Equal(["mailto:jan@example.nl", "mailto:ann@example.com"], attendees.Select(a => a.Value));
        Assert.Equal(["NEEDS-ACTION", "ACCEPTED"], attendees.Select(a => a.Params["PARTSTAT"]));
        Assert.Equal(["TRUE", "FALSE"], attendees.Select(a => a.Params["RSVP"]));
        Assert.Equal("Jan de Vries", attendees[0].Params["CN"]);
        Assert.Equal("Fairphone, Amsterdam; 2nd floor / https://teams.example/meet/1", Unescape(ev.Single(l => l.Name == "LOCATION").Value));
    }

    [Fact]
    public void Cancel_KeepsTheUid_WithAHigherSequence()
    {
        var e = Event(new DateTime(2026, 10, 25, 14, 0, 0), new DateTime(2026, 10, 25, 16, 0, 0));
        var first = EventLines(Parse(ICalendarWriter.Write(e, CalendarMethod.Request, Secretariat, [new CalendarAttendee("A", "a@example.nl", InvitationResponse.None)], null, null, Stamp)));
        var (cancelled, _) = EventRules.Cancel(e, [], Stamp);
        var all = Parse(ICalendarWriter.Write(cancelled, CalendarMethod.Cancel, Secretariat, [new CalendarAttendee("A", "a@example.nl", InvitationResponse.None)], null, null, Stamp));
        var second = EventLines(all);

        Assert.Equal("CANCEL", all.Single(l => l.Name == "METHOD").Value);
        Assert.Equal(first.Single(l => l.Name == "UID").Value, second.Single(l => l.Name == "UID").Value);
        Assert.True(int.Parse(second.Single(l => l.Name == "SEQUENCE").Value, CultureInfo.InvariantCulture) > int.Parse(first.Single(l => l.Name == "SEQUENCE").Value, CultureInfo.InvariantCulture));
        Assert.Equal("CANCELLED", second.Single(l => l.Name == "STATUS").Value);
        // The day summer time ends: 14:00 local is UTC+1 again.
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 13, 0, 0, TimeSpan.Zero), ReadLocal(second.Single(l => l.Name == "DTSTART")));
    }

    [Fact]
    public void Text_IsEscaped_AndLongLinesAreFoldedWithoutSplittingCharacters()
    {
        var title = "Netwerkbijeenkomst: goud, zilver; en \\ méér — " + string.Concat(Enumerable.Repeat("ë€😀", 30));
        var description = "Regel één\r\nRegel twee, met komma;\nen een backslash \\ einde";
        var e = Event(new DateTime(2026, 5, 1, 10, 0, 0), new DateTime(2026, 5, 1, 12, 0, 0), title: title);
        var ics = ICalendarWriter.Write(e, CalendarMethod.Request, Secretariat, [new CalendarAttendee("Zoë \"Z\" Müller; Jr.", "zoe@example.nl", InvitationResponse.Tentative)], description, null, Stamp);
        var ev = EventLines(Parse(ics));

        Assert.Contains("\r\n ", ics, StringComparison.Ordinal);
        Assert.Equal(title, Unescape(ev.Single(l => l.Name == "SUMMARY").Value));
        Assert.Equal("Regel één\nRegel twee, met komma;\nen een backslash \\ einde", Unescape(ev.Single(l => l.Name == "DESCRIPTION").Value));
        var attendee = ev.Single(l => l.Name == "ATTENDEE");
        // RFC 6868: the quotes stay, as ^' (a parameter value cannot hold a DQUOTE as is).
        Assert.Equal("Zoë ^'Z^' Müller; Jr.", attendee.Params["CN"]);
        Assert.Equal("Zoë \"Z\" Müller; Jr.", Rfc6868(attendee.Params["CN"]));
        Assert.Equal("TENTATIVE", attendee.Params["PARTSTAT"]);
        Assert.Equal("mailto:zoe@example.nl", attendee.Value);
        Assert.DoesNotContain('\uFFFD', Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(ics)));
    }

    /// <summary>RFC 6868 §3: ^' is a double quote, ^n a line break, ^^ a caret; any other caret stays.</summary>
    internal static string Rfc6868(string value)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '^' && i + 1 < value.Length && value[i + 1] is '\'' or 'n' or '^')
            {
                sb.Append(value[++i] switch { '\'' => '"', 'n' => '\n', _ => '^' });
            }
            else sb.Append(value[i]);
        }

        return sb.ToString();
    }

    /// <summary>The writer's output read by an independent parser (Ical.Net, which resolves TZID times with the tz database).</summary>
    internal static Ical.Net.CalendarComponents.CalendarEvent IcalNet(string ics)
    {
        var calendar = Ical.Net.Calendar.Load(ics) ?? throw new InvalidOperationException("Ical.Net read nothing.");
        return calendar.Events.Single();
    }

    private static DateTimeOffset Instant(Ical.Net.DataTypes.CalDateTime? value)
    {
        Assert.NotNull(value);
        Assert.True(value.HasTime);
        return new DateTimeOffset(DateTime.SpecifyKind(value.AsUtc, DateTimeKind.Utc));
    }

    /// <summary>
    /// Every start and end Ical.Net reads back is the instant meant: ordinary days in winter and summer, both switch days, the
    /// hours around them, and both occurrences of the autumn overlap hour (finding 1 of issue 19: 02:30 on the last Sunday of
    /// October was written with a TZID, which RFC 5545 §3.3.5 reads as the first occurrence, though the second was meant).
    /// </summary>
    [Theory]
    [InlineData("2027-01-20T13:00:00Z", 180)]  // winter
    [InlineData("2027-07-08T12:00:00Z", 180)]  // summer
    [InlineData("2027-03-28T00:30:00Z", 120)]  // spring switch day: 01:30 CET, ends 03:30 CEST
    [InlineData("2027-03-28T01:00:00Z", 60)]   // 03:00 CEST, the first minute after the gap
    [InlineData("2027-03-28T12:00:00Z", 120)]  // the afternoon of the spring switch day
    [InlineData("2027-10-31T00:30:00Z", 60)]   // 02:30 CEST: the first occurrence of the overlap hour
    [InlineData("2027-10-31T01:30:00Z", 60)]   // 02:30 CET: the second occurrence (what Outreach makes of 02:30 that day)
    [InlineData("2027-10-30T23:30:00Z", 90)]   // 01:30 CEST, ending 02:00 CET in the overlap's second half hour... in UTC
    [InlineData("2027-10-31T02:00:00Z", 120)]  // 03:00 CET, just after the overlap
    [InlineData("2027-10-31T13:00:00Z", 180)]  // the afternoon of the autumn switch day
    public void EveryStartAndEnd_ReadsBackAsTheSameInstant_InIcalNet(string startUtc, int minutes)
    {
        var start = DateTimeOffset.Parse(startUtc, CultureInfo.InvariantCulture);
        var e = Event(new DateTime(2027, 1, 20, 14, 0, 0), new DateTime(2027, 1, 20, 17, 0, 0)) with { StartsAt = start, EndsAt = start.AddMinutes(minutes) };
        foreach (var method in new[] { CalendarMethod.Request, CalendarMethod.Cancel })
        {
            var ics = ICalendarWriter.Write(e, method, Secretariat, [new CalendarAttendee("Jan de Vries", "jan@example.nl", InvitationResponse.None)], "Welkom", "https://outreach.example/e/abc", Stamp);
            Parse(ics); // CRLF and 75 octets
            var read = IcalNet(ics);
            Assert.Equal(e.StartsAt, Instant(read.DtStart));
            Assert.Equal(e.EndsAt, Instant(read.DtEnd));
            Assert.Equal(e.Uid, read.Uid);
        }
    }

    [Fact]
    public void TwoThirtyOnTheAutumnSwitchDay_IsWrittenInUtc_AndAnOrdinaryTimeKeepsTheAmsterdamZone()
    {
        var e = Event(new DateTime(2027, 10, 31, 2, 30, 0), new DateTime(2027, 10, 31, 4, 0, 0));
        Assert.Equal(new DateTimeOffset(2027, 10, 31, 1, 30, 0, TimeSpan.Zero), e.StartsAt); // the second occurrence
        var ev = EventLines(Parse(ICalendarWriter.Write(e, CalendarMethod.Request, Secretariat, [], null, null, Stamp)));
        var start = ev.Single(l => l.Name == "DTSTART");
        Assert.Equal("20271031T013000Z", start.Value);
        Assert.False(start.Params.ContainsKey("TZID"));
        var end = ev.Single(l => l.Name == "DTEND");
        Assert.Equal(("Europe/Amsterdam", "20271031T040000"), (end.Params["TZID"], end.Value));
    }

    /// <summary>Finding 5 of issue 19: a CANCEL carried the accept link and asked for an answer (RSVP=TRUE).</summary>
    [Fact]
    public void ACancel_CarriesNoAcceptLink_AndAsksForNoAnswer()
    {
        var (cancelled, _) = EventRules.Cancel(Event(new DateTime(2027, 5, 1, 10, 0, 0), new DateTime(2027, 5, 1, 12, 0, 0)), [], Stamp);
        var ics = ICalendarWriter.Write(cancelled, CalendarMethod.Cancel, Secretariat, [new CalendarAttendee("Jan de Vries", "jan@example.nl", InvitationResponse.Accepted)],
            "Afgelast", "https://outreach.example/rsvp/17/3/accept?sig=abc", Stamp);
        var ev = EventLines(Parse(ics));
        Assert.DoesNotContain(ev, l => l.Name == "URL");
        Assert.DoesNotContain("outreach.example/rsvp", ics.Replace("\r\n ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("FALSE", ev.Single(l => l.Name == "ATTENDEE").Params["RSVP"]);
        var read = IcalNet(ics);
        Assert.Null(read.Url);
        Assert.False(read.Attendees.Single().Rsvp);
        Assert.Equal("CANCELLED", read.Status);
        // An invitation still asks, and links.
        var request = IcalNet(ICalendarWriter.Write(Event(new DateTime(2027, 5, 1, 10, 0, 0), new DateTime(2027, 5, 1, 12, 0, 0)), CalendarMethod.Request, Secretariat,
            [new CalendarAttendee("Jan de Vries", "jan@example.nl", InvitationResponse.None)], null, "https://outreach.example/rsvp/17/3/accept?sig=abc", Stamp));
        Assert.True(request.Attendees.Single().Rsvp);
        Assert.Equal(new Uri("https://outreach.example/rsvp/17/3/accept?sig=abc"), request.Url);
    }

    /// <summary>Finding 5 of issue 19: attendee names lost their double quotes; RFC 6868 writes them as ^'.</summary>
    [Theory]
    [InlineData("Jan \"Jantje\" de Vries")]
    [InlineData("O'Brien ^ Söhne, \"Grün\"; Jr.")]
    [InlineData("Zoë 😀 Müller-Lüdenscheidt van den Bosch tot Nijenrode en Hoogeveen, directeur")]
    public void AttendeeAndOrganizerNames_KeepTheirQuotes_ByRfc6868(string name)
    {
        var e = Event(new DateTime(2027, 5, 1, 10, 0, 0), new DateTime(2027, 5, 1, 12, 0, 0));
        var ics = ICalendarWriter.Write(e, CalendarMethod.Request, new CalendarOrganizer(name, "secretariaat@imvo.example"),
            [new CalendarAttendee(name, "jan@example.nl", InvitationResponse.None)], null, null, Stamp);
        var ev = EventLines(Parse(ics));
        Assert.Equal(name, Rfc6868(ev.Single(l => l.Name == "ATTENDEE").Params["CN"]));
        Assert.Equal(name, Rfc6868(ev.Single(l => l.Name == "ORGANIZER").Params["CN"]));
        // Ical.Net reads the parameter whole (it leaves RFC 6868's carets to the caller).
        var read = IcalNet(ics);
        Assert.Equal(name, Rfc6868(read.Attendees.Single().CommonName!));
        Assert.Equal(new Uri("mailto:jan@example.nl"), read.Attendees.Single().Value);
    }

    [Fact]
    public void AnAddressThatCouldBreakTheLine_IsRefused()
    {
        var e = Event(new DateTime(2026, 5, 1, 10, 0, 0), new DateTime(2026, 5, 1, 12, 0, 0));
        Assert.Throws<ArgumentException>(() => ICalendarWriter.Write(e, CalendarMethod.Request, Secretariat, [new CalendarAttendee("X", "x@example.nl;RSVP=FALSE", InvitationResponse.None)], null, null, Stamp));
    }
}
