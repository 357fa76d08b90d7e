using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Jobs;
using Outreach.Core.Pipeline;
using Outreach.Jobs.PipelineHygiene;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>The embedded default: demo data on first start, kept on the second, pages served, OpenAPI published.</summary>
public sealed class DemoHostTests(DemoAppFixture app) : IClassFixture<DemoAppFixture>
{
    private readonly HttpClient client = app.CreateClient();

    [Fact]
    public async Task FirstStart_SeedsARealisticPipeline_WithEveryStageAndThreeYearsOfHistory()
    {
        var all = await client.GetFromJsonAsync<JsonElement>("/api/prospects?pageSize=500");
        Assert.True(all.GetProperty("total").GetInt32() >= 200, $"only {all.GetProperty("total")} prospects");
        foreach (var stage in Stages.All)
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/prospects?stage={stage.Code()}&pageSize=1");
            Assert.True(page.GetProperty("total").GetInt32() > 0, $"no prospect in {stage.Code()}");
        }

        var kinds = all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("partyKind").GetString()).Distinct().Count();
        Assert.Equal(6, kinds);

        var pipeline = app.Services.GetRequiredService<IPipelineStore>();
        var oldest = DateTimeOffset.MaxValue;
        foreach (var item in all.GetProperty("items").EnumerateArray())
        {
            var history = await pipeline.HistoryAsync(item.GetProperty("id").GetInt64(), default);
            // The stored stage is what the history replays to.
            Assert.Equal(Core.Pipeline.Pipeline.CurrentStage(history)!.Value.Code(), item.GetProperty("stage").GetString());
            oldest = history[0].At < oldest ? history[0].At : oldest;
        }

        Assert.True(app.Clock.GetUtcNow() - oldest > TimeSpan.FromDays(2.5 * 365), $"oldest history line is {oldest}");
    }

    [Fact]
    public async Task Contacts_AreInDutchAndEnglish()
    {
        var all = await client.GetFromJsonAsync<JsonElement>("/api/prospects?pageSize=80");
        var languages = new HashSet<string>();
        foreach (var item in all.GetProperty("items").EnumerateArray())
        {
            var details = await client.GetFromJsonAsync<JsonElement>($"/api/prospects/{item.GetProperty("id").GetInt64()}");
            foreach (var c in details.GetProperty("contacts").EnumerateArray()) languages.Add(c.GetProperty("language").GetString()!);
        }

        Assert.Equal(["en", "nl"], languages.Order());
    }

    [Fact]
    public async Task Board_ShowsAColumnPerStage_AndFiltersByOwner()
    {
        var html = await client.GetStringAsync("/board");
        foreach (var stage in Stages.All) Assert.Contains($"data-stage=\"{stage.Code()}\"", html, StringComparison.Ordinal);
        var filtered = await client.GetStringAsync("/board?owner=Anne%20de%20Vries");
        // Each card names its owner after the covenant badge; every card left must be Anne's.
        var owners = System.Text.RegularExpressions.Regex.Matches(filtered, "<span class=\"badge\">[^<]*</span> ([^<]+)</span>").Select(m => m.Groups[1].Value.Trim()).ToList();
        Assert.NotEmpty(owners);
        Assert.All(owners, o => Assert.Equal("Anne de Vries", o));
        var all = System.Text.RegularExpressions.Regex.Matches(html, "<span class=\"badge\">[^<]*</span> ([^<]+)</span>").Select(m => m.Groups[1].Value.Trim()).Distinct().Count();
        Assert.True(all > 1, "the unfiltered board should show several owners");
    }

    [Fact]
    public async Task ProspectPage_ShowsHistory_AndUnknownProspectIs404()
    {
        var first = (await client.GetFromJsonAsync<JsonElement>("/api/prospects?stage=signed&pageSize=1")).GetProperty("items")[0];
        var html = await client.GetStringAsync($"/prospects/{first.GetProperty("id").GetInt64()}");
        Assert.Contains("data-testid=\"history\"", html, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(first.GetProperty("organisation").GetString()!), html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/prospects/99999999")).StatusCode);
    }

    [Fact]
    public async Task Ui_CanBeSwitchedToDutch()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/board");
        request.Headers.Add("Cookie", ".AspNetCore.Culture=c%3Dnl%7Cuic%3Dnl");
        var html = await (await client.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"nl\">", html, StringComparison.Ordinal);
        Assert.Contains("Pijplijn", html, StringComparison.Ordinal);
        Assert.Contains(">ondertekend <span class=\"count\">", html, StringComparison.Ordinal);
        var english = await client.GetStringAsync("/board");
        Assert.Contains("<html lang=\"en\">", english, StringComparison.Ordinal);
        Assert.Contains("Pipeline", english, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_DescribesTheProspectsApi()
    {
        var doc = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/health", "/api/prospects", "/api/prospects/{id}", "/api/prospects/{id}/stage", "/api/prospects/{id}/history" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing from OpenAPI");
    }

    [Fact]
    public async Task SecondStart_KeepsTheData()
    {
        var before = (await client.GetFromJsonAsync<JsonElement>("/api/prospects?pageSize=1")).GetProperty("total").GetInt32();
        var demo = app.Services.GetRequiredService<Demo.DemoDataSeeder>();
        Assert.Null(await demo.SeedIfEmptyAsync(default));
        await using var again = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Storage:DataFolder", app.DataFolder);
            b.UseSetting("Outreach:SeedDemoDataOnFirstStart", "true");
            b.UseSetting("Jobs:SchedulerEnabled", "false");
            b.UseSetting("Jobs:RunSchedules", "false");
        });
        var againClient = again.CreateClient();
        againClient.DefaultRequestHeaders.Add(Access.ApiKeyAuthenticationHandler.Header,
            await again.Services.GetRequiredService<Access.AccessService>().CreateApiKeyAsync("second-start", Core.Access.Role.Manager, default));
        var after = (await againClient.GetFromJsonAsync<JsonElement>("/api/prospects?pageSize=1")).GetProperty("total").GetInt32();
        Assert.Equal(before, after);
    }
}

