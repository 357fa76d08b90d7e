using System.Text;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Audit;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>
/// Issue 14 point 2 on every engine: the signed parties without milestones (signed before their covenant had a plan), and
/// creating theirs afterwards in one unit of work, audited, written back, once.
/// </summary>
public abstract partial class StoreContract
{
    private async Task<(long Milestones, long Changes, long Audit, long Outbox)> OnboardingCountsAsync()
    {
        await using var c = await Db.OpenAsync(default);
        return (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM onboarding_milestone"),
                await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM onboarding_milestone_change"),
                await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_entry"),
                await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dataverse_outbox WHERE kind = 'milestone'"));
    }

    /// <summary>Before the plan: a company (mirrored in Dynamics), a ministry, an NGO sign; one signs and leaves; one is at intake. Then the plan, and one signs under it.</summary>
    private async Task<(Covenant Covenant, PipelineEntry Company, PipelineEntry Ministry, PipelineEntry Ngo, PipelineEntry Gone, PipelineEntry Intake, PipelineEntry Later)> PartiesWithoutAPlanAsync()
    {
        var covenant = await OnboardingCovenantAsync();
        var company = await SignAsync(covenant, "Vroeg B.V.");
        await MirrorAsync("organisation", company.OrganisationId);
        var ministry = await SignAsync(covenant, "Ministerie van Financiën", PartyKind.Government);
        var ngo = await SignAsync(covenant, "Stichting Eerlijk Goud", PartyKind.Ngo);
        var gone = await SignAsync(covenant, "Weg B.V.");
        var intake = await NewEntryAsync("Intake B.V.", Stage.Intake, covenant);
        Clock.Advance(TimeSpan.FromDays(1));
        Assert.True((await Moves.MoveAsync(gone.Id, Stage.Left, "Company sold", "anne", null, default)).Succeeded);
        Assert.Equal(0, (await OnboardingCountsAsync()).Milestones);
        await new SqlOnboardingStore(Db).SavePlanAsync(covenant.Id, 0, OnboardingPlan(), 0, Clock.GetUtcNow(), "anne", default);
        var later = await SignAsync(covenant, "Later B.V.");
        return (covenant, company, ministry, ngo, gone, intake, later);
    }

    [Fact]
    public async Task SignedWithoutMilestones_ListsThePartiesAtSignedThatHaveNone_WithTheirLatestSigning()
    {
        var signedAt = Clock.GetUtcNow();
        var (covenant, company, ministry, ngo, _, _, _) = await PartiesWithoutAPlanAsync();
        var store = new SqlOnboardingStore(Db);

        var parties = await store.ListSignedWithoutMilestonesAsync(covenant.Id, default);

        // Not the one that left, the one at intake, the one that signed under the plan, nor another covenant's.
        Assert.Equal(
            [new PartyWithoutMilestones(company.Id, "Vroeg B.V.", PartyKind.Company, signedAt), new PartyWithoutMilestones(ministry.Id, "Ministerie van Financiën", PartyKind.Government, signedAt),
             new PartyWithoutMilestones(ngo.Id, "Stichting Eerlijk Goud", PartyKind.Ngo, signedAt)],
            parties);
        Assert.Empty(await store.ListSignedWithoutMilestonesAsync(covenant.Id + 1000, default));
    }

    [Fact]
    public async Task CreatingTheMissingMilestones_GivesThemDueFromTheSigning_AuditedAndWrittenBack_AndASecondPressCreatesNothing()
    {
        var (covenant, company, ministry, ngo, gone, intake, later) = await PartiesWithoutAPlanAsync();
        var store = new SqlOnboardingStore(Db);
        var laterBefore = await store.ListForProspectAsync(later.Id, default);
        Clock.Advance(TimeSpan.FromHours(2));
        var backfill = SqlServices.Backfill(Db, Clock);

        var result = await backfill.CreateAsync(covenant.Id, "bram", default);

        // Signed on 2026-03-02 (year 4, first monitored in year 5): the company policy, risk and year 5's training; the ministry the policy; the NGO nothing.
        Assert.Equal(new MilestoneBackfillResult(2, 4), result);
        Assert.Equal(
            [("policy", (int?)null, new DateOnly(2027, 3, 2)), ("risk", null, new DateOnly(2027, 9, 2)), ("training", 5, new DateOnly(2027, 11, 1))],
            (await store.ListForProspectAsync(company.Id, default)).Select(m => (m.Key, m.Year, m.DueOn)));
        Assert.Equal(["policy"], (await store.ListForProspectAsync(ministry.Id, default)).Select(m => m.Key));
        foreach (var none in new[] { ngo, gone, intake }) Assert.Empty(await store.ListForProspectAsync(none.Id, default));
        Assert.Equal(laterBefore, await store.ListForProspectAsync(later.Id, default));
        Assert.All(await store.HistoryForProspectAsync(company.Id, default), h => Assert.Equal((MilestoneAction.Created, "bram", Clock.GetUtcNow()), (h.Action, h.By, h.At)));
        var trail = (await new SqlAudit(Db).SearchAsync(new AuditFilter { Entity = AuditEntities.Prospect, EntityId = company.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, 1, 20, default)).Items;
        var audit = Assert.Single(trail, a => a.Action == "milestones_created");
        Assert.Equal(("bram", Clock.GetUtcNow()), (audit.Actor, audit.At));
        Assert.Equal([("milestones", "3"), ("plan_version", "1")], audit.Changes.Select(c => (c.Field, c.After)));
        // Only the company mirrors a Dynamics account: its three milestones are queued.
        var companyIds = (await store.ListForProspectAsync(company.Id, default)).Select(m => m.Id).Order();
        Assert.Equal(companyIds, (await MilestoneOutboxRowsAsync()).Select(r => r.MilestoneId!.Value).Order());

        var before = await OnboardingCountsAsync();
        Assert.Equal(new MilestoneBackfillResult(0, 0), await backfill.CreateAsync(covenant.Id, "zoe", default));
        Assert.Equal(before, await OnboardingCountsAsync());
        Assert.Empty((await backfill.PendingAsync(covenant.Id, default))!);
    }

    [Fact]
    public async Task AddMissingMilestones_RefusesAPartyThatHasOne_ThatLeft_OrThatNeverSigned()
    {
        var (_, company, _, _, gone, intake, later) = await PartiesWithoutAPlanAsync();
        var store = new SqlOnboardingStore(Db);
        MilestoneDraft[] drafts = [new("policy", null, new DateOnly(2027, 3, 2), "IMVO-beleid gepubliceerd", "RBC policy published", 1), new("risk", null, new DateOnly(2027, 9, 2), "Risicoanalyse", "Risk analysis", 1)];
        var before = await OnboardingCountsAsync();

        foreach (var refused in new[] { later, gone, intake })
            Assert.Equal(0, await store.AddMissingMilestonesAsync(refused.Id, drafts, Clock.GetUtcNow(), "bram", default));
        Assert.Equal(before, await OnboardingCountsAsync());

        Assert.Equal(2, await store.AddMissingMilestonesAsync(company.Id, drafts, Clock.GetUtcNow(), "bram", default));
        Assert.Equal(0, await store.AddMissingMilestonesAsync(company.Id, drafts, Clock.GetUtcNow(), "bram", default));
        var after = await OnboardingCountsAsync();
        Assert.Equal((before.Milestones + 2, before.Changes + 2, before.Audit + 1), (after.Milestones, after.Changes, after.Audit));
    }

    [Fact]
    public async Task AFailureAtTheSecondParty_TakesBackTheFirstPartysMilestonesToo()
    {
        var (covenant, company, ministry, _, _, _, _) = await PartiesWithoutAPlanAsync();
        var before = await OnboardingCountsAsync();
        var failing = new MilestoneBackfill(Prospects, new FailingAfterMilestones(new SqlOnboardingStore(Db), failMissingFor: ministry.Id), new SqlWriteBackOutbox(Db),
            new SqlUnitOfWork(Db), Clock, NullLogger<MilestoneBackfill>.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.CreateAsync(covenant.Id, "bram", default));

        Assert.Equal(before, await OnboardingCountsAsync());
        Assert.Empty(await new SqlOnboardingStore(Db).ListForProspectAsync(company.Id, default));
    }

    [Fact]
    public async Task Import_ARowAtSigned_GetsThePlansMilestones_DueFromItsImportedSigningDay_ByTheImporter()
    {
        var covenant = await OnboardingCovenantAsync();
        var plan = await new SqlOnboardingStore(Db).SavePlanAsync(covenant.Id, 0, OnboardingPlan(), 0, Clock.GetUtcNow(), "anne", default);
        var csv = """
            organisation,party_kind,sector,owner,covenant,stage,first_contact_on,stage_on
            Alpha Goud,company,jewellery,Anne,onb,signed,2024-02-10,2024-09-01
            Beta Goud,company,jewellery,Anne,onb,engaged,2024-02-10,2024-06-01
            Gamma Ministerie,government,jewellery,Anne,onb,signed,2025-01-05,2025-01-06

            """;

        var result = await TestImport.Create(Db, Clock).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), importValidRowsOnly: false, "anne", null, default);

        Assert.True(result.Imported, result.Refusal?.ToString());
        var store = new SqlOnboardingStore(Db);
        async Task<long> EntryOf(string name)
        {
            await using var c = await Db.OpenAsync(default);
            return await c.QuerySingleAsync<long>("SELECT e.id FROM pipeline_entry e JOIN organisation o ON o.id = e.organisation_id WHERE o.name = @name", new { name });
        }

        // Alpha signed on 2024-09-01 (year 2), first monitored in year 3: policy and risk from that day, the training of years 3 to 5.
        var alpha = await store.ListForProspectAsync(await EntryOf("Alpha Goud"), default);
        Assert.Equal(
            [("policy", (int?)null, new DateOnly(2025, 9, 1)), ("training", 3, new DateOnly(2025, 11, 1)), ("risk", null, new DateOnly(2026, 3, 1)),
             ("training", 4, new DateOnly(2026, 11, 1)), ("training", 5, new DateOnly(2027, 11, 1))],
            alpha.Select(m => (m.Key, m.Year, m.DueOn)));
        // Exactly what a move to signed on that day gives.
        Assert.Equal(OnboardingRules.MilestonesAtSigning(plan, covenant, PartyKind.Company, new DateOnly(2024, 9, 1)).Select(d => (d.Key, d.Year, d.DueOn, d.PlanVersion)).Order(),
            alpha.Select(m => (m.Key, m.Year, m.DueOn, m.PlanVersion)).Order());
        Assert.Equal([("policy", new DateOnly(2026, 1, 6))], (await store.ListForProspectAsync(await EntryOf("Gamma Ministerie"), default)).Select(m => (m.Key, m.DueOn)));
        Assert.Empty(await store.ListForProspectAsync(await EntryOf("Beta Goud"), default));
        Assert.All(await store.HistoryForProspectAsync(alpha[0].ProspectId, default), h => Assert.Equal((MilestoneAction.Created, "anne", Clock.GetUtcNow()), (h.Action, h.By, h.At)));
        Assert.Equal(6, result.MilestonesCreated);
    }
}
