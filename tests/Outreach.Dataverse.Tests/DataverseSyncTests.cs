using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Jobs;
using Outreach.Dataverse.Testing;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Dataverse.Tests;

/// <summary>The sync of accounts and contacts from the local Dataverse server into a real database, on both engines.</summary>
public sealed class DataverseSyncTests
{
    private sealed class RecordingProgress : IJobProgress
    {
        public List<(long Done, long? Total)> Reports { get; } = [];

        public Task ReportAsync(long done, long? total, CancellationToken ct)
        {
            Reports.Add((done, total));
            return Task.CompletedTask;
        }
    }

    /// <summary>The clock of every store and sync here: fixed, these tests compare no dates with today.</summary>
    private static FakeTimeProvider Clock => new();

    /// <summary>As the host wires it: with the Dynamics requests (starts from the covenant, requested moves).</summary>
    private static DataverseSync Sync(DataverseClient client, Database db) =>
        new(client, new SqlCrmSyncStore(db), Clock, NullLogger<DataverseSync>.Instance, SqlServices.Dynamics(db, Clock));

    private static List<RecordedRequest> PageRequests(LocalDataverse local, string entitySet) =>
        local.Server.Requests.Where(r => r.Method == "GET" && r.PathAndQuery.StartsWith($"/api/data/v9.2/{entitySet}?", StringComparison.Ordinal)).ToList();

    private sealed class OrganisationRow
    {
        public string DataverseId { get; init; } = "";
        public string Name { get; init; } = "";
        public object? RemovedAt { get; init; }
        public string? City { get; init; }
    }

    private sealed class ContactRow
    {
        public string Name { get; init; } = "";
        public string? Role { get; init; }
        public object? OptedOut { get; init; }
        public long OrganisationId { get; init; }
    }

    private static async Task<List<OrganisationRow>> OrganisationsAsync(Database db)
    {
        await using var c = await db.OpenAsync(default);
        return (await c.QueryAsync<OrganisationRow>(
            "SELECT dataverse_id AS DataverseId, name AS Name, removed_at AS RemovedAt, city AS City FROM organisation WHERE dataverse_id IS NOT NULL ORDER BY dataverse_id")).ToList();
    }

