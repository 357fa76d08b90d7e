using Dapper;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Mail;
using Outreach.Jobs.Scheduling;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>
/// Issue 13 point 5: a node that crashed left mail claimed under its name (status sending, a long lease). When a node of that
/// name starts again it is not sending them, so they are due again at once, not after the lease; another node's claims stay.
/// </summary>
public sealed class RestartTests
{
    private const string Node = "node-restart";

    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task ANodeRestartingUnderItsName_GivesBackWhatItsCrashedPredecessorHadClaimed_AtOnce(StorageEngine engine)
    {
        var connectionString = engine == StorageEngine.Postgres ? PostgresCluster.Instance.CreateDatabase("restart") : TestDatabases.NewSqliteConnectionString();
        var db = new Database(engine, connectionString);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 18, 9, 0, 0, TimeSpan.Zero));
        SchemaAddition[] additions = engine == StorageEngine.Postgres ? [new SchemaAddition(HangfireSchema.Name, StorageEngine.Postgres, HangfireSchema.InstallAsync)] : [];
        await new Migrator(db, clock, NullLogger<Migrator>.Instance, additions).MigrateAsync(default);

        // The predecessor's state at its crash: two mails claimed for a day (far past any wait below), one by another node.
        var outbox = new SqlMailOutbox(db);
        var now = clock.GetUtcNow();
        var own = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            var (mail, _) = await outbox.EnqueueAsync(Draft($"restart:{i}", now), now, default);
            own.Add(mail.Id);
        }

        Assert.Equal(2, (await outbox.ClaimDueAsync(Node, now, now.AddDays(1), 10, default)).Count);
        var (others, _) = await outbox.EnqueueAsync(Draft("restart:other", now), now, default);
        Assert.Single(await outbox.ClaimDueAsync("node-elsewhere", now, now.AddDays(1), 10, default));

        if (engine == StorageEngine.Postgres)
        {
            // And its Hangfire server record, whose heartbeat no longer moves: the start check watches it before taking back.
            var options = HangfireSchema.StorageOptions();
            var storage = new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connectionString, options), options);
            using var connection = storage.GetConnection();
            connection.AnnounceServer($"{Node}:4711:{Guid.NewGuid()}", new Hangfire.Server.ServerContext { Queues = ["default"], WorkerCount = 4 });
        }

        await using var factory = new Restarted(engine, connectionString);
        factory.Clock.Set(now);
        var started = TimeProvider.System.GetTimestamp();
        _ = factory.Services;

        // Real time: the node's start runs on real threads (and its twin check on the system clock).
        (string Status, string? ClaimedBy)[] rows = [];
        var deadline = LiveNodes.Watch + TimeSpan.FromSeconds(20);
        while (TimeProvider.System.GetElapsedTime(started) < deadline)
        {
            await using var c = await db.OpenAsync(default);
            rows = [.. await c.QueryAsync<(string, string?)>("SELECT status, claimed_by FROM mail_outbox WHERE id IN (@a, @b) ORDER BY id", new { a = own[0], b = own[1] })];
            if (rows.All(r => r.Status is "pending" or "sent")) break;
            await Task.Delay(200);
        }

        Assert.All(rows, r => Assert.True(r.Status is "pending" or "sent", $"still {r.Status} by {r.ClaimedBy} {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F0} s after the restart"));
        Assert.All(rows, r => Assert.Null(r.ClaimedBy));
        await using (var c = await db.OpenAsync(default))
        {
            var other = await c.QuerySingleAsync<(string, string?)>("SELECT status, claimed_by FROM mail_outbox WHERE id = @id", new { id = others.Id });
            Assert.Equal(("sending", (string?)"node-elsewhere"), other);
        }
    }

    private static MailDraft Draft(string key, DateTimeOffset due) => new()
    {
        IdempotencyKey = key, Purpose = "test", ToAddress = "eva@example.org", ToName = "Eva", Subject = "s", HtmlBody = "<p>b</p>", TextBody = "b", DueAt = due,
    };

    private sealed class Restarted(StorageEngine engine, string connectionString) : OutreachAppFactory(engine, sharedConnectionString: connectionString)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Jobs:NodeName", Node);
        }
    }
}
