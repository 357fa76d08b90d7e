using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Outreach.Testing;

namespace Outreach.Cluster.Tests;

/// <summary>
/// One Outreach node: `dotnet Outreach.Web.dll` with its configuration in environment variables, its stdout and stderr appended
/// to a log file (kept for diagnosis; a restart appends). Killed with SIGKILL (<see cref="Kill"/>) or stopped with SIGTERM
/// (<see cref="TerminateAsync"/>), as a process manager would.
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private readonly IReadOnlyDictionary<string, string> environment;
    private readonly NodeReaper reaper;
    private Process? process;
    private StreamWriter? log;
    private Task pumps = Task.CompletedTask;

    public NodeProcess(string name, string logFolder, IReadOnlyDictionary<string, string> environment, NodeReaper reaper)
    {
        Name = name;
        Port = FreePort();
        LogPath = Path.Combine(logFolder, name + ".log");
        this.environment = environment;
        this.reaper = reaper;
    }

    public string Name { get; }
    public int Port { get; }
    public string LogPath { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");
    public int? ProcessId => process is { HasExited: false } p ? p.Id : null;
    public int? ExitCode => process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>Starts the process (again, after a kill or stop: same name, same port, same log).</summary>
    public void Start()
    {
        if (process is { HasExited: false }) throw new InvalidOperationException($"{Name} runs already.");
        var info = new ProcessStartInfo("dotnet", [WebOutput.Dll])
        {
            WorkingDirectory = Path.GetDirectoryName(WebOutput.Dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment) info.Environment[key] = value;
        info.Environment["Jobs__NodeName"] = Name;
        info.Environment["Urls"] = BaseAddress.AbsoluteUri.TrimEnd('/');
        // Production refuses a public address that is not https; the nodes' links are never followed here.
        info.Environment["Outreach__PublicBaseUrl"] = "https://" + BaseAddress.Authority;
        log ??= new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        // Real time: these lines sit among the real node processes' own log lines.
        Write($"==== {Name} starting at {TimeProvider.System.GetUtcNow():O}");
        process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {Name}.");
        reaper.Add(process.Id);
        pumps = Task.WhenAll(Pump(process.StandardOutput, ""), Pump(process.StandardError, "ERR "));
    }

    private async Task Pump(StreamReader reader, string prefix)
    {
        while (await reader.ReadLineAsync() is { } line) Write(prefix + line);
    }

    private void Write(string line)
    {
        lock (this) log?.WriteLine(line);
    }

    /// <summary>Waits until /health answers 200 (the database migrated, the server listening).</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.StartNew();
        while (started.Elapsed < timeout)
        {
            if (process is { HasExited: true } p) throw new InvalidOperationException($"{Name} exited with {p.ExitCode} before it was healthy.\n{Tail(40)}");
            try
            {
                using var response = await http.GetAsync("health");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{Name} was not healthy after {timeout}.\n{Tail(40)}");
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a machine dies.</summary>
    public void Kill()
    {
        var p = process ?? throw new InvalidOperationException($"{Name} was never started.");
        p.Kill();
        p.WaitForExit(10_000);
        // Real time, as the node's own log lines.
        Write($"==== {Name} killed (SIGKILL) at {TimeProvider.System.GetUtcNow():O}");
    }

    /// <summary>SIGTERM, as systemd or a container runtime stops a service; returns the exit code (null: it did not stop in time).</summary>
    public async Task<int?> TerminateAsync(TimeSpan timeout)
    {
        var p = process ?? throw new InvalidOperationException($"{Name} was never started.");
        // Real time, as the node's own log lines.
        Write($"==== {Name} sent SIGTERM at {TimeProvider.System.GetUtcNow():O}");
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
            await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        await pumps.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // Real time, as the node's own log lines.
        Write($"==== {Name} exited with {p.ExitCode} at {TimeProvider.System.GetUtcNow():O}");
        return p.ExitCode;
    }

    /// <summary>The last lines of the log, for a failure message.</summary>
    public string Tail(int lines)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return $"--- {Name} ({LogPath}), last {lines} lines ---\n" + string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"--- {Name}: no log ({e.Message})";
        }
    }

    public void Dispose()
    {
        if (process is { HasExited: false } p)
        {
            try { p.Kill(entireProcessTree: true); p.WaitForExit(10_000); } catch (InvalidOperationException) { }
        }

        process?.Dispose();
        lock (this)
        {
            log?.Dispose();
            log = null;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// Kills every node process this test host started once the host has ended, however it ends (a crashed or killed test host
/// runs no Dispose): the pids go to an <see cref="ExitWatchdog"/> script, which kills those still alive.
/// </summary>
public sealed class NodeReaper : IDisposable
{
    private readonly ExitWatchdog? watchdog = ExitWatchdog.Start(
        """
        pids=$(cat)
        for p in $pids; do kill -9 "$p" 2>/dev/null; done
        """);

    public void Add(int pid) => watchdog?.Send(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose() => watchdog?.Dispose();
}

/// <summary>Where the built web project is: beside this test's own output (same configuration), under src/Outreach.Web.</summary>
public static class WebOutput
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Dll { get; } = FindDll();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Outreach.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Outreach.sln not found above {AppContext.BaseDirectory}.");
    }

    private static string FindDll()
    {
        // This assembly is in tests/Outreach.Cluster.Tests/bin/<Configuration>/<tfm>/: the web project's output mirrors it.
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!.Name;
        var dll = Path.Combine(RepositoryRoot, "src", "Outreach.Web", "bin", configuration, tfm.Name, "Outreach.Web.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"The web project's build output {dll} is missing; build the solution first.");
    }
}
