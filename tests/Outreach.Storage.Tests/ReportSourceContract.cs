using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>
/// The SQL report source on both engines against the pure reference (<see cref="ProspectPath.FromHistory"/> on the
/// same hand-built history): equal inputs on SQLite and PostgreSQL, hence identical reports.
/// </summary>
public abstract class ReportSourceContract(StorageEngine engine, string? postgresOptions = null) : IAsyncLifetime
{
    private Database db = null!;
    private IReadOnlyDictionary<string, long> ids = null!;
    private SqlReportSource source = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabases.MigratedAsync(engine, new FakeTimeProvider(ReportDataSet.AsOf), postgresOptions);
        ids = await ReportDataSeeder.SeedAsync(db);
        source = new SqlReportSource(db);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A comparable picture of what a source returned, keyed by organisation name rather than ids.</summary>
    internal static List<string> Picture(ReportData data, Func<long, string> nameOfEntry) =>
        data.Prospects.Select(p => $"{nameOfEntry(p.EntryId)}: " + string.Join(", ", Stages.All.Select(s => $"{s.Code()}={p.FirstReached(s)?.ToUniversalTime():O}")))
            .Append($"moves {data.MovesInPeriod}")
            .Concat(data.ExitReasons.GroupBy(r => (r.Stage, r.Reason)).Select(g => $"reason {g.Key.Stage.Code()} {g.Key.Reason} {g.Sum(r => r.Times)}"))
            .Concat(data.ExitProspects.Select(x => $"exit prospects {x.Key.Code()} {x.Value}"))
            .Concat(data.Left.Select(l => $"left {l.Organisation} {l.Covenant} {l.SignedAt?.ToUniversalTime():O} {l.LeftAt.ToUniversalTime():O} {l.Reason} prospect {nameOfEntry(l.ProspectId)}"))
            .Order(StringComparer.Ordinal).ToList();

    private async Task AssertSameAsReferenceAsync(ReportQuery query, Func<ReportDataSet.Prospect, bool>? filter = null)
    {
        var actual = await source.LoadAsync(query, default);
        var byId = ids.ToDictionary(kv => kv.Value, kv => kv.Key);
        var expected = ReportDataSet.InMemory(query, filter);
        Assert.Equal(string.Join("\n", Picture(expected, id => ReportDataSet.Prospects[(int)id - 1].Name)), string.Join("\n", Picture(actual, id => byId[id])));
        // The computed figures match too (the builder is the same code; this guards the organisation ids and ordering).
        var a = ConversionReportBuilder.Build(query, actual, ReportDataSet.AsOf);
        var e = ConversionReportBuilder.Build(query, expected, ReportDataSet.AsOf);
        Assert.Equal(e.Funnel, a.Funnel);
        Assert.Equal(e.Conversions, a.Conversions);
        Assert.Equal(e.FirstContactToSigned, a.FirstContactToSigned);
        Assert.Equal(e.Durations, a.Durations);
        Assert.Equal(e.Cohorts, a.Cohorts);
        Assert.Equal(e.ReEntries, a.ReEntries);
        // The reference numbers its prospects 1, 2, …; the database has its own ids: the same prospect by name.
        Assert.Equal(e.Left.Select(l => l with { ProspectId = ids[l.Organisation] }), a.Left);
        Assert.Equal(e.Exits.Select(x => (x.Stage, x.Prospects, x.Moves, string.Join("|", x.Reasons))), a.Exits.Select(x => (x.Stage, x.Prospects, x.Moves, string.Join("|", x.Reasons))));
    }

    [Fact]
    public async Task TheYear_MatchesTheReference()
    {
        await AssertSameAsReferenceAsync(ReportDataSet.Year2025);
        var data = await source.LoadAsync(ReportDataSet.Year2025, default);
        // A to H; I has no line in 2025.
        Assert.Equal(8, data.Prospects.Count);
        Assert.Equal(30, data.MovesInPeriod);
        var report = ConversionReportBuilder.Build(ReportDataSet.Year2025, data, ReportDataSet.AsOf);
        Assert.Equal([5, 7, 6, 2, 2, 2], report.Funnel.Select(f => f.Reached));
        Assert.Equal(1, report.ReEntries);
    }

