using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Storage;
using Outreach.Web.Demo;
using Outreach.Web.Hosting;
using Spectre.Console;

namespace Outreach.Web.Cli;

/// <summary>The CLI verbs. They use the same configuration (appsettings, environment, --Storage:Engine=...) as the web host.</summary>
public static class CommandLine
{
    private static readonly string[] Verbs = ["migrate", "seed-demo", "import", "create-user", "create-api-key", "revoke-api-key", "backup", "health-check", "--help", "-h", "-?"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Outreach: onboarding and outreach for a covenant secretariat. Without a command, runs the web host.");

        var migrate = new Command("migrate", "Apply the database migrations for the configured engine and exit.");
        migrate.SetAction(async (_, ct) =>
        {
            await using var services = BuildServices(args);
            var applied = await services.GetRequiredService<Migrator>().MigrateAsync(ct);
            AnsiConsole.MarkupLine(applied.Count == 0 ? "[green]The schema is current.[/]" : $"[green]Applied migrations {string.Join(", ", applied)}.[/]");
            return 0;
        });
        root.Subcommands.Add(migrate);

        var seed = new Command("seed-demo", "Create the synthetic demo data set in an empty database.");
        seed.SetAction(async (_, ct) =>
        {
            await using var services = BuildServices(args);
            await services.GetRequiredService<Migrator>().MigrateAsync(ct);
            var summary = await services.GetRequiredService<DemoDataSeeder>().SeedIfEmptyAsync(ct);
            if (summary is null)
            {
                AnsiConsole.MarkupLine("[yellow]The database already holds data; nothing was added.[/]");
                return 1;
            }

            AnsiConsole.MarkupLine($"[green]Demo data created: {summary.Organisations} organisations, {summary.Contacts} contacts, {summary.StageChanges} stage changes.[/]");
            return 0;
        });
        root.Subcommands.Add(seed);

        ImportCommand.Add(root, args);
        AccessCommands.Add(root, args);
        BackupCommand.Add(root, args);
        HealthCheckCommand.Add(root);
        // Changes made from the command line are audited as such.
        using var actor = Core.Audit.AmbientActor.Use($"command line ({Environment.UserName})");
        return await root.Parse(args.Where(a => !IsSetting(a)).ToArray()).InvokeAsync();
    }

    /// <summary>A configuration override such as --Storage:Engine=Postgres (handled by configuration, not by the verb).</summary>
    private static bool IsSetting(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal)) return false;
        var colon = arg.IndexOf(':', StringComparison.Ordinal);
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return colon > 2 && (equals == -1 || equals > colon);
    }

    /// <summary>The same services as the web host, without the server or the scheduler.</summary>
    internal static ServiceProvider BuildServices(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args.Where(IsSetting).ToArray() });
        builder.Configuration["Jobs:SchedulerEnabled"] = "false";
        builder.AddOutreach();
        builder.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        return builder.Services.BuildServiceProvider();
    }
}
