using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Jobs;
using Outreach.Dataverse.Testing;

namespace Outreach.Web.Tests;

/// <summary>Dataverse configuration through the real host: off by default, a static token only for a loopback URL, the sync job on the jobs page.</summary>
public sealed class DataverseHostTests
{
    [Fact]
    public async Task WithoutDataverseConfiguration_TheSyncJobIsNotScheduled()
    {
        await using var app = new OutreachAppFactory();
        var jobs = await app.CreateClient().GetFromJsonAsync<JsonElement>("/api/jobs");
        Assert.DoesNotContain(jobs.EnumerateArray(), j => j.GetProperty("key").GetString() == "dataverse-sync");
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().PostAsync("/api/jobs/dataverse-sync/run", null)).StatusCode);
    }

    [Fact]
    public async Task StaticAccessToken_ForARealEnvironment_IsRefusedAtStartWithAClearMessage()
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Dataverse:Url", "https://contoso.crm4.dynamics.com");
            b.UseSetting("Dataverse:AccessToken", "eyJ-not-a-real-token");
        });
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var messages = string.Join(" | ", StartFailure.Flatten(error).Select(e => e.Message));
        Assert.Contains("Dataverse:AccessToken", messages, StringComparison.Ordinal);
        Assert.Contains("loopback", messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UrlWithoutCredentials_IsRefusedAtStart()
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b => b.UseSetting("Dataverse:Url", "https://contoso.crm4.dynamics.com"));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(StartFailure.Flatten(error), e => e.Message.Contains("Dataverse:ClientSecret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LocalServerWithStaticToken_SchedulesTheSyncEveryFifteenMinutes_AndRunNowSyncsWithCountsOnTheJobsPage()
    {
        await using var server = await LocalDataverseServer.StartAsync();
        server.Seed("accounts", Enumerable.Range(0, 25).Select(i => (Guid.NewGuid(), new JsonObject { ["name"] = $"Dynamics Account {i}" })));
        await using var factory = new OutreachAppFactory();
        // Off the quarter hour, so only "run now" fires (at 09:00 sharp the 15-minute schedule fires at start too).
        factory.Clock.Set(new DateTimeOffset(2026, 11, 18, 9, 7, 0, TimeSpan.Zero));
        await using var app = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Dataverse:Url", server.Url.AbsoluteUri.TrimEnd('/'));
            b.UseSetting("Dataverse:AccessToken", server.Token);
        });
        var client = app.CreateClient();
        var jobs = await client.GetFromJsonAsync<JsonElement>("/api/jobs");
        var sync = jobs.EnumerateArray().Single(j => j.GetProperty("key").GetString() == "dataverse-sync");
        Assert.Equal("*/15 * * * *", sync.GetProperty("schedule").GetString());
        Assert.Equal("every 15 minutes", sync.GetProperty("scheduleInWords").GetString());

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/jobs/dataverse-sync/run", null)).StatusCode);
        var log = app.Services.GetRequiredService<IJobRunLog>();
        JobRun? run = null;
        for (var i = 0; i < 300 && run is null; i++)
        {
            var runs = await log.LatestAsync("dataverse-sync", 1, default);
            if (runs.Count == 1 && runs[0].Outcome != JobOutcome.Running) run = runs[0];
            else await Task.Delay(100);
        }

        Assert.NotNull(run);
        Assert.True(run.Outcome == JobOutcome.Succeeded, run.Summary);
        Assert.Single(await log.LatestAsync("dataverse-sync", 10, default));
        Assert.StartsWith("Accounts: read 25, created 25, updated 0, removed 0, failed 0 (full read).", run.Summary, StringComparison.Ordinal);
        Assert.Equal(25, run.ProgressTotal);
        var page = await client.GetStringAsync("/jobs");
        Assert.Contains("Accounts: read 25, created 25", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEventMadeThroughTheApi_ReachesDynamicsWithItsInvitation_OnTheNextSync()
    {
        await using var server = await LocalDataverseServer.StartAsync();
        var account = Guid.NewGuid();
        var contact = Guid.NewGuid();
        server.Upsert("accounts", account, new JsonObject { ["name"] = "Gastheer Goud B.V." });
        server.Upsert("contacts", contact, new JsonObject
        {
            ["fullname"] = "Iris Dekker", ["emailaddress1"] = "iris@gastheer.example", ["_parentcustomerid_value"] = account.ToString("D"),
        });
        await using var host = await DataverseHost.StartAsync(server);
        var (app, client) = (host.App, host.Client);
        await RunSyncAsync(app, client, 1);
        var contactId = (await app.Services.GetRequiredService<Core.Prospects.IProspectStore>().FindContactsByEmailAsync("iris@gastheer.example", default)).Single().Id;

        var created = await client.PostAsJsonAsync("/api/events", new
        {
            title = "Netwerkbijeenkomst goud", covenant = "gold", format = "physical", venue = "Utrecht",
            start = "2027-01-20T14:00", end = "2027-01-20T17:00", registrationDeadline = "2027-01-15T23:59", capacity = 30,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var eventId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/events/{eventId}/invitations", new { contactIds = new[] { contactId } })).StatusCode);
        var run = await RunSyncAsync(app, client, 2);

        Assert.Contains("Write-back: sent 2, failed 0", run.Summary, StringComparison.Ordinal);
        var (dynamicsEvent, row) = Assert.Single(server.Rows("otr_networkevents"));
        Assert.Equal(("Netwerkbijeenkomst goud", "2027-01-20T13:00:00Z", "gold"), ((string)row["otr_name"]!, (string)row["otr_startson"]!, (string)row["otr_covenant"]!));
        var invitation = Assert.Single(server.Rows("otr_invitations")).Value;
        Assert.Equal($"/otr_networkevents({dynamicsEvent:D})", (string)invitation["otr_networkeventid@odata.bind"]!);
        Assert.Equal($"/contacts({contact:D})", (string)invitation["otr_contactid@odata.bind"]!);
    }

    [Fact]
    public async Task AProspectStartedInDynamicsAndMovedInOutreach_ReachesDynamics_UnderTheSolutionsNavigationProperties()
    {
        // The local server takes only the names solutions/Outreach exposes (case included), as Dataverse does after import.
        await using var server = await LocalDataverseServer.StartAsync();
        var account = Guid.NewGuid();
        server.Upsert("accounts", account, new JsonObject { ["name"] = "Goudsmederij Noord B.V.", ["otr_covenant"] = "gold" });
        await using var host = await DataverseHost.StartAsync(server);
        var (app, client) = (host.App, host.Client);
        await RunSyncAsync(app, client, 1);
        var prospect = (await client.GetFromJsonAsync<JsonElement>("/api/prospects?q=Goudsmederij")).GetProperty("items")[0].GetProperty("id").GetInt64();

        var moved = await client.PostAsJsonAsync($"/api/prospects/{prospect}/stage", new { stage = "contacted", reason = "First mail sent" });
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());
        var run = await RunSyncAsync(app, client, 2);

        var summary = run.Summary ?? "";
        Assert.Contains("failed 0", summary[summary.IndexOf("Write-back", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Equal(100_000_001, (int)server.Rows("accounts")[account]["otr_pipelinestage"]!);
        var changes = server.Rows("otr_stagechanges").Values.ToList();
        Assert.NotEmpty(changes);
        Assert.All(changes, c => Assert.Equal($"/accounts({account:D})", (string)c["otr_accountid@odata.bind"]!));
        Assert.Contains(changes, c => c["otr_reason"]?.GetValue<string>() == "First mail sent");
        Assert.DoesNotContain(server.Requests, r => r.Status >= 400);
    }

    [Fact]
    public async Task AWriteBackDynamicsRefuses_HoldsBackNoOther_ShowsItsErrorOnTheJobsAndProspectPages_AndTheRunIsNotAPlainSuccess()
    {
        await using var server = await LocalDataverseServer.StartAsync();
        var (gone, kept) = (Guid.NewGuid(), Guid.NewGuid());
        server.Upsert("accounts", gone, new JsonObject { ["name"] = "Vertrokken Metaal B.V.", ["otr_covenant"] = "gold" });
        server.Upsert("accounts", kept, new JsonObject { ["name"] = "Blijvend Goud B.V.", ["otr_covenant"] = "gold" });
        await using var host = await DataverseHost.StartAsync(server);
        var (app, client) = (host.App, host.Client);
        await RunSyncAsync(app, client, 1);
        async Task<long> ProspectAsync(string q) => (await client.GetFromJsonAsync<JsonElement>($"/api/prospects?q={q}")).GetProperty("items")[0].GetProperty("id").GetInt64();
        var (goneProspect, keptProspect) = (await ProspectAsync("Vertrokken"), await ProspectAsync("Blijvend"));

        // Deleted in Dynamics after the first sync: the write-back of its move is refused (404, If-Match: * never re-creates it).
        server.Delete("accounts", gone);
        foreach (var id in new[] { goneProspect, keptProspect })
            Assert.True((await client.PostAsJsonAsync($"/api/prospects/{id}/stage", new { stage = "contacted", reason = "First mail sent" })).IsSuccessStatusCode);
        var run = await RunSyncAsync(app, client, 2, JobOutcome.PartlyFailed);

        Assert.Contains("Write-back: sent 1, failed 1", run.Summary, StringComparison.Ordinal);
        Assert.Equal(100_000_001, (int)server.Rows("accounts")[kept]["otr_pipelinestage"]!);
        var jobs = await client.GetStringAsync("/jobs");
        Assert.Contains("data-testid=\"writeback-refused\"", jobs, StringComparison.Ordinal);
        Assert.Contains("Entity with the key does not exist.", jobs, StringComparison.Ordinal);
        Assert.Contains($"href=\"/prospects/{goneProspect}\"", jobs, StringComparison.Ordinal);
        Assert.Contains("outcome partlyfailed", jobs, StringComparison.Ordinal);
        var page = await client.GetStringAsync($"/prospects/{goneProspect}");
        Assert.Contains("data-testid=\"writeback-refused\"", page, StringComparison.Ordinal);
        Assert.Contains("Entity with the key does not exist.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("writeback-refused", await client.GetStringAsync($"/prospects/{keptProspect}"), StringComparison.Ordinal);
        var api = await client.GetFromJsonAsync<JsonElement>("/api/jobs");
        Assert.Equal("PartlyFailed", api.EnumerateArray().Single(j => j.GetProperty("key").GetString() == "dataverse-sync").GetProperty("lastRun").GetProperty("outcome").GetString());
    }

    /// <summary>Runs the sync job now and waits for its <paramref name="number"/>th run to end.</summary>
    private static async Task<JobRun> RunSyncAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app, HttpClient client, int number, JobOutcome outcome = JobOutcome.Succeeded)
    {
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/jobs/dataverse-sync/run", null)).StatusCode);
        var log = app.Services.GetRequiredService<IJobRunLog>();
        for (var i = 0; i < 300; i++)
        {
            // By id: on the test's fixed clock both runs start at the same instant, so "latest" alone could be either.
            var runs = await log.LatestAsync("dataverse-sync", 10, default);
            if (runs.Count == number && runs.All(r => r.Outcome != JobOutcome.Running))
            {
                var run = runs.MaxBy(r => r.Id)!;
                Assert.True(run.Outcome == outcome, $"{run.Outcome}: {run.Summary}");
                return run;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Sync run {number} did not end.");
    }

    [Fact]
    public async Task ProspectPage_SaysWhenTheAccountWasDeletedInDynamics_AndKeepsTheProspect()
    {
        await using var app = new OutreachAppFactory();
        var client = app.CreateClient();
        await app.Services.GetRequiredService<Core.Prospects.IProspectStore>().AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
        var created = await client.PostAsJsonAsync("/api/prospects", new { name = "Gone Metals", partyKind = "company", sector = "steel", owner = "Anne", covenant = "gold", stage = "contacted" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.DoesNotContain("removed-in-dynamics", await client.GetStringAsync($"/prospects/{id}"), StringComparison.Ordinal);

        await using (var c = await app.Services.GetRequiredService<Storage.Database>().OpenAsync(default))
        {
            await Dapper.SqlMapper.ExecuteAsync(c, "UPDATE organisation SET removed_at = '2026-11-17T10:00:00.0000000Z' WHERE name = 'Gone Metals'");
        }

        var html = await client.GetStringAsync($"/prospects/{id}");
        Assert.Contains("data-testid=\"removed-in-dynamics\"", html, StringComparison.Ordinal);
        Assert.Contains("17 Nov 2026 11:00", html, StringComparison.Ordinal);
        // The board still lists it, marked, and the API says so.
        var board = await client.GetStringAsync("/board?q=Gone");
        Assert.Contains("data-testid=\"card-removed\"", board, StringComparison.Ordinal);
        var listed = await client.GetFromJsonAsync<JsonElement>("/api/prospects?q=Gone");
        Assert.Equal(new DateTimeOffset(2026, 11, 17, 10, 0, 0, TimeSpan.Zero), listed.GetProperty("items")[0].GetProperty("removedInDynamicsAt").GetDateTimeOffset());
    }

    /// <summary>The host on the local Dataverse server with the gold covenant, its clock at 09:07 on 18 November 2026.</summary>
    private sealed class DataverseHost : IAsyncDisposable
    {
        private readonly OutreachAppFactory factory;

        private DataverseHost(OutreachAppFactory factory, Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app, HttpClient client) =>
            (this.factory, App, Client) = (factory, app, client);

        public Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> App { get; }
        public HttpClient Client { get; }

        public static async Task<DataverseHost> StartAsync(LocalDataverseServer server)
        {
            var factory = new OutreachAppFactory();
            factory.Clock.Set(new DateTimeOffset(2026, 11, 18, 9, 7, 0, TimeSpan.Zero));
            var app = factory.WithWebHostBuilder(b =>
            {
                b.UseSetting("Dataverse:Url", server.Url.AbsoluteUri.TrimEnd('/'));
                b.UseSetting("Dataverse:AccessToken", server.Token);
            });
            var host = new DataverseHost(factory, app, app.CreateClient());
            await app.Services.GetRequiredService<Core.Prospects.IProspectStore>().AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
            return host;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await App.DisposeAsync();
            await factory.DisposeAsync();
        }
    }
}
