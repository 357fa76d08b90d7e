using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Outreach.Core.Jobs;

namespace Outreach.Jobs.Scheduling;

public enum SchedulerStore
{
    /// <summary>The embedded single node: Hangfire's in-memory storage (nothing that must survive lives in the scheduler).</summary>
    Sqlite,
    /// <summary>One or more nodes on PostgreSQL: Hangfire.PostgreSql in the application database, schema "hangfire".</summary>
    Postgres,
}

/// <summary>Hangfire's tables in PostgreSQL: installed by `migrate` and by the first node, under the migrations' advisory lock.</summary>
public static class HangfireSchema
{
    public const string Name = "hangfire";

    /// <summary>
    /// A killed node's job is taken again after a minute (sliding invisibility: a live worker keeps extending it, so a long job
    /// is not run twice). The distributed lock's timeout is short because nothing depends on it being exclusive.
    /// </summary>
    public static PostgreSqlStorageOptions StorageOptions() => new()
    {
        SchemaName = Name,
        PrepareSchemaIfNecessary = false,
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = TimeSpan.FromMinutes(1),
        QueuePollInterval = TimeSpan.FromSeconds(2),
        DistributedLockTimeout = TimeSpan.FromMinutes(1),
    };

    /// <summary>Creates or upgrades the schema on <paramref name="connection"/> (the caller holds the advisory lock, so two nodes never race).</summary>
    public static Task InstallAsync(System.Data.Common.DbConnection connection, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        PostgreSqlObjectsInstaller.Install((NpgsqlConnection)connection, Name);
        return Task.CompletedTask;
    }
}

public static class JobsRegistration
{
    /// <summary>
    /// Registers the jobs' options (bound once, validated at start: a bad schedule is refused naming its key) and Hangfire: its
    /// storage (in memory for the embedded node, PostgreSQL for several), the client that queues "Run now", the recurring
    /// schedules and the server, started after the database is migrated. Each host gets its own storage, client and server
    /// (nothing through Hangfire's static GlobalConfiguration), so test hosts in one process stay apart. Which jobs are on is
    /// decided by the host's Configure calls on <see cref="JobsOptions"/>, which the scheduler and the jobs page both read.
    /// </summary>
    public static OptionsBuilder<JobsOptions> AddOutreachJobs(this IServiceCollection services, IConfiguration configuration, SchedulerStore store,
        Func<IServiceProvider, string> connectionString)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(connectionString);
        var options = services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<JobsOptions>, JobSchedulesValidation>();
        services.AddSingleton(sp => NodeIdentity.From(sp.GetRequiredService<IOptions<JobsOptions>>().Value));
        services.AddSingleton(new SchedulerMode(store));
        // Every job class, made through a factory: a job that is off is not made (null), so its dependencies (the Dataverse
        // client) may be absent without failing the container's validation at build.
        foreach (var job in JobCatalog.All)
            services.AddScoped(job.JobType, sp => job.IsEnabled(sp.GetRequiredService<IOptions<JobsOptions>>().Value)
                ? ActivatorUtilities.CreateInstance(sp, job.JobType)
                : null!);
        // One meter per host (a test host's metrics are its own); without a listener its instruments cost nothing.
        services.TryAddSingleton(sp => new Core.Common.OutreachMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()?.Create(new System.Diagnostics.Metrics.MeterOptions(Core.Common.OutreachMetrics.MeterName))
            ?? new System.Diagnostics.Metrics.Meter(Core.Common.OutreachMetrics.MeterName)));
        services.AddSingleton<HangfireJobRunner>();
        services.AddSingleton<JobStorage>(sp => store == SchedulerStore.Sqlite
            ? new InMemoryStorage(new InMemoryStorageOptions { IdType = InMemoryStorageIdType.Long })
            : PostgresStorage(connectionString(sp)));
        services.AddSingleton<IBackgroundJobClient>(sp => new BackgroundJobClient(sp.GetRequiredService<JobStorage>()));
        services.AddSingleton<IRecurringJobManager>(sp => new RecurringJobManager(sp.GetRequiredService<JobStorage>()));
        services.AddSingleton<JobsService>();
        services.AddHostedService<HangfireJobsHost>();
        return options;
    }

    private static PostgreSqlStorage PostgresStorage(string connectionString)
    {
        var options = HangfireSchema.StorageOptions();
        return new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connectionString, options), options);
    }
}

/// <summary>Every switched-on job's schedule parses in the configured time zone; otherwise the host does not start, naming the key.</summary>
internal sealed class JobSchedulesValidation : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        try
        {
            _ = JobCatalog.Schedules(options);
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or TimeZoneNotFoundException)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}

