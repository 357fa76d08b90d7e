using Dapper;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Storage.Tests;

/// <summary>
/// Issue 16, 1: inviting by filter shows who first and invites only what was confirmed, queued for the send window unless
/// "now"; the picker searches a few contacts instead of listing all. On every engine.
/// </summary>
public abstract partial class StoreContract
{
    private static InviteSelection GoldEngaged(long covenantId) => new() { Filter = new ProspectFilter { CovenantId = covenantId, Stage = Stage.Engaged } };

    [Fact]
    public async Task InviteByFilter_PreviewInvitesNobody_AndShowsTheCountAndASample()
    {
        var rig = Rig();
        var e = await NewEventAsync(rig.Service);
        var people = await ContactsAsync(12, Stage.Engaged);
        await Privacy.SetOptedOutAsync(people[11].Id, Clock.GetUtcNow(), default);

        var preview = await rig.Service.PreviewInviteAsync(e.Id, GoldEngaged(gold.Id), default);

        Assert.Equal((11, 1, 0, 0), (preview.ToInvite, preview.ExcludedOptedOut, preview.ExcludedBouncing, preview.ExcludedAlreadyInvited));
        Assert.Equal(EventService.SampleSize, preview.Sample.Count);
        Assert.Equal(people.Take(10).Select(p => (p.Id, p.Name)), preview.Sample.Select(s => (s.ContactId, s.Name)));
        Assert.All(preview.Sample, s => Assert.StartsWith("Goud ", s.OrganisationName, StringComparison.Ordinal));
        Assert.Empty(await rig.Events.ListInvitationsAsync(e.Id, default));
        Assert.Equal(0, (await rig.Notices.CountAsync(e.Id, default)).Waiting);
        Assert.True((await rig.Service.PreviewInviteAsync(e.Id + 1000, GoldEngaged(gold.Id), default)).NotFound);
    }

    [Fact]
    public async Task InviteByFilter_WhenTheCountChangedSinceItWasShown_InvitesNobody_AndSaysSo()
    {
        var rig = Rig();
        var e = await NewEventAsync(rig.Service);
        await ContactsAsync(3, Stage.Engaged);
        var shown = await rig.Service.PreviewInviteAsync(e.Id, GoldEngaged(gold.Id), default);
        Assert.Equal(3, shown.ToInvite);
        // Meanwhile another organisation reached the stage.
        await ContactsAsync(2, Stage.Engaged);

        var refused = await rig.Service.InviteAsync(e.Id, GoldEngaged(gold.Id), new InviteConfirmation(shown.ToInvite, Now: true), default);

        Assert.True(refused.CountChanged);
        Assert.Equal((0, 5), (refused.Invited, refused.Matching));
        Assert.Empty(await rig.Events.ListInvitationsAsync(e.Id, default));

        var confirmed = await rig.Service.InviteAsync(e.Id, GoldEngaged(gold.Id), new InviteConfirmation(5, Now: true), default);
        Assert.False(confirmed.CountChanged);
        Assert.Equal(5, confirmed.Invited);
        Assert.Null(confirmed.QueuedUntil);
    }

    [Fact]
    public async Task InviteByFilter_WaitsForTheSendWindow_UnlessNow()
    {
        var rig = Rig();
        var e = await NewEventAsync(rig.Service);
        var people = await ContactsAsync(2, Stage.Engaged);
        // Monday 2 March 2026, 18:30 in Amsterdam: the window (09:00–17:00) opens again on Tuesday at 09:00 (08:00 UTC).
        Clock.Advance(TimeSpan.FromHours(9));

        var queued = await rig.Service.InviteAsync(e.Id, new InviteSelection { ContactIds = [people[0].Id] }, new InviteConfirmation(1, Now: false), default);

        var opening = new DateTimeOffset(2026, 3, 3, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal((1, opening), (queued.Invited, queued.QueuedUntil));
        Assert.Empty(await EventMailsAsync(rig.Mail, EventMailTemplates.Invitation));
        Assert.Empty(await rig.Notices.ClaimAsync(e.Id, "test", Clock.GetUtcNow(), Clock.GetUtcNow().AddMinutes(5), 10, default));
        await using (var c = await Db.OpenAsync(default))
        {
            var due = await c.QuerySingleAsync<DateTimeOffset>("SELECT due_at FROM event_notice WHERE event_id = @id", new { id = e.Id });
            Assert.Equal(opening, due);
        }

        var now = await rig.Service.InviteAsync(e.Id, new InviteSelection { ContactIds = [people[1].Id] }, new InviteConfirmation(1, Now: true), default);
        Assert.Null(now.QueuedUntil);
        Assert.Equal([people[1].Id], (await EventMailsAsync(rig.Mail, EventMailTemplates.Invitation)).Select(m => m.Mail.ContactId!.Value));

        // At the window's opening the job passes the queued one on.
        Clock.Advance(opening - Clock.GetUtcNow());
        await rig.Dispatcher.DispatchAsync(null, "job", TimeSpan.FromMinutes(1), default);
        Assert.Equal([people[0].Id, people[1].Id], (await EventMailsAsync(rig.Mail, EventMailTemplates.Invitation)).Select(m => m.Mail.ContactId!.Value).Order());
    }

    [Fact]
    public async Task ContactSearch_FindsByNameOrganisationOrEmail_AtMostMax_LeavingOutTheInvited()
    {
        var rig = Rig();
        var e = await NewEventAsync(rig.Service);
        var entry = await NewEntryAsync("Zilverwerk Utrecht BV", Stage.Contacted);
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva de Vries", Email = "eva@zilver.example" }, default);
        var piet = await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Piet Bakker", Email = "p.bakker@mail.example" }, default);
        var many = await ContactsAsync(25, Stage.Engaged);

        Assert.Equal([eva.Id], (await rig.Events.SearchContactChoicesAsync(e.Id, "EVA DE", 20, default)).Select(c => c.ContactId));
        Assert.Equal([piet.Id], (await rig.Events.SearchContactChoicesAsync(e.Id, "bakker@", 20, default)).Select(c => c.ContactId));
        Assert.Equal([eva.Id, piet.Id], (await rig.Events.SearchContactChoicesAsync(e.Id, "zilverwerk", 20, default)).Select(c => c.ContactId).Order());
        Assert.Equal(20, (await rig.Events.SearchContactChoicesAsync(e.Id, "person", 20, default)).Count);
        // LIKE's wildcards are searched for, not obeyed.
        Assert.Empty(await rig.Events.SearchContactChoicesAsync(e.Id, "%", 20, default));

        await rig.Service.InviteAsync(e.Id, new InviteSelection { ContactIds = [eva.Id] }, default);
        Assert.Empty(await rig.Events.SearchContactChoicesAsync(e.Id, "Eva de", 20, default));
        Assert.Single(await rig.Events.SearchContactChoicesAsync(null, "Eva de", 20, default));
        Assert.Equal(many[3].Name, (await rig.Events.ListContactChoicesAsync([many[3].Id], default)).Single().Name);
    }
}
