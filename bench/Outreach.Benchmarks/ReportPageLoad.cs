using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dapper;
using Outreach.Storage;

namespace Outreach.Benchmarks;

/// <summary>
/// The report page under load (issue 16 item 12: twenty managers at once after a large import waited 5–6 s, p95 10.5 s).
/// The real host (Outreach.Web.dll, built beside this project) runs in a child process on 127.0.0.1 against the benchmark's
/// database, and bursts of 20 concurrent GET /reports (the default view, as a manager opens it; a manager's API key)
/// are timed one request at a time: warm (nothing changed since the last burst), and right after a change (the data
/// stamp moved, so the burst waits for one fresh computation). The baseline, in the same run on the same database: the
/// same bursts against a host started with Reports:Cache=false, where each request computes its own report.
/// </summary>
public static class ReportPageLoad
{
    public const int Concurrent = 20;

    public static async Task RunAsync(StorageEngine engine, Database db, int bursts)
    {
        if (Environment.GetEnvironmentVariable("BENCH_DETAIL") == "1") await PartsAsync(engine, db);
        var web = WebAssembly();
        var key = await CreateKeyAsync(web, engine, db);
        var cached = new List<double>();
        var afterChange = new List<double>();
        var uncached = new List<double>();
        var single = new List<double>();
        await using (var host = await Host.StartAsync(web, engine, db, cache: true))
        {
            using var client = host.Client(key);
            await BurstAsync(client); // warm-up: JIT, connection pools, the first computation
            for (var i = 0; i < bursts; i++)
            {
                cached.AddRange(await BurstAsync(client));
                await BumpStampAsync(db);
                afterChange.AddRange(await BurstAsync(client));
            }
        }

        await using (var host = await Host.StartAsync(web, engine, db, cache: false))
        {
            using var client = host.Client(key);
            await BurstAsync(client);
            for (var i = 0; i < Math.Max(1, bursts / 2); i++) uncached.AddRange(await BurstAsync(client));
            // One request alone, for scale: what each of the twenty would cost without the others.
            for (var i = 0; i < 3; i++) single.AddRange(await TimedAsync(client, 1));
        }

        Console.WriteLine($"  report page, {Concurrent} concurrent GET /reports (default view) over HTTP on 127.0.0.1, {bursts} bursts each:");
        Console.WriteLine($"  {"engine",-9} {"case",-34} {"median s",9} {"p95 s",8} {"max s",8}");
        Print(engine, "cached, nothing changed", cached);
        Print(engine, "cached, first burst after a change", afterChange);
        Print(engine, "baseline: no cache (every request)", uncached);
        Print(engine, "baseline: one request alone", single);
    }

    /// <summary>Where one page computation goes (BENCH_DETAIL=1): the parts the page asks the cache for, each timed alone, in process.</summary>
    private static async Task PartsAsync(StorageEngine engine, Database db)
    {
        var clock = TimeProvider.System;
        var query = Core.Reports.ReportQuery.Last(Core.Reports.ReportFilters.DefaultDays, Core.Calendar.AmsterdamClock.Today(clock));
        var prospects = new SqlProspectStore(db, clock);
        var parts = new (string Name, Func<Task> Run)[]
        {
            ("stamp", () => new SqlReportDataStamp(db).ReadAsync(default)),
            ("choices", async () => { await prospects.ListCovenantsAsync(default); await prospects.ListOwnersAsync(default); await prospects.ListSectorsAsync(default); }),
            ("report without events", () => new Core.Reports.ConversionReports(new SqlReportSource(db), clock).BuildAsync(query, default)),
            ("event attendance", () => new SqlEventAttendanceSource(db).LoadAsync(query, default)),
            ("report with events", () => new Core.Reports.ConversionReports(new SqlReportSource(db), clock, new SqlEventAttendanceSource(db)).BuildAsync(query, default)),
            ("onboarding step", () => new Core.Onboarding.OnboardingConversions(prospects, new SqlOnboardingStore(db), clock).BuildAsync(query, default)),
        };
        foreach (var (name, run) in parts)
        {
            await run();
            var watch = Stopwatch.StartNew();
            await run();
            Console.WriteLine($"  detail: {engine} default view, {name}: {watch.Elapsed.TotalSeconds:F3} s");
        }
    }

    private static void Print(StorageEngine engine, string name, List<double> seconds)
    {
        var sorted = seconds.Order().ToList();
        Console.WriteLine($"  {engine,-9} {name,-34} {Percentile(sorted, 0.5),9:F3} {Percentile(sorted, 0.95),8:F3} {sorted[^1],8:F3}");
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Ceiling(p * sorted.Count) - 1];

    private static Task<double[]> BurstAsync(HttpClient client) => TimedAsync(client, Concurrent);

