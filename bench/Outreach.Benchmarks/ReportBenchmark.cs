using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Outreach.Core.Pipeline;
using Outreach.Core.Reports;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Benchmarks;

/// <summary>
/// The conversion report over a large history: N organisations (one pipeline entry each) and M stage changes that
/// follow the stage rules, on each engine. The report (SQL aggregation + the pure computation) is timed against a
/// baseline measured in the same run on the same database: a plain full scan that reads every history row's
/// entry, stage and time to the client.
/// </summary>
public static class ReportBenchmark
{
    private static readonly DateOnly PeriodFrom = new(2019, 1, 1);
    private static readonly DateOnly PeriodTo = new(2027, 12, 31);
    private static readonly string[] Sectors = ["jewellery", "steel", "electronics", "recycling"];
    private static readonly string[] Owners = ["Anne de Vries", "Bram Jansen", "Claire Smit", "Daan Visser", "Eva Bakker"];
    private static readonly string[] Kinds = ["company", "company", "company", "branch_organisation", "ngo"];

    public static async Task<int> RunAsync(string[] args)
    {
        var organisations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var changes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        var engines = (args.Length > 2 ? args[2] : "sqlite,postgres").Split(',').Select(e => Enum.Parse<StorageEngine>(e, ignoreCase: true)).ToList();
        var repeats = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;

        var history = Generate(organisations, changes);
        var events = GenerateEvents(organisations);
        Console.WriteLine($"Conversion report benchmark: {organisations:N0} organisations, {history.Count:N0} stage changes, {events.Count:N0} network events with {events.Sum(e => e.Attendees.Length):N0} attending organisations, median of {repeats} runs after one warm-up, {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"engine",-9} {"case",-26} {"report s",9} {"scan s",8} {"ratio",6} {"+events s",9} {"moves",10} {"load s",7}");
        foreach (var engine in engines)
        {
            var migrated = await TestDatabases.MigratedAsync(engine);
            // Test databases turn SQLite's connection pool off; the application keeps it on (Database.ResolveConnectionString).
            var db = engine == StorageEngine.Sqlite ? new Database(engine, migrated.ConnectionString.Replace("Pooling=False", "Pooling=True", StringComparison.Ordinal)) : migrated;
            var load = Stopwatch.StartNew();
            await LoadAsync(db, organisations, history);
            await LoadEventsAsync(db, events);
            load.Stop();

            // Real time throughout this file: a benchmark measures real durations, on the system clock as in production.
            var covenants = await new SqlProspectStore(db, TimeProvider.System).ListCovenantsAsync(default);
            var reports = new ConversionReports(new SqlReportSource(db), TimeProvider.System);
            // The same report with the event effect and the follow-through read from the recorded attendance.
            var withEvents = new ConversionReports(new SqlReportSource(db), TimeProvider.System, new SqlEventAttendanceSource(db));
            var cases = new (string Name, ReportQuery Query)[]
            {
                ("full history, no filters", new ReportQuery { From = PeriodFrom, To = PeriodTo }),
                ("one quarter, one covenant", new ReportQuery { From = new DateOnly(2024, 1, 1), To = new DateOnly(2024, 3, 31), CovenantId = covenants[0].Id }),
                ("one year, covenant, sector", new ReportQuery { From = new DateOnly(2023, 1, 1), To = new DateOnly(2023, 12, 31), CovenantId = covenants.Single(c => c.Code == "gold").Id, Sector = Sectors[0] }),
            };
            foreach (var (name, query) in cases)
            {
                // Not timed: the report from the database equals the report from the generated history itself.
                var asOf = new DateTimeOffset(2028, 1, 1, 0, 0, 0, TimeSpan.Zero);
                var fromDb = ConversionReportBuilder.Build(query, await new SqlReportSource(db).LoadAsync(query, default), asOf);
                var reference = Reference(history, query, covenants);
                var fromHistory = ConversionReportBuilder.Build(query, reference, asOf);
                if (JsonSerializer.Serialize(fromDb) != JsonSerializer.Serialize(fromHistory))
                    throw new InvalidOperationException($"{engine} {name}: the report differs from the one computed from the history in memory.");
                var dbAttendance = await new SqlEventAttendanceSource(db).LoadAsync(query, default);
                var withEventsFromDb = ConversionReportBuilder.Build(query, await new SqlReportSource(db).LoadAsync(query, default), asOf, dbAttendance);
                var withEventsFromHistory = ConversionReportBuilder.Build(query, reference, asOf, ReferenceAttendance(events, query, covenants));
                if (JsonSerializer.Serialize(withEventsFromDb) != JsonSerializer.Serialize(withEventsFromHistory))
                    throw new InvalidOperationException($"{engine} {name}: the report with events differs from the one computed from the generated attendance in memory.");
                if (withEventsFromDb.EventFollowThrough.Events.Count == 0)
                    throw new InvalidOperationException($"{engine} {name}: no event in the follow-through; the benchmark would not measure it.");

                var report = new List<double>();
                var scan = new List<double>();
                var eventful = new List<double>();
                ConversionReport? last = null;
                for (var i = 0; i <= repeats; i++)
                {
                    var s = await ScanAsync(db, history.Count);
                    var watch = Stopwatch.StartNew();
                    last = await reports.BuildAsync(query, default);
                    watch.Stop();
                    var eventWatch = Stopwatch.StartNew();
                    await withEvents.BuildAsync(query, default);
                    eventWatch.Stop();
                    if (Environment.GetEnvironmentVariable("BENCH_DETAIL") == "1")
                    {
                        var w = Stopwatch.StartNew();
                        var data = await new SqlReportSource(db).LoadAsync(query, default);
                        var sql = w.Elapsed.TotalSeconds;
                        ConversionReportBuilder.Build(query, data, DateTimeOffset.UnixEpoch);
                        var compute = w.Elapsed.TotalSeconds - sql;
                        var a = Stopwatch.StartNew();
                        var attendance = await new SqlEventAttendanceSource(db).LoadAsync(query, default);
                        var attendanceSql = a.Elapsed.TotalSeconds;
                        EventFollowThroughBuilder.Build(query, data.Prospects, attendance);
                        Console.WriteLine($"  detail: sql {sql:F3} s, compute {compute:F3} s, {data.Prospects.Count} prospects, {data.MovesInPeriod} moves; attendance sql {attendanceSql:F3} s ({attendance?.Attended.Count} rows), follow-through {a.Elapsed.TotalSeconds - attendanceSql:F3} s");
                    }
                    if (i == 0) continue; // warm-up: JIT, connection pool, page cache
                    scan.Add(s);
                    report.Add(watch.Elapsed.TotalSeconds);
                    eventful.Add(eventWatch.Elapsed.TotalSeconds);
                }

                var rm = Median(report);
                var sm = Median(scan);
                Console.WriteLine($"{engine,-9} {name,-26} {rm,9:F3} {sm,8:F3} {rm / sm,6:F2} {Median(eventful),9:F3} {last!.MovesInPeriod,10:N0} {load.Elapsed.TotalSeconds,7:F1}");
            }

            // The report page itself under 20 concurrent requests, against the same page without its cache (ReportPageLoad.cs).
            await ReportPageLoad.RunAsync(engine, db, repeats);
        }

        return 0;
    }

