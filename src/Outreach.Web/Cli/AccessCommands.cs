using System.CommandLine;
using Outreach.Core.Access;
using Outreach.Storage;
using Outreach.Web.Access;
using Spectre.Console;

namespace Outreach.Web.Cli;

/// <summary>create-user and create-api-key: secrets are generated here and printed once; only hashes are stored.</summary>
internal static class AccessCommands
{
    public static void Add(RootCommand root, string[] args)
    {
        var user = new Option<string>("--user") { Description = "The user name to sign in with.", Required = true };
        var name = new Option<string?>("--name") { Description = "The name shown in the history (default: the user name)." };
        var role = new Option<string>("--role") { Description = "administrator, secretariat or manager.", DefaultValueFactory = _ => "administrator" };
        var createUser = new Command("create-user", "Create a local user with a generated password, printed once.") { user, name, role };
        createUser.SetAction(async (parse, ct) =>
        {
            if (!Roles.TryParse(parse.GetValue(role), out var r)) return Fail($"Unknown role '{parse.GetValue(role)}': use administrator, secretariat or manager.");
            var userName = parse.GetValue(user)!.Trim();
            if (userName.Length is 0 or > 100 || userName.Any(char.IsWhiteSpace)) return Fail("A user name is 1 to 100 characters without spaces.");
            await using var services = CommandLine.BuildServices(args);
            await services.GetRequiredService<Migrator>().MigrateAsync(ct);
            if (await services.GetRequiredService<IAccessStore>().FindUserAsync(userName, ct) is not null) return Fail($"User '{userName}' exists already.");
            var (_, password) = await services.GetRequiredService<AccessService>().CreateUserAsync(userName, parse.GetValue(name) ?? userName, r, ct);
            AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"[green]Created {r.Code()} '{userName}'. Password (shown once): [bold]{password}[/][/]");
            return 0;
        });
        root.Subcommands.Add(createUser);

        var keyName = new Option<string>("--name") { Description = "Which integration the key is for (unique).", Required = true };
        var keyRole = new Option<string>("--role") { Description = "The key's role: administrator, secretariat or manager.", Required = true };
        var createKey = new Command("create-api-key", "Create an API key for an integration (sent as X-Api-Key), printed once.") { keyName, keyRole };
        createKey.SetAction(async (parse, ct) =>
        {
            if (!Roles.TryParse(parse.GetValue(keyRole), out var r)) return Fail($"Unknown role '{parse.GetValue(keyRole)}': use administrator, secretariat or manager.");
            await using var services = CommandLine.BuildServices(args);
            await services.GetRequiredService<Migrator>().MigrateAsync(ct);
            var key = await services.GetRequiredService<AccessService>().CreateApiKeyAsync(parse.GetValue(keyName)!.Trim(), r, ct);
            AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"[green]API key for '{parse.GetValue(keyName)}' ({r.Code()}), shown once:[/]");
            Console.WriteLine(key);
            return 0;
        });
        root.Subcommands.Add(createKey);
    }

    private static int Fail(string message)
    {
        AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"[red]{message}[/]");
        return 1;
    }
}
