using System.Globalization;
using System.Text;
using Outreach.Core.Common;

namespace Outreach.Core.Reports;

/// <summary>The four flat tables of the Power BI feed.</summary>
public enum FeedTable
{
    StageChanges,
    Prospects,
    Attendance,
    Monitoring,
}

/// <summary>
/// One page of a feed table: rows in ascending id order, and the cursor for the next page (null on the last). Paging is
/// by keyset (the rows after the last id seen), so a row added while a client pages is read once, at the end, and no
/// row is skipped or read twice as it would be with offsets.
/// </summary>
public sealed record FeedPage<T>(IReadOnlyList<T> Rows, string? Next);

/// <summary>A stage change as the feed gives it: one history line, with the prospect's organisation and covenant.</summary>
public sealed record FeedStageChange(long Id, long ProspectId, long OrganisationId, string Covenant, string? FromStage, string ToStage, DateTimeOffset ChangedAt, string Reason);

/// <summary>A prospect (pipeline entry): its organisation's reportable facts and its stage now.</summary>
public sealed record FeedProspect(long Id, long OrganisationId, string Organisation, string Covenant, string Sector, string PartyKind, string Owner, string Country, string Stage, DateTimeOffset StageSince, DateTimeOffset CreatedAt);

/// <summary>An invitation to a network event, per organisation (no contact's name or address): the answer and whether someone came.</summary>
public sealed record FeedAttendance(long Id, long EventId, string Event, string Covenant, DateTimeOffset StartsAt, string EventStatus, long OrganisationId, string Response, string Place, bool CheckedIn, bool AttendedOnline, bool WalkIn);

/// <summary>An onboarding milestone of a signed party: the monitoring report's rows.</summary>
public sealed record FeedMonitoringRow(long Id, long ProspectId, long OrganisationId, string Covenant, string Milestone, int MonitoringYear, string NameNl, string NameEn, DateOnly DueOn, DateOnly? DoneOn);

/// <summary>Reads the feed's pages (the port; SQL in Outreach.Storage): up to limit + 1 rows with an id above "after" (the previous page's last id, 0 for the first).</summary>
public interface IReportFeed
{
    Task<IReadOnlyList<FeedStageChange>> StageChangesAsync(long after, int limit, CancellationToken ct);
    Task<IReadOnlyList<FeedProspect>> ProspectsAsync(long after, int limit, CancellationToken ct);
    Task<IReadOnlyList<FeedAttendance>> AttendanceAsync(long after, int limit, CancellationToken ct);
    Task<IReadOnlyList<FeedMonitoringRow>> MonitoringAsync(long after, int limit, CancellationToken ct);
}

/// <summary>The feed's paging rules: page sizes, and the cursor (opaque to clients; it names its table so one cannot be replayed on another).</summary>
public static class FeedPaging
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 5000;

    private static readonly CodeTable<FeedTable> Tables = new(new Dictionary<FeedTable, string>
    {
        [FeedTable.StageChanges] = "stage-changes",
        [FeedTable.Prospects] = "prospects",
        [FeedTable.Attendance] = "attendance",
        [FeedTable.Monitoring] = "monitoring",
    });

    public static string Code(this FeedTable table) => Tables.Code(table);

    /// <summary>The cursor that continues after <paramref name="lastId"/>: base64url of "table:id".</summary>
    public static string Cursor(FeedTable table, long lastId) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes($"{table.Code()}:{lastId.ToString(CultureInfo.InvariantCulture)}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The last id before the page a cursor asks for (0 without one) and the page size; errors name the parameter.</summary>
    public static (long After, int Limit, IReadOnlyList<FieldError> Errors) Parse(FeedTable table, string? cursor, string? limit)
    {
        var errors = new List<FieldError>();
        var size = DefaultLimit;
        if (!string.IsNullOrWhiteSpace(limit) && (!int.TryParse(limit.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > MaxLimit))
            errors.Add(new FieldError("limit", "The page size must be a whole number from 1 to {0}.", MaxLimit.ToString(CultureInfo.InvariantCulture)));
        long after = 0;
        if (!string.IsNullOrEmpty(cursor) && !TryReadCursor(table, cursor, out after))
            errors.Add(new FieldError("cursor", "Not a cursor of this feed: use the next link of the previous page as it is."));
        return (after, size, errors);
    }

    private static bool TryReadCursor(FeedTable table, string cursor, out long after)
    {
        after = 0;
        if (cursor.Length > 100) return false;
        var b64 = cursor.Replace('-', '+').Replace('_', '/');
        b64 += new string('=', (4 - b64.Length % 4) % 4);
        byte[] bytes;
        try { bytes = Convert.FromBase64String(b64); }
        catch (FormatException) { return false; }
        var text = Encoding.ASCII.GetString(bytes);
        var prefix = table.Code() + ":";
        return text.StartsWith(prefix, StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out after)
            && after >= 0;
    }

    /// <summary>A page from <paramref name="rows"/> read with one more than <paramref name="limit"/>: that extra row only says another page follows.</summary>
    public static FeedPage<T> Page<T>(FeedTable table, IReadOnlyList<T> rows, int limit, Func<T, long> id)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(id);
        if (rows.Count <= limit) return new FeedPage<T>(rows, null);
        var page = rows.Take(limit).ToList();
        return new FeedPage<T>(page, Cursor(table, id(page[^1])));
    }
}
