using Outreach.Core.Common;
using Outreach.Core.Prospects;

namespace Outreach.Core.Pipeline;

/// <summary>The outcome of a request to change a prospect's stage.</summary>
public sealed record MoveResult(PipelineEntry? Entry, DomainMessage? Refusal, bool NotFound = false)
{
    public bool Succeeded => Entry is not null && Refusal is null;
}

/// <summary>The use cases around the pipeline: decide with the rules, then persist through the store.</summary>
public sealed class PipelineService(IPipelineStore store, IProspectStore prospects, TimeProvider clock)
{
    public async Task<MoveResult> MoveAsync(long entryId, Stage to, string? reason, string by, DateOnly? revisitOn, CancellationToken ct)
    {
        var entry = await store.GetEntryAsync(entryId, ct).ConfigureAwait(false);
        if (entry is null) return new MoveResult(null, null, NotFound: true);
        var decision = Pipeline.Decide(entry, to, reason, by, clock.GetUtcNow(), revisitOn);
        if (!decision.IsAllowed) return new MoveResult(null, decision.Refusal);
        try
        {
            return new MoveResult(await store.ApplyAsync(decision.Change!, ct).ConfigureAwait(false), null);
        }
        catch (ConcurrentStageChangeException)
        {
            return new MoveResult(null, new DomainMessage("Someone else changed this prospect's stage in the meantime. Reload and try again."));
        }
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

        var entry = await store.AddProspectAsync(clean, covenantId, stage, clock.GetUtcNow(), by.Trim(), firstReason, ct).ConfigureAwait(false);
        return new CreateProspectResult(entry, [], duplicates);
    }
}

public sealed record CreateProspectResult(PipelineEntry? Entry, IReadOnlyList<FieldError> Errors, IReadOnlyList<DuplicateWarning> Duplicates)
{
    public bool Created => Entry is not null;
}
