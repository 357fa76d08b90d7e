using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapper;
using Outreach.Storage;
using Outreach.Testing;

// Usage: dotnet run -c Release --project bench/Outreach.Benchmarks -- [rows=100000] [repeats=3] [engines=sqlite,postgres]
//    or: dotnet run -c Release --project bench/Outreach.Benchmarks -- sync [accounts=100000] [contacts=200000] [engines=sqlite,postgres]
//        (a first Dataverse sync from the local Web API server, run in a child process; see SyncBenchmark.cs)
//    or: dotnet run -c Release --project bench/Outreach.Benchmarks -- mail [mails=10000] [engines=sqlite,postgres] [perMinute=60]
//        (outbox dispatch through the pickup folder against writing the same .eml files in a plain loop, then 2.5 minutes (perMinute=0: skipped)
//        of mail with the per-mailbox limit on: the most sent in any minute against the limit; see MailBenchmark.cs)
//    or: dotnet run -c Release --project bench/Outreach.Benchmarks -- reports [organisations=100000] [changes=1000000] [engines=sqlite,postgres] [repeats=5]
//    or: dotnet run -c Release --project bench/Outreach.Benchmarks -- search [organisations=100000] [engines=sqlite,postgres] [repeats=5]
//        (free-text search of the prospect list on the stored folded columns against the fold-per-row search it replaced)
//    or: dotnet run -c Release --project bench/Outreach.Benchmarks -- events [invitees=1000] [engines=sqlite,postgres] [repeats=3]
//        (inviting through the event notice outbox against the same invitations passed to the channel in a plain loop)
//    or: dotnet run -c Release --project bench/Outreach.Benchmarks -- timeline [lines=5000] [engines=sqlite,postgres] [repeats=20]
//        (the timeline page's query, 1st and last (100th) page, against the same rows read from one table; see TimelineBenchmark.cs)
//    or: dotnet run -c Release --project bench/Outreach.Benchmarks -- onboarding [parties=2000] [engines=sqlite,postgres] [repeats=5]
//        (the monitoring report for N signed parties × 8 milestones × 5 years against a full scan of the milestone table)
//    or: dotnet run -c Release --project bench/Outreach.Benchmarks -- hangfire [mails=2000] [engines=sqlite,postgres] [kills=1]
//        (the outbox dispatcher against one Hangfire job per mail: mails/s, CPU per mail, and duplicates and lost mails after
//        a kill -9 of a child process; see HangfireDispatchBenchmark.cs, which re-invokes this program with a hidden verb)
// For each engine: the full CSV import (parse, validate, duplicate checks, organisations + contacts + entries +
// history in one transaction) against a baseline measured in the same run on the same engine: a plain prepared
// INSERT of the same organisation rows in one transaction (no parsing, no checks, no contacts or history).
if (args.Length > 0 && args[0] == "sync") return await SyncBenchmark.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == SyncBenchmark.ChildVerb) return await SyncBenchmark.ChildAsync(args[1..]);
if (args.Length > 0 && args[0] == "mail") return await Outreach.Benchmarks.MailBenchmark.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "reports") return await Outreach.Benchmarks.ReportBenchmark.RunAsync(args[1..]);
if (args.Length > 0 && args[0] is "hangfire" or "hangfire-child") return await Outreach.Benchmarks.HangfireDispatchBenchmark.RunAsync(args[0] == "hangfire" ? args[1..] : args);
if (args.Length > 0 && args[0] == "timeline") return await Outreach.Benchmarks.TimelineBenchmark.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "search") return await Outreach.Benchmarks.SearchBenchmark.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "events") return await Outreach.Benchmarks.EventBenchmark.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "onboarding") return await Outreach.Benchmarks.OnboardingBenchmark.RunAsync(args[1..]);

var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var engines = (args.Length > 2 ? args[2] : "sqlite,postgres").Split(',').Select(e => Enum.Parse<StorageEngine>(e, ignoreCase: true)).ToList();

