using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Outreach.Dataverse.Http;

namespace Outreach.Dataverse;

/// <summary>One page of a (change-tracked) query: changed or new rows, ids of deleted rows, and where to go next.</summary>
/// <param name="Rows">Rows as the service sent them (only the selected columns, plus @odata.etag).</param>
/// <param name="Deleted">Ids of rows deleted since the delta token (change tracking only).</param>
/// <param name="NextLink">The next page, to follow unmodified; null on the last page.</param>
/// <param name="DeltaLink">On the last page of a change-tracked query: the link that returns the changes after this one.</param>
public sealed record DataversePage(IReadOnlyList<JsonElement> Rows, IReadOnlyList<Guid> Deleted, string? NextLink, string? DeltaLink);

/// <summary>The answer to one change set of a $batch: applied, failed (with the service's error), or not attempted (both false/null).</summary>
public sealed record ChangeSetResult(bool Succeeded, DataverseException? Error);

/// <summary>One request inside a $batch change set.</summary>
public sealed record BatchOperation(HttpMethod Method, string RelativeUrl, JsonObject? Body, string? IfMatch = null);

/// <summary>
/// The Dataverse Web API (OData v4) over HttpClient: change-tracked, paged reads with $select; $count; upserts; $batch.
/// Tokens, concurrency and 429/503 handling live in the message handlers (<see cref="Create"/>), so every call gets them.
/// </summary>
public sealed class DataverseClient : IDisposable
{
    public const string ApiPath = "api/data/v9.2/";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient http;
    private readonly int pageSize;
    private long requests;

    public DataverseClient(HttpClient http, DataverseOptions options)
    {
        this.http = http;
        pageSize = options.PageSize;
    }

    /// <summary>Builds the handler chain: concurrency cap and retries outside, the bearer token inside (fresh on every attempt).</summary>
    public static DataverseClient Create(DataverseOptions options, TokenCredential credential, TimeProvider clock, ILogger logger, HttpMessageHandler? transport = null, Core.Common.OutreachMetrics? metrics = null)
    {
        var scope = new Uri(options.BaseUri().GetLeftPart(UriPartial.Authority)) + ".default";
        var throttling = new ThrottlingHandler(options, clock, logger, metrics)
        {
            InnerHandler = new BearerTokenHandler(credential, scope, clock)
            {
                InnerHandler = transport ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.All },
            },
        };
        var http = new HttpClient(throttling)
        {
            BaseAddress = new Uri(options.BaseUri(), ApiPath),
            // Each attempt has its own timeout (ThrottlingHandler); the whole call may wait out several Retry-Afters.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        http.DefaultRequestHeaders.Add("OData-MaxVersion", "4.0");
        http.DefaultRequestHeaders.Add("OData-Version", "4.0");
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return new DataverseClient(http, options) { Throttling = throttling };
    }

    internal ThrottlingHandler? Throttling { get; private init; }

    /// <summary>Requests sent by this client (a retried request counts once).</summary>
    public long Requests => Interlocked.Read(ref requests);

    /// <summary>Requests sent again after a 429 or 503.</summary>
    public int Retries => Throttling?.Retries ?? 0;

    /// <summary>The first request of a full, change-tracked read of a table: only the named columns.</summary>
    public Uri ChangesQuery(string entitySet, IEnumerable<string> columns) =>
        new(http.BaseAddress!, $"{entitySet}?$select={string.Join(',', columns)}");

    /// <summary>One Dynamics user by id (a filter on the collection, which answers an empty page rather than 404 for an unknown id).</summary>
    public Uri UserQuery(Guid id) =>
        new(http.BaseAddress!, $"{DataverseSchema.SystemUser.EntitySet}?$select={string.Join(',', DataverseSchema.SystemUser.Columns)}&$filter={DataverseSchema.SystemUser.Id} eq {id:D}");

