using System.Text;
using Dapper;
using Outreach.Core.Crm;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;
using Outreach.Storage.Import;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>
/// Issue 14 point 6 on every engine: a party's milestones go to the write-back outbox (kind 'milestone') in the unit of work
/// of the signing, the done, the reopen and the questionnaire import; only for a party that mirrors a Dataverse account; read
/// back typed, in their current state, with the party's onboarding for the account's "N of M done".
/// </summary>
public abstract partial class StoreContract
{
    private sealed record MilestoneOutboxRow(long Id, string Kind, long? EntryId, long? MilestoneId);

    private async Task<List<MilestoneOutboxRow>> MilestoneOutboxRowsAsync()
    {
        await using var c = await Db.OpenAsync(default);
        return (await c.QueryAsync<MilestoneOutboxRow>(
            "SELECT id AS Id, kind AS Kind, entry_id AS EntryId, milestone_id AS MilestoneId FROM dataverse_outbox WHERE kind = 'milestone' ORDER BY id")).ToList();
    }

    private OnboardingService Onboarding(IWriteBackOutbox? writeBack = null) => SqlServices.Onboarding(Db, Clock, writeBack);

    [Fact]
    public async Task MilestoneWriteBack_IsQueuedWithTheSigningTheDoneTheReopenAndTheImport_ForAMirroredPartyOnly()
    {
        var covenant = await OnboardingCovenantAsync();
        var store = new SqlOnboardingStore(Db);
        await store.SavePlanAsync(covenant.Id, 0, OnboardingPlan(), 0, Clock.GetUtcNow(), "anne", default);
        var local = await SignAsync(covenant, "Local Only B.V.");
        var scheduled = await NewEntryAsync("Mirrored Gold B.V.", Stage.SigningScheduled, covenant);
        await MirrorAsync("organisation", scheduled.OrganisationId);
        // The party without a Dataverse account queued nothing at its signing.
        Assert.Empty(await MilestoneOutboxRowsAsync());

        Assert.True((await Moves.MoveAsync(scheduled.Id, Stage.Signed, "Signed at the steering group", "anne", null, default)).Succeeded);

        // Signed on 2026-03-02 (year 4, first monitored in year 5): policy, risk and the training of year 5, one row each.
        var milestones = await store.ListForProspectAsync(scheduled.Id, default);
        Assert.Equal(3, milestones.Count);
        var rows = await MilestoneOutboxRowsAsync();
        Assert.Equal(milestones.Select(m => m.Id).Order(), rows.Select(r => r.MilestoneId!.Value).Order());
        Assert.All(rows, r => Assert.Equal(scheduled.Id, r.EntryId));

        var policy = milestones.Single(m => m.Key == "policy");
        var today = new DateOnly(2026, 3, 2);
        Assert.True((await Onboarding().MarkDoneAsync(scheduled.Id, policy.Id, today, "https://evidence.example/policy", null, "anne", default)).Succeeded);
        Assert.True((await Onboarding().ReopenAsync(scheduled.Id, policy.Id, "The wrong document", "bram", default)).Succeeded);
        // The local party's changes queue nothing.
        var localPolicy = (await store.ListForProspectAsync(local.Id, default)).Single(m => m.Key == "policy");
        Assert.True((await Onboarding().MarkDoneAsync(local.Id, localPolicy.Id, today, "https://evidence.example/local", null, "anne", default)).Succeeded);
        rows = await MilestoneOutboxRowsAsync();
        Assert.Equal([policy.Id, policy.Id], rows.Skip(3).Select(r => r.MilestoneId!.Value));

        var csv = "party,year,milestone,done on,evidence\nMirrored Gold B.V.,,risk,2026-03-01,https://evidence.example/risk\nLocal Only B.V.,,risk,2026-03-01,https://evidence.example/local-risk\n";
        var import = new QuestionnaireImport(new CsvProspectReader(), Prospects, store, SqlServices.Completion(Db), new SqlUnitOfWork(Db), Clock);
        var imported = await import.ImportAsync(covenant.Id, new MemoryStream(Encoding.UTF8.GetBytes(csv)), "anne", default);
        Assert.True(imported.Succeeded, string.Join("; ", imported.Errors));
        Assert.Equal(2, imported.Recorded);
        var risk = milestones.Single(m => m.Key == "risk");
        Assert.Equal([policy.Id, policy.Id, risk.Id], (await MilestoneOutboxRowsAsync()).Skip(3).Select(r => r.MilestoneId!.Value));

        // What the sender reads: each row typed, in the milestone's current state, with the party's onboarding read now.
        await using var c = await Db.OpenAsync(default);
        var account = Guid.Parse(await c.ExecuteScalarAsync<string>("SELECT dataverse_id FROM organisation WHERE id = @id", new { id = scheduled.OrganisationId }) ?? "");
        var pending = (await new SqlWriteBackOutbox(Db).PendingAsync(0, 100, default)).OfType<MilestoneWriteBack>().ToList();
        Assert.Equal(6, pending.Count);
        Assert.All(pending, p => Assert.Equal((account, scheduled.Id, "onb", 3, (DateOnly?)null), (p.AccountId, p.ProspectId, p.Party.Covenant.Code, p.Party.Milestones.Count, p.Party.LeftOn)));
        Assert.All(pending.Where(p => p.Milestone.Id == policy.Id), p => Assert.Equal((null, null, MilestoneStatus.Open), (p.Milestone.DoneOn, p.Milestone.EvidenceUrl, p.Party.StatusOf(p.Milestone))));
        Assert.All(pending.Where(p => p.Milestone.Id == risk.Id), p => Assert.Equal((new DateOnly(2026, 3, 1), "https://evidence.example/risk"), (p.Milestone.DoneOn!.Value, p.Milestone.EvidenceUrl)));
        // The panel's count on 2026-03-02: policy and risk count (year 5 has not begun), risk is done.
        Assert.Equal("1 of 2 done", pending[0].Party.Summary(today));
        Assert.Equal(CrmIds.Milestone(policy.Id), pending.First(p => p.Milestone.Id == policy.Id).DataverseId);
        // A milestone's row does not hold back the next action a Dynamics user edits (only stage and next action rows do).
        await c.ExecuteAsync("UPDATE dataverse_outbox SET sent_at = @at WHERE kind <> 'milestone'", new { at = Clock.GetUtcNow() });
        Assert.False(await new SqlWriteBackOutbox(Db).HasPendingForEntryAsync(scheduled.Id, default));
    }

