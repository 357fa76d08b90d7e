using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>
/// Issue 16 item 12 on both engines: the report's data stamp (migration 0034) moves with every change the report reads,
/// and only once a transaction has committed; the exit figures' prospects; the prospect list limited to a figure's entries.
/// </summary>
public abstract class ReportStampContract(StorageEngine engine) : IAsyncLifetime
{
    private Database db = null!;
    private IReadOnlyDictionary<string, long> ids = null!;
    private SqlReportDataStamp stamp = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabases.MigratedAsync(engine, new FakeTimeProvider(ReportDataSet.AsOf));
        ids = await ReportDataSeeder.SeedAsync(db);
        stamp = new SqlReportDataStamp(db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task TheStamp_MovesWithAStageChange_AndAnOrganisationEdit()
    {
        var clock = new FakeTimeProvider(ReportDataSet.AsOf);
        var before = await stamp.ReadAsync(default);
        Assert.Equal(before, await stamp.ReadAsync(default));
        var pipeline = new SqlPipelineStore(db, clock);
        await pipeline.ApplyAsync(new StageChange(ids["Theta Staal"], Stage.Engaged, Stage.Intake, ReportDataSet.AsOf, "anne", "Intake planned"), default);
        var afterMove = await stamp.ReadAsync(default);
        Assert.True(afterMove > before, $"{before} → {afterMove}");

        var prospects = new SqlProspectStore(db, clock);
        var summary = (await pipeline.GetSummaryAsync(ids["Theta Staal"], default))!;
        await prospects.UpdateOrganisationAsync(summary.OrganisationId, Validation.Clean(new OrganisationDraft { Name = "Theta Staal", Sector = "jewellery", Owner = "Bram", PartyKind = PartyKind.Company, Country = "NL" }), default);
        Assert.True(await stamp.ReadAsync(default) > afterMove);
    }

    [Fact]
    public async Task TheStamp_MovesOnlyWhenTheTransactionCommits()
    {
        var before = await stamp.ReadAsync(default);
        await using (var c = await db.OpenAsync(default))
        await using (var tx = await c.BeginTransactionAsync())
        {
            await using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "UPDATE organisation SET sector = 'steel'";
            await command.ExecuteNonQueryAsync();
            // Another connection reads the stamp while the change is not committed: unchanged (a report computed now is of the old data).
            if (engine == StorageEngine.Postgres) Assert.Equal(before, await stamp.ReadAsync(default));
            await tx.RollbackAsync();
        }

        Assert.Equal(before, await stamp.ReadAsync(default));
    }

    [Fact]
    public async Task TheExitFigures_ListTheProspectsThatMovedOut_UnderTheReportsFilters()
    {
        var source = new SqlReportFigureSource(db);
        var year = ReportDataSet.Year2025;
        Assert.Equal(new[] { ids["Gamma Edelsmeden"], ids["Delta Zilver"] }.Order(), (await source.ExitedAsync(year, Stage.Declined, null, default)).Order());
        Assert.Equal(new[] { ids["Gamma Edelsmeden"], ids["Delta Zilver"] }.Order(), (await source.ExitedAsync(year, Stage.Declined, " " + ReportDataSet.NoCapacity + " ", default)).Order());
        Assert.Empty(await source.ExitedAsync(year, Stage.Declined, ReportDataSet.Budget, default));
        Assert.Equal([ids["Epsilon Branchevereniging"]], await source.ExitedAsync(year with { PartyKind = PartyKind.BranchOrganisation }, Stage.NotNow, null, default));
        Assert.Empty(await source.ExitedAsync(year with { Sector = "steel" }, Stage.Declined, null, default));
        // Beta's not now fell in February: the first half-year has it, the second does not.
        Assert.Contains(ids["Beta Juwelen"], await source.ExitedAsync(year with { To = new DateOnly(2025, 6, 30) }, Stage.NotNow, null, default));
        Assert.DoesNotContain(ids["Beta Juwelen"], await source.ExitedAsync(year with { From = new DateOnly(2025, 7, 1) }, Stage.NotNow, null, default));
    }

    [Fact]
    public async Task TheList_KeepsOnlyAFiguresEntries()
    {
        var pipeline = new SqlPipelineStore(db, new FakeTimeProvider(ReportDataSet.AsOf));
        var two = new[] { ids["Alpha Goud B.V."], ids["Theta Staal"] };
        var page = await pipeline.ListAsync(new ProspectFilter { EntryIds = two }, ProspectSort.Name, false, 1, 50, default);
        Assert.Equal(2, page.Total);
        Assert.Equal(two.Order(), page.Items.Select(i => i.Id).Order());
        Assert.Equal(0, (await pipeline.ListAsync(new ProspectFilter { EntryIds = [] }, ProspectSort.Name, false, 1, 50, default)).Total);
        Assert.Equal(1, (await pipeline.ListAsync(new ProspectFilter { EntryIds = two, Sector = "steel" }, ProspectSort.Name, false, 1, 50, default)).Total);
    }
}

public sealed class SqliteReportStampTests() : ReportStampContract(StorageEngine.Sqlite);

public sealed class PostgresReportStampTests() : ReportStampContract(StorageEngine.Postgres);
