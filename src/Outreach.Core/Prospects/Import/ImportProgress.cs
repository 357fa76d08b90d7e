using Outreach.Core.Common;

namespace Outreach.Core.Prospects.Import;

public enum ImportPhase
{
    /// <summary>Reading rows from the file; the total is not known yet.</summary>
    Reading,
    /// <summary>Checking rows against the rules and the existing organisations.</summary>
    Checking,
    /// <summary>Writing records (organisations, contacts and pipeline entries) in one transaction.</summary>
    Writing,
    /// <summary>Committed.</summary>
    Done,
}

/// <summary>How far an import is, for a progress bar (CLI or UI): <see cref="Done"/> of <see cref="Total"/> units of the phase.</summary>
public sealed record ImportProgress(ImportPhase Phase, int Done, int? Total);

/// <summary>What an import wrote (all of it in one transaction) or why it wrote nothing.</summary>
public sealed record ImportResult
{
    public required ImportPlan Plan { get; init; }
    /// <summary>True when the transaction committed (possibly with nothing to write).</summary>
    public bool Imported { get; init; }
    /// <summary>Why nothing was written; null when <see cref="Imported"/>.</summary>
    public DomainMessage? Refusal { get; init; }
    public int OrganisationsCreated { get; init; }
    public int ContactsCreated { get; init; }
    public int EntriesCreated { get; init; }
    /// <summary>The onboarding milestones of the entries imported at signed.</summary>
    public int MilestonesCreated { get; init; }
    /// <summary>The rows that were not imported (invalid or duplicate); every row when nothing was.</summary>
    public IReadOnlyList<ImportRowResult> SkippedRows { get; init; } = [];
}