    /// <summary>
    /// Reads one page: a first query, a nextLink or a deltaLink, followed unmodified. With <paramref name="trackChanges"/>
    /// the service returns a deltaLink on the last page; a delta token it no longer knows raises <see cref="DataverseDeltaExpiredException"/>.
    /// </summary>
    public async Task<DataversePage> GetPageAsync(string link, bool trackChanges, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, link);
        // The same page size on every page (Dataverse requires it), and change tracking on the first request.
        request.Headers.Add("Prefer", trackChanges
            ? $"odata.maxpagesize={pageSize.ToString(CultureInfo.InvariantCulture)},odata.track-changes"
            : $"odata.maxpagesize={pageSize.ToString(CultureInfo.InvariantCulture)}");
        using var response = await SendAsync(request, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
        var root = document.RootElement;
        var rows = new List<JsonElement>();
        var deleted = new List<Guid>();
        if (root.TryGetProperty("value", out var value))
        {
            foreach (var item in value.EnumerateArray())
            {
                if (IsDeleted(item, out var id)) deleted.Add(id);
                else rows.Add(item.Clone());
            }
        }

        return new DataversePage(rows, deleted,
            root.TryGetProperty("@odata.nextLink", out var next) ? next.GetString() : null,
            root.TryGetProperty("@odata.deltaLink", out var delta) ? delta.GetString() : null);
    }

    private static bool IsDeleted(JsonElement item, out Guid id)
    {
        id = default;
        var deleted = (item.TryGetProperty("@odata.context", out var context) && context.GetString()?.EndsWith("$deletedEntity", StringComparison.Ordinal) == true)
            || (item.TryGetProperty("reason", out var reason) && reason.GetString() == "deleted");
        return deleted && item.TryGetProperty("id", out var idValue) && idValue.TryGetGuid(out id);
    }

    /// <summary>Rows in a table (GET entityset/$count). Dataverse caps this count at 5,000, so treat it as "at least".</summary>
    public async Task<long> CountAsync(string entitySet, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{entitySet}/$count");
        using var response = await SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        // The body may start with a byte-order mark.
        return long.Parse(text.Trim().TrimStart('\uFEFF'), CultureInfo.InvariantCulture);
    }