    private sealed record Change(long EntryId, string? From, string To, DateTime At);

    /// <summary>What a report source must return for the generated history, computed from the history alone.</summary>
    private static ReportData Reference(List<Change> history, ReportQuery query, IReadOnlyList<Outreach.Core.Prospects.Covenant> covenants)
    {
        var gold = covenants.Single(c => c.Code == "gold");
        var metals = covenants.Single(c => c.Code == "metals");
        var paths = new List<ProspectPath>();
        var moves = 0;
        var reasons = new List<ExitReason>();
        var exitProspects = new Dictionary<Stage, int>();
        var left = new List<PartyThatLeft>();
        foreach (var entry in history.GroupBy(h => h.EntryId))
        {
            var i = entry.Key;
            var covenant = i % 2 == 0 ? gold : metals;
            if (query.CovenantId is { } c && c != covenant.Id) continue;
            if (query.Sector is { } sector && sector != Sectors[i % Sectors.Length]) continue;
            if (query.Owner is { } owner && owner != Owners[i % Owners.Length]) continue;
            if (query.PartyKind is { } kind && Outreach.Core.Prospects.PartyKinds.Code(kind) != Kinds[i % Kinds.Length]) continue;
            var lines = entry.Select(h => new StageChange(i, h.From is null ? null : Stages.Parse(h.From), Stages.Parse(h.To), new DateTimeOffset(h.At), "bench", Reason(h))).ToList();
            var path = ProspectPath.FromHistory(i, i, lines);
            if (path.FirstReachedAnyIn(query)) paths.Add(path);
            var inPeriod = lines.Where(l => query.Contains(l.At)).ToList();
            moves += inPeriod.Count;
            var exits = inPeriod.Where(l => l.To is Stage.Declined or Stage.NotNow or Stage.Left).ToList();
            reasons.AddRange(exits.Select(l => new ExitReason(l.To, l.Reason, 1)));
            foreach (var stage in exits.Select(l => l.To).Distinct()) exitProspects[stage] = exitProspects.GetValueOrDefault(stage) + 1;
            left.AddRange(exits.Where(l => l.To == Stage.Left).Select(l => new PartyThatLeft($"Bench {i} B.V.", covenant.Code, path.FirstReached(Stage.Signed), l.At, l.Reason, i)));
        }

        return new ReportData(paths, moves, reasons, exitProspects, left);
    }

