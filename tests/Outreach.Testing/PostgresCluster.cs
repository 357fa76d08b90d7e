using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Outreach.Testing;

/// <summary>
/// A throwaway PostgreSQL 15 cluster on 127.0.0.1 and a free port, started from the image's binaries
/// once per test process and removed when the process exits. A missing PostgreSQL is a failure, never a skip.
/// </summary>
/// <remarks>
/// The removal is done by an <see cref="ExitWatchdog"/>, not by this process: under <c>dotnet test</c> the test host
/// is killed 100 ms after the run ends, which cut the old ProcessExit clean-up short in the middle of <c>pg_ctl stop</c>
/// and left ~120 MB folders behind. Clusters the watchdog did not get to are removed by the next test process
/// (<see cref="RemoveStaleClusters"/>).
/// </remarks>
public sealed class PostgresCluster : IDisposable
{
    private static readonly Lazy<PostgresCluster> Shared = new(() => new PostgresCluster(), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly bool AsRoot = Environment.UserName == "root";
    private static int databaseCounter;
    private readonly string directory;
    private readonly string bin;
    private readonly ExitWatchdog? watchdog;
    private bool disposed;

    public static PostgresCluster Instance => Shared.Value;

    public int Port { get; }
    public const string User = "outreach";

    private PostgresCluster()
    {
        bin = FindBinaries();
        RemoveStaleClusters(bin);
        directory = Path.Combine(Path.GetTempPath(), $"outreach-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(directory);
        watchdog = StartWatchdog(directory, bin);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
        if (AsRoot) Run("chown", ["postgres:postgres", directory], asPostgres: false, directory);
        Port = FreePort();
        var data = Path.Combine(directory, "data");
        Run(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", User, "-E", "UTF8", "--locale=C", "-N"], asPostgres: true, directory);
        Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o",
            $"-p {Port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start"], asPostgres: true, directory);
    }

    /// <remarks>
    /// Every test has its own database and so its own pool; idle connections are closed after a few seconds (Npgsql keeps
    /// them five minutes by default), or a run of a few hundred tests holds more than the cluster's 200 connections open.
    /// </remarks>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={User};Database={database};Pooling=true;Maximum Pool Size=50;Connection Idle Lifetime=5;Connection Pruning Interval=1;Include Error Detail=true";

    /// <summary>
    /// A database whose default collation is ICU en-US: Unicode-aware lower(), ILIKE and ORDER BY, like a production
    /// database made with an en_US.UTF-8 locale (the cluster itself is C, and the machine may have no such OS locale).
    /// </summary>
    public const string UnicodeLocale = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'";

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    /// <param name="prefix">Start of the database name.</param>
    /// <param name="options">Extra CREATE DATABASE options, e.g. <see cref="UnicodeLocale"/>; null for the cluster's C locale.</param>
    public string CreateDatabase(string prefix = "test", string? options = null)
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref databaseCounter)}".ToLowerInvariant();
        using var connection = new Npgsql.NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name}\" {options}";
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    /// <summary>Has the server stopped and the cluster's folder deleted, soon after (run at process exit).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (watchdog is null)
        {
            StopAndDelete(directory, bin);
            return;
        }

        // No waiting for the watchdog here: other exit handlers (TestDatabases) need the few milliseconds
        // dotnet test allows before it kills the host.
        watchdog.Dispose();
    }

    /// <summary>Once this process has ended (or called <see cref="Dispose"/>), stops the server if one runs and deletes the folder.</summary>
    private static ExitWatchdog? StartWatchdog(string directory, string bin) => ExitWatchdog.Start(
        """
        cat >/dev/null
        if [ -f "$1/data/postmaster.pid" ]; then
          if [ "$3" = root ]; then runuser -u postgres -- "$2" -D "$1/data" -m immediate -w -t 60 stop
          else "$2" -D "$1/data" -m immediate -w -t 60 stop; fi
        fi
        rm -rf "$1"
        """,
        directory, Path.Combine(bin, "pg_ctl"), AsRoot ? "root" : "user");

    /// <summary>Removes clusters left by test processes that died before their watchdog finished (or from before there was one).</summary>
    private static void RemoveStaleClusters(string bin)
    {
        foreach (var stale in Directory.EnumerateDirectories(Path.GetTempPath(), "outreach-pg-*"))
        {
            var parts = Path.GetFileName(stale).Split('-');
            if (parts.Length < 3 || !int.TryParse(parts[2], out var pid)) continue;
            try
            {
                using var owner = Process.GetProcessById(pid);
                continue;
            }
            catch (ArgumentException)
            {
                // That process is gone: its cluster is garbage, but its server may still be running and holding a port.
            }

            StopAndDelete(stale, bin);
        }
    }

    /// <summary>Stops the cluster's server if its pid file says one runs (failures ignored), then deletes the folder.</summary>
    private static void StopAndDelete(string directory, string bin)
    {
        var data = Path.Combine(directory, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try
            {
                Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "60", "stop"], asPostgres: true, directory);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already stopped, or not ours to stop; the folder goes either way.
            }
        }

        // As root this removes the postgres-owned files too; a folder of another user's cluster stays.
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string FindBinaries()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("OUTREACH_PG_BIN"), "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin" };
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(Path.Combine(c, "initdb")))
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/<15|16|17>/bin or OUTREACH_PG_BIN. " +
                "Install them (apt-get install postgresql-15) or run scripts/test, which does.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string file, string[] args, bool asPostgres, string directory)
    {
        var info = asPostgres && AsRoot ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. args]) : new ProcessStartInfo(file, args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} timed out.");
        }

        if (process.ExitCode != 0)
        {
            var log = Path.Combine(directory, "server.log");
            throw new InvalidOperationException(
                $"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {stdout.Result}{stderr.Result}" +
                (File.Exists(log) ? "\nserver.log:\n" + File.ReadAllText(log) : ""));
        }
    }
}
