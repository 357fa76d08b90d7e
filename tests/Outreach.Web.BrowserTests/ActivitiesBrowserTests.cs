using Microsoft.Playwright;

namespace Outreach.Web.BrowserTests;

/// <summary>Issue 15 point 6: logging a call with a follow-up in a real browser, and seeing it where the officer looks.</summary>
public sealed class ActivitiesBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>Today in Amsterdam on the host's fixed clock (2026-11-18 09:00 UTC).</summary>
    private const string Today = "2026-11-18";

    [Fact]
    public async Task LogACallWithAFollowUp_SeeItOnTheTimeline_AndInMyDay()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/board");
        var card = page.Locator("section[data-stage=contacted] [data-testid=card]").First;
        var name = (await card.Locator("strong").InnerTextAsync()).Trim();
        var owner = (await card.Locator(".meta").First.InnerTextAsync()).Trim();
        owner = owner[(owner.IndexOf(' ', StringComparison.Ordinal) + 1)..].Trim();
        var prospect = await card.GetAttributeAsync("data-prospect");
        await card.ClickAsync();
        await page.WaitForURLAsync($"**/prospects/{prospect}");

        const string said = "Spoke with the CSR manager about joining";
        const string followUp = "Send the covenant text to the CSR manager";
        await page.GetByTestId("activity-form-panel").Locator("summary").ClickAsync();
        await page.GetByTestId("activity-kind").SelectOptionAsync("call");
        await page.GetByTestId("activity-direction").SelectOptionAsync("outgoing");
        await page.GetByTestId("activity-outcome").SelectOptionAsync("reached");
        await page.GetByTestId("activity-minutes").FillAsync("15");
        await page.GetByTestId("activity-text").FillAsync(said);
        await page.GetByTestId("activity-follow-up").FillAsync(followUp);
        await page.GetByTestId("activity-follow-up-due").FillAsync(Today);
        await page.GetByTestId("activity-submit").ClickAsync();

        await page.WaitForURLAsync($"**/prospects/{prospect}**");
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Activity logged");
        var newest = page.GetByTestId("timeline-item").First;
        await Assertions.Expect(newest).ToContainTextAsync(said);
        await Assertions.Expect(newest).ToHaveAttributeAsync("data-source", "activity");
        await BrowserFixture.ScreenshotAsync(page, "timeline");

        // The follow-up is the next action, due today: on the owner's day, one click from the prospect.
        await page.GotoAsync("/my-day?owner=" + Uri.EscapeDataString(owner));
        var line = page.GetByTestId("my-day-today").GetByTestId("my-day-line").Filter(new() { HasText = followUp });
        await Assertions.Expect(line).ToHaveCountAsync(1);
        await Assertions.Expect(line).ToContainTextAsync(name);
        await line.Locator($"a[href='/prospects/{prospect}']").ClickAsync();
        await page.WaitForURLAsync($"**/prospects/{prospect}");
    }

    [Fact]
    public async Task LogANoteFromTheBoardCard_BackOnTheBoard_TheFollowUpShowsOnTheCard()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/board");
        var column = page.Locator("section[data-stage=identified]");
        var card = column.Locator("[data-testid=card]").First;
        var prospect = await card.GetAttributeAsync("data-prospect");
        var log = column.Locator($"[data-testid=card][data-prospect='{prospect}'] + [data-testid=card-log]");
        await log.Locator("summary").ClickAsync();
        await log.GetByTestId("card-log-kind").SelectOptionAsync("note");
        await log.GetByTestId("card-log-text").FillAsync("Website says they source recycled gold");
        await log.Locator("input[name='Input.FollowUp']").FillAsync("Ask about their gold suppliers");
        await log.GetByTestId("card-log-submit").ClickAsync();

        await page.WaitForURLAsync("**/board");
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Activity logged");
        await Assertions.Expect(page.Locator($"[data-testid=card][data-prospect='{prospect}']")).ToContainTextAsync("Ask about their gold suppliers");
        await page.GotoAsync($"/prospects/{prospect}");
        await Assertions.Expect(page.GetByTestId("timeline-item").First).ToContainTextAsync("Website says they source recycled gold");
    }
}
