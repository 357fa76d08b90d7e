using Microsoft.Extensions.Options;
using Outreach.Core.Access;
using Outreach.Core.Jobs;
using Outreach.Web.Access;
using Outreach.Jobs.Scheduling;
using Outreach.Storage;
using Outreach.Web.Demo;

namespace Outreach.Web.Hosting;

/// <summary>
/// Runs before the scheduler and the web server start: applies migrations, seeds the demo data into an
/// empty embedded database, and marks job runs this node left unfinished as failed.
/// </summary>
public sealed partial class DatabaseInitializer(
    Migrator migrator,
    DemoDataSeeder demo,
    IJobRunLog runs,
    NodeIdentity node,
    TimeProvider clock,
    IOptions<OutreachOptions> options,
    SchedulerMode scheduler,
    IAccessStore users,
    AccessService access,
    Core.Sequences.ITemplateStore templates,
    Core.Sequences.ISequenceStore sequences,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await migrator.MigrateAsync(cancellationToken);
        await SeedMailAsync(cancellationToken);
        var demoSeeded = false;
        if (options.Value.SeedDemoDataOnFirstStart)
        {
            var seeded = await demo.SeedIfEmptyAsync(cancellationToken);
            demoSeeded = seeded is not null;
            if (seeded is not null) LogSeeded(logger, seeded.Organisations, seeded.Contacts, seeded.StageChanges);
        }

        if (await users.CountUsersAsync(cancellationToken) == 0)
        {
            if (demoSeeded)
            {
                // Only when this start created the demo data (never for an existing tenant): an administrator to sign in with, its password shown once on this console.
                var (_, password) = await access.CreateUserAsync("admin", "Demo administrator", Role.Administrator, cancellationToken);
                Console.WriteLine($"Demo administrator created. Sign in as 'admin' with the password {password} (shown only now).");
            }
            else
            {
                LogNoUsers(logger);
            }
        }

        // The embedded single node: nothing can be running while it starts. PostgreSQL (perhaps several nodes): only this node's runs are its to close.
        await runs.AbandonRunningAsync(scheduler.Store == SchedulerStore.Postgres ? node.Name : null, clock.GetUtcNow(), cancellationToken);
    }

    /// <summary>
    /// The built-in templates where a language has none yet (so new purposes arrive with an upgrade), and on a fresh
    /// installation a starter sequence without a rule (nobody is mailed until someone enrols them).
    /// </summary>
    private async Task SeedMailAsync(CancellationToken ct)
    {
        using var _ = Core.Audit.AmbientActor.Use("built in");
        var now = clock.GetUtcNow();
        var added = await templates.SeedAsync(Core.Mail.BuiltInTemplates.Everything, now, ct);
        if (added > 0) LogTemplates(logger, added);
        if ((await sequences.ListSequencesAsync(ct)).Count == 0)
        {
            try { await sequences.AddSequenceAsync(Core.Mail.BuiltInTemplates.StarterSequence, now, ct); }
            catch (Core.Access.DuplicateNameException) { } // another node seeded it at the same moment
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Added {Count} built-in mail templates")]
    private static partial void LogTemplates(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No users yet: create the first administrator with `dotnet run --project src/Outreach.Web -- create-user --user NAME --role administrator`")]
    private static partial void LogNoUsers(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "First start: demo data created ({Organisations} organisations, {Contacts} contacts, {Changes} stage changes)")]
    private static partial void LogSeeded(ILogger logger, int organisations, int contacts, int changes);
}
