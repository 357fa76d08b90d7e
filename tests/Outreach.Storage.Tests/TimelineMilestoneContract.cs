using Outreach.Core.Activities;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>Issue 15 point 2: onboarding milestones on the prospect's timeline (one more branch of the page's query), on every engine.</summary>
public abstract partial class StoreContract
{
    /// <summary>A milestone's history as the timeline must show it, built from the onboarding store's own reads (not the timeline's query).</summary>
    private static async Task<List<TimelineItem>> MilestoneLinesAsync(SqlOnboardingStore store, long prospectId)
    {
        var milestones = (await store.ListForProspectAsync(prospectId, default)).ToDictionary(m => m.Id);
        var lines = new List<TimelineItem>();
        foreach (var h in await store.HistoryForProspectAsync(prospectId, default))
        {
            var m = milestones[h.MilestoneId];
            var file = h.EvidenceFileId is { } fileId ? await store.GetEvidenceFileAsync(prospectId, fileId, default) : null;
            lines.Add(new TimelineItem
            {
                At = h.At, Source = TimelineSource.OnboardingMilestone, Id = h.Id, Actor = h.By, Code = h.Action.Code(), Title = m.NameEn, TitleNl = m.NameNl,
                Text = h.Reason, Place = file?.FileName, Number = m.Year, RelatedId = h.EvidenceFileId, Day = h.DoneOn, Link = h.EvidenceUrl,
            });
        }

        return lines;
    }

    [Fact]
    public async Task Timeline_ShowsOnboardingMilestones_MixedInAsTheReferenceMergeDoes_PageByPage_AndFilteredByKind()
    {
        var covenant = await OnboardingCovenantAsync();
        var store = new SqlOnboardingStore(Db);
        await store.SavePlanAsync(covenant.Id, 0, OnboardingPlan(), 0, Clock.GetUtcNow(), "anne", default);
        var entry = await SignAsync(covenant, "Tijdlijn Goud");
        var other = await SignAsync(covenant, "Andere Partij");
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, Validation.Clean(new ContactDraft { Name = "Eva Jansen", Email = "eva@tijdlijn.example" }), default);
        var activities = SqlServices.Activities(Db, Clock);
        var milestones = await store.ListForProspectAsync(entry.Id, default);
        var (policy, risk, training) = (milestones.Single(m => m.Key == "policy"), milestones.Single(m => m.Key == "risk"), milestones.Single(m => m.Key == "training"));

        // Notes and milestone changes at the same instants (ties across sources and within one), the other party's changes in between.
        Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True((await activities.LogAsync(entry.Id, new ActivityDraft { Kind = ActivityKind.Call, Direction = CallDirection.Outgoing, Outcome = CallOutcome.Reached, Text = "Policy on its way", ContactIds = [eva.Id] }, "Anne", default)).Succeeded);
        Assert.True(await store.MarkDoneAsync(policy.Id, new DateOnly(2026, 3, 1), null, new EvidenceUpload("beleid <2026>.pdf", "application/pdf", [0x25, 0x50]), Clock.GetUtcNow(), "bram", default));
        Assert.True(await store.MarkDoneAsync(training.Id, new DateOnly(2026, 3, 2), "https://tijdlijn.example/training?jaar=5&taal=nl", null, Clock.GetUtcNow(), "bram", default));
        var otherPolicy = (await store.ListForProspectAsync(other.Id, default)).Single(m => m.Key == "policy");
        Assert.True(await store.MarkDoneAsync(otherPolicy.Id, new DateOnly(2026, 3, 2), "https://andere.example/beleid", null, Clock.GetUtcNow(), "zoe", default));
        Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True(await store.ReopenAsync(policy.Id, "Last year's policy", Clock.GetUtcNow(), "anne", default));
        Assert.True((await activities.LogAsync(entry.Id, new ActivityDraft { Kind = ActivityKind.Note, Text = "Asked for this year's" }, "Anne", default)).Succeeded);
        Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True(await store.MarkDoneAsync(risk.Id, new DateOnly(2026, 3, 2), "https://tijdlijn.example/risico", null, Clock.GetUtcNow(), "anne", default));

        var timeline = new SqlTimelineSource(Db);
        var expectedMilestones = await MilestoneLinesAsync(store, entry.Id);
        // Created ×3 at the signing, done ×2, reopened, done: the other party's lines stay out.
        Assert.Equal(7, expectedMilestones.Count);
        var others = (await timeline.PageAsync(entry.Id, new TimelineQuery
        {
            Kinds = Enum.GetValues<TimelineKind>().Where(k => k != TimelineKind.Onboarding).ToHashSet(), PageSize = TimelineQuery.MaxPageSize,
        }, default)).Items;
        Assert.DoesNotContain(others, i => i.Source == TimelineSource.OnboardingMilestone);

