using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Core.Prospects;
using Outreach.Web.Access;

namespace Outreach.Web.Tests;

/// <summary>The administration pages (users, API keys, audit trail) and the privacy rules they sit beside, through HTTP.</summary>
public sealed partial class AdministrationTests : IAsyncLifetime
{
    private readonly OutreachAppFactory app = new();
    private HttpClient admin = null!;

    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial Regex Token();

    [GeneratedRegex("""data-testid="issued-(?:password|key)"[^<]*<code>([^<]+)</code>""")]
    private static partial Regex Issued();

    public Task InitializeAsync()
    {
        admin = app.CreateClientAs(Role.Administrator);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string page, string action, Dictionary<string, string> fields)
    {
        var form = await client.GetAsync(page);
        fields["__RequestVerificationToken"] = Token().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        var post = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) };
        foreach (var cookie in form.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        return await client.SendAsync(post);
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string user, string password) =>
        await PostAsync(client, "/account/login", "/account/login", new() { ["UserName"] = user, ["Password"] = password });

    [Fact]
    public async Task AnAdministrator_AddsAUser_WhosePasswordIsShownOnce_AndWorks_AndTheTrailSaysWhoDidIt()
    {
        var added = await PostAsync(admin, "/admin/users", "/admin/users", new() { ["UserName"] = "Nina", ["DisplayName"] = "Nina de Boer", ["Role"] = "secretariat" });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var password = Issued().Match(await added.Content.ReadAsStringAsync()).Groups[1].Value;
        Assert.True(password.Length >= 20, "no password shown");
        // Shown once: the list does not show it again.
        Assert.DoesNotContain(password, await admin.GetStringAsync("/admin/users"), StringComparison.Ordinal);

        var nina = app.CreateClientAs(null);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(nina, "nina", password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await nina.GetAsync("/board")).StatusCode);
        // Not an administrator: the administration stays closed to her.
        var denied = await nina.GetAsync("/admin/users");
        Assert.Contains("/account/denied", denied.Headers.Location?.OriginalString, StringComparison.Ordinal);

        var duplicate = await PostAsync(admin, "/admin/users", "/admin/users", new() { ["UserName"] = "NINA", ["DisplayName"] = "Other", ["Role"] = "manager" });
        Assert.Contains("This user name is taken.", await duplicate.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var trail = await admin.GetStringAsync("/admin/audit?entity=user");
        Assert.Contains("api:tests-administrator", trail, StringComparison.Ordinal);
        Assert.Contains("Nina de Boer", trail, StringComparison.Ordinal);
        Assert.Contains("secretariat", trail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResettingAPassword_ShowsTheNewOneOnce_AndTheOldOneStopsWorking()
    {
        var access = app.Services.GetRequiredService<AccessService>();
        var (user, old) = await access.CreateUserAsync("joost", "Joost", Role.Manager, default);
        var reset = await PostAsync(admin, "/admin/users", $"/admin/users?handler=Reset&id={user.Id}", []);
        var fresh = Issued().Match(await reset.Content.ReadAsStringAsync()).Groups[1].Value;
        Assert.NotEqual("", fresh);
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(app.CreateClientAs(null), "joost", old)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(app.CreateClientAs(null), "joost", fresh)).StatusCode);
    }

    [Fact]
    public async Task TheLastActiveAdministrator_CannotBeDisabledOrDemoted()
    {
        var access = app.Services.GetRequiredService<AccessService>();
        var (root, _) = await access.CreateUserAsync("root", "Root", Role.Administrator, default);
        var disable = await PostAsync(admin, "/admin/users", $"/admin/users?handler=Disable&id={root.Id}", []);
        Assert.Contains("The last active administrator cannot be disabled.", await disable.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var demote = await PostAsync(admin, "/admin/users", $"/admin/users?handler=Update&id={root.Id}", new() { ["displayName"] = "Root", ["role"] = "manager" });
        Assert.Contains("The last active administrator keeps the administrator role.", await demote.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stored = (await app.Services.GetRequiredService<IAccessStore>().GetUserAsync(root.Id, default))!;
        Assert.Equal((Role.Administrator, (DateTimeOffset?)null), (stored.Role, stored.DisabledAt));

        // With a second administrator, the first may go.
        await access.CreateUserAsync("root2", "Root Two", Role.Administrator, default);
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(admin, "/admin/users", $"/admin/users?handler=Disable&id={root.Id}", [])).StatusCode);
        Assert.NotNull((await app.Services.GetRequiredService<IAccessStore>().GetUserAsync(root.Id, default))!.DisabledAt);
    }

    [Fact]
    public async Task AnIssuedKey_WorksForItsRole_UntilItIsRevoked()
    {
        var issued = await PostAsync(admin, "/admin/api-keys", "/admin/api-keys", new() { ["Name"] = "power-bi", ["Role"] = "manager" });
        var key = Issued().Match(await issued.Content.ReadAsStringAsync()).Groups[1].Value;
        Assert.StartsWith(AccessService.ApiKeyPrefix, key, StringComparison.Ordinal);
        var integration = app.CreateClientAs(null);
        integration.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, key);
        Assert.Equal(HttpStatusCode.OK, (await integration.GetAsync("/api/prospects")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await integration.PostAsJsonAsync("/api/prospects", new { name = "x" })).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(admin, "/admin/api-keys", "/admin/api-keys?handler=Revoke&name=power-bi", [])).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await integration.GetAsync("/api/prospects")).StatusCode);
        Assert.Contains("Revoked", await admin.GetStringAsync("/admin/api-keys"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSubjectAccessExport_HoldsTheRecordedChanges_AndAnErasedAddressCannotBeAddedAgain()
    {
        var secretariat = app.CreateClientAs(Role.Secretariat);
        var prospects = app.Services.GetRequiredService<IProspectStore>();
        await prospects.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
        var created = await (await secretariat.PostAsJsonAsync("/api/prospects", new { name = "Export Gold", partyKind = "company", sector = "jewellery", owner = "Anne", covenant = "gold" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var organisationId = created.GetProperty("organisationId").GetInt64();
        var page = $"/contacts/new?organisationId={organisationId}";
        var first = await PostAsync(secretariat, page, page, new() { ["Name"] = "Eva Jansen", ["Email"] = "eva@export.example", ["Language"] = "nl", ["LawfulBasis"] = "consent" });
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        var contact = (await prospects.ListContactsAsync(organisationId, default)).Single();

        var export = await secretariat.GetFromJsonAsync<JsonElement>($"/api/contacts/{contact.Id}/export");
        var change = export.GetProperty("recordedChanges")[0];
        Assert.Equal("created", change.GetProperty("action").GetString());
        Assert.Equal("api:tests-secretariat", change.GetProperty("actor").GetString());
        Assert.Contains(change.GetProperty("changes").EnumerateArray(), c => c.GetProperty("field").GetString() == "email" && c.GetProperty("after").GetString() == "eva@export.example");

        Assert.Equal(HttpStatusCode.OK, (await secretariat.PostAsync($"/api/contacts/{contact.Id}/erase", null)).StatusCode);
        var again = await PostAsync(secretariat, page, page, new() { ["Name"] = "Eva J.", ["Email"] = "EVA@export.example", ["Language"] = "nl", ["LawfulBasis"] = "consent" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("erased at their request", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await prospects.ListContactsAsync(organisationId, default));
        var trail = await admin.GetStringAsync($"/admin/audit?entity=contact&entityId={contact.Id}");
        Assert.DoesNotContain("eva@export.example", trail, StringComparison.Ordinal);
        Assert.Contains("(erased)", trail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErasingAContact_RemovesTheirDeliveredMailFiles_AndScrubsTheOutbox()
    {
        var secretariat = app.CreateClientAs(Role.Secretariat);
        var prospects = app.Services.GetRequiredService<IProspectStore>();
        var organisation = await prospects.AddOrganisationAsync(Validation.Clean(new OrganisationDraft { Name = "Mail Gold", Sector = "jewellery", Owner = "Anne", Country = "NL" }), default);
        var contact = await prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Eva Mail", Email = "eva@mail.example" }), default);
        var outbox = app.Services.GetRequiredService<Core.Mail.IMailOutbox>();
        var now = app.Clock.GetUtcNow();
        await outbox.EnqueueAsync(new Core.Mail.MailDraft
        {
            IdempotencyKey = "test:erase:1", Purpose = "follow-up", ContactId = contact.Id, ToAddress = contact.Email, ToName = contact.Name,
            Subject = "Hello Eva", HtmlBody = "<p>Dear Eva Mail</p>", TextBody = "Dear Eva Mail", DueAt = now,
        }, now, default);
        await app.Services.GetRequiredService<Core.Mail.OutboxDispatcher>().DispatchDueAsync("test-node", default);
        var file = app.Services.GetRequiredService<Outreach.Mail.PickupFolderDelivery>().PathFor("test:erase:1");
        Assert.StartsWith(app.DataFolder, file, StringComparison.Ordinal);
        Assert.Contains("eva@mail.example", await File.ReadAllTextAsync(file), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await secretariat.PostAsync($"/api/contacts/{contact.Id}/erase", null)).StatusCode);
        Assert.False(File.Exists(file));
        var row = (await outbox.ListAsync(null, 10, default)).Single(m => m.Mail.IdempotencyKey == "test:erase:1");
        Assert.DoesNotContain("Eva", row.Mail.ToName + row.Mail.Subject + row.Mail.HtmlBody + row.Mail.TextBody + row.Mail.ToAddress, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TheOptOutLink_WorksWithoutSigningIn_AtOnce_AndATamperedOrReplayedLinkChangesNothing()
    {
        var prospects = app.Services.GetRequiredService<IProspectStore>();
        var organisation = await prospects.AddOrganisationAsync(Validation.Clean(new OrganisationDraft { Name = "Opt Gold", Sector = "jewellery", Owner = "Anne", Country = "NL" }), default);
        var eva = await prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Eva", Email = "eva@opt.example" }), default);
        var piet = await prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Piet", Email = "piet@opt.example" }), default);
        var outbox = app.Services.GetRequiredService<Core.Mail.IMailOutbox>();
        var now = app.Clock.GetUtcNow();
        await outbox.EnqueueAsync(new Core.Mail.MailDraft
        {
            IdempotencyKey = "optout:1", Purpose = "follow-up", ContactId = eva.Id, ToAddress = eva.Email, ToName = eva.Name, Subject = "Next week",
            HtmlBody = "<p>Hi</p>", TextBody = "Hi", DueAt = now.AddDays(3),
        }, now, default);
        var links = app.Services.GetRequiredService<OptOutLinks>();
        var url = new Uri(links.UrlFor(eva.Id));
        Assert.NotEqual(links.TokenFor(eva.Id), links.TokenFor(eva.Id));
        var anonymous = app.CreateClientAs(null);

        // Opening the link changes nothing (mail scanners open links); it asks.
        var page = await anonymous.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-testid=\"optout-confirm\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null((await prospects.GetContactAsync(eva.Id, default))!.OptedOutAt);

        // A tampered link: refused, nothing changes.
        var token = url.AbsolutePath["/u/".Length..];
        var tampered = token[..^3] + (token[^3] == 'A' ? "B" : "A") + token[^2..];
        var refused = await anonymous.PostAsync("/u/" + tampered, new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("data-testid=\"optout-invalid\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null((await prospects.GetContactAsync(eva.Id, default))!.OptedOutAt);
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync("/u/not-a-token")).StatusCode);

        // The mail program's one-click POST (RFC 8058): no sign-in, no form token; opted out at once, waiting mail cancelled.
        var done = await anonymous.PostAsync(url.PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("data-testid=\"optout-done\"", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var optedOutAt = (await prospects.GetContactAsync(eva.Id, default))!.OptedOutAt;
        Assert.Equal(now, optedOutAt);
        Assert.Equal(Core.Mail.OutboxStatus.Cancelled, (await outbox.ListAsync(null, 10, default)).Single(m => m.Mail.IdempotencyKey == "optout:1").Status);
        Assert.Null((await prospects.GetContactAsync(piet.Id, default))!.OptedOutAt);

        // Replayed later: the first time stands.
        app.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync(url.PathAndQuery, null)).StatusCode);
        Assert.Equal(optedOutAt, (await prospects.GetContactAsync(eva.Id, default))!.OptedOutAt);
    }

    [Fact]
    public async Task TheOptOutLinks_AreRateLimited()
    {
        var anonymous = app.CreateClientAs(null);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 35; i++) statuses.Add((await anonymous.GetAsync("/u/guess-" + i)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, statuses[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }
}
