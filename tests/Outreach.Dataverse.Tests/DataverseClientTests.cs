using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Outreach.Dataverse.Testing;

namespace Outreach.Dataverse.Tests;

/// <summary>The Web API client against the local server speaking the wire protocol.</summary>
public sealed class DataverseClientTests
{
    private static readonly string[] Columns = ["accountid", "name", "otr_kvknumber"];

    [Fact]
    public async Task WrongToken_FailsWithTheRequestAndTheServiceReason()
    {
        await using var local = await LocalDataverse.StartAsync();
        var client = local.Client(token: "not-the-token");
        var error = await Assert.ThrowsAsync<DataverseException>(() => client.CountAsync("accounts", default));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("GET /api/data/v9.2/accounts/$count", error.Message, StringComparison.Ordinal);
        Assert.Contains("0x80072560", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FullRead_SelectsOnlyTheNamedColumns_AndFollowsNextLinksToADeltaLink()
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(12);
        var client = local.Client(o => o.PageSize = 5);
        var link = client.ChangesQuery("accounts", Columns).AbsoluteUri;
        var rows = new List<JsonObject>();
        DataversePage page;
        do
        {
            page = await client.GetPageAsync(link, trackChanges: true, default);
            rows.AddRange(page.Rows.Select(r => JsonNode.Parse(r.GetRawText())!.AsObject()));
            link = page.NextLink ?? "";
        }
        while (page.NextLink is not null);

        Assert.Equal(12, rows.Count);
        Assert.Equal(12, rows.Select(r => (string)r["accountid"]!).Distinct().Count());
        Assert.NotNull(page.DeltaLink);
        Assert.All(rows, r => Assert.Equal(["@odata.etag", "accountid", "name", "otr_kvknumber"], r.Select(p => p.Key).Order(StringComparer.Ordinal)));
        var requests = local.Server.Requests;
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal("odata.maxpagesize=5,odata.track-changes", r.Prefer));
        Assert.All(requests, r => Assert.Contains("$select=accountid,name,otr_kvknumber", r.PathAndQuery, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeltaLink_ReturnsOnlyChangesThenDeletions()
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(10);
        var client = local.Client();
        var first = await client.GetPageAsync(client.ChangesQuery("accounts", Columns).AbsoluteUri, true, default);
        Assert.Equal(10, first.Rows.Count);

        local.Server.Upsert("accounts", LocalDataverse.Id(1, 3), new JsonObject { ["name"] = "Renamed" });
        local.Server.Delete("accounts", LocalDataverse.Id(1, 7));
        var delta = await client.GetPageAsync(first.DeltaLink!, true, default);

        Assert.Equal("Renamed", Assert.Single(delta.Rows).GetProperty("name").GetString());
        Assert.Equal(LocalDataverse.Id(1, 7), Assert.Single(delta.Deleted));
        Assert.NotNull(delta.DeltaLink);
        var quiet = await client.GetPageAsync(delta.DeltaLink!, true, default);
        Assert.Empty(quiet.Rows);
        Assert.Empty(quiet.Deleted);
    }

    [Fact]
    public async Task ExpiredDeltaToken_RaisesTheFullSyncException()
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(2);
        var client = local.Client();
        var first = await client.GetPageAsync(client.ChangesQuery("accounts", Columns).AbsoluteUri, true, default);
        local.Server.ExpireDeltaTokens();
        var error = await Assert.ThrowsAsync<DataverseDeltaExpiredException>(() => client.GetPageAsync(first.DeltaLink!, true, default));
        Assert.Equal("0x80044352", error.Code);
        Assert.Contains("full sync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooManyRequests_WaitsTheRetryAfter_ThenSucceeds()
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(3);
        local.Server.Inject(new Fault(429, RetryAfterSeconds: 1), count: 2);
        var client = local.Client();
        var watch = Stopwatch.StartNew();
        Assert.Equal(3, await client.CountAsync("accounts", default));
        watch.Stop();
        // Two Retry-Afters of one second each were honoured (a lower bound, not a performance assertion).
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.9), $"waited {watch.Elapsed}");
        Assert.Equal([429, 429, 200], local.Server.Requests.Select(r => r.Status));
        Assert.Equal(2, client.Retries);
    }

