using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Access;
using Outreach.Core.Jobs;
using Outreach.Dataverse;
using Outreach.Graph.Testing;
using Outreach.Jobs.Scheduling;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>Schedules: checked at start naming their key, said in words, evaluated in Europe/Amsterdam.</summary>
public sealed class JobScheduleTests
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    [Theory]
    [InlineData("0 7 * * 1-5", "working days at 07:00")]
    [InlineData("0 2 * * *", "every day at 02:00")]
    [InlineData("*/5 * * * *", "every 5 minutes")]
    [InlineData("2-59/5 * * * *", "every 5 minutes, from minute 2")]
    [InlineData("0 8 * * 1", "Mondays at 08:00")]
    [InlineData("* * * * *", "every minute")]
    [InlineData("0 * * * *", "every hour at minute 0")]
    [InlineData("0 */6 * * *", "every 6 hours at minute 0")]
    [InlineData("15 10 1 * *", "on day 1 of every month at 10:15")]
    [InlineData("15 10 1 1 *", "cron 15 10 1 1 *")]
    public void Describe_SaysTheScheduleInWords(string cron, string words) =>
        Assert.Equal(words, JobSchedule.Parse("Jobs:X", cron, Amsterdam).Describe().Format(t => t));

    [Fact]
    public void EveryDefaultSchedule_Parses_AndIsSaidInWords()
    {
        var options = new JobsOptions { ReplyScanEnabled = true, EventCalendarEnabled = true, DataverseSyncCron = new DataverseOptions().SyncCron() };
        var schedules = JobCatalog.Schedules(options);
        Assert.Equal(JobCatalog.All.Count, schedules.Count);
        Assert.All(schedules, s => Assert.DoesNotContain("cron", s.Schedule.Describe().Format(t => t), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0 0/5 * * * ?", "Quartz")]
    [InlineData("*/5 * * *", "five fields")]
    [InlineData("61 * * * *", "not a valid cron expression")]
    [InlineData("", "is empty")]
    public void ABadCron_IsRefused_NamingItsKey(string cron, string why)
    {
        var error = Assert.Throws<InvalidOperationException>(() => JobCatalog.Schedules(new JobsOptions { SequencesCron = cron }));
        Assert.Contains("Jobs:SequencesCron", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownTimeZone_IsRefused_NamingItsKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => JobCatalog.Schedules(new JobsOptions { TimeZone = "Europe/Atlantis" }));
        Assert.Contains("Jobs:TimeZone", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<TimeSpan> AllowedSyncIntervals()
    {
        var data = new TheoryData<TimeSpan>();
        foreach (var m in new[] { 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 }) data.Add(TimeSpan.FromMinutes(m));
        foreach (var h in new[] { 1, 2, 3, 4, 6, 8, 12, 24 }) data.Add(TimeSpan.FromHours(h));
        return data;
    }

    /// <summary>Every allowed interval (24 h once crashed start-up with "Increment > 23 : 24") runs at exactly that spacing for two days.</summary>
    [Theory]
    [MemberData(nameof(AllowedSyncIntervals))]
    public void EveryAllowedSyncInterval_IsScheduledAtThatSpacing(TimeSpan interval)
    {
        var options = new DataverseOptions { Url = "http://127.0.0.1:5005", AccessToken = "t", SyncInterval = interval };
        Assert.Empty(Validate(options));
        var schedule = JobCatalog.Schedules(new JobsOptions { DataverseSyncCron = options.SyncCron() }).Single(s => s.Job.Key == "dataverse-sync").Schedule;
        // Hours are wall-clock hours in Amsterdam (a daily sync at midnight), so the spacing is checked away from a DST change.
        var at = new DateTimeOffset(2026, 11, 17, 22, 0, 0, TimeSpan.Zero);
        var slots = new List<DateTimeOffset>();
        for (var next = schedule.NextAfter(at); next is { } n && slots.Count < Math.Min(50, 48 * 60 / (int)interval.TotalMinutes); next = schedule.NextAfter(n)) slots.Add(n);
        Assert.True(slots.Count >= 2);
        Assert.All(slots.Zip(slots.Skip(1)), pair => Assert.Equal(interval, pair.Second - pair.First));
    }

    [Theory]
    [InlineData(7.0)]
    [InlineData(90.0)]
    [InlineData(300.0)]
    [InlineData(1500.0)]
    [InlineData(0.5)]
    public void ASyncIntervalThatDoesNotDivideAnHourOrADay_IsRefused_NamingItsKey(double minutes)
    {
        var errors = Validate(new DataverseOptions { Url = "http://127.0.0.1:5005", AccessToken = "t", SyncInterval = TimeSpan.FromMinutes(minutes) });
        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Dataverse:SyncInterval", StringComparison.Ordinal));
    }

    private static List<ValidationResult> Validate(object options)
    {
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true);
        return errors;
    }
}

/// <summary>Hangfire in the real host: start-up checks, the dashboard's access, the catch-up of the embedded node, the nodes list, PostgreSQL storage.</summary>
public sealed class HangfireHostTests
{
    [Fact]
    public async Task ABadCron_IsRefusedAtStart_NamingItsKey()
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b => b.UseSetting("Jobs:WeeklyReportCron", "0 0 8 ? * MON"));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(StartFailure.Flatten(error), e => e.Message.Contains("Jobs:WeeklyReportCron", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADailyDataverseSync_Starts_AndIsListedInWords()
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Dataverse:Url", "http://127.0.0.1:9");
            b.UseSetting("Dataverse:AccessToken", "static-token");
            b.UseSetting("Dataverse:SyncInterval", "1.00:00:00");
        });
        var jobs = await app.CreateClient().GetFromJsonAsync<JsonElement>("/api/jobs");
        var sync = jobs.EnumerateArray().Single(j => j.GetProperty("key").GetString() == "dataverse-sync");
        Assert.Equal("0 0 * * *", sync.GetProperty("schedule").GetString());
        Assert.Equal("every day at 00:00", sync.GetProperty("scheduleInWords").GetString());
    }

    /// <summary>Found by reading: with Events:Calendar=Graph the calendar job was scheduled but missing from /jobs and /api/jobs, and "Run now" answered 404.</summary>
    [Fact]
    public async Task TheGraphCalendarJob_IsListed_AndCanBeRunByHand()
    {
        await using var server = await LocalGraphServer.StartAsync();
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithGraphCalendar(server);
        var client = app.CreateClient();
        var jobs = await client.GetFromJsonAsync<JsonElement>("/api/jobs");
        Assert.Contains(jobs.EnumerateArray(), j => j.GetProperty("key").GetString() == "event-calendar");
        Assert.Contains("data-job=\"event-calendar\"", await client.GetStringAsync("/jobs"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/jobs/event-calendar/run", null)).StatusCode);
        var run = await WaitForRunsAsync(app.Services, "event-calendar", 1);
        Assert.True(run.Outcome is JobOutcome.Succeeded or JobOutcome.Skipped, run.Summary);
    }

    [Fact]
    public async Task TheDashboard_IsForAdministratorsOnly_AndItsPostsNeedTheAntiforgeryToken()
    {
        await using var app = new OutreachAppFactory();
        var admin = app.CreateClientAs(Role.Administrator);
        var home = await admin.GetAsync("/jobs/dashboard/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Outreach jobs", await home.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Its inline style attributes are allowed there only; scripts stay the app's own files everywhere.
        var policy = home.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Equal(Hosting.SecurityHeaders.DashboardContentSecurityPolicy, policy);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Equal(Hosting.SecurityHeaders.ContentSecurityPolicy, (await admin.GetAsync("/jobs")).Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/jobs/dashboard/servers")).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await app.CreateClientAs(Role.Manager).GetAsync("/jobs/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.CreateClientAs(Role.Secretariat).GetAsync("/jobs/dashboard/")).StatusCode);
        var anonymous = await app.CreateClientAs(null).GetAsync("/jobs/dashboard/");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/account/login", anonymous.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await app.CreateClientAs(null).GetAsync("/jobs/dashboard/stats")).StatusCode);

        // A post without the antiforgery token (a cross-site form) is refused and triggers nothing.
        var trigger = await admin.PostAsync("/jobs/dashboard/recurring/trigger", new FormUrlEncodedContent([new("jobs[]", "sequences")]));
        Assert.Equal(HttpStatusCode.Forbidden, trigger.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.CreateClientAs(Role.Manager).PostAsync("/jobs/dashboard/recurring/trigger", new FormUrlEncodedContent([new("jobs[]", "sequences")]))).StatusCode);
        await Task.Delay(500);
        Assert.Empty(await app.Services.GetRequiredService<IJobRunLog>().LatestAsync("sequences", 5, default));

        // The jobs page links to it for administrators only.
        Assert.Contains("data-testid=\"dashboard-link\"", await admin.GetStringAsync("/jobs"), StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"dashboard-link\"", await app.CreateClientAs(Role.Manager).GetStringAsync("/jobs"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheNodes_AreListedWithTheirHeartbeat()
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b => b.UseSetting("Jobs:NodeName", "node-amsterdam-1"));
        var client = app.CreateClient();
        JsonElement nodes = default;
        for (var i = 0; i < 100; i++)
        {
            nodes = await client.GetFromJsonAsync<JsonElement>("/api/jobs/nodes");
            if (nodes.GetArrayLength() > 0) break;
            await Task.Delay(100);
        }

        var node = Assert.Single(nodes.EnumerateArray());
        Assert.StartsWith("node-amsterdam-1", node.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(JsonValueKind.Null, node.GetProperty("heartbeat").ValueKind);
        Assert.Equal(4, node.GetProperty("workers").GetInt32());
        Assert.Contains("node-amsterdam-1", await client.GetStringAsync("/jobs"), StringComparison.Ordinal);
    }

    /// <summary>
    /// The embedded node keeps its schedules in memory: the Monday report mail missed while it was down goes once when it
    /// starts (decided from job_run), and a second start does not send it again.
    /// </summary>
    [Fact]
    public async Task TheEmbeddedNode_CatchesUpOnceOnAMissedSlot()
    {
        var folder = Path.Combine(Path.GetTempPath(), "outreach-web-tests", Guid.NewGuid().ToString("N"));
        try
        {
            // Monday 23 November 2026, 09:00 in Amsterdam; the last report went a week ago, a second after its 08:00 slot.
            var monday = new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
            await using (var first = Host(folder, monday, runSchedules: false, scheduler: false))
            {
                first.CreateClient();
                var log = first.Services.GetRequiredService<IJobRunLog>();
                var last = await log.StartAsync("weekly-report-mail", new DateTimeOffset(2026, 11, 16, 7, 0, 1, TimeSpan.Zero), "earlier", default);
                await log.FinishAsync(last, JobOutcome.Succeeded, "queued for 0 of 0", new DateTimeOffset(2026, 11, 16, 7, 0, 2, TimeSpan.Zero), default);
                // A job whose slot has not come since its last run is left alone.
                var hygiene = await log.StartAsync("pipeline-hygiene", new DateTimeOffset(2026, 11, 23, 6, 0, 1, TimeSpan.Zero), "earlier", default);
                await log.FinishAsync(hygiene, JobOutcome.Succeeded, "0 revisits moved", new DateTimeOffset(2026, 11, 23, 6, 0, 2, TimeSpan.Zero), default);
            }

            await using (var second = Host(folder, monday, runSchedules: true, scheduler: true))
            {
                second.CreateClient();
                var run = await WaitForRunsAsync(second.Services, "weekly-report-mail", 2);
                Assert.True(run.Outcome is JobOutcome.Succeeded or JobOutcome.Skipped, run.Summary);
                Assert.Equal(monday, run.StartedAt);
                await Task.Delay(1000);
                Assert.Single(await second.Services.GetRequiredService<IJobRunLog>().LatestAsync("pipeline-hygiene", 10, default));
            }

            await using (var third = Host(folder, monday + TimeSpan.FromMinutes(30), runSchedules: true, scheduler: false))
            {
                third.CreateClient();
                var monitoring = third.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
                // The report is not queued again. (A minute job the second host happened to run on the system clock may be
                // caught up here, rightly: the fake clock is half an hour on; found as a CI flake that counted every queued job.)
                var queued = monitoring.EnqueuedJobs("default", 0, 100).Select(j => j.Value.Job is { Args.Count: > 0 } job ? job.Args[0] as string : null).ToList();
                Assert.DoesNotContain("weekly-report-mail", queued);
                Assert.Equal(2, (await third.Services.GetRequiredService<IJobRunLog>().LatestAsync("weekly-report-mail", 10, default)).Count);
            }
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Host(string folder, DateTimeOffset now, bool runSchedules, bool scheduler)
    {
        var clock = new FakeTimeProvider(now);
        return new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.UseSetting("Storage:DataFolder", folder);
            b.UseSetting("Outreach:PublicBaseUrl", OutreachAppFactory.PublicBaseUrl);
            b.UseSetting("Outreach:SeedDemoDataOnFirstStart", "false");
            b.UseSetting("Jobs:RunSchedules", runSchedules ? "true" : "false");
            b.UseSetting("Jobs:SchedulerEnabled", scheduler ? "true" : "false");
            b.ConfigureServices(services =>
            {
                services.AddSingleton<TimeProvider>(clock);
            });
        });
    }

    /// <summary>On PostgreSQL Hangfire keeps its queue in the application database ("hangfire" schema), and Run now goes through it.</summary>
    [Fact]
    public async Task OnPostgres_HangfireRunsFromTheApplicationDatabase()
    {
        await using var app = new OutreachAppFactory(StorageEngine.Postgres);
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/jobs/pipeline-hygiene/run", null)).StatusCode);
        var run = await WaitForRunsAsync(app.Services, "pipeline-hygiene", 1);
        Assert.Equal(JobOutcome.Succeeded, run.Outcome);
        await using var c = await app.Services.GetRequiredService<Database>().OpenAsync(default);
        Assert.True(await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'hangfire' AND table_name = 'job'") == 1);
        Assert.True(await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM hangfire.job") >= 1);
    }

    /// <summary>Issue 13 point 2: the recurring jobs as Hangfire stored them run in Europe/Amsterdam time, on the catalog's cron.</summary>
    [Fact]
    public async Task TheRecurringJobs_AreStoredInAmsterdamTime()
    {
        var factory = new OutreachAppFactory(StorageEngine.Postgres);
        await using (var app = factory.WithWebHostBuilder(b => b.UseSetting("Jobs:RunSchedules", "true")))
        {
            app.CreateClient();
            using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
            var stored = connection.GetRecurringJobs();
            var expected = JobCatalog.Schedules(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobsOptions>>().Value);
            Assert.Equal(expected.Select(s => s.Job.Key).Order(), stored.Select(j => j.Id).Order());
            Assert.All(stored, j => Assert.Equal("Europe/Amsterdam", j.TimeZoneId));
            Assert.All(stored, j => Assert.Equal(expected.Single(s => s.Job.Key == j.Id).Schedule.Cron, j.Cron));
        }

        await factory.DisposeAsync();
    }

    /// <summary>Two nodes migrating one new database at once: Hangfire's schema is installed once, under the migrations' lock (it clashed on a duplicate key when raced).</summary>
    [Fact]
    public async Task TwoNodesMigratingAtOnce_InstallHangfiresSchemaWithoutAClash()
    {
        var connectionString = PostgresCluster.Instance.CreateDatabase("hangfire");
        var addition = new SchemaAddition(HangfireSchema.Name, StorageEngine.Postgres, HangfireSchema.InstallAsync);
        var migrators = Enumerable.Range(0, 3).Select(_ => new Migrator(new Database(StorageEngine.Postgres, connectionString), new FakeTimeProvider(), NullLogger<Migrator>.Instance, [addition])).ToList();
        await Task.WhenAll(migrators.Select(m => m.MigrateAsync(default)));
        await using var c = await new Database(StorageEngine.Postgres, connectionString).OpenAsync(default);
        Assert.True(await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'hangfire'") >= 10);
        // And again: an installed schema is left as it is.
        await migrators[0].MigrateAsync(default);
    }

    private static async Task<JobRun> WaitForRunsAsync(IServiceProvider services, string job, int count)
    {
        var log = services.GetRequiredService<IJobRunLog>();
        for (var i = 0; i < 300; i++)
        {
            var runs = await log.LatestAsync(job, 10, default);
            if (runs.Count >= count && runs[0].Outcome != JobOutcome.Running) return runs[0];
            await Task.Delay(100);
        }

        throw new TimeoutException($"{job} did not reach {count} finished runs within 30 s.");
    }
}

/// <summary>A starting node takes back its outbox claims only when no other live process runs under its name.</summary>
public sealed class LiveNodesTests
{
    [Fact]
    public async Task ARecordThatHeartbeats_IsALiveTwin_ARecordLeftByACrashIsNot()
    {
        using var storage = new Hangfire.InMemory.InMemoryStorage();
        var nodes = new LiveNodes(() => storage);
        Assert.False(await nodes.IsNameInUseAsync("node-1", TimeSpan.FromMilliseconds(300), default));

        using var connection = storage.GetConnection();
        var context = new Hangfire.Server.ServerContext { Queues = ["default"], WorkerCount = 4 };
        // A predecessor that crashed: its record is there, its heartbeat does not move.
        var crashed = "node-1:4711:" + Guid.NewGuid();
        connection.AnnounceServer(crashed, context);
        // The in-memory storage applies writes on its own dispatcher thread: wait until the record reads the same twice (a CI
        // flake read it while it was still being written), so what is watched below is a record that no longer changes.
        DateTime? Beat() => storage.GetMonitoringApi().Servers().SingleOrDefault(s => s.Name == crashed)?.Heartbeat;
        for (var i = 0; i < 40 && (Beat() is not { } first || (await Task.Delay(50).ContinueWith(_ => Beat())) != first); i++) { }
        Assert.False(await nodes.IsNameInUseAsync("node-1", TimeSpan.FromMilliseconds(300), default));

        // A live twin under the same name: its heartbeat moves while we watch.
        var twin = "node-1:4712:" + Guid.NewGuid();
        connection.AnnounceServer(twin, context);
        var watching = nodes.IsNameInUseAsync("Node-1", TimeSpan.FromMilliseconds(1500), default);
        await Task.Delay(700);
        connection.Heartbeat(twin);
        Assert.True(await watching);

        // Another name is not this node.
        Assert.False(await nodes.IsNameInUseAsync("node-10", TimeSpan.FromMilliseconds(300), default));
    }
}

/// <summary>
/// Found by CI under load: the outbox's start check saw the node's own Hangfire server (started beside it) as a live twin, so
/// it watched for 25 s before sending anything, and a stop during that watch gave back no claims.
/// </summary>
public sealed class OwnServerTests
{
    [Fact]
    public async Task TheNodesOwnServer_IsNoTwin_EvenWhileItBeats()
    {
        using var storage = new Hangfire.InMemory.InMemoryStorage();
        var nodes = new LiveNodes(() => storage);
        using var connection = storage.GetConnection();
        var own = $"node-1:{Environment.ProcessId}:{Guid.NewGuid()}";
        connection.AnnounceServer(own, new Hangfire.Server.ServerContext { Queues = ["default"], WorkerCount = 4 });

        var watching = nodes.IsNameInUseAsync("node-1", TimeSpan.FromMilliseconds(1500), default);
        await Task.Delay(700);
        connection.Heartbeat(own);

        Assert.False(await watching);
    }
}

/// <summary>Found by the three-node test: a node stopped gracefully kept its outbox claims until their lease ran out.</summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task ANodeStoppingGracefully_GivesBackItsOutboxClaims()
    {
        var factory = new OutreachAppFactory();
        long id;
        await using (var app = factory.WithWebHostBuilder(b => b.UseSetting("Jobs:NodeName", "node-stopping")))
        {
            app.CreateClient();
            var outbox = app.Services.GetRequiredService<Core.Mail.IMailOutbox>();
            var now = factory.Clock.GetUtcNow();
            // Due in an hour, so the node's own dispatcher leaves it alone; then claimed under the node's name, as a send in flight would be.
            var (mail, _) = await outbox.EnqueueAsync(new Core.Mail.MailDraft
            {
                IdempotencyKey = "stop:1", Purpose = "test", ToAddress = "eva@example.org", ToName = "Eva", Subject = "s", HtmlBody = "<p>b</p>", TextBody = "b", DueAt = now.AddHours(1),
            }, now, default);
            id = mail.Id;
            Assert.Single(await outbox.ClaimDueAsync("node-stopping", now.AddHours(1), now.AddHours(2), 10, default));
        }

        var db = new Database(StorageEngine.Sqlite, "Data Source=" + Path.Combine(factory.DataFolder, "outreach.db"));
        await using var c = await db.OpenAsync(default);
        var row = await c.QuerySingleAsync<(string Status, string? ClaimedBy)>("SELECT status, claimed_by FROM mail_outbox WHERE id = @id", new { id });
        Assert.Equal(("pending", (string?)null), (row.Status, row.ClaimedBy));
        await factory.DisposeAsync();
    }
}
