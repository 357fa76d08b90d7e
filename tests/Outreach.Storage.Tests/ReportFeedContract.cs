using Dapper;
using Outreach.Core.Pipeline;
using Outreach.Core.Reports;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>
/// The Power BI feed's keyset paging on both engines: following the cursors reads every row exactly once, in id order,
/// whatever the page size, and a row added while a client pages shows up once, on a later page.
/// </summary>
public abstract class ReportFeedContract(StorageEngine engine) : IAsyncLifetime
{
    private Database db = null!;
    private IReadOnlyDictionary<string, long> ids = null!;
    private SqlReportFeed feed = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabases.MigratedAsync(engine, new FakeTimeProvider(ReportDataSet.AsOf));
        ids = await ReportDataSeeder.SeedAsync(db);
        feed = new SqlReportFeed(db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Follows the cursors as a client would, from the first page to the one without a next cursor.</summary>
    private static async Task<List<T>> AllPagesAsync<T>(FeedTable table, int limit, Func<long, int, Task<IReadOnlyList<T>>> read, Func<T, long> id, Func<Task>? betweenPages = null)
    {
        var rows = new List<T>();
        string? cursor = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 1000, "the paging does not end");
            var (after, size, errors) = FeedPaging.Parse(table, cursor, limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Empty(errors);
            var page = FeedPaging.Page(table, await read(after, size), size, id);
            Assert.True(page.Rows.Count <= limit);
            rows.AddRange(page.Rows);
            if (page.Next is null) return rows;
            Assert.Equal(limit, page.Rows.Count);
            cursor = page.Next;
            if (pages == 0 && betweenPages is not null) await betweenPages();
        }
    }

    private async Task<List<long>> IdsAsync(string table)
    {
        await using var c = await db.OpenAsync(default);
        return (await c.QueryAsync<long>($"SELECT id FROM {table} ORDER BY id")).AsList();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(5000)]
    public async Task StageChanges_EveryRowOnce_NoGapsNoDuplicates(int limit)
    {
        var rows = await AllPagesAsync(FeedTable.StageChanges, limit, (a, l) => feed.StageChangesAsync(a, l, default), r => r.Id);
        // Every history line of the data set (A 6, B 8, C 4, D 3, E 3, F 7, G 6, H 3, I 2 = 42), once, in id order.
        Assert.Equal(await IdsAsync("stage_change"), rows.Select(r => r.Id));
        Assert.Equal(42, rows.Count);
        var theta = rows.Where(r => r.ProspectId == ids["Theta Staal"]).ToList();
        Assert.Equal(["identified", "contacted", "engaged"], theta.Select(r => r.ToStage));
        Assert.All(theta, r => Assert.Equal("metals", r.Covenant));
        Assert.Equal(new DateTimeOffset(2025, 3, 15, 10, 0, 0, TimeSpan.Zero), theta[1].ChangedAt);
        Assert.Equal("identified", theta[1].FromStage);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(9)]
    public async Task Prospects_EveryRowOnce_WithTheirFacts(int limit)
    {
        var rows = await AllPagesAsync(FeedTable.Prospects, limit, (a, l) => feed.ProspectsAsync(a, l, default), r => r.Id);
        Assert.Equal(await IdsAsync("pipeline_entry"), rows.Select(r => r.Id));
        var leaver = rows.Single(r => r.Id == ids[ReportDataSet.LeaverName]);
        Assert.Equal((ReportDataSet.LeaverName, "gold", "left", "jewellery", "Anne", "company"), (leaver.Organisation, leaver.Covenant, leaver.Stage, leaver.Sector, leaver.Owner, leaver.PartyKind));
    }

    [Fact]
    public async Task ARowAddedWhileAClientPages_IsReadOnce_OnALaterPage()
    {
        var before = await IdsAsync("stage_change");
        var rows = await AllPagesAsync(FeedTable.StageChanges, 10, (a, l) => feed.StageChangesAsync(a, l, default), r => r.Id, async () =>
        {
            var pipeline = new SqlPipelineStore(db, new FakeTimeProvider(ReportDataSet.AsOf));
            await pipeline.ApplyAsync(new StageChange(ids["Theta Staal"], Stage.Engaged, Stage.Intake, ReportDataSet.AsOf, "anne", "Intake planned"), default);
        });
        Assert.Equal(before.Count + 1, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => r.Id).Distinct().Count());
        Assert.Equal("intake", rows[^1].ToStage);
    }

    [Fact]
    public async Task AttendanceAndMonitoring_ReadOnBothEngines_EvenWhenEmpty()
    {
        Assert.Empty(await feed.AttendanceAsync(0, 10, default));
        Assert.Empty(await feed.MonitoringAsync(0, 10, default));
    }
}

public sealed class SqliteReportFeedTests() : ReportFeedContract(StorageEngine.Sqlite);

public sealed class PostgresReportFeedTests() : ReportFeedContract(StorageEngine.Postgres);