        var all = await timeline.PageAsync(entry.Id, new TimelineQuery { PageSize = TimelineQuery.MaxPageSize }, default);
        Assert.Equal(Timeline.Merge([others, expectedMilestones], new TimelineQuery { PageSize = TimelineQuery.MaxPageSize }).Items, all.Items);
        Assert.Equal(7, all.Items.Count(i => i.Source == TimelineSource.OnboardingMilestone));
        // At the signing: the three created milestones (the later row first), then the stage change the signing made.
        var signing = all.Items.SkipWhile(i => i.Code != "created").Take(4).ToList();
        Assert.Equal(
            [TimelineSource.OnboardingMilestone, TimelineSource.OnboardingMilestone, TimelineSource.OnboardingMilestone, TimelineSource.StageChange],
            signing.Select(i => i.Source));
        Assert.Equal(signing.Take(3).Select(i => i.Id).OrderDescending(), signing.Take(3).Select(i => i.Id));
        // What a line carries: the names in both languages, who, the date, the evidence, the reason, the monitoring year.
        var policyDone = all.Items.Single(i => i.Source == TimelineSource.OnboardingMilestone && i.Code == "done" && i.Title == "RBC policy published");
        Assert.Equal(("IMVO-beleid gepubliceerd", "bram", new DateOnly(2026, 3, 1), "beleid <2026>.pdf", (string?)null, (long?)null),
            (policyDone.TitleNl, policyDone.Actor, policyDone.Day!.Value, policyDone.Place, policyDone.Link, policyDone.Number));
        Assert.NotNull(await store.GetEvidenceFileAsync(entry.Id, policyDone.RelatedId!.Value, default));
        var trainingDone = all.Items.Single(i => i.Source == TimelineSource.OnboardingMilestone && i.Code == "done" && i.Title == "Training attended");
        Assert.Equal(("https://tijdlijn.example/training?jaar=5&taal=nl", 5L, (long?)null), (trainingDone.Link, trainingDone.Number!.Value, trainingDone.RelatedId));
        Assert.Equal(("Last year's policy", "anne"), (all.Items.Single(i => i.Code == "reopened").Text, all.Items.Single(i => i.Code == "reopened").Actor));

        // Page by page, in pages that cut through the ties: the same lines, once each, as the reference merge's pages.
        foreach (var size in new[] { 1, 2, 3, 5 })
        {
            foreach (var kinds in new[] { new HashSet<TimelineKind>(), new HashSet<TimelineKind> { TimelineKind.Onboarding }, new HashSet<TimelineKind> { TimelineKind.Onboarding, TimelineKind.Stage } })
            {
                TimelineCursor? after = null;
                var pages = 0;
                do
                {
                    var query = new TimelineQuery { Kinds = kinds, PageSize = size, After = after };
                    var page = await timeline.PageAsync(entry.Id, query, default);
                    var reference = Timeline.Merge([others, expectedMilestones], query);
                    Assert.Equal(reference.Items, page.Items);
                    Assert.Equal(reference.Next, page.Next);
                    after = page.Next;
                    pages++;
                }
                while (after is not null && pages < 100);
                Assert.Null(after);
            }
        }

        var onlyMilestones = await timeline.PageAsync(entry.Id, new TimelineQuery { Kinds = new HashSet<TimelineKind> { TimelineKind.Onboarding } }, default);
        Assert.Equal(expectedMilestones.Order(Timeline.NewestFirst), onlyMilestones.Items);

        // Erasing the contact empties their name where the timeline had it (the call's "with"); milestone lines never carried it.
        Assert.Contains(all.Items, i => i.People == "Eva Jansen");
        await Privacy.EraseAsync(eva.Id, Clock.GetUtcNow(), default);
        var afterErasure = await timeline.PageAsync(entry.Id, new TimelineQuery { PageSize = TimelineQuery.MaxPageSize }, default);
        Assert.DoesNotContain(afterErasure.Items, i => new[] { i.Actor, i.ContactName, i.Title, i.TitleNl, i.Text, i.Place, i.People, i.Others, i.Link }.Any(t => t?.Contains("Eva", StringComparison.Ordinal) == true));
        Assert.Equal(all.Items.Where(i => i.Source == TimelineSource.OnboardingMilestone), afterErasure.Items.Where(i => i.Source == TimelineSource.OnboardingMilestone));
    }
}
