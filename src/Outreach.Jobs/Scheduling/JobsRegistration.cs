using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Outreach.Jobs.Scheduling;

public enum SchedulerStore
{
    Sqlite,
    Postgres,
}

public static class JobsRegistration
{
    /// <summary>
    /// Registers the job classes and Quartz with its persistent store in the application's database
    /// (tables provisioned from the DDL embedded in Quartz on first start).
    /// </summary>
    public static IServiceCollection AddOutreachJobs(this IServiceCollection services, JobsOptions options, SchedulerStore store, string connectionString)
    {
        JobCatalog.ValidateJobTypes();
        if (options.Clustered && store == SchedulerStore.Sqlite)
            throw new InvalidOperationException("Jobs:Clustered needs Storage:Engine postgres: Quartz cannot cluster on SQLite.");

        services.AddSingleton(NodeIdentity.From(options));
        // Only the jobs that are switched on: a job's dependencies (the Dataverse client) exist only when it is.
        foreach (var job in JobCatalog.All.Where(j => j.IsEnabled(options)))
            services.AddScoped(job.JobType);
        services.AddScoped<JobsService>();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o => o.InstanceName = options.SchedulerName);
            q.UseDefaultThreadPool(4);
            q.UsePersistentStore(s =>
            {
                if (store == SchedulerStore.Sqlite) s.UseSqlite(connectionString);
                else s.UsePostgres(connectionString);
                s.ProvisionSchema();
                s.UseSystemTextJsonSerializer();
                s.ConfigureStore(o => o.StoreJobDataAsStrings = true);
                if (options.Clustered) s.UseClustering(c => c.CheckinMisfireThreshold = TimeSpan.FromSeconds(20));
            });
            foreach (var job in JobCatalog.All.Where(j => j.IsEnabled(options)))
            {
                var key = new JobKey(job.Key, JobCatalog.Group);
                q.AddJob<QuartzJobRunner>(j => j.WithIdentity(key).WithDescription(job.Title).StoreDurably().RequestRecovery());
                q.AddTrigger(t => t.ForJob(key).WithIdentity(job.Key, JobCatalog.Group)
                    .WithCronSchedule(job.Cron(options), c => c.InTimeZone(zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
            }
        });
        if (options.SchedulerEnabled)
        {
            services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        }

        return services;
    }
}
