using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>Templates, sequences, enrolments and the outbox through the real host: pages, forms and the JSON API.</summary>
public sealed partial class SequencesWebTests : IAsyncLifetime
{
    private readonly OutreachAppFactory factory = new(StorageEngine.Sqlite);
    private long prospectId;
    private long contactId;

    public async Task InitializeAsync()
    {
        using var _ = factory.CreateClient();
        var prospects = factory.Services.GetRequiredService<IProspectStore>();
        var pipeline = factory.Services.GetRequiredService<IPipelineStore>();
        var world = await new CovenantProspect.Builder(prospects, pipeline)
        {
            CovenantName = "Responsible Gold", Organisation = "Goud & Zonen BV", Sector = "jewellery", Reason = "Met at the fair",
            Contacts = [new ContactDraft { Name = "Eva <i>Jansen</i>", Email = "eva@goud.nl", Language = ContactLanguage.En }],
        }.BuildAsync(factory.Clock.GetUtcNow());
        (prospectId, contactId) = (world.Entry.Id, world.Eva.Id);
    }

    public async Task DisposeAsync() => await factory.DisposeAsync();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    private static async Task<string> TokenAsync(HttpClient client, string path)
    {
        var page = await client.GetStringAsync(path);
        return Token().Match(page).Groups[1].Value;
    }

