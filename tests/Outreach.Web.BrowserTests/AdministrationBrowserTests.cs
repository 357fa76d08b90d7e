using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outreach.Core.Access;
using Outreach.Web.Access;

namespace Outreach.Web.BrowserTests;

/// <summary>An administrator's path: add a colleague, hand over the password shown once, disable an account, read the audit trail.</summary>
public sealed class AdministrationBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task AnAdministrator_AddsAndDisablesAUser_AndTheAuditTrailShowsBoth()
    {
        var access = fixture.App.Services.GetRequiredService<AccessService>();
        var (_, password) = await access.CreateUserAsync("ilse", "Ilse Admin", Role.Administrator, default);
        var page = await fixture.NewPageAsync(role: null);
        await page.GotoAsync("/account/login");
        await page.GetByTestId("login-user").FillAsync("ilse");
        await page.GetByTestId("login-password").FillAsync(password);
        await page.GetByTestId("login-submit").ClickAsync();
        await page.WaitForURLAsync("**/board");

        await page.GetByTestId("nav-admin").ClickAsync();
        await page.WaitForURLAsync("**/admin/users");
        await page.Locator("input[name=UserName]").FillAsync("tom");
        await page.Locator("input[name=DisplayName]").FillAsync("Tom <b>Bakker</b>");
        await page.Locator("select[name=Role]").SelectOptionAsync("manager");
        await page.GetByTestId("add-user").ClickAsync();
        var issued = page.GetByTestId("issued-password");
        await Assertions.Expect(issued).ToContainTextAsync("tom");
        var tomsPassword = (await issued.Locator("code").InnerTextAsync()).Trim();
        Assert.True(tomsPassword.Length >= 20);
        // The display name is text, never markup.
        await Assertions.Expect(page.Locator("tr[data-user=tom] input[name=displayName]")).ToHaveValueAsync("Tom <b>Bakker</b>");

        // Disabling asks first.
        var asked = "";
        page.Dialog += async (_, dialog) => { asked = dialog.Message; await dialog.AcceptAsync(); };
        await page.GotoAsync("/admin/users");
        await page.GetByTestId("disable-tom").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("User disabled");
        Assert.Contains("Disable this user?", asked, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("tr[data-user=tom]")).ToContainTextAsync("Disabled");
        Assert.NotNull((await fixture.App.Services.GetRequiredService<IAccessStore>().FindUserAsync("tom", default))!.DisabledAt);

        await page.GotoAsync("/admin/audit?entity=user");
        var rows = page.Locator("[data-testid=audit] tbody tr");
        await Assertions.Expect(rows.First).ToContainTextAsync("Disabled");
        await Assertions.Expect(rows.First).ToContainTextAsync("Ilse Admin (ilse)");
        await Assertions.Expect(page.Locator("[data-testid=audit] tbody tr[data-action=created]", new() { HasText = "Tom <b>Bakker</b>" })).ToHaveCountAsync(1);
        await page.GotoAsync("/admin/audit");
        await Assertions.Expect(page.Locator("[data-testid=audit]")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "audit");

        // Tom's password does not open a disabled account.
        var tom = await fixture.NewPageAsync(role: null);
        await tom.GotoAsync("/account/login");
        await tom.GetByTestId("login-user").FillAsync("tom");
        await tom.GetByTestId("login-password").FillAsync(tomsPassword);
        await tom.GetByTestId("login-submit").ClickAsync();
        await Assertions.Expect(tom.GetByTestId("login-error")).ToBeVisibleAsync();
    }

    /// <summary>The jobs page links an administrator to Hangfire's dashboard, which renders in the browser under the app's security headers.</summary>
    [Fact]
    public async Task AnAdministrator_OpensTheHangfireDashboard_FromTheJobsPage()
    {
        var page = await fixture.NewPageAsync(Role.Administrator);
        var blocked = new List<string>();
        page.Console += (_, message) =>
        {
            // The app has no favicon (the browser asks on every page); anything else is a fault, such as a style the policy blocks.
            if (message.Type == "error" && !message.Location.Contains("/favicon.ico", StringComparison.Ordinal)) blocked.Add($"{message.Text} ({message.Location})");
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) blocked.Add($"{response.Status} {response.Url}");
        };
        await page.GotoAsync("/jobs");
        await page.GetByTestId("dashboard-link").ClickAsync();
        await page.WaitForURLAsync("**/jobs/dashboard/**");
        await Assertions.Expect(page.Locator(".navbar-brand")).ToContainTextAsync("Outreach jobs");
        // This node's Hangfire server, with its workers (the test host registers no recurring schedule: it runs on a fake clock).
        await page.GotoAsync("/jobs/dashboard/servers");
        await Assertions.Expect(page.Locator("table").First).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "hangfire-dashboard");
        Assert.True(blocked.Count == 0, "Console errors on the dashboard:\n" + string.Join("\n", blocked));
    }
}
