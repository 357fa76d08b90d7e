using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Outreach.Dataverse.Testing;

/// <summary>A request as the server saw it.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, string? Prefer, int Status);

/// <summary>An injected answer: a status (429, 503, 500…) with an optional Retry-After, or just a delay before the real answer.</summary>
public sealed record Fault(int Status = 0, int? RetryAfterSeconds = null, TimeSpan Delay = default);

/// <summary>
/// The subset of the Dataverse Web API (v9.2) that Outreach uses, on 127.0.0.1 with a random port: bearer-token check,
/// $select, a simple $filter (col eq value), paging with Prefer: odata.maxpagesize and @odata.nextLink, change tracking
/// (Prefer: odata.track-changes, @odata.deltaLink, $deletedEntity rows, expired tokens with 0x80044352), $count, upsert by
/// PATCH (lookups by @odata.bind to rows that must exist), $batch with atomic change sets (stopping at the first failing
/// one unless Prefer: odata.continue-on-error), Dataverse error bodies, and injected 429/5xx/slow answers.
/// Requests may use only the names the imported solution exposes (<see cref="Solution"/>, case-sensitive, as in Dataverse):
/// an unknown entity set, column or navigation property is refused with Dataverse's error.
/// </summary>
public sealed class LocalDataverseServer : IAsyncDisposable
{
    public const string ApiPath = "/api/data/v9.2/";
    private static readonly Dictionary<string, string> Keys = new(StringComparer.Ordinal)
    {
        ["accounts"] = "accountid",
        ["contacts"] = "contactid",
        ["tasks"] = "activityid",
        ["otr_stagechanges"] = "otr_stagechangeid",
        ["otr_networkevents"] = "otr_networkeventid",
        ["otr_invitations"] = "otr_invitationid",
        ["systemusers"] = "systemuserid",
        ["phonecalls"] = "activityid",
        ["appointments"] = "activityid",
        ["annotations"] = "annotationid",
    };

    /// <summary>Activity tables: a completed (closed) row takes no change but of its state, as in Dataverse.</summary>
    private static readonly HashSet<string> ActivityTables = new(StringComparer.Ordinal) { "phonecalls", "appointments" };

    /// <summary>
    /// Tables stamped with createdon/modifiedon here (from <see cref="Clock"/>), for reads that filter and order on them.
    /// Annotations are served without change tracking: Outreach reads them by a modifiedon watermark.
    /// </summary>
    private static readonly HashSet<string> Stamped = new(StringComparer.Ordinal) { "phonecalls", "appointments", "annotations" };

    private static readonly HashSet<string> NotChangeTracked = new(StringComparer.Ordinal) { "annotations" };

    private readonly WebApplication app;
    private readonly object gate = new();
    private readonly Dictionary<string, Table> tables = new(StringComparer.Ordinal);
    private readonly Queue<Fault> faults = new();
    private readonly List<RecordedRequest> requests = [];
    private long version = 1000;
    private long expiredBefore;

    private LocalDataverseServer(WebApplication app, string token)
    {
        this.app = app;
        Token = token;
        foreach (var set in Keys.Keys) tables[set] = new Table(Keys[set]);
        foreach (var table in SolutionModel.Outreach.Tables.Values) tables.TryAdd(table.EntitySet, new Table(table.PrimaryKey));
    }

    /// <summary>The names requests may use; null serves any column and navigation property name (seeding never checks).</summary>
    public SolutionModel? Solution { get; set; } = SolutionModel.Outreach;

    public string Token { get; }

    /// <summary>
    /// The systemuser the bearer token stands for (Outreach's application user): a row created through the API gets it as
    /// _createdby_value, and every row written through the API as _modifiedby_value, as in Dataverse. A test seeding a row
    /// "made by a Dynamics user" sets _createdby_value itself.
    /// </summary>
    public Guid CallerId { get; set; } = new("00000000-0000-0000-0000-00000000a991");
    public Uri Url { get; private set; } = null!;

    /// <summary>
    /// The server's clock for createdon/modifiedon: by default a fixed instant plus one second per change (never the
    /// system clock), so every change is later than the one before.
    /// </summary>
    public Func<DateTimeOffset>? Clock { get; set; }

