using System.Globalization;
using System.Text;
using Outreach.Core.Calendar;

namespace Outreach.Core.Events;

public enum CalendarMethod
{
    /// <summary>An invitation or an update of it (same UID, higher SEQUENCE).</summary>
    Request,
    /// <summary>The event is cancelled.</summary>
    Cancel,
}

/// <summary>An attendee line: who, and what they answered (PARTSTAT).</summary>
public sealed record CalendarAttendee(string Name, string Email, InvitationResponse Response, bool Rsvp = true);

/// <summary>The organiser: the secretariat's mailbox.</summary>
public sealed record CalendarOrganizer(string Name, string Email);

/// <summary>
/// Writes an event as an RFC 5545 iCalendar object (an iTIP message, RFC 5546): local times in Europe/Amsterdam with the
/// zone's VTIMEZONE, so calendars show the right hour across the summer-time change; a time in the autumn overlap hour (which
/// occurs twice, and which RFC 5545 §3.3.5 reads as the first) in UTC, so every calendar reads the instant meant; text
/// escaped, parameter values with RFC 6868's caret encoding, lines folded at 75 octets.
/// Written by hand before Ical.Net restored here; Core stays free of packages, and the writer is checked against parsers in the tests.
/// </summary>
public static class ICalendarWriter
{
    public const string TimeZoneId = "Europe/Amsterdam";

    public static string Method(CalendarMethod method) => method == CalendarMethod.Cancel ? "CANCEL" : "REQUEST";

    public static string Write(NetworkEvent e, CalendarMethod method, CalendarOrganizer organizer, IReadOnlyList<CalendarAttendee> attendees,
        string? description, string? url, DateTimeOffset stamp)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(organizer);
        ArgumentNullException.ThrowIfNull(attendees);
        var lines = new List<string>
        {
            "BEGIN:VCALENDAR",
            "PRODID:-//Outreach//Network events//EN",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            "METHOD:" + Method(method),
            "BEGIN:VTIMEZONE",
            "TZID:" + TimeZoneId,
            "BEGIN:DAYLIGHT",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200",
            "TZNAME:CEST",
            "DTSTART:19700329T020000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "END:DAYLIGHT",
            "BEGIN:STANDARD",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100",
            "TZNAME:CET",
            "DTSTART:19701025T030000",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            "END:STANDARD",
            "END:VTIMEZONE",
            "BEGIN:VEVENT",
            "UID:" + Text(e.Uid),
            "SEQUENCE:" + e.Sequence.ToString(CultureInfo.InvariantCulture),
            "DTSTAMP:" + Utc(stamp),
            "DTSTART" + When(e.StartsAt),
            "DTEND" + When(e.EndsAt),
            "SUMMARY:" + Text(e.Title),
            "STATUS:" + (method == CalendarMethod.Cancel || e.Status == EventStatus.Cancelled ? "CANCELLED" : "CONFIRMED"),
            "TRANSP:OPAQUE",
            $"ORGANIZER;CN={Param(organizer.Name)}:mailto:{Address(organizer.Email)}",
        };
        var location = string.Join(" / ", new[] { e.Venue, e.OnlineJoinUrl }.Where(x => !string.IsNullOrWhiteSpace(x)));
        if (location.Length > 0) lines.Add("LOCATION:" + Text(location));
        if (!string.IsNullOrWhiteSpace(description)) lines.Add("DESCRIPTION:" + Text(description));
        // A cancellation asks nothing: no link to accept, no answer requested.
        var cancel = method == CalendarMethod.Cancel;
        if (!cancel && !string.IsNullOrWhiteSpace(url)) lines.Add("URL:" + Text(url));
        foreach (var a in attendees)
        {
            lines.Add($"ATTENDEE;CN={Param(a.Name)};ROLE=REQ-PARTICIPANT;PARTSTAT={PartStat(a.Response)};RSVP={(a.Rsvp && !cancel ? "TRUE" : "FALSE")}:mailto:{Address(a.Email)}");
        }

        lines.Add("END:VEVENT");
        lines.Add("END:VCALENDAR");
        var text = new StringBuilder();
        foreach (var line in lines) Fold(text, line);
        return text.ToString();
    }

    public static string PartStat(InvitationResponse response) => response switch
    {
        InvitationResponse.Accepted => "ACCEPTED",
        InvitationResponse.Tentative => "TENTATIVE",
        InvitationResponse.Declined => "DECLINED",
        _ => "NEEDS-ACTION",
    };

    /// <summary>
    /// A DTSTART or DTEND after its name: Amsterdam wall-clock time with the TZID, except a wall-clock time that occurs twice
    /// (the autumn overlap), which goes in UTC: with a TZID it would mean the first occurrence, whichever was meant.
    /// </summary>
    private static string When(DateTimeOffset instant)
    {
        var local = AmsterdamClock.ToLocal(instant);
        return AmsterdamClock.Zone.IsAmbiguousTime(local.DateTime)
            ? ":" + Utc(instant)
            : $";TZID={TimeZoneId}:" + local.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
    }

    private static string Utc(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>TEXT values (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as \n, other controls dropped.</summary>
    public static string Text(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length);
        var normalised = value.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        foreach (var c in normalised)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case ';': text.Append(@"\;"); break;
                case ',': text.Append(@"\,"); break;
                case '\n': text.Append(@"\n"); break;
                default:
                    if (!char.IsControl(c)) text.Append(c);
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// A parameter value: quoted (it may hold : ; ,), with RFC 6868's caret encoding for what a parameter cannot carry as is
    /// (^' a double quote, ^n a line break, ^^ a caret); other controls dropped.
    /// </summary>
    public static string Param(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'))
        {
            switch (c)
            {
                case '^': text.Append("^^"); break;
                case '"': text.Append("^'"); break;
                case '\n': text.Append("^n"); break;
                default:
                    if (!char.IsControl(c)) text.Append(c);
                    break;
            }
        }

        return text.Append('"').ToString();
    }

    private static string Address(string email)
    {
        var clean = new string(email.Where(c => !char.IsControl(c) && !char.IsWhiteSpace(c)).ToArray());
        if (clean.IndexOfAny([':', ';', ',', '"', '<', '>']) >= 0 || !clean.Contains('@', StringComparison.Ordinal))
            throw new ArgumentException($"'{clean}' is not a mail address a calendar can carry.", nameof(email));
        return clean;
    }

    /// <summary>Lines of at most 75 octets, continued with CRLF and a space, never splitting a UTF-8 sequence.</summary>
    private static void Fold(StringBuilder text, string line)
    {
        var octets = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (octets + size > 75)
            {
                text.Append("\r\n ");
                octets = 1;
            }

            text.Append(rune.ToString());
            octets += size;
        }

        text.Append("\r\n");
    }
}
