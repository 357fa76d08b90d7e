using Outreach.Core.Onboarding;

namespace Outreach.Core.Tests.Fakes;

/// <summary>Onboarding plans and party milestones in lists, with the real store's promises (new version only from the expected one, one milestone per code and year, done/reopen guarded).</summary>
internal sealed class InMemoryOnboardingStore : IOnboardingStore, IInMemoryState
{
    private List<OnboardingPlan> plans = [];
    private List<PartyMilestone> milestones = [];
    private List<MilestoneChange> history = [];
    private List<EvidenceFile> files = [];
    private List<(long ProspectId, string By, int Created)> audited = [];
    private long nextId = 1;

    public IReadOnlyList<PartyMilestone> Milestones => milestones;

    /// <summary>The audit entries <see cref="AddMissingMilestonesAsync"/> wrote (prospect, by whom, how many milestones).</summary>
    public IReadOnlyList<(long ProspectId, string By, int Created)> Audited => audited;

    /// <summary>Where the parties' stages and organisations are, for the signed parties without milestones; unset, that read is not supported.</summary>
    public InMemoryPipelineStore? Pipeline { get; set; }
    public InMemoryProspectStore? Prospects { get; set; }

    public Action Snapshot()
    {
        var saved = (plans.ToList(), milestones.ToList(), history.ToList(), files.ToList(), audited.ToList());
        return () => (plans, milestones, history, files, audited) = saved;
    }

    public Task<OnboardingPlan?> GetPlanAsync(long covenantId, CancellationToken ct) =>
        Task.FromResult(plans.Where(p => p.CovenantId == covenantId).MaxBy(p => p.Version));