    /// <summary>Called for every authorised request with its 1-based number; a fault it returns is answered instead.</summary>
    public Func<int, RecordedRequest, Fault?>? FaultRule { get; set; }

    public static async Task<LocalDataverseServer> StartAsync(string token = "local-test-token")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LocalDataverseServer(app, token);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return server;
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (gate) return [.. requests]; }
    }

    public void ClearRequests()
    {
        lock (gate) requests.Clear();
    }

    /// <summary>Answers the next <paramref name="count"/> requests with the fault instead.</summary>
    public void Inject(Fault fault, int count = 1)
    {
        lock (gate) for (var i = 0; i < count; i++) faults.Enqueue(fault);
    }

    /// <summary>Every delta token handed out so far stops working (as after ExpireChangeTrackingInDays).</summary>
    public void ExpireDeltaTokens()
    {
        lock (gate) expiredBefore = ++version;
    }

    /// <summary>Creates or updates a row (a change for change tracking).</summary>
    public void Upsert(string entitySet, Guid id, JsonObject fields)
    {
        lock (gate) UpsertLocked(tables[entitySet], id, fields, entitySet);
    }

    /// <summary>Adds many rows at once (fast path for seeding large tables).</summary>
    public void Seed(string entitySet, IEnumerable<(Guid Id, JsonObject Fields)> rows)
    {
        lock (gate)
        {
            var table = tables[entitySet];
            foreach (var (id, fields) in rows) UpsertLocked(table, id, fields, entitySet);
        }
    }

    public bool Delete(string entitySet, Guid id)
    {
        lock (gate)
        {
            var table = tables[entitySet];
            if (!table.Rows.Remove(id)) return false;
            table.Order.Remove(id);
            table.Deletions.Add((id, ++version));
            return true;
        }
    }

    public IReadOnlyDictionary<Guid, JsonObject> Rows(string entitySet)
    {
        lock (gate) return tables[entitySet].Rows.ToDictionary(r => r.Key, r => (JsonObject)r.Value.Data.DeepClone());
    }

    private void UpsertLocked(Table table, Guid id, JsonObject fields, string? entitySet)
    {
        var created = false;
        if (!table.Rows.TryGetValue(id, out var row))
        {
            row = new Row(new JsonObject());
            table.Rows[id] = row;
            table.Order.Add(id);
            created = true;
        }

        if (entitySet is not null && Stamped.Contains(entitySet))
        {
            var now = (Clock?.Invoke() ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(version)).UtcDateTime
                .ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            // A seeded row may bring its own (a note "written last week").
            if (created && !fields.ContainsKey("createdon")) row.Data["createdon"] = now;
            if (!fields.ContainsKey("modifiedon")) row.Data["modifiedon"] = now;
        }

        foreach (var (name, value) in fields)
        {
            if (name == table.Key) continue;
            row.Data[name] = value?.DeepClone();
        }

        row.Data[table.Key] = id.ToString("D");
        row.Version = ++version;
    }

    /// <summary>The most requests that were being answered at the same moment.</summary>
    public int MaxInFlight => maxInFlight;
    private int inFlight;
    private int maxInFlight;

    private async Task HandleAsync(HttpContext context)
    {
        var now = Interlocked.Increment(ref inFlight);
        int seen;
        while ((seen = maxInFlight) < now && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen) { }
        try
        {
            await HandleCoreAsync(context);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }

    private async Task HandleCoreAsync(HttpContext context)
    {
        var request = context.Request;
        var pathAndQuery = request.Path + request.QueryString.Value;
        if (request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            Record(request.Method, pathAndQuery, request, 401);
            await ErrorAsync(context, 401, "0x80072560", "The user is not a member of the organization (no or wrong bearer token).");
            return;
        }

        Fault? fault;
        int number;
        lock (gate)
        {
            number = requests.Count + 1;
            fault = faults.Count > 0 ? faults.Dequeue() : null;
        }

        fault ??= FaultRule?.Invoke(number, new RecordedRequest(request.Method, pathAndQuery, request.Headers["Prefer"], 0));
        if (fault is not null)
        {
            if (fault.Delay > TimeSpan.Zero) await Task.Delay(fault.Delay, context.RequestAborted);
            if (fault.Status != 0)
            {
                Record(request.Method, pathAndQuery, request, fault.Status);
                if (fault.RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ErrorAsync(context, fault.Status, fault.Status == 429 ? "0x80072322" : "0x80040216",
                    fault.Status == 429 ? "Number of requests exceeded the limit of 6000 over time window of 300 seconds." : "An unexpected error occurred.");
                return;
            }
        }

        if (!request.Path.StartsWithSegments(ApiPath.TrimEnd('/'), out var rest))
        {
            Record(request.Method, pathAndQuery, request, 404);
            await ErrorAsync(context, 404, "0x80060888", "Resource not found for the segment.");
            return;
        }

        var resource = rest.Value!.TrimStart('/');
        try
        {
            var status = (request.Method, resource) switch
            {
                ("POST", "$batch") => await BatchAsync(context),
                ("GET", "WhoAmI") => await WhoAmIAsync(context),
                ("GET", _) when resource.EndsWith("/$count", StringComparison.Ordinal) => await CountAsync(context, resource[..^"/$count".Length]),
                ("GET", _) => await QueryAsync(context, resource),
                ("PATCH", _) => await PatchAsync(context, resource),
                _ => await ErrorAsync(context, 405, "0x80060888", $"{request.Method} is not supported here."),
            };
            Record(request.Method, pathAndQuery, request, status);
        }
        catch (ServiceError error)
        {
            Record(request.Method, pathAndQuery, request, error.Status);
            await ErrorAsync(context, error.Status, error.Code, error.Message);
        }
    }

    private void Record(string method, string pathAndQuery, HttpRequest request, int status)
    {
        lock (gate) requests.Add(new RecordedRequest(method, Uri.UnescapeDataString(pathAndQuery), request.Headers["Prefer"], status));
    }

    private sealed class ServiceError(int status, string code, string message) : Exception(message)
    {
        public int Status { get; } = status;
        public string Code { get; } = code;
    }

    private static async Task<int> ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; odata.metadata=minimal";
        await context.Response.WriteAsync(new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }.ToJsonString());
        return status;
    }

    private Table TableOf(string entitySet) =>
        tables.TryGetValue(entitySet, out var table) ? table
        : throw new ServiceError(404, "0x80060888", $"Resource not found for the segment '{entitySet}'.");

    /// <summary>The WhoAmI function: the caller's systemuser (<see cref="CallerId"/>).</summary>
    private async Task<int> WhoAmIAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json; odata.metadata=minimal";
        await context.Response.WriteAsync(new JsonObject
        {
            ["@odata.context"] = $"{Url.AbsoluteUri.TrimEnd('/')}{ApiPath}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
            ["BusinessUnitId"] = "00000000-0000-0000-0000-0000000b0001",
            ["UserId"] = CallerId.ToString("D"),
            ["OrganizationId"] = "00000000-0000-0000-0000-0000000c0001",
        }.ToJsonString());
        return 200;
    }

    private Task<int> CountAsync(HttpContext context, string entitySet)
    {
        long count;
        lock (gate) count = TableOf(entitySet).Rows.Count;
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(count.ToString(CultureInfo.InvariantCulture)).ContinueWith(_ => 200, TaskScheduler.Default);
    }

    private async Task<int> QueryAsync(HttpContext context, string entitySet)
    {
        var request = context.Request;
        var prefer = request.Headers["Prefer"].ToString();
        var pageSize = 5000;
        foreach (var part in prefer.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("odata.maxpagesize=", StringComparison.Ordinal))
                pageSize = Math.Min(5000, int.Parse(part["odata.maxpagesize=".Length..], CultureInfo.InvariantCulture));
        }

        var trackChanges = prefer.Contains("odata.track-changes", StringComparison.Ordinal);
        var query = request.Query;
        var select = query.TryGetValue("$select", out var s) ? s.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;
        var deltaToken = query.TryGetValue("$deltatoken", out var d) ? d.ToString() : null;
        var skipToken = query.TryGetValue("$skiptoken", out var k) ? k.ToString() : null;
        var filter = query.TryGetValue("$filter", out var f) ? f.ToString() : null;
        if ((trackChanges || deltaToken is not null) && filter is not null)
            throw new ServiceError(400, "0x80060888", "The \"$filter\" query parameter isn't supported when Change Tracking is enabled");
        foreach (var unsupported in new[] { "$skip", "$orderby", "$expand", "$top" })
        {
            if (query.ContainsKey(unsupported) && (trackChanges || deltaToken is not null))
                throw new ServiceError(400, "0x80060888", $"The \"{unsupported}\" query parameter isn't supported when Change Tracking is enabled");
        }

        if ((trackChanges || deltaToken is not null) && NotChangeTracked.Contains(entitySet))
            throw new ServiceError(400, "0x80060888", $"Entity: {entitySet.TrimEnd('s')} isn't enabled for change tracking.");
        var orderBy = query.TryGetValue("$orderby", out var o) ? o.ToString() : null;
        if (orderBy is not null && orderBy != "modifiedon asc")
            throw new ServiceError(400, "0x80060888", $"This server supports only '$orderby=modifiedon asc', not '{orderBy}'.");
        CheckQueryNames(entitySet, select, filter);
        var baseUrl = $"{Url.AbsoluteUri.TrimEnd('/')}{ApiPath}";
        var selectPart = select is null ? "" : $"$select={string.Join(',', select)}&";
        var items = new List<JsonObject>();
        string? nextLink = null;
        string? deltaLink = null;
        lock (gate)
        {
            var table = TableOf(entitySet);
            if (deltaToken is not null)
            {
                var since = long.Parse(deltaToken, CultureInfo.InvariantCulture);
                if (since < expiredBefore)
                    throw new ServiceError(400, "0x80044352", "Version stamp associated with the client has expired. Please perform a full sync.");
                // Skip token on a delta page: "upTo:offset".
                long upTo = version;
                var offset = 0;
                if (skipToken is not null)
                {
                    var parts = skipToken.Split(':');
                    upTo = long.Parse(parts[0], CultureInfo.InvariantCulture);
                    offset = int.Parse(parts[1], CultureInfo.InvariantCulture);
                }

                // New and updated rows first (by version), then deletions; a row deleted and re-created shows as a change.
                var changes = table.Rows.Where(r => r.Value.Version > since && r.Value.Version <= upTo).OrderBy(r => r.Value.Version)
                    .Select(r => (Id: r.Key, Row: (Row?)r.Value))
                    .Concat(table.Deletions.Where(x => x.Version > since && x.Version <= upTo && !table.Rows.ContainsKey(x.Id))
                        .DistinctBy(x => x.Id).Select(x => (x.Id, Row: (Row?)null)))
                    .Skip(offset).Take(pageSize + 1).ToList();
                foreach (var (id, row) in changes.Take(pageSize))
                {
                    items.Add(row is null
                        ? new JsonObject { ["@odata.context"] = $"{baseUrl}$metadata#{entitySet}/$deletedEntity", ["id"] = id.ToString("D"), ["reason"] = "deleted" }
                        : Project(row, select));
                }

                if (changes.Count > pageSize) nextLink = $"{baseUrl}{entitySet}?{selectPart}$deltatoken={since}&$skiptoken={upTo}:{offset + pageSize}";
                else deltaLink = $"{baseUrl}{entitySet}?{selectPart}$deltatoken={upTo}";
            }
            else if (orderBy is not null)
            {
                // Ordered by modifiedon (then id); skip token "o<offset>".
                var offset = skipToken is not null && skipToken.StartsWith('o') ? int.Parse(skipToken[1..], CultureInfo.InvariantCulture) : 0;
                var (column, op, value) = ParseCondition(filter);
                var ordered = table.Rows
                    .Where(r => column is null || Matches(r.Value.Data[column]?.ToString(), op!, value!))
                    .OrderBy(r => r.Value.Data["modifiedon"]?.ToString(), StringComparer.Ordinal).ThenBy(r => r.Key)
                    .Skip(offset).Take(pageSize + 1).ToList();
                foreach (var (_, row) in ordered.Take(pageSize)) items.Add(Project(row, select));
                if (ordered.Count > pageSize)
                    nextLink = $"{baseUrl}{entitySet}?{selectPart}{(filter is null ? "" : $"$filter={Uri.EscapeDataString(filter)}&")}$orderby={Uri.EscapeDataString(orderBy)}&$skiptoken=o{offset + pageSize}";
            }
            else
            {
                // Skip token on a full read: "snapshotVersion:lastId" (Dataverse's is a paging cookie; it too carries the last key).
                var snapshot = version;
                Guid? after = null;
                if (skipToken is not null)
                {
                    var parts = skipToken.Split(':');
                    snapshot = long.Parse(parts[0], CultureInfo.InvariantCulture);
                    after = Guid.Parse(parts[1]);
                }

                IEnumerable<Guid> ids = after is { } last
                    ? (last == table.Order.Max ? [] : table.Order.GetViewBetween(last, table.Order.Max).Where(id => id != last))
                    : table.Order;
                var (column, value) = ParseFilter(filter);
                var page = new List<Guid>(pageSize + 1);
                foreach (var id in ids)
                {
                    var row = table.Rows[id];
                    if (column is not null && row.Data[column]?.ToString() != value) continue;
                    page.Add(id);
                    if (page.Count > pageSize) break;
                }

                foreach (var id in page.Take(pageSize)) items.Add(Project(table.Rows[id], select));
                if (page.Count > pageSize)
                    nextLink = $"{baseUrl}{entitySet}?{selectPart}{(filter is null ? "" : $"$filter={Uri.EscapeDataString(filter)}&")}$skiptoken={snapshot}:{page[pageSize - 1]:D}";
                else if (trackChanges)
                    deltaLink = $"{baseUrl}{entitySet}?{selectPart}$deltatoken={snapshot}";
            }
        }

        if (trackChanges) context.Response.Headers["Preference-Applied"] = "odata.track-changes";
        context.Response.ContentType = "application/json; odata.metadata=minimal";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter.AsStream());
        writer.WriteStartObject();
        writer.WriteString("@odata.context", $"{baseUrl}$metadata#{entitySet}{(deltaToken is null ? "" : "/$delta")}");
        writer.WriteStartArray("value");
        foreach (var item in items) item.WriteTo(writer);
        writer.WriteEndArray();
        if (nextLink is not null) writer.WriteString("@odata.nextLink", nextLink);
        if (deltaLink is not null) writer.WriteString("@odata.deltaLink", deltaLink);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
        return 200;
    }

    /// <summary>$select and $filter may name only the table's columns and lookup values (Dataverse: 400, 0x80060888).</summary>
    private void CheckQueryNames(string entitySet, string[]? select, string? filter)
    {
        if (Solution?.ByEntitySet(entitySet) is not { } model) return;
        var names = (select ?? []).Concat(filter is null ? [] : [ParseFilter(filter).Column!]);
        foreach (var name in names)
        {
            if (!model.CanSelect(name))
                throw new ServiceError(400, "0x80060888", $"Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{model.LogicalName}'.");
        }
    }

    /// <summary>"col eq value" or "col ge value" (instants in ISO form compare as text).</summary>
    private static (string? Column, string? Op, string? Value) ParseCondition(string? filter)
    {
        if (filter is null) return (null, null, null);
        foreach (var op in new[] { " eq ", " ge ", " gt " })
        {
            var parts = filter.Split(op, 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2) return (parts[0], op.Trim(), parts[1].Trim('\''));
        }

        throw new ServiceError(400, "0x80060888", $"This server supports only 'column eq|ge|gt value' filters, not '{filter}'.");
    }

    private static bool Matches(string? actual, string op, string value) => op switch
    {
        "eq" => actual == value,
        "ge" => actual is not null && string.CompareOrdinal(actual, value) >= 0,
        _ => actual is not null && string.CompareOrdinal(actual, value) > 0,
    };

    private static (string? Column, string? Value) ParseFilter(string? filter)
    {
        if (filter is not null && !filter.Contains(" eq ", StringComparison.Ordinal)) return (ParseCondition(filter).Column, null);
        if (filter is null) return (null, null);
        var parts = filter.Split(" eq ", 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2) throw new ServiceError(400, "0x80060888", $"This server supports only 'column eq value' filters, not '{filter}'.");
        return (parts[0], parts[1].Trim('\''));
    }

    private static JsonObject Project(Row row, string[]? select)
    {
        var result = new JsonObject { ["@odata.etag"] = $"W/\"{row.Version.ToString(CultureInfo.InvariantCulture)}\"" };
        if (select is null)
        {
            foreach (var (name, value) in row.Data) result[name] = value?.DeepClone();
        }
        else
        {
            foreach (var name in select) result[name] = row.Data.TryGetPropertyValue(name, out var value) ? value?.DeepClone() : null;
        }

        return result;
    }

    private async Task<int> PatchAsync(HttpContext context, string resource)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject
            ?? throw new ServiceError(400, "0x80048d19", "The request body is not a JSON object.");
        lock (gate) ApplyPatchLocked(resource, body, context.Request.Headers.IfMatch.ToString(), context.Request.Headers.IfNoneMatch.ToString());
        context.Response.StatusCode = 204;
        return 204;
    }

    private void ApplyPatchLocked(string resource, JsonObject body, string? ifMatch, string? ifNoneMatch)
    {
        var open = resource.IndexOf('(', StringComparison.Ordinal);
        if (open < 0 || !resource.EndsWith(')') || !Guid.TryParse(resource[(open + 1)..^1], out var id))
            throw new ServiceError(400, "0x80060888", $"Bad key segment '{resource}'.");
        var table = TableOf(resource[..open]);
        var exists = table.Rows.ContainsKey(id);
        if (ifMatch == "*" && !exists) throw new ServiceError(404, "", "Entity with the key does not exist.");
        if (ifNoneMatch == "*" && exists) throw new ServiceError(412, "", "A record with matching key values already exists.");
        CheckPropertyNames(resource[..open], body);
        CheckBindsLocked(body);
        // A completed or canceled activity is read-only but for its state: reopen it first (statecode 0), as in Dataverse.
        // (The error code here is this server's; the rule is the documented behaviour of closed activities.)
        if (exists && ActivityTables.Contains(resource[..open]) && table.Rows[id].Data["statecode"]?.GetValue<int>() is { } state && state != 0
            && body.Any(p => p.Key is not ("statecode" or "statuscode")))
            throw new ServiceError(400, "0x80040203", "The activity is closed (completed or canceled) and cannot be changed. Set its state to open first.");
        // As Dataverse: a bind sets the lookup column (read back as _column_value); the caller is recorded as creator and modifier.
        var stored = (JsonObject)body.DeepClone();
        if (Solution?.ByEntitySet(resource[..open]) is { } model)
        {
            foreach (var (name, value) in body)
            {
                if (name.EndsWith("@odata.bind", StringComparison.Ordinal) && model.NavigationColumns.TryGetValue(name[..^"@odata.bind".Length], out var column))
                {
                    var reference = value?.GetValue<string>();
                    stored[$"_{column}_value"] = reference is null ? null : reference[(reference.IndexOf('(', StringComparison.Ordinal) + 1)..^1];
                }
            }
        }

        if (!exists) stored["_createdby_value"] = CallerId.ToString("D");
        stored["_modifiedby_value"] = CallerId.ToString("D");
        UpsertLocked(table, id, stored, resource[..open]);
    }

    /// <summary>
    /// A body may hold only the table's columns and "nav@odata.bind" for its single-valued navigation properties, named
    /// exactly (OData is case-sensitive); Dataverse refuses anything else with 400 and these messages.
    /// </summary>
    private void CheckPropertyNames(string entitySet, JsonObject body)
    {
        if (Solution?.ByEntitySet(entitySet) is not { } model) return;
        foreach (var (name, value) in body)
        {
            if (name.EndsWith("@odata.bind", StringComparison.Ordinal))
            {
                var navigation = name[..^"@odata.bind".Length];
                if (!model.Navigation.TryGetValue(navigation, out var target))
                {
                    throw new ServiceError(400, "0x80060888",
                        $"An undeclared property '{navigation}' which only has property annotations in the payload but no property value was found in the payload. " +
                        "In OData, only declared navigation properties and declared named streams can be represented as properties without values.");
                }

                var reference = value?.GetValue<string>().TrimStart('/');
                var set = reference?[..Math.Max(0, reference.IndexOf('(', StringComparison.Ordinal))];
                if (set is not null && Solution.ByLogicalName(target) is { } referenced && referenced.EntitySet != set)
                    throw new ServiceError(400, "0x80060888", $"The navigation property '{navigation}' refers to '{referenced.EntitySet}', not to '{set}'.");
                continue;
            }

            if (name.StartsWith('@') || name.Contains("@odata.", StringComparison.Ordinal)) continue;
            if (!model.Columns.Contains(name))
            {
                throw new ServiceError(400, "0x80060888",
                    $"The property '{name}' does not exist on type 'Microsoft.Dynamics.CRM.{model.LogicalName}'. Make sure to only use property names that are defined by the type.");
            }
        }
    }

    /// <summary>
    /// A lookup set by "nav@odata.bind": "/entityset(id)" must point at a row that exists (as in Dataverse, where the
    /// operation fails with 0x80040217); null clears the lookup. The value is stored under the bind name as sent.
    /// </summary>
    private void CheckBindsLocked(JsonObject body)
    {
        foreach (var (name, value) in body)
        {
            if (!name.EndsWith("@odata.bind", StringComparison.Ordinal) || value is null) continue;
            var reference = value.GetValue<string>().TrimStart('/');
            var open = reference.IndexOf('(', StringComparison.Ordinal);
            if (open < 0 || !reference.EndsWith(')') || !Guid.TryParse(reference[(open + 1)..^1], out var target))
                throw new ServiceError(400, "0x80060888", $"The value of '{name}' is not a reference to a row: '{reference}'.");
            var set = reference[..open];
            if (tables.TryGetValue(set, out var referenced) && !referenced.Rows.ContainsKey(target))
                throw new ServiceError(404, "0x80040217", $"{set} With Id = {target:D} Does Not Exist");
        }
    }

    /// <summary>
    /// $batch with change sets: each change set is applied whole or not at all. As in Dataverse, the first failing change
    /// set ends the batch (later ones are not attempted, and the batch answers 400) unless the request prefers
    /// odata.continue-on-error, which attempts every change set and answers 200.
    /// </summary>
    private async Task<int> BatchAsync(HttpContext context)
    {
        var continueOnError = context.Request.Headers["Prefer"].ToString().Contains("odata.continue-on-error", StringComparison.Ordinal);
        var stopped = false;
        var contentType = context.Request.ContentType ?? "";
        var boundary = Boundary(contentType) ?? throw new ServiceError(400, "0x80060888", "multipart/mixed with a boundary expected.");
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        var responseBoundary = $"batchresponse_{Guid.NewGuid():N}";
        var output = new StringBuilder();
        foreach (var part in Parts(text, boundary))
        {
            var (headers, content) = SplitHeaders(part);
            var inner = Boundary(headers) ?? throw new ServiceError(400, "0x80060888", "Only change sets are supported in this local $batch.");
            var changesetBoundary = $"changesetresponse_{Guid.NewGuid():N}";
            output.Append("--").Append(responseBoundary).Append("\r\nContent-Type: multipart/mixed; boundary=").Append(changesetBoundary).Append("\r\n\r\n");
            lock (gate)
            {
                // Atomic: work on copies, swap in only when every operation succeeded.
                var saved = tables.ToDictionary(t => t.Key, t => t.Value.Copy());
                var savedVersion = version;
                string? failure = null;
                var contentIds = new List<string>();
                foreach (var operation in Parts(content, inner))
                {
                    var (partHeaders, http) = SplitHeaders(operation);
                    contentIds.Add(HeaderValue(partHeaders, "Content-ID") ?? "");
                    var (requestHead, body) = SplitHeaders(http);
                    var requestLine = requestHead.Split("\r\n")[0].Split(' ');
                    var url = new Uri(requestLine[1], UriKind.RelativeOrAbsolute);
                    var resource = (url.IsAbsoluteUri ? url.AbsolutePath : url.OriginalString);
                    resource = resource.StartsWith(ApiPath, StringComparison.Ordinal) ? resource[ApiPath.Length..] : resource.TrimStart('/');
                    try
                    {
                        if (requestLine[0] != "PATCH") throw new ServiceError(400, "0x80060888", $"{requestLine[0]} is not supported in this local change set.");
                        var json = JsonNode.Parse(body.Trim()) as JsonObject ?? throw new ServiceError(400, "0x80048d19", "JSON object expected.");
                        ApplyPatchLocked(resource, json, HeaderValue(requestHead, "If-Match"), HeaderValue(requestHead, "If-None-Match"));
                    }
                    catch (ServiceError error)
                    {
                        failure = $"--{changesetBoundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: {contentIds[^1]}\r\n\r\n" +
                            $"HTTP/1.1 {error.Status} Error\r\nContent-Type: application/json; odata.metadata=minimal\r\n\r\n" +
                            new JsonObject { ["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Message } }.ToJsonString() + "\r\n";
                        break;
                    }
                }

                if (failure is not null)
                {
                    foreach (var (name, table) in saved) tables[name] = table;
                    version = savedVersion;
                    output.Append(failure);
                    stopped = !continueOnError;
                }
                else
                {
                    foreach (var id in contentIds)
                    {
                        output.Append("--").Append(changesetBoundary).Append("\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: ")
                            .Append(id).Append("\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n");
                    }
                }
            }

            output.Append("--").Append(changesetBoundary).Append("--\r\n");
            if (stopped) break;
        }

        output.Append("--").Append(responseBoundary).Append("--\r\n");
        if (continueOnError) context.Response.Headers["Preference-Applied"] = "odata.continue-on-error";
        context.Response.StatusCode = stopped ? 400 : 200;
        context.Response.ContentType = $"multipart/mixed; boundary={responseBoundary}";
        await context.Response.WriteAsync(output.ToString());
        return context.Response.StatusCode;
    }

    private static string? Boundary(string headers)
    {
        var at = headers.IndexOf("boundary=", StringComparison.OrdinalIgnoreCase);
        if (at < 0) return null;
        var value = headers[(at + "boundary=".Length)..];
        var end = value.IndexOfAny(['\r', '\n', ';']);
        return (end < 0 ? value : value[..end]).Trim().Trim('"');
    }

    private static IEnumerable<string> Parts(string body, string boundary)
    {
        var marker = "--" + boundary;
        foreach (var chunk in body.Split(marker).Skip(1))
        {
            if (chunk.StartsWith("--", StringComparison.Ordinal)) yield break;
            yield return chunk.TrimStart('\r', '\n');
        }
    }

    private static (string Headers, string Body) SplitHeaders(string part)
    {
        var at = part.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return at < 0 ? (part, "") : (part[..at], part[(at + 4)..]);
    }

    private static string? HeaderValue(string headers, string name)
    {
        foreach (var line in headers.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private sealed class Row(JsonObject data)
    {
        public JsonObject Data { get; set; } = data;
        public long Version { get; set; }
    }

    private sealed class Table(string key)
    {
        public string Key { get; } = key;
        public Dictionary<Guid, Row> Rows { get; private init; } = [];
        public SortedSet<Guid> Order { get; private init; } = [];
        public List<(Guid Id, long Version)> Deletions { get; private init; } = [];

        public Table Copy() => new(Key)
        {
            Rows = Rows.ToDictionary(r => r.Key, r => new Row((JsonObject)r.Value.Data.DeepClone()) { Version = r.Value.Version }),
            Order = [.. Order],
            Deletions = [.. Deletions],
        };
    }
}
