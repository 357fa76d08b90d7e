using System.Net;
using Outreach.Core.Crm;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;

namespace Outreach.Dataverse.Tests;

/// <summary>The planning of a write-back pass, without a server: coalescing, an event before its invitations, the request size, and what answers settle.</summary>
public sealed class WriteBackPlanTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);
    private static readonly HashSet<string> None = [];

    private static WriteBackEvent Event(string uid) =>
        new(1, uid, "Netwerkdag", "gold", EventFormat.Physical, EventStatus.Scheduled, "Utrecht", At, At.AddHours(3), 30, At.AddDays(-1), null);

    private static AccountWriteBack Move(long id) =>
        new(id, $"stage-change:{id}", Guid.NewGuid(), "gold", Stage.Contacted, At, null, null, new WriteBackChange(id, Stage.Identified, Stage.Contacted, At, "Anne", "Mailed"), 0);

    private static EventWriteBack EventRow(long id, string uid) => new(id, $"event:{uid}:v{id}", Event(uid), 0);

    private static InvitationWriteBack Invitation(long id, string uid, long invitationId) =>
        new(id, $"invitation:{invitationId}:v{id}", Event(uid), new WriteBackInvitation(invitationId, Guid.NewGuid(), "Iris", InvitationResponse.None, null, PlaceStatus.None, null, null, null, false, false, At), 0);

    [Fact]
    public void StageChanges_AreNeverMerged_EachIsItsOwnChangeSet()
    {
        var plan = WriteBackPlan.Next([Move(1), Move(2)], None, None, 10);
        Assert.Equal([[1L], [2L]], plan.ChangeSets.Select(c => c.Items.Select(i => i.Id).ToArray()));
        Assert.Empty(plan.Remaining);
    }

    [Fact]
    public void RowsForTheSameEventOrInvitation_GoAsOneUpsert()
    {
        var plan = WriteBackPlan.Next([EventRow(1, "a"), Invitation(2, "a", 7), EventRow(3, "a"), Invitation(4, "a", 7)], None, None, 10);
        Assert.Equal([[1L, 3L], [2L, 4L]], plan.ChangeSets.Select(c => c.Items.Select(i => i.Id).ToArray()));
    }

    [Fact]
    public void AnInvitationWhoseEventHasNoRowInThePass_CarriesItsEventsUpsert_OnceForTheFirstOnly()
    {
        var plan = WriteBackPlan.Next([Invitation(1, "a", 7), Invitation(2, "a", 8)], None, None, 10);

        Assert.Equal([true, false], plan.ChangeSets.Select(c => c.WithEvent));
        Assert.Equal(["event:a", null], plan.ChangeSets.Select(c => c.EventWritten));
        // A later row of the event itself settles with the invitation that carried it.
        var withEventRow = WriteBackPlan.Next([Invitation(1, "a", 7), EventRow(2, "a")], None, None, 10);
        Assert.Equal([[1L, 2L]], withEventRow.ChangeSets.Select(c => c.Items.Select(i => i.Id).ToArray()));
    }

    [Fact]
    public void AnEventWrittenEarlierInThePass_IsNotSentAgain_AndItsInvitationsGoWithoutIt()
    {
        var plan = WriteBackPlan.Next([EventRow(5, "a"), Invitation(6, "a", 7)], new HashSet<string> { "event:a" }, None, 10);

        Assert.Equal([5L], plan.AlreadyWritten);
        var only = Assert.Single(plan.ChangeSets);
        Assert.False(only.WithEvent);
    }

    [Fact]
    public void ATargetThatFailedEarlierInThePass_StaysPendingWithoutBeingSentAgain()
    {
        var plan = WriteBackPlan.Next([Invitation(1, "a", 7), Move(2)], None, new HashSet<string> { "invitation:7" }, 10);
        Assert.Equal([2L], plan.ChangeSets.SelectMany(c => c.Items).Select(i => i.Id));
        Assert.Empty(plan.AlreadyWritten);
    }

    [Fact]
    public void ARequestHoldsAtMostTheMaximumOfChangeSets_TheRestRemainsInOrder()
    {
        var plan = WriteBackPlan.Next([Move(1), Move(2), Move(3), Move(4)], None, None, 3);
        Assert.Equal(3, plan.ChangeSets.Count);
        Assert.Equal([4L], plan.Remaining.Select(i => i.Id));
    }

    [Fact]
    public void Settle_SendsAppliedRows_RefusesFailedOnesWithTheError_AndLeavesUnattemptedOnesPending()
    {
        var plan = WriteBackPlan.Next([Move(1), Invitation(2, "a", 7), Move(3)], None, None, 10) with { AlreadyWritten = [9] };
        var refusal = new DataverseException("POST", "$batch", HttpStatusCode.NotFound, "", "Entity with the key does not exist.");

        var settled = WriteBackPlan.Settle(plan, [new ChangeSetResult(false, refusal), new ChangeSetResult(true, null), new ChangeSetResult(false, null)]);

        Assert.Equal([9L, 2L], settled.Sent);
        Assert.Equal([(1L, refusal)], settled.Refused.Select(r => (r.Item.Id, r.Error)));
        Assert.Equal(["invitation:7", "event:a"], settled.Written);
        Assert.Equal(["item:1", "item:3"], settled.Failed);
    }

    [Fact]
    public void APartysMilestoneRows_GoAsOneChangeSet_EachMilestoneInItsLatestStateOnce_ThenTheAccountsStatusOnce()
    {
        var account = Guid.NewGuid();
        var policyOpen = MilestoneItems.Milestone(10, 5, "policy", new DateOnly(2026, 6, 1));
        var tool = MilestoneItems.Milestone(11, 5, "tool", new DateOnly(2026, 3, 1));
        var policyDone = policyOpen with { DoneOn = new DateOnly(2026, 5, 20), EvidenceUrl = "https://evidence.example/policy" };
        var before = MilestoneItems.Row(1, account, 5, policyOpen, [policyOpen, tool]);
        var toolRow = MilestoneItems.Row(2, account, 5, tool, [policyOpen, tool]);
        var after = MilestoneItems.Row(4, account, 5, policyDone, [policyDone, tool]);
        var otherParty = MilestoneItems.Row(3, Guid.NewGuid(), 6, MilestoneItems.Milestone(20, 6, "policy", new DateOnly(2026, 6, 1)), []);

        var plan = WriteBackPlan.Next([before, toolRow, otherParty, after, Move(7)], None, None, 10);

        // One change set per party (its rows settle together), in the order of each party's first row; a move stays on its own.
        Assert.Equal([[1L, 2L, 4L], [3L], [7L]], plan.ChangeSets.Select(c => c.Items.Select(i => i.Id).ToArray()));
        Assert.Equal(["onboarding:5", "onboarding:6", "item:7"], plan.ChangeSets.Select(c => c.Target));

        var operations = DataverseWriteBack.MilestoneOperations(plan.ChangeSets[0].Items, new DateOnly(2026, 7, 1), OutreachLinks.None);
        // Each milestone once, in due order, then the account: the policy as its newest row has it (done), never the older open state.
        Assert.Equal([$"otr_onboardingmilestones({Core.Crm.CrmIds.Milestone(11):D})", $"otr_onboardingmilestones({Core.Crm.CrmIds.Milestone(10):D})", $"accounts({account:D})"],
            operations.Select(o => o.RelativeUrl));
        Assert.Equal("2026-05-20", (string)operations[1].Body!["otr_doneon"]!);
        Assert.Equal(DataverseSchema.ChoiceValue(MilestoneStatus.Done), (int)operations[1].Body!["otr_status"]!);
        Assert.Equal(DataverseSchema.ChoiceValue(MilestoneStatus.Open), (int)operations[0].Body!["otr_status"]!);
        Assert.Null(operations[0].Body!["otr_doneon"]);
        // The count from the newest row's reading of the party; If-Match: * so a deleted account is not made again.
        Assert.Equal("1 of 2 done", (string)operations[2].Body!["otr_onboardingstatus"]!);
        Assert.Equal("*", operations[2].IfMatch);
        Assert.Single(operations[2].Body!);
    }

    [Fact]
    public void AMilestoneWrittenEarlierInThePass_SettlesWithoutBeingSentAgain()
    {
        var m = MilestoneItems.Milestone(10, 5, "policy", new DateOnly(2026, 6, 1));
        var plan = WriteBackPlan.Next([MilestoneItems.Row(8, Guid.NewGuid(), 5, m, [m])], new HashSet<string> { "onboarding:5" }, None, 10);
        Assert.Equal([8L], plan.AlreadyWritten);
        Assert.Empty(plan.ChangeSets);
    }

    [Fact]
    public void TheAccountsStatus_CountsAsThePanel_YearlyMilestonesOfYearsBegun_AndDropsWhatWasDueAfterLeaving()
    {
        var once = MilestoneItems.Milestone(1, 5, "policy", new DateOnly(2026, 3, 1), done: new DateOnly(2026, 2, 1));
        var late = MilestoneItems.Milestone(2, 5, "risk", new DateOnly(2026, 9, 1));
        var year4 = MilestoneItems.Milestone(3, 5, "training", new DateOnly(2026, 11, 1), year: 4);
        var year5 = MilestoneItems.Milestone(4, 5, "training", new DateOnly(2027, 11, 1), year: 5);
        var all = new[] { once, late, year4, year5 };
        var party = new PartyOnboardingStatus(MilestoneItems.Gold, all, null);

        // 2026-07-01 is in year 4: the year-5 training does not count yet.
        Assert.Equal("1 of 3 done", party.Summary(new DateOnly(2026, 7, 1)));
        Assert.Equal("1 of 4 done", party.Summary(new DateOnly(2027, 1, 2)));
        Assert.Equal(Enumerable.Repeat(MilestoneStatus.Open, 3), new[] { late, year4, year5 }.Select(party.StatusOf));

        // Left on 2026-08-01: what was due after it and not done is dropped, from the count and as its status.
        var left = party with { LeftOn = new DateOnly(2026, 8, 1) };
        Assert.Equal("1 of 1 done", left.Summary(new DateOnly(2026, 9, 1)));
        Assert.Equal([MilestoneStatus.Done, MilestoneStatus.Dropped, MilestoneStatus.Dropped, MilestoneStatus.Dropped], all.Select(left.StatusOf));
        Assert.Equal(party.Summary(new DateOnly(2026, 7, 1)),
            $"{OnboardingProgressOf(all, new DateOnly(2026, 7, 1)).Done} of {OnboardingProgressOf(all, new DateOnly(2026, 7, 1)).Total} done");
    }

    private static Core.Onboarding.OnboardingProgress OnboardingProgressOf(IReadOnlyList<Core.Onboarding.PartyMilestone> all, DateOnly today) =>
        Core.Onboarding.OnboardingProgress.Of(all, MilestoneItems.Gold, today, null);

    [Fact]
    public void AnEvidenceFile_IsLinkedToItsPlaceInOutreach_AndAReopenedMilestoneClearsItsLink()
    {
        var account = Guid.NewGuid();
        var withFile = MilestoneItems.Milestone(10, 5, "policy", new DateOnly(2026, 6, 1), done: new DateOnly(2026, 5, 1)) with { EvidenceUrl = null, EvidenceFileId = 33 };
        var links = new OutreachLinks("https://outreach.example/");
        var sent = DataverseWriteBack.MilestoneOperations([MilestoneItems.Row(1, account, 5, withFile, [withFile])], new DateOnly(2026, 7, 1), links);
        Assert.Equal("https://outreach.example/prospects/5/onboarding?handler=Evidence&fileId=33", (string)sent[0].Body!["otr_evidencelink"]!);

        var reopened = withFile with { DoneOn = null, EvidenceFileId = null };
        var again = DataverseWriteBack.MilestoneOperations([MilestoneItems.Row(2, account, 5, reopened, [reopened])], new DateOnly(2026, 7, 1), links);
        Assert.True(again[0].Body!.ContainsKey("otr_evidencelink"));
        Assert.Null(again[0].Body!["otr_evidencelink"]);
        Assert.Null(again[0].Body!["otr_doneon"]);
        Assert.Equal("0 of 1 done", (string)again[1].Body!["otr_onboardingstatus"]!);
    }
}
