using Dapper;
using Outreach.Storage;
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
        var store = new SqlAccessStore(db, TimeProvider.System);
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

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