    public Task<IReadOnlyList<OnboardingPlan>> ListPlanVersionsAsync(long covenantId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<OnboardingPlan>>(plans.Where(p => p.CovenantId == covenantId).OrderByDescending(p => p.Version).ToList());

    public Task<OnboardingPlan> SavePlanAsync(long covenantId, int expectedVersion, IReadOnlyList<PlanMilestone> planMilestones, int cutOffMonths, DateTimeOffset at, string by, CancellationToken ct)
    {
        var current = plans.Where(p => p.CovenantId == covenantId).Select(p => p.Version).DefaultIfEmpty(0).Max();
        if (current != expectedVersion) throw new ConcurrentPlanChangeException(covenantId, expectedVersion);
        var plan = new OnboardingPlan { CovenantId = covenantId, Version = current + 1, Milestones = planMilestones, CutOffMonths = cutOffMonths, ChangedAt = at, ChangedBy = by };
        plans.Add(plan);
        return Task.FromResult(plan);
    }

    public Task<int> AddMilestonesAsync(long prospectId, IReadOnlyList<MilestoneDraft> drafts, DateTimeOffset at, string by, CancellationToken ct)
    {
        var created = 0;
        foreach (var d in drafts)
        {
            if (milestones.Any(m => m.ProspectId == prospectId && m.Key == d.Key && m.Year == d.Year)) continue;
            var m = new PartyMilestone { Id = nextId++, ProspectId = prospectId, Key = d.Key, Year = d.Year, NameNl = d.NameNl, NameEn = d.NameEn, DueOn = d.DueOn, PlanVersion = d.PlanVersion, CreatedAt = at };
            milestones.Add(m);
            history.Add(new MilestoneChange(m.Id, MilestoneAction.Created, at, by) { Id = nextId++ });
            created++;
        }

        return Task.FromResult(created);
    }

    public Task<IReadOnlyList<PartyWithoutMilestones>> ListSignedWithoutMilestonesAsync(long covenantId, CancellationToken ct)
    {
        var (pipeline, prospects) = (Pipeline ?? throw new NotSupportedException("Set Pipeline and Prospects first."), Prospects ?? throw new NotSupportedException("Set Prospects first."));
        return Task.FromResult<IReadOnlyList<PartyWithoutMilestones>>(pipeline.Entries
            .Where(e => e.CovenantId == covenantId && e.Stage == Core.Pipeline.Stage.Signed && milestones.All(m => m.ProspectId != e.Id))
            .OrderBy(e => e.Id)
            .Select(e =>
            {
                var organisation = prospects.Organisations.Single(o => o.Id == e.OrganisationId);
                var signedAt = pipeline.AllChanges.Where(c => c.EntryId == e.Id && c.To == Core.Pipeline.Stage.Signed).Max(c => c.At);
                return new PartyWithoutMilestones(e.Id, organisation.Name, organisation.PartyKind, signedAt);
            }).ToList());
    }

    /// <summary>Runs first in <see cref="AddMissingMilestonesAsync"/> (with the prospect id), to let a test fail there or play "someone else".</summary>
    public Action<long>? BeforeAddMissing { get; set; }

    public async Task<int> AddMissingMilestonesAsync(long prospectId, IReadOnlyList<MilestoneDraft> drafts, DateTimeOffset at, string by, CancellationToken ct)
    {
        BeforeAddMissing?.Invoke(prospectId);
        var entry = Pipeline?.Entries.FirstOrDefault(e => e.Id == prospectId);
        if (entry?.Stage != Core.Pipeline.Stage.Signed || milestones.Any(m => m.ProspectId == prospectId)) return 0;
        var created = await AddMilestonesAsync(prospectId, drafts, at, by, ct);
        if (created > 0) audited.Add((prospectId, by, created));
        return created;
    }

    public Task<PartyMilestone?> GetMilestoneAsync(long milestoneId, CancellationToken ct) => Task.FromResult(milestones.Find(m => m.Id == milestoneId));

    public Task<IReadOnlyList<PartyMilestone>> ListForProspectAsync(long prospectId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<PartyMilestone>>(milestones.Where(m => m.ProspectId == prospectId).OrderBy(m => m.DueOn).ThenBy(m => m.Id).ToList());

    public Task<IReadOnlyList<MilestoneChange>> HistoryForProspectAsync(long prospectId, CancellationToken ct)
    {
        var ids = milestones.Where(m => m.ProspectId == prospectId).Select(m => m.Id).ToHashSet();
        return Task.FromResult<IReadOnlyList<MilestoneChange>>(history.Where(h => ids.Contains(h.MilestoneId)).ToList());
    }

    public Task<bool> MarkDoneAsync(long milestoneId, DateOnly doneOn, string? evidenceUrl, EvidenceUpload? file, DateTimeOffset at, string by, CancellationToken ct)
    {
        var i = milestones.FindIndex(m => m.Id == milestoneId && !m.IsDone);
        if (i < 0) return Task.FromResult(false);
        long? fileId = null;
        if (file is not null)
        {
            fileId = nextId++;
            files.Add(new EvidenceFile(fileId.Value, milestones[i].ProspectId, file.FileName, file.ContentType, file.Content, at, by));
        }

        milestones[i] = milestones[i] with { DoneOn = doneOn, EvidenceUrl = evidenceUrl, EvidenceFileId = fileId, EvidenceFileName = file?.FileName, DoneBy = by };
        history.Add(new MilestoneChange(milestoneId, MilestoneAction.Done, at, by) { Id = nextId++, DoneOn = doneOn, EvidenceUrl = evidenceUrl, EvidenceFileId = fileId });
        return Task.FromResult(true);
    }

    public Task<bool> ReopenAsync(long milestoneId, string reason, DateTimeOffset at, string by, CancellationToken ct)
    {
        var i = milestones.FindIndex(m => m.Id == milestoneId && m.IsDone);
        if (i < 0) return Task.FromResult(false);
        milestones[i] = milestones[i] with { DoneOn = null, EvidenceUrl = null, EvidenceFileId = null, EvidenceFileName = null, DoneBy = null };
        history.Add(new MilestoneChange(milestoneId, MilestoneAction.Reopened, at, by) { Id = nextId++, Reason = reason.Trim() });
        return Task.FromResult(true);
    }

    public Task<EvidenceFile?> GetEvidenceFileAsync(long prospectId, long fileId, CancellationToken ct) =>
        Task.FromResult(files.Find(f => f.Id == fileId && f.ProspectId == prospectId));

    /// <summary>The parties a test lets the questionnaire import read (from the milestones as they are then); unset, the read is not supported.</summary>
    public Func<long, IReadOnlyList<MonitoredParty>>? Parties { get; set; }

    public Task<IReadOnlyList<MonitoredParty>> ListPartiesAsync(long covenantId, CancellationToken ct) =>
        Parties is { } parties ? Task.FromResult(parties(covenantId))
            : throw new NotSupportedException("The monitoring report is tested on the pure builder and on the SQL store.");

    public async Task<IReadOnlyList<MonitoredParty>> ListSignedInAsync(long covenantId, DateOnly firstDay, DateOnly lastDay, CancellationToken ct) =>
        (await ListPartiesAsync(covenantId, ct)).Where(p => p.SignedOn >= firstDay && p.SignedOn <= lastDay).ToList();
}