    [Fact]
    public async Task AQuarter_MatchesTheReference() =>
        await AssertSameAsReferenceAsync(new ReportQuery { From = new DateOnly(2025, 4, 1), To = new DateOnly(2025, 6, 30) });

    [Fact]
    public async Task PeriodEdges_AreAmsterdamMidnight()
    {
        // B's first contact is 20 January 10:00 UTC: a period of that one day holds it, the day before does not.
        var day = await source.LoadAsync(new ReportQuery { From = new DateOnly(2025, 1, 20), To = new DateOnly(2025, 1, 20) }, default);
        Assert.Equal([ids["Beta Juwelen"]], day.Prospects.Select(p => p.EntryId));
        var before = await source.LoadAsync(new ReportQuery { From = new DateOnly(2025, 1, 19), To = new DateOnly(2025, 1, 19) }, default);
        Assert.Empty(before.Prospects);
    }

    [Fact]
    public async Task ProspectPath_FollowsNewHistory_ThroughTheTrigger()
    {
        // A move written after the migration updates the derived first reaches; a re-entry leaves the first time alone.
        var beta = ids["Beta Juwelen"];
        var before = (await source.LoadAsync(ReportDataSet.Year2025, default)).Prospects.Single(p => p.EntryId == beta);
        // An instant with a fraction of a second: read back to the tick (SQLite's text is parsed digit by digit).
        var leftAt = new DateTimeOffset(2025, 12, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_560); // whole microseconds, which PostgreSQL keeps
        await new SqlPipelineStore(db, new FakeTimeProvider(leftAt)).ApplyAsync(new StageChange(beta, Stage.Signed, Stage.Left, leftAt, "anne", "Left again"), default);
        var after = (await source.LoadAsync(ReportDataSet.Year2025, default)).Prospects.Single(p => p.EntryId == beta);
        Assert.Null(before.FirstReached(Stage.Left));
        Assert.Equal(leftAt, after.FirstReached(Stage.Left));
        Assert.Equal(before.FirstReached(Stage.Contacted), after.FirstReached(Stage.Contacted));
    }

