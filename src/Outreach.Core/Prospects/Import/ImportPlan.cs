using System.Globalization;
using Outreach.Core.Common;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;

namespace Outreach.Core.Prospects.Import;

public enum ImportRowStatus
{
    /// <summary>The row is imported (on its own, or merged into an earlier row's organisation).</summary>
    Ok,
    /// <summary>The row breaks a rule; <see cref="ImportRowResult.Errors"/> says which and why.</summary>
    Invalid,
    /// <summary>The row repeats an existing organisation or an earlier row; nothing from it is created.</summary>
    Duplicate,
}

/// <summary>The verdict on one row of the file.</summary>
public sealed record ImportRowResult(int RowNumber, ImportRowStatus Status)
{
    /// <summary>For <see cref="ImportRowStatus.Invalid"/>: the problems, by column (the field is empty for a problem with the whole row).</summary>
    public IReadOnlyList<FieldError> Errors { get; init; } = [];
    /// <summary>Why a row is a duplicate, or a note on an Ok row (merged into an earlier row).</summary>
    public DomainMessage? Reason { get; init; }
    /// <summary>The existing organisation a duplicate row matches.</summary>
    public long? DuplicateOfOrganisationId { get; init; }
    /// <summary>The earlier row of the same organisation (merged into, or repeated).</summary>
    public int? SameAsRow { get; init; }

    public override string ToString()
    {
        var detail = Status == ImportRowStatus.Invalid
            ? string.Join("; ", Errors.Select(e => e.Field.Length == 0 ? e.Message.ToString() : e.ToString()))
            : Reason?.ToString() ?? "";
        return string.Create(CultureInfo.InvariantCulture, $"Row {RowNumber}: {Status}{(detail.Length > 0 ? " - " + detail : "")}");
    }
}

/// <summary>A contact to create with a planned organisation (validated and cleaned).</summary>
public sealed record PlannedContact(int RowNumber, ContactDraft Draft);

/// <summary>A pipeline entry to create for a planned organisation, with its history lines (imported, marked so).</summary>
public sealed record PlannedEntry(int RowNumber, long CovenantId, Stage Stage)
{
    /// <summary>The history lines, first to last (<see cref="ImportedHistory.Plan"/>); empty: one line in <see cref="Stage"/> at the import.</summary>
    public IReadOnlyList<HistoryStep> History { get; init; } = [];

    /// <summary>The lines to write: <see cref="History"/>, or one line in <see cref="Stage"/> at the moment of the import.</summary>
    public IReadOnlyList<HistoryStep> Steps => History.Count > 0 ? History : [new HistoryStep(Stage, null)];

    /// <summary>For an entry imported at signed, the onboarding milestones its covenant's plan gives it (<see cref="ImportedMilestones"/>).</summary>
    public IReadOnlyList<MilestoneDraft> Milestones { get; init; } = [];
}

/// <summary>A new organisation (validated and cleaned) with everything the file gives for it.</summary>
/// <param name="Draft">Cleaned (<see cref="Validation.Clean(OrganisationDraft)"/>): its KvK number and website are in their normal forms.</param>
/// <param name="NormalisedName">The name as <see cref="Normalise.OrganisationName"/> gives it (stored for duplicate checks).</param>
/// <param name="Contacts">Contacts to create with it, in file order.</param>
/// <param name="Entries">Pipeline entries to create for it, one per covenant.</param>
/// <param name="RowNumbers">The rows that contributed to it, the first one first.</param>
public sealed record PlannedOrganisation(
    OrganisationDraft Draft,
    string NormalisedName,
    IReadOnlyList<PlannedContact> Contacts,
    IReadOnlyList<PlannedEntry> Entries,
    IReadOnlyList<int> RowNumbers)
{
    /// <summary>The first row that names the organisation.</summary>
    public int RowNumber => RowNumbers[0];

    /// <summary>The keys duplicate checks compare.</summary>
    public OrganisationKeys Keys => new(0, Draft.Name, NormalisedName, Draft.KvkNumber, Draft.Website);
}

/// <summary>
/// What an import would do, worked out without writing anything: a verdict per row and the organisations to create.
/// Only valid, non-duplicate rows contribute to <see cref="Organisations"/>.
/// </summary>
public sealed record ImportPlan(
    IReadOnlyList<DomainMessage> FileErrors,
    IReadOnlyList<ImportRowResult> Rows,
    IReadOnlyList<PlannedOrganisation> Organisations)
{
    /// <summary>A file that cannot be imported at all (unreadable, wrong columns); nothing is imported, not even valid rows.</summary>
    public static ImportPlan Refused(params DomainMessage[] errors) => new(errors, [], []);

    public bool IsRefused => FileErrors.Count > 0;
    public int OkRows => Rows.Count(r => r.Status == ImportRowStatus.Ok);
    public int InvalidRows => Rows.Count(r => r.Status == ImportRowStatus.Invalid);
    public int DuplicateRows => Rows.Count(r => r.Status == ImportRowStatus.Duplicate);
    public bool HasInvalidRows => Rows.Any(r => r.Status == ImportRowStatus.Invalid);
    public int ContactCount => Organisations.Sum(o => o.Contacts.Count);
    public int EntryCount => Organisations.Sum(o => o.Entries.Count);
    public int MilestoneCount => Organisations.Sum(o => o.Entries.Sum(e => e.Milestones.Count));
}