    /// <summary>A generated network event: its covenant (gold for even ids), host (none for every third) and attending organisations.</summary>
    private sealed record BenchEvent(long Id, DateTimeOffset StartsAt, long? Host, long[] Attendees)
    {
        public string Title => $"Bench event {Id}";
        public bool Gold => Id % 2 == 0;
    }

    /// <summary>One event per 200 organisations (at least 10) over the history's years, 40 attending organisations each.</summary>
    private static List<BenchEvent> GenerateEvents(int organisations)
    {
        var random = new Random(20261201);
        var count = Math.Max(10, organisations / 200);
        var start = new DateTimeOffset(2019, 1, 1, 13, 0, 0, TimeSpan.Zero);
        return Enumerable.Range(1, count).Select(e => new BenchEvent(
            e, start.AddDays(random.Next(0, 7 * 365)), e % 3 == 0 ? null : random.Next(1, organisations + 1),
            Enumerable.Range(0, 40).Select(_ => (long)random.Next(1, organisations + 1)).Distinct().ToArray())).ToList();
    }

    /// <summary>
    /// Events, contacts and attendance through plain inserts: one contact per attending organisation, a second one for
    /// every seventh organisation (both attend: counted once), door check-ins for odd organisations, online for even ones.
    /// </summary>
    private static async Task LoadEventsAsync(Database db, List<BenchEvent> events)
    {
        await using var c = await db.OpenAsync(default);
        await using var tx = await c.BeginTransactionAsync();
        var covenants = (await c.QueryAsync<(long Id, string Code)>("SELECT id, code FROM covenant", transaction: tx)).ToDictionary(x => x.Code, x => x.Id);
        var created = new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var organisations = events.SelectMany(e => e.Attendees).Distinct().Order().ToList();
        var offset = organisations.Max();
        await c.ExecuteAsync(
            "INSERT INTO contact (id, organisation_id, name, email, language, created_at, updated_at) VALUES (@Id, @Organisation, @Name, @Email, 'nl', @Created, @Created)",
            organisations.SelectMany(o => (o % 7 == 0 ? new[] { o, offset + o } : [o]).Select(id => new { Id = id, Organisation = o, Name = $"Contact {id}", Email = $"c{id}@bench.example", Created = created })),
            tx);
        await c.ExecuteAsync(
            """
            INSERT INTO network_event (id, title, covenant_id, host_organisation_id, format, starts_at, ends_at, capacity, registration_deadline, status, uid, created_at, updated_at)
            VALUES (@Id, @Title, @Covenant, @Host, 'hybrid', @StartsAt, @EndsAt, 100, @StartsAt, 'scheduled', @Uid, @Created, @Created)
            """,
            events.Select(e => new { e.Id, e.Title, Covenant = covenants[e.Gold ? "gold" : "metals"], e.Host, e.StartsAt, EndsAt = e.StartsAt.AddHours(3), Uid = $"bench-{e.Id}@outreach.test", Created = created }),
            tx);
        await c.ExecuteAsync(
            """
            INSERT INTO invitation (event_id, contact_id, response, place, checked_in_at, attended_online, invited_at)
            VALUES (@Event, @Contact, 'accepted', 'confirmed', @CheckedIn, @Online, @Created)
            """,
            events.SelectMany(e => e.Attendees.SelectMany(o => (o % 7 == 0 ? new[] { o, offset + o } : [o]).Select(contact => new
            {
                Event = e.Id, Contact = contact, CheckedIn = o % 2 == 1 ? e.StartsAt.AddMinutes(5) : (DateTimeOffset?)null, Online = o % 2 == 0, Created = created,
            }))),
            tx);
        await tx.CommitAsync();
    }

