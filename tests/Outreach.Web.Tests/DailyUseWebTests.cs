using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Events;
using Outreach.Core.Mail;
using Outreach.Core.Prospects;
using Outreach.Web.Access;

namespace Outreach.Web.Tests;

/// <summary>Issue 16: the public address in mail links, the invitee's answer page, recording an answer, the check-in window, the outbox's mail page.</summary>
public sealed partial class DailyUseWebTests : IAsyncLifetime
{
    private readonly OutreachAppFactory app = new();
    private HttpClient client = null!;
    private long organisationId;

    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial Regex Token();

    public async Task InitializeAsync()
    {
        client = app.CreateClientAs(Core.Access.Role.Secretariat);
        var prospects = app.Services.GetRequiredService<IProspectStore>();
        await prospects.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
        var created = await client.PostAsJsonAsync("/api/prospects", new { name = "Goudsmid BV", partyKind = "company", sector = "jewellery", owner = "Anne", covenant = "gold", stage = "contacted" });
        organisationId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organisationId").GetInt64();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<(long EventId, Invitation Invitation, Contact Contact)> InvitedAsync(string name, ContactLanguage language, DateTime startLocal)
    {
        var prospects = app.Services.GetRequiredService<IProspectStore>();
        var contact = await prospects.AddContactAsync(organisationId, new ContactDraft { Name = name, Email = name.Replace(" ", ".", StringComparison.Ordinal).ToLowerInvariant() + "@goudsmid.example", Language = language }, default);
        var service = app.Services.GetRequiredService<EventService>();
        var created = await service.CreateAsync(new NetworkEventDraft
        {
            Title = "Bijeenkomst " + name, CovenantId = (await prospects.ListCovenantsAsync(default)).Single().Id, Format = EventFormat.Physical, Venue = "Utrecht", Capacity = 10,
            StartLocal = startLocal, EndLocal = startLocal.AddHours(3), RegistrationDeadlineLocal = startLocal.AddHours(-1),
        }, default);
        Assert.True(created.Succeeded, created.Refusal?.Template);
        var id = created.Event!.Id;
        await service.InviteAsync(id, new InviteSelection { ContactIds = [contact.Id] }, default);
        var invitation = (await app.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(id, default)).Single();
        return (id, invitation, contact);
    }

    private DateTime LocalNow() => Core.Calendar.AmsterdamClock.ToLocal(app.Clock.GetUtcNow()).DateTime;

    // Finding 2: the default public address pointed at port 5000 while the host listens elsewhere.
    [Fact]
    public async Task PublicBaseUrl_Unset_InALocalTrial_MailLinksUseTheHostsOwnListenAddress()
    {
        await using var factory = new OutreachAppFactory();
        await using var local = factory.WithWebHostBuilder(b => b.UseEnvironment("Development").UseSetting("Outreach:PublicBaseUrl", ""));
        local.UseKestrel(0);
        local.StartServer();
        var bound = local.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound).Port;
        Assert.NotEqual(5000, port);

        var unsubscribe = new Uri(local.Services.GetRequiredService<OptOutLinks>().UrlFor(42));
        Assert.Equal(port, unsubscribe.Port);
        Assert.StartsWith("/u/", unsubscribe.AbsolutePath, StringComparison.Ordinal);
        var answer = new Uri(local.Services.GetRequiredService<EventLinks>().RsvpUrl(1, 2, "accept"));
        Assert.Equal(port, answer.Port);
        // The link really leads to this host.
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(unsubscribe)).StatusCode); // 42 is nobody: "this link is not valid", from this host
    }

    [Theory]
    [InlineData("Production", "", null, "is not set")]
    [InlineData("Production", "http://outreach.secretariaat.example", null, "is not https")]
    [InlineData("Staging", "", null, "is not set")]
    [InlineData("Development", "", "Graph", "Mail:Provider is Graph")]
    public async Task ADeploymentThatSendsRealMail_RefusesToStart_WithoutAnHttpsPublicBaseUrl(string environment, string url, string? provider, string expected)
    {
        await using var factory = new OutreachAppFactory();
        await using var host = factory.WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment).UseSetting("Outreach:PublicBaseUrl", url);
            if (provider is not null)
            {
                b.UseSetting("Mail:Provider", provider);
                b.UseSetting("Graph:Mailbox", "secretariaat@convenant.example");
                b.UseSetting("Graph:BaseUrl", "http://127.0.0.1:9");
                b.UseSetting("Graph:AccessToken", "local-token");
            }
        });
        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());
        var messages = string.Join("\n", StartFailure.Flatten(error).Select(e => e.Message));
        Assert.Contains("Outreach:PublicBaseUrl", messages, StringComparison.Ordinal);
        Assert.Contains(expected, messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeploymentWithAnHttpsPublicBaseUrl_Starts_AndPutsItInTheLinks()
    {
        await using var factory = new OutreachAppFactory();
        await using var host = factory.WithWebHostBuilder(b => b.UseEnvironment("Production").UseSetting("Outreach:PublicBaseUrl", "https://outreach.secretariaat.example/"));
        host.CreateClient();
        Assert.StartsWith("https://outreach.secretariaat.example/u/", host.Services.GetRequiredService<OptOutLinks>().UrlFor(7), StringComparison.Ordinal);
    }

    // Finding 6: English, the staff menu and a green box for a Dutch invitee who has not answered.
    [Fact]
    public async Task TheAnswerPage_SpeaksTheInviteesLanguage_WithoutTheStaffMenu_AndNotAnsweredIsNoSuccess()
    {
        var (id, invitation, _) = await InvitedAsync("Eva Jansen", ContactLanguage.Nl, new DateTime(2027, 1, 20, 14, 0, 0));
        var anonymous = app.CreateClientAs(null);
        var path = new Uri(app.Services.GetRequiredService<EventLinks>().RsvpUrl(id, invitation.Id, "accept")).PathAndQuery;
        var html = await (await anonymous.GetAsync(path)).Content.ReadAsStringAsync();
        Assert.Contains("U hebt nog niet geantwoord.", html, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"nl\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"nav-board\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"flash\" role=\"status\" data-testid=\"rsvp-status\"", html, StringComparison.Ordinal);
        Assert.Contains("class=\"info\" role=\"status\" data-testid=\"rsvp-status\"", html, StringComparison.Ordinal);

        // An English invitee reads English, whatever language cookie the browser carries.
        var (enId, enInvitation, _) = await InvitedAsync("Mark Smith", ContactLanguage.En, new DateTime(2027, 1, 21, 14, 0, 0));
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.Services.GetRequiredService<EventLinks>().RsvpUrl(enId, enInvitation.Id, "accept")).PathAndQuery);
        request.Headers.Add("Cookie", ".AspNetCore.Culture=c%3Dnl%7Cuic%3Dnl");
        var english = await (await anonymous.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains("You have not answered yet.", english, StringComparison.Ordinal);

        var signIn = await (await anonymous.GetAsync("/account/login")).Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"login-form\"", signIn, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"nav-board\"", signIn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordingAnAnswer_ChoosesNothingInAdvance_AndWithNothingChosenRecordsNothing_SayingSo()
    {
        var (id, invitation, _) = await InvitedAsync("Piet Bakker", ContactLanguage.Nl, new DateTime(2027, 1, 20, 14, 0, 0));
        var page = await client.GetAsync($"/events/{id}");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Matches("""<select name="answer" required[^>]*><option value="" selected>[^<]+</option><option value="accept">""", html);

        var post = new HttpRequestMessage(HttpMethod.Post, $"/events/{id}?handler=Respond&invitationId={invitation.Id}")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Token().Match(html).Groups[1].Value, ["answer"] = "" }),
        };
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        var answered = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);
        Assert.Equal(InvitationResponse.None, (await app.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(id, default)).Single().Response);
        var next = new HttpRequestMessage(HttpMethod.Get, answered.Headers.Location);
        foreach (var cookie in answered.Headers.TryGetValues("Set-Cookie", out var tempData) ? tempData : []) next.Headers.Add("Cookie", cookie.Split(';')[0]);
        var after = await (await client.SendAsync(next)).Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"flash-error\">Choose the answer to record", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckIn_MonthsBeforeTheEvent_IsRefused_SayingWhenItOpens_AndWorksOnTheDay()
    {
        var service = app.Services.GetRequiredService<EventService>();
        var (early, earlyInvitation, _) = await InvitedAsync("Sara de Vries", ContactLanguage.Nl, new DateTime(2027, 1, 20, 14, 0, 0));
        var refused = await service.CheckInAsync(early, earlyInvitation.Id, true, default);
        Assert.False(refused.Succeeded);
        Assert.Equal("Check-in opens at {0}, {1} hours before the start.", refused.Refusal?.Template);
        Assert.Equal(["2027-01-20 02:00", "12"], refused.Refusal!.Args);
        Assert.Null((await app.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(early, default)).Single().CheckedInAt);
        var door = await (await client.GetAsync($"/events/{early}/check-in")).Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"check-in-not-open\"", door, StringComparison.Ordinal);

        var start = LocalNow().AddHours(2);
        var (today, todayInvitation, _) = await InvitedAsync("Tom Visser", ContactLanguage.Nl, new DateTime(start.Year, start.Month, start.Day, start.Hour, 0, 0));
        Assert.True((await service.CheckInAsync(today, todayInvitation.Id, true, default)).Succeeded);
        Assert.DoesNotContain("data-testid=\"check-in-not-open\"", await (await client.GetAsync($"/events/{today}/check-in")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // Finding 10: where did the mail go?
    [Fact]
    public async Task TheOutbox_SaysWhereThePickupFolderIs_AndEachRowOpensItsRenderedMail()
    {
        var outbox = app.Services.GetRequiredService<IMailOutbox>();
        var now = app.Clock.GetUtcNow();
        var (mail, _) = await outbox.EnqueueAsync(new MailDraft
        {
            IdempotencyKey = "one-off:outbox-page", Purpose = "follow-up", ToAddress = "eva@goudsmid.example", ToName = "Eva Jansen",
            Subject = "Uw vragen over het convenant", HtmlBody = "<p>Beste Eva, <b>welkom</b></p>", TextBody = "Beste Eva, welkom", DueAt = now.AddDays(1),
        }, now, default);

        var list = await (await client.GetAsync("/outbox")).Content.ReadAsStringAsync();
        var folder = Path.GetFullPath(Path.Combine(app.DataFolder, "mail"));
        Assert.Contains($"data-testid=\"pickup-folder\"", list, StringComparison.Ordinal);
        Assert.Contains($"<code>{folder}</code>", list, StringComparison.Ordinal);
        Assert.Contains($"href=\"/outbox/{mail.Id}\"", list, StringComparison.Ordinal);

        var page = await client.GetAsync($"/outbox/{mail.Id}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Uw vragen over het convenant", html, StringComparison.Ordinal);
        Assert.Contains("Beste Eva, welkom", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"mail-eml-path\">" + folder + Path.DirectorySeparatorChar, html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/outbox/{mail.Id}?handler=Eml")).StatusCode); // not written yet
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/outbox/{mail.Id + 1000}")).StatusCode);
    }
}
