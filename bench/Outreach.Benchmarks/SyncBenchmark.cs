using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Crm;
using Outreach.Core.Jobs;
using Outreach.Dataverse;
using Outreach.Dataverse.Http;
using Outreach.Dataverse.Testing;
using Outreach.Storage;
using Outreach.Testing;

/// <summary>
/// A first (full) Dataverse sync of many accounts and contacts from the local Web API server into a fresh database,
/// against a baseline measured in the same run on the same engine: a plain prepared INSERT of the same rows, committed
/// every 5,000 rows (a page), with no lookups, no upsert decision and no sync state. The server (which holds every row as
/// JSON) runs in this process; the sync and its baseline run in a child process, so the child's peak working set is the
/// product's own.
/// </summary>
internal static class SyncBenchmark
{
    public const string ChildVerb = "sync-child";

    public static async Task<int> RunAsync(string[] args)
    {
        var accounts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var contacts = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
        var engines = (args.Length > 2 ? args[2] : "sqlite,postgres").Split(',').Select(e => Enum.Parse<StorageEngine>(e, ignoreCase: true)).ToList();
        const int PageSize = 5000;

        await using var server = await LocalDataverseServer.StartAsync();
        var accountIds = Enumerable.Range(0, accounts).Select(i => Id(1, i)).ToArray();
        server.Seed("accounts", accountIds.Select((id, i) => (id, Account(i))));
        server.Seed("contacts", Enumerable.Range(0, contacts).Select(i => (Id(2, i), Contact(i, accountIds[i % accounts]))));
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var seededWorkingSet = self.WorkingSet64;
        var minimumPages = Pages(accounts, PageSize) + Pages(contacts, PageSize);
        Console.WriteLine($"Dataverse sync benchmark: {accounts:N0} accounts + {contacts:N0} contacts from the local Web API server (page size {PageSize:N0}), {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"engine",-9} {"requests",9} {"pages",6} {"min",5} {"sync s",8} {"upsert s",9} {"upsert rows/s",14} {"baseline rows/s",16} {"ratio",6} {"peak MB",8}");
        foreach (var engine in engines)
        {
            server.ClearRequests();
            var child = await RunChildAsync([ChildVerb, server.Url.AbsoluteUri, server.Token, engine.ToString(),
                accounts.ToString(CultureInfo.InvariantCulture), contacts.ToString(CultureInfo.InvariantCulture), PageSize.ToString(CultureInfo.InvariantCulture)]);
            var requests = server.Requests;
            var pages = requests.Count(r => r.Method == "GET" && !r.PathAndQuery.EndsWith("/$count", StringComparison.Ordinal));
            var rows = accounts + contacts;
            var upsertRate = rows / child.UpsertSeconds;
            Console.WriteLine($"{engine,-9} {requests.Count,9} {pages,6} {minimumPages,5} {child.SyncSeconds,8:F1} {child.UpsertSeconds,9:F1} {upsertRate,14:N0} {child.BaselineRate,16:N0} {upsertRate / child.BaselineRate,6:F2} {child.PeakBytes / 1_048_576.0,8:N0}");
        }

        Console.WriteLine($"requests = every HTTP request of the sync (pages + 2 $count); min = page count ({minimumPages}). ratio = upsert rows/s ÷ baseline rows/s.");
        Console.WriteLine($"peak MB = the sync process's peak working set at the end of the sync (the local server, {seededWorkingSet / 1_048_576.0:N0} MB after seeding, runs in another process).");
        return 0;
    }

    private sealed record ChildResult(double SyncSeconds, double UpsertSeconds, double BaselineRate, long PeakBytes);