    [Fact]
    public async Task FirstStart_HasTheBuiltInTemplates_AndAStarterSequenceWithoutARule()
    {
        var sequences = await factory.CreateClientAs(Role.Manager).GetFromJsonAsync<JsonElement>("/api/sequences");
        var starter = Assert.Single(sequences.EnumerateArray());
        Assert.Equal(BuiltInTemplates.StarterSequence.Name, starter.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, starter.GetProperty("enrolOnEntering").ValueKind);
        Assert.Equal(["follow-up", "follow-up-reminder", "follow-up-last"], starter.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("template").GetString()));
        var page = await factory.CreateClientAs(Role.Manager).GetStringAsync("/templates");
        Assert.Equal(BuiltInTemplates.Purposes.Count, Regex.Count(page, "data-testid=\"template-row\""));
    }

    [Fact]
    public async Task Api_EnrolsOnce_RefusesADuplicateWith409_AManagerWith403_AndUnknownIdsWith400()
    {
        var client = factory.CreateClientAs(Role.Secretariat);
        var sequenceId = (await client.GetFromJsonAsync<JsonElement>("/api/sequences"))[0].GetProperty("id").GetInt64();
        var created = await client.PostAsJsonAsync($"/api/prospects/{prospectId}/enrolments", new { sequenceId, contactId });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var enrolment = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("active", contactId), (enrolment.GetProperty("state").GetString(), enrolment.GetProperty("contactId").GetInt64()));

        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync($"/api/prospects/{prospectId}/enrolments", new { sequenceId, contactId })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateClientAs(Role.Manager).PostAsJsonAsync($"/api/prospects/{prospectId}/enrolments", new { sequenceId, contactId })).StatusCode);
        var unknown = await client.PostAsJsonAsync($"/api/prospects/{prospectId}/enrolments", new { sequenceId = 999, contactId });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("There is no sequence 999.", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/api/prospects/424242/enrolments", new { sequenceId, contactId })).StatusCode);
        Assert.Single((await client.GetFromJsonAsync<JsonElement>($"/api/prospects/{prospectId}/enrolments")).EnumerateArray());
    }

    [Fact]
    public async Task TheSequenceJob_QueuesTheFirstStep_WhichTheOutboxApiAndPageShow_WithTheTemplateVersion()
    {
        var runner = factory.Services.GetRequiredService<SequenceRunner>();
        var sequence = (await factory.Services.GetRequiredService<ISequenceStore>().ListSequencesAsync(default))[0];
        var enrolled = await runner.EnrolAsync(prospectId, contactId, sequence.Id, "anne", default);
        factory.Clock.Set(enrolled.Enrolment!.NextDue!.Value);
        // The host's own scheduled sequences job may take the step first (it runs every five minutes on this clock too):
        // either way exactly one mail is queued, which the outbox assertions below check.
        await runner.RunAsync(100, default);

        var client = factory.CreateClientAs(Role.Manager);
        var pending = await client.GetFromJsonAsync<JsonElement>("/api/outbox?status=pending");
        var mail = Assert.Single(pending.EnumerateArray());
        Assert.Equal(("follow-up", 1, "eva@goud.nl"), (mail.GetProperty("template").GetString(), mail.GetProperty("templateVersion").GetInt32(), mail.GetProperty("to").GetString()));
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>("/api/outbox?status=sent")).EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/outbox?status=lost")).StatusCode);

        var page = await client.GetStringAsync($"/prospects/{prospectId}");
        Assert.Contains("data-testid=\"enrolment-row\"", page, StringComparison.Ordinal);
        Assert.Contains("Step 2 of 3", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"outbox-row\"", await client.GetStringAsync("/outbox?status=pending"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATemplateSave_AddsAVersion_ABadTemplateIsRefusedAndNothingStored_AndThePreviewUsesARealProspect()
    {
        var client = factory.CreateClientAs(Role.Secretariat);
        const string path = "/templates/follow-up/en";
        var token = await TokenAsync(client, path);
        Dictionary<string, string> Form(string subject, string html, string text) => new()
        {
            ["__RequestVerificationToken"] = token, ["Subject"] = subject, ["Html"] = html, ["Text"] = text, ["ProspectId"] = prospectId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        var bad = await client.PostAsync(path + "?handler=Save", new FormUrlEncodedContent(Form("Hi", "<p>{{{contactName}}} {{unsubscribeUrl}}</p>", "{{unsubscribeUrl}}")));
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("data-testid=\"template-errors\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var templates = factory.Services.GetRequiredService<ITemplateStore>();
        Assert.Equal(1, (await templates.GetAsync("follow-up", ContactLanguage.En, null, default))!.Version);

        var preview = await client.PostAsync(path + "?handler=Preview", new FormUrlEncodedContent(Form("For {{organisation}}", "<p>Dear {{contactName}}</p><a href=\"{{unsubscribeUrl}}\">stop</a>", "Dear {{contactName}} {{unsubscribeUrl}}")));
        var shown = await preview.Content.ReadAsStringAsync();
        Assert.Contains("For Goud &amp; Zonen BV", shown, StringComparison.Ordinal);
        // The HTML part encodes the name once (in the mail), and the page encodes the whole part again inside srcdoc.
        Assert.Contains("Dear Eva &amp;lt;i&amp;gt;Jansen&amp;lt;/i&amp;gt;", shown, StringComparison.Ordinal);

        var saved = await client.PostAsync(path + "?handler=Save", new FormUrlEncodedContent(Form("New {{covenant}}", "<p>{{contactName}}</p><a href=\"{{unsubscribeUrl}}\">stop</a>", "{{contactName}} {{unsubscribeUrl}}")));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var v2 = await templates.GetAsync("follow-up", ContactLanguage.En, null, default);
        Assert.Equal((2, "New {{covenant}}"), (v2!.Version, v2.Subject));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/templates/Not_A_Key/en")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateClientAs(Role.Manager).GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task ADeadLetter_CanBeRetriedFromTheOutboxPage()
    {
        var outbox = factory.Services.GetRequiredService<IMailOutbox>();
        var now = factory.Clock.GetUtcNow();
        var (mail, _) = await outbox.EnqueueAsync(new MailDraft { IdempotencyKey = "one-off:dead", Purpose = "test", ToAddress = "x@example.nl", ToName = "X", Subject = "Dead", HtmlBody = "h", TextBody = "t", DueAt = now }, now, default);
        await outbox.ClaimDueAsync("node", now, now.AddMinutes(5), 10, default);
        await outbox.MarkAttemptFailedAsync(mail.Id, "node", "550 mailbox unavailable", null, default);

        var client = factory.CreateClientAs(Role.Secretariat);
        var page = await client.GetStringAsync("/outbox?status=failed");
        Assert.Contains("550 mailbox unavailable", page, StringComparison.Ordinal);
        var token = Token().Match(page).Groups[1].Value;
        var retried = await client.PostAsync($"/outbox?handler=Retry&id={mail.Id}&status=failed", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, retried.StatusCode);
        Assert.Equal(OutboxStatus.Pending, (await outbox.ListAsync(null, 10, default)).Single(m => m.Id == mail.Id).Status);
    }

    [Fact]
    public async Task ARecordedReply_IsOnTheProspectPage_WithWhatOutreachDid()
    {
        var prospects = factory.Services.GetRequiredService<IProspectStore>();
        var contact = (await prospects.GetContactAsync(contactId, default))!;
        var log = factory.Services.GetRequiredService<IReplyLog>();
        Assert.True(await log.RecordAsync(new MailReply
        {
            MessageId = "AAkALg1", Kind = "reply", ContactId = contactId, OrganisationId = contact.OrganisationId, FromAddress = contact.Email,
            Subject = "RE: <b>following up</b>", ReceivedAt = factory.Clock.GetUtcNow(), Outcome = "2 enrolment(s) of the organisation stopped",
        }, factory.Clock.GetUtcNow(), default));
        Assert.False(await log.RecordAsync(new MailReply { MessageId = "AAkALg1", Kind = "reply" }, factory.Clock.GetUtcNow(), default));

        var page = await factory.CreateClientAs(Role.Manager).GetStringAsync($"/prospects/{prospectId}");
        Assert.Contains("data-testid=\"reply-row\"", page, StringComparison.Ordinal);
        Assert.Contains("RE: &lt;b&gt;following up&lt;/b&gt;", page, StringComparison.Ordinal);
        Assert.Contains("2 enrolment(s) of the organisation stopped", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASendWindowThatClosesBeforeItOpens_IsRefusedAtStart_NamingTheKeys()
    {
        await using var other = new OutreachAppFactory();
        await using var app = other.WithWebHostBuilder(b =>
        {
            b.UseSetting("Sequences:SendWindowOpens", "17:00");
            b.UseSetting("Sequences:SendWindowCloses", "09:00");
        });
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException) messages.Add(e.Message);
        if (error is AggregateException all) messages.AddRange(all.InnerExceptions.Select(e => e.Message));
        Assert.Contains(messages, m => m.Contains("Sequences:SendWindowCloses (09:00) must be after Sequences:SendWindowOpens (17:00)", StringComparison.Ordinal));
    }
}
