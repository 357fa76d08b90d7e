using Outreach.Core.Common;
using Outreach.Core.Crm;
using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;

namespace Outreach.Core.Pipeline;

/// <summary>The outcome of a request to change a prospect's stage.</summary>
public sealed record MoveResult(PipelineEntry? Entry, DomainMessage? Refusal, bool NotFound = false)
{
    public bool Succeeded => Entry is not null && Refusal is null;
}

/// <summary>
/// The use cases around the pipeline: decide with the rules, then persist through the store. A move is one unit of work: the
/// entry and its history line, the Dataverse write-back, the enrolments the new stage ends, and, for a move made by a person
/// (a page or the API), the enrolments by rule. A job's automatic move (pipeline hygiene) does not enrol anyone: mail starts
/// only after a person moved the prospect; imports, the Dynamics sync and creating a prospect do not enrol either. A move to
/// signed creates the party's onboarding milestones from its covenant's plan in the same unit.
/// </summary>
public sealed class PipelineService(IPipelineStore store, IProspectStore prospects, ISequenceStore sequences, EnrolmentStops stops, IWriteBackOutbox writeBack, IOnboardingStore onboarding, IUnitOfWork unit, TimeProvider clock)
{
    public async Task<MoveResult> MoveAsync(long entryId, Stage to, string? reason, string by, DateOnly? revisitOn, CancellationToken ct)
    {
        var entry = await store.GetEntryAsync(entryId, ct).ConfigureAwait(false);
        if (entry is null) return new MoveResult(null, null, NotFound: true);
        var decision = Pipeline.Decide(entry, to, reason, by, clock.GetUtcNow(), revisitOn);
        if (!decision.IsAllowed) return new MoveResult(null, decision.Refusal);
        try
        {
            return new MoveResult(await ApplyAsync(decision.Change!, ct).ConfigureAwait(false), null);
        }
        catch (ConcurrentStageChangeException)
        {
            return new MoveResult(null, new DomainMessage("Someone else changed this prospect's stage in the meantime. Reload and try again."));
        }
    }

    /// <summary>
    /// Applies a move that the rules allowed, made by a person or the API: see <see cref="ApplyFromJobAsync"/>, and every
    /// reachable contact is enrolled in each sequence that enrols on entering the new stage. Throws
    /// <see cref="ConcurrentStageChangeException"/> (and changes nothing) when the entry is no longer in the change's from-stage.
    /// </summary>
    public Task<PipelineEntry> ApplyAsync(StageChange change, CancellationToken ct) => ApplyAsync(change, enrolByRule: true, ct);

    /// <summary>
    /// Applies a move a job made on its own (pipeline hygiene): the entry, its history line and audit, the Dataverse write-back
    /// and the stop of every enrolment the new stage ends, in one unit of work; nobody is enrolled.
    /// </summary>
    public Task<PipelineEntry> ApplyFromJobAsync(StageChange change, CancellationToken ct) => ApplyAsync(change, enrolByRule: false, ct);

    private async Task<PipelineEntry> ApplyAsync(StageChange change, bool enrolByRule, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        // The covenant and party kind a signing needs are master data, read before the unit (that store reads on its own connection).
        var signing = change.To == Stage.Signed ? await SigningPartyAsync(change.EntryId, ct).ConfigureAwait(false) : null;
        return await unit.RunAsync(async token =>
        {
            var entry = await store.ApplyAsync(change, token).ConfigureAwait(false);
            // The history line the store just added is the entry's newest (the entry is locked until the unit commits).
            var line = (await store.HistoryAsync(entry.Id, token).ConfigureAwait(false)).MaxBy(c => c.Id)!;
            await writeBack.EnqueueStageChangeAsync(entry.Id, line.Id, change.At, token).ConfigureAwait(false);
            if (entry.Stage == Stage.Signed && signing is { } party) await CreateMilestonesAsync(entry, change, party.Covenant, party.Kind, token).ConfigureAwait(false);
            // Signing creates (or, signing again, revives) the milestones and leaving drops the ones due after it: Dynamics gets them with the move.
            if (entry.Stage is Stage.Signed or Stage.Left) await writeBack.EnqueuePartyMilestonesAsync(entry.Id, change.At, token).ConfigureAwait(false);
            var all = await sequences.ListSequencesAsync(token).ConfigureAwait(false);
            // Without sequences there are no enrolments to stop or start.
            if (all.Count == 0) return entry;
            var enrolments = await sequences.ListEnrolmentsForProspectAsync(entry.Id, token).ConfigureAwait(false);
            foreach (var ended in EnrolmentRules.EndedByMove(entry.Stage, enrolments, all))
                await stops.StopAsync(ended.Id, StopReason.StageMovedOn, change.At, token).ConfigureAwait(false);
            if (enrolByRule && all.Any(sequence => sequence.EnrolOnEntering == entry.Stage))
            {
                var contacts = await prospects.ListContactsAsync(entry.OrganisationId, token).ConfigureAwait(false);
                foreach (var enrolment in EnrolmentRules.EnrolOnEntering(entry.Stage, entry, all, contacts, change.At))
                    await sequences.EnrolByRuleAsync(enrolment, token).ConfigureAwait(false);
            }

            return entry;
        }, ct).ConfigureAwait(false);
    }

