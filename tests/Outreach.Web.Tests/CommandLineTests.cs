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

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
