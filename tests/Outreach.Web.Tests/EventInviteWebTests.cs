using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Events;
using Outreach.Core.Prospects;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>
/// Issue 16, 1: "Invite everyone who matches" invited a whole covenant with one click, at once, and the hand-pick list held
/// every contact. Now the first click shows the count and a sample, a second post confirms that count, invitations wait for
/// the send window unless "now", and the picker searches a few contacts.
/// </summary>
public sealed partial class EventInviteWebTests : IAsyncLifetime
{
    private readonly OutreachAppFactory app = new(StorageEngine.Sqlite);
    private HttpClient client = null!;
    private long covenantId;
    private long organisationId;
    private long eventId;

    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial Regex Token();

    public async Task InitializeAsync()
    {
        client = app.CreateClientAs(Core.Access.Role.Secretariat);
        var prospects = app.Services.GetRequiredService<IProspectStore>();
        covenantId = (await prospects.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default)).Id;
        var created = await client.PostAsJsonAsync("/api/prospects", new { name = "Goudsmid BV", partyKind = "company", sector = "jewellery", owner = "Anne", covenant = "gold", stage = "contacted" });
        organisationId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organisationId").GetInt64();
        for (var i = 0; i < 12; i++)
            await prospects.AddContactAsync(organisationId, new ContactDraft { Name = $"Gast {i:00}", Email = $"gast{i}@goudsmid.example" }, default);
        var e = await client.PostAsJsonAsync("/api/events", new
        {
            title = "Netwerkbijeenkomst goud", covenant = "gold", format = "physical", venue = "Utrecht",
            start = "2027-01-20T14:00", end = "2027-01-20T17:00", registrationDeadline = "2027-01-15T23:59", capacity = 100, descriptionNl = "Welkom", descriptionEn = "Welcome",
        });
        eventId = (await e.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<string> TokenAsync() => Token().Match(await client.GetStringAsync($"/events/{eventId}")).Groups[1].Value;

    private Dictionary<string, string> Filter(string token) => new()
    {
        ["__RequestVerificationToken"] = token, ["FilterCovenantId"] = covenantId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["FilterStage"] = "", ["FilterSector"] = "", ["FilterPartyKind"] = "", ["FilterOwner"] = "",
    };

    private Task<IReadOnlyList<Invitation>> InvitationsAsync() => app.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(eventId, default);

    /// <summary>The finding: one click on "Invite everyone who matches" invited the covenant at once, showing no count and asking nothing.</summary>
    [Fact]
    public async Task InvitingByFilter_FirstShowsTheCountAndASample_AndInvitesNobody()
    {
        var token = await TokenAsync();
        var first = await client.PostAsync($"/events/{eventId}?handler=Invite&mode=filter", new FormUrlEncodedContent(Filter(token)));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Empty(await InvitationsAsync());
        var page = await first.Content.ReadAsStringAsync();
        Assert.Contains("12 contacts match and would be invited", page, StringComparison.Ordinal);
        Assert.Equal(EventService.SampleSize, Regex.Count(page, "data-testid=\"invite-sample-row\""));
        Assert.Contains("<td>Gast 00</td><td>Goudsmid BV</td>", page, StringComparison.Ordinal);
        Assert.Contains("and 2 more.", page, StringComparison.Ordinal);
        Assert.Contains("name=\"ConfirmedCount\" value=\"12\"", page, StringComparison.Ordinal);
        Assert.Contains("value=\"window\" checked", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Confirming_InvitesForTheSendWindow_AndAChangedCountAsksAgain()
    {
        // Wednesday 18 November 2026, 19:00 in Amsterdam: the window opens again on Thursday at 09:00.
        app.Clock.Set(new DateTimeOffset(2026, 11, 18, 18, 0, 0, TimeSpan.Zero));
        var token = await TokenAsync();
        await client.PostAsync($"/events/{eventId}?handler=Invite&mode=filter", new FormUrlEncodedContent(Filter(token)));
        // Someone is added between looking and confirming.
        await app.Services.GetRequiredService<IProspectStore>().AddContactAsync(organisationId, new ContactDraft { Name = "Late Comer", Email = "late@goudsmid.example" }, default);

        var confirm = Filter(token);
        confirm["ConfirmedCount"] = "12";
        confirm["When"] = "window";
        var changed = await client.PostAsync($"/events/{eventId}?handler=ConfirmInvite", new FormUrlEncodedContent(confirm));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var again = await changed.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"invite-count-changed\"", again, StringComparison.Ordinal);
        Assert.Contains("13 contacts match and would be invited", again, StringComparison.Ordinal);
        Assert.Empty(await InvitationsAsync());

        confirm["ConfirmedCount"] = "13";
        var done = await client.PostAsync($"/events/{eventId}?handler=ConfirmInvite", new FormUrlEncodedContent(confirm));
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal(13, (await InvitationsAsync()).Count);
        // Queued for the window: nothing went out yet, and the page says when it will.
        Assert.Equal(13, (await app.Services.GetRequiredService<IEventNoticeOutbox>().CountAsync(eventId, default)).Waiting);
        Assert.DoesNotContain(await app.Services.GetRequiredService<Core.Mail.IMailOutbox>().ListAsync(null, 50, default), m => m.Mail.Purpose == EventMailTemplates.Invitation);
        Assert.Contains("go out from", await client.GetStringAsync($"/events/{eventId}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePicker_SearchesAFew_AndThePageStaysSmall_With20000Contacts()
    {
        var db = app.Services.GetRequiredService<Database>();
        await using (var c = await db.OpenAsync(default))
        {
            await c.ExecuteAsync(
                """
                INSERT INTO contact (organisation_id, name, email, language, created_at, updated_at)
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
                SELECT @organisationId, 'Bulk ' || i, 'bulk' || i || '@goudsmid.example', 'nl', x.created_at, x.updated_at
                FROM n, (SELECT created_at, updated_at FROM contact WHERE organisation_id = @organisationId LIMIT 1) x
                """, new { organisationId });
        }

        var page = await client.GetByteArrayAsync($"/events/{eventId}");
        Assert.True(page.Length < 40_000, $"the event page is {page.Length} bytes with 20,000 contacts");

        var found = await client.GetFromJsonAsync<JsonElement>($"/events/{eventId}?handler=Contacts&q=bulk1");
        Assert.Equal(Pages.Events.DetailsModel.MaxFound, found.GetArrayLength());
        Assert.All(found.EnumerateArray(), f => Assert.Contains("Bulk 1", f.GetProperty("name").GetString(), StringComparison.Ordinal));
        Assert.Equal("Goudsmid BV", found[0].GetProperty("organisation").GetString());
        var one = (await client.GetFromJsonAsync<JsonElement>($"/events/{eventId}?handler=Contacts&q=bulk19999@")).EnumerateArray().Single();
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>($"/events/{eventId}?handler=Contacts&q=b")).GetArrayLength());
        Assert.Equal(HttpStatusCode.Forbidden, (await app.CreateClientAs(Core.Access.Role.Manager).GetAsync($"/events/{eventId}?handler=Contacts&q=bulk1")).StatusCode);

        // Without script, the search form lists the same few.
        var searched = await client.GetStringAsync($"/events/{eventId}?Find=Bulk%2019999");
        Assert.Single(Regex.Matches(searched, "data-testid=\"contact-result\""));

        // Hand-picked, now: invited and passed on at once.
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await TokenAsync(), ["ContactIds"] = one.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), ["When"] = "now",
        };
        Assert.Equal(HttpStatusCode.Redirect, (await client.PostAsync($"/events/{eventId}?handler=Invite&mode=hand", new FormUrlEncodedContent(form))).StatusCode);
        Assert.Equal([one.GetProperty("id").GetInt64()], (await InvitationsAsync()).Select(i => i.ContactId));
        Assert.Contains(await app.Services.GetRequiredService<Core.Mail.IMailOutbox>().ListAsync(null, 50, default), m => m.Mail.Purpose == EventMailTemplates.Invitation);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/events/{eventId}?handler=Contacts&q=bulk19999@")).EnumerateArray());
    }
}
