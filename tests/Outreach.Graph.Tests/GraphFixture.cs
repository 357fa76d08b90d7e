using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Graph;
using Outreach.Core.Mail;
using Outreach.Graph.Testing;
using Outreach.Mail;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Graph.Tests;

/// <summary>One local Graph server, the adapter pointed at it with a static token, and a fresh SQLite outbox and mailbox throttle per test.</summary>
public sealed class GraphFixture : IAsyncDisposable
{
    public const string Mailbox = "secretariaat@convenant.example";

    private GraphFixture(LocalGraphServer server, Database db, FakeTimeProvider clock, GraphOptions options)
    {
        Server = server;
        Db = db;
        Clock = clock;
        Options = options;
        // As in the product: pauses and the minute's budget in the database, every request through the throttle handler.
        Throttle = new SqlMailboxThrottle(db);
        Client = GraphConnection.Create(options, new FixedTokenCredential(server.Token, clock), clock, throttle: Throttle);
        Limiter = new SendRateLimiter(Throttle, options.MaxPerMinute, options.MaxConcurrent, clock);
        Delivery = new GraphMailDelivery(Client, options, Limiter, clock, NullLogger<GraphMailDelivery>.Instance);
        Outbox = new SqlMailOutbox(db);
    }

    public LocalGraphServer Server { get; }
    public Database Db { get; }
    public FakeTimeProvider Clock { get; }
    public GraphOptions Options { get; }
    public SqlMailboxThrottle Throttle { get; }
    public GraphServiceClient Client { get; }
    public SendRateLimiter Limiter { get; }
    public GraphMailDelivery Delivery { get; }
    public SqlMailOutbox Outbox { get; }

    public static async Task<GraphFixture> StartAsync(Action<GraphOptions>? configure = null)
    {
        var server = await LocalGraphServer.StartAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 18, 9, 0, 0, TimeSpan.Zero));
        var options = new GraphOptions { Mailbox = Mailbox, BaseUrl = server.BaseUrl, AccessToken = server.Token, PageSize = 10 };
        configure?.Invoke(options);
        var db = await TestDatabases.MigratedAsync(StorageEngine.Sqlite, clock);
        return new GraphFixture(server, db, clock, options);
    }

    public OutboxDispatcher Dispatcher(IMailOutbox? outbox = null) => new(outbox ?? Outbox, Delivery, Clock, new DispatchPolicy(), Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance);

    public static MailDraft Mail(string key, DateTimeOffset due, string to = "eva@jansen-metaal.example") => new()
    {
        IdempotencyKey = key, Purpose = "follow-up", ToAddress = to, ToName = "Eva Jansen", Subject = "Uw vragen over het convenant",
        HtmlBody = "<p>Beste Eva,</p><p><a href=\"https://outreach.example/u/abc\">Afmelden</a></p>", TextBody = "Beste Eva,",
        UnsubscribeUrl = "https://outreach.example/u/abc", DueAt = due,
    };

    public int Posts(string suffix) => Server.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith(suffix, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        Limiter.Dispose();
        await Server.DisposeAsync();
    }
}
