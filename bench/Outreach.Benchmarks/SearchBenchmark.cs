using System.Diagnostics;
using System.Globalization;
using Dapper;
using Outreach.Core.Pipeline;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Benchmarks;

/// <summary>
/// Issue 16 (5): free-text search of the prospect list (a page of 50 and the total) over N organisations, each with a
/// pipeline entry and a contact. Timed against a baseline in the same run on the same database: the search as it was
/// before migration 0029, folding name, KvK number, domain and every contact through the fold function on each query.
/// Single queries (median) and 20 at once (p95 of the 20 latencies), for a rare term, a common one and no match.
/// </summary>
public static class SearchBenchmark
{
    private const int Concurrent = 20;

    // Before migration 0029: SqlPipelineStore's text filter as it was, the list's count and page around it.
    private const string BaselineWhere =
        "WHERE (fold(o.name) LIKE '%' || fold(@Text) || '%' ESCAPE '\\' OR fold(o.kvk_number) LIKE '%' || fold(@Text) || '%' ESCAPE '\\' OR fold(o.website_domain) LIKE '%' || fold(@Text) || '%' ESCAPE '\\'"
        + " OR EXISTS (SELECT 1 FROM contact k WHERE k.organisation_id = o.id AND (fold(k.name) LIKE '%' || fold(@Text) || '%' ESCAPE '\\' OR fold(k.email) LIKE '%' || fold(@Text) || '%' ESCAPE '\\')))";

    private const string From = "pipeline_entry e JOIN organisation o ON o.id = e.organisation_id JOIN covenant v ON v.id = e.covenant_id";

    public static async Task<int> RunAsync(string[] args)
    {
        var organisations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var engines = (args.Length > 1 ? args[1] : "sqlite,postgres").Split(',').Select(e => Enum.Parse<StorageEngine>(e, ignoreCase: true)).ToList();
        var repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        Console.WriteLine($"Prospect list search benchmark: {organisations:N0} organisations with an entry and a contact each, page of 50 + total; median of {repeats} single queries, p95 of {Concurrent} at once; {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"engine",-9} {"term",-14} {"hits",7} {"search ms",10} {"before ms",10} {"ratio",6} {"20x p95 ms",11} {"before p95",11} {"ratio",6}");
        foreach (var engine in engines)
        {
            var migrated = await TestDatabases.MigratedAsync(engine);
            // Test databases turn SQLite's connection pool off; the application keeps it on (Database.ResolveConnectionString).
            var db = engine == StorageEngine.Sqlite ? new Database(engine, migrated.ConnectionString.Replace("Pooling=False", "Pooling=True", StringComparison.Ordinal)) : migrated;
            await LoadAsync(db, organisations);
            // Real time: a benchmark measures real durations, on the system clock as in production.
            var store = new SqlPipelineStore(db, TimeProvider.System);
            foreach (var term in new[] { "4711 B.V.", "zoë", "nergens-xyz" })
            {
                var filter = new ProspectFilter { Text = term };
                var page = await store.ListAsync(filter, ProspectSort.Name, false, 1, 50, default);
                var before = await BaselineAsync(db, term);
                if (page.Total != before)
                    throw new InvalidOperationException($"{engine} '{term}': the folded search found {page.Total}, the old one {before}; they must agree on this data.");

                if (Environment.GetEnvironmentVariable("BENCH_EXPLAIN") == "1") await ExplainAsync(db, term);
                var single = await TimeAsync(repeats, () => store.ListAsync(filter, ProspectSort.Name, false, 1, 50, default));
                var singleBefore = await TimeAsync(repeats, () => BaselineAsync(db, term));
                var p95 = await ConcurrentP95Async(() => store.ListAsync(filter, ProspectSort.Name, false, 1, 50, default));
                var p95Before = await ConcurrentP95Async(() => BaselineAsync(db, term));
                Console.WriteLine($"{engine,-9} {term,-14} {page.Total,7} {single,10:F1} {singleBefore,10:F1} {singleBefore / single,6:F1} {p95,11:F1} {p95Before,11:F1} {p95Before / p95,6:F1}");
            }
        }

        return 0;
    }

