using Outreach.Core.Pipeline;

namespace Outreach.Core.Crm;

/// <summary>A table Outreach reads from the CRM (Dataverse): accounts and contacts are mirrored; stage changes carry the moves Dynamics users request.</summary>
public enum CrmTable
{
    Accounts,
    Contacts,
    StageChanges,

    /// <summary>Phone calls Dynamics users log (read by change tracking; issue 15).</summary>
    PhoneCalls,

    /// <summary>Appointments Dynamics users log (read by change tracking).</summary>
    Appointments,

    /// <summary>Notes (annotations) Dynamics users write: no change tracking, read by a modifiedon watermark kept as the "delta link".</summary>
    Notes,
}

/// <summary>An account's master data as the CRM holds it; the CRM is the truth for these fields.</summary>
/// <remarks>CovenantCode: the covenant the secretariat set on the account in Dynamics; Outreach starts a prospect there (identified) if it has none.</remarks>
public sealed record CrmAccount(Guid Id, string Name, string? Website, string? AddressLine, string? PostalCode, string? City, string? Country, string? KvkNumber, string? Owner, string? CovenantCode = null)
{
    /// <summary>The stage a prospect started from the covenant begins in (otr_firststage); null: identified.</summary>
    public Stage? FirstStage { get; init; }

    /// <summary>The next action and its due date as the account shows them (Outreach writes them back; a Dynamics user may edit them).</summary>
    public string? NextAction { get; init; }

    public DateOnly? NextActionDue { get; init; }

    /// <summary>Who last changed the account in Dynamics (null when not read): Outreach's own write-back, or a Dynamics user.</summary>
    public Guid? ModifiedBy { get; init; }
}

/// <summary>A contact's master data as the CRM holds it.</summary>
public sealed record CrmContact(Guid Id, Guid? AccountId, string Name, string? Email, string? JobTitle, bool OptedOut, DateTimeOffset? OptedOutOn);

/// <summary>
/// Where a table's sync stands. <paramref name="NextLink"/>: the next page of a read in progress (a crash resumes there);
/// <paramref name="DeltaLink"/>: where the next incremental read starts. <paramref name="Generation"/> numbers full reads:
/// rows not seen by a completed full read are marked removed.
/// </summary>
public sealed record CrmSyncState(string? NextLink, string? DeltaLink, long Generation, bool FullReadInProgress);

/// <summary>What applying one page did.</summary>
public sealed record CrmPageResult(int Created, int Updated, int Removed, int Failed)
{
    /// <summary>Prospects started because the account named a covenant in Dynamics.</summary>
    public int ProspectsStarted { get; init; }

    /// <summary>Next actions a Dynamics user edited on an account, taken into the prospect.</summary>
    public int NextActionsTaken { get; init; }
}

/// <summary>
/// The local mirror of CRM accounts and contacts. Each page is applied together with the link that follows it, in one
/// transaction, so a crash between pages resumes at the next page without losing or repeating a row.
/// </summary>
public interface ICrmSyncStore
{
    Task<CrmSyncState> GetStateAsync(CrmTable table, CancellationToken ct);

    /// <summary>Starts a full read (first sync, or the delta token expired): a new generation, no links.</summary>
    Task<CrmSyncState> StartFullReadAsync(CrmTable table, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Upserts the rows, marks the deleted ids removed (never deletes them), and stores where to continue:
    /// <paramref name="nextLink"/> for the next page, or on the last page <paramref name="deltaLink"/>; when that ends
    /// a full read, rows the read did not see are marked removed as well.
    /// </summary>
    Task<CrmPageResult> ApplyAccountsAsync(IReadOnlyList<CrmAccount> rows, IReadOnlyList<Guid> deleted, string? nextLink, string? deltaLink, DateTimeOffset at, CancellationToken ct);

    /// <summary>As <see cref="ApplyAccountsAsync"/>; a contact whose account is not known locally counts as failed.</summary>
    Task<CrmPageResult> ApplyContactsAsync(IReadOnlyList<CrmContact> rows, IReadOnlyList<Guid> deleted, string? nextLink, string? deltaLink, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Takes the lease on the sync named <paramref name="name"/> for <paramref name="holder"/> until <paramref name="until"/>,
    /// when nobody holds it or a holder's lease lapsed: null when taken, else who holds it. Two runs of the sync at once would
    /// both start full reads, insert the same new rows and sweep each other's generation; this row (not the scheduler's lock) keeps it to one.
    /// </summary>
    Task<string?> TryLeaseAsync(string name, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken ct);

    /// <summary>Extends a lease still held by <paramref name="holder"/>; false when it lapsed and another took it.</summary>
    Task<bool> RenewLeaseAsync(string name, string holder, DateTimeOffset until, CancellationToken ct);

    /// <summary>Gives the lease up (deletes it, so the next run takes it at once, even at the same instant).</summary>
    Task ReleaseLeaseAsync(string name, string holder, CancellationToken ct);

    /// <summary>
    /// Stores where a table that is read but not mirrored (stage changes) continues: <paramref name="nextLink"/> for the next
    /// page, or on the last page <paramref name="deltaLink"/> (which ends a full read). Joins a running unit of work.
    /// </summary>
    Task SaveLinksAsync(CrmTable table, string? nextLink, string? deltaLink, DateTimeOffset at, CancellationToken ct);

    /// <summary>The local organisations of these Dataverse accounts, with their prospects (accounts not synced are left out). Joins a running unit of work.</summary>
    Task<IReadOnlyList<CrmAccountLink>> FindAccountsAsync(IReadOnlyCollection<Guid> accountIds, CancellationToken ct);

    /// <summary>The answer recorded under the request's key, if any. Joins a running unit of work.</summary>
    Task<CrmRequestAnswer?> FindAnswerAsync(string key, CancellationToken ct);

    /// <summary>
    /// Records the answer under its key (replacing an earlier one). Returns its id when it is new or says something else than
    /// the one recorded (then it is to be written back), null when it is the same. Joins a running unit of work.
    /// </summary>
    Task<long?> RecordAnswerAsync(CrmRequestAnswer answer, DateTimeOffset at, CancellationToken ct);
}
