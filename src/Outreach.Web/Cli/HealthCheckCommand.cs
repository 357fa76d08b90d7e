using System.CommandLine;

namespace Outreach.Web.Cli;

/// <summary>
/// health-check: asks a running node's /health and exits 0 when it answers 200, 1 otherwise. For a container's HEALTHCHECK,
/// since the ASP.NET runtime image has no curl; it builds no services, so it starts in a fraction of a second.
/// </summary>
internal static class HealthCheckCommand
{
    public static void Add(RootCommand root)
    {
        var url = new Option<string>("--url") { Description = "The node's health address.", DefaultValueFactory = _ => "http://127.0.0.1:8080/health" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the answer.", DefaultValueFactory = _ => 5 };
        var check = new Command("health-check", "Exit 0 when the node at --url answers 200 on /health (for a container health check).") { url, timeout };
        check.SetAction(async (parse, ct) =>
        {
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            {
                await Console.Out.WriteLineAsync($"--url must be an absolute http(s) address, not '{parse.GetValue(url)}'.");
                return 2;
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(Math.Clamp(parse.GetValue(timeout), 1, 300)) };
            try
            {
                using var response = await http.GetAsync(address, ct);
                await Console.Out.WriteLineAsync($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                return response.IsSuccessStatusCode ? 0 : 1;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                await Console.Out.WriteLineAsync($"unreachable: {ex.Message}");
                return 1;
            }
        });
        root.Subcommands.Add(check);
    }
}
