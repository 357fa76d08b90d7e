using System.Globalization;
using System.Text;
using Outreach.Core.Mail;
using Outreach.Core.Prospects;

namespace Outreach.Core.Events;

/// <summary>An invitee's answer as a calendar program sends it: an iTIP REPLY (RFC 5546 §3.2.3) to an event's UID.</summary>
public sealed record CalendarReply(string Uid, int Sequence, string AttendeeEmail, InvitationResponse Response);

/// <summary>
/// Reads an iTIP REPLY from an iCalendar object: METHOD:REPLY, the VEVENT's UID and SEQUENCE, and the ATTENDEE's address
/// and PARTSTAT. Anything else (a REQUEST, a COUNTER, no attendee, an unknown PARTSTAT) is not an answer.
/// </summary>
public static class CalendarReplyReader
{
    public static CalendarReply? TryRead(string? ics)
    {
        if (string.IsNullOrWhiteSpace(ics)) return null;
        string? method = null, uid = null, attendee = null;
        var sequence = 0;
        InvitationResponse? response = null;
        var inEvent = false;
        foreach (var line in Unfold(ics))
        {
            var (name, parameters, value) = Split(line);
            if (name == "BEGIN" && value.Equals("VEVENT", StringComparison.OrdinalIgnoreCase)) inEvent = true;
            else if (name == "END" && value.Equals("VEVENT", StringComparison.OrdinalIgnoreCase)) break; // one event per reply
            else if (name == "METHOD" && !inEvent) method = value.Trim().ToUpperInvariant();
            else if (inEvent && name == "UID") uid = value.Trim();
            else if (inEvent && name == "SEQUENCE") _ = int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
            else if (inEvent && name == "ATTENDEE" && attendee is null)
            {
                var address = value.Trim();
                if (address.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase)) address = address[7..];
                attendee = address.Trim();
                response = parameters.TryGetValue("PARTSTAT", out var status) ? status.ToUpperInvariant() switch
                {
                    "ACCEPTED" => InvitationResponse.Accepted,
                    "TENTATIVE" => InvitationResponse.Tentative,
                    "DECLINED" => InvitationResponse.Declined,
                    _ => null,
                } : null;
            }
        }

        return method == "REPLY" && !string.IsNullOrEmpty(uid) && !string.IsNullOrEmpty(attendee) && attendee.Contains('@', StringComparison.Ordinal) && response is { } r
            ? new CalendarReply(uid, sequence, attendee, r) : null;
    }

    /// <summary>Content lines, unfolded (a line starting with a space or tab continues the one before; CRLF or a bare LF).</summary>
    private static IEnumerable<string> Unfold(string ics)
    {
        var current = new StringBuilder();
        foreach (var raw in ics.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (raw.Length > 0 && raw[0] is ' ' or '\t')
            {
                current.Append(raw, 1, raw.Length - 1);
                continue;
            }

            if (current.Length > 0) yield return current.ToString();
            current.Clear().Append(raw.TrimEnd('\r'));
        }

        if (current.Length > 0) yield return current.ToString();
    }

    /// <summary>name;param=value;param="quoted:value":value — the name upper-cased, quoted parameter values unquoted.</summary>
    private static (string Name, Dictionary<string, string> Parameters, string Value) Split(string line)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var quoted = false;
        var colon = -1;
        var parts = new List<string>();
        var part = new StringBuilder();
        for (var i = 0; i < line.Length && colon < 0; i++)
        {
            var c = line[i];
            if (c == '"') quoted = !quoted;
            if (!quoted && c == ':') colon = i;
            else if (!quoted && c == ';') { parts.Add(part.ToString()); part.Clear(); }
            else part.Append(c);
        }

        parts.Add(part.ToString());
        foreach (var p in parts.Skip(1))
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) parameters[p[..eq].Trim()] = p[(eq + 1)..].Trim('"');
        }

        return (parts[0].Trim().ToUpperInvariant(), parameters, colon < 0 ? "" : line[(colon + 1)..]);
    }
}

/// <summary>
/// Records calendar answers that arrive as mail (Outlook's and Gmail's Yes / Maybe / No to an invitation Outreach mailed): the
/// event by its UID, the invitation by the answering address among the event's invitees, the answer as if given by the
/// answer link. An answer to an older SEQUENCE still counts: the person answered the event, only its details changed since.
/// </summary>
public sealed class CalendarReplyAnswers(IEventStore events, IProspectStore prospects, EventService service) : ICalendarAnswers
{
    public async Task<string?> RecordAsync(string calendar, CancellationToken ct)
    {
        if (CalendarReplyReader.TryRead(calendar) is not { } reply) return null;
        var e = (await events.ListEventsAsync(ct).ConfigureAwait(false)).FirstOrDefault(x => string.Equals(x.Uid, reply.Uid, StringComparison.Ordinal));
        if (e is null) return "calendar answer to an event Outreach does not know: nothing done";
        var contacts = (await prospects.FindContactsByEmailAsync(reply.AttendeeEmail, ct).ConfigureAwait(false)).Select(c => c.Id).ToHashSet();
        var invitation = (await events.ListInvitationsAsync(e.Id, ct).ConfigureAwait(false)).FirstOrDefault(i => contacts.Contains(i.ContactId));
        if (invitation is null) return $"calendar answer to \"{e.Title}\" from someone not invited: nothing done";
        var result = await service.RespondAsync(e.Id, invitation.Id, reply.Response, ct).ConfigureAwait(false);
        return result.Succeeded
            ? $"calendar answer to \"{e.Title}\": {ICalendarWriter.PartStat(reply.Response).ToLowerInvariant()}"
            : $"calendar answer to \"{e.Title}\" not recorded: {result.Refusal?.ToString() ?? "refused"}";
    }
}
