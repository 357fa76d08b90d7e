using System.CommandLine;
using Outreach.Core.Prospects.Import;
using Outreach.Storage;
using Spectre.Console;

namespace Outreach.Web.Cli;

/// <summary>
/// import FILE [--valid-only] [--check] [--by NAME]: the same checks and writes as the UI, with a progress bar.
/// Exit codes: 0 imported (or, with --check, the file is clean), 1 nothing imported, 2 the file is unusable.
/// </summary>
internal static class ImportCommand
{
    private const int RowsListed = 50;

    public static void Add(RootCommand root, string[] args)
    {
        var file = new Argument<FileInfo>("file") { Description = "The CSV file (UTF-8, comma or semicolon separated)." };
        var validOnly = new Option<bool>("--valid-only") { Description = "Import the valid rows even if some rows are invalid." };
        var check = new Option<bool>("--check") { Description = "Only check the file and print the report; write nothing." };
        var by = new Option<string>("--by") { Description = "Who imports (recorded on each new prospect's first history line).", DefaultValueFactory = _ => Environment.UserName };
        var import = new Command("import", "Import organisations and contacts from a CSV file.") { file, validOnly, check, by };
        import.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"[red]No such file: {path.FullName}[/]");
                return 2;
            }

            await using var services = CommandLine.BuildServices(args);
            await services.GetRequiredService<Migrator>().MigrateAsync(ct);
            var importer = services.GetRequiredService<ProspectImport>();
            ImportPlan? plan = null;
            ImportResult? result = null;
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var tasks = new Dictionary<ImportPhase, ProgressTask>();
                    var progress = new SynchronousProgress(p =>
                    {
                        if (!tasks.TryGetValue(p.Phase, out var task))
                        {
                            foreach (var earlier in tasks.Values) earlier.Value = earlier.MaxValue;
                            task = tasks[p.Phase] = context.AddTask(p.Phase.ToString(), maxValue: Math.Max(1, p.Total ?? 1));
                            if (p.Total is null) task.IsIndeterminate = true;
                        }

                        if (p.Total is { } total) { task.IsIndeterminate = false; task.MaxValue = Math.Max(1, total); }
                        task.Value = p.Done;
                    });
                    await using var stream = path.OpenRead();
                    if (parse.GetValue(check))
                    {
                        plan = await importer.PreviewAsync(stream, progress, ct);
                    }
                    else
                    {
                        result = await importer.ImportAsync(stream, parse.GetValue(validOnly), parse.GetValue(by)!, progress, ct);
                        plan = result.Plan;
                    }

                    foreach (var task in tasks.Values) task.Value = task.MaxValue;
                });

            plan = result?.Plan ?? plan ?? throw new InvalidOperationException("The import produced no report.");
            return Report(plan, result);
        });
        root.Subcommands.Add(import);
    }

    private static int Report(ImportPlan plan, ImportResult? result)
    {
        if (plan.IsRefused)
        {
            foreach (var error in plan.FileErrors) AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"[red]{error.ToString()}[/]");
            return 2;
        }

        AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"{plan.Rows.Count} rows: [green]{plan.OkRows} ready[/], [red]{plan.InvalidRows} invalid[/], [yellow]{plan.DuplicateRows} duplicates[/].");
        var problems = plan.Rows.Where(r => r.Status != ImportRowStatus.Ok).ToList();
        if (problems.Count > 0)
        {
            var table = new Table().AddColumns("Row", "Status", "Why");
            foreach (var row in problems.Take(RowsListed))
            {
                var why = row.Status == ImportRowStatus.Invalid
                    ? string.Join("; ", row.Errors.Select(e => e.Field.Length > 0 ? $"{e.Field}: {e.Message}" : e.Message.ToString()))
                    : row.Reason?.ToString() ?? "";
                table.AddRow(row.RowNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), row.Status.ToString(), Markup.Escape(why));
            }

            AnsiConsole.Write(table);
            if (problems.Count > RowsListed) AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"[grey]{problems.Count - RowsListed} more rows with problems not listed.[/]");
        }

        if (result is null) return plan.InvalidRows == 0 ? 0 : 1;
        if (!result.Imported)
        {
            AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"[red]{result.Refusal!.ToString()}[/]");
            return 1;
        }

        AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"[green]Imported {result.OrganisationsCreated} organisations, {result.ContactsCreated} contacts and {result.EntriesCreated} pipeline entries.[/]");
        if (result.MilestonesCreated > 0)
            AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"[green]The entries imported at signed got {result.MilestonesCreated} onboarding milestones from their covenant's plan.[/]");
        return 0;
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the bar wants the reports in order, as they happen.</summary>
    private sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