    [Fact]
    public async Task TooManyRequests_AreCounted_AsThrottledAnswersFromDataverse()
    {
        await using var local = await LocalDataverse.StartAsync();
        local.Server.Inject(new Fault(429, RetryAfterSeconds: 0), count: 2);
        local.Server.Inject(new Fault(503, RetryAfterSeconds: 0), count: 1);
        using var meter = new System.Diagnostics.Metrics.Meter(Core.Common.OutreachMetrics.MeterName);
        var counted = new System.Collections.Concurrent.ConcurrentBag<(long Value, string Service, int Status)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "outreach.throttled") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var all = tags.ToArray();
            counted.Add((value, (string)all.Single(t => t.Key == "service").Value!, (int)all.Single(t => t.Key == "status").Value!));
        });
        listener.Start();
        var client = local.Client(metrics: new Core.Common.OutreachMetrics(meter));
        Assert.Equal(0, await client.CountAsync("accounts", default));
        Assert.Equal([(1L, "dataverse", 429), (1L, "dataverse", 429), (1L, "dataverse", 503)], counted.OrderBy(c => c.Status));
    }

    [Fact]
    public async Task Retries_AreBounded_AndTheLastAnswerIsReported()
    {
        await using var local = await LocalDataverse.StartAsync();
        local.Server.Inject(new Fault(429, RetryAfterSeconds: 0), count: 10);
        var client = local.Client(o => o.MaxRetries = 2);
        var error = await Assert.ThrowsAsync<DataverseException>(() => client.CountAsync("accounts", default));
        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Equal("0x80072322", error.Code);
        Assert.Equal(3, local.Server.Requests.Count);
    }

    [Fact]
    public async Task ServiceUnavailable_IsRetried_ButAServerErrorIsNot()
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(1);
        var client = local.Client();
        local.Server.Inject(new Fault(503, RetryAfterSeconds: 0));
        Assert.Equal(1, await client.CountAsync("accounts", default));

        local.Server.Inject(new Fault(500));
        var error = await Assert.ThrowsAsync<DataverseException>(() => client.CountAsync("accounts", default));
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal([503, 200, 500], local.Server.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task ConcurrentRequests_AreCappedAtTheConfiguredLimit()
    {
        await using var local = await LocalDataverse.StartAsync();
        local.Server.FaultRule = (_, _) => new Fault(Delay: TimeSpan.FromMilliseconds(150));
        var client = local.Client(o => o.MaxConcurrentRequests = 2);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.CountAsync("accounts", default)));
        Assert.Equal(8, local.Server.Requests.Count);
        Assert.Equal(2, local.Server.MaxInFlight);
    }

    [Fact]
    public async Task ServiceErrorBody_BecomesAnExceptionNamingTheRequest()
    {
        await using var local = await LocalDataverse.StartAsync();
        var client = local.Client();
        var error = await Assert.ThrowsAsync<DataverseException>(() =>
            client.GetPageAsync(client.ChangesQuery("accounts", Columns).AbsoluteUri + "&$filter=name eq 'x'", true, default));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("$filter", error.ServiceMessage, StringComparison.Ordinal);
        Assert.Contains("GET /api/data/v9.2/accounts?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_ChangeSetLandsWhole_OrNotAtAll()
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(1);
        var client = local.Client();
        var account = LocalDataverse.Id(1, 0);
        var task = Guid.NewGuid();
        await client.BatchAsync(
        [
            new BatchOperation(HttpMethod.Patch, $"accounts({account})", new JsonObject { ["otr_pipelinestage"] = 100000001 }),
            new BatchOperation(HttpMethod.Patch, $"tasks({task})", new JsonObject { ["subject"] = "Stage: contacted", ["regardingobjectid_account_task@odata.bind"] = $"/accounts({account})" }),
        ], default);
        Assert.Equal(100000001, (int)local.Server.Rows("accounts")[account]["otr_pipelinestage"]!);
        Assert.Equal("Stage: contacted", (string)local.Server.Rows("tasks")[task]["subject"]!);

        var error = await Assert.ThrowsAsync<DataverseException>(() => client.BatchAsync(
        [
            new BatchOperation(HttpMethod.Patch, $"accounts({account})", new JsonObject { ["otr_pipelinestage"] = 100000002 }),
            new BatchOperation(HttpMethod.Patch, $"accounts({Guid.NewGuid()})", new JsonObject { ["name"] = "x" }, IfMatch: "*"),
        ], default));
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal(100000001, (int)local.Server.Rows("accounts")[account]["otr_pipelinestage"]!);
    }
}
