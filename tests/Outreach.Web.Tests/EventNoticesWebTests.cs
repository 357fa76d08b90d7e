using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Events;

namespace Outreach.Web.Tests;

/// <summary>The event page tells the secretariat about notices that could not be passed on, and retries them on request.</summary>
public sealed partial class EventsWebTests
{
    [Fact]
    public async Task EventPage_ShowsNoticesGivenUpOn_WithTheReason_AndTriesThemAgain()
    {
        var id = await CreateEventAsync(capacity: 5);
        await client.PostAsJsonAsync($"/api/events/{id}/invitations", new { contactIds = new[] { people[0].Id, people[1].Id } });
        var notices = app.Services.GetRequiredService<IEventNoticeOutbox>();
        Assert.Equal(new EventNoticeCounts(0, 0, null), await notices.CountAsync(id, default));
        await using (var c = await app.Services.GetRequiredService<Storage.Database>().OpenAsync(default))
        {
            // As a calendar service's permanent refusal leaves it (the channel itself is tested in the storage and Graph tests).
            await c.ExecuteAsync("UPDATE event_notice SET status = 'failed', last_error = @error WHERE id = (SELECT MIN(id) FROM event_notice WHERE event_id = @id)",
                new { id, error = "ErrorInvalidRecipients: <b>not valid</b>" });
        }

        var html = await client.GetStringAsync($"/events/{id}");

        Assert.Contains("data-testid=\"notices-failed\"", html, StringComparison.Ordinal);
        Assert.Contains("ErrorInvalidRecipients: &lt;b&gt;not valid&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"notices-waiting\"", html, StringComparison.Ordinal);
        var post = new HttpRequestMessage(HttpMethod.Post, $"/events/{id}?handler=RetryNotices")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Token().Match(html).Groups[1].Value }),
        };
        var retried = await client.SendAsync(post);

        Assert.Equal(HttpStatusCode.Redirect, retried.StatusCode);
        var after = await notices.CountAsync(id, default);
        Assert.Equal(0, after.Failed);
        Assert.Equal(1, after.Waiting);
        Assert.Contains("data-testid=\"notices-waiting\"", await client.GetStringAsync($"/events/{id}"), StringComparison.Ordinal);
    }
}