    private async Task<(Covenant Covenant, PartyKind Kind)?> SigningPartyAsync(long entryId, CancellationToken ct)
    {
        var entry = await store.GetEntryAsync(entryId, ct).ConfigureAwait(false);
        if (entry is null) return null;
        var covenant = (await prospects.ListCovenantsAsync(ct).ConfigureAwait(false)).FirstOrDefault(c => c.Id == entry.CovenantId);
        var organisation = await prospects.GetOrganisationAsync(entry.OrganisationId, ct).ConfigureAwait(false);
        return covenant is null || organisation is null ? null : (covenant, organisation.PartyKind);
    }

    /// <summary>The signed party's milestones from the covenant's plan in force (none while the covenant has no plan), due from the Amsterdam signing date.</summary>
    private async Task CreateMilestonesAsync(PipelineEntry entry, StageChange change, Covenant covenant, PartyKind kind, CancellationToken ct)
    {
        var plan = await onboarding.GetPlanAsync(entry.CovenantId, ct).ConfigureAwait(false);
        if (plan is null || plan.Milestones.Count == 0) return;
        var signedOn = OnboardingRules.SigningDay(change.At);
        var drafts = OnboardingRules.MilestonesAtSigning(plan, covenant, kind, signedOn);
        if (drafts.Count > 0) await onboarding.AddMilestonesAsync(entry.Id, drafts, change.At, change.By, ct).ConfigureAwait(false);
    }

    /// <summary>Creates an organisation (when valid) with an entry in one covenant's pipeline; duplicates are returned as warnings and only created when <paramref name="acceptDuplicates"/>.</summary>
    public async Task<CreateProspectResult> CreateAsync(OrganisationDraft draft, long covenantId, Stage stage, string by, string? reason, bool acceptDuplicates, CancellationToken ct)
    {
        var errors = Validation.Check(draft).ToList();
        var covenants = await prospects.ListCovenantsAsync(ct).ConfigureAwait(false);
        if (covenants.All(c => c.Id != covenantId))
            errors.Add(new FieldError("CovenantId", "Choose a covenant."));
        if (!Pipeline.StartingStages.Contains(stage))
            errors.Add(new FieldError("Stage", "A new prospect starts in 'identified' or 'contacted'."));
        var firstReason = string.IsNullOrWhiteSpace(reason) ? "Added to the pipeline" : reason.Trim();
        // The first history line obeys the same rules as every move (reason and actor).
        var check = Pipeline.Decide(new PipelineEntry { Stage = Stage.Identified }, Stage.Contacted, firstReason, by, clock.GetUtcNow());
        if (!check.IsAllowed) errors.Add(new FieldError("Reason", check.Refusal!));
        if (errors.Count > 0) return new CreateProspectResult(null, errors, []);

        var clean = Validation.Clean(draft);
        var duplicates = DuplicateDetector.Find(clean, await prospects.FindDuplicateCandidatesAsync(clean, ct).ConfigureAwait(false));
        if (duplicates.Count > 0 && !acceptDuplicates) return new CreateProspectResult(null, [], duplicates);

        var entry = await unit.RunAsync(async token =>
        {
            var organisation = await prospects.AddOrganisationAsync(clean, token).ConfigureAwait(false);
            return await AddEntryAsync(organisation.Id, covenantId, stage, clock.GetUtcNow(), by.Trim(), firstReason, token).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        return new CreateProspectResult(entry, [], duplicates);
    }

    /// <summary>
    /// Starts an organisation in a covenant's pipeline (the entry with its first history line) and queues the line's Dataverse
    /// write-back, in one unit of work (joining a running one: a prospect started from Dynamics commits with its page). Nobody
    /// is enrolled.
    /// </summary>
    public Task<PipelineEntry> AddEntryAsync(long organisationId, long covenantId, Stage stage, DateTimeOffset at, string by, string reason, CancellationToken ct) =>
        unit.RunAsync(async token =>
        {
            var entry = await store.AddEntryAsync(organisationId, covenantId, stage, at, by, reason, token).ConfigureAwait(false);
            var first = (await store.HistoryAsync(entry.Id, token).ConfigureAwait(false)).Single();
            await writeBack.EnqueueStageChangeAsync(entry.Id, first.Id, at, token).ConfigureAwait(false);
            return entry;
        }, ct);

    /// <summary>
    /// Sets (or clears) the next action and queues its Dataverse write-back in one unit of work (joining a running one: a next
    /// action edited in Dynamics commits with its page, an activity's follow-up with the activity).
    /// </summary>
    public Task SetNextActionAsync(long entryId, string? action, DateOnly? due, DateOnly today, CancellationToken ct) =>
        unit.RunAsync(async token =>
        {
            await store.SetNextActionAsync(entryId, action, due, today, token).ConfigureAwait(false);
            await writeBack.EnqueueNextActionAsync(entryId, clock.GetUtcNow(), token).ConfigureAwait(false);
        }, ct);
}

public sealed record CreateProspectResult(PipelineEntry? Entry, IReadOnlyList<FieldError> Errors, IReadOnlyList<DuplicateWarning> Duplicates)
{
    public bool Created => Entry is not null;
}
