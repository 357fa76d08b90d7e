using Outreach.Core.Common;

namespace Outreach.Core.Pipeline;

/// <summary>What the prospect list can be sorted by (issue 16: the board shows the funnel's shape, the list every prospect).</summary>
public enum ProspectSort
{
    /// <summary>By organisation name, ignoring case and accents.</summary>
    Name,
    /// <summary>In board order (the funnel, then the exits).</summary>
    Stage,
    /// <summary>By how long the prospect has been in its stage.</summary>
    DaysInStage,
    Owner,
    /// <summary>By the next action's due day; prospects without one last.</summary>
    NextActionDue,
}

/// <summary>A column the list can show (and export).</summary>
public enum ProspectColumn
{
    Organisation,
    Covenant,
    Stage,
    DaysInStage,
    Owner,
    Sector,
    PartyKind,
    NextAction,
    NextActionDue,
}

/// <summary>The list's sorting, columns and page sizes, as they travel in a URL.</summary>
public static class ProspectList
{
    public static readonly IReadOnlyList<int> PageSizes = [25, 50, 100, 200];
    public const int DefaultPageSize = 50;
    /// <summary>The most rows one export writes: a spreadsheet's worth, and a bound on the work one request does.</summary>
    public const int MaxExportRows = 100_000;

    public static readonly IReadOnlyList<ProspectColumn> AllColumns = Enum.GetValues<ProspectColumn>();

    public static readonly IReadOnlyList<ProspectColumn> DefaultColumns =
        [ProspectColumn.Organisation, ProspectColumn.Covenant, ProspectColumn.Stage, ProspectColumn.DaysInStage, ProspectColumn.Owner, ProspectColumn.NextAction, ProspectColumn.NextActionDue];

    public static string Code(this ProspectSort sort) => sort switch
    {
        ProspectSort.Name => "name",
        ProspectSort.Stage => "stage",
        ProspectSort.DaysInStage => "days",
        ProspectSort.Owner => "owner",
        ProspectSort.NextActionDue => "due",
        _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, null),
    };

    public static string Code(this ProspectColumn column) => column switch
    {
        ProspectColumn.Organisation => "organisation",
        ProspectColumn.Covenant => "covenant",
        ProspectColumn.Stage => "stage",
        ProspectColumn.DaysInStage => "days",
        ProspectColumn.Owner => "owner",
        ProspectColumn.Sector => "sector",
        ProspectColumn.PartyKind => "party_kind",
        ProspectColumn.NextAction => "next_action",
        ProspectColumn.NextActionDue => "next_action_due",
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, null),
    };

    /// <summary>The English heading; the web layer translates it.</summary>
    public static string Label(this ProspectColumn column) => column switch
    {
        ProspectColumn.Organisation => "Organisation",
        ProspectColumn.Covenant => "Covenant",
        ProspectColumn.Stage => "Stage",
        ProspectColumn.DaysInStage => "Days in stage",
        ProspectColumn.Owner => "Owner",
        ProspectColumn.Sector => "Sector",
        ProspectColumn.PartyKind => "Party kind",
        ProspectColumn.NextAction => "Next action",
        ProspectColumn.NextActionDue => "Due",
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, null),
    };

    /// <summary>The sort a column's heading sorts by, if any.</summary>
    public static ProspectSort? SortFor(ProspectColumn column) => column switch
    {
        ProspectColumn.Organisation => ProspectSort.Name,
        ProspectColumn.Stage => ProspectSort.Stage,
        ProspectColumn.DaysInStage => ProspectSort.DaysInStage,
        ProspectColumn.Owner => ProspectSort.Owner,
        ProspectColumn.NextActionDue => ProspectSort.NextActionDue,
        _ => null,
    };

    public static bool TryParseSort(string? value, out ProspectSort sort) => Codes.TryParse(value, Enum.GetValues<ProspectSort>(), Code, out sort);

    /// <summary>The columns named (in the list's own order, unknown names ignored); the default set when none is known.</summary>
    public static IReadOnlyList<ProspectColumn> ParseColumns(IEnumerable<string>? codes)
    {
        var wanted = (codes ?? []).Select(c => c.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var columns = AllColumns.Where(c => wanted.Contains(c.Code())).ToList();
        return columns.Count == 0 ? DefaultColumns : columns;
    }

    /// <summary>Whole days in the stage, counted in Amsterdam days.</summary>
    public static int DaysInStage(ProspectSummary prospect, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(prospect);
        var since = Calendar.AmsterdamClock.DateOf(prospect.StageSince);
        return Math.Max(0, today.DayNumber - since.DayNumber);
    }
}
