using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Events;
using Outreach.Core.Prospects;
using Outreach.Web.Events;

namespace Outreach.Web.Tests;

/// <summary>
/// Issue 19, finding 1: 02:30 on the last Sunday of October occurs twice. The API honours an explicit offset (it dropped
/// one), and the event form asks which of the two is meant rather than guess. Finding 5: ORGANIZER defaults to the sender.
/// </summary>
public sealed partial class EventTimesWebTests : IAsyncLifetime
{
    private readonly OutreachAppFactory app = new();
    private HttpClient client = null!;
    private long covenantId;

    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial Regex Token();

    public async Task InitializeAsync()
    {
        client = app.CreateClientAs(Core.Access.Role.Secretariat);
        covenantId = (await app.Services.GetRequiredService<IProspectStore>().AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2028, 12, 31), default)).Id;
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static readonly DateTimeOffset FirstTwoThirty = new(2027, 10, 31, 0, 30, 0, TimeSpan.Zero);  // 02:30 CEST
    private static readonly DateTimeOffset SecondTwoThirty = new(2027, 10, 31, 1, 30, 0, TimeSpan.Zero); // 02:30 CET

    [Theory]
    [InlineData("2027-10-31T02:30:00+02:00", "2027-10-31T00:30:00Z")]
    [InlineData("2027-10-31T02:30:00+01:00", "2027-10-31T01:30:00Z")]
    [InlineData("2027-10-31T00:30:00Z", "2027-10-31T00:30:00Z")]
    [InlineData("2027-10-31T02:30", "2027-10-31T01:30:00Z")] // no offset: Amsterdam wall clock, the second 02:30 (as documented)
    [InlineData("2027-10-31T14:00:00+09:00", "2027-10-31T05:00:00Z")]
    public async Task TheApi_HonoursAnExplicitOffset_AlsoInTheAutumnOverlapHour(string start, string expectedUtc)
    {
        var response = await client.PostAsJsonAsync("/api/events", new
        {
            title = "Vroege vogels", covenant = "gold", format = "online", start, end = "2027-10-31T18:00", registrationDeadline = "2027-10-30T12:00", capacity = 10,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var stored = await app.Services.GetRequiredService<IEventStore>().GetEventAsync(id, default);
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), stored!.StartsAt);
        // Shown back in Amsterdam time with the offset in force at that instant: +02:00 for the first 02:30.
        var shown = (await client.GetFromJsonAsync<JsonElement>($"/api/events/{id}")).GetProperty("startsAt").GetDateTimeOffset();
        Assert.Equal(stored.StartsAt, shown);
        if (start == "2027-10-31T02:30:00+02:00") Assert.Equal(TimeSpan.FromHours(2), shown.Offset);
    }

    private async Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string> fields)
    {
        var form = await client.GetStringAsync(path);
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(Token().Match(form).Groups[1].Value);
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    private Dictionary<string, string> Form(string start, string end = "2027-10-31T04:00") => new()
    {
        ["Title"] = "Nachtsessie", ["CovenantId"] = covenantId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["EventFormat"] = "online",
        ["Start"] = start, ["End"] = end, ["RegistrationDeadline"] = "2027-10-30T12:00", ["Capacity"] = "10",
    };

    [Fact]
    public async Task TheEventForm_AsksWhichTwoThirtyIsMeant_AndStoresTheChosenOne()
    {
        // No choice yet: the form comes back asking, and nothing is created.
        var asked = await PostFormAsync("/events/edit", Form("2027-10-31T02:30"));
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var html = await asked.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"StartOccurrence\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"StartOccurrence\" value=\"summer\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"StartOccurrence\" value=\"winter\"", html, StringComparison.Ordinal);
        Assert.Contains("02:30 occurs twice that day", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"EndOccurrence\"", html, StringComparison.Ordinal); // 04:00 occurs once
        Assert.Empty(await app.Services.GetRequiredService<IEventStore>().ListEventsAsync(default));

        // An ordinary time asks nothing.
        Assert.DoesNotContain("StartOccurrence", await client.GetStringAsync("/events/edit"), StringComparison.Ordinal);

        foreach (var (choice, expected) in new[] { ("summer", FirstTwoThirty), ("winter", SecondTwoThirty) })
        {
            var fields = Form("2027-10-31T02:30");
            fields["StartOccurrence"] = choice;
            var saved = await PostFormAsync("/events/edit", fields);
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
            var id = long.Parse(saved.Headers.Location!.OriginalString.Split('/').Last(), System.Globalization.CultureInfo.InvariantCulture);
            var e = await app.Services.GetRequiredService<IEventStore>().GetEventAsync(id, default);
            Assert.Equal(expected, e!.StartsAt);

            // Editing shows the choice made, so saving unchanged moves nothing.
            var edit = await client.GetStringAsync($"/events/edit/{id}");
            Assert.Contains($"value=\"{choice}\" checked=\"checked\"", edit, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheOrganizer_DefaultsToTheSender_UnlessSetItself()
    {
        static EventOptions Resolve(Dictionary<string, string?> settings)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var options = configuration.GetSection(EventOptions.Section).Get<EventOptions>() ?? new EventOptions();
            EventRegistration.DefaultOrganizer(options, configuration, configuration.GetSection(Outreach.Mail.MailOptions.Section).Get<Outreach.Mail.MailOptions>() ?? new Outreach.Mail.MailOptions());
            return options;
        }

        var pickup = Resolve(new() { ["Mail:FromAddress"] = "secretariaat@imvo.example", ["Mail:FromName"] = "Secretariaat IMVO" });
        Assert.Equal(("secretariaat@imvo.example", "Secretariaat IMVO"), (pickup.OrganizerEmail, pickup.OrganizerName));
        var graph = Resolve(new() { ["Mail:Provider"] = "Graph", ["Graph:Mailbox"] = "convenant@imvo.example", ["Mail:FromAddress"] = "unused@imvo.example" });
        Assert.Equal("convenant@imvo.example", graph.OrganizerEmail);
        var defaults = Resolve([]);
        Assert.Equal(new Outreach.Mail.MailOptions().FromAddress, defaults.OrganizerEmail);
        var own = Resolve(new() { ["Mail:FromAddress"] = "secretariaat@imvo.example", ["Events:OrganizerEmail"] = "agenda@imvo.example", ["Events:OrganizerName"] = "Agenda" });
        Assert.Equal(("agenda@imvo.example", "Agenda"), (own.OrganizerEmail, own.OrganizerName));
        // The host resolves it that way too.
        Assert.Equal(new Outreach.Mail.MailOptions().FromAddress, app.Services.GetRequiredService<EventOptions>().OrganizerEmail);
    }
}
