using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Outreach.Graph.Testing;

/// <summary>A request as the server saw it (path decoded, without /v1.0), with its body for POSTs.</summary>
public sealed record GraphRequest(string Method, string Path, string Query, string? Prefer, string? Body, int Status);

/// <summary>
/// An injected answer: a status (429, 503, 400…) with an optional Retry-After and Graph error code, a cut connection
/// (<see cref="Abort"/>), or a delay. With <see cref="AfterApply"/> the request is carried out first (the draft is made,
/// the message is sent) and only the answer fails, as when a connection drops after the service acted.
/// </summary>
public sealed record GraphFault(int Status = 0, int? RetryAfterSeconds = null, string? Code = null, string? Message = null, bool AfterApply = false, bool Abort = false, TimeSpan Delay = default);

/// <summary>A message that left a mailbox (was sent), as the recipients would get it.</summary>
public sealed record DeliveredMessage(string Mailbox, string ImmutableId, string InternetMessageId, string ConversationId, JsonObject Message)
{
    public string? Subject => Message["subject"]?.GetValue<string>();
    public string? To => Message["toRecipients"]?[0]?["emailAddress"]?["address"]?.GetValue<string>();
    public string? ExtendedProperty(string id) =>
        (Message["singleValueExtendedProperties"] as JsonArray)?.FirstOrDefault(p => string.Equals(p?["id"]?.GetValue<string>(), id, StringComparison.OrdinalIgnoreCase))?["value"]?.GetValue<string>();
    public string? Header(string name) =>
        (Message["internetMessageHeaders"] as JsonArray)?.FirstOrDefault(p => string.Equals(p?["name"]?.GetValue<string>(), name, StringComparison.OrdinalIgnoreCase))?["value"]?.GetValue<string>();
}

/// <summary>A message arriving in a mailbox's inbox (a reply, an out-of-office answer, a non-delivery report).</summary>
public sealed record IncomingMail(string FromAddress, string FromName, string Subject, string TextBody)
{
    public string? MessageClass { get; init; } = "IPM.Note";
    public string? InReplyTo { get; init; }
    public string? References { get; init; }
    /// <summary>Transport headers as one block ("Name: value" lines).</summary>
    public string? TransportHeaders { get; init; }
    public DateTimeOffset? ReceivedAt { get; init; }
    /// <summary>The message as MIME (GET …/messages/{id}/$value), such as a calendar program's answer with its text/calendar part; else one is made from the text.</summary>
    public string? Mime { get; init; }
}

/// <summary>
/// The subset of Microsoft Graph v1.0 that Outreach uses, on 127.0.0.1 with a random port, kept per mailbox (folders now,
/// room for calendars later): bearer-token check; POST /users/{id}/messages (a draft, with id, internetMessageId and
/// conversationId; only x- internet headers, as Graph); POST …/messages/{id}/send (202, the message moves to Sent Items and
/// is recorded as delivered; a bad recipient is refused with ErrorInvalidRecipients); GET …/mailFolders/{folder}/messages with
/// $filter on a single-value extended property or internetMessageId, $select, $top and $expand=singleValueExtendedProperties;
/// GET …/mailFolders/inbox/messages/delta with Prefer: odata.maxpagesize, @odata.nextLink / @odata.deltaLink, @removed
/// entries and 410 syncStateNotFound for an expired token; ids that change on a move unless Prefer: IdType="ImmutableId";
/// Graph error bodies; injected faults. The calendar (LocalGraphServer.Calendar.cs): events with transactionId dedupe, Teams
/// meetings, answers, cancellation, and online meetings' attendance reports.
/// </summary>
public sealed partial class LocalGraphServer : IAsyncDisposable
{
    public const string ApiVersion = "v1.0";
    private readonly WebApplication app;
    private readonly object gate = new();
    private readonly Dictionary<string, MailboxStore> mailboxes = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(GraphFault Fault, Func<GraphRequest, bool>? When)> faults = [];
    private readonly List<GraphRequest> requests = [];
    private readonly List<DeliveredMessage> delivered = [];
    private readonly Dictionary<string, DeltaState> deltaTokens = new(StringComparer.Ordinal);
    private long version;

