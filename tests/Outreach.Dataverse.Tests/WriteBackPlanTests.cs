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
}
