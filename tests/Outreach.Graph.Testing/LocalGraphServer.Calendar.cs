using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Outreach.Graph.Testing;

/// <summary>An attendee's line in an online meeting's attendance report.</summary>
public sealed record AttendanceLine(string Email, int Seconds, string? Name = null);

/// <summary>
/// The calendar part of the local Graph server, per mailbox: POST/GET/PATCH /users/{id}/events[/{id}] with $select, $top and
/// $filter on an extended property or transactionId; a second POST with a transactionId already used returns the existing
/// event (Exchange's duplicate protection); attendees start with response "none" (time 0001-01-01) and keep their answer when
/// a PATCH writes the list back; start and end as dateTimeTimeZone, answered in the zone Prefer: outlook.timezone asks for (UTC
/// otherwise), an unknown zone refused; isOnlineMeeting with teamsForBusiness makes a Teams meeting (onlineMeeting.joinUrl),
/// which cannot be switched off; POST …/events/{id}/cancel answers 202 and moves the event to Deleted Items (so the calendar no
/// longer finds it: 404). GET /users/{id}/onlineMeetings?$filter=JoinWebUrl eq '…', …/attendanceReports and
/// …/attendanceReports/{id}/attendanceRecords (paged with @odata.nextLink at <see cref="AttendancePageSize"/>).
/// Test hooks set an attendee's answer and add an attendance report.
/// </summary>
public sealed partial class LocalGraphServer
{
    /// <summary>Attendance records per page.</summary>
    public int AttendancePageSize { get; set; } = 100;

    /// <summary>The mailbox's calendar events as stored (cancelled ones too, with isCancelled), each with its "id".</summary>
    public IReadOnlyList<JsonObject> Events(string mailbox)
    {
        lock (gate)
            return Box(mailbox).Events.Select(e =>
            {
                var copy = (JsonObject)e.Data.DeepClone();
                copy["id"] = e.Id;
                copy["isCancelled"] = e.Cancelled;
                return copy;
            }).ToList();
    }

