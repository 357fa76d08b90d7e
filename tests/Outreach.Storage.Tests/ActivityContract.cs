using Stopwatch = System.Diagnostics.Stopwatch;
using Dapper;
using Outreach.Core.Activities;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>Activities, the prospect timeline (one query per page) and My day on every engine.</summary>
public abstract partial class StoreContract
{
    private static ActivityDraft CallWith(params long[] contacts) => new()
    {
        Kind = ActivityKind.Call, Direction = CallDirection.Incoming, Outcome = CallOutcome.Reached, DurationMinutes = 7, Text = "Asked about the audit costs", ContactIds = contacts,
    };

    [Fact]
    public async Task Activity_LoggedWithAFollowUp_SetsTheNextAction_IsAudited_AndErasureEmptiesTheContactsName()
    {
        var entry = await NewEntryAsync("Activity Gold", Stage.Contacted);
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, Validation.Clean(new ContactDraft { Name = "Eva Jansen", Email = "eva@activity.example" }), default);
        var piet = await Prospects.AddContactAsync(entry.OrganisationId, Validation.Clean(new ContactDraft { Name = "Piet Goud", Email = "piet@activity.example" }), default);
        var service = SqlServices.Activities(Db, Clock);

        var logged = await service.LogAsync(entry.Id, CallWith(eva.Id, piet.Id) with { FollowUp = "Send the cost overview", FollowUpDue = new DateOnly(2026, 3, 4) }, "Anne", default);

        Assert.True(logged.Succeeded);
        var read = await new SqlActivityStore(Db).GetAsync(logged.Activity!.Id, default);
        Assert.Equal((ActivityKind.Call, CallDirection.Incoming, CallOutcome.Reached, 7, Clock.GetUtcNow()), (read!.Kind, read.Direction!.Value, read.Outcome!.Value, read.DurationMinutes!.Value, read.CreatedAt));
        Assert.Equal([new ActivityContact(eva.Id, "Eva Jansen"), new ActivityContact(piet.Id, "Piet Goud")], read.Contacts);
        var summary = await Pipeline.GetSummaryAsync(entry.Id, default);
        Assert.Equal(("Send the cost overview", new DateOnly(2026, 3, 4)), (summary!.NextAction, summary.NextActionDue));

        Clock.Advance(TimeSpan.FromHours(1));
        var edited = await service.EditAsync(entry.Id, read.Id, CallWith(piet.Id) with { Text = "Asked about the audit costs and the timeline" }, "Anne", default);
        Assert.True(edited.Succeeded);
        Assert.Equal([new ActivityContact(piet.Id, "Piet Goud")], edited.Activity!.Contacts);
        var audit = await new SqlAudit(Db).SearchAsync(new() { Entity = "activity" }, 1, 10, default);
        Assert.Equal(["edited", "logged"], audit.Items.Select(a => a.Action));
        Assert.Contains(audit.Items[0].Changes, c => c.Field == "contacts" && c.Before == $"{eva.Id},{piet.Id}" && c.After == $"{piet.Id}");
        Assert.DoesNotContain(audit.Items.SelectMany(a => a.Changes), c => c.After?.Contains("Piet Goud", StringComparison.Ordinal) == true);

