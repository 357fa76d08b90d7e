using System.Diagnostics;
using System.Globalization;
using Dapper;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Outreach.Core.Mail;
using Outreach.Jobs.Scheduling;
using Outreach.Mail;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Benchmarks;

/// <summary>
/// Issue 13 point 9: the mail outbox (rows claimed under a lease by <see cref="OutboxDispatcher"/>) against the obvious Hangfire
/// design (one Hangfire job per mail, the draft as its argument), side by side on each engine: Hangfire.InMemory is the SQLite
/// row (what the embedded node runs), Hangfire.PostgreSql in the app database the PostgreSQL row. Both write through the same
/// <see cref="PickupFolderDelivery"/> with four in flight (the dispatcher's Parallelism, four Hangfire workers).
/// Throughput: enqueue N, then deliver all; wall and process CPU for each (on PostgreSQL also the server's CPU, read from /proc,
/// since most of Hangfire's work there happens in the database). Crash: each design runs in a child process that is killed
/// (kill -9 of the tree) once ~40 % of the mails are written (kills=k: k children killed in turn, for more chances to hit a
/// mail between its send and its mark), then one more child finishes; duplicates are sends of a key
/// whose mail was already delivered (the pickup folder itself drops the second copy by its file name, a mail service would
/// not), lost are keys never written.
/// </summary>
public static class HangfireDispatchBenchmark
{
    private const int InFlight = 4;
    private const string ChildVerb = "hangfire-child";
    /// <summary>The crash children's lease (outbox) and invisibility timeout (Hangfire.PostgreSql): short, so the run is short.</summary>
    private static readonly TimeSpan CrashLease = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CrashInvisibility = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == ChildVerb) return await ChildAsync(args[1..]);
        var mails = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var engines = (args.Length > 1 ? args[1] : "sqlite,postgres").Split(',').Select(e => Enum.Parse<StorageEngine>(e, ignoreCase: true)).ToList();
        var kills = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        Console.WriteLine($"Outbox against one Hangfire job per mail: {mails:N0} mails through the pickup folder, {InFlight} in flight, {Environment.ProcessorCount} cores");
        Console.WriteLine("(SQLite row: outbox in SQLite, Hangfire.InMemory; PostgreSQL row: both in the app database. wall = enqueue + deliver;");
        Console.WriteLine(" cpu ms/mail: this process; db cpu: the PostgreSQL server's; cpu ratio: both together against the outbox's;");
        Console.WriteLine($" crash: {(kills <= 1 ? "a child killed at 40 % written" : $"{kills} children killed in turn, from 10 % to 90 % written (Hangfire.InMemory: one)")}, then one finishes; duplicates: sends of a key already delivered; outbox lease {CrashLease.TotalSeconds:F0} s, Hangfire invisibility {CrashInvisibility.TotalSeconds:F0} s)");
        var rows = new List<string>();
        foreach (var engine in engines)
        {
            // A small round first, not counted: JIT and first connections would otherwise land on whichever design runs first.
            await OutboxThroughputAsync(engine, Math.Min(mails, 50));
            await HangfireThroughputAsync(engine, Math.Min(mails, 50));
            var outbox = await OutboxThroughputAsync(engine, mails);
            var hangfire = await HangfireThroughputAsync(engine, mails);
            var outboxCrash = await CrashAsync("outbox", engine, mails, kills);
            var hangfireCrash = await CrashAsync("hangfire", engine, mails, kills);
            rows.Add(Row("outbox", engine, mails, outbox, outbox, outboxCrash));
            rows.Add(Row(engine == StorageEngine.Sqlite ? "hangfire (in-memory)" : "hangfire", engine, mails, hangfire, outbox, hangfireCrash));
        }

        Console.WriteLine();
        Console.WriteLine($"{"design",-21} {"engine",-9} {"mails",6} {"enqueue s",9} {"deliver s",9} {"wall s",7} {"mails/s",8} {"cpu ms/mail",11} {"db cpu ms/mail",14} {"wall ratio",10} {"cpu ratio",9} {"duplicates",10} {"lost",5}");
        foreach (var row in rows) Console.WriteLine(row);
        return 0;
    }

    private static string Row(string design, StorageEngine engine, int mails, Throughput t, Throughput outbox, Crash crash) => string.Create(CultureInfo.InvariantCulture,
        $"{design,-21} {engine,-9} {mails,6} {t.EnqueueWall,9:F2} {t.DeliverWall,9:F2} {t.Wall,7:F2} {mails / t.Wall,8:N0} {t.CpuMs / mails,11:F3} {(t.DbCpuMs is { } db ? (db / mails).ToString("F3", CultureInfo.InvariantCulture) : "-"),14} {t.Wall / outbox.Wall,10:F2} {t.TotalCpuMs / outbox.TotalCpuMs,9:F2} {crash.Duplicates,10} {crash.Lost,5}");

    /// <summary>Wall seconds of each phase, this process's CPU and (PostgreSQL) the server's CPU over both.</summary>
    private sealed record Throughput(double EnqueueWall, double DeliverWall, double CpuMs, double? DbCpuMs)
    {
        public double Wall => EnqueueWall + DeliverWall;
        /// <summary>What the ratio compares: the application's CPU and the database server's.</summary>
        public double TotalCpuMs => CpuMs + (DbCpuMs ?? 0);
    }

    private sealed record Crash(int Duplicates, int Lost);

    private static MailDraft Draft(int i, DateTimeOffset due) => new()
    {
        IdempotencyKey = string.Create(CultureInfo.InvariantCulture, $"enrolment:{i}:step:0"), Purpose = "sequence", ContactId = null,
        ToAddress = string.Create(CultureInfo.InvariantCulture, $"contact{i}@example.nl"), ToName = "Eva Jansen", Subject = "Responsible Gold: following up on our conversation",
        HtmlBody = "<p>Dear Eva Jansen,</p><p>" + new string('x', 1200) + "</p>", TextBody = "Dear Eva Jansen,\n\n" + new string('x', 1200),
        UnsubscribeUrl = "https://outreach.example/u/" + new string('t', 120), TemplateKey = "follow-up", TemplateVersion = 1, DueAt = due,
    };

    private static async Task<Throughput> OutboxThroughputAsync(StorageEngine engine, int mails)
    {
        var db = await MigratedAsync(engine);
        var outbox = new SqlMailOutbox(db);
        var folder = Directory.CreateTempSubdirectory("outreach-bench-hf-").FullName;
        try
        {
            // Real time throughout this file: a benchmark measures real durations, on the system clock as in production.
            var now = TimeProvider.System.GetUtcNow();
            var drafts = Enumerable.Range(0, mails).Select(i => Draft(i, now)).ToList();
            var dispatcher = new OutboxDispatcher(outbox, new PickupFolderDelivery(new MailOptions { PickupFolder = folder }, TimeProvider.System, new Outreach.Core.Mail.FixedInstallation("benchmark")), TimeProvider.System,
                new DispatchPolicy { Parallelism = InFlight }, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance);
            var (enqueue, deliver, cpu, dbCpu) = await MeasureAsync(engine,
                async () =>
                {
                    foreach (var draft in drafts) await outbox.EnqueueAsync(draft, now, default);
                },
                async () =>
                {
                    var sent = 0;
                    while ((await dispatcher.DispatchDueAsync("bench", default)) is { Claimed: > 0 } result) sent += result.Sent;
                    if (sent != mails) throw new InvalidOperationException($"The outbox dispatched {sent} of {mails} mails.");
                });
            CheckFolder(folder, mails, "outbox");
            return new Throughput(enqueue, deliver, cpu, dbCpu);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<Throughput> HangfireThroughputAsync(StorageEngine engine, int mails)
    {
        JobStorage storage = engine == StorageEngine.Sqlite ? InMemory() : Postgres(await HangfireDatabaseAsync(), HangfireSchema.StorageOptions().InvisibilityTimeout);
        var folder = Directory.CreateTempSubdirectory("outreach-bench-hf-").FullName;
        try
        {
            var client = new BackgroundJobClient(storage);
            var now = TimeProvider.System.GetUtcNow();
            var drafts = Enumerable.Range(0, mails).Select(i => Draft(i, now)).ToList();
            var job = new PickupMailJob(new PickupFolderDelivery(new MailOptions { PickupFolder = folder }, TimeProvider.System, new Outreach.Core.Mail.FixedInstallation("benchmark")));
            BackgroundJobServer? server = null;
            try
            {
                var (enqueue, deliver, cpu, dbCpu) = await MeasureAsync(engine,
                    () =>
                    {
                        foreach (var draft in drafts) client.Enqueue<PickupMailJob>(j => j.SendAsync(draft, CancellationToken.None));
                        return Task.CompletedTask;
                    },
                    async () =>
                    {
                        server = Server(storage, job, "bench");
                        await WaitSucceededAsync(storage, mails, TimeSpan.FromMinutes(5));
                    });
                CheckFolder(folder, mails, "Hangfire");
                return new Throughput(enqueue, deliver, cpu, dbCpu);
            }
            finally
            {
                server?.Dispose();
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Both phases timed apart; CPU (this process, and the PostgreSQL server's) over both.</summary>
    private static async Task<(double Enqueue, double Deliver, double CpuMs, double? DbCpuMs)> MeasureAsync(StorageEngine engine, Func<Task> enqueue, Func<Task> deliver)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var dbCpu = engine == StorageEngine.Postgres ? ServerCpuMs(PostgresCluster.Instance.Port) : 0;
        var watch = Stopwatch.StartNew();
        await enqueue();
        var enqueued = watch.Elapsed.TotalSeconds;
        await deliver();
        var total = watch.Elapsed.TotalSeconds;
        process.Refresh();
        double? dbUsed = engine == StorageEngine.Postgres ? ServerCpuMs(PostgresCluster.Instance.Port) - dbCpu : null;
        return (enqueued, total - enqueued, (process.TotalProcessorTime - cpu).TotalMilliseconds, dbUsed);
    }

    /// <summary>
    /// A fresh migrated database. SQLite with a pooled connection string, as the product opens it (Database.ResolveConnectionString):
    /// the test databases' Pooling=False reopens the file on every call, and closing the last connection checkpoints the WAL,
    /// which made each outbox call cost a disk flush the product does not pay.
    /// </summary>
    private static async Task<Database> MigratedAsync(StorageEngine engine)
    {
        if (engine == StorageEngine.Postgres) return await TestDatabases.MigratedAsync(engine);
        var db = new Database(StorageEngine.Sqlite, TestDatabases.NewSqliteConnectionString().Replace("Pooling=False", "Pooling=True", StringComparison.Ordinal));
        await new Migrator(db, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Migrator>.Instance).MigrateAsync(default);
        return db;
    }

    private static void CheckFolder(string folder, int mails, string design)
    {
        var written = Directory.GetFiles(folder, "*.eml").Length;
        if (written != mails) throw new InvalidOperationException($"{design}: {written} .eml files in the pickup folder, not {mails}.");
    }

    /// <summary>
    /// The PostgreSQL server's CPU so far, in ms: the postmaster's own and its reaped children's (backends that ended) plus the
    /// live children's (backends, autovacuum, WAL writer), from /proc (USER_HZ is 100 on Linux).
    /// </summary>
    private static double ServerCpuMs(int port)
    {
        var postmaster = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!, CultureInfo.InvariantCulture))
            .FirstOrDefault(pid =>
            {
                var cmdline = Read($"/proc/{pid}/cmdline")?.Split('\0');
                return cmdline is { Length: > 2 } && cmdline[0].EndsWith("/postgres", StringComparison.Ordinal)
                    && cmdline.Zip(cmdline.Skip(1)).Any(p => p.First == "-p" && p.Second == port.ToString(CultureInfo.InvariantCulture));
            });
        if (postmaster == 0) throw new InvalidOperationException($"No PostgreSQL server on port {port} found in /proc.");
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!Path.GetFileName(dir).All(char.IsAsciiDigit) || Read(Path.Combine(dir, "stat")) is not { } stat) continue;
            // After the command name in parentheses: state ppid … utime (12th) stime cutime cstime.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var pid = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
            var ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (pid == postmaster) ticks += Enumerable.Range(11, 4).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture));
            else if (ppid == postmaster) ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }

        return ticks * 10.0;

        static string? Read(string path)
        {
            try { return File.ReadAllText(path); }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
        }
    }

    private static InMemoryStorage InMemory() => new(new InMemoryStorageOptions { IdType = InMemoryStorageIdType.Long });

    /// <summary>The product's Hangfire.PostgreSql options, with the invisibility timeout given (short for the crash run).</summary>
    private static PostgreSqlStorage Postgres(string connectionString, TimeSpan invisibility)
    {
        var options = HangfireSchema.StorageOptions();
        options.InvisibilityTimeout = invisibility;
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }

    /// <summary>A migrated app database with Hangfire's schema installed (as `migrate` does).</summary>
    private static async Task<string> HangfireDatabaseAsync()
    {
        var db = await TestDatabases.MigratedAsync(StorageEngine.Postgres);
        await using var connection = await db.OpenAsync(default);
        await HangfireSchema.InstallAsync(connection, default);
        return db.ConnectionString;
    }

    private static BackgroundJobServer Server(JobStorage storage, PickupMailJob job, string name) => new(new BackgroundJobServerOptions
    {
        ServerName = name,
        WorkerCount = InFlight,
        Activator = new SingleJobActivator(job),
        SchedulePollingInterval = TimeSpan.FromSeconds(5),
    }, storage);

    private static async Task WaitSucceededAsync(JobStorage storage, int mails, TimeSpan limit)
    {
        var monitoring = storage.GetMonitoringApi();
        var watch = Stopwatch.StartNew();
        while (monitoring.SucceededListCount() < mails)
        {
            if (monitoring.FailedCount() > 0) throw new InvalidOperationException($"{monitoring.FailedCount()} Hangfire mail jobs failed.");
            if (watch.Elapsed > limit) throw new TimeoutException($"Hangfire finished {monitoring.SucceededListCount()} of {mails} mail jobs in {limit}.");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// One crash run: the mails queued (outbox rows, Hangfire.PostgreSql jobs; Hangfire.InMemory can only be queued inside the
    /// child), a first child killed with its process tree once 40 % are in the folder (or several in turn), then a child that finishes.
    /// </summary>
    private static async Task<Crash> CrashAsync(string design, StorageEngine engine, int mails, int kills)
    {
        var folder = Directory.CreateTempSubdirectory("outreach-bench-hf-crash-").FullName;
        var journal = Path.Combine(Path.GetTempPath(), $"outreach-bench-hf-{Guid.NewGuid():N}.dup");
        try
        {
            var now = TimeProvider.System.GetUtcNow();
            string connection;
            if (design == "outbox")
            {
                var db = await MigratedAsync(engine);
                var outbox = new SqlMailOutbox(db);
                for (var i = 0; i < mails; i++) await outbox.EnqueueAsync(Draft(i, now), now, default);
                connection = db.ConnectionString;
            }
            else if (engine == StorageEngine.Postgres)
            {
                connection = await HangfireDatabaseAsync();
                var client = new BackgroundJobClient(Postgres(connection, CrashInvisibility));
                for (var i = 0; i < mails; i++)
                {
                    var draft = Draft(i, now);
                    client.Enqueue<PickupMailJob>(j => j.SendAsync(draft, CancellationToken.None));
                }
            }
            else
            {
                connection = "in-memory";
            }

            string[] Args(string node) => [ChildVerb, design, engine.ToString(), connection, folder, journal, mails.ToString(CultureInfo.InvariantCulture), node];
            // Hangfire.InMemory loses everything at the first kill: later children would have nothing to be killed in.
            var points = design == "hangfire" && engine == StorageEngine.Sqlite ? KillPoints(1) : KillPoints(kills);
            var killedAt = new List<int>();
            foreach (var (point, n) in points.Select((p, i) => (p, i + 1)))
            {
                using var child = StartChild(Args($"child-{n}"));
                var target = (int)(mails * point);
                while (Directory.EnumerateFiles(folder, "*.eml").Count() < target)
                {
                    if (child.Process.HasExited) throw new InvalidOperationException($"{design}/{engine}: child {n} ended before it was killed: {child.Output()}");
                    await Task.Delay(10);
                }

                child.Process.Kill(entireProcessTree: true);
                await child.Process.WaitForExitAsync();
                killedAt.Add(Directory.EnumerateFiles(folder, "*.eml").Count());
            }

            using (var last = StartChild(Args($"child-{points.Count + 1}")))
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
                await last.Process.WaitForExitAsync(limit.Token);
                if (last.Process.ExitCode != 0) throw new InvalidOperationException($"{design}/{engine}: the last child failed: {last.Output()}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  crash {design,-8} {engine,-9} killed at {string.Join(", ", killedAt)} written; last child: {last.Output().Trim()}"));
            }

            var written = Directory.EnumerateFiles(folder, "*.eml").Count();
            var duplicates = File.Exists(journal) ? File.ReadAllLines(journal).Length : 0;
            return new Crash(duplicates, mails - written);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            File.Delete(journal);
        }
    }

    /// <summary>Where the children are killed, as shares of the mails written: 40 % for one kill, else spread from 10 % to 90 %.</summary>
    private static List<double> KillPoints(int kills) => kills <= 1 ? [0.4] : [.. Enumerable.Range(0, kills).Select(i => 0.1 + (0.8 * i / (kills - 1)))];

    private sealed class Child(Process process) : IDisposable
    {
        private readonly System.Text.StringBuilder output = new();
        public Process Process { get; } = process;

        public static Child Start(ProcessStartInfo info)
        {
            var child = new Child(Process.Start(info) ?? throw new InvalidOperationException("Could not start the benchmark's child process."));
            child.Process.OutputDataReceived += (_, e) => child.Append(e.Data);
            child.Process.ErrorDataReceived += (_, e) => child.Append(e.Data);
            child.Process.BeginOutputReadLine();
            child.Process.BeginErrorReadLine();
            return child;
        }

        private void Append(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
        }

        public string Output()
        {
            lock (output) return output.ToString();
        }

        public void Dispose() => Process.Dispose();
    }

    /// <summary>This benchmark again (the apphost, or `dotnet` with the assembly), with the child verb.</summary>
    private static Child StartChild(string[] args)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("No process path to start the child from.");
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(typeof(HangfireDispatchBenchmark).Assembly.Location);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return Child.Start(info);
    }

    /// <summary>
    /// hangfire-child design engine connection folder journal mails node: delivers until nothing is left (or is killed).
    /// Prints one line about what it did.
    /// </summary>
    private static async Task<int> ChildAsync(string[] args)
    {
        var (design, engine, connection, folder, journal, mails, node) =
            (args[0], Enum.Parse<StorageEngine>(args[1]), args[2], args[3], args[4], int.Parse(args[5], CultureInfo.InvariantCulture), args[6]);
        using var delivery = new JournalledDelivery(new PickupFolderDelivery(new MailOptions { PickupFolder = folder }, TimeProvider.System, new Outreach.Core.Mail.FixedInstallation("benchmark")), journal);
        if (design == "outbox")
        {
            var db = new Database(engine, connection);
            var dispatcher = new OutboxDispatcher(new SqlMailOutbox(db), delivery, TimeProvider.System, new DispatchPolicy { Parallelism = InFlight, Lease = CrashLease }, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance);
            int sent = 0, already = 0;
            while (true)
            {
                var result = await dispatcher.DispatchDueAsync(node, default);
                sent += result.Sent;
                already += result.AlreadyDelivered;
                if (result.Claimed > 0) continue;
                // Nothing due: done, unless rows are still held by the killed child's lease.
                await using var c = await db.OpenAsync(default);
                if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mail_outbox WHERE status IN ('pending', 'sending')") == 0) break;
                await Task.Delay(200);
            }

            Console.WriteLine($"sent {sent}, found already delivered {already}");
            return 0;
        }

        var job = new PickupMailJob(delivery);
        var storage = engine == StorageEngine.Postgres ? (JobStorage)Postgres(connection, CrashInvisibility) : InMemory();
        if (engine == StorageEngine.Sqlite && node == "child-1")
        {
            var client = new BackgroundJobClient(storage);
            var now = TimeProvider.System.GetUtcNow();
            for (var i = 0; i < mails; i++)
            {
                var draft = Draft(i, now);
                client.Enqueue<PickupMailJob>(j => j.SendAsync(draft, CancellationToken.None));
            }
        }

        var monitoring = storage.GetMonitoringApi();
        // The in-memory storage of the second child starts empty: what the first one had queued is gone.
        var expected = engine == StorageEngine.Sqlite && node != "child-1" ? 0 : mails;
        using (Server(storage, job, node))
        {
            await WaitSucceededAsync(storage, expected, TimeSpan.FromMinutes(3));
        }

        Console.WriteLine(engine == StorageEngine.Sqlite && node != "child-1"
            ? $"Hangfire.InMemory starts empty: {monitoring.EnqueuedCount("default")} jobs queued"
            : $"{monitoring.SucceededListCount()} jobs succeeded in the storage, {delivery.Sends} run here");
        return 0;
    }

    /// <summary>
    /// Counts the sends of a key that was already delivered (its file is there), one journal line each, before passing the send
    /// on. The line is written through to the OS at once, so it survives a kill -9.
    /// </summary>
    private sealed class JournalledDelivery(PickupFolderDelivery inner, string journal) : IMailDelivery, IDisposable
    {
        private readonly StreamWriter writer = new(new FileStream(journal, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        private int sends;

        public int Sends => Volatile.Read(ref sends);

        public Task<DeliveryReceipt> SendAsync(OutboxMail mail, CancellationToken ct)
        {
            ArgumentNullException.ThrowIfNull(mail);
            Interlocked.Increment(ref sends);
            if (File.Exists(inner.PathFor(mail.Mail.IdempotencyKey)))
            {
                lock (writer) writer.WriteLine(mail.Mail.IdempotencyKey);
            }

            return inner.SendAsync(mail, ct);
        }

        public Task<DeliveryReceipt?> WasDeliveredAsync(string idempotencyKey, CancellationToken ct) => inner.WasDeliveredAsync(idempotencyKey, ct);

        public void Dispose() => writer.Dispose();
    }

    private sealed class SingleJobActivator(PickupMailJob job) : JobActivator
    {
        public override object ActivateJob(Type jobType) => job;
    }
}

/// <summary>The obvious Hangfire design: one job per mail, the draft as its argument, sent straight away (no delivered check).</summary>
public sealed class PickupMailJob(IMailDelivery delivery)
{
    public async Task SendAsync(MailDraft draft, CancellationToken ct) =>
        await delivery.SendAsync(new OutboxMail { Mail = draft, Status = OutboxStatus.Sending, Attempts = 1 }, ct);
}
