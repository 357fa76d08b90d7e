using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Core.Audit;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>Issue 16, 3: sequences no longer trap the officer: only those that serve the stage are offered; new purposes; ranges.</summary>
public sealed partial class SequenceStagesWebTests : IAsyncLifetime
{
    private readonly OutreachAppFactory factory = new(StorageEngine.Sqlite);
    private long prospectId;
    private long contactId;

    public async Task InitializeAsync()
    {
        using var _ = factory.CreateClient();
        var world = await new CovenantProspect.Builder(factory.Services.GetRequiredService<IProspectStore>(), factory.Services.GetRequiredService<IPipelineStore>())
        {
            CovenantName = "Responsible Gold", Organisation = "Goud & Zonen BV", Sector = "jewellery", Reason = "Met at the fair",
            Contacts = [new ContactDraft { Name = "Eva Jansen", Email = "eva@goud.nl" }],
        }.BuildAsync(factory.Clock.GetUtcNow());
        (prospectId, contactId) = (world.Entry.Id, world.Eva.Id);
    }

    public async Task DisposeAsync() => await factory.DisposeAsync();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("<select name=\"EnrolSequenceId\"[^>]*>(.*?)</select>", RegexOptions.Singleline)]
    private static partial Regex EnrolChoices();

    private static async Task<string> TokenAsync(HttpClient client, string path) => Token().Match(await client.GetStringAsync(path)).Groups[1].Value;

    private async Task MoveToAsync(HttpClient client, string stage) =>
        Assert.True((await client.PostAsJsonAsync($"/api/prospects/{prospectId}/stage", new { stage, reason = "Talked" })).IsSuccessStatusCode);

    /// <summary>The finding: after a move to engaged the starter sequence was refused ("past this sequence's stage") yet still offered.</summary>
    [Fact]
    public async Task AfterAMovePastItsStage_TheRefusedSequence_IsNotOffered()
    {
        var client = factory.CreateClientAs(Role.Secretariat);
        var starter = (await factory.Services.GetRequiredService<ISequenceStore>().ListSequencesAsync(default)).Single();
        Assert.Contains($"value=\"{starter.Id}\"", EnrolChoices().Match(await client.GetStringAsync($"/prospects/{prospectId}")).Groups[1].Value, StringComparison.Ordinal);

        await MoveToAsync(client, "engaged");
        var page = await client.GetStringAsync($"/prospects/{prospectId}");

        Assert.False(EnrolChoices().IsMatch(page) && EnrolChoices().Match(page).Groups[1].Value.Contains($"value=\"{starter.Id}\"", StringComparison.Ordinal),
            "the starter sequence is refused at engaged, so it must not be offered");
        Assert.Contains("data-testid=\"no-sequence-for-stage\"", page, StringComparison.Ordinal);
        // It is indeed refused there.
        var refusal = await factory.Services.GetRequiredService<SequenceRunner>().EnrolAsync(prospectId, contactId, starter.Id, "anne", default);
        Assert.Equal("The prospect is at '{0}', past this sequence's stage '{1}'.", refusal.Refusal?.Template);
    }

    [Fact]
    public async Task ASequenceServingARange_IsOfferedInsideIt_AndEnrolsThere()
    {
        var client = factory.CreateClientAs(Role.Secretariat);
        await MoveToAsync(client, "engaged");
        var token = await TokenAsync(client, "/sequences");
        var saved = await client.PostAsync("/sequences", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Name"] = "While talking", ["FromStage"] = "contacted", ["Stage"] = "intake", ["EnrolOnEntering"] = "",
            ["StepTemplate[0]"] = BuiltInTemplates.FollowUp, ["StepWait[0]"] = "2",
        }));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var ranged = (await factory.Services.GetRequiredService<ISequenceStore>().ListSequencesAsync(default)).Single(s => s.Name == "While talking");
        Assert.Equal((Stage.Contacted, Stage.Intake), (ranged.FromStage, ranged.Stage));
        Assert.Contains("data-testid=\"sequence-stages\">contacted – intake", await client.GetStringAsync("/sequences"), StringComparison.Ordinal);

        var offered = EnrolChoices().Match(await client.GetStringAsync($"/prospects/{prospectId}")).Groups[1].Value;
        Assert.Contains($"value=\"{ranged.Id}\"", offered, StringComparison.Ordinal);
        var enrolled = await client.PostAsJsonAsync($"/api/prospects/{prospectId}/enrolments", new { sequenceId = ranged.Id, contactId });
        Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);

        // A range that ends before it starts is refused on the form, naming the field.
        var wrong = await client.PostAsync("/sequences", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Name"] = "Backwards", ["FromStage"] = "intake", ["Stage"] = "contacted",
            ["StepTemplate[0]"] = BuiltInTemplates.FollowUp, ["StepWait[0]"] = "2",
        }));
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("comes after the last stage", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSecretariat_CreatesATemplatePurpose_InBothLanguages_ChecksApply_AndSequencesCanUseIt()
    {
        var client = factory.CreateClientAs(Role.Secretariat);
        Assert.Contains("href=\"/templates/new\"", await client.GetStringAsync("/templates"), StringComparison.Ordinal);
        var token = await TokenAsync(client, "/templates/new");
        Dictionary<string, string> Form(string key, string htmlEn) => new()
        {
            ["__RequestVerificationToken"] = token, ["Key"] = key,
            ["SubjectNl"] = "Na ons gesprek", ["HtmlNl"] = "<p>Beste {{contactName}}</p><a href=\"{{unsubscribeUrl}}\">afmelden</a>", ["TextNl"] = "Beste {{contactName}} {{unsubscribeUrl}}",
            ["SubjectEn"] = "After our talk", ["HtmlEn"] = htmlEn, ["TextEn"] = "Dear {{contactName}} {{unsubscribeUrl}}",
        };

        // The same checks as every template save: the English HTML lacks the unsubscribe link; nothing is stored.
        var refused = await client.PostAsync("/templates/new", new FormUrlEncodedContent(Form("engaged-follow-up", "<p>Dear {{contactName}}</p>")));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("data-testid=\"template-errors\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var templates = factory.Services.GetRequiredService<ITemplateStore>();
        Assert.Empty(await templates.ListVersionsAsync("engaged-follow-up", default));
        Assert.Contains("data-testid=\"template-errors\"", await (await client.PostAsync("/templates/new", new FormUrlEncodedContent(Form("Bad Key!", "<a href=\"{{unsubscribeUrl}}\">x</a>")))).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("data-testid=\"template-errors\"", await (await client.PostAsync("/templates/new", new FormUrlEncodedContent(Form(BuiltInTemplates.FollowUp, "<a href=\"{{unsubscribeUrl}}\">x</a>")))).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var added = await client.PostAsync("/templates/new", new FormUrlEncodedContent(Form("engaged-follow-up", "<p>Dear {{contactName}}</p><a href=\"{{unsubscribeUrl}}\">stop</a>")));
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Equal([(ContactLanguage.Nl, 1), (ContactLanguage.En, 1)], (await templates.ListVersionsAsync("engaged-follow-up", default)).Select(t => (t.Language, t.Version)).Order());
        var audit = await factory.Services.GetRequiredService<IAuditLog>().SearchAsync(new AuditFilter { Entity = AuditEntities.Template }, 1, 20, default);
        Assert.Contains(audit.Items, a => a.EntityId == "engaged-follow-up/nl" && a.Action == "created" && a.Actor != "");

        // Twice is refused; the new purpose is listed, edited as any template, and offered to sequences.
        Assert.Contains("exists already", await (await client.PostAsync("/templates/new", new FormUrlEncodedContent(Form("engaged-follow-up", "<a href=\"{{unsubscribeUrl}}\">x</a>")))).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("data-testid=\"edit-engaged-follow-up-en\"", await client.GetStringAsync("/templates"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/templates/engaged-follow-up/en")).StatusCode);
        Assert.Contains("<option value=\"engaged-follow-up\"", await client.GetStringAsync("/sequences"), StringComparison.Ordinal);

        Assert.NotEqual(HttpStatusCode.OK, (await factory.CreateClientAs(Role.Manager).GetAsync("/templates/new")).StatusCode);
    }
}
