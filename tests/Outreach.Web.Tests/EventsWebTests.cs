using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Events;
using Outreach.Core.Prospects;
using Outreach.Web.Access;

namespace Outreach.Web.Tests;

/// <summary>The events API and the public answer links: auth, validation, invitations with exclusions, tampered and rate-limited links.</summary>
public sealed partial class EventsWebTests : IAsyncLifetime
{
    private readonly OutreachAppFactory app = new();
    private HttpClient client = null!;
    private List<Contact> people = [];

    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial Regex Token();

    public async Task InitializeAsync()
    {
        client = app.CreateClientAs(Core.Access.Role.Secretariat);
        var prospects = app.Services.GetRequiredService<IProspectStore>();
        await prospects.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
        var created = await client.PostAsJsonAsync("/api/prospects", new { name = "Goudsmid BV", partyKind = "company", sector = "jewellery", owner = "Anne", covenant = "gold", stage = "contacted" });
        var organisationId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organisationId").GetInt64();
        for (var i = 0; i < 4; i++)
            people.Add(await prospects.AddContactAsync(organisationId, new ContactDraft { Name = $"Gast {i}", Email = $"gast{i}@goudsmid.example" }, default));
        await prospects.SetOptedOutAsync(people[3].Id, app.Clock.GetUtcNow(), default);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static object NewEvent(int capacity = 1) => new
    {
        title = "Netwerkbijeenkomst goud", covenant = "gold", format = "hybrid", venue = "Utrecht", onlineJoinUrl = "https://teams.example/m/1",
        start = "2027-01-20T14:00", end = "2027-01-20T17:00", registrationDeadline = "2027-01-15T23:59", capacity, descriptionNl = "Welkom", descriptionEn = "Welcome",
    };

    private async Task<long> CreateEventAsync(int capacity = 1)
    {
        var response = await client.PostAsJsonAsync("/api/events", NewEvent(capacity));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task Api_CreatesEventsInAmsterdamTime_InvitesWithExclusions_AndListsInvitationsWithWaitlist()
    {
        var id = await CreateEventAsync();
        var e = await client.GetFromJsonAsync<JsonElement>($"/api/events/{id}");
        Assert.Equal("2027-01-20T14:00:00+01:00", e.GetProperty("startsAt").GetString());
        Assert.Equal("hybrid", e.GetProperty("format").GetString());
        Assert.Equal(0, e.GetProperty("sequence").GetInt32());
        Assert.Contains(id, (await client.GetFromJsonAsync<JsonElement>("/api/events")).EnumerateArray().Select(x => x.GetProperty("id").GetInt64()));

        var invite = await client.PostAsJsonAsync($"/api/events/{id}/invitations", new { contactIds = new[] { people[0].Id, people[1].Id, people[3].Id } });
        Assert.Equal(HttpStatusCode.OK, invite.StatusCode);
        var counts = await invite.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((2, 1, 0), (counts.GetProperty("invited").GetInt32(), counts.GetProperty("excludedOptedOut").GetInt32(), counts.GetProperty("excludedAlreadyInvited").GetInt32()));
        var byFilter = await (await client.PostAsJsonAsync($"/api/events/{id}/invitations", new { filter = new { covenant = "gold", stage = "contacted" } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((1, 1, 2), (byFilter.GetProperty("invited").GetInt32(), byFilter.GetProperty("excludedOptedOut").GetInt32(), byFilter.GetProperty("excludedAlreadyInvited").GetInt32()));

        var service = app.Services.GetRequiredService<EventService>();
        var invitations = await app.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(id, default);
        await service.RespondAsync(id, invitations.Single(i => i.ContactId == people[0].Id).Id, InvitationResponse.Accepted, default);
        await service.RespondAsync(id, invitations.Single(i => i.ContactId == people[1].Id).Id, InvitationResponse.Accepted, default);

        var listed = (await client.GetFromJsonAsync<JsonElement>($"/api/events/{id}/invitations")).EnumerateArray().ToList();
        Assert.Equal(3, listed.Count);
        var second = listed.Single(x => x.GetProperty("contactId").GetInt64() == people[1].Id);
        Assert.Equal(("accepted", "waitlisted", 1), (second.GetProperty("response").GetString(), second.GetProperty("place").GetString(), second.GetProperty("waitlistPosition").GetInt32()));
        Assert.False(second.GetProperty("attended").GetBoolean());
        Assert.Equal("confirmed", listed.Single(x => x.GetProperty("contactId").GetInt64() == people[0].Id).GetProperty("place").GetString());

        // The invitation mail is in the outbox with its iCalendar part.
        var mails = await app.Services.GetRequiredService<Core.Mail.IMailOutbox>().ListAsync(null, 50, default);
        Assert.Equal(3, mails.Count(m => m.Mail.Purpose == EventMailTemplates.Invitation && m.Mail.Calendar is { Method: "REQUEST" }));
    }

    [Fact]
    public async Task Api_RefusesBadInput_UnknownEvents_AndManagersWrites()
    {
        var bad = await client.PostAsJsonAsync("/api/events", new { title = "", covenant = "silver", format = "party", start = "tomorrow", capacity = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        foreach (var field in new[] { "covenant", "format", "start", "end", "registrationDeadline" })
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), field);
        var endBeforeStart = await client.PostAsJsonAsync("/api/events", new
        {
            title = "X", covenant = "gold", format = "physical", venue = "Utrecht", start = "2027-01-20T14:00", end = "2027-01-20T13:00", registrationDeadline = "2027-01-19T12:00", capacity = 10,
        });
        Assert.Equal(HttpStatusCode.BadRequest, endBeforeStart.StatusCode);
        Assert.True((await endBeforeStart.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("endLocal", out _));
        Assert.Empty(await client.GetFromJsonAsync<JsonElement[]>("/api/events") ?? []);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/events/999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/api/events/999/invitations", new { contactIds = new List<long> { 1 } })).StatusCode);
        var id = await CreateEventAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync($"/api/events/{id}/invitations", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync($"/api/events/{id}/invitations", new { filter = new { stage = "<script>" } })).StatusCode);

        var manager = app.CreateClientAs(Core.Access.Role.Manager);
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync($"/api/events/{id}/invitations")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostAsJsonAsync("/api/events", NewEvent())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostAsJsonAsync($"/api/events/{id}/invitations", new { contactIds = new[] { people[0].Id } })).StatusCode);
        Assert.Empty(await app.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(id, default));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClientAs(null).GetAsync("/api/events")).StatusCode);
    }

    [Fact]
    public async Task TheAnswerLink_AsksFirst_RecordsOnPost_AndRefusesATamperedLink()
    {
        var id = await CreateEventAsync();
        await client.PostAsJsonAsync($"/api/events/{id}/invitations", new { contactIds = new[] { people[0].Id } });
        var invitation = Assert.Single(await app.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(id, default));
        var url = new Uri(app.Services.GetRequiredService<EventLinks>().RsvpUrl(id, invitation.Id, "accept"));
        var anonymous = app.CreateClientAs(null);

        var page = await anonymous.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"rsvp-accept\"", html, StringComparison.Ordinal);
        Assert.Equal(InvitationResponse.None, (await app.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(id, default)).Single().Response);

        var post = new HttpRequestMessage(HttpMethod.Post, url.AbsolutePath)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["answer"] = "accept", ["__RequestVerificationToken"] = Token().Match(html).Groups[1].Value }),
        };
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        var done = await anonymous.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("data-testid=\"rsvp-cancel\"", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stored = (await app.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(id, default)).Single();
        Assert.Equal((InvitationResponse.Accepted, PlaceStatus.Confirmed), (stored.Response, stored.Place));

        var token = url.AbsolutePath["/r/".Length..];
        var tampered = token[..^3] + (token[^3] == 'A' ? "B" : "A") + token[^2..];
        var refused = await anonymous.GetAsync("/r/" + tampered);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("data-testid=\"rsvp-invalid\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // A link for another event's invitation (made here, but naming an invitation that is not the event's) is refused too.
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync(new Uri(app.Services.GetRequiredService<EventLinks>().RsvpUrl(id + 1, invitation.Id, "accept")).PathAndQuery)).StatusCode);

        // After the person's erasure their links stop working.
        await app.Services.GetRequiredService<ContactPrivacy>().EraseAsync(people[0].Id, app.Clock.GetUtcNow(), default);
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync(url.PathAndQuery)).StatusCode);
    }

    [Fact]
    public async Task TheAnswerLinks_AreRateLimited()
    {
        var anonymous = app.CreateClientAs(null);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 35; i++) statuses.Add((await anonymous.GetAsync("/r/guess-" + i)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, statuses[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task ThePages_Show_AndTheProspectTimelineHasTheAnswer()
    {
        var id = await CreateEventAsync(capacity: 5);
        await client.PostAsJsonAsync($"/api/events/{id}/invitations", new { contactIds = new[] { people[0].Id } });
        var invitation = Assert.Single(await app.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(id, default));
        await app.Services.GetRequiredService<EventService>().RespondAsync(id, invitation.Id, InvitationResponse.Tentative, default);

        var manager = app.CreateClientAs(Core.Access.Role.Manager);
        foreach (var path in new[] { "/events", $"/events/{id}", $"/events/{id}/check-in" })
            Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync(path)).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await manager.GetAsync("/events/edit")).StatusCode);
        var details = await client.GetStringAsync($"/events/{id}");
        Assert.Contains("Gast 0", details, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"invite-by-filter\"", details, StringComparison.Ordinal);

        var prospects = await client.GetFromJsonAsync<JsonElement>("/api/prospects");
        var prospectId = prospects.GetProperty("items")[0].GetProperty("id").GetInt64();
        var timeline = await client.GetStringAsync($"/prospects/{prospectId}");
        Assert.Contains("data-testid=\"event-history-row\"", timeline, StringComparison.Ordinal);
        Assert.Contains("Netwerkbijeenkomst goud", timeline, StringComparison.Ordinal);
    }
}
