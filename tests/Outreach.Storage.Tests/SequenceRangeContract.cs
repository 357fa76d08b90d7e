using Outreach.Core.Access;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Storage.Tests;

/// <summary>Issue 16, 3: a sequence's range of stages and the secretariat's own template purposes, on every engine.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Sequence_StoresItsRangeOfStages_AnOldOneHasNone_AndTheRunnerChecksTheRange()
    {
        var (store, _, runner, _) = await SequencesAsync();
        var old = await store.AddSequenceAsync(TwoSteps("First contact"), Clock.GetUtcNow(), default);
        Assert.Null(old.FromStage);
        var ranged = await store.AddSequenceAsync(TwoSteps("While talking") with { FromStage = Stage.Engaged, Stage = Stage.Intake }, Clock.GetUtcNow(), default);
        var read = await store.GetSequenceAsync(ranged.Id, default);
        Assert.Equal((Stage.Engaged, Stage.Intake), (read!.FromStage, read.Stage));
        Assert.Contains(await store.ListSequencesAsync(default), s => s.Id == ranged.Id && s.FromStage == Stage.Engaged);

        var updated = await store.UpdateSequenceAsync(ranged.Id, TwoSteps("While talking") with { FromStage = Stage.Contacted, Stage = Stage.Intake }, Clock.GetUtcNow(), default);
        Assert.Equal(Stage.Contacted, updated!.FromStage);
        var audit = await new SqlAudit(Db).SearchAsync(new() { Entity = "sequence" }, 1, 10, default);
        Assert.Contains(audit.Items[0].Changes, c => c.Field == "stage_from" && c.Before == "engaged" && c.After == "contacted");

        // The prospect at engaged: the old sequence refuses it, the range takes it.
        var entry = await NewEntryAsync("Zilver BV", Stage.Engaged);
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva", Email = "eva@zilver.example" }, default);
        Assert.Equal("The prospect is at '{0}', past this sequence's stage '{1}'.", (await runner.EnrolAsync(entry.Id, eva.Id, old.Id, "anne", default)).Refusal?.Template);
        var enrolled = await runner.EnrolAsync(entry.Id, eva.Id, ranged.Id, "anne", default);
        Assert.Null(enrolled.Refusal);
    }

    [Fact]
    public async Task TemplatePurpose_IsAddedInBothLanguagesAsVersionOne_Audited_AndNeverTwice()
    {
        var (_, templates, _, _) = await SequencesAsync();
        MailTemplate Draft(ContactLanguage language, string subject) => new("engaged-follow-up", language, 1, subject, "<p>{{contactName}}</p><a href=\"{{unsubscribeUrl}}\">x</a>", "{{unsubscribeUrl}}");

        var added = await templates.AddPurposeAsync("engaged-follow-up", [Draft(ContactLanguage.Nl, "Na ons gesprek"), Draft(ContactLanguage.En, "After our talk")], Clock.GetUtcNow(), default);

        Assert.Equal([1, 1], added.Select(t => t.Version));
        Assert.Equal("Na ons gesprek", (await templates.GetAsync("engaged-follow-up", ContactLanguage.Nl, null, default))!.Subject);
        Assert.Equal("After our talk", (await templates.GetAsync("engaged-follow-up", ContactLanguage.En, null, default))!.Subject);
        var audit = await new SqlAudit(Db).SearchAsync(new() { Entity = "template" }, 1, 10, default);
        Assert.Equal(2, audit.Items.Count(a => a.Action == "created" && a.EntityId.StartsWith("engaged-follow-up/", StringComparison.Ordinal)));
        await Assert.ThrowsAsync<DuplicateNameException>(() => templates.AddPurposeAsync("engaged-follow-up", [Draft(ContactLanguage.Nl, "Opnieuw")], Clock.GetUtcNow(), default));
        await Assert.ThrowsAsync<DuplicateNameException>(() => templates.AddPurposeAsync(BuiltInTemplates.FollowUp, [Draft(ContactLanguage.Nl, "Opnieuw") with { Key = BuiltInTemplates.FollowUp }], Clock.GetUtcNow(), default));

        // After that it is versioned like any other template.
        Assert.Equal(2, (await templates.AddVersionAsync("engaged-follow-up", ContactLanguage.En, "After our talk, again", "<a href=\"{{unsubscribeUrl}}\">x</a>", "{{unsubscribeUrl}}", Clock.GetUtcNow(), default)).Version);
    }
}
