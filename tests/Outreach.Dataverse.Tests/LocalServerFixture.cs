using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Dataverse.Http;
using Outreach.Dataverse.Testing;

namespace Outreach.Dataverse.Tests;

/// <summary>A fresh local Dataverse server per test and clients pointed at it.</summary>
public sealed class LocalDataverse : IAsyncDisposable
{
    private readonly List<DataverseClient> clients = [];

    private LocalDataverse(LocalDataverseServer server) => Server = server;

    public LocalDataverseServer Server { get; }

    public static async Task<LocalDataverse> StartAsync() => new(await LocalDataverseServer.StartAsync());

    public DataverseOptions Options(Action<DataverseOptions>? configure = null)
    {
        var options = new DataverseOptions { Url = Server.Url.AbsoluteUri, AccessToken = Server.Token, PageSize = 5000, MaxRetries = 8 };
        configure?.Invoke(options);
        return options;
    }

    public DataverseClient Client(Action<DataverseOptions>? configure = null, string? token = null, Core.Common.OutreachMetrics? metrics = null)
    {
        var options = Options(configure);
        // Real time: the client sleeps out the local server's real Retry-After waits; it holds no store.
        var client = DataverseClient.Create(options, new StaticTokenCredential(token ?? Server.Token, TimeProvider.System), TimeProvider.System, NullLogger.Instance, metrics: metrics);
        clients.Add(client);
        return client;
    }

    public static JsonObject Account(int i) => new()
    {
        ["name"] = $"Account {i} B.V.",
        ["websiteurl"] = $"https://account{i}.example",
        ["address1_line1"] = $"Straat {i}",
        ["address1_postalcode"] = "1234 AB",
        ["address1_city"] = "Utrecht",
        ["address1_country"] = "NL",
        ["otr_kvknumber"] = (10_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["otr_outreachowner"] = "Anne de Vries",
        ["telephone1"] = "not selected",
    };

    /// <summary>Deterministic ids, so tests can name a row.</summary>
    public static Guid Id(int table, int i) => new($"{table:D8}-0000-0000-0000-{i:D12}");

    public void SeedAccounts(int count) =>
        Server.Seed("accounts", Enumerable.Range(0, count).Select(i => (Id(1, i), Account(i))));

    public async ValueTask DisposeAsync()
    {
        foreach (var client in clients) client.Dispose();
        await Server.DisposeAsync();
    }
}