    /// <summary>An attendee answers in their own calendar: <paramref name="response"/> is Graph's (accepted, tentativelyAccepted, declined, none).</summary>
    public void SetResponse(string mailbox, string eventId, string email, string response, DateTimeOffset at)
    {
        lock (gate)
        {
            var e = Box(mailbox).Events.Single(x => x.Id == eventId);
            var attendee = (e.Data["attendees"] as JsonArray ?? []).OfType<JsonObject>()
                .Single(a => string.Equals(a["emailAddress"]?["address"]?.GetValue<string>(), email, StringComparison.OrdinalIgnoreCase));
            attendee["status"] = new JsonObject { ["response"] = response, ["time"] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) };
            e.Version = ++version;
        }
    }

    /// <summary>Teams writes an attendance report for the meeting with this join link (after it ended).</summary>
    public void AddAttendanceReport(string mailbox, string joinUrl, DateTimeOffset start, DateTimeOffset end, params AttendanceLine[] lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        lock (gate)
        {
            var meeting = Box(mailbox).Meetings.Single(m => m.JoinUrl == joinUrl);
            meeting.Reports.Add(new StoredReport(Guid.NewGuid().ToString(), start, end, [.. lines.Select(l => new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["emailAddress"] = l.Email,
                ["totalAttendanceInSeconds"] = l.Seconds,
                ["role"] = "Attendee",
                ["identity"] = new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["displayName"] = l.Name ?? l.Email },
                ["attendanceIntervals"] = new JsonArray(new JsonObject
                {
                    ["joinDateTime"] = Utc(start), ["leaveDateTime"] = Utc(start.AddSeconds(l.Seconds)), ["durationInSeconds"] = l.Seconds,
                }),
            })]));
        }
    }

    private async Task<int> CreateEventAsync(HttpContext context, MailboxStore box, string? body)
    {
        var data = (body is null ? null : JsonNode.Parse(body) as JsonObject) ?? throw new ServiceError(400, "ErrorInvalidRequest", "The request body is empty.");
        data.Remove("@odata.type");
        CheckTimes(data);
        StoredEvent stored;
        var status = 201;
        lock (gate)
        {
            var transactionId = data["transactionId"]?.GetValue<string>();
            var existing = transactionId is null ? null : box.Events.FirstOrDefault(e => !e.Cancelled && e.Data["transactionId"]?.GetValue<string>() == transactionId);
            if (existing is not null)
            {
                // Exchange's duplicate protection: the same transactionId gives back the event made the first time.
                stored = existing;
            }
            else
            {
                data["attendees"] = new JsonArray([.. Attendees(data["attendees"], []).Select(a => (JsonNode)a)]);
                data["organizer"] = new JsonObject { ["emailAddress"] = new JsonObject { ["address"] = box.Address, ["name"] = "Secretariaat" } };
                data["isOrganizer"] = true;
                data["responseStatus"] = new JsonObject { ["response"] = "organizer", ["time"] = "0001-01-01T00:00:00Z" };
                data["iCalUId"] = NewId("040000008200E0");
                data["isCancelled"] = false;
                stored = new StoredEvent(NewId("AAkALgEv"), data) { Version = ++version };
                box.Events.Add(stored);
                SyncMeeting(box, stored);
            }
        }

        return await WriteAsync(context, status, ShapeEvent(stored, context.Request, null));
    }

    private async Task<int> ListEventsAsync(HttpContext context, MailboxStore box)
    {
        var query = context.Request.Query;
        var filter = EventFilter(query["$filter"].ToString());
        var top = int.TryParse(query["$top"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? Math.Clamp(t, 1, 1000) : 10;
        JsonArray value;
        lock (gate)
            value = [.. box.Events.Where(e => !e.Cancelled && filter(e)).OrderByDescending(e => e.Version).Take(top).Select(e => ShapeEvent(e, context.Request, query["$select"]))];
        return await WriteAsync(context, 200, new JsonObject { ["@odata.context"] = $"{Url}{ApiVersion}/$metadata#users('{box.Address}')/events", ["value"] = value });
    }

    private async Task<int> GetEventAsync(HttpContext context, MailboxStore box, string id)
    {
        JsonObject shaped;
        lock (gate) shaped = ShapeEvent(FindEvent(box, id), context.Request, context.Request.Query["$select"]);
        return await WriteAsync(context, 200, shaped);
    }

    private async Task<int> PatchEventAsync(HttpContext context, MailboxStore box, string id, string? body)
    {
        var patch = (body is null ? null : JsonNode.Parse(body) as JsonObject) ?? throw new ServiceError(400, "ErrorInvalidRequest", "The request body is empty.");
        patch.Remove("@odata.type");
        JsonObject shaped;
        lock (gate)
        {
            var e = FindEvent(box, id);
            var merged = (JsonObject)e.Data.DeepClone();
            foreach (var (name, value) in patch)
            {
                switch (name)
                {
                    case "transactionId" when value?.GetValue<string>() != merged["transactionId"]?.GetValue<string>():
                        throw new ServiceError(400, "ErrorInvalidRequest", "The transactionId of an event cannot be changed.");
                    case "attendees":
                        merged["attendees"] = new JsonArray([.. Attendees(value, merged["attendees"] as JsonArray ?? []).Select(a => (JsonNode)a)]);
                        break;
                    // A Teams meeting stays once made (Graph: the provider cannot be changed or switched off).
                    case "isOnlineMeeting" when value?.GetValue<bool>() == false && merged["isOnlineMeeting"]?.GetValue<bool>() == true:
                    case "onlineMeetingProvider" when merged["isOnlineMeeting"]?.GetValue<bool>() == true:
                        break;
                    default:
                        merged[name] = value?.DeepClone();
                        break;
                }
            }

            CheckTimes(merged);
            e.Data = merged;
            e.Version = ++version;
            SyncMeeting(box, e);
            shaped = ShapeEvent(e, context.Request, null);
        }

        return await WriteAsync(context, 200, shaped);
    }

    private int CancelEvent(HttpContext context, MailboxStore box, string id, string? body)
    {
        lock (gate)
        {
            var e = FindEvent(box, id);
            e.Cancelled = true;
            e.Data["isCancelled"] = true;
            e.CancelComment = body is null ? null : (JsonNode.Parse(body) as JsonObject)?["comment"]?.GetValue<string>();
            e.Version = ++version;
        }

        context.Response.StatusCode = 202;
        return 202;
    }

    private async Task<int> ListMeetingsAsync(HttpContext context, MailboxStore box)
    {
        var filter = context.Request.Query["$filter"].ToString();
        // App-only access lists meetings only by join link.
        var match = JoinUrlFilter().Match(filter);
        if (!match.Success) throw new ServiceError(400, "BadRequest", "Filter on JoinWebUrl is required when listing online meetings of a user.");
        var url = match.Groups["value"].Value.Replace("''", "'", StringComparison.Ordinal);
        JsonArray value;
        lock (gate)
            value = [.. box.Meetings.Where(m => m.JoinUrl == url).Select(m => (JsonNode)new JsonObject
            {
                ["id"] = m.Id, ["joinWebUrl"] = m.JoinUrl, ["subject"] = m.Subject, ["startDateTime"] = m.Start, ["endDateTime"] = m.End,
            })];
        return await WriteAsync(context, 200, new JsonObject { ["@odata.context"] = $"{Url}{ApiVersion}/$metadata#users('{box.Address}')/onlineMeetings", ["value"] = value });
    }

    private async Task<int> ListReportsAsync(HttpContext context, MailboxStore box, string meetingId)
    {
        JsonArray value;
        lock (gate)
            value = [.. Meeting(box, meetingId).Reports.Select(r => (JsonNode)new JsonObject
            {
                ["id"] = r.Id, ["totalParticipantCount"] = r.Records.Count, ["meetingStartDateTime"] = Utc(r.Start), ["meetingEndDateTime"] = Utc(r.End),
            })];
        return await WriteAsync(context, 200, new JsonObject { ["@odata.context"] = $"{Url}{ApiVersion}/$metadata#users('{box.Address}')/onlineMeetings('{meetingId}')/attendanceReports", ["value"] = value });
    }

    private async Task<int> ListRecordsAsync(HttpContext context, MailboxStore box, string meetingId, string reportId)
    {
        var skip = int.TryParse(context.Request.Query["$skiptoken"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        JsonObject answer;
        lock (gate)
        {
            var report = Meeting(box, meetingId).Reports.FirstOrDefault(r => r.Id == reportId)
                         ?? throw new ServiceError(404, "NotFound", "The attendance report was not found.");
            var page = report.Records.Skip(skip).Take(AttendancePageSize).Select(r => (JsonNode)r.DeepClone()).ToArray();
            answer = new JsonObject { ["@odata.context"] = $"{Url}{ApiVersion}/$metadata#attendanceRecords", ["value"] = new JsonArray(page) };
            if (skip + page.Length < report.Records.Count)
                answer["@odata.nextLink"] = $"{Url}{ApiVersion}/users/{Uri.EscapeDataString(box.Address)}/onlineMeetings/{Uri.EscapeDataString(meetingId)}/attendanceReports/{reportId}/attendanceRecords?$skiptoken={skip + page.Length}";
        }

        return await WriteAsync(context, 200, answer);
    }

    /// <summary>The attendee list as Graph keeps it: each needs an address; one already there keeps its answer, a new one starts at "none".</summary>
    private static IEnumerable<JsonObject> Attendees(JsonNode? given, JsonArray before)
    {
        foreach (var a in (given as JsonArray ?? []).OfType<JsonObject>())
        {
            var address = a["emailAddress"]?["address"]?.GetValue<string>();
            if (string.IsNullOrWhiteSpace(address) || !EmailShape().IsMatch(address))
                throw new ServiceError(400, "ErrorInvalidRecipients", $"At least one recipient isn't valid: '{address}'.");
            var kept = before.OfType<JsonObject>().FirstOrDefault(b => string.Equals(b["emailAddress"]?["address"]?.GetValue<string>(), address, StringComparison.OrdinalIgnoreCase));
            yield return new JsonObject
            {
                ["type"] = a["type"]?.GetValue<string>() ?? "required",
                ["status"] = kept?["status"]?.DeepClone() ?? new JsonObject { ["response"] = "none", ["time"] = "0001-01-01T00:00:00Z" },
                ["emailAddress"] = new JsonObject { ["name"] = a["emailAddress"]?["name"]?.GetValue<string>() ?? address, ["address"] = address },
            };
        }
    }

    /// <summary>Makes the Teams meeting of an event that asks for one (once; the join link stays).</summary>
    private static void SyncMeeting(MailboxStore box, StoredEvent e)
    {
        if (e.Data["isOnlineMeeting"]?.GetValue<bool>() != true) return;
        var provider = e.Data["onlineMeetingProvider"]?.GetValue<string>();
        if (provider is not null && provider != "teamsForBusiness") throw new ServiceError(400, "ErrorInvalidRequest", $"Online meeting provider '{provider}' is not available for this mailbox.");
        if (e.Data["onlineMeeting"]?["joinUrl"] is null)
        {
            var meeting = new StoredMeeting(NewId("MSo"), $"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{Guid.NewGuid():N}%40thread.v2/0?context=%7b%22Tid%22%3a%22local%22%7d");
            box.Meetings.Add(meeting);
            e.Data["onlineMeetingProvider"] = "teamsForBusiness";
            e.Data["onlineMeeting"] = new JsonObject { ["joinUrl"] = meeting.JoinUrl, ["conferenceId"] = "123456789", ["tollNumber"] = "+31 20 000 0000" };
        }

        var current = box.Meetings.Single(m => m.JoinUrl == e.Data["onlineMeeting"]!["joinUrl"]!.GetValue<string>());
        current.Subject = e.Data["subject"]?.GetValue<string>();
        current.Start = e.Data["start"]?["dateTime"]?.GetValue<string>();
        current.End = e.Data["end"]?["dateTime"]?.GetValue<string>();
    }

    private static void CheckTimes(JsonObject data)
    {
        foreach (var name in new[] { "start", "end" })
        {
            var value = data[name] as JsonObject ?? throw new ServiceError(400, "ErrorInvalidRequest", $"The event needs '{name}'.");
            var zone = value["timeZone"]?.GetValue<string>();
            if (zone is null || !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
                throw new ServiceError(400, "TimeZoneNotSupportedException", $"A valid TimeZone value must be specified. The following TimeZone value is not supported: '{zone}'.");
            if (!DateTime.TryParse(value["dateTime"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                throw new ServiceError(400, "ErrorInvalidRequest", $"'{name}' has no valid dateTime.");
        }

        if (Instant(data["end"]!) < Instant(data["start"]!))
            throw new ServiceError(400, "ErrorPropertyValidationFailure", "The end of the event is before its start.");
    }

    /// <summary>The event as Graph answers it: $select'ed fields (all when none; id always), times in the Prefer: outlook.timezone zone or UTC, no extended properties.</summary>
    private static JsonObject ShapeEvent(StoredEvent e, HttpRequest request, string? select)
    {
        var fields = string.IsNullOrWhiteSpace(select) ? null : select.Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var result = new JsonObject { ["@odata.etag"] = $"W/\"{e.Version}\"", ["id"] = e.Id };
        var zoneName = PreferredZone().Match(request.Headers["Prefer"].ToString()) is { Success: true } m ? m.Groups[1].Value : "UTC";
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(zoneName, out var z) ? z : TimeZoneInfo.Utc;
        foreach (var (name, value) in e.Data)
        {
            if (name is "singleValueExtendedProperties" or "id") continue;
            if (fields is not null && !fields.Contains(name)) continue;
            result[name] = name is "start" or "end" && value is not null
                ? new JsonObject
                {
                    ["dateTime"] = TimeZoneInfo.ConvertTime(Instant(value), zone).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
                    ["timeZone"] = zoneName,
                }
                : value?.DeepClone();
        }

        return result;
    }

    private static DateTimeOffset Instant(JsonNode dateTimeTimeZone)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(dateTimeTimeZone["timeZone"]!.GetValue<string>());
        var local = DateTime.SpecifyKind(DateTime.Parse(dateTimeTimeZone["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture), DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static Func<StoredEvent, bool> EventFilter(string filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) return _ => true;
        if (PropertyFilter().Match(filter) is { Success: true } p)
        {
            var (id, value) = (p.Groups["id"].Value.Replace("''", "'", StringComparison.Ordinal), p.Groups["value"].Value.Replace("''", "'", StringComparison.Ordinal));
            return e => (e.Data["singleValueExtendedProperties"] as JsonArray ?? []).Any(x =>
                string.Equals(x?["id"]?.GetValue<string>(), id, StringComparison.OrdinalIgnoreCase) && x?["value"]?.GetValue<string>() == value);
        }

        if (TransactionIdFilter().Match(filter) is { Success: true } t)
        {
            var value = t.Groups["value"].Value.Replace("''", "'", StringComparison.Ordinal);
            return e => e.Data["transactionId"]?.GetValue<string>() == value;
        }

        throw new ServiceError(400, "ErrorInvalidUrlQueryFilter", $"The query filter '{filter}' is not supported here.");
    }

    private static StoredEvent FindEvent(MailboxStore box, string id) =>
        box.Events.FirstOrDefault(e => e.Id == id && !e.Cancelled)
        ?? throw new ServiceError(404, "ErrorItemNotFound", "The specified object was not found in the store.");

    private static StoredMeeting Meeting(MailboxStore box, string id) =>
        box.Meetings.FirstOrDefault(m => m.Id == id) ?? throw new ServiceError(404, "NotFound", "The online meeting was not found.");

    [GeneratedRegex(@"^transactionId eq '(?<value>(?:[^']|'')*)'$", RegexOptions.IgnoreCase)]
    private static partial Regex TransactionIdFilter();

    [GeneratedRegex(@"^JoinWebUrl eq '(?<value>(?:[^']|'')*)'$", RegexOptions.IgnoreCase)]
    private static partial Regex JoinUrlFilter();

    [GeneratedRegex(@"outlook\.timezone=""([^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex PreferredZone();

    private sealed class StoredEvent(string id, JsonObject data)
    {
        public string Id { get; } = id;
        public JsonObject Data { get; set; } = data;
        public bool Cancelled { get; set; }
        public string? CancelComment { get; set; }
        public long Version { get; set; }
    }

    private sealed class StoredMeeting(string id, string joinUrl)
    {
        public string Id { get; } = id;
        public string JoinUrl { get; } = joinUrl;
        public string? Subject { get; set; }
        public string? Start { get; set; }
        public string? End { get; set; }
        public List<StoredReport> Reports { get; } = [];
    }

    private sealed record StoredReport(string Id, DateTimeOffset Start, DateTimeOffset End, List<JsonObject> Records);
}
