using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>
/// Review C7: the prospect page read one summary per other entry and one event history per contact, and the events list
/// one set of invitations per event. Every store call is counted (each is at least one query on its own connection): the
/// count of a page must not grow with its rows.
/// </summary>
public sealed class QueryCountTests : IAsyncLifetime
{
    /// <summary>Counts every call on the store ports the pages read through.</summary>
    public class CountingStore<T> : DispatchProxy where T : class
    {
        internal T Inner { get; set; } = null!;
        internal ConcurrentQueue<string> Calls { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            Calls.Enqueue($"{typeof(T).Name}.{targetMethod.Name}");
            try
            {
                return targetMethod.Invoke(Inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }
    }

    private sealed class CountingFactory : OutreachAppFactory
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                Decorate<IPipelineStore>(services);
                Decorate<IProspectStore>(services);
                Decorate<IEventStore>(services);
                Decorate<Core.Sequences.ISequenceStore>(services);
                Decorate<Core.Mail.IReplyLog>(services);
            });
        }

        private void Decorate<T>(IServiceCollection services) where T : class
        {
            var registered = services.Last(d => d.ServiceType == typeof(T) && !d.IsKeyedService);
            services.Remove(registered);
            services.Add(ServiceDescriptor.Describe(typeof(T), sp => Wrap((T)(registered.ImplementationInstance
                ?? registered.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!))), registered.Lifetime));
        }

        private T Wrap<T>(T inner) where T : class
        {
            var proxy = DispatchProxy.Create<T, CountingStore<T>>();
            var counting = (CountingStore<T>)(object)proxy;
            counting.Inner = inner;
            counting.Calls = Calls;
            return proxy;
        }
    }

    private readonly CountingFactory app = new();
    private HttpClient client = null!;

    public Task InitializeAsync()
    {
        client = app.CreateClientAs(Core.Access.Role.Secretariat);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<int> CallsForAsync(string path)
    {
        await client.GetStringAsync(path); // warm: the first request of a host reads what later ones have cached
        app.Calls.Clear();
        await client.GetStringAsync(path);
        return app.Calls.Count;
    }

    [Fact]
    public async Task TheProspectPage_ReadsAsOftenWithFourEntriesAndFiveContacts_AsWithOneOfEach()
    {
        var prospects = app.Services.GetRequiredService<IProspectStore>();
        var pipeline = app.Services.GetRequiredService<IPipelineStore>();
        var covenants = new List<Covenant>();
        foreach (var code in (string[])["gold", "metals", "textile", "wood"])
            covenants.Add(await prospects.AddCovenantAsync(code, code, new DateOnly(2020, 1, 1), new DateOnly(2030, 1, 1), default));
        var now = app.Clock.GetUtcNow();
        var entry = await pipeline.AddProspectAsync(prospects, Validation.Clean(new OrganisationDraft { Name = "Rows BV", Sector = "jewellery", Owner = "Anne", Country = "NL" }),
            covenants[0].Id, Stage.Contacted, now, "anne", "test", default);
        await prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva", Email = "eva@rows.example" }, default);
        var small = await CallsForAsync($"/prospects/{entry.Id}");

        foreach (var covenant in covenants.Skip(1)) await pipeline.AddEntryAsync(entry.OrganisationId, covenant.Id, Stage.Identified, now, "anne", "test", default);
        for (var i = 0; i < 4; i++) await prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = $"Gast {i}", Email = $"gast{i}@rows.example" }, default);
        var large = await CallsForAsync($"/prospects/{entry.Id}");

        Assert.True(small > 0);
        Assert.Equal(small, large);
        var html = await client.GetStringAsync($"/prospects/{entry.Id}");
        Assert.Contains("Gast 3", html, StringComparison.Ordinal);
        Assert.Contains("wood", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEventsList_AndItsApi_ReadAsOftenWithThreeEventsAsWithOne()
    {
        var prospects = app.Services.GetRequiredService<IProspectStore>();
        await prospects.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
        async Task CreateEventAsync(int n) => (await client.PostAsJsonAsync("/api/events", new
        {
            title = $"Netwerkbijeenkomst {n}", covenant = "gold", format = "physical", venue = "Utrecht",
            start = "2027-01-20T14:00", end = "2027-01-20T17:00", registrationDeadline = "2027-01-15T23:59", capacity = 10,
        })).EnsureSuccessStatusCode();
        await CreateEventAsync(1);
        var (page, api) = (await CallsForAsync("/events"), await CallsForAsync("/api/events"));

        await CreateEventAsync(2);
        await CreateEventAsync(3);

        Assert.Equal(page, await CallsForAsync("/events"));
        Assert.Equal(api, await CallsForAsync("/api/events"));
        Assert.Equal(3, (await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/events")).GetArrayLength());
    }
}