    [Fact]
    public async Task TheMigration_FillsProspectPathFromExistingHistory()
    {
        // Rebuild the derived table as migration 0007 does and compare: the backfill and the trigger agree.
        var script = Migrator.Scripts(engine).Single(s => s.Version == 7).Sql;
        var backfill = script[script.IndexOf("INSERT INTO prospect_path (entry_id, first_", StringComparison.Ordinal)..];
        backfill = backfill[..(backfill.IndexOf("GROUP BY entry_id;", StringComparison.Ordinal) + "GROUP BY entry_id;".Length)];
        var before = Picture(await source.LoadAsync(ReportDataSet.Year2025, default), id => id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using (var c = await db.OpenAsync(default))
        {
            await Dapper.SqlMapper.ExecuteAsync(c, "DELETE FROM prospect_path");
            await Dapper.SqlMapper.ExecuteAsync(c, backfill);
        }

        var after = Picture(await source.LoadAsync(ReportDataSet.Year2025, default), id => id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(before, after);
        Assert.Contains(after, line => line.Contains("signed=2025-07-11T10:00:00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheFigureSource_FindsOneProspectPerOrganisation_InTheReportsCovenants()
    {
        // The follow-through lists one prospect per attendee organisation: Alpha's organisation gets a second prospect, in metals.
        var clock = new FakeTimeProvider(ReportDataSet.AsOf);
        var pipeline = new SqlPipelineStore(db, clock);
        var covenants = (await new SqlProspectStore(db, clock).ListCovenantsAsync(default)).ToDictionary(c => c.Code, c => c.Id);
        async Task<long> OrganisationAsync(string name) => (await pipeline.GetEntryAsync(ids[name], default))!.OrganisationId;
        var (alpha, beta, theta) = (await OrganisationAsync("Alpha Goud B.V."), await OrganisationAsync("Beta Juwelen"), await OrganisationAsync("Theta Staal"));
        var alphaMetals = (await pipeline.AddEntryAsync(alpha, covenants["metals"], Stage.Identified, ReportDataSet.AsOf, "anne", "Also metals", default)).Id;
        var figures = new SqlReportFigureSource(db);
        long[] asked = [alpha, beta, theta, 987654];

        var all = await figures.ProspectsOfOrganisationsAsync(ReportDataSet.Year2025, asked, default);
        Assert.Equal(new Dictionary<long, long> { [alpha] = ids["Alpha Goud B.V."], [beta] = ids["Beta Juwelen"], [theta] = ids["Theta Staal"] }, all);
        var metals = await figures.ProspectsOfOrganisationsAsync(ReportDataSet.Year2025 with { CovenantId = covenants["metals"] }, asked, default);
        Assert.Equal(new Dictionary<long, long> { [alpha] = alphaMetals, [theta] = ids["Theta Staal"] }, metals);
        var both = await figures.ProspectsOfOrganisationsAsync(ReportDataSet.Year2025 with { CovenantIds = [covenants["gold"], covenants["metals"]] }, [alpha, theta], default);
        Assert.Equal(new Dictionary<long, long> { [alpha] = ids["Alpha Goud B.V."], [theta] = ids["Theta Staal"] }, both);
        Assert.Empty(await figures.ProspectsOfOrganisationsAsync(ReportDataSet.Year2025, [], default));
    }

    [Fact]
    public async Task Filters_ByCovenantSectorOwnerAndPartyKind()
    {
        var metals = (await new SqlProspectStore(db, new FakeTimeProvider(ReportDataSet.AsOf)).ListCovenantsAsync(default)).Single(c => c.Code == "metals").Id;
        await AssertSameAsReferenceAsync(ReportDataSet.Year2025 with { CovenantId = metals }, p => p.Covenant == "metals");
        await AssertSameAsReferenceAsync(ReportDataSet.Year2025 with { Sector = "steel" }, p => p.Sector == "steel");
        await AssertSameAsReferenceAsync(ReportDataSet.Year2025 with { Owner = "Anne" }, p => p.Owner == "Anne");
        await AssertSameAsReferenceAsync(ReportDataSet.Year2025 with { PartyKind = PartyKind.BranchOrganisation }, p => p.Kind == PartyKind.BranchOrganisation);
        var steel = await source.LoadAsync(ReportDataSet.Year2025 with { Sector = "steel" }, default);
        Assert.Equal([ids["Theta Staal"]], steel.Prospects.Select(p => p.EntryId));
    }

    [Fact]
    public async Task SeveralCovenants_AtOnce_MatchTheReference_BoundAsOneListParameter()
    {
        var covenants = (await new SqlProspectStore(db, new FakeTimeProvider(ReportDataSet.AsOf)).ListCovenantsAsync(default)).ToDictionary(c => c.Code, c => c.Id);
        var (gold, metals) = (covenants["gold"], covenants["metals"]);
        await AssertSameAsReferenceAsync(ReportDataSet.Year2025 with { CovenantIds = [gold, metals] }, p => p.Covenant is "gold" or "metals");
        // A covenant without prospects adds nothing; with another filter the list still binds (SQLite's own read binds it as text).
        await AssertSameAsReferenceAsync(ReportDataSet.Year2025 with { CovenantIds = [metals, covenants.Values.Max() + 1000] }, p => p.Covenant == "metals");
        await AssertSameAsReferenceAsync(ReportDataSet.Year2025 with { CovenantIds = [gold, metals], Owner = "Anne" }, p => p.Owner == "Anne");
        var both = await source.LoadAsync(ReportDataSet.Year2025 with { CovenantIds = [gold, metals] }, default);
        var goldOnly = await source.LoadAsync(ReportDataSet.Year2025 with { CovenantId = gold }, default);
        var metalsOnly = await source.LoadAsync(ReportDataSet.Year2025 with { CovenantId = metals }, default);
        Assert.Equal(goldOnly.Prospects.Count + metalsOnly.Prospects.Count, both.Prospects.Count);
        Assert.NotEmpty(goldOnly.Prospects);
        Assert.NotEmpty(metalsOnly.Prospects);
    }
}

public sealed class SqliteReportSourceTests() : ReportSourceContract(StorageEngine.Sqlite);

public sealed class PostgresReportSourceTests() : ReportSourceContract(StorageEngine.Postgres);

public sealed class PostgresUnicodeLocaleReportSourceTests() : ReportSourceContract(StorageEngine.Postgres, PostgresCluster.UnicodeLocale);