    private static async Task<double[]> TimedAsync(HttpClient client, int concurrent)
    {
        using var start = new SemaphoreSlim(0);
        var requests = Enumerable.Range(0, concurrent).Select(async _ =>
        {
            await start.WaitAsync();
            var watch = Stopwatch.StartNew();
            using var response = await client.GetAsync("/reports");
            var body = await response.Content.ReadAsStringAsync();
            watch.Stop();
            if (response.StatusCode != HttpStatusCode.OK || !body.Contains("data-table=\"funnel\"", StringComparison.Ordinal))
                throw new InvalidOperationException($"GET /reports answered {(int)response.StatusCode} without the report: {body[..Math.Min(300, body.Length)]}");
            return watch.Elapsed.TotalSeconds;
        }).ToList();
        start.Release(concurrent);
        return await Task.WhenAll(requests);
    }

    /// <summary>What any change the report reads does to the stamp (migration 0034's triggers), without changing the data.</summary>
    private static async Task BumpStampAsync(Database db)
    {
        await using var c = await db.OpenAsync(default);
        await c.ExecuteAsync("UPDATE report_stamp SET version = version + 1 WHERE id = 1");
    }

    /// <summary>Outreach.Web.dll of the same configuration (the project reference builds it without referencing it).</summary>
    private static string WebAssembly()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = bin.Name;
        var configuration = bin.Parent!.Name;
        for (var dir = bin; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Outreach.Web", "bin", configuration, framework, "Outreach.Web.dll");
            if (File.Exists(candidate)) return candidate;
        }

        throw new FileNotFoundException($"Outreach.Web.dll ({configuration}, {framework}) not found above {bin.FullName}: build the solution first.");
    }

    private static Dictionary<string, string> Settings(StorageEngine engine, Database db, bool cache, string dataFolder) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Storage__Engine"] = engine.ToString(),
        ["Storage__ConnectionString"] = db.ConnectionString,
        ["Storage__DataFolder"] = dataFolder,
        ["Jobs__RunSchedules"] = "false",
        ["Outreach__SeedDemoDataOnFirstStart"] = "false",
        ["Outreach__PublicBaseUrl"] = "https://outreach.bench.example",
        ["AllowedHosts"] = "*",
        ["Reports__Cache"] = cache ? "true" : "false",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private static ProcessStartInfo Start(string web, Dictionary<string, string> settings, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(web)! };
        info.ArgumentList.Add(web);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in settings) info.Environment[k] = v;
        return info;
    }

    /// <summary>A manager's API key, made by the host's own command line (printed once, on its last line).</summary>
    private static async Task<string> CreateKeyAsync(string web, StorageEngine engine, Database db)
    {
        var folder = Directory.CreateTempSubdirectory("outreach-bench-web-").FullName;
        var name = "bench-" + Guid.NewGuid().ToString("N")[..8];
        using var process = Process.Start(Start(web, Settings(engine, db, true, folder), "create-api-key", "--name", name, "--role", "manager"))!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        if (process.ExitCode != 0) throw new InvalidOperationException($"create-api-key failed ({process.ExitCode}): {output} {error}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
    }

    private sealed class Host : IAsyncDisposable
    {
        private readonly Process process;
        private readonly string folder;

        private Host(Process process, string folder, Uri address)
        {
            this.process = process;
            this.folder = folder;
            Address = address;
        }

        public Uri Address { get; }

        public HttpClient Client(string key)
        {
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrent * 2 }) { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(5) };
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            return client;
        }

        public static async Task<Host> StartAsync(string web, StorageEngine engine, Database db, bool cache)
        {
            var folder = Directory.CreateTempSubdirectory("outreach-bench-web-").FullName;
            var port = FreePort();
            var settings = Settings(engine, db, cache, folder);
            // "Urls", not ASPNETCORE_URLS: appsettings.json names the trial address, and this key overrides it.
            settings["Urls"] = $"http://127.0.0.1:{port}";
            var process = Process.Start(Start(web, settings))!;
            // Drain the child's output, or a full pipe would stall it.
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine("  [web] " + line); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var host = new Host(process, folder, new Uri($"http://127.0.0.1:{port}"));
            try
            {
                await host.WaitUntilUpAsync();
                return host;
            }
            catch
            {
                // Never leave a host behind: it would hold its port (and the database) after the benchmark.
                await host.DisposeAsync();
                throw;
            }
        }

        private async Task WaitUntilUpAsync()
        {
            using var probe = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited) throw new InvalidOperationException($"The web host exited at start ({process.ExitCode}).");
                try
                {
                    if ((await probe.GetAsync("/health")).IsSuccessStatusCode) return;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }

                if (deadline.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("The web host did not answer /health within two minutes.");
                await Task.Delay(250);
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
