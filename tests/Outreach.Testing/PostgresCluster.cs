using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Outreach.Testing;

/// <summary>
/// A throwaway PostgreSQL 15 cluster on 127.0.0.1 and a free port, started from the image's binaries
/// once per test process and removed when the process exits. A missing PostgreSQL is a failure, never a skip.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private static readonly Lazy<PostgresCluster> Shared = new(() => new PostgresCluster(), LazyThreadSafetyMode.ExecutionAndPublication);
    private static int databaseCounter;
    private readonly string directory;
    private readonly string bin;
    private readonly bool asRoot;
    private bool disposed;

    public static PostgresCluster Instance => Shared.Value;

    public int Port { get; }
    public const string User = "outreach";

    private PostgresCluster()
    {
        bin = FindBinaries();
        RemoveStaleClusters();
        asRoot = Environment.UserName == "root";
        directory = Path.Combine(Path.GetTempPath(), $"outreach-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(directory);
        if (asRoot) Run("chown", ["postgres:postgres", directory], asPostgres: false);
        Port = FreePort();
        var data = Path.Combine(directory, "data");
        Run(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", User, "-E", "UTF8", "--locale=C", "-N"], asPostgres: true);
        Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o",
            $"-p {Port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start"], asPostgres: true);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={User};Database={database};Pooling=true;Maximum Pool Size=50;Include Error Detail=true";

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

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try
        {
            Run(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(directory, "data"), "-m", "immediate", "-w", "stop"], asPostgres: true);
        }
        catch (InvalidOperationException)
        {
            // Already stopped; the folder is removed below either way.
        }

        try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Removes clusters left by test processes that died or were stopped before their exit handler finished.</summary>
    private static void RemoveStaleClusters()
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
                // That process is gone: its cluster is garbage.
            }

            try { Directory.Delete(stale, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
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

    private void Run(string file, string[] args, bool asPostgres)
    {
        var info = asPostgres && asRoot ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. args]) : new ProcessStartInfo(file, args);
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