/// <summary>Jobs through the real host: Hangfire triggers the plain job class; status and outcome land in job_run.</summary>
public sealed class JobsHostTests : IAsyncLifetime
{
    private readonly OutreachAppFactory app = new(StorageEngine.Sqlite);
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        client = app.CreateClient();
        await app.Services.GetRequiredService<Core.Prospects.IProspectStore>().AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task JobsApi_ListsPipelineHygiene_WithScheduleAndNextRun()
    {
        var jobs = await client.GetFromJsonAsync<JsonElement>("/api/jobs");
        var hygiene = jobs.EnumerateArray().Single(j => j.GetProperty("key").GetString() == "pipeline-hygiene");
        Assert.Equal("0 7 * * 1-5", hygiene.GetProperty("schedule").GetString());
        Assert.Equal("working days at 07:00", hygiene.GetProperty("scheduleInWords").GetString());
        Assert.Equal("Europe/Amsterdam", hygiene.GetProperty("timeZone").GetString());
        var next = hygiene.GetProperty("nextRun").GetDateTimeOffset();
        var local = TimeZoneInfo.ConvertTime(next, TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam"));
        Assert.Equal(7, local.Hour);
        Assert.InRange(local.DayOfWeek, DayOfWeek.Monday, DayOfWeek.Friday);
    }

    [Fact]
    public async Task RunNow_MovesDueRevisitsBackToIdentified_AndRecordsTheOutcome()
    {
        var created = await client.PostAsJsonAsync("/api/prospects", new { name = "Revisit Metals", partyKind = "company", sector = "steel", owner = "Anne", covenant = "gold", stage = "contacted" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var move = await client.PostAsJsonAsync($"/api/prospects/{id}/stage", new { stage = "not_now", reason = "Budget next year", revisitOn = "2026-11-19" });
        Assert.Equal(HttpStatusCode.OK, move.StatusCode);

        // The job reads the host's (fake) clock: 06:00 in Amsterdam on the revisit date. Hangfire only runs what "Run now" queued.
        app.Clock.Set(new DateTimeOffset(2026, 11, 19, 5, 0, 0, TimeSpan.Zero));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/jobs/pipeline-hygiene/run", null)).StatusCode);
        var run = await WaitForRunAsync("pipeline-hygiene");
        Assert.Equal(JobOutcome.Succeeded, run.Outcome);
        Assert.StartsWith("1 revisits moved", run.Summary, StringComparison.Ordinal);

        var history = await client.GetFromJsonAsync<JsonElement>($"/api/prospects/{id}/history");
        var last = history[history.GetArrayLength() - 1];
        Assert.Equal("identified", last.GetProperty("to").GetString());
        Assert.Equal(PipelineHygieneJob.Actor, last.GetProperty("by").GetString());
        Assert.Contains("2026-11-19", last.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var page = await client.GetStringAsync("/jobs");
        Assert.Contains("1 revisits moved", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobsPage_ShowsTheProgressOfARunningJob_AndRefreshesItself()
    {
        var log = app.Services.GetRequiredService<IJobRunLog>();
        var run = await log.StartAsync("pipeline-hygiene", app.Clock.GetUtcNow(), "other-node", default);
        await log.ProgressAsync(run, 40, 100, default);
        var html = await client.GetStringAsync("/jobs");
        Assert.Contains("<progress value=\"40\" max=\"100\">", html, StringComparison.Ordinal);
        Assert.Contains("http-equiv=\"refresh\"", html, StringComparison.Ordinal);

        await log.FinishAsync(run, JobOutcome.Succeeded, "done by the other node", app.Clock.GetUtcNow(), default);
        html = await client.GetStringAsync("/jobs");
        Assert.DoesNotContain("http-equiv=\"refresh\"", html, StringComparison.Ordinal);
        Assert.Contains("done by the other node", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheWeeklyReportMail_GoesToEachManagerOnce_ThroughTheOutbox()
    {
        await using var configured = app.WithWebHostBuilder(b =>
        {
            b.UseSetting("Jobs:WeeklyReportRecipients:0", "directeur@secretariaat.example");
            b.UseSetting("Jobs:WeeklyReportRecipients:1", "manager@secretariaat.example");
        });
        var created = await client.PostAsJsonAsync("/api/prospects", new { name = "Weekly Gold", partyKind = "company", sector = "jewellery", owner = "Anne", covenant = "gold", stage = "contacted" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // Monday 23 November 2026, 06:00 in Amsterdam: the report covers Monday 16 to Sunday 22 November.
        app.Clock.Set(new DateTimeOffset(2026, 11, 23, 5, 0, 0, TimeSpan.Zero));
        async Task<JobResult> RunAsync()
        {
            await using var scope = configured.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<Jobs.Reports.WeeklyReportMailJob>().RunAsync(new JobContext(true, new NoProgress()), default);
        }

        var run = await RunAsync();
        Assert.Equal(JobOutcome.Succeeded, run.Outcome);
        Assert.Contains("queued for 2 of 2", run.Summary, StringComparison.Ordinal);

        var outbox = configured.Services.GetRequiredService<Core.Mail.IMailOutbox>();
        var queued = await outbox.ListAsync(null, 10, default);
        Assert.Equal(["directeur@secretariaat.example", "manager@secretariaat.example"], queued.Select(m => m.Mail.ToAddress).Order(StringComparer.Ordinal));
        Assert.All(queued, m => Assert.Contains("2026-11-16", m.Mail.IdempotencyKey, StringComparison.Ordinal));
        Assert.Contains("1 first contacts", queued[0].Mail.Subject, StringComparison.Ordinal);

        // Run again (by hand, or on a second node): nothing new.
        var again = await RunAsync();
        Assert.Contains("queued for 0 of 2", again.Summary, StringComparison.Ordinal);
        Assert.Equal(2, (await outbox.ListAsync(null, 10, default)).Count);

        await configured.Services.GetRequiredService<Core.Mail.OutboxDispatcher>().DispatchDueAsync("test", default);
        var files = Directory.GetFiles(Path.Combine(app.DataFolder, "mail"), "*.eml");
        Assert.Equal(2, files.Length);
    }

    [Fact]
    public async Task RunNow_UnknownJob_Is404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/jobs/nope/run", null)).StatusCode);
    }

    private sealed class NoProgress : IJobProgress
    {
        public Task ReportAsync(long done, long? total, CancellationToken ct) => Task.CompletedTask;
    }

    private Task<JobRun> WaitForRunAsync(string job) => WaitForRunAsync(app.Services.GetRequiredService<IJobRunLog>(), job, 1);

    private static async Task<JobRun> WaitForRunAsync(IJobRunLog log, string job, int count)
    {
        for (var i = 0; i < 300; i++)
        {
            var runs = await log.LatestAsync(job, 10, default);
            if (runs.Count >= count && runs[0].Outcome != JobOutcome.Running) return runs[0];
            await Task.Delay(100);
        }

        throw new TimeoutException($"{job} did not finish within 30 s.");
    }
}
