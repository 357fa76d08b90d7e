using System.Diagnostics;
using System.Globalization;
using Dapper;
using Outreach.Core.Activities;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Benchmarks;

/// <summary>
/// Issue 15 point 7: the timeline page's query (<see cref="SqlTimelineSource"/>: one UNION ALL over its sources per page)
/// for a prospect with N lines (activities, stage changes and replies, a third each, and one line in fifty an onboarding
/// milestone created, marked done or reopened; other parties' milestones around it), the 1st and the 100th page of 50,
/// against reading the same rows, already merged, from one table with one index in the same run (the best a timeline
/// table of its own could do). Ratios: timeline / one table. BENCH_EXPLAIN=1 prints the plan of the milestone branch.
/// </summary>
public static class TimelineBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var lines = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5_000;
        var engines = (args.Length > 1 ? args[1] : "sqlite,postgres").Split(',').Select(e => Enum.Parse<StorageEngine>(e, ignoreCase: true)).ToList();
        var repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        const int pageSize = 50;
        var pages = lines / pageSize;
        Console.WriteLine($"Timeline benchmark: a prospect with {lines:N0} lines, pages of {pageSize}, median of {repeats} reads, {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"engine",-9} {"page",5} {"timeline ms",12} {"one table ms",13} {"ratio",7}");
        foreach (var engine in engines)
        {
            var (db, entryId) = await SeedAsync(engine, lines);
            var timeline = new SqlTimelineSource(db);
            // The cursors of every page, read once (a warm-up too), so each measured read is one page's query only.
            var cursors = new List<TimelineCursor?> { null };
            TimelinePage page;
            do
            {
                page = await timeline.PageAsync(entryId, new TimelineQuery { PageSize = pageSize, After = cursors[^1] }, default);
                cursors.Add(page.Next);
            }
            while (page.Next is not null);
            if (cursors.Count - 1 < pages) throw new InvalidOperationException($"Expected {pages} pages, read {cursors.Count - 1}.");
            var flatCursors = await FlatCursorsAsync(db, entryId, pageSize, pages);
            if (Environment.GetEnvironmentVariable("BENCH_EXPLAIN") == "1")
            {
                foreach (var n in new[] { 1, pages }) await ExplainAsync(db, timeline, entryId, new TimelineQuery { Kinds = new HashSet<TimelineKind> { TimelineKind.Onboarding }, PageSize = pageSize, After = cursors[n - 1] }, engine, n);
            }

            foreach (var n in new[] { 1, pages })
            {
                var t = await MedianAsync(repeats, async () =>
                {
                    var read = await timeline.PageAsync(entryId, new TimelineQuery { PageSize = pageSize, After = cursors[n - 1] }, default);
                    return read.Items.Count;
                });
                var f = await MedianAsync(repeats, () => FlatPageAsync(db, entryId, pageSize, flatCursors[n - 1]));
                Console.WriteLine($"{engine,-9} {n,5} {t,12:F2} {f,13:F2} {t / f,7:F1}");
            }
        }

        return 0;
    }

    private static async Task<(Database Db, long EntryId)> SeedAsync(StorageEngine engine, int lines)
    {
        var db = await TestDatabases.MigratedAsync(engine);
        // Real time: a benchmark measures real durations; the rows' own instants are fixed below.
        var prospects = new SqlProspectStore(db, TimeProvider.System);
        var covenant = await prospects.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2017, 6, 1), new DateOnly(2030, 6, 1), default);
        var organisation = await prospects.AddOrganisationAsync(Validation.Clean(new OrganisationDraft { Name = "Busy Goud", Sector = "jewellery", Owner = "Anne", Country = "NL" }), default);
        var start = new DateTimeOffset(2025, 1, 1, 8, 0, 0, TimeSpan.Zero);
        var entry = await new SqlPipelineStore(db, TimeProvider.System).AddEntryAsync(organisation.Id, covenant.Id, Stage.Identified, start, "Anne", "Found at a fair", default);
        // One line in fifty a milestone change: a party's few milestones, each created, done, reopened and done again.
        var milestoneLines = lines / 50 / 4 * 4;
        var each = (lines - 1 - milestoneLines) / 3;
        var others = new List<long>();
        for (var n = 0; n < 50; n++)
        {
            var org = await prospects.AddOrganisationAsync(Validation.Clean(new OrganisationDraft { Name = $"Andere Partij {n}", Sector = "jewellery", Owner = "Anne", Country = "NL" }), default);
            others.Add((await new SqlPipelineStore(db, TimeProvider.System).AddEntryAsync(org.Id, covenant.Id, Stage.Signed, start, "Anne", "Signed", default)).Id);
        }

        await using var c = await db.OpenAsync(default);
        await using (var tx = await Database.BeginWriteAsync(c, default))
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO activity (prospect_id, kind, occurred_at, text, author, created_at) VALUES (@entryId, 'note', @at, @text, 'Anne', @at)",
                Enumerable.Range(0, each).Select(n => new { entryId = entry.Id, at = start.AddMinutes(3 * n + 1), text = $"Note {n}" }), tx));
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO stage_change (entry_id, from_stage, to_stage, changed_at, changed_by, reason) VALUES (@entryId, 'contacted', 'engaged', @at, 'Anne', @text)",
                Enumerable.Range(0, each).Select(n => new { entryId = entry.Id, at = start.AddMinutes(3 * n + 2), text = $"Move {n}" }), tx));
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO mail_reply (message_id, kind, organisation_id, subject, received_at, outcome, recorded_at)
                VALUES (@id, 'reply', @organisationId, @text, @at, 'recorded', @at)
                """,
                Enumerable.Range(0, lines - 1 - 2 * each - milestoneLines).Select(n => new { id = $"m{n}", organisationId = organisation.Id, at = start.AddMinutes(3 * n + 3), text = $"Re: {n}" }), tx));
            await SeedMilestonesAsync(c, tx, entry.Id, milestoneLines / 4, start, TimeSpan.FromMinutes(3.0 * each / Math.Max(1, milestoneLines)));
            foreach (var other in others) await SeedMilestonesAsync(c, tx, other, 10, start, TimeSpan.FromMinutes(7));
            // The baseline: the same lines in one table, one index in the timeline's order.
            await c.ExecuteAsync("CREATE TABLE bench_timeline (prospect_id bigint NOT NULL, at_ticks bigint NOT NULL, source integer NOT NULL, id bigint NOT NULL, actor text, text text)", transaction: tx);
            await c.ExecuteAsync("CREATE INDEX ix_bench_timeline ON bench_timeline (prospect_id, at_ticks DESC, source DESC, id DESC)", transaction: tx);
            await tx.CommitAsync();
        }

        var all = new List<TimelineItem>();
        TimelinePage page;
        TimelineCursor? after = null;
        do
        {
            page = await new SqlTimelineSource(db).PageAsync(entry.Id, new TimelineQuery { PageSize = TimelineQuery.MaxPageSize, After = after }, default);
            all.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null);
        await using (var tx = await Database.BeginWriteAsync(c, default))
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO bench_timeline (prospect_id, at_ticks, source, id, actor, text) VALUES (@entryId, @ticks, @source, @Id, @Actor, @Text)",
                all.Select(i => new { entryId = entry.Id, ticks = i.At.UtcTicks, source = (int)i.Source, i.Id, i.Actor, i.Text }), tx));
            await tx.CommitAsync();
        }

        if (all.Count != lines) throw new InvalidOperationException($"Seeded {lines} lines, the timeline reads {all.Count}.");
        return (db, entry.Id);
    }

    /// <summary>A party's milestones, each with its four changes (created, done, reopened, done) spread over the timeline.</summary>
    private static async Task SeedMilestonesAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, long entryId, int milestones, DateTimeOffset start, TimeSpan step)
    {
        for (var m = 0; m < milestones; m++)
        {
            var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                """
                INSERT INTO onboarding_milestone (entry_id, milestone_key, monitoring_year, name_nl, name_en, due_on, plan_version, done_on, done_by, done_at, created_at)
                VALUES (@entryId, @key, @year, 'IMVO-beleid gepubliceerd', 'RBC policy published', @due, 1, @due, 'Anne', @at, @at) RETURNING id
                """,
                new { entryId, key = $"policy{m % 5}", year = m / 5, due = new DateOnly(2025, 6, 1), at = start }, tx));
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO onboarding_milestone_change (milestone_id, action, changed_at, changed_by, done_on, evidence_url, reason)
                VALUES (@id, @action, @at, 'Anne', @doneOn, @url, @reason)
                """,
                Enumerable.Range(0, 4).Select(k => new
                {
                    id, action = k switch { 0 => "created", 2 => "reopened", _ => "done" }, at = start + step * (4 * m + k),
                    doneOn = k % 2 == 1 ? new DateOnly(2025, 6, 1) : (DateOnly?)null, url = k % 2 == 1 ? "https://example.org/beleid" : null, reason = k == 2 ? "Wrong year" : null,
                }), tx));
        }
    }

    private static async Task ExplainAsync(Database db, SqlTimelineSource timeline, long entryId, TimelineQuery query, StorageEngine engine, int page)
    {
        await using var c = await db.OpenAsync(default);
        var plan = await c.QueryAsync((db.IsSqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + timeline.PageSql(query),
            new { prospectId = entryId, limit = query.PageSize + 1, at = query.After?.At ?? default, afterId = query.After?.Id ?? 0 });
        Console.WriteLine($"{engine} page {page}, milestone branch:");
        // SQLite's plan lines are in the last column (detail), PostgreSQL's in its only one.
        Console.WriteLine(string.Join(Environment.NewLine, plan.Select(l => "    " + ((IDictionary<string, object>)l).Values.Last())));
    }

    private sealed record FlatCursor(long Ticks, int Source, long Id);

    private static async Task<List<FlatCursor?>> FlatCursorsAsync(Database db, long entryId, int pageSize, int pages)
    {
        await using var c = await db.OpenAsync(default);
        var keys = (await c.QueryAsync<(long Ticks, int Source, long Id)>(
            "SELECT at_ticks, source, id FROM bench_timeline WHERE prospect_id = @entryId ORDER BY at_ticks DESC, source DESC, id DESC", new { entryId })).ToList();
        var cursors = new List<FlatCursor?> { null };
        for (var p = 1; p < pages; p++) cursors.Add(new FlatCursor(keys[p * pageSize - 1].Ticks, keys[p * pageSize - 1].Source, keys[p * pageSize - 1].Id));
        return cursors;
    }

    /// <summary>One page from the one table, with the same keyset condition (row comparison spelled out for both engines).</summary>
    private static async Task<int> FlatPageAsync(Database db, long entryId, int pageSize, FlatCursor? after)
    {
        await using var c = await db.OpenAsync(default);
        var rows = await c.QueryAsync<(long, int, long, string?, string?)>(new CommandDefinition(
            """
            SELECT at_ticks, source, id, actor, text FROM bench_timeline
            WHERE prospect_id = @entryId AND (@any = 0 OR at_ticks < @ticks OR (at_ticks = @ticks AND (source < @source OR (source = @source AND id < @id))))
            ORDER BY at_ticks DESC, source DESC, id DESC
            LIMIT @pageSize
            """,
            new { entryId, any = after is null ? 0 : 1, ticks = after?.Ticks ?? 0, source = after?.Source ?? 0, id = after?.Id ?? 0, pageSize }));
        return rows.Count();
    }

    private static async Task<double> MedianAsync(int repeats, Func<Task<int>> read)
    {
        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            if (await read() == 0) throw new InvalidOperationException("A page came back empty.");
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