    /// <summary>The old query: the same count and page of 50, ordered by the entry's stage date as the board was.</summary>
    private static async Task<long> BaselineAsync(Database db, string text)
    {
        await using var c = await db.OpenAsync(default);
        var p = new { Text = Database.EscapeLike(text.Trim()) };
        var total = await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {From} {BaselineWhere}", p);
        _ = (await c.QueryAsync<long>($"SELECT e.id FROM {From} {BaselineWhere} ORDER BY fold(o.name), e.id LIMIT 50", p)).ToList();
        return total;
    }

    /// <summary>BENCH_EXPLAIN=1: the plan of the list's count for the term, to see which indexes answer it.</summary>
    private static async Task ExplainAsync(Database db, string text)
    {
        await using var c = await db.OpenAsync(default);
        var p = new { Text = "%" + Database.EscapeLike(Database.SearchFold(text.Trim())!) + "%" };
        var sql = $"SELECT COUNT(*) FROM {From} WHERE o.id IN (SELECT s.id FROM organisation s WHERE s.search_text LIKE @Text ESCAPE '\\' UNION ALL SELECT k.organisation_id FROM contact k WHERE k.search_text LIKE @Text ESCAPE '\\')";
        var plan = await c.QueryAsync((db.IsSqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + sql, p);
        // SQLite's plan lines are in the last column (detail), PostgreSQL's in its only one.
        Console.WriteLine(string.Join(Environment.NewLine, plan.Select(l => "    " + ((IDictionary<string, object>)l).Values.Last())));
    }

    private static async Task<double> TimeAsync(int repeats, Func<Task> query)
    {
        await query(); // warm-up
        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            await query();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static async Task<double> ConcurrentP95Async(Func<Task> query)
    {
        var latencies = await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(_ => Task.Run(async () =>
        {
            var watch = Stopwatch.StartNew();
            await query();
            return watch.Elapsed.TotalMilliseconds;
        })));
        Array.Sort(latencies);
        return latencies[(int)Math.Ceiling(0.95 * latencies.Length) - 1];
    }

    /// <summary>Organisations with Dutch-looking names (a few with accents), one entry in one covenant and one contact each.</summary>
    private static async Task LoadAsync(Database db, int organisations)
    {
        var clock = TimeProvider.System;
        var store = new SqlProspectStore(db, clock);
        var covenant = await store.AddCovenantAsync("metals", "Metals Sector", new DateOnly(2022, 7, 1), new DateOnly(2027, 6, 30), default);
        string[] words = ["Goud", "Zilver", "Edelmetaal", "Staal", "Koper", "Recycling", "Juwelen", "Zoë", "Métaux", "Ñandú"];
        await using var c = await db.OpenAsync(default);
        await using var tx = await Database.BeginWriteAsync(c, default);
        var now = db.IsSqlite ? (object)DateTimeOffset.UnixEpoch.ToString("O", CultureInfo.InvariantCulture) : DateTimeOffset.UnixEpoch;
        for (var i = 0; i < organisations; i++)
        {
            var name = $"{words[i % words.Length]} {words[(i / 10) % words.Length]} {i} B.V.";
            var id = await c.ExecuteScalarAsync<long>(
                """
                INSERT INTO organisation (name, normalised_name, party_kind, sector, country, kvk_number, website_domain, owner, created_at, updated_at)
                VALUES (@name, @normalised, 'company', 'steel', 'NL', @kvk, @domain, 'Anne de Vries', @now, @now) RETURNING id
                """,
                new { name, normalised = name.ToLowerInvariant(), kvk = (10_000_000 + i).ToString(CultureInfo.InvariantCulture), domain = $"org{i}.example", now }, tx);
            await c.ExecuteAsync("INSERT INTO contact (organisation_id, name, email, language, created_at, updated_at) VALUES (@id, @contact, @email, 'nl', @now, @now)",
                new { id, contact = $"Contact {i}", email = $"contact{i}@org{i}.example", now }, tx);
            await c.ExecuteAsync("INSERT INTO pipeline_entry (organisation_id, covenant_id, stage, stage_since, created_at) VALUES (@id, @covenant, 'identified', @now, @now)",
                new { id, covenant = covenant.Id, now }, tx);
        }

        await tx.CommitAsync();
        // A one-word command is taken for a stored procedure by Dapper unless told it is text.
        await c.ExecuteAsync(new CommandDefinition("ANALYZE", commandType: System.Data.CommandType.Text));
    }
}
