using Microsoft.Extensions.Logging;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Outreach.Core.Events;

namespace Outreach.Graph;

/// <summary>
/// Reads back from the secretariat's calendar: the attendees' answers of a network event's calendar event
/// (GET /users/{mailbox}/events/{id}?$select=attendees), and after an online meeting its Teams attendance reports
/// (the meeting found by its join link, then /attendanceReports and each report's /attendanceRecords, following next links).
/// </summary>
/// <remarks>Every call goes to the mailbox the link names (the one the event was made in), not to Graph:Mailbox.</remarks>
public sealed partial class GraphCalendarReader(GraphServiceClient client, TimeProvider clock, ILogger<GraphCalendarReader> logger) : IEventCalendarReader
{
    private static readonly string[] AttendeeFields = ["attendees"];

    public async Task<IReadOnlyList<CalendarResponse>> ReadResponsesAsync(EventCalendarLink link, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (link.CalendarEventId is null) return [];
        var e = await GraphEventCalls.CallAsync("answers read", link.EventId, clock, () => client.Users[link.Mailbox].Events[link.CalendarEventId].GetAsync(rc =>
        {
            rc.QueryParameters.Select = AttendeeFields;
            rc.Headers.Add("Prefer", GraphEventCalls.ImmutableIds);
        }, ct));
        return (e?.Attendees ?? [])
            .Where(a => !string.IsNullOrWhiteSpace(a.EmailAddress?.Address))
            .Select(a => new CalendarResponse(a.EmailAddress!.Address!, Map(a.Status?.Response), a.Status?.Time is { } t && t.Year > 1 ? t : null))
            .ToList();
    }

    /// <summary>Graph's answers as Outreach's: not answered yet (none, notResponded) and the organizer are None.</summary>
    public static InvitationResponse Map(ResponseType? response) => response switch
    {
        ResponseType.Accepted => InvitationResponse.Accepted,
        ResponseType.TentativelyAccepted => InvitationResponse.Tentative,
        ResponseType.Declined => InvitationResponse.Declined,
        _ => InvitationResponse.None,
    };

    public async Task<OnlineAttendance> ReadOnlineAttendanceAsync(EventCalendarLink link, DateTimeOffset from, DateTimeOffset until, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(link);
        var meetings = client.Users[link.Mailbox].OnlineMeetings;
        var meetingId = link.OnlineMeetingId;
        if (meetingId is null)
        {
            if (link.JoinUrl is null) return new OnlineAttendance(null, false, []);
            var found = await GraphEventCalls.CallAsync("meeting look-up", link.EventId, clock, () => meetings.GetAsync(rc =>
                rc.QueryParameters.Filter = $"JoinWebUrl eq '{link.JoinUrl.Replace("'", "''", StringComparison.Ordinal)}'", ct));
            meetingId = found?.Value?.FirstOrDefault()?.Id;
            if (meetingId is null)
            {
                LogNoMeeting(logger, link.EventId);
                return new OnlineAttendance(null, false, []);
            }
        }

        var reports = await GraphEventCalls.CallAsync("attendance reports read", link.EventId, clock, () => meetings[meetingId].AttendanceReports.GetAsync(cancellationToken: ct));
        var reportIds = (reports?.Value ?? [])
            .Where(r => r.MeetingStartDateTime is not { } start || (start < until && (r.MeetingEndDateTime ?? start) > from))
            .Select(r => r.Id).OfType<string>().ToList();
        if (reportIds.Count == 0) return new OnlineAttendance(meetingId, false, []);

        var emails = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var reportId in reportIds)
        {
            var records = meetings[meetingId].AttendanceReports[reportId].AttendanceRecords;
            var page = await GraphEventCalls.CallAsync("attendance records read", link.EventId, clock, () => records.GetAsync(cancellationToken: ct));
            while (page is not null)
            {
                foreach (var record in page.Value ?? [])
                {
                    // Someone who joined for no time at all (a dropped connection) did not attend.
                    if (!string.IsNullOrWhiteSpace(record.EmailAddress) && record.TotalAttendanceInSeconds is > 0) emails.Add(record.EmailAddress.Trim());
                }

                if (page.OdataNextLink is not { } next) break;
                page = await GraphEventCalls.CallAsync("attendance records read", link.EventId, clock, () => records.WithUrl(next).GetAsync(cancellationToken: ct));
            }
        }

        LogAttendance(logger, link.EventId, reportIds.Count, emails.Count);
        return new OnlineAttendance(meetingId, true, [.. emails.Order(StringComparer.OrdinalIgnoreCase)]);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Network event {EventId}: no Teams meeting found for its join link (is the Teams application access policy granted?)")]
    private static partial void LogNoMeeting(ILogger logger, long eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Network event {EventId}: {Reports} attendance reports, {Attendees} attendees online")]
    private static partial void LogAttendance(ILogger logger, long eventId, int reports, int attendees);
}
