using Dapper;
using Outreach.Storage;
using Outreach.Testing;
using Outreach.Web.Cli;

namespace Outreach.Web.Tests;

/// <summary>The CLI verbs on the same configuration as the host.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "outreach-cli-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Migrate_CreatesTheSchema_AndASecondRunAppliesNothing()
    {
        Assert.Equal(0, await CommandLine.RunAsync(["migrate", $"--Storage:DataFolder={folder}"]));
        var db = new Database(StorageEngine.Sqlite, Database.ResolveConnectionString(new StorageOptions { DataFolder = folder }));
        await using (var c = await db.OpenAsync(default))
        {
            var versions = (await c.QueryAsync<int>("SELECT version FROM schema_version ORDER BY version")).ToList();
            Assert.Equal(Migrator.Scripts(StorageEngine.Sqlite).Select(s => s.Version), versions);
        }

        Assert.Equal(0, await CommandLine.RunAsync(["migrate", $"--Storage:DataFolder={folder}"]));
    }

    /// <summary>Issue 13 point 1: on PostgreSQL `migrate` installs Hangfire's schema too, so no node has to at its start.</summary>
    [Fact]
    public async Task Migrate_OnPostgres_InstallsHangfiresSchema()
    {
        var connectionString = PostgresCluster.Instance.CreateDatabase("cli");
        Assert.Equal(0, await CommandLine.RunAsync(["migrate", "--Storage:Engine=Postgres", $"--Storage:ConnectionString={connectionString}", $"--Storage:DataFolder={folder}"]));
        await using var c = await new Database(StorageEngine.Postgres, connectionString).OpenAsync(default);
        foreach (var table in new[] { "job", "jobqueue", "server", "hash", "lock" })
            Assert.True(await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'hangfire' AND table_name = @table", new { table }) == 1, $"hangfire.{table} missing");
    }

    [Fact]
    public async Task SeedDemo_FillsAnEmptyDatabaseOnce()
    {
        Assert.Equal(0, await CommandLine.RunAsync(["seed-demo", $"--Storage:DataFolder={folder}"]));
        Assert.Equal(1, await CommandLine.RunAsync(["seed-demo", $"--Storage:DataFolder={folder}"]));
        var db = new Database(StorageEngine.Sqlite, Database.ResolveConnectionString(new StorageOptions { DataFolder = folder }));
        await using var c = await db.OpenAsync(default);
        Assert.Equal(Demo.DemoDataSeeder.OrganisationCount, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM organisation"));
    }

    [Fact]
    public async Task CreateUser_AndCreateApiKey_StoreHashesAndRefuseBadInput()
    {
        var output = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(output);
        try
        {
            Assert.Equal(0, await CommandLine.RunAsync(["create-user", "--user", "anne", "--role", "administrator", $"--Storage:DataFolder={folder}"]));
            Assert.Equal(1, await CommandLine.RunAsync(["create-user", "--user", "anne", $"--Storage:DataFolder={folder}"]));
            Assert.Equal(1, await CommandLine.RunAsync(["create-user", "--user", "bram", "--role", "pirate", $"--Storage:DataFolder={folder}"]));
            Assert.Equal(0, await CommandLine.RunAsync(["create-api-key", "--name", "powerbi", "--role", "manager", $"--Storage:DataFolder={folder}"]));
            Assert.Equal(1, await CommandLine.RunAsync(["create-api-key", "--name", "powerbi", "--role", "manager", $"--Storage:DataFolder={folder}"]));
            Assert.Equal(1, await CommandLine.RunAsync(["create-api-key", "--name", "bad name!", "--role", "manager", $"--Storage:DataFolder={folder}"]));
            Assert.Equal(0, await CommandLine.RunAsync(["create-api-key", "--name", "old-tool", "--role", "secretariat", $"--Storage:DataFolder={folder}"]));
            Assert.Equal(0, await CommandLine.RunAsync(["revoke-api-key", "--name", "old-tool", $"--Storage:DataFolder={folder}"]));
            Assert.Equal(1, await CommandLine.RunAsync(["revoke-api-key", "--name", "old-tool", $"--Storage:DataFolder={folder}"]));
        }
        finally
        {
            Console.SetOut(previous);
        }

        var text = output.ToString();
        var keys = text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(Access.AccessService.ApiKeyPrefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, keys.Count);
        var key = keys[0];
        var db = new Database(StorageEngine.Sqlite, Database.ResolveConnectionString(new StorageOptions { DataFolder = folder }));
        // Only reads what the command line wrote; a fixed clock all the same.
        var store = new SqlAccessStore(db, new FakeTimeProvider());
        Assert.Equal(("powerbi", Core.Access.Role.Manager), await store.FindApiKeyAsync(Access.AccessService.HashKey(key), default));
        Assert.Equal(Core.Access.Role.Administrator, (await store.FindUserAsync("anne", default))!.Role);
        Assert.Null(await store.FindUserAsync("bram", default));
        Assert.Contains("Password (shown once)", text, StringComparison.Ordinal);
        Assert.Null(await store.FindApiKeyAsync(Access.AccessService.HashKey(keys[1]), default));
        // What the command line changed is audited as the command line's.
        var audit = await new SqlAudit(db).SearchAsync(new Core.Audit.AuditFilter { Entity = Core.Audit.AuditEntities.ApiKey }, 1, 10, default);
        Assert.Equal(["revoked", "created", "created"], audit.Items.Select(a => a.Action));
        Assert.All(audit.Items, a => Assert.StartsWith("command line", a.Actor, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Backup_WhileTheDatabaseIsWritten_GivesAnOwnerOnlyCopyThatRestores()
    {
        Assert.Equal(0, await CommandLine.RunAsync(["migrate", $"--Storage:DataFolder={folder}"]));
        var db = new Database(StorageEngine.Sqlite, Database.ResolveConnectionString(new StorageOptions { DataFolder = folder }));
        using var stop = new CancellationTokenSource();
        var written = 0;
        // The host keeps writing during a backup: the copy must still be one consistent state.
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var c = await db.OpenAsync(default);
                await c.ExecuteAsync("INSERT INTO organisation (name, normalised_name, party_kind, sector, country, owner, created_at, updated_at) VALUES ('Org', 'org', 'company', 'gold', 'NL', 'x', '2026-01-01', '2026-01-01')");
                Interlocked.Increment(ref written);
            }
        });
        while (Volatile.Read(ref written) < 20) await Task.Delay(5);

        var target = Path.Combine(folder, "copies", "first.db");
        Assert.Equal(0, await CommandLine.RunAsync(["backup", "--to", target, $"--Storage:DataFolder={folder}"]));
        await stop.CancelAsync();
        await writer;

        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target));
        var copy = new Database(StorageEngine.Sqlite, $"Data Source={target};Pooling=False");
        long copied;
        await using (var c = await copy.OpenAsync(default))
        {
            Assert.Equal("ok", await c.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
            copied = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM organisation");
        }

        Assert.InRange(copied, 20, Volatile.Read(ref written));
        var before = File.ReadAllBytes(target);
        // A backup never overwrites another.
        Assert.Equal(1, await CommandLine.RunAsync(["backup", "--to", target, $"--Storage:DataFolder={folder}"]));
        Assert.Equal(before, File.ReadAllBytes(target));

        // Restore as docs/operations.md says: the copy becomes outreach.db in an (empty) data folder, and the node starts on it.
        var restored = Path.Combine(folder, "restored");
        Directory.CreateDirectory(restored);
        File.Copy(target, Path.Combine(restored, "outreach.db"));
        Assert.Equal(0, await CommandLine.RunAsync(["migrate", $"--Storage:DataFolder={restored}"]));
        var back = new Database(StorageEngine.Sqlite, Database.ResolveConnectionString(new StorageOptions { DataFolder = restored }));
        await using (var c = await back.OpenAsync(default))
            Assert.Equal(copied, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM organisation"));
    }

    [Fact]
    public async Task Backup_OnPostgres_PrintsTheDumpAndRestoreLines_WithoutThePassword()
    {
        var output = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(output);
        try
        {
            Assert.Equal(0, await CommandLine.RunAsync(["backup", "--to", "/var/backups/otr.dump", "--Storage:Engine=Postgres",
                "--Storage:ConnectionString=Host=db.internal;Port=5433;Database=outreach;Username=otr;Password=s3cret-pw"]));
        }
        finally
        {
            Console.SetOut(previous);
        }

        var text = output.ToString();
        Assert.Contains("pg_dump --format=custom --no-owner --host=db.internal --port=5433 --username=otr --dbname=outreach --file=/var/backups/otr.dump", text, StringComparison.Ordinal);
        Assert.Contains("pg_restore --no-owner --exit-on-error --host=db.internal --port=5433 --username=otr --dbname=outreach /var/backups/otr.dump", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_WithoutADatabase_SaysSo_AndWritesNothing()
    {
        Assert.Equal(1, await CommandLine.RunAsync(["backup", $"--Storage:DataFolder={folder}"]));
        Assert.False(Directory.Exists(Path.Combine(folder, "backups")));
    }

    [Theory]
    [InlineData(200, 0)]
    [InlineData(503, 1)]
    public async Task HealthCheck_ExitsZeroOnlyWhenTheNodeAnswers200(int status, int exit)
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var node = new System.Net.HttpListener();
        node.Prefixes.Add($"http://127.0.0.1:{port}/");
        node.Start();
        var answer = Task.Run(async () =>
        {
            var context = await node.GetContextAsync();
            Assert.Equal("/health", context.Request.Url!.AbsolutePath);
            context.Response.StatusCode = status;
            context.Response.Close();
        });
        Assert.Equal(exit, await CommandLine.RunAsync(["health-check", "--url", $"http://127.0.0.1:{port}/health"]));
        await answer;
    }

    [Fact]
    public async Task HealthCheck_OnANodeThatIsDown_ExitsOne()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Assert.Equal(1, await CommandLine.RunAsync(["health-check", "--url", $"http://127.0.0.1:{port}/health", "--timeout", "2"]));
        Assert.Equal(2, await CommandLine.RunAsync(["health-check", "--url", "not a url"]));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