    private LocalGraphServer(WebApplication app, string token)
    {
        this.app = app;
        Token = token;
    }

    public string Token { get; }

    /// <summary>The server's root, e.g. http://127.0.0.1:5123/.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>What Graph:BaseUrl should be: the root plus /v1.0.</summary>
    public string BaseUrl => Url.AbsoluteUri + ApiVersion;

    public static async Task<LocalGraphServer> StartAsync(string token = "local-graph-token", params string[] mailboxes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LocalGraphServer(app, token);
        foreach (var mailbox in mailboxes.Length == 0 ? ["secretariaat@convenant.example"] : mailboxes) server.AddMailbox(mailbox);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return server;
    }

    public void AddMailbox(string address)
    {
        lock (gate) mailboxes.TryAdd(address, new MailboxStore(address));
    }

    public IReadOnlyList<GraphRequest> Requests
    {
        get { lock (gate) return [.. requests]; }
    }

    public IReadOnlyList<DeliveredMessage> Delivered
    {
        get { lock (gate) return [.. delivered]; }
    }

    public void ClearRequests()
    {
        lock (gate) requests.Clear();
    }

    /// <summary>Answers the next <paramref name="count"/> requests that match <paramref name="when"/> (any request when null) with the fault.</summary>
    public void Inject(GraphFault fault, int count = 1, Func<GraphRequest, bool>? when = null)
    {
        lock (gate) for (var i = 0; i < count; i++) faults.Add((fault, when));
    }

    /// <summary>The messages in a folder (drafts, sentitems, inbox), as stored.</summary>
    public IReadOnlyList<JsonObject> Folder(string mailbox, string folder)
    {
        lock (gate) return Box(mailbox).Messages.Where(m => m.Folder == Normalise(folder)).Select(m => (JsonObject)m.Data.DeepClone()).ToList();
    }

