using System.CommandLine;

namespace Outreach.Web.Cli;

/// <summary>The import verb (filled in with the CSV import).</summary>
internal static class ImportCommand
{
    public static void Add(RootCommand root, string[] args)
    {
        _ = args;
        var import = new Command("import", "Import organisations and contacts from a CSV file.");
        var file = new Argument<FileInfo>("file") { Description = "The CSV file (UTF-8, comma or semicolon separated)." };
        import.Arguments.Add(file);
        import.SetAction((_, _) => Task.FromResult(2));
        root.Subcommands.Add(import);
    }
}
