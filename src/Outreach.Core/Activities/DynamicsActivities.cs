using Outreach.Core.Crm;

namespace Outreach.Core.Activities;

/// <summary>
/// A phone call, appointment or note a Dynamics user logged, as the sync reads it. <see cref="RegardingId"/> is the account
/// or contact it is about (Outreach finds which); <see cref="Author"/> the Dynamics user's name as Outreach shows it.
/// </summary>
public sealed record DynamicsActivity(
    Guid Id,
    ActivityKind Kind,
    Guid RegardingId,
    DateTimeOffset OccurredAt,
    string Text,
    CallDirection? Direction,
    int? DurationMinutes,
    string? Location,
    string Author);

/// <summary>What applying one page of activities from Dynamics did.</summary>
public sealed record DynamicsActivityResult(int Added, int Updated, int Removed, int Skipped);

/// <summary>The read side of the two-way activity sync with Dynamics (issue 15 point 4).</summary>
public interface IDynamicsActivityStore
{
    /// <summary>
    /// Applies one page from Dynamics and stores where the read of <paramref name="table"/> goes on, in one transaction:
    /// rows about a synced account or one of its contacts are added to (or updated on) a prospect of that organisation with
    /// origin Dynamics; rows whose id is an activity logged in Outreach (its own, written back) and rows about anything
    /// else are skipped; deleted ids remove the Dynamics-origin activity (never one logged in Outreach).
    /// </summary>
    Task<DynamicsActivityResult> ApplyDynamicsAsync(CrmTable table, IReadOnlyList<DynamicsActivity> rows, IReadOnlyList<Guid> deleted,
        string? nextLink, string? deltaLink, DateTimeOffset at, CancellationToken ct);
}