    [Fact]
    public async Task AFailedCount_OnlyLosesTheProgressTotal_TheSyncStillRuns()
    {
        // $count only feeds the progress display: its failure (here a 500 on every $count) must not abort the sync.
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(30);
        local.Server.FaultRule = (_, r) => r.PathAndQuery.EndsWith("/$count", StringComparison.Ordinal) ? new Fault(Status: 500) : null;
        var db = await TestDatabases.MigratedAsync(StorageEngine.Sqlite);
        var progress = new RecordingProgress();

        var result = await Sync(local.Client(), db).RunAsync(progress, default);

        Assert.Equal(30, result.Accounts.Created);
        Assert.Equal(30, (await OrganisationsAsync(db)).Count);
        Assert.Contains(local.Server.Requests, r => r.PathAndQuery.EndsWith("/$count", StringComparison.Ordinal) && r.Status == 500);
        // No total while reading (unknown), then done of done at the end.
        Assert.All(progress.Reports.SkipLast(1), r => Assert.Null(r.Total));
        Assert.Equal((30L, 30L), progress.Reports[^1]);
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task TwelveThousandAccounts_SyncInExactlyThreePageRequests(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(12_000);
        var db = await TestDatabases.MigratedAsync(engine);
        var client = local.Client(o => o.PageSize = 5000);
        var progress = new RecordingProgress();

        var result = await Sync(client, db).RunAsync(progress, default);

        var pages = PageRequests(local, "accounts");
        Assert.Equal(3, pages.Count);
        Assert.All(pages, p => Assert.Equal("odata.maxpagesize=5000,odata.track-changes", p.Prefer));
        // Only master data is read: the pipeline stage follows Outreach.
        Assert.All(pages, p => Assert.DoesNotContain("otr_pipelinestage", p.PathAndQuery, StringComparison.Ordinal));
        Assert.Equal(new SyncCounts(12_000, 12_000, 0, 0, 0, true), result.Accounts);
        var rows = await OrganisationsAsync(db);
        Assert.Equal(12_000, rows.Select(r => r.DataverseId).Distinct().Count());
        Assert.Equal("Utrecht", rows[0].City);
        // Progress: rows so far of the total from $count, ending at the total.
        Assert.Equal((5000L, (long?)12_000), progress.Reports[0]);
        Assert.Equal((12_000L, (long?)12_000), progress.Reports[^1]);
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task AfterFiftyUpdatesAndFiveDeletions_TheNextRunFetchesOnlyThose(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(2_000);
        var db = await TestDatabases.MigratedAsync(engine);
        var client = local.Client();
        await Sync(client, db).RunAsync(new RecordingProgress(), default);

        for (var i = 0; i < 50; i++) local.Server.Upsert("accounts", LocalDataverse.Id(1, i * 10), new JsonObject { ["name"] = $"Updated {i}" });
        for (var i = 0; i < 5; i++) local.Server.Delete("accounts", LocalDataverse.Id(1, 1000 + i));
        local.Server.ClearRequests();

        var result = await Sync(client, db).RunAsync(new RecordingProgress(), default);

        Assert.Equal(new SyncCounts(55, 0, 50, 5, 0, false), result.Accounts);
        var page = Assert.Single(PageRequests(local, "accounts"));
        Assert.Contains("$deltatoken=", page.PathAndQuery, StringComparison.Ordinal);
        Assert.DoesNotContain(local.Server.Requests, r => r.PathAndQuery.EndsWith("/$count", StringComparison.Ordinal));
        var rows = await OrganisationsAsync(db);
        // Deleted in Dataverse: still here (with its history), marked removed.
        Assert.Equal(2_000, rows.Count);
        Assert.Equal(5, rows.Count(r => r.RemovedAt is not null));
        Assert.Equal(50, rows.Count(r => r.Name.StartsWith("Updated ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task StormOf429s_DelaysButLosesNothing()
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(3_000);
        var storm = 0;
        // Every other request for a while is refused with Retry-After: 1.
        local.Server.FaultRule = (n, _) => n % 2 == 0 && Interlocked.Increment(ref storm) <= 4 ? new Fault(429, RetryAfterSeconds: 1) : null;
        var db = await TestDatabases.MigratedAsync(StorageEngine.Sqlite);
        var client = local.Client(o => o.PageSize = 500);

        var result = await Sync(client, db).RunAsync(new RecordingProgress(), default);

        Assert.Equal(4, local.Server.Requests.Count(r => r.Status == 429));
        Assert.Equal(4, client.Retries);
        Assert.Equal(new SyncCounts(3_000, 3_000, 0, 0, 0, true), result.Accounts);
        Assert.Equal(3_000, (await OrganisationsAsync(db)).Select(r => r.DataverseId).Distinct().Count());
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task CrashBetweenPages_ResumesAtTheNextPageWithoutDuplicates(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(12_000);
        var db = await TestDatabases.MigratedAsync(engine);
        var client = local.Client();
        // The second page request fails hard (500 is not retried): the run stops after the first page was committed.
        var pageRequests = 0;
        local.Server.FaultRule = (_, r) => r.PathAndQuery.StartsWith("/api/data/v9.2/accounts?", StringComparison.Ordinal) && ++pageRequests == 2 ? new Fault(500) : null;

        await Assert.ThrowsAsync<DataverseException>(() => Sync(client, db).RunAsync(new RecordingProgress(), default));
        Assert.Equal(5_000, (await OrganisationsAsync(db)).Count);

        local.Server.FaultRule = null;
        local.Server.ClearRequests();
        var result = await Sync(client, db).RunAsync(new RecordingProgress(), default);

        // Pages two and three only; the first page is not fetched again.
        var pages = PageRequests(local, "accounts");
        Assert.Equal(2, pages.Count);
        Assert.All(pages, p => Assert.Contains("$skiptoken=", p.PathAndQuery, StringComparison.Ordinal));
        Assert.Equal(new SyncCounts(7_000, 7_000, 0, 0, 0, true), result.Accounts);
        var rows = await OrganisationsAsync(db);
        Assert.Equal(12_000, rows.Count);
        Assert.Equal(12_000, rows.Select(r => r.DataverseId).Distinct().Count());
        Assert.DoesNotContain(rows, r => r.RemovedAt is not null);
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task ExpiredDeltaToken_LeadsToAFullResyncThatConvergesToTheSameState(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(1_000);
        var db = await TestDatabases.MigratedAsync(engine);
        var client = local.Client(o => o.PageSize = 400);
        await Sync(client, db).RunAsync(new RecordingProgress(), default);

        for (var i = 0; i < 10; i++) local.Server.Upsert("accounts", LocalDataverse.Id(1, i), new JsonObject { ["name"] = $"Changed {i}" });
        for (var i = 0; i < 7; i++) local.Server.Delete("accounts", LocalDataverse.Id(1, 500 + i));
        for (var i = 0; i < 3; i++) local.Server.Upsert("accounts", LocalDataverse.Id(1, 5000 + i), LocalDataverse.Account(5000 + i));
        local.Server.ExpireDeltaTokens();

        var result = await Sync(client, db).RunAsync(new RecordingProgress(), default);

        Assert.True(result.Accounts.FullRead);
        Assert.Contains(local.Server.Requests, r => r.Status == 400 && r.PathAndQuery.Contains("$deltatoken=", StringComparison.Ordinal));
        // Same state as Dataverse: live rows and names match, and the rows deleted while the token was stale are marked removed.
        var server = local.Server.Rows("accounts");
        var rows = await OrganisationsAsync(db);
        var live = rows.Where(r => r.RemovedAt is null).ToDictionary(r => r.DataverseId, r => r.Name);
        Assert.Equal(server.Keys.Select(k => k.ToString("D")).Order(StringComparer.Ordinal), live.Keys.Order(StringComparer.Ordinal));
        Assert.All(server, s => Assert.Equal((string)s.Value["name"]!, live[s.Key.ToString("D")]));
        Assert.Equal(7, rows.Count(r => r.RemovedAt is not null));
        Assert.Equal(3, result.Accounts.Created);
        Assert.Equal(7, result.Accounts.Removed);

        // And a fresh database synced from scratch holds the same live rows.
        var fresh = await TestDatabases.MigratedAsync(engine);
        await Sync(local.Client(), fresh).RunAsync(new RecordingProgress(), default);
        Assert.Equal(live.OrderBy(p => p.Key, StringComparer.Ordinal), (await OrganisationsAsync(fresh)).ToDictionary(r => r.DataverseId, r => r.Name).OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Contacts_FollowTheirAccount_OptOutSticks_ErasedStayErased_AndAnOrphanCountsAsFailed()
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(2);
        var account = LocalDataverse.Id(1, 0);
        JsonObject Contact(string name, bool optedOut = false, Guid? parent = null) => new()
        {
            ["fullname"] = name,
            ["emailaddress1"] = $"{name.ToLowerInvariant()}@example.nl",
            ["jobtitle"] = "Director",
            ["_parentcustomerid_value"] = (parent ?? account).ToString("D"),
            ["otr_optedout"] = optedOut,
        };
        local.Server.Upsert("contacts", LocalDataverse.Id(2, 1), Contact("Anna"));
        local.Server.Upsert("contacts", LocalDataverse.Id(2, 2), Contact("Bram", optedOut: true));
        local.Server.Upsert("contacts", LocalDataverse.Id(2, 3), Contact("Cas", parent: Guid.NewGuid()));
        var db = await TestDatabases.MigratedAsync(StorageEngine.Sqlite);
        var client = local.Client();

        var first = await Sync(client, db).RunAsync(new RecordingProgress(), default);
        Assert.Equal(new SyncCounts(3, 2, 0, 0, 1, true), first.Contacts);

        await using (var c = await db.OpenAsync(default))
        {
            // Anna is erased on request in Outreach.
            await c.ExecuteAsync("UPDATE contact SET name = 'erased', email = '', erased_at = '2026-01-01T00:00:00.0000000Z' WHERE dataverse_id = @id", new { id = LocalDataverse.Id(2, 1).ToString("D") });
        }

        local.Server.Upsert("contacts", LocalDataverse.Id(2, 1), new JsonObject { ["fullname"] = "Anna Again" });
        local.Server.Upsert("contacts", LocalDataverse.Id(2, 2), new JsonObject { ["otr_optedout"] = false, ["jobtitle"] = "Owner" });
        var second = await Sync(client, db).RunAsync(new RecordingProgress(), default);
        Assert.Equal(2, second.Contacts.Updated);

        await using var connection = await db.OpenAsync(default);
        var contacts = (await connection.QueryAsync<ContactRow>(
            "SELECT name AS Name, role AS Role, opted_out_at AS OptedOut, organisation_id AS OrganisationId FROM contact ORDER BY dataverse_id")).ToList();
        Assert.Equal("erased", contacts[0].Name);
        Assert.Equal("Owner", contacts[1].Role);
        Assert.NotNull(contacts[1].OptedOut);
        var organisation = await connection.ExecuteScalarAsync<long>("SELECT id FROM organisation WHERE dataverse_id = @id", new { id = account.ToString("D") });
        Assert.All(contacts, k => Assert.Equal(organisation, k.OrganisationId));
    }

    [Fact]
    public async Task APersonErasedInOutreach_IsNotImportedAgainFromDynamics_AndEachPageIsAudited()
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(1);
        var account = LocalDataverse.Id(1, 0);
        var db = await TestDatabases.MigratedAsync(StorageEngine.Sqlite);
        await using (var c = await db.OpenAsync(default))
        {
            // Erased earlier (for instance after a CSV import): only the hash of the address is left.
            await c.ExecuteAsync("INSERT INTO suppressed_address (email_hash, since) VALUES (@hash, '2026-01-01T00:00:00.0000000Z')", new { hash = Core.Prospects.Suppression.Hash("Mila@Example.nl") });
        }

        local.Server.Upsert("contacts", LocalDataverse.Id(2, 1), new JsonObject { ["fullname"] = "Mila", ["emailaddress1"] = "mila@example.nl", ["_parentcustomerid_value"] = account.ToString("D") });
        local.Server.Upsert("contacts", LocalDataverse.Id(2, 2), new JsonObject { ["fullname"] = "Noor", ["emailaddress1"] = "noor@example.nl", ["_parentcustomerid_value"] = account.ToString("D") });
        var result = await Sync(local.Client(), db).RunAsync(new RecordingProgress(), default);

        Assert.Equal((1, 1), (result.Contacts.Created, result.Contacts.Failed));
        await using var connection = await db.OpenAsync(default);
        Assert.Equal(["Noor"], await connection.QueryAsync<string>("SELECT name FROM contact"));
        var audit = (await new SqlAudit(db).SearchAsync(new Core.Audit.AuditFilter { Entity = Core.Audit.AuditEntities.Sync }, 1, 10, default)).Items;
        Assert.Contains(audit, a => a.EntityId == "contacts" && a.Actor == "Dynamics 365 sync" && a.Changes.Contains(new Core.Audit.AuditChange("created", null, "1")));
        Assert.Contains(audit, a => a.EntityId == "accounts" && a.Changes.Contains(new Core.Audit.AuditChange("created", null, "1")));
    }

    [Fact]
    public async Task AnAccountWithACovenantSetInDynamics_StartsAProspectThere_Once()
    {
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(3);
        local.Server.Upsert("accounts", LocalDataverse.Id(1, 0), new JsonObject { ["otr_covenant"] = "GOLD" });
        local.Server.Upsert("accounts", LocalDataverse.Id(1, 1), new JsonObject { ["otr_covenant"] = "tin" });
        var db = await TestDatabases.MigratedAsync(StorageEngine.Sqlite);
        await new Storage.SqlProspectStore(db, Clock).AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);

        await Sync(local.Client(), db).RunAsync(new RecordingProgress(), default);
        await using var c = await db.OpenAsync(default);
        var entries = (await c.QueryAsync<(string DataverseId, string Stage, string By, string Reason)>(
            """
            SELECT o.dataverse_id, e.stage, h.changed_by, h.reason FROM pipeline_entry e
            JOIN organisation o ON o.id = e.organisation_id JOIN stage_change h ON h.entry_id = e.id
            """)).ToList();
        var entry = Assert.Single(entries);
        Assert.Equal((LocalDataverse.Id(1, 0).ToString("D"), "identified", "Dynamics 365 sync", SqlCrmSyncStore.StartedReason), entry);

        // The next change to the account (and the write-back touching it) does not start a second prospect.
        local.Server.Upsert("accounts", LocalDataverse.Id(1, 0), new JsonObject { ["name"] = "Renamed Gold" });
        await Sync(local.Client(), db).RunAsync(new RecordingProgress(), default);
        Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pipeline_entry"));
    }
}