var csv = MakeCsv(rows);
Console.WriteLine($"CSV import benchmark: {rows:N0} rows ({csv.Length / 1_048_576.0:F1} MB), median of {repeats} runs, {Environment.ProcessorCount} cores");
Console.WriteLine($"{"engine",-9} {"import s",9} {"baseline s",11} {"ratio",7} {"rows/s",10}");
foreach (var engine in engines)
{
    var import = new List<double>();
    var baseline = new List<double>();
    for (var i = 0; i < repeats; i++)
    {
        baseline.Add(await BaselineAsync(engine, rows));
        import.Add(await ImportAsync(engine, csv, rows));
    }

    var im = Median(import);
    var bm = Median(baseline);
    Console.WriteLine($"{engine,-9} {im,9:F2} {bm,11:F2} {im / bm,7:F1} {rows / im,10:N0}");
}

// The shared PostgreSQL cluster stops and removes itself when the process exits.
return 0;

static async Task<double> ImportAsync(StorageEngine engine, byte[] csv, int rows)
{
    var db = await TestDatabases.MigratedAsync(engine);
    // Real time throughout this file: a benchmark measures real durations, on the system clock as in production.
    var store = new SqlProspectStore(db, TimeProvider.System);
    await store.AddCovenantAsync("metals", "Metals Sector", new DateOnly(2022, 7, 1), new DateOnly(2027, 6, 30), default);
    var importer = TestImport.Create(db, TimeProvider.System);
    var watch = Stopwatch.StartNew();
    var result = await importer.ImportAsync(new MemoryStream(csv), importValidRowsOnly: false, "benchmark", progress: null, default);
    watch.Stop();
    if (!result.Imported || result.OrganisationsCreated != rows)
        throw new InvalidOperationException($"Import did not create {rows} organisations: {result.Refusal}");
    return watch.Elapsed.TotalSeconds;
}

static async Task<double> BaselineAsync(StorageEngine engine, int rows)
{
    var db = await TestDatabases.MigratedAsync(engine);
    await using var connection = await db.OpenAsync(default);
    var watch = Stopwatch.StartNew();
    await using (var tx = await Database.BeginWriteAsync(connection, default))
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT INTO organisation (name, normalised_name, party_kind, sector, country, kvk_number, website_domain, owner, created_at, updated_at)
            VALUES (@name, @normalised, 'company', 'steel', 'NL', @kvk, @domain, 'Anne de Vries', @now, @now)
            """;
        var name = Parameter(command, "@name");
        var normalised = Parameter(command, "@normalised");
        var kvk = Parameter(command, "@kvk");
        var domain = Parameter(command, "@domain");
        var now = Parameter(command, "@now");
        now.Value = db.IsSqlite ? DateTimeOffset.UnixEpoch.ToString("O", CultureInfo.InvariantCulture) : DateTimeOffset.UnixEpoch;
        await command.PrepareAsync();
        for (var i = 0; i < rows; i++)
        {
            name.Value = $"Bench Metals {i} B.V.";
            normalised.Value = $"bench metals {i}";
            kvk.Value = (10_000_000 + i).ToString(CultureInfo.InvariantCulture);
            domain.Value = $"bench{i}.example";
            await command.ExecuteNonQueryAsync();
        }

        await tx.CommitAsync();
    }

    watch.Stop();
    var count = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM organisation");
    if (count != rows) throw new InvalidOperationException($"Baseline wrote {count} rows, not {rows}.");
    return watch.Elapsed.TotalSeconds;
}

static System.Data.Common.DbParameter Parameter(System.Data.Common.DbCommand command, string name)
{
    var p = command.CreateParameter();
    p.ParameterName = name;
    p.Value = "";
    command.Parameters.Add(p);
    return p;
}

static byte[] MakeCsv(int rows)
{
    var sb = new StringBuilder("organisation;party_kind;sector;country;kvk_number;website;owner;covenant;stage;contact_name;contact_email;contact_language;contact_role\n");
    for (var i = 0; i < rows; i++)
        sb.Append(CultureInfo.InvariantCulture, $"Bench Metals {i} B.V.;company;steel;NL;{10_000_000 + i};bench{i}.example;Anne de Vries;metals;identified;Jan Bench{i};jan{i}@bench{i}.example;nl;Director\n");
    return Encoding.UTF8.GetBytes(sb.ToString());
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}
