using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outreach.Core.Access;
using Outreach.Storage;
using Outreach.Web.Access;
using Outreach.Web.Tests;

namespace Outreach.Web.BrowserTests;

/// <summary>
/// The real host on Kestrel (127.0.0.1, a free port) with the demo data, and Debian's Chromium driven by Playwright.
/// Playwright cannot download browsers here, so it launches /usr/bin/chromium (scripts/test installs it).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;
    public OutreachAppFactory App { get; } = new(StorageEngine.Sqlite, seedDemo: true);
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    public static string ChromiumPath => Environment.GetEnvironmentVariable("OUTREACH_CHROMIUM") ?? "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"Chromium not found at {ChromiumPath}: run scripts/test (it installs Debian's chromium) or set OUTREACH_CHROMIUM.");
        App.UseKestrel(0);
        App.StartServer();
        var addresses = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
        playwright = await Playwright.CreateAsync();
        // Expectations retry until this; the default 5 s is short when every test project runs at once on two cores.
        Assertions.SetDefaultExpectTimeout(20_000);
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A page acting as <paramref name="role"/> through an API key header (null: signed out, to use the sign-in form).</summary>
    public async Task<IPage> NewPageAsync(Role? role = Role.Secretariat)
    {
        var options = new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } };
        if (role is { } r) options.ExtraHTTPHeaders = new Dictionary<string, string> { [ApiKeyAuthenticationHandler.Header] = App.KeyFor(r) };
        var context = await Browser.NewContextAsync(options);
        // Generous: CI runs the four test projects at once on two cores, so a page can take seconds to answer.
        context.SetDefaultTimeout(45_000);
        return await context.NewPageAsync();
    }

    /// <summary>Screenshots land in the test output folder (artifacts/screenshots when run by scripts/test) for the README and for failures.</summary>
    /// <summary>
    /// A screenshot for the README. Chromium now and then answers "Unable to capture screenshot" on a loaded machine (seen once
    /// in CI on a page that had loaded): the picture is documentation, not an assertion, so it is tried again before failing.
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath(name), FullPage = fullPage });
                return;
            }
            catch (PlaywrightException ex) when (attempt < 3 && ex.Message.Contains("Unable to capture screenshot", StringComparison.Ordinal))
            {
                await Task.Delay(500);
            }
        }
    }

    public static string ScreenshotPath(string name)
    {
        var folder = Environment.GetEnvironmentVariable("OUTREACH_SCREENSHOTS") ?? Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name + ".png");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        playwright?.Dispose();
        await App.DisposeAsync();
    }
}