    /// <summary>What the attendance source must return for the generated events and the query, from the generated data alone.</summary>
    private static EventAttendance ReferenceAttendance(List<BenchEvent> events, ReportQuery query, IReadOnlyList<Outreach.Core.Prospects.Covenant> covenants)
    {
        var gold = covenants.Single(c => c.Code == "gold").Id;
        bool Matches(long i) =>
            (query.CovenantId is not { } c || (c == gold) == (i % 2 == 0))
            && (query.Sector is not { } sector || sector == Sectors[i % Sectors.Length])
            && (query.Owner is not { } owner || owner == Owners[i % Owners.Length])
            && (query.PartyKind is not { } kind || Outreach.Core.Prospects.PartyKinds.Code(kind) == Kinds[i % Kinds.Length]);
        return EventAttendance.Of(events
            .Where(e => e.StartsAt < query.End && (query.CovenantId is not { } c || (c == gold) == e.Gold))
            .OrderBy(e => e.StartsAt).ThenBy(e => e.Id)
            .SelectMany(e => e.Attendees.Where(Matches).Order().Select(o => new AttendedEvent(o, e.Id, e.Title, e.StartsAt, e.Host, e.Host is { } h ? $"Bench {h} B.V." : null))));
    }

    /// <summary>Histories that follow the stage rules: mostly forward one step, sometimes back, out or re-approached.</summary>
    private static List<Change> Generate(int organisations, int changes)
    {
        var random = new Random(20261122);
        var list = new List<Change>(changes);
        var start = new DateTime(2019, 1, 1, 9, 0, 0, DateTimeKind.Utc);
        for (var e = 0; e < organisations; e++)
        {
            // Spread the changes evenly: entry e gets its share of the total.
            var count = (int)((long)changes * (e + 1) / organisations - (long)changes * e / organisations);
            var at = start.AddDays(random.Next(0, 6 * 365)).AddMinutes(random.Next(0, 600));
            Stage? from = null;
            var stage = Stage.Identified;
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    var allowed = StageRules.Allowed[stage];
                    stage = random.NextDouble() < 0.7 ? allowed[0] : allowed[random.Next(allowed.Count)];
                    at = at.AddDays(random.Next(1, 60)).AddMinutes(random.Next(0, 600));
                }

                list.Add(new Change(e + 1, from?.Code(), stage.Code(), at));
                from = stage;
            }
        }

        return list;
    }

    private static async Task LoadAsync(Database db, int organisations, List<Change> history)
    {
        await using var c = await db.OpenAsync(default);
        var gold = await new SqlProspectStore(db, TimeProvider.System).AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2017, 6, 1), new DateOnly(2027, 6, 1), default);
        var metals = await new SqlProspectStore(db, TimeProvider.System).AddCovenantAsync("metals", "Metals Sector", new DateOnly(2019, 7, 1), new DateOnly(2029, 7, 1), default);
        var last = history.GroupBy(h => h.EntryId).ToDictionary(g => g.Key, g => g.Last());
        var created = new DateTime(2019, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        if (c is NpgsqlConnection pg)
        {
            await using (var w = await pg.BeginBinaryImportAsync("COPY organisation (id, name, normalised_name, party_kind, sector, country, owner, created_at, updated_at) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = 1; i <= organisations; i++)
                {
                    await w.StartRowAsync();
                    await w.WriteAsync((long)i, NpgsqlDbType.Bigint);
                    await w.WriteAsync($"Bench {i} B.V.");
                    await w.WriteAsync($"bench {i}");
                    await w.WriteAsync(Kinds[i % Kinds.Length]);
                    await w.WriteAsync(Sectors[i % Sectors.Length]);
                    await w.WriteAsync("NL");
                    await w.WriteAsync(Owners[i % Owners.Length]);
                    await w.WriteAsync(created, NpgsqlDbType.TimestampTz);
                    await w.WriteAsync(created, NpgsqlDbType.TimestampTz);
                }

                await w.CompleteAsync();
            }

            await using (var w = await pg.BeginBinaryImportAsync("COPY pipeline_entry (id, organisation_id, covenant_id, stage, stage_since, created_at) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = 1; i <= organisations; i++)
                {
                    await w.StartRowAsync();
                    await w.WriteAsync((long)i, NpgsqlDbType.Bigint);
                    await w.WriteAsync((long)i, NpgsqlDbType.Bigint);
                    await w.WriteAsync(i % 2 == 0 ? gold.Id : metals.Id, NpgsqlDbType.Bigint);
                    await w.WriteAsync(last[i].To);
                    await w.WriteAsync(last[i].At, NpgsqlDbType.TimestampTz);
                    await w.WriteAsync(created, NpgsqlDbType.TimestampTz);
                }

                await w.CompleteAsync();
            }

            // A million row triggers outlast the command timeout: load with the triggers off and fill the derived
            // tables with their migrations' own statements, as the migrations do for an existing history.
            await c.ExecuteAsync("ALTER TABLE stage_change DISABLE TRIGGER stage_change_prospect_path");
            await c.ExecuteAsync("ALTER TABLE stage_change DISABLE TRIGGER stage_change_report_prospect");
            await using (var w = await pg.BeginBinaryImportAsync("COPY stage_change (entry_id, from_stage, to_stage, changed_at, changed_by, reason) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var h in history)
                {
                    await w.StartRowAsync();
                    await w.WriteAsync(h.EntryId, NpgsqlDbType.Bigint);
                    if (h.From is null) await w.WriteNullAsync(); else await w.WriteAsync(h.From);
                    await w.WriteAsync(h.To);
                    await w.WriteAsync(h.At, NpgsqlDbType.TimestampTz);
                    await w.WriteAsync("bench");
                    await w.WriteAsync(Reason(h));
                }

                await w.CompleteAsync();
            }

            await c.ExecuteAsync(ProspectPathBackfill(StorageEngine.Postgres), commandTimeout: 0);
            await c.ExecuteAsync(ReportSummary.RebuildSql(StorageEngine.Postgres), commandTimeout: 0);
            await c.ExecuteAsync("ALTER TABLE stage_change ENABLE TRIGGER stage_change_prospect_path");
            await c.ExecuteAsync("ALTER TABLE stage_change ENABLE TRIGGER stage_change_report_prospect");
            // What autovacuum does on a live database after a large change.
            await c.ExecuteAsync("VACUUM ANALYZE", commandTimeout: 0);
            return;
        }

        var sqlite = (SqliteConnection)c;
        await using var tx = sqlite.BeginTransaction();
        await Bulk(sqlite, tx, "INSERT INTO organisation (id, name, normalised_name, party_kind, sector, country, owner, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'NL', $6, $7, $7)",
            Enumerable.Range(1, organisations).Select(i => new object?[] { i, $"Bench {i} B.V.", $"bench {i}", Kinds[i % Kinds.Length], Sectors[i % Sectors.Length], Owners[i % Owners.Length], Text(created) }));
        await Bulk(sqlite, tx, "INSERT INTO pipeline_entry (id, organisation_id, covenant_id, stage, stage_since, created_at) VALUES ($1, $1, $2, $3, $4, $5)",
            Enumerable.Range(1, organisations).Select(i => new object?[] { i, i % 2 == 0 ? gold.Id : metals.Id, last[i].To, Text(last[i].At), Text(created) }));
        // As on PostgreSQL: the history without its derived-table triggers, then the migrations' fills, then the triggers back.
        var triggers = new[] { (7, "stage_change_prospect_path"), (11, "stage_change_report_prospect") }
            .Select(t => (t.Item2, Create: TriggerSql(t.Item1, t.Item2))).ToList();
        foreach (var (name, _) in triggers) await c.ExecuteAsync($"DROP TRIGGER {name}", transaction: tx);
        await Bulk(sqlite, tx, "INSERT INTO stage_change (entry_id, from_stage, to_stage, changed_at, changed_by, reason) VALUES ($1, $2, $3, $4, 'bench', $5)",
            history.Select(h => new object?[] { h.EntryId, h.From, h.To, Text(h.At), Reason(h) }));
        await c.ExecuteAsync(ProspectPathBackfill(StorageEngine.Sqlite), transaction: tx, commandTimeout: 0);
        await c.ExecuteAsync(ReportSummary.RebuildSql(StorageEngine.Sqlite), transaction: tx, commandTimeout: 0);
        foreach (var (_, create) in triggers) await c.ExecuteAsync(create, transaction: tx);
        await tx.CommitAsync();
        // A live database has long since checkpointed its write-ahead log; a fresh bulk load leaves it at a gigabyte.
        await c.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
    }

    /// <summary>Migration 0007's statement that fills prospect_path from the history.</summary>
    private static string ProspectPathBackfill(StorageEngine engine)
    {
        var script = Migrator.Scripts(engine).Single(m => m.Version == 7).Sql;
        var backfill = script[script.IndexOf("INSERT INTO prospect_path (entry_id, first_", StringComparison.Ordinal)..];
        return backfill[..(backfill.IndexOf("GROUP BY entry_id;", StringComparison.Ordinal) + "GROUP BY entry_id;".Length)];
    }

    /// <summary>A SQLite migration's CREATE TRIGGER statement, as written there.</summary>
    private static string TriggerSql(int version, string name)
    {
        var script = Migrator.Scripts(StorageEngine.Sqlite).Single(m => m.Version == version).Sql;
        var start = script.IndexOf($"CREATE TRIGGER {name} ", StringComparison.Ordinal);
        return script[start..(script.IndexOf("\nEND;", start, StringComparison.Ordinal) + "\nEND;".Length)];
    }

    private static string Reason(Change h) => h.To switch
    {
        "declined" => h.EntryId % 3 == 0 ? "No capacity for due diligence this year" : "Prefers an international initiative",
        "not_now" => h.EntryId % 2 == 0 ? "Budget for next year not yet set" : "Reorganisation under way",
        "left" => "Company sold; new owner does not continue",
        _ => "Moved on",
    };

    private static string Text(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static async Task Bulk(SqliteConnection c, SqliteTransaction tx, string sql, IEnumerable<object?[]> rows)
    {
        await using var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        var parameters = new List<SqliteParameter>();
        foreach (var row in rows)
        {
            if (parameters.Count == 0)
            {
                for (var i = 0; i < row.Length; i++) parameters.Add(command.Parameters.Add(new SqliteParameter("$" + (i + 1), null)));
                command.Prepare();
            }

            for (var i = 0; i < row.Length; i++) parameters[i].Value = row[i] ?? DBNull.Value;
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The baseline: every history row's entry, stage and time read to the client, nothing computed.</summary>
    private static async Task<double> ScanAsync(Database db, int expected)
    {
        var watch = Stopwatch.StartNew();
        await using var c = await db.OpenAsync(default);
        await using var command = c.CreateCommand();
        command.CommandText = "SELECT entry_id, to_stage, changed_at FROM stage_change";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        long sum = 0;
        while (await reader.ReadAsync())
        {
            sum += reader.GetInt64(0) + reader.GetString(1).Length;
            _ = reader.GetValue(2);
            rows++;
        }

        watch.Stop();
        if (rows != expected || sum == 0) throw new InvalidOperationException($"The scan read {rows} rows, not {expected}.");
        return watch.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
