using System.Diagnostics;
using System.Globalization;
using Dapper;
using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Benchmarks;

/// <summary>
/// The annual monitoring report (<see cref="MonitoringReports"/>: the plan, the covenant's signed parties with their
/// latest signing and leaving, their milestones, and the counting) for N signed parties × 8 yearly milestones × 5 years,
/// against a full scan of the milestone table in the same run (every row and column read into objects, nothing counted).
/// </summary>
public static class OnboardingBenchmark
{
    private const int Milestones = 8;

    public static async Task<int> RunAsync(string[] args)
    {
        var parties = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var engines = (args.Length > 1 ? args[1] : "sqlite,postgres").Split(',').Select(e => Enum.Parse<StorageEngine>(e, ignoreCase: true)).ToList();
        var repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        Console.WriteLine($"Monitoring report benchmark: {parties:N0} signed parties × {Milestones} milestones × 5 years ({parties * Milestones * 5:N0} milestone rows), median of {repeats} runs, {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"engine",-9} {"report ms",10} {"full scan ms",13} {"ratio",7} {"seed s",7}");
        foreach (var engine in engines)
        {
            var seed = Stopwatch.StartNew();
            var (db, reports, rows) = await SeedAsync(engine, parties);
            seed.Stop();
            var report = new List<double>();
            var scan = new List<double>();
            for (var i = 0; i < repeats + 1; i++)
            {
                var watch = Stopwatch.StartNew();
                var (built, errors) = await reports.BuildAsync("bench", "4", default);
                watch.Stop();
                if (built is null || errors.Count > 0 || built.Monitored.Count != parties || built.Milestones.Count != Milestones)
                    throw new InvalidOperationException($"The report did not count what was seeded ({built?.Monitored.Count} parties).");
                var w2 = Stopwatch.StartNew();
                var read = await FullScanAsync(db);
                w2.Stop();
                if (read != rows) throw new InvalidOperationException($"The scan read {read} rows, not {rows}.");
                // The first round warms both up (JIT, page cache); it is not counted.
                if (i == 0) continue;
                report.Add(watch.Elapsed.TotalMilliseconds);
                scan.Add(w2.Elapsed.TotalMilliseconds);
            }

            var r = Median(report);
            var s = Median(scan);
            Console.WriteLine($"{engine,-9} {r,10:F1} {s,13:F1} {r / s,7:F2} {seed.Elapsed.TotalSeconds,7:F1}");
        }

        return 0;
    }

    private static async Task<(Database Db, MonitoringReports Reports, int Rows)> SeedAsync(StorageEngine engine, int parties)
    {
        var db = await TestDatabases.MigratedAsync(engine);
        // Real time: a benchmark measures real durations, on the system clock as in production.
        var clock = TimeProvider.System;
        var prospects = new SqlProspectStore(db, clock);
        var covenant = await prospects.AddCovenantAsync("bench", "Bench Covenant", new DateOnly(2021, 1, 1), new DateOnly(2025, 12, 31), default);
        var store = new SqlOnboardingStore(db);
        var plan = Enumerable.Range(1, Milestones).Select(i => new PlanMilestone
        {
            Key = $"m{i}", NameNl = $"Mijlpaal {i}", NameEn = $"Milestone {i}", AppliesTo = PartyKinds.All, Due = DueRule.FixedEachYear, DueMonth = i, DueDay = 15, RepeatsYearly = true,
        }).ToList();
        await store.SavePlanAsync(covenant.Id, 0, plan, 0, clock.GetUtcNow(), "bench", default);
        var created = new DateTimeOffset(2020, 6, 1, 9, 0, 0, TimeSpan.Zero);
        await using var c = await db.OpenAsync(default);
        await using var tx = await c.BeginTransactionAsync();
        var ids = Enumerable.Range(1, parties).ToList();
        await c.ExecuteAsync(
            "INSERT INTO organisation (id, name, normalised_name, party_kind, sector, country, owner, created_at, updated_at) VALUES (@Id, @Name, @Normalised, 'company', 'metals', 'NL', 'Bench', @Created, @Created)",
            ids.Select(i => new { Id = (long)i, Name = $"Bench {i} B.V.", Normalised = $"bench {i}", Created = created }), tx);
        await c.ExecuteAsync(
            "INSERT INTO pipeline_entry (id, organisation_id, covenant_id, stage, stage_since, created_at) VALUES (@Id, @Id, @Covenant, 'signed', @Signed, @Created)",
            ids.Select(i => new { Id = (long)i, Covenant = covenant.Id, Signed = created.AddDays(i % 180), Created = created }), tx);
        await c.ExecuteAsync(
            "INSERT INTO stage_change (entry_id, from_stage, to_stage, changed_at, changed_by, reason) VALUES (@Id, 'signing_scheduled', 'signed', @Signed, 'bench', 'Signed')",
            ids.Select(i => new { Id = (long)i, Signed = created.AddDays(i % 180) }), tx);
        // Every party: each milestone in each of the covenant's five years, about two in three done.
        var rows = ids.SelectMany(i => Enumerable.Range(1, Milestones).SelectMany(m => Enumerable.Range(1, 5).Select(y =>
        {
            var done = (i + m + y) % 3 != 0;
            return new
            {
                Entry = (long)i, Key = $"m{m}", Year = y, NameNl = $"Mijlpaal {m}", NameEn = $"Milestone {m}", Due = new DateOnly(2020 + y, m, 15),
                Done = done ? new DateOnly(2020 + y, m, 10) : (DateOnly?)null, Url = done ? "https://bench.example/evidence" : null, By = done ? "bench" : null, Created = created,
            };
        }))).ToList();
        await c.ExecuteAsync(
            """
            INSERT INTO onboarding_milestone (entry_id, milestone_key, monitoring_year, name_nl, name_en, due_on, plan_version, done_on, evidence_url, done_by, done_at, created_at)
            VALUES (@Entry, @Key, @Year, @NameNl, @NameEn, @Due, 1, @Done, @Url, @By, NULL, @Created)
            """,
            rows, tx);
        await tx.CommitAsync();
        return (db, new MonitoringReports(prospects, store, clock), rows.Count);
    }

    private sealed class ScanRow
    {
        public long Id { get; init; }
        public long EntryId { get; init; }
        public string MilestoneKey { get; init; } = "";
        public int MonitoringYear { get; init; }
        public string NameNl { get; init; } = "";
        public string NameEn { get; init; } = "";
        public DateOnly DueOn { get; init; }
        public int PlanVersion { get; init; }
        public DateOnly? DoneOn { get; init; }
        public string? EvidenceUrl { get; init; }
        public long? EvidenceFileId { get; init; }
        public string? DoneBy { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
    }

    private static async Task<int> FullScanAsync(Database db)
    {
        await using var c = await db.OpenAsync(default);
        var rows = await c.QueryAsync<ScanRow>(
            """
            SELECT id AS Id, entry_id AS EntryId, milestone_key AS MilestoneKey, monitoring_year AS MonitoringYear, name_nl AS NameNl, name_en AS NameEn,
                   due_on AS DueOn, plan_version AS PlanVersion, done_on AS DoneOn, evidence_url AS EvidenceUrl, evidence_file_id AS EvidenceFileId,
                   done_by AS DoneBy, created_at AS CreatedAt
            FROM onboarding_milestone
            """);
        return rows.Count();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