    [Fact]
    public async Task MilestoneWriteBack_LeavingQueuesTheMilestonesAgain_DroppingThoseDueAfterIt()
    {
        var covenant = await OnboardingCovenantAsync();
        await new SqlOnboardingStore(Db).SavePlanAsync(covenant.Id, 0, OnboardingPlan(), 0, Clock.GetUtcNow(), "anne", default);
        var scheduled = await NewEntryAsync("Leaving Gold B.V.", Stage.SigningScheduled, covenant);
        await MirrorAsync("organisation", scheduled.OrganisationId);
        Assert.True((await Moves.MoveAsync(scheduled.Id, Stage.Signed, "Signed", "anne", null, default)).Succeeded);
        await using (var c = await Db.OpenAsync(default)) await c.ExecuteAsync("UPDATE dataverse_outbox SET sent_at = @at", new { at = Clock.GetUtcNow() });
        Clock.Advance(TimeSpan.FromDays(30));

        Assert.True((await Moves.MoveAsync(scheduled.Id, Stage.Left, "Company sold", "anne", null, default)).Succeeded);

        var pending = (await new SqlWriteBackOutbox(Db).PendingAsync(0, 100, default)).OfType<MilestoneWriteBack>().ToList();
        Assert.Equal(3, pending.Count);
        Assert.All(pending, p => Assert.Equal(new DateOnly(2026, 4, 1), p.Party.LeftOn));
        Assert.All(pending, p => Assert.Equal(MilestoneStatus.Dropped, p.Party.StatusOf(p.Milestone)));
        Assert.Equal("0 of 0 done", pending[0].Party.Summary(new DateOnly(2026, 4, 1)));
    }

    [Fact]
    public async Task MilestoneWriteBack_AFailingWriteBackLeavesTheMilestoneAsItWas()
    {
        var covenant = await OnboardingCovenantAsync();
        await new SqlOnboardingStore(Db).SavePlanAsync(covenant.Id, 0, OnboardingPlan(), 0, Clock.GetUtcNow(), "anne", default);
        var entry = await SignAsync(covenant, "Rollback Gold B.V.");
        var policy = (await new SqlOnboardingStore(Db).ListForProspectAsync(entry.Id, default)).Single(m => m.Key == "policy");

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Onboarding(new FailingWriteBack()).MarkDoneAsync(entry.Id, policy.Id, new DateOnly(2026, 3, 2), "https://evidence.example/policy", null, "anne", default));

        var after = await new SqlOnboardingStore(Db).GetMilestoneAsync(policy.Id, default);
        Assert.Null(after!.DoneOn);
        Assert.DoesNotContain(await new SqlOnboardingStore(Db).HistoryForProspectAsync(entry.Id, default), h => h.Action == MilestoneAction.Done);
    }
}
