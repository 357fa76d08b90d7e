using System.Text;
using Dapper;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Prospects.Import;
using Outreach.Core.Reports;
using Outreach.Storage.Import;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>
/// Issue 16 (4, 5) on both engines: an import that carries its pipeline's dates, the report with and without imported
/// history, the prospect list's sorting and paging, and free-text search on the stored folded column.
/// </summary>
public abstract class PipelineListAndHistoryContract(StorageEngine engine) : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 2, 8, 30, 0, TimeSpan.Zero));
    private Database db = null!;
    private SqlProspectStore prospects = null!;
    private SqlPipelineStore pipeline = null!;
    private ProspectImport import = null!;
    private long gold;

    public async Task InitializeAsync()
    {
        db = await TestDatabases.MigratedAsync(engine, clock);
        prospects = new SqlProspectStore(db, clock);
        pipeline = new SqlPipelineStore(db, clock);
        import = TestImport.Create(db, clock);
        gold = (await prospects.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2017, 6, 1), new DateOnly(2030, 6, 1), default)).Id;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private const string Header = "organisation,party_kind,sector,owner,covenant,stage,first_contact_on,stage_on";

    private async Task<ImportResult> ImportAsync(params string[] lines)
    {
        var csv = new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", [Header, .. lines]) + "\n"));
        return await import.ImportAsync(csv, importValidRowsOnly: false, "anne", null, default);
    }

    private async Task<long> EntryOfAsync(string name)
    {
        await using var c = await db.OpenAsync(default);
        return await c.QuerySingleAsync<long>("SELECT e.id FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id WHERE o.name = @name", new { name });
    }

    private static DateTimeOffset Midnight(int year, int month, int day) =>
        Outreach.Core.Calendar.AmsterdamClock.AtLocal(new DateOnly(year, month, day), TimeOnly.MinValue);

    [Fact]
    public async Task Import_WithStageAndDates_WritesTheStagePathDatedInThePast_MarkedImported()
    {
        var result = await ImportAsync("Alpha Goud,company,jewellery,Anne,gold,signed,2025-02-10,2025-09-01", "Delta Goud,company,jewellery,Anne,gold,,,");
        Assert.True(result.Imported, result.Refusal?.ToString());

        var alpha = await EntryOfAsync("Alpha Goud");
        var history = await pipeline.HistoryAsync(alpha, default);
        Assert.Equal(
            [(null, Stage.Contacted, Midnight(2025, 2, 10)), (Stage.Contacted, Stage.Engaged, Midnight(2025, 9, 1)), (Stage.Engaged, Stage.Intake, Midnight(2025, 9, 1)),
             (Stage.Intake, Stage.SigningScheduled, Midnight(2025, 9, 1)), (Stage.SigningScheduled, Stage.Signed, Midnight(2025, 9, 1))],
            history.Select(h => (h.From, h.To, h.At)));
        Assert.All(history, h => Assert.Equal(("anne", SqlProspectImporter.HistoryReason), (h.By, h.Reason)));
        var entry = (await pipeline.GetEntryAsync(alpha, default))!;
        Assert.Equal((Stage.Signed, Midnight(2025, 9, 1)), (entry.Stage, entry.StageSince));

        // Without dates: one line at the import, as before; every line the import writes is marked imported.
        var delta = Assert.Single(await pipeline.HistoryAsync(await EntryOfAsync("Delta Goud"), default));
        Assert.Equal((Stage.Identified, clock.GetUtcNow()), (delta.To, delta.At));
        await using var c = await db.OpenAsync(default);
        Assert.Equal(6, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_change WHERE imported = @yes", new { yes = true }));
    }

    [Fact]
    public async Task Import_WithAFutureStageDate_WritesNothing_AndNamesTheRow()
    {
        var result = await ImportAsync("Alpha Goud,company,jewellery,Anne,gold,engaged,2025-02-10,2025-09-01", "Beta Goud,company,jewellery,Anne,gold,engaged,2025-02-10,2026-03-03");

        Assert.False(result.Imported);
        Assert.Equal("Row 3: Invalid - stage_on: The stage date 2026-03-03 is in the future.", Assert.Single(result.SkippedRows, r => r.Status == ImportRowStatus.Invalid).ToString());
        await using var c = await db.OpenAsync(default);
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_change"));
    }

    /// <summary>
    /// Hand-computed: in 2025 the imported Alpha (first contact 10 Feb, signed 1 Sep) and Beta (first contact 5 May, engaged
    /// 1 Jun) reached contacted and engaged, Alpha also intake, signing scheduled and signed; Gamma's first contact was in
    /// 2024 (declined 3 Mar 2025). So 2025 reads contacted 2, engaged 2, signed 1, first contact → signed 1 of 2, declined 1.
    /// In 2026 Delta (imported without dates: identified at the import) and Echo (added by hand, contacted) reached stages.
    /// Leaving out imported history leaves 2025 empty and 2026 with Echo alone.
    /// </summary>
    [Fact]
    public async Task Report_CountsImportedHistoryOnItsOwnDates_AndLeavesItOutOnRequest()
    {
        var result = await ImportAsync(
            "Alpha Goud,company,jewellery,Anne,gold,signed,2025-02-10,2025-09-01",
            "Beta Goud,company,jewellery,Anne,gold,engaged,2025-05-05,2025-06-01",
            "Gamma Goud,company,jewellery,Anne,gold,declined,2024-11-01,2025-03-03",
            "Delta Goud,company,jewellery,Anne,gold,identified,,");
        Assert.True(result.Imported, result.Refusal?.ToString());
        await pipeline.AddProspectAsync(prospects, new OrganisationDraft { Name = "Echo Goud", PartyKind = PartyKind.Company, Sector = "jewellery", Owner = "Anne" },
            gold, Stage.Contacted, clock.GetUtcNow(), "anne", "Met at a fair", default);
        var source = new SqlReportSource(db);

        async Task<ConversionReport> Report(int year, bool excludeImported)
        {
            var query = new ReportQuery { From = new DateOnly(year, 1, 1), To = new DateOnly(year, 12, 31), ExcludeImported = excludeImported };
            return ConversionReportBuilder.Build(query, await source.LoadAsync(query, default), clock.GetUtcNow());
        }

        var year2025 = await Report(2025, excludeImported: false);
        Assert.Equal([0, 2, 2, 1, 1, 1], year2025.Funnel.Select(f => f.Reached));
        Assert.Equal(new Share(1, 2), year2025.FirstContactToSigned);
        Assert.Equal(1, Assert.Single(year2025.Exits, x => x.Stage == Stage.Declined).Prospects);

        var year2025Live = await Report(2025, excludeImported: true);
        Assert.Equal([0, 0, 0, 0, 0, 0], year2025Live.Funnel.Select(f => f.Reached));
        Assert.DoesNotContain(year2025Live.Exits, x => x.Stage == Stage.Declined && x.Prospects > 0);

        Assert.Equal([1, 1, 0, 0, 0, 0], (await Report(2026, excludeImported: false)).Funnel.Select(f => f.Reached));
        Assert.Equal([0, 1, 0, 0, 0, 0], (await Report(2026, excludeImported: true)).Funnel.Select(f => f.Reached));
    }

    [Fact]
    public async Task Search_IgnoresCaseAndAccents_OnNamesDomainsAndContacts_AndFollowsRenames()
    {
        var zoe = await pipeline.AddProspectAsync(prospects, new OrganisationDraft { Name = "Zoë Édelmetaal B.V.", PartyKind = PartyKind.Company, Sector = "jewellery", Owner = "Anne", Website = "zoe-edel.nl", KvkNumber = "12345678" },
            gold, Stage.Identified, clock.GetUtcNow(), "anne", "x", default);
        var other = await pipeline.AddProspectAsync(prospects, new OrganisationDraft { Name = "Plain Metals", PartyKind = PartyKind.Company, Sector = "metals", Owner = "Bram" },
            gold, Stage.Identified, clock.GetUtcNow(), "anne", "x", default);
        await prospects.AddContactAsync(other.OrganisationId, new ContactDraft { Name = "Søren Ågård", Email = "soren@plain.example" }, default);

        async Task<IReadOnlyList<long>> Find(string text) =>
            (await pipeline.ListAsync(new ProspectFilter { Text = text }, ProspectSort.Name, false, 1, 50, default)).Items.Select(p => p.Id).ToList();

        Assert.Equal([zoe.Id], await Find("zoe edel"));
        Assert.Equal([zoe.Id], await Find("ZOË"));
        Assert.Equal([zoe.Id], await Find("EDELMETAAL"));
        Assert.Equal([zoe.Id], await Find("zoe-edel.nl"));
        Assert.Equal([zoe.Id], await Find("345678"));
        Assert.Equal([other.Id], await Find("agard"));
        Assert.Equal([other.Id], await Find("soren@"));
        Assert.Empty(await Find("100%"));

        var organisation = (await prospects.GetOrganisationAsync(zoe.OrganisationId, default))!;
        await prospects.UpdateOrganisationAsync(organisation.Id, new OrganisationDraft { Name = "Ünïcode Goud", PartyKind = PartyKind.Company, Sector = "jewellery", Owner = "Anne" }, default);
        Assert.Equal([zoe.Id], await Find("unicode"));
        Assert.Empty(await Find("zoe edel"));

        // The stored column is what the C# fold gives: the engines and the query fold alike.
        await using var c = await db.OpenAsync(default);
        Assert.Equal(Database.SearchFold("Ünïcode Goud  "), await c.ExecuteScalarAsync<string>("SELECT search_text FROM organisation WHERE id = @id", new { id = organisation.Id }));
    }

    [Fact]
    public async Task List_SortsByEachColumn_AndPagesWithoutOverlap()
    {
        string[] names = ["delta", "Alpha", "charlie", "Bravo", "echo"];
        var ids = new Dictionary<string, long>();
        for (var i = 0; i < names.Length; i++)
        {
            clock.Advance(TimeSpan.FromDays(1));
            var entry = await pipeline.AddProspectAsync(prospects, new OrganisationDraft { Name = names[i], PartyKind = PartyKind.Company, Sector = "jewellery", Owner = $"Owner {names.Length - i}" },
                gold, i % 2 == 0 ? Stage.Identified : Stage.Contacted, clock.GetUtcNow(), "anne", "x", default);
            ids[names[i]] = entry.Id;
            if (i < 3) await pipeline.SetNextActionAsync(entry.Id, "Call", new DateOnly(2026, 4, 10 - i), new DateOnly(2026, 3, 2), default);
        }

        async Task<string> Order(ProspectSort sort, bool desc = false) =>
            string.Join(",", (await pipeline.ListAsync(new ProspectFilter(), sort, desc, 1, 50, default)).Items.Select(p => p.OrganisationName));

        Assert.Equal("Alpha,Bravo,charlie,delta,echo", await Order(ProspectSort.Name));
        Assert.Equal("echo,delta,charlie,Bravo,Alpha", await Order(ProspectSort.Name, desc: true));
        Assert.Equal("delta,charlie,echo,Alpha,Bravo", await Order(ProspectSort.Stage));
        // Fewest days in the stage first: the latest to arrive in it.
        Assert.Equal("echo,Bravo,charlie,Alpha,delta", await Order(ProspectSort.DaysInStage));
        Assert.Equal("delta,Alpha,charlie,Bravo,echo", await Order(ProspectSort.DaysInStage, desc: true));
        Assert.Equal("echo,Bravo,charlie,Alpha,delta", await Order(ProspectSort.Owner));
        Assert.Equal("charlie,Alpha,delta,Bravo,echo", await Order(ProspectSort.NextActionDue));
        // Without a due day last either way.
        Assert.Equal("delta,Alpha,charlie,echo,Bravo", await Order(ProspectSort.NextActionDue, desc: true));

        var pages = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var p = await pipeline.ListAsync(new ProspectFilter(), ProspectSort.Name, false, page, 2, default);
            Assert.Equal(5, p.Total);
            pages.AddRange(p.Items.Select(i => i.OrganisationName));
        }

        Assert.Equal(["Alpha", "Bravo", "charlie", "delta", "echo"], pages);
        var contacted = await pipeline.ListAsync(new ProspectFilter { Stage = Stage.Contacted }, ProspectSort.Name, false, 1, 50, default);
        Assert.Equal((2, "Alpha,Bravo"), (contacted.Total, string.Join(",", contacted.Items.Select(i => i.OrganisationName))));
    }
}

public sealed class SqlitePipelineListAndHistoryTests() : PipelineListAndHistoryContract(StorageEngine.Sqlite);

public sealed class PostgresPipelineListAndHistoryTests() : PipelineListAndHistoryContract(StorageEngine.Postgres);