/// <summary>Which Hangfire storage this host uses (the in-memory one forgets its schedules on a restart).</summary>
public sealed record SchedulerMode(SchedulerStore Store);

/// <summary>Hangfire creates job classes through the host's container (the runner and what it needs).</summary>
internal sealed class ServiceProviderJobActivator(IServiceProvider services) : JobActivator
{
    public override object ActivateJob(Type jobType) => ActivatorUtilities.GetServiceOrCreateInstance(services, jobType);
}

/// <summary>
/// Puts the recurring schedules in place, catches up on the embedded node, and runs Hangfire's server on this node.
/// Registered after the database initializer, so it starts with the schema (Hangfire's included) in place.
/// </summary>
internal sealed partial class HangfireJobsHost(
    JobStorage storage,
    IRecurringJobManager recurring,
    IBackgroundJobClient client,
    IServiceProvider services,
    IJobRunLog runs,
    TimeProvider clock,
    NodeIdentity node,
    SchedulerMode mode,
    IOptions<JobsOptions> options,
    ILogger<HangfireJobsHost> logger) : IHostedService, IAsyncDisposable
{
    private BackgroundJobServer? server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.RunSchedules)
        {
            var schedules = JobCatalog.Schedules(o);
            foreach (var (job, schedule) in schedules)
            {
                var key = job.Key;
                recurring.AddOrUpdate<HangfireJobRunner>(key, r => r.RunAsync(key, false, CancellationToken.None), schedule.Cron,
                    new RecurringJobOptions { TimeZone = schedule.Zone, MisfireHandling = MisfireHandlingMode.Relaxed });
            }

            // A job switched off (Dataverse no longer configured) loses its schedule in a shared storage too.
            foreach (var job in JobCatalog.All.Where(j => schedules.All(s => s.Job.Key != j.Key)))
                recurring.RemoveIfExists(job.Key);

            // The in-memory storage forgot what was due while the node was down; PostgreSQL remembers, and Hangfire's Relaxed
            // misfire handling runs a missed slot once there.
            if (mode.Store == SchedulerStore.Sqlite) await CatchUpAsync(schedules, cancellationToken);
        }

        if (o.SchedulerEnabled)
        {
            server = new BackgroundJobServer(new BackgroundJobServerOptions
            {
                ServerName = node.Name,
                WorkerCount = o.WorkerCount,
                Activator = new ServiceProviderJobActivator(services),
                SchedulePollingInterval = TimeSpan.FromSeconds(5),
                HeartbeatInterval = TimeSpan.FromSeconds(10),
                ServerCheckInterval = TimeSpan.FromSeconds(30),
                ServerTimeout = TimeSpan.FromMinutes(1),
                ShutdownTimeout = TimeSpan.FromSeconds(15),
            }, storage);
            LogStarted(logger, node.Name, mode.Store, o.WorkerCount);
        }
    }

    /// <summary>Each job whose last run (in job_run) is older than its latest slot missed that slot while the node was down: run it once now.</summary>
    private async Task CatchUpAsync(IReadOnlyList<(JobDefinition Job, JobSchedule Schedule)> schedules, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var (job, schedule) in schedules)
        {
            var latest = await runs.LatestAsync(job.Key, 1, ct);
            var last = latest.Count > 0 ? latest[0] : null;
            // Never run here: a new installation (or a job just switched on) starts with its next slot.
            if (last is null) continue;
            if (schedule.NextAfter(last.StartedAt) is { } missed && missed <= now)
            {
                var key = job.Key;
                client.Enqueue<HangfireJobRunner>(r => r.RunAsync(key, false, CancellationToken.None));
                LogCaughtUp(logger, key, missed, last.StartedAt);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (server is not { } running) return;
        running.SendStop();
        try
        {
            await running.WaitForShutdownAsync(cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            // The host disposed the server while this stop still waited (its dispose after a stop that ran out of time):
            // the server is gone, so there is nothing left to wait for.
            LogDisposedWhileStopping(logger, node.Name);
        }
    }

    public ValueTask DisposeAsync()
    {
        server?.Dispose();
        server = null;
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Hangfire server started on {Node} ({Store} storage, {Workers} workers)")]
    private static partial void LogStarted(ILogger logger, string node, SchedulerStore store, int workers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Hangfire server on {Node} was disposed while its stop waited for the workers")]
    private static partial void LogDisposedWhileStopping(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job} missed its slot at {Slot} while the node was down (last run {LastRun}): queued once now")]
    private static partial void LogCaughtUp(ILogger logger, string job, DateTimeOffset slot, DateTimeOffset lastRun);
}
