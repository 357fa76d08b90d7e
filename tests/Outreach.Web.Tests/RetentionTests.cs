using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Jobs;
using Outreach.Core.Prospects;
using Outreach.Jobs.Privacy;

namespace Outreach.Web.Tests;

/// <summary>The retention job, resolved and run as the scheduler would (Hangfire itself is left out to keep the clock simple).</summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private readonly OutreachAppFactory app = new();
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        client = app.CreateClient();
        await app.Services.GetRequiredService<IProspectStore>().AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private sealed class NoProgress : IJobProgress
    {
        public Task ReportAsync(long done, long? total, CancellationToken ct) => Task.CompletedTask;
    }

    [Fact]
    public async Task ContactsOfProspectsDeclinedLongerThanTheRetention_AreErased_OthersKept()
    {
        var store = app.Services.GetRequiredService<IProspectStore>();
        async Task<(long Entry, long Contact)> ProspectAsync(string name, string stage)
        {
            var created = await client.PostAsJsonAsync("/api/prospects", new { name, partyKind = "company", sector = "steel", owner = "Anne", covenant = "gold", stage = "contacted" });
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            var contact = await store.AddContactAsync(body.GetProperty("organisationId").GetInt64(), new ContactDraft { Name = name + " Person", Email = $"p@{name.ToLowerInvariant().Replace(' ', '-')}.example" }, default);
            if (stage != "contacted")
                Assert.True((await client.PostAsJsonAsync($"/api/prospects/{body.GetProperty("id").GetInt64()}/stage", new { stage, reason = "No capacity" })).IsSuccessStatusCode);
            return (body.GetProperty("id").GetInt64(), contact.Id);
        }

        var declined = await ProspectAsync("Declined Steel", "declined");
        var active = await ProspectAsync("Active Steel", "contacted");
        app.Clock.Advance(TimeSpan.FromDays(731));

        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<DeclinedContactRetentionJob>().RunAsync(new JobContext(false, new NoProgress()), default);

        Assert.Equal(JobOutcome.Succeeded, result.Outcome);
        Assert.StartsWith("1 contacts of prospects declined more than 730 days ago erased", result.Summary, StringComparison.Ordinal);
        Assert.True((await store.GetContactAsync(declined.Contact, default))!.Erased);
        Assert.False((await store.GetContactAsync(active.Contact, default))!.Erased);
    }
}
