using Outreach.Core.Mail;
using Outreach.Core.Onboarding;
using Outreach.Core.Tests.Fakes;

namespace Outreach.Core.Tests.Onboarding;

/// <summary>A milestone marked done takes its queued reminders with it, in one unit of work, on the in-memory stores.</summary>
public sealed class MilestoneCompletionTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly InMemoryOnboardingStore store = new();
    private readonly InMemoryMailOutbox outbox = new();
    private readonly InMemoryWriteBackOutbox writeBack = new();
    private readonly MilestoneCompletion completion;
    private readonly long policy;
    private readonly long risk;

    public MilestoneCompletionTests()
    {
        completion = new MilestoneCompletion(store, outbox, writeBack, new InMemoryUnitOfWork(store, outbox, writeBack));
        store.AddMilestonesAsync(1, [Draft("policy"), Draft("risk")], Start, "anne", default).Wait();
        (policy, risk) = (store.Milestones[0].Id, store.Milestones[1].Id);
        foreach (var id in new[] { policy, risk })
        {
            outbox.Seed(OnboardingReminders.Key(id, MilestoneReminder.DueSoon, 7), 7);
            outbox.Seed(OnboardingReminders.Key(id, MilestoneReminder.Overdue, 8), 8, OutboxStatus.Failed);
        }
    }

    private static MilestoneDraft Draft(string key) => new(key, null, new DateOnly(2027, 3, 2), key, key, 1);

    private IEnumerable<(OutboxStatus, string?)> RemindersOf(long milestoneId) =>
        outbox.Mails.Where(m => m.Mail.IdempotencyKey.StartsWith(OnboardingReminders.KeyPrefix(milestoneId), StringComparison.Ordinal)).Select(m => (m.Status, m.LastError));

    [Fact]
    public async Task Done_CancelsTheMilestonesWaitingReminders_WithTheReason_AndNoOtherMilestones()
    {
        Assert.True(await completion.MarkDoneAsync(policy, new DateOnly(2027, 2, 19), "https://zuid.example/beleid", null, Start, "anne", default));

        Assert.True(store.Milestones.Single(m => m.Id == policy).IsDone);
        Assert.Equal([(OutboxStatus.Cancelled, "Withdrawn: the milestone was done"), (OutboxStatus.Cancelled, "Withdrawn: the milestone was done")], RemindersOf(policy));
        Assert.Equal([(OutboxStatus.Pending, (string?)null), (OutboxStatus.Failed, null)], RemindersOf(risk));
        // Done already: nothing more happens.
        Assert.False(await completion.MarkDoneAsync(policy, new DateOnly(2027, 2, 19), null, null, Start, "anne", default));
    }

    [Fact]
    public async Task ACancellationThatFails_LeavesTheMilestoneOpen()
    {
        outbox.FailCancelByKeyPrefix = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() => completion.MarkDoneAsync(policy, new DateOnly(2027, 2, 19), "https://zuid.example/beleid", null, Start, "anne", default));

        Assert.False(store.Milestones.Single(m => m.Id == policy).IsDone);
        Assert.Equal([(OutboxStatus.Pending, (string?)null), (OutboxStatus.Failed, null)], RemindersOf(policy));
        Assert.Single(await store.HistoryForProspectAsync(1, default), h => h.MilestoneId == policy);
    }
}
