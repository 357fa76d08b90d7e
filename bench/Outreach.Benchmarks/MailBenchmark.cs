using System.Diagnostics;
using System.Globalization;
using Outreach.Core.Mail;
using Outreach.Mail;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Benchmarks;

/// <summary>
/// Outbox dispatch through the local pickup-folder adapter: N due mails claimed, written as .eml files and marked sent, against
/// a baseline measured in the same run: the same .eml files written in a plain loop (no database, no claims, no marks).
/// Reports wall time, CPU time per mail and the ratio.
/// </summary>
public static class MailBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var mails = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var engines = (args.Length > 1 ? args[1] : "sqlite,postgres").Split(',').Select(e => Enum.Parse<StorageEngine>(e, ignoreCase: true)).ToList();
        var perMinute = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 60;
        Console.WriteLine($"Outbox dispatch benchmark: {mails:N0} due mails through the pickup folder (rate limit off), {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"engine",-9} {"dispatch s",11} {"cpu ms/mail",12} {"baseline s",11} {"cpu ms/mail",12} {"wall ratio",11} {"cpu ratio",10} {"mails/s",9}");
        foreach (var engine in mails > 0 ? engines : [])
        {
            var baseline = await BaselineAsync(mails);
            var dispatch = await DispatchAsync(engine, mails);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{engine,-9} {dispatch.Wall,11:F2} {dispatch.CpuMs / mails,12:F3} {baseline.Wall,11:F2} {baseline.CpuMs / mails,12:F3} {dispatch.Wall / baseline.Wall,11:F1} {dispatch.CpuMs / baseline.CpuMs,10:F1} {mails / dispatch.Wall,9:N0}"));
        }

        if (perMinute > 0) await RateAsync(perMinute);
        return 0;
    }

    /// <summary>
    /// With the per-mailbox limit on: 2.5 minutes' worth of due mails through the limited pickup adapter on the real clock.
    /// Prints the most mails sent in any 60 seconds (must not exceed the limit) and the average rate over the run.
    /// </summary>
    private static async Task RateAsync(int perMinute)
    {
        var mails = perMinute * 5 / 2;
        var db = await TestDatabases.MigratedAsync(StorageEngine.Sqlite);
        var outbox = new SqlMailOutbox(db);
        // Real time throughout this file: a benchmark measures real durations, on the system clock as in production.
        var now = TimeProvider.System.GetUtcNow();
        for (var i = 0; i < mails; i++) await outbox.EnqueueAsync(Draft(i, now), now, default);
        var folder = Directory.CreateTempSubdirectory("outreach-bench-rate-").FullName;
        try
        {
            using var limiter = new SendRateLimiter(perMinute, 4, TimeProvider.System);
            var times = new System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset>();
            // Timed inside the limiter: the moment each send is let through is what the limit is about.
            var delivery = new RateLimitedDelivery(new TimedDelivery(new PickupFolderDelivery(new MailOptions { PickupFolder = folder }, TimeProvider.System, new Outreach.Core.Mail.FixedInstallation("benchmark")), times), limiter, "outreach@secretariat.invalid");
            // A lease longer than the run: mails waiting for the limiter stay claimed by this dispatcher.
            var dispatcher = new OutboxDispatcher(outbox, delivery, TimeProvider.System, new DispatchPolicy { BatchSize = 50, Lease = TimeSpan.FromMinutes(30) }, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance);
            var watch = Stopwatch.StartNew();
            var sent = 0;
            while (sent < mails)
            {
                var result = await dispatcher.DispatchDueAsync("bench", default);
                sent += result.Sent;
                if (result.Claimed == 0) break;
            }

            watch.Stop();
            var sorted = times.OrderBy(t => t).ToList();
            var busiest = 0;
            var busiestSpan = TimeSpan.Zero;
            for (int start = 0, end = 0; start < sorted.Count; start++)
            {
                while (end < sorted.Count && sorted[end] - sorted[start] < TimeSpan.FromMinutes(1)) end++;
                if (end - start > busiest) (busiest, busiestSpan) = (end - start, sorted[end - 1] - sorted[start]);
            }

            var span = (sorted[^1] - sorted[0]).TotalMinutes;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Rate limit on (pickup folder, limit {perMinute}/min/mailbox): {sent:N0} mails in {watch.Elapsed.TotalSeconds:F0} s; most in any 60 s: {busiest} (first to last {busiestSpan.TotalSeconds:F3} s; limit {perMinute}, ratio {(double)busiest / perMinute:F2}); average {(sent - 1) / span:F1}/min after the first minute's burst"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class TimedDelivery(IMailDelivery inner, System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset> times) : IMailDelivery
    {
        public Task<DeliveryReceipt> SendAsync(OutboxMail mail, CancellationToken ct)
        {
            times.Enqueue(TimeProvider.System.GetUtcNow());
            return inner.SendAsync(mail, ct);
        }

        public Task<DeliveryReceipt?> WasDeliveredAsync(string idempotencyKey, CancellationToken ct) => inner.WasDeliveredAsync(idempotencyKey, ct);
    }

    private static MailDraft Draft(int i, DateTimeOffset due) => new()
    {
        IdempotencyKey = string.Create(CultureInfo.InvariantCulture, $"enrolment:{i}:step:0"), Purpose = "sequence", ContactId = null,
        ToAddress = string.Create(CultureInfo.InvariantCulture, $"contact{i}@example.nl"), ToName = "Eva Jansen", Subject = "Responsible Gold: following up on our conversation",
        HtmlBody = "<p>Dear Eva Jansen,</p><p>" + new string('x', 1200) + "</p>", TextBody = "Dear Eva Jansen,\n\n" + new string('x', 1200),
        UnsubscribeUrl = "https://outreach.example/u/" + new string('t', 120), TemplateKey = "follow-up", TemplateVersion = 1, DueAt = due,
    };

    /// <summary>
    /// The database as a node runs it. The test helper turns SQLite's connection pool off (so test files can be deleted at
    /// once); a node keeps it on (Database.ResolveConnectionString, and Microsoft.Data.Sqlite's default), and without it every
    /// open is a new file handle and a schema parse: 1.25 ms CPU each, two per mail, which was most of the "9.7x".
    /// </summary>
    internal static async Task<Database> AsDeployedAsync(StorageEngine engine)
    {
        if (engine != StorageEngine.Sqlite) return await TestDatabases.MigratedAsync(engine);
        var db = new Database(StorageEngine.Sqlite, TestDatabases.NewSqliteConnectionString().Replace("Pooling=False", "Pooling=True", StringComparison.Ordinal));
        await new Migrator(db, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Migrator>.Instance).MigrateAsync(default);
        return db;
    }

    private static async Task<(double Wall, double CpuMs)> DispatchAsync(StorageEngine engine, int mails)
    {
        var db = await AsDeployedAsync(engine);
        var outbox = new SqlMailOutbox(db);
        var now = TimeProvider.System.GetUtcNow();
        for (var i = 0; i < mails; i++) await outbox.EnqueueAsync(Draft(i, now), now, default);
        var folder = Directory.CreateTempSubdirectory("outreach-bench-mail-").FullName;
        try
        {
            var delivery = new PickupFolderDelivery(new MailOptions { PickupFolder = folder }, TimeProvider.System, new Outreach.Core.Mail.FixedInstallation("benchmark"));
            var dispatcher = new OutboxDispatcher(outbox, delivery, TimeProvider.System, new DispatchPolicy { BatchSize = 200 }, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDispatcher>.Instance);
            var (wall, cpu) = await MeasureAsync(async () =>
            {
                var sent = 0;
                while (true)
                {
                    var result = await dispatcher.DispatchDueAsync("bench", default);
                    if (result.Claimed == 0) break;
                    sent += result.Sent;
                }

                if (sent != mails) throw new InvalidOperationException($"Dispatched {sent} of {mails} mails.");
            });
            if (Directory.GetFiles(folder, "*.eml").Length != mails) throw new InvalidOperationException("Not every mail reached the pickup folder.");
            return (wall, cpu);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(double Wall, double CpuMs)> BaselineAsync(int mails)
    {
        var folder = Directory.CreateTempSubdirectory("outreach-bench-eml-").FullName;
        try
        {
            var now = TimeProvider.System.GetUtcNow();
            var prepared = Enumerable.Range(0, mails).Select(i => new OutboxMail { Id = i, Mail = Draft(i, now), Status = OutboxStatus.Sending }).ToList();
            return await MeasureAsync(async () =>
            {
                foreach (var mail in prepared)
                {
                    var bytes = EmlWriter.Write(mail, "outreach@secretariat.invalid", "Covenant secretariat", now, EmlWriter.MessageId("benchmark", mail.Mail.IdempotencyKey, "outreach@secretariat.invalid"));
                    await File.WriteAllBytesAsync(Path.Combine(folder, mail.Id.ToString(CultureInfo.InvariantCulture) + ".eml"), bytes);
                }
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(double Wall, double CpuMs)> MeasureAsync(Func<Task> work)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await work();
        watch.Stop();
        process.Refresh();
        return (watch.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalMilliseconds);
    }
}
