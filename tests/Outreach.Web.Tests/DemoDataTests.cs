using Dapper;
using Outreach.Storage;
using Outreach.Testing;
using Outreach.Web.Demo;

namespace Outreach.Web.Tests;

public sealed class DemoDataTests
{
    /// <summary>Guards the first start: the demo data lands whole or not at all, however early the start is interrupted.</summary>
    [Theory]
    [InlineData(StorageEngine.Sqlite, 50)]
    [InlineData(StorageEngine.Sqlite, 400)]
    [InlineData(StorageEngine.Postgres, 300)]
    public async Task AnInterruptedSeed_LeavesAllOrNothing_AndTheNextStartSeedsFully(StorageEngine engine, int cancelAfterMs)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 18, 9, 0, 0, TimeSpan.Zero));
        var db = await TestDatabases.MigratedAsync(engine, clock);
        var seeder = new DemoDataSeeder(new SqlProspectStore(db, clock), db, clock);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(cancelAfterMs));
        try
        {
            await seeder.SeedIfEmptyAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Interrupted: checked below.
        }

        var organisations = await CountAsync(db, "organisation");
        Assert.Contains(organisations, new[] { 0L, DemoDataSeeder.OrganisationCount });
        if (organisations == 0)
        {
            Assert.Equal(0, await CountAsync(db, "covenant"));
            Assert.NotNull(await seeder.SeedIfEmptyAsync(default));
        }

        Assert.Equal(DemoDataSeeder.OrganisationCount, await CountAsync(db, "organisation"));
        Assert.Equal(3, await CountAsync(db, "covenant"));
    }

    private static async Task<long> CountAsync(Database db, string table)
    {
        await using var c = await db.OpenAsync(default);
        return await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }
}
