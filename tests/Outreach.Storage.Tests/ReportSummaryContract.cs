using System.Globalization;
using Dapper;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>
/// report_prospect is derived from the stage history: kept by the trigger move by move, it must equal a rebuild from
/// the history, and the report source reading it must match the reference computed from the history, for histories
/// with re-entries, exits entered more than once and lines written out of time order.
/// </summary>
public abstract class ReportSummaryContract(StorageEngine engine) : IAsyncLifetime
{
    private static readonly string[] Reasons = ["Moved on", "No capacity for due diligence this year", "Budget for next year not yet set", "Company sold"];
    private Database db = null!;
    private readonly List<(long EntryId, string Name, List<StageChange> Lines)> prospects = [];

    public async Task InitializeAsync()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 1, 1, 9, 0, 0, TimeSpan.Zero));
        db = await TestDatabases.MigratedAsync(engine, clock);
        var store = new SqlProspectStore(db, clock);
        var pipeline = new SqlPipelineStore(db, clock);
        var gold = await store.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2017, 6, 1), new DateOnly(2027, 6, 1), default);
        var random = new Random(6011);
        var start = new DateTimeOffset(2024, 1, 1, 9, 0, 0, TimeSpan.Zero);

        async Task AddAsync(string name, IReadOnlyList<(Stage To, DateTimeOffset At, string Reason)> moves)
        {
            var organisation = await store.AddOrganisationAsync(Validation.Clean(new OrganisationDraft { Name = name, Sector = "jewellery", Owner = "Anne", PartyKind = PartyKind.Company, Country = "NL" }), default);
            var entry = await pipeline.AddEntryAsync(organisation.Id, gold.Id, moves[0].To, moves[0].At, "anne", moves[0].Reason, default);
            var lines = new List<StageChange> { new(entry.Id, null, moves[0].To, moves[0].At, "anne", moves[0].Reason) };
            foreach (var (to, at, reason) in moves.Skip(1))
            {
                var change = new StageChange(entry.Id, lines[^1].To, to, at, "anne", reason, to == Stage.NotNow ? DateOnly.FromDateTime(at.UtcDateTime).AddDays(90) : null);
                await pipeline.ApplyAsync(change, default);
                lines.Add(change);
            }

            prospects.Add((entry.Id, name, lines));
        }

        // The example: contacted → not now → contacted → … → signed.
        DateTimeOffset Day(int d) => start.AddDays(d);
        await AddAsync("Reentry B.V.",
        [
            (Stage.Contacted, Day(0), "Moved on"), (Stage.NotNow, Day(20), "Budget for next year not yet set"), (Stage.Contacted, Day(200), "Moved on"),
            (Stage.Engaged, Day(210), "Moved on"), (Stage.Intake, Day(220), "Moved on"), (Stage.SigningScheduled, Day(230), "Moved on"), (Stage.Signed, Day(240), "Moved on"),
        ]);
        // Random walks by the stage rules; one move in eight is dated before the previous one (a late entry of history).
        for (var p = 0; p < 30; p++)
        {
            var moves = new List<(Stage, DateTimeOffset, string)>();
            var stage = random.Next(3) == 0 ? Stage.Contacted : Stage.Identified;
            var at = start.AddDays(random.Next(0, 700)).AddMinutes(random.Next(0, 1440)).AddTicks(random.Next(0, 1_000_000) * 10L);
            moves.Add((stage, at, Reasons[0]));
            for (var i = random.Next(0, 14); i > 0; i--)
            {
                var allowed = StageRules.Allowed[stage];
                stage = allowed[random.Next(allowed.Count)];
                at = random.Next(8) == 0 ? at.AddDays(-random.Next(1, 90)) : at.AddDays(random.Next(0, 60)).AddMinutes(random.Next(0, 600));
                moves.Add((stage, at, Reasons[random.Next(Reasons.Length)]));
            }

            await AddAsync($"Random {p} B.V.", moves);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<List<string>> SummaryRowsAsync()
    {
        await using var c = await db.OpenAsync(default);
        var rows = await c.QueryAsync("SELECT * FROM report_prospect ORDER BY entry_id");
        return rows.Cast<IDictionary<string, object?>>()
            .Select(r => string.Join(" ", r.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={Convert.ToString(kv.Value, CultureInfo.InvariantCulture)}")))
            .ToList();
    }

    [Fact]
    public async Task TheTriggerKeptSummary_EqualsARebuildFromTheHistory()
    {
        var kept = await SummaryRowsAsync();
        await ReportSummary.RebuildAsync(db, default);
        var rebuilt = await SummaryRowsAsync();
        Assert.Equal(prospects.Count, kept.Count);
        Assert.Equal(rebuilt, kept);
        // The history really has re-entries and exits entered twice, so the comparison covers them.
        var reentries = prospects.Sum(p => p.Lines.Count - p.Lines.Select(l => l.To).Distinct().Count());
        Assert.True(reentries > 20, $"only {reentries} re-entries");
        Assert.Contains(prospects, p => p.Lines.Count(l => l.To == Stage.Declined) > 1 || p.Lines.Count(l => l.To == Stage.NotNow) > 1);
        Assert.Contains(kept, row => row.EndsWith(" reentries=1", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> Periods() => new()
    {
        { "2023-01-01", "2027-12-31" }, // all of it: every prospect lies inside
        { "2024-04-01", "2024-06-30" }, // a quarter: re-entries and exits straddle its ends
        { "2024-09-15", "2025-03-14" },
        { "2025-01-01", "2025-12-31" },
        { "2024-03-03", "2024-03-03" }, // one day
    };

    [Theory]
    [MemberData(nameof(Periods))]
    public async Task TheSource_MatchesTheReferenceFromTheHistory(string from, string to)
    {
        var query = new ReportQuery { From = DateOnly.Parse(from, CultureInfo.InvariantCulture), To = DateOnly.Parse(to, CultureInfo.InvariantCulture) };
        var actual = await new SqlReportSource(db).LoadAsync(query, default);
        var expected = Reference(query);
        string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(string.Join("\n", ReportSourceContract.Picture(expected, Id)), string.Join("\n", ReportSourceContract.Picture(actual, Id)));
        Assert.Equal(expected.MovesInPeriod, actual.MovesInPeriod);
    }

    private ReportData Reference(ReportQuery query)
    {
        var paths = new List<ProspectPath>();
        var moves = 0;
        var reasons = new List<ExitReason>();
        var exitProspects = new Dictionary<Stage, int>();
        var left = new List<PartyThatLeft>();
        foreach (var (entryId, name, lines) in prospects)
        {
            var path = ProspectPath.FromHistory(entryId, 0, lines);
            if (path.FirstReachedAnyIn(query)) paths.Add(path);
            var inPeriod = lines.Where(l => query.Contains(l.At)).ToList();
            moves += inPeriod.Count;
            var exits = inPeriod.Where(l => l.To is Stage.Declined or Stage.NotNow or Stage.Left).ToList();
            reasons.AddRange(exits.Select(l => new ExitReason(l.To, l.Reason, 1)));
            foreach (var stage in exits.Select(l => l.To).Distinct()) exitProspects[stage] = exitProspects.GetValueOrDefault(stage) + 1;
            left.AddRange(exits.Where(l => l.To == Stage.Left).Select(l => new PartyThatLeft(name, "gold", path.FirstReached(Stage.Signed), l.At, l.Reason, entryId)));
        }

        return new ReportData(paths, moves, reasons, exitProspects, left);
    }
}

public sealed class SqliteReportSummaryTests() : ReportSummaryContract(StorageEngine.Sqlite);

public sealed class PostgresReportSummaryTests() : ReportSummaryContract(StorageEngine.Postgres);