    /// <summary>A message arrives in the inbox (a change for message delta). A reply to one of the mailbox's messages joins its conversation.</summary>
    public string Receive(string mailbox, IncomingMail mail)
    {
        ArgumentNullException.ThrowIfNull(mail);
        lock (gate)
        {
            var box = Box(mailbox);
            var conversation = mail.InReplyTo is { } inReplyTo
                ? box.Messages.FirstOrDefault(m => m.Data["internetMessageId"]?.GetValue<string>() == inReplyTo)?.Data["conversationId"]?.GetValue<string>()
                : null;
            var properties = new JsonArray();
            void Property(string id, string? value)
            {
                if (value is not null) properties.Add(new JsonObject { ["id"] = id, ["value"] = value });
            }

            Property("String 0x001A", mail.MessageClass);
            Property("String 0x1042", mail.InReplyTo);
            Property("String 0x1039", mail.References);
            Property("String 0x007D", mail.TransportHeaders);
            var stored = new StoredMessage("inbox", new JsonObject
            {
                ["subject"] = mail.Subject,
                ["body"] = new JsonObject { ["contentType"] = "html", ["content"] = "<html><body><p>" + WebUtility.HtmlEncode(mail.TextBody).Replace("\n", "<br>", StringComparison.Ordinal) + "</p></body></html>" },
                ["bodyPreview"] = mail.TextBody.Length > 255 ? mail.TextBody[..255] : mail.TextBody,
                ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["address"] = mail.FromAddress, ["name"] = mail.FromName } },
                ["receivedDateTime"] = (mail.ReceivedAt ?? new DateTimeOffset(2026, 11, 18, 9, 0, 0, TimeSpan.Zero)).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["internetMessageId"] = $"<{Guid.NewGuid():N}@{mail.FromAddress.Split('@').Last()}>",
                ["conversationId"] = conversation ?? NewId("AAQk"),
                ["isDraft"] = false,
                ["singleValueExtendedProperties"] = properties,
            }, mail.TextBody) { Mime = mail.Mime };
            box.Add(stored, ++version);
            return stored.ImmutableId;
        }
    }

    /// <summary>Removes a message from the inbox (delta reports it as @removed).</summary>
    public void Delete(string mailbox, string immutableId)
    {
        lock (gate)
        {
            var box = Box(mailbox);
            var message = box.Messages.Single(m => m.ImmutableId == immutableId);
            box.Messages.Remove(message);
            if (message.Folder == "inbox") box.InboxRemovals.Add((message, ++version));
        }
    }

    /// <summary>Every delta and skip token handed out so far stops working (as when Outlook drops its sync state).</summary>
    public void ExpireDeltaTokens()
    {
        lock (gate) deltaTokens.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string? body = null;
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            body = await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted);
        var path = request.Path.Value ?? "";
        var prefix = "/" + ApiVersion + "/";
        var seen = new GraphRequest(request.Method, path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : path,
            request.QueryString.Value ?? "", request.Headers["Prefer"].ToString(), body, 0);
        if (request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            Record(seen, 401);
            await ErrorAsync(context, 401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
            return;
        }

        GraphFault? fault = null;
        lock (gate)
        {
            var i = faults.FindIndex(f => f.When is null || f.When(seen));
            if (i >= 0)
            {
                fault = faults[i].Fault;
                faults.RemoveAt(i);
            }
        }

        if (fault is not null)
        {
            if (fault.Delay > TimeSpan.Zero) await Task.Delay(fault.Delay, context.RequestAborted);
            if (fault.AfterApply)
            {
                // Carry the request out, then lose or replace its answer.
                var scratch = new DefaultHttpContext();
                scratch.Response.Body = Stream.Null;
                scratch.Request.Method = request.Method;
                scratch.Request.Path = request.Path;
                scratch.Request.QueryString = request.QueryString;
                scratch.Request.Headers["Prefer"] = request.Headers["Prefer"];
                await RouteAsync(scratch, seen, body);
            }

            if (fault.Abort)
            {
                Record(seen, 0);
                context.Abort();
                return;
            }

            if (fault.Status != 0)
            {
                Record(seen, fault.Status);
                if (fault.RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ErrorAsync(context, fault.Status, fault.Code ?? DefaultCode(fault.Status), fault.Message ?? DefaultMessage(fault.Status));
                return;
            }
        }

        Record(seen, await RouteAsync(context, seen, body));
    }

    private async Task<int> RouteAsync(HttpContext context, GraphRequest seen, string? body)
    {
        try
        {
            var segments = seen.Path.Trim('/').Split('/');
            if (segments.Length < 3 || !segments[0].Equals("users", StringComparison.OrdinalIgnoreCase))
                throw new ServiceError(400, "BadRequest", $"Resource not found for the segment '{segments[0]}'.");
            MailboxStore box;
            lock (gate)
                box = mailboxes.TryGetValue(segments[1], out var found) ? found
                    : throw new ServiceError(404, "ErrorInvalidUser", $"The requested user '{segments[1]}' is invalid.");
            var rest = segments[2..];
            var method = context.Request.Method;
            return (method, rest) switch
            {
                ("POST", ["messages"]) => await CreateDraftAsync(context, box, body),
                ("POST", ["messages", var id, "send"]) => Send(context, box, id),
                ("GET", ["messages"]) => await ListAsync(context, box, null),
                ("GET", ["messages", var id]) => await GetMessageAsync(context, box, id),
                ("GET", ["messages", var id, "$value"]) => await GetMimeAsync(context, box, id),
                ("DELETE", ["messages", var id]) => Delete(context, box, id),
                ("GET", ["mailFolders", var folder, "messages"]) => await ListAsync(context, box, folder),
                ("GET", ["mailFolders", var folder, "messages", "delta" or "delta()"]) => await DeltaAsync(context, box, folder),
                ("POST", ["events"]) => await CreateEventAsync(context, box, body),
                ("GET", ["events"]) => await ListEventsAsync(context, box),
                ("GET", ["events", var id]) => await GetEventAsync(context, box, id),
                ("PATCH", ["events", var id]) => await PatchEventAsync(context, box, id, body),
                ("POST", ["events", var id, "cancel"]) => CancelEvent(context, box, id, body),
                ("GET", ["onlineMeetings"]) => await ListMeetingsAsync(context, box),
                ("GET", ["onlineMeetings", var id, "attendanceReports"]) => await ListReportsAsync(context, box, id),
                ("GET", ["onlineMeetings", var id, "attendanceReports", var report, "attendanceRecords"]) => await ListRecordsAsync(context, box, id, report),
                _ => throw new ServiceError(400, "BadRequest", $"Unsupported request: {method} /{seen.Path}."),
            };
        }
        catch (ServiceError error)
        {
            return await ErrorAsync(context, error.Status, error.Code, error.Message);
        }
    }

    /// <summary>A message's MIME content: the stored one, else a plain text message made from it.</summary>
    private async Task<int> GetMimeAsync(HttpContext context, MailboxStore box, string id)
    {
        string mime;
        lock (gate)
        {
            var message = box.Find(id);
            mime = message.Mime ?? "From: " + (message.Data["from"]?["emailAddress"]?["address"]?.GetValue<string>() ?? "") + "\r\nSubject: "
                + (message.Data["subject"]?.GetValue<string>() ?? "") + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + (message.Text ?? "") + "\r\n";
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(mime, context.RequestAborted);
        return 200;
    }

    private async Task<int> CreateDraftAsync(HttpContext context, MailboxStore box, string? body)
    {
        var message = (body is null ? null : JsonNode.Parse(body) as JsonObject) ?? throw new ServiceError(400, "ErrorInvalidRequest", "The request body is empty.");
        foreach (var header in (message["internetMessageHeaders"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = header["name"]?.GetValue<string>() ?? "";
            if (!name.StartsWith("x-", StringComparison.OrdinalIgnoreCase))
                throw new ServiceError(400, "InvalidInternetMessageHeader", $"The internet message header name '{name}' should start with 'x-' or 'X-'.");
        }

        StoredMessage stored;
        lock (gate)
        {
            message.Remove("@odata.type");
            message["internetMessageId"] = $"<{Guid.NewGuid():N}@{box.Address.Split('@').Last()}>";
            message["conversationId"] = NewId("AAQk");
            message["isDraft"] = true;
            message["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["address"] = box.Address } };
            stored = new StoredMessage("drafts", message, null);
            box.Add(stored, ++version);
        }

        return await WriteAsync(context, 201, Shape(stored, context.Request, select: null, expand: null));
    }

    private int Send(HttpContext context, MailboxStore box, string id)
    {
        lock (gate)
        {
            var message = box.Find(id);
            if (message.Folder != "drafts")
                throw new ServiceError(400, "ErrorInvalidOperation", "Only a draft can be sent; this item was sent already.");
            var to = (message.Data["toRecipients"] as JsonArray ?? []).Select(r => r?["emailAddress"]?["address"]?.GetValue<string>() ?? "").ToList();
            if (to.Count == 0 || to.Any(a => !EmailShape().IsMatch(a)))
                throw new ServiceError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid., Recipient '" + string.Join(";", to) + "' isn't resolved. All recipients must be resolved before a message can be submitted.");
            MailboxStore.Move(message, "sentitems", ++version);
            message.Data["isDraft"] = false;
            delivered.Add(new DeliveredMessage(box.Address, message.ImmutableId, message.Data["internetMessageId"]!.GetValue<string>(),
                message.Data["conversationId"]!.GetValue<string>(), (JsonObject)message.Data.DeepClone()));
        }

        context.Response.StatusCode = 202;
        return 202;
    }

    private async Task<int> GetMessageAsync(HttpContext context, MailboxStore box, string id)
    {
        JsonObject shaped;
        lock (gate) shaped = Shape(box.Find(id), context.Request, context.Request.Query["$select"], context.Request.Query["$expand"]);
        return await WriteAsync(context, 200, shaped);
    }

    /// <summary>Deleting a message (Graph moves it to Deleted Items; here it is gone, which is the same for Outreach).</summary>
    private int Delete(HttpContext context, MailboxStore box, string id)
    {
        lock (gate)
        {
            var message = box.Find(id);
            box.Messages.Remove(message);
            if (message.Folder == "inbox") box.InboxRemovals.Add((message, ++version));
        }

        context.Response.StatusCode = 204;
        return 204;
    }

    /// <summary>The messages of a folder, or of the whole mailbox (GET /users/{id}/messages) when <paramref name="folder"/> is null.</summary>
    private async Task<int> ListAsync(HttpContext context, MailboxStore box, string? folder)
    {
        var query = context.Request.Query;
        var filter = Filter(query["$filter"].ToString());
        var top = int.TryParse(query["$top"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? Math.Clamp(t, 1, 1000) : 10;
        JsonArray value;
        lock (gate)
            value = [.. box.Messages.Where(m => (folder is null || m.Folder == Normalise(folder)) && filter(m)).OrderByDescending(m => m.Version).Take(top)
                .Select(m => Shape(m, context.Request, query["$select"], query["$expand"]))];
        return await WriteAsync(context, 200, new JsonObject { ["@odata.context"] = folder is null ? $"{Url}{ApiVersion}/$metadata#users('{box.Address}')/messages" : $"{Url}{ApiVersion}/$metadata#users('{box.Address}')/mailFolders('{folder}')/messages", ["value"] = value });
    }

    private async Task<int> DeltaAsync(HttpContext context, MailboxStore box, string folder)
    {
        if (Normalise(folder) != "inbox") throw new ServiceError(400, "BadRequest", "This server keeps delta state for the inbox only.");
        var query = context.Request.Query;
        var pageSize = MaxPageSize(context.Request.Headers["Prefer"].ToString()) ?? 10;
        JsonObject answer;
        lock (gate)
        {
            DeltaState state;
            var token = query["$skiptoken"].FirstOrDefault() ?? query["$deltatoken"].FirstOrDefault();
            if (token is null)
                state = new DeltaState(box.Address, 0, 0, version, query["$select"].ToString(), query["$expand"].ToString());
            else if (!deltaTokens.TryGetValue(token, out var known) || !string.Equals(known.Mailbox, box.Address, StringComparison.OrdinalIgnoreCase))
                throw new ServiceError(410, "syncStateNotFound", "The sync state generation is not found. Please restart the sync.");
            else
                state = query["$deltatoken"].Count > 0 ? known with { Since = known.Snapshot, After = known.Snapshot, Snapshot = version } : known;

            // Changes in (Since, Snapshot], in version order, after the last one already handed out.
            var changes = box.Messages.Where(m => m.Folder == "inbox").Select(m => (m.Version, Message: m, Removed: false))
                .Concat(box.InboxRemovals.Select(r => (r.Version, r.Message, Removed: true)))
                .Where(c => c.Version > state.Since && c.Version > state.After && c.Version <= state.Snapshot && !(c.Removed && c.Message.AddedVersion > state.Since))
                .OrderBy(c => c.Version).ToList();
            var page = changes.Take(pageSize).ToList();
            var value = new JsonArray();
            foreach (var change in page)
                value.Add(change.Removed
                    ? new JsonObject { ["@odata.type"] = "#microsoft.graph.message", ["id"] = change.Message.IdFor(context.Request), ["@removed"] = new JsonObject { ["reason"] = "deleted" } }
                    : Shape(change.Message, context.Request, state.Select, state.Expand));
            var link = $"{Url}{ApiVersion}/users/{Uri.EscapeDataString(box.Address)}/mailFolders/{folder}/messages/delta?";
            answer = new JsonObject { ["@odata.context"] = $"{Url}{ApiVersion}/$metadata#Collection(message)", ["value"] = value };
            var next = NewId("tok");
            if (changes.Count > page.Count)
            {
                deltaTokens[next] = state with { After = page[^1].Version };
                answer["@odata.nextLink"] = link + "$skiptoken=" + next;
            }
            else
            {
                deltaTokens[next] = state;
                answer["@odata.deltaLink"] = link + "$deltatoken=" + next;
            }
        }

        context.Response.Headers["Preference-Applied"] = $"odata.maxpagesize={pageSize}";
        return await WriteAsync(context, 200, answer);
    }

    /// <summary>The message as Graph returns it: only $select'ed fields (all when none), extended properties only when expanded, the body as text when asked.</summary>
    private static JsonObject Shape(StoredMessage message, HttpRequest request, string? select, string? expand)
    {
        var fields = string.IsNullOrWhiteSpace(select) ? null : select.Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var result = new JsonObject { ["@odata.etag"] = $"W/\"{message.Version}\"", ["id"] = message.IdFor(request) };
        foreach (var (name, value) in message.Data)
        {
            if (name is "singleValueExtendedProperties" or "id") continue;
            if (fields is not null && !fields.Contains(name)) continue;
            result[name] = value?.DeepClone();
        }

        if ((fields is null || fields.Contains("body")) && message.Text is { } text && request.Headers["Prefer"].ToString().Contains("outlook.body-content-type=\"text\"", StringComparison.OrdinalIgnoreCase))
            result["body"] = new JsonObject { ["contentType"] = "text", ["content"] = text };
        if (expand is not null && expand.StartsWith("singleValueExtendedProperties", StringComparison.OrdinalIgnoreCase))
        {
            var wanted = ExpandIds().Matches(expand).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
            result["singleValueExtendedProperties"] = new JsonArray([.. (message.Data["singleValueExtendedProperties"] as JsonArray ?? [])
                .Where(p => wanted.Count == 0 || wanted.Contains(p?["id"]?.GetValue<string>() ?? "")).Select(p => p!.DeepClone())]);
        }

        return result;
    }

    /// <summary>The $filter forms Outreach uses: an extended property's value, or internetMessageId.</summary>
    private static Func<StoredMessage, bool> Filter(string filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) return _ => true;
        if (PropertyFilter().Match(filter) is { Success: true } p)
        {
            var (id, value) = (p.Groups["id"].Value.Replace("''", "'", StringComparison.Ordinal), p.Groups["value"].Value.Replace("''", "'", StringComparison.Ordinal));
            return m => (m.Data["singleValueExtendedProperties"] as JsonArray ?? []).Any(e =>
                string.Equals(e?["id"]?.GetValue<string>(), id, StringComparison.OrdinalIgnoreCase) && e?["value"]?.GetValue<string>() == value);
        }

        if (MessageIdFilter().Match(filter) is { Success: true } mid)
        {
            var value = mid.Groups["value"].Value.Replace("''", "'", StringComparison.Ordinal);
            return m => m.Data["internetMessageId"]?.GetValue<string>() == value;
        }

        throw new ServiceError(400, "ErrorInvalidUrlQueryFilter", $"The query filter '{filter}' is not supported here.");
    }

    private static int? MaxPageSize(string prefer) =>
        MaxPageSizePattern().Match(prefer) is { Success: true } m ? Math.Clamp(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), 1, 1000) : null;

    private static string Normalise(string folder) => folder.Trim('\'', '(', ')').ToLowerInvariant() switch
    {
        "sentitems" or "sent items" => "sentitems",
        var other => other,
    };

    private MailboxStore Box(string mailbox) => mailboxes.TryGetValue(mailbox, out var box) ? box : throw new ArgumentException($"No mailbox {mailbox} on this server.", nameof(mailbox));

    private void Record(GraphRequest request, int status)
    {
        lock (gate) requests.Add(request with { Status = status });
    }

    private static string NewId(string prefix) => prefix + Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('/', '_').Replace('+', '-');

    private static string DefaultCode(int status) => status switch
    {
        429 => "TooManyRequests",
        503 => "ServiceUnavailable",
        400 => "ErrorInvalidRequest",
        404 => "ErrorItemNotFound",
        _ => "InternalServerError",
    };

    private static string DefaultMessage(int status) => status switch
    {
        429 => "Application is over its MailboxConcurrency limit.",
        503 => "The service is temporarily unavailable.",
        _ => "An internal server error occurred. The operation failed.",
    };

    private static async Task<int> WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; odata.metadata=minimal; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(Json));
        return status;
    }

    private static async Task<int> ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["innerError"] = new JsonObject { ["request-id"] = Guid.NewGuid().ToString() } },
        }.ToJsonString());
        return status;
    }

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [GeneratedRegex(@"^singleValueExtendedProperties/any\(\s*(?<v>\w+)\s*:\s*\k<v>/id eq '(?<id>(?:[^']|'')*)' and \k<v>/value eq '(?<value>(?:[^']|'')*)'\s*\)$", RegexOptions.IgnoreCase)]
    private static partial Regex PropertyFilter();

    [GeneratedRegex(@"^internetMessageId eq '(?<value>(?:[^']|'')*)'$", RegexOptions.IgnoreCase)]
    private static partial Regex MessageIdFilter();

    [GeneratedRegex(@"id eq '([^']*)'", RegexOptions.IgnoreCase)]
    private static partial Regex ExpandIds();

    [GeneratedRegex(@"odata\.maxpagesize=(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex MaxPageSizePattern();

    [GeneratedRegex(@"^[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}$", RegexOptions.IgnoreCase)]
    private static partial Regex EmailShape();

    private sealed class ServiceError(int status, string code, string message) : Exception(message)
    {
        public int Status { get; } = status;
        public string Code { get; } = code;
    }

    /// <summary>One mailbox: its messages by folder (drafts, sentitems, inbox), what left the inbox (for delta), its calendar and its Teams meetings.</summary>
    private sealed class MailboxStore(string address)
    {
        public string Address { get; } = address;
        public List<StoredMessage> Messages { get; } = [];
        public List<(StoredMessage Message, long Version)> InboxRemovals { get; } = [];
        public List<StoredEvent> Events { get; } = [];
        public List<StoredMeeting> Meetings { get; } = [];

        public void Add(StoredMessage message, long version)
        {
            message.Version = version;
            message.AddedVersion = version;
            Messages.Add(message);
        }

        public static void Move(StoredMessage message, string folder, long version)
        {
            message.Folder = folder;
            message.Version = version;
            // Outlook's default ids change when an item moves; immutable ids do not.
            message.RestId = NewId("AAMk");
        }

        public StoredMessage Find(string id) =>
            Messages.FirstOrDefault(m => m.ImmutableId == id || m.RestId == id)
            ?? throw new ServiceError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
    }

    private sealed class StoredMessage(string folder, JsonObject data, string? text)
    {
        public string ImmutableId { get; } = NewId("AAkAL");
        public string RestId { get; set; } = NewId("AAMk");
        public string Folder { get; set; } = folder;
        public JsonObject Data { get; } = data;
        public string? Text { get; } = text;
        public string? Mime { get; init; }
        public long Version { get; set; }
        public long AddedVersion { get; set; }

        public string IdFor(HttpRequest request) =>
            request.Headers["Prefer"].ToString().Contains("IdType=\"ImmutableId\"", StringComparison.OrdinalIgnoreCase) ? ImmutableId : RestId;
    }

    private sealed record DeltaState(string Mailbox, long Since, long After, long Snapshot, string Select, string Expand);
}
