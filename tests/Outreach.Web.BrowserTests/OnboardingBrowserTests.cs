using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outreach.Core.Calendar;
using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;

namespace Outreach.Web.BrowserTests;

/// <summary>
/// Issue 14 point 8: a secretariat officer marks a signed party's onboarding milestone done with evidence (a link; a file)
/// on its prospect page, sees the panel's progress move, and finds the party counted in the monitoring report of the
/// running year. The report is read afresh from the server, so a "done" that was not stored fails the test.
/// </summary>
public sealed class OnboardingBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>An open milestone asked once, of a party the running monitoring year counts, as the report lists it under "not done by".</summary>
    private sealed record Target(Covenant Covenant, int Year, string Key, int Done, int Of, PartyRef Party, long MilestoneId);

    private async Task<Target> OpenMilestoneAsync()
    {
        var services = fixture.App.Services;
        var store = services.GetRequiredService<IOnboardingStore>();
        var reports = services.GetRequiredService<MonitoringReports>();
        var today = AmsterdamClock.Today(fixture.App.Clock);
        foreach (var covenant in await services.GetRequiredService<IProspectStore>().ListCovenantsAsync(default))
        {
            var year = MonitoringYears.YearOf(covenant, today);
            if (year < 1 || year > MonitoringYears.Count(covenant)) continue;
            var (report, _) = await reports.BuildAsync(covenant.Code, year.ToString(CultureInfo.InvariantCulture), default);
            foreach (var figure in report!.Milestones.Where(f => f.NotDone.Count > 0))
            {
                foreach (var party in figure.NotDone)
                {
                    var open = (await store.ListForProspectAsync(party.ProspectId, default)).FirstOrDefault(m => m.Key == figure.Key && m.Year is null && !m.IsDone);
                    if (open is not null) return new Target(covenant, year, figure.Key, figure.Done, figure.Of, party, open.Id);
                }
            }
        }

        throw new InvalidOperationException("The demo data has no open milestone in a running monitoring year.");
    }

    private static int DoneOf(string progress) => int.Parse(progress.Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>Opens the party's page, opens the milestone's "mark done" form and returns the milestone's row and the panel's "N of M done".</summary>
    private static async Task<(ILocator Row, int DoneBefore, string Total)> OpenFormAsync(IPage page, Target target)
    {
        await page.GotoAsync($"/prospects/{target.Party.ProspectId}");
        var panel = page.GetByTestId("onboarding-panel");
        var progress = (await panel.GetByTestId("onboarding-progress").InnerTextAsync()).Trim();
        var row = panel.Locator($"[data-testid=milestone][data-key={target.Key}]");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await row.GetByTestId("mark-done-open").ClickAsync();
        await Assertions.Expect(row.GetByTestId("done-submit")).ToBeVisibleAsync();
        return (row, DoneOf(progress), progress.Split(" of ")[1]);
    }

    private static async Task SeeItCountedInTheReportAsync(IPage page, Target target)
    {
        await page.GotoAsync($"/monitoring?covenant={target.Covenant.Code}&year={target.Year}");
        var figure = page.Locator($"[data-testid=monitoring-row][data-key={target.Key}]");
        await Assertions.Expect(figure.GetByTestId("monitoring-figure")).ToHaveTextAsync($"{target.Done + 1} of {target.Of}");
        // The party moved from the "not done by" list to the "done by" list behind the figure.
        await Assertions.Expect(figure.Locator("td").Nth(4)).ToContainTextAsync(target.Party.Name);
        var notDone = await figure.Locator("td").Nth(5).InnerTextAsync();
        Assert.DoesNotContain(target.Party.Name, notDone.Split(", "));
    }

    [Fact]
    public async Task MarkingAMilestoneDoneWithALink_MovesThePanel_AndTheMonitoringFigure()
    {
        var target = await OpenMilestoneAsync();
        var page = await fixture.NewPageAsync();
        var (row, before, total) = await OpenFormAsync(page, target);

        await row.GetByTestId("done-url").FillAsync("https://evidence.example/browser/beleid");
        await row.GetByTestId("done-submit").ClickAsync();

        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Milestone marked done.");
        await Assertions.Expect(page.GetByTestId("onboarding-progress")).ToContainTextAsync($"{before + 1} of {total}");
        var done = page.Locator($"[data-testid=milestone][data-key={target.Key}]");
        await Assertions.Expect(done.GetByTestId("milestone-state")).ToContainTextAsync("done on");
        await Assertions.Expect(done.GetByTestId("milestone-evidence")).ToHaveAttributeAsync("href", "https://evidence.example/browser/beleid");
        await BrowserFixture.ScreenshotAsync(page, "onboarding-panel");

        await SeeItCountedInTheReportAsync(page, target);
        await BrowserFixture.ScreenshotAsync(page, "monitoring", fullPage: true);
    }

    [Fact]
    public async Task MarkingAMilestoneDoneWithAFile_KeepsTheFileWithTheParty_AndTheMonitoringFigureMoves()
    {
        var target = await OpenMilestoneAsync();
        var page = await fixture.NewPageAsync();
        var (row, before, total) = await OpenFormAsync(page, target);
        var pdf = "%PDF-1.4 risicoanalyse"u8.ToArray();

        await row.GetByTestId("done-file").SetInputFilesAsync(new FilePayload { Name = "risicoanalyse 2026.pdf", MimeType = "application/pdf", Buffer = pdf });
        await row.GetByTestId("done-submit").ClickAsync();

        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Milestone marked done.");
        await Assertions.Expect(page.GetByTestId("onboarding-progress")).ToContainTextAsync($"{before + 1} of {total}");
        var file = page.Locator($"[data-testid=milestone][data-key={target.Key}]").GetByTestId("milestone-file");
        await Assertions.Expect(file).ToHaveTextAsync("risicoanalyse 2026.pdf");
        var download = await page.RunAndWaitForDownloadAsync(() => file.ClickAsync());
        Assert.Equal("risicoanalyse 2026.pdf", download.SuggestedFilename);
        Assert.Equal(pdf, await File.ReadAllBytesAsync((await download.PathAsync())!));

        await SeeItCountedInTheReportAsync(page, target);
    }
}