        await Privacy.EraseAsync(piet.Id, Clock.GetUtcNow(), default);
        Assert.Equal([new ActivityContact(piet.Id, null)], (await new SqlActivityStore(Db).GetAsync(read.Id, default))!.Contacts);
        var page = await new SqlTimelineSource(Db).PageAsync(entry.Id, new TimelineQuery { Kinds = new HashSet<TimelineKind> { TimelineKind.Activity } }, default);
        Assert.Null(Assert.Single(page.Items).People);
    }

    [Fact]
    public async Task Timeline_MergesTheSources_NewestFirst_PagedByCursor_AsTheReferenceMergeDoes()
    {
        var entry = await NewEntryAsync("Timeline Gold", Stage.Identified);
        var other = await NewEntryAsync("Someone Else", Stage.Identified);
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, Validation.Clean(new ContactDraft { Name = "Eva Jansen", Email = "eva@timeline.example" }), default);
        var service = SqlServices.Activities(Db, Clock);
        var outbox = new SqlMailOutbox(Db);
        for (var i = 0; i < 3; i++)
        {
            Clock.Advance(TimeSpan.FromMinutes(10));
            await service.LogAsync(entry.Id, new ActivityDraft { Kind = ActivityKind.Note, Text = $"Note {i}" }, "Anne", default);
            await service.LogAsync(other.Id, new ActivityDraft { Kind = ActivityKind.Note, Text = "Not this prospect's" }, "Anne", default);
            await Moves.MoveAsync(entry.Id, i == 0 ? Stage.Contacted : i == 1 ? Stage.Engaged : Stage.Intake, $"Step {i}", "Anne", null, default);
            var now = Clock.GetUtcNow();
            var (mail, _) = await outbox.EnqueueAsync(new MailDraft
            {
                IdempotencyKey = $"timeline:{i}", Purpose = "sequence", ContactId = eva.Id, ToAddress = eva.Email, ToName = eva.Name, Subject = $"Mail {i}",
                HtmlBody = "<p>Hello</p>", TextBody = "Hello", TemplateKey = "follow-up", TemplateVersion = 2, DueAt = now,
            }, now, default);
            await outbox.ClaimDueAsync("a", now, now.AddMinutes(5), 10, default);
            Assert.True(await outbox.MarkSentAsync(mail.Id, "a", now, DeliveryReceipt.None, default));
            await new SqlReplyLog(Db).RecordAsync(new MailReply { MessageId = $"m{i}", Kind = "reply", ContactId = eva.Id, OrganisationId = entry.OrganisationId, Subject = $"Re: Mail {i}", ReceivedAt = now.AddMinutes(1) }, now, default);
        }

        var timeline = new SqlTimelineSource(Db);
        var all = await timeline.PageAsync(entry.Id, new TimelineQuery { PageSize = 200 }, default);
        Assert.Null(all.Next);
        // 1 + 3 stage changes, 3 notes, 3 mails, 3 replies; the other prospect's notes stay out.
        Assert.Equal(13, all.Items.Count);
        Assert.Equal(all.Items.Order(Timeline.NewestFirst), all.Items);
        // At one instant: the note, the stage change, then the mail (higher source first); the reply a minute later.
        Assert.Equal([TimelineSource.Reply, TimelineSource.Activity, TimelineSource.StageChange, TimelineSource.MailSent], all.Items.Take(4).Select(i => i.Source));
        Assert.Equal(["Re: Mail 2", "Note 2", "Step 2", "Mail 2"], all.Items.Take(4).Select(i => i.Title ?? i.Text));
        var mailLine = all.Items.First(i => i.Source == TimelineSource.MailSent);
        Assert.Equal(("follow-up", 2L, "Eva Jansen"), (mailLine.Place, mailLine.Number!.Value, mailLine.ContactName));
        Assert.Equal("Step 2", all.Items.First(i => i.Source == TimelineSource.StageChange).Text);
        var sent = await timeline.GetSentMailAsync(entry.OrganisationId, mailLine.Id, default);
        Assert.Equal("<p>Hello</p>", sent!.Html);
        Assert.Null(await timeline.GetSentMailAsync(other.OrganisationId, mailLine.Id, default));

        var paged = new List<TimelineItem>();
        TimelineCursor? after = null;
        do
        {
            var page = await timeline.PageAsync(entry.Id, new TimelineQuery { PageSize = 4, After = after }, default);
            Assert.True(page.Items.Count <= 4);
            paged.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null);
        Assert.Equal(all.Items, paged);

        var kinds = new HashSet<TimelineKind> { TimelineKind.Stage, TimelineKind.Reply };
        var filtered = await timeline.PageAsync(entry.Id, new TimelineQuery { Kinds = kinds, PageSize = 200 }, default);
        Assert.Equal(Timeline.Merge([all.Items], new TimelineQuery { Kinds = kinds, PageSize = 200 }).Items, filtered.Items);
    }

    [Fact]
    public async Task Timeline_OfAProspectWith5000Lines_ReadsTheFirstAndThe100thPageQuickly()
    {
        var entry = await NewEntryAsync("Busy Gold", Stage.Contacted);
        var start = Clock.GetUtcNow();
        await using (var c = await Db.OpenAsync(default))
        await using (var tx = await Database.BeginWriteAsync(c, default))
        {
            // Two at each minute, so every page boundary has ties to get right; with the first stage change, 5,000 lines.
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO activity (prospect_id, kind, occurred_at, text, author, created_at) VALUES (@prospectId, 'note', @at, @text, 'Anne', @at)",
                Enumerable.Range(0, 4999).Select(n => new { prospectId = entry.Id, at = start.AddMinutes(n / 2), text = $"Note {n}" }), tx));
            await tx.CommitAsync();
        }

        var timeline = new SqlTimelineSource(Db);
        TimelineCursor? after = null;
        TimelinePage page = null!;
        var slowest = TimeSpan.Zero;
        for (var n = 1; n <= 100; n++)
        {
            var watch = Stopwatch.StartNew();
            page = await timeline.PageAsync(entry.Id, new TimelineQuery { PageSize = 50, After = after }, default);
            if (n is 1 or 100) slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, watch.Elapsed.Ticks));
            after = page.Next;
        }

        // The 100th page holds the oldest 50: notes 48 down to 0, then the entry's first stage change (at note 0's instant, a lower source).
        Assert.Null(page.Next);
        Assert.Equal(50, page.Items.Count);
        Assert.Equal("Note 48", page.Items[0].Text);
        Assert.Equal(["Note 1", "Note 0"], page.Items.Skip(47).Take(2).Select(i => i.Text));
        Assert.Equal(TimelineSource.StageChange, page.Items[^1].Source);
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"A page took {slowest.TotalMilliseconds} ms.");
    }

    [Fact]
    public async Task MyDay_ListsTheOwnersOverdueAndDueTodayActions_StalledProspects_AndRepliesNoOneAnsweredYet()
    {
        var overdue = await NewEntryAsync("Overdue Gold", Stage.Contacted, owner: "Anne de Vries");
        var today = await NewEntryAsync("Today Gold", Stage.Engaged, owner: "Anne de Vries");
        var notMine = await NewEntryAsync("Bram's Gold", Stage.Contacted, owner: "Bram Jansen");
        var day = new DateOnly(2026, 3, 2);
        await Pipeline.SetNextActionAsync(overdue.Id, "Call back", day.AddDays(-2), day, default);
        await Pipeline.SetNextActionAsync(today.Id, "Send the brochure", day, day, default);
        await Pipeline.SetNextActionAsync(notMine.Id, "Not Anne's", day.AddDays(-2), day, default);
        var replies = new SqlReplyLog(Db);
        Clock.Advance(TimeSpan.FromHours(1));
        await replies.RecordAsync(new MailReply { MessageId = "r1", Kind = "reply", OrganisationId = today.OrganisationId, Subject = "Re: brochure", ReceivedAt = Clock.GetUtcNow() }, Clock.GetUtcNow(), default);
        await replies.RecordAsync(new MailReply { MessageId = "r2", Kind = "out_of_office", OrganisationId = overdue.OrganisationId, Subject = "Away", ReceivedAt = Clock.GetUtcNow() }, Clock.GetUtcNow(), default);
        Clock.Advance(TimeSpan.FromDays(20));

        var source = new SqlMyDaySource(Db);
        var mine = await source.ReadAsync("Anne de Vries", day, Clock.GetUtcNow().AddDays(-14), Clock.GetUtcNow(), 50, default);

        Assert.Equal([(overdue.Id, "Call back")], mine.Overdue.Select(l => (l.ProspectId, l.What)));
        Assert.Equal([(today.Id, "Send the brochure")], mine.DueToday.Select(l => (l.ProspectId, l.What)));
        Assert.Equal([overdue.Id, today.Id], mine.Stalled.Select(l => l.ProspectId).Order());
        Assert.Equal([(today.Id, "Re: brochure")], mine.RepliesWaiting.Select(l => (l.ProspectId, l.What)));

        // A note logged after the reply answers it.
        await SqlServices.Activities(Db, Clock).LogAsync(today.Id, new ActivityDraft { Kind = ActivityKind.Note, Text = "Replied by phone" }, "Anne de Vries", default);
        Assert.Empty((await source.ReadAsync("Anne de Vries", day, Clock.GetUtcNow().AddDays(-14), Clock.GetUtcNow(), 50, default)).RepliesWaiting);
    }
}
