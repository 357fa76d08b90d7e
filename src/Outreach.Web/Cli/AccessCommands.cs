using System.CommandLine;
using Outreach.Core.Access;
using Outreach.Storage;
using Outreach.Web.Access;
using Spectre.Console;

namespace Outreach.Web.Cli;

/// <summary>create-user, create-api-key and revoke-api-key: secrets are generated here and printed once; only hashes are stored.</summary>
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
            var keyLabel = parse.GetValue(keyName)!.Trim();
            if (!AccessService.IsValidKeyName(keyLabel)) return Fail("A key name is 1 to 100 characters: letters, digits, '-', '_' or '.'.");
            string key;
            try
            {
                key = await services.GetRequiredService<AccessService>().CreateApiKeyAsync(keyLabel, r, ct);
            }
            catch (DuplicateNameException)
            {
                return Fail($"A key named '{keyLabel}' exists already; revoke it first or choose another name.");
            }

            AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"[green]API key for '{parse.GetValue(keyName)}' ({r.Code()}), shown once:[/]");
            Console.WriteLine(key);
            return 0;
        });
        root.Subcommands.Add(createKey);

        var revokeName = new Option<string>("--name") { Description = "The name of the key to revoke.", Required = true };
        var revokeKey = new Command("revoke-api-key", "Revoke an integration's API key at once (it is refused from the next request).") { revokeName };
        revokeKey.SetAction(async (parse, ct) =>
        {
            await using var services = CommandLine.BuildServices(args);
            await services.GetRequiredService<Migrator>().MigrateAsync(ct);
            var label = parse.GetValue(revokeName)!.Trim();
            if (!await services.GetRequiredService<AccessService>().RevokeApiKeyAsync(label, ct)) return Fail($"There is no active key named '{label}'.");
            AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"[green]Revoked the API key '{label}'.[/]");
            return 0;
        });
        root.Subcommands.Add(revokeKey);
    }

    private static int Fail(string message)
    {
        AnsiConsole.MarkupLineInterpolated(System.Globalization.CultureInfo.InvariantCulture, $"[red]{message}[/]");
        return 1;
    }
}
