using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Outreach.Core.Access;
using Outreach.Storage;
using Outreach.Web.Access;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>
/// The real host (Program) on a fresh database of the chosen engine, with its own data folder and a fake clock.
/// Hangfire runs as in production (in memory on SQLite, its PostgreSQL storage in the same database), but without the recurring
/// schedules unless a test asks for them: Hangfire triggers them on the system clock, while the host runs on a fake one.
/// Two factories given the same <paramref name="sharedConnectionString"/> are two nodes of one installation (see TwoNodes).
/// </summary>
public class OutreachAppFactory(StorageEngine engine = StorageEngine.Sqlite, bool seedDemo = false, string? sharedConnectionString = null) : WebApplicationFactory<Program>
{
    // Dozens of hosts live at once in this test process; each would hold inotify instances for its configuration files and
    // for asp-append-version's web-root watch, and Linux allows 128 per user (a CI failure: "The configured user limit (128)
    // on the number of inotify instances has been reached"). Tests change no file under watch, so nothing is watched.
    static OutreachAppFactory()
    {
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
    }

    /// <summary>The public address the test hosts put in mail links (its host is answered besides localhost).</summary>
    public const string PublicBaseUrl = "https://outreach.test.example";

    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "outreach-web-tests", Guid.NewGuid().ToString("N"));
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 18, 9, 0, 0, TimeSpan.Zero));
    private string? connectionString = sharedConnectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(DataFolder);
        connectionString ??= engine == StorageEngine.Postgres ? PostgresCluster.Instance.CreateDatabase("web") : "";
        builder.UseEnvironment("Testing");
        builder.UseSetting("Storage:Engine", engine.ToString());
        builder.UseSetting("Jobs:RunSchedules", "false");
        builder.UseSetting("Storage:DataFolder", DataFolder);
        builder.UseSetting("Storage:ConnectionString", connectionString);
        builder.UseSetting("Outreach:SeedDemoDataOnFirstStart", seedDemo ? "true" : "false");
        // The "Testing" environment is not Development, so the host asks for an https public address like a real deployment does.
        builder.UseSetting("Outreach:PublicBaseUrl", PublicBaseUrl);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    private readonly Dictionary<Role, string> keys = [];
    private IServiceProvider? latestHost;
    private int hostsBuilt;

    /// <summary>How many hosts this factory and those made from it by WithWebHostBuilder have built.</summary>
    public int HostsBuilt => Volatile.Read(ref hostsBuilt);

    // A factory made by WithWebHostBuilder builds its host through this one's CreateHost and configures its clients through
    // this one's ConfigureClient: remembering the host built last lets the key come from that host instead of starting this
    // factory's own host as a second node on the same database.
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        latestHost = host.Services;
        Interlocked.Increment(ref hostsBuilt);
        return host;
    }

    /// <summary>An API key for the role, made once per database (the X-Api-Key header authenticates as that role).</summary>
    public string KeyFor(Role role)
    {
        lock (keys) if (keys.TryGetValue(role, out var made)) return made;
        var host = latestHost ?? Services;
        lock (keys)
        {
            if (!keys.TryGetValue(role, out var key))
            {
                key = host.GetRequiredService<AccessService>().CreateApiKeyAsync($"tests-{role.Code()}", role, default).GetAwaiter().GetResult();
                keys[role] = key;
            }

            return key;
        }
    }

    /// <summary>Clients from CreateClient() act as the secretariat; use <see cref="CreateClientAs"/> for another role or none.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, KeyFor(Role.Secretariat));
    }

    public HttpClient CreateClientAs(Role? role, bool followRedirects = false)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = followRedirects });
        client.DefaultRequestHeaders.Remove(ApiKeyAuthenticationHandler.Header);
        if (role is { } r) client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, KeyFor(r));
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>One demo-seeded SQLite host shared by the read-mostly tests of a class.</summary>
public sealed class DemoAppFixture() : OutreachAppFactory(StorageEngine.Sqlite, seedDemo: true);

/// <summary>Why a host refused to start: the exception and everything inside it (start-up wraps the refusal in aggregates).</summary>
public static class StartFailure
{
    public static IEnumerable<Exception> Flatten(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten)) yield return inner;
        }
    }
}
