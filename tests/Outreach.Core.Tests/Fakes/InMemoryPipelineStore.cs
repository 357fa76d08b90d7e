using Outreach.Core.Pipeline;
using Rules = Outreach.Core.Pipeline.Pipeline;

namespace Outreach.Core.Tests.Fakes;

/// <summary>
/// A pipeline store in a few dictionaries, with the real store's promise on <see cref="ApplyAsync"/>:
/// the change is kept only if the entry is still in the change's from-stage.
/// </summary>
internal sealed class InMemoryPipelineStore(InMemoryProspectStore? organisations = null) : IPipelineStore, IInMemoryState
{
    private Dictionary<long, PipelineEntry> entries = [];
    private List<StageChange> history = [];

    public Action Snapshot()
    {
        var (savedEntries, savedHistory) = (new Dictionary<long, PipelineEntry>(entries), history.ToList());
        return () => (entries, history) = (savedEntries, savedHistory);
    }
    private long nextEntryId = 1;
    private long nextChangeId = 1;

    /// <summary>Runs inside <see cref="ApplyAsync"/> before the stage check, to let a test play "someone else" in between.</summary>
    public Action<StageChange>? BeforeApply { get; set; }

    public int ApplyCalls { get; private set; }

    public IReadOnlyList<StageChange> AllChanges => history;

    public IReadOnlyCollection<PipelineEntry> Entries => entries.Values;

    /// <summary>A test's shortcut to an organisation with its entry (what <see cref="PipelineService.CreateAsync"/> writes, without its checks or write-back).</summary>
    public async Task<PipelineEntry> AddProspectAsync(Core.Prospects.OrganisationDraft organisation, long covenantId, Stage stage, DateTimeOffset at, string by, string reason, CancellationToken ct)
    {
        var created = await (organisations ?? throw new InvalidOperationException("This fake was made without an organisation store.")).AddOrganisationAsync(organisation, ct);
        return await AddEntryAsync(created.Id, covenantId, stage, at, by, reason, ct);
    }

    public Task<PipelineEntry> AddEntryAsync(long organisationId, long covenantId, Stage stage, DateTimeOffset at, string by, string reason, CancellationToken ct)
    {
        var entry = new PipelineEntry
        {
            Id = nextEntryId++,
            OrganisationId = organisationId,
            CovenantId = covenantId,
            Stage = stage,
            StageSince = at,
            CreatedAt = at,
        };
        entries.Add(entry.Id, entry);
        history.Add(new StageChange(entry.Id, null, stage, at, by, reason) { Id = nextChangeId++ });
        return Task.FromResult(entry);
    }

    /// <summary>Puts an entry in a given stage directly, as test setup (with a matching history line).</summary>
    public PipelineEntry Seed(Stage stage, DateTimeOffset at, DateOnly? revisitOn = null)
    {
        var entry = new PipelineEntry
        {
            Id = nextEntryId++,
            OrganisationId = 100 + nextEntryId,
            CovenantId = 1,
            Stage = stage,
            StageSince = at,
            RevisitOn = revisitOn,
            CreatedAt = at,
        };
        entries.Add(entry.Id, entry);
        history.Add(new StageChange(entry.Id, null, stage, at, "seed", "seeded", revisitOn) { Id = nextChangeId++ });
        return entry;
    }

    public Task<PipelineEntry?> GetEntryAsync(long entryId, CancellationToken ct) =>
        Task.FromResult(entries.GetValueOrDefault(entryId));

    public Task<IReadOnlyList<PipelineEntry>> ListEntriesForOrganisationAsync(long organisationId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<PipelineEntry>>([.. entries.Values.Where(e => e.OrganisationId == organisationId).OrderBy(e => e.Id)]);

    public Task<PipelineEntry> ApplyAsync(StageChange change, CancellationToken ct)
    {
        ApplyCalls++;
        BeforeApply?.Invoke(change);
        return Task.FromResult(ApplyNow(change));
    }

    /// <summary>What <see cref="ApplyAsync"/> does, synchronously: also how a test lets another user move an entry.</summary>
    public PipelineEntry ApplyNow(StageChange change)
    {
        if (!entries.TryGetValue(change.EntryId, out var entry) || change.From is not { } from || entry.Stage != from)
        {
            throw new ConcurrentStageChangeException(change.EntryId, change.From ?? change.To);
        }

        var applied = Rules.Apply(entry, change);
        entries[entry.Id] = applied;
        history.Add(change with { Id = nextChangeId++ });
        return applied;
    }

    public Task<IReadOnlyList<StageChange>> HistoryAsync(long entryId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<StageChange>>([.. history.Where(c => c.EntryId == entryId).OrderBy(c => c.At).ThenBy(c => c.Id)]);

    public Task SetNextActionAsync(long entryId, string? action, DateOnly? due, DateOnly today, CancellationToken ct)
    {
        entries[entryId] = entries[entryId] with { NextAction = action, NextActionDue = due, NextActionOverdue = action is not null && due < today };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PipelineEntry>> ListRevisitsDueAsync(DateOnly today, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<PipelineEntry>>(
            [.. entries.Values.Where(e => e.Stage == Stage.NotNow && e.RevisitOn <= today).OrderBy(e => e.RevisitOn).ThenBy(e => e.Id)]);

    public Task<int> RefreshOverdueFlagsAsync(DateOnly today, CancellationToken ct)
    {
        foreach (var entry in entries.Values.ToList())
        {
            entries[entry.Id] = entry with { NextActionOverdue = entry.NextActionDue < today };
        }

        return Task.FromResult(entries.Values.Count(e => e.NextActionOverdue));
    }

    // The board's queries join organisations and covenants: the storage contract tests cover them.
    public Task<Page<ProspectSummary>> SearchAsync(ProspectFilter filter, int page, int pageSize, CancellationToken ct) =>
        throw new NotSupportedException("Not needed by the domain tests.");

    public Task<Page<ProspectSummary>> ListAsync(ProspectFilter filter, ProspectSort sort, bool descending, int page, int pageSize, CancellationToken ct) =>
        throw new NotSupportedException("Not needed by the domain tests.");

    public Task<ProspectSummary?> GetSummaryAsync(long entryId, CancellationToken ct) =>
        throw new NotSupportedException("Not needed by the domain tests.");

    public Task<IReadOnlyList<ProspectSummary>> ListSummariesForOrganisationAsync(long organisationId, CancellationToken ct) =>
        throw new NotSupportedException("Not needed by the domain tests.");
}