    /// <summary>This benchmark again (the apphost, or `dotnet` with the assembly) with the child verb; its last line is the result.</summary>
    private static async Task<ChildResult> RunChildAsync(string[] args)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("No process path to start the child from.");
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(typeof(SyncBenchmark).Assembly.Location);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the sync child process.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        var fields = last.Split(' ');
        if (process.ExitCode != 0 || fields.Length != 5 || fields[0] != "result")
            throw new InvalidOperationException($"The sync child failed (exit {process.ExitCode}): {output}");
        return new ChildResult(double.Parse(fields[1], CultureInfo.InvariantCulture), double.Parse(fields[2], CultureInfo.InvariantCulture),
            double.Parse(fields[3], CultureInfo.InvariantCulture), long.Parse(fields[4], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// sync-child url token engine accounts contacts pageSize: the sync into a fresh database, then the baseline into another;
    /// prints "result syncSeconds upsertSeconds baselineRowsPerSecond peakWorkingSetBytes" (the peak taken before the baseline).
    /// </summary>
    public static async Task<int> ChildAsync(string[] args)
    {
        var (url, token, engine) = (args[0], args[1], Enum.Parse<StorageEngine>(args[2]));
        var (accounts, contacts, pageSize) = (int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture));
        var db = await TestDatabases.MigratedAsync(engine);
        var store = new TimedStore(new SqlCrmSyncStore(db));
        // Real time throughout this file: a benchmark measures real durations, on the system clock as in production.
        using var client = DataverseClient.Create(new DataverseOptions { Url = url, AccessToken = token, PageSize = pageSize },
            new StaticTokenCredential(token, TimeProvider.System), TimeProvider.System, NullLogger.Instance);
        var watch = Stopwatch.StartNew();
        var result = await new DataverseSync(client, store, TimeProvider.System, NullLogger<DataverseSync>.Instance).RunAsync(new NoProgress(), default);
        watch.Stop();
        if (result.Accounts.Created != accounts || result.Contacts.Created != contacts)
            throw new InvalidOperationException($"Sync did not create every row: {result}");
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var peak = self.PeakWorkingSet64;
        var baseline = await BaselineAsync(engine, accounts, contacts, pageSize);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"result {watch.Elapsed.TotalSeconds:F3} {store.Elapsed.TotalSeconds:F3} {baseline:F1} {peak}"));
        return 0;
    }

    private static int Pages(int rows, int pageSize) => Math.Max(1, (rows + pageSize - 1) / pageSize);

    private static Guid Id(int table, int i) => new($"{table:D8}-0000-0000-0000-{i:D12}");

    private static JsonObject Account(int i) => new()
    {
        ["name"] = $"Bench Metals {i} B.V.",
        ["websiteurl"] = $"https://bench{i}.example",
        ["address1_line1"] = $"Industrieweg {i}",
        ["address1_postalcode"] = "3542 AD",
        ["address1_city"] = "Utrecht",
        ["address1_country"] = "Netherlands",
        ["otr_kvknumber"] = (10_000_000 + i).ToString(CultureInfo.InvariantCulture),
        ["otr_outreachowner"] = "Anne de Vries",
    };

    private static JsonObject Contact(int i, Guid account) => new()
    {
        ["fullname"] = $"Jan Bench{i}",
        ["emailaddress1"] = $"jan{i}@bench.example",
        ["jobtitle"] = "Director",
        ["_parentcustomerid_value"] = account.ToString("D"),
        ["otr_optedout"] = i % 50 == 0,
    };

    /// <summary>Rows per second of a plain prepared INSERT of the same organisations and contacts, committed per 5,000 rows.</summary>
    private static async Task<double> BaselineAsync(StorageEngine engine, int accounts, int contacts, int pageSize)
    {
        var db = await TestDatabases.MigratedAsync(engine);
        await using var connection = await db.OpenAsync(default);
        var now = db.IsSqlite ? (object)DateTimeOffset.UnixEpoch.ToString("O", CultureInfo.InvariantCulture) : DateTimeOffset.UnixEpoch;
        var watch = Stopwatch.StartNew();
        await InsertAsync(connection, accounts, pageSize, """
            INSERT INTO organisation (name, normalised_name, party_kind, sector, country, kvk_number, website_domain, owner, created_at, updated_at, dataverse_id, address_line, postal_code, city)
            VALUES (@a, @a, 'company', '', 'NL', @b, @b, 'Anne de Vries', @now, @now, @c, @b, '3542 AD', 'Utrecht')
            """, now, (i, a, b, c) =>
            {
                a.Value = $"Bench Metals {i} B.V.";
                b.Value = (10_000_000 + i).ToString(CultureInfo.InvariantCulture);
                c.Value = Id(1, i).ToString("D");
            });
        await InsertAsync(connection, contacts, pageSize, """
            INSERT INTO contact (organisation_id, name, email, language, role, created_at, updated_at, dataverse_id)
            VALUES (@b, @a, @a, 'nl', 'Director', @now, @now, @c)
            """, now, (i, a, b, c) =>
            {
                a.Value = $"jan{i}@bench.example";
                b.Value = (long)(i % accounts) + 1;
                c.Value = Id(2, i).ToString("D");
            });
        watch.Stop();
        var written = await connection.ExecuteScalarAsync<long>("SELECT (SELECT COUNT(*) FROM organisation) + (SELECT COUNT(*) FROM contact)");
        if (written != accounts + contacts) throw new InvalidOperationException($"Baseline wrote {written} rows.");
        return (accounts + contacts) / watch.Elapsed.TotalSeconds;
    }

    private static async Task InsertAsync(DbConnection connection, int rows, int pageSize, string sql, object now, Action<int, DbParameter, DbParameter, DbParameter> fill)
    {
        for (var start = 0; start < rows; start += pageSize)
        {
            await using var tx = await Database.BeginWriteAsync(connection, default);
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            var a = Add(command, "@a");
            var b = Add(command, "@b");
            var c = Add(command, "@c");
            Add(command, "@now").Value = now;
            // Values of the right types before Prepare, so PostgreSQL plans with them.
            fill(start, a, b, c);
            await command.PrepareAsync();
            for (var i = start; i < Math.Min(rows, start + pageSize); i++)
            {
                fill(i, a, b, c);
                await command.ExecuteNonQueryAsync();
            }

            await tx.CommitAsync();
        }
    }

    private static DbParameter Add(DbCommand command, string name)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = "";
        command.Parameters.Add(p);
        return p;
    }

    private sealed class NoProgress : IJobProgress
    {
        public Task ReportAsync(long done, long? total, CancellationToken ct) => Task.CompletedTask;
    }

    /// <summary>Times the local store only (the upsert), apart from HTTP and JSON.</summary>
    private sealed class TimedStore(ICrmSyncStore inner) : ICrmSyncStore
    {
        private long ticks;

        public TimeSpan Elapsed => TimeSpan.FromTicks(ticks);

        public Task<CrmSyncState> GetStateAsync(CrmTable table, CancellationToken ct) => inner.GetStateAsync(table, ct);

        public Task<CrmSyncState> StartFullReadAsync(CrmTable table, DateTimeOffset at, CancellationToken ct) => inner.StartFullReadAsync(table, at, ct);

        public Task<CrmPageResult> ApplyAccountsAsync(IReadOnlyList<CrmAccount> rows, IReadOnlyList<Guid> deleted, string? nextLink, string? deltaLink, DateTimeOffset at, CancellationToken ct) =>
            TimeAsync(() => inner.ApplyAccountsAsync(rows, deleted, nextLink, deltaLink, at, ct));

        public Task<CrmPageResult> ApplyContactsAsync(IReadOnlyList<CrmContact> rows, IReadOnlyList<Guid> deleted, string? nextLink, string? deltaLink, DateTimeOffset at, CancellationToken ct) =>
            TimeAsync(() => inner.ApplyContactsAsync(rows, deleted, nextLink, deltaLink, at, ct));

        public Task<string?> TryLeaseAsync(string name, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken ct) => inner.TryLeaseAsync(name, holder, now, until, ct);

        public Task<bool> RenewLeaseAsync(string name, string holder, DateTimeOffset until, CancellationToken ct) => inner.RenewLeaseAsync(name, holder, until, ct);

        public Task ReleaseLeaseAsync(string name, string holder, CancellationToken ct) => inner.ReleaseLeaseAsync(name, holder, ct);

        public Task SaveLinksAsync(CrmTable table, string? nextLink, string? deltaLink, DateTimeOffset at, CancellationToken ct) => inner.SaveLinksAsync(table, nextLink, deltaLink, at, ct);

        public Task<IReadOnlyList<CrmAccountLink>> FindAccountsAsync(IReadOnlyCollection<Guid> accountIds, CancellationToken ct) => inner.FindAccountsAsync(accountIds, ct);

        public Task<CrmRequestAnswer?> FindAnswerAsync(string key, CancellationToken ct) => inner.FindAnswerAsync(key, ct);

        public Task<long?> RecordAnswerAsync(CrmRequestAnswer answer, DateTimeOffset at, CancellationToken ct) => inner.RecordAnswerAsync(answer, at, ct);

        private async Task<CrmPageResult> TimeAsync(Func<Task<CrmPageResult>> apply)
        {
            var start = Stopwatch.GetTimestamp();
            var result = await apply();
            ticks += Stopwatch.GetElapsedTime(start).Ticks;
            return result;
        }
    }
}
