using Outreach.Core.Prospects;

namespace Outreach.Core.Pipeline;

/// <summary>Filters for the board and the prospects API; null means "any".</summary>
public sealed record ProspectFilter
{
    public long? CovenantId { get; init; }
    public string? Sector { get; init; }
    public PartyKind? PartyKind { get; init; }
    public string? Owner { get; init; }
    public Stage? Stage { get; init; }
    /// <summary>Free text matched against organisation name, KvK number, web domain and contact names and emails.</summary>
    public string? Text { get; init; }
    public bool? Overdue { get; init; }
    /// <summary>Only these entries (the prospects behind a report figure); null for any, empty for none.</summary>
    public IReadOnlyCollection<long>? EntryIds { get; init; }
}

/// <summary>One prospect as listed on the board or by the API: an entry with its organisation's headline facts.</summary>
public sealed record ProspectSummary
{
    public long Id { get; init; }
    public long OrganisationId { get; init; }
    public required string OrganisationName { get; init; }
    public long CovenantId { get; init; }
    public required string CovenantCode { get; init; }
    public PartyKind PartyKind { get; init; }
    public required string Sector { get; init; }
    public required string Owner { get; init; }
    public Stage Stage { get; init; }
    public DateTimeOffset StageSince { get; init; }
    public DateOnly? RevisitOn { get; init; }
    public string? NextAction { get; init; }
    public DateOnly? NextActionDue { get; init; }
    public bool NextActionOverdue { get; init; }
    /// <summary>When the organisation was deleted in Dynamics 365 (Outreach keeps it and its history, marked).</summary>
    public DateTimeOffset? RemovedAt { get; init; }
}

public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int PageNumber, int PageSize);

/// <summary>Why the store could not apply a move that the rules allowed (someone else moved the entry first).</summary>
public sealed class ConcurrentStageChangeException(long entryId, Stage expected)
    : InvalidOperationException($"Prospect {entryId} is no longer in '{expected.Label()}': someone else changed it. Reload and try again.")
{
    public long EntryId { get; } = entryId;
}

/// <summary>Pipeline entries and their append-only stage history.</summary>
public interface IPipelineStore
{
    /// <summary>Creates the entry together with its first history line (from nothing to <paramref name="stage"/>).</summary>
    Task<PipelineEntry> AddEntryAsync(long organisationId, long covenantId, Stage stage, DateTimeOffset at, string by, string reason, CancellationToken ct);

    Task<PipelineEntry?> GetEntryAsync(long entryId, CancellationToken ct);

    /// <summary>
    /// The prospect list: filtered as the board is, sorted (ties by entry id, so pages never overlap), a page at a time with
    /// the total. <paramref name="pageSize"/> up to <see cref="ProspectList.MaxExportRows"/> (the export reads one large page).
    /// </summary>
    Task<Page<ProspectSummary>> ListAsync(ProspectFilter filter, ProspectSort sort, bool descending, int page, int pageSize, CancellationToken ct);
    Task<IReadOnlyList<PipelineEntry>> ListEntriesForOrganisationAsync(long organisationId, CancellationToken ct);

    /// <summary>
    /// Appends the change and updates the entry's stage in one transaction, only if the entry is still in
    /// <see cref="StageChange.From"/>; otherwise throws <see cref="ConcurrentStageChangeException"/> and changes nothing.
    /// </summary>
    Task<PipelineEntry> ApplyAsync(StageChange change, CancellationToken ct);

    Task<IReadOnlyList<StageChange>> HistoryAsync(long entryId, CancellationToken ct);
    /// <summary>Sets (or clears) the next action; its overdue flag is set at once from <paramref name="today"/>.</summary>
    Task SetNextActionAsync(long entryId, string? action, DateOnly? due, DateOnly today, CancellationToken ct);

    Task<Page<ProspectSummary>> SearchAsync(ProspectFilter filter, int page, int pageSize, CancellationToken ct);
    Task<ProspectSummary?> GetSummaryAsync(long entryId, CancellationToken ct);

    /// <summary>Every entry of the organisation as <see cref="GetSummaryAsync"/> reads one, in id order: one query, however many.</summary>
    Task<IReadOnlyList<ProspectSummary>> ListSummariesForOrganisationAsync(long organisationId, CancellationToken ct);

    /// <summary>Entries in not now whose revisit date is on or before <paramref name="today"/>.</summary>
    Task<IReadOnlyList<PipelineEntry>> ListRevisitsDueAsync(DateOnly today, CancellationToken ct);

    /// <summary>Sets the overdue flag on entries whose next action was due before <paramref name="today"/> and clears it elsewhere; returns how many are overdue.</summary>
    Task<int> RefreshOverdueFlagsAsync(DateOnly today, CancellationToken ct);
}
