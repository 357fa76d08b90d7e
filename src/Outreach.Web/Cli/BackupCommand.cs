using System.CommandLine;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;
using Outreach.Storage;
using Spectre.Console;

namespace Outreach.Web.Cli;

/// <summary>
/// backup: on SQLite an online copy of the database (SQLite's backup API: consistent while the host keeps running and
/// writing), checked with <c>PRAGMA integrity_check</c> and readable by its owner only; on PostgreSQL the <c>pg_dump</c> and
/// <c>pg_restore</c> lines for the configured database (the dump is PostgreSQL's own tool's job, and it needs the password
/// the command line does not print).
/// </summary>
internal static class BackupCommand
{
    public static void Add(RootCommand root, string[] args)
    {
        var to = new Option<string?>("--to") { Description = "The backup file (default: backups/outreach-<UTC time>.db in the data folder)." };
        var backup = new Command("backup", "SQLite: write an online backup of the database. PostgreSQL: print the pg_dump and pg_restore lines.") { to };
        backup.SetAction(async (parse, ct) =>
        {
            await using var services = CommandLine.BuildServices(args);
            var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            var stamp = now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            if (storage.Engine == StorageEngine.Postgres)
            {
                // Plain text, not wrapped: lines to copy.
                Console.Out.WriteLine(PostgresLines(Database.ResolveConnectionString(storage), parse.GetValue(to) ?? $"outreach-{stamp}.dump"));
                return 0;
            }

            var target = Path.GetFullPath(parse.GetValue(to) ?? Path.Combine(storage.DataFolder, "backups", $"outreach-{stamp}.db"));
            var source = new SqliteConnectionStringBuilder(Database.ResolveConnectionString(storage));
            if (!File.Exists(source.DataSource)) return Fail($"There is no database at {source.DataSource} to back up.");
            if (File.Exists(target)) return Fail($"{target} exists already; choose another --to (a backup never overwrites one).");
            var pages = await BackupSqliteAsync(source.ToString(), target, ct);
            AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[green]Backed up {pages} pages to {target}.[/]");
            return 0;
        });
        root.Subcommands.Add(backup);
    }

    /// <summary>Copies the live database to <paramref name="target"/> and checks the copy; returns its page count.</summary>
    internal static async Task<long> BackupSqliteAsync(string sourceConnectionString, string target, CancellationToken ct)
    {
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows())
        {
            // Personal data: the backup is the owner's only, from its first byte.
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            await using (File.Create(target)) { }
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var done = false;
        try
        {
            await using (var source = new SqliteConnection(sourceConnectionString))
            await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString()))
            {
                await source.OpenAsync(ct);
                await copy.OpenAsync(ct);
                source.BackupDatabase(copy);
                await using var check = copy.CreateCommand();
                // One journal file fewer to carry: the copy is a single self-contained file.
                check.CommandText = "PRAGMA journal_mode = DELETE";
                await check.ExecuteScalarAsync(ct);
                check.CommandText = "PRAGMA integrity_check";
                var result = (string?)await check.ExecuteScalarAsync(ct);
                if (result != "ok") throw new InvalidOperationException($"The backup at {target} failed its integrity check: {result}");
                check.CommandText = "PRAGMA page_count";
                var pages = (long)(await check.ExecuteScalarAsync(ct))!;
                done = true;
                return pages;
            }
        }
        finally
        {
            if (!done) File.Delete(target);
        }
    }

    /// <summary>The lines to dump and restore the configured PostgreSQL database; never the password.</summary>
    internal static string PostgresLines(string connectionString, string file)
    {
        var c = new NpgsqlConnectionStringBuilder(connectionString);
        var target = $"--host={Quote(c.Host ?? "localhost")} --port={c.Port.ToString(CultureInfo.InvariantCulture)} --username={Quote(c.Username ?? "postgres")} --dbname={Quote(c.Database ?? "outreach")}";
        return string.Join(Environment.NewLine,
            "PostgreSQL is backed up with its own tools (the password from PGPASSWORD or ~/.pgpass):",
            $"  pg_dump --format=custom --no-owner {target} --file={Quote(file)}",
            "Restore into an empty database of the same name with the nodes stopped, then start them (migrations bring an older dump's schema up to date):",
            $"  pg_restore --no-owner --exit-on-error {target} {Quote(file)}");
    }

    private static string Quote(string value) =>
        value.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_' or '/' or ':') ? value : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static int Fail(string message)
    {
        AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[red]{message}[/]");
        return 1;
    }
}