    /// <summary>The systemuser this client acts as (Outreach's application user): the WhoAmI function.</summary>
    public async Task<Guid> WhoAmIAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "WhoAmI");
        using var response = await SendAsync(request, ct);
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        return json.RootElement.TryGetProperty("UserId", out var id) && id.TryGetGuid(out var user)
            ? user
            : throw new DataverseException("WhoAmI answered without a UserId.");
    }

    /// <summary>Upsert by primary key: PATCH without If-Match creates or updates (204 either way), so a retry is harmless.</summary>
    public async Task UpsertAsync(string entitySet, Guid id, JsonObject body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"{entitySet}({id:D})")
        {
            Content = new StringContent(body.ToJsonString(Json), Encoding.UTF8, "application/json"),
        };
        using var response = await SendAsync(request, ct);
    }

    /// <summary>
    /// Sends operations as one $batch change set: all of them land or none (a change set is atomic). At most 1,000 per batch.
    /// </summary>
    public async Task BatchAsync(IReadOnlyList<BatchOperation> operations, CancellationToken ct)
    {
        var result = await BatchAsync([operations], ct);
        if (result[0].Error is { } error) throw error;
        if (!result[0].Succeeded) throw new DataverseException("The $batch answer did not include the change set.");
    }

    /// <summary>
    /// Sends several change sets in one $batch request (one request instead of one per operation). Each change set is
    /// atomic. With Prefer: odata.continue-on-error the service attempts every change set, so one refused change set holds
    /// back no other; a service that stops at the first failing one anyway (answering 400 with the parts so far) leaves
    /// the later ones not attempted.
    /// </summary>
    public async Task<IReadOnlyList<ChangeSetResult>> BatchAsync(IReadOnlyList<IReadOnlyList<BatchOperation>> changeSets, CancellationToken ct)
    {
        if (changeSets.Count == 0) return [];
        if (changeSets.Sum(c => c.Count) > 1000) throw new ArgumentException("A Dataverse $batch holds at most 1,000 requests.", nameof(changeSets));
        var batch = $"batch_{Guid.NewGuid():N}";
        var body = new StringBuilder();
        var contentId = 1;
        foreach (var operations in changeSets)
        {
            var changeset = $"changeset_{Guid.NewGuid():N}";
            body.Append("--").Append(batch).Append("\r\n")
                .Append("Content-Type: multipart/mixed; boundary=").Append(changeset).Append("\r\n\r\n");
            foreach (var op in operations)
            {
                body.Append("--").Append(changeset).Append("\r\n")
                    .Append("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n")
                    .Append("Content-ID: ").Append(contentId++).Append("\r\n\r\n")
                    .Append(op.Method.Method).Append(' ').Append(new Uri(http.BaseAddress!, op.RelativeUrl).AbsoluteUri).Append(" HTTP/1.1\r\n");
                if (op.IfMatch is not null) body.Append("If-Match: ").Append(op.IfMatch).Append("\r\n");
                if (op.Body is not null)
                {
                    body.Append("Content-Type: application/json\r\n\r\n").Append(op.Body.ToJsonString(Json)).Append("\r\n");
                }
                else
                {
                    body.Append("\r\n");
                }
            }

            body.Append("--").Append(changeset).Append("--\r\n");
        }

        body.Append("--").Append(batch).Append("--\r\n");
        using var request = new HttpRequestMessage(HttpMethod.Post, "$batch")
        {
            Content = new StringContent(body.ToString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/mixed; boundary={batch}");
        // Every change set is attempted: one refused (say, an account deleted in Dynamics) holds back none after it.
        request.Headers.Add("Prefer", "odata.continue-on-error");
        using var response = await SendAsync(request, ct, multipartAnswer: true);
        var boundary = response.Content.Headers.ContentType?.Parameters.FirstOrDefault(p => p.Name == "boundary")?.Value?.Trim('"')
            ?? throw new DataverseException("The $batch answer is not multipart.");
        var text = await response.Content.ReadAsStringAsync(ct);
        var parts = text.Split("--" + boundary).Skip(1).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToList();
        var results = new List<ChangeSetResult>(changeSets.Count);
        for (var i = 0; i < changeSets.Count; i++)
        {
            if (i >= parts.Count)
            {
                results.Add(new ChangeSetResult(false, null));
                continue;
            }

            var failure = BatchFailure(parts[i]);
            results.Add(failure is { } f
                ? new ChangeSetResult(false, new DataverseException("POST", "$batch", f.Status, f.Code, f.Message))
                : new ChangeSetResult(true, null));
        }

        return results;
    }

    private static (HttpStatusCode Status, string? Code, string Message)? BatchFailure(string multipart)
    {
        foreach (var line in multipart.Split('\n'))
        {
            var trimmed = line.TrimEnd('\r');
            if (!trimmed.StartsWith("HTTP/1.1 ", StringComparison.Ordinal)) continue;
            var status = int.Parse(trimmed.AsSpan(9, 3), CultureInfo.InvariantCulture);
            if (status < 400) continue;
            var start = multipart.IndexOf("{\"error\"", StringComparison.Ordinal);
            if (start < 0) return ((HttpStatusCode)status, null, "no error body");
            var end = multipart.IndexOf('\n', start);
            var (code, message) = ParseError(end < 0 ? multipart[start..] : multipart[start..end]);
            return ((HttpStatusCode)status, code, message);
        }

        return null;
    }

    // multipartAnswer: a $batch, whose 4xx answer in multipart form carries the change sets' own answers, read by the caller.
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct, bool multipartAnswer = false)
    {
        Interlocked.Increment(ref requests);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        if (response.IsSuccessStatusCode) return response;
        if (multipartAnswer && (int)response.StatusCode is >= 400 and < 500 && response.Content.Headers.ContentType?.MediaType == "multipart/mixed") return response;
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            var (code, message) = ParseError(body);
            var path = request.RequestUri is { IsAbsoluteUri: true } uri ? uri.PathAndQuery : request.RequestUri?.OriginalString ?? "";
            if (string.Equals(code, DataverseDeltaExpiredException.ErrorCode, StringComparison.OrdinalIgnoreCase))
                throw new DataverseDeltaExpiredException(request.Method.Method, path, response.StatusCode, code, message);
            throw new DataverseException(request.Method.Method, path, response.StatusCode, code, message);
        }
    }

    /// <summary>Reads {"error":{"code":"0x…","message":"…"}}; anything else is quoted as it came (shortened).</summary>
    internal static (string? Code, string Message) ParseError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("error", out var error))
            {
                return (error.TryGetProperty("code", out var code) ? code.GetString() : null,
                    error.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "");
            }
        }
        catch (JsonException)
        {
            // Not JSON (a gateway's HTML page): fall through.
        }

        return (null, body.Length > 300 ? body[..300] + "…" : body);
    }

    public void Dispose() => http.Dispose();
}
