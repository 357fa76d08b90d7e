using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Outreach.Core.Activities;
using Outreach.Core.Crm;
using Outreach.Core.Jobs;
using Outreach.Core.Pipeline;
using static Outreach.Dataverse.DataverseSchema;

namespace Outreach.Dataverse;

/// <summary>What one run did to one table.</summary>
public sealed record SyncCounts(long Read, int Created, int Updated, int Removed, int Failed, bool FullRead)
{
    public static readonly SyncCounts None = new(0, 0, 0, 0, 0, false);

    internal SyncCounts Add(long read, CrmPageResult page, int failed) =>
        new(Read + read, Created + page.Created, Updated + page.Updated, Removed + page.Removed, Failed + page.Failed + failed, FullRead);

    public override string ToString() =>
        $"read {Read}, created {Created}, updated {Updated}, removed {Removed}, failed {Failed}{(FullRead ? " (full read)" : "")}";
}

/// <summary>What one run did with the moves Dynamics users requested.</summary>
public sealed record RequestCounts(int Applied, int Refused)
{
    public static readonly RequestCounts None = new(0, 0);

    public override string ToString() => $"applied {Applied}, refused {Refused}";
}

public sealed record DataverseSyncResult(SyncCounts Accounts, SyncCounts Contacts)
{
    /// <summary>Phone calls, appointments and notes Dynamics users logged, taken onto the timeline (none without an activity store).</summary>
    public DynamicsActivityResult Activities { get; init; } = new(0, 0, 0, 0);

    /// <summary>Stage moves requested in Dynamics that this run answered (none without <see cref="DynamicsInbound"/>).</summary>
    public RequestCounts StageRequests { get; init; } = RequestCounts.None;

    public override string ToString() =>
        $"Accounts: {Accounts}. Contacts: {Contacts}." + (StageRequests == RequestCounts.None ? "" : $" Stage requests: {StageRequests}.");
}

/// <summary>
/// Incremental sync of Dataverse accounts and contacts into the local store, accounts first (contacts need their account).
/// Each page is committed with the link that follows it, so a crash resumes at the next page; an expired delta token
/// starts a full read, whose end marks rows it did not see as removed, so it converges to the same state.
/// With <paramref name="inbound"/> (as the host wires it) each account page also starts the prospects its covenants ask for,
/// and the stage change table is read the same way for moves Dynamics users requested, each answered by Outreach's rules.
/// </summary>
public sealed partial class DataverseSync(DataverseClient client, ICrmSyncStore store, TimeProvider clock, ILogger<DataverseSync> logger, DynamicsInbound? inbound = null,
    IDynamicsActivityStore? activities = null)
{
    public async Task<DataverseSyncResult> RunAsync(IJobProgress progress, CancellationToken ct)
    {
        // Who is who in Dynamics is read afresh each run (one run at a time: the sync's lease).
        users.Clear();
        var directory = inbound is null ? null : await inbound.DirectoryAsync(ct) with { Self = await SelfAsync(ct) };
        var accountsState = await store.GetStateAsync(CrmTable.Accounts, ct);
        var contactsState = await store.GetStateAsync(CrmTable.Contacts, ct);
        // A long first sync shows "rows so far of total" ($count; Dataverse caps it at 5,000, so the total may grow).
        long? total = null;
        if (NeedsFullRead(accountsState) || NeedsFullRead(contactsState))
        {
            try
            {
                total = (NeedsFullRead(accountsState) ? await client.CountAsync(Account.EntitySet, ct) : 0)
                    + (NeedsFullRead(contactsState) ? await client.CountAsync(Contact.EntitySet, ct) : 0);
            }
            catch (Exception ex) when (ex is DataverseException or HttpRequestException or FormatException or OverflowException)
            {
                // The total only feeds the progress display: without it the run shows rows so far, and the sync goes on.
                LogCountFailed(logger, ex);
            }
        }

        var tracker = new Progress(progress, total);
        var accounts = await SyncTableAsync(CrmTable.Accounts, accountsState, Account.EntitySet, Account.SyncColumns, tracker, directory, ct);
        var contacts = await SyncTableAsync(CrmTable.Contacts, contactsState, Contact.EntitySet, Contact.SyncColumns, tracker, directory, ct);
        var requests = inbound is null || directory is null ? RequestCounts.None : await SyncStageRequestsAsync(inbound, directory, ct);
        var read = activities is null ? new DynamicsActivityResult(0, 0, 0, 0) : await SyncActivitiesAsync(activities, directory?.Self ?? await SelfAsync(ct), ct);
        await tracker.FinishAsync(ct);
        return new DataverseSyncResult(accounts, contacts) { StageRequests = requests, Activities = read };
    }

    /// <summary>
    /// Reads the phone calls and appointments (change tracking, as accounts) and the notes (a modifiedon watermark: Outreach
    /// does not count on change tracking for annotations) Dynamics users logged, onto the timeline of the account's prospect.
    /// Rows Outreach's own application user wrote are passed over here, and rows under an Outreach activity's id in the store:
    /// what Outreach wrote back is never read in again (no echo), on a delta and on a full read alike.
    /// </summary>
    private async Task<DynamicsActivityResult> SyncActivitiesAsync(IDynamicsActivityStore target, Guid? self, CancellationToken ct)
    {
        var total = new DynamicsActivityResult(0, 0, 0, 0);
        foreach (var (table, set, columns) in new[]
                 {
                     (CrmTable.PhoneCalls, PhoneCallActivity.EntitySet, PhoneCallActivity.SyncColumns),
                     (CrmTable.Appointments, AppointmentActivity.EntitySet, AppointmentActivity.SyncColumns),
                 })
        {
            var state = await store.GetStateAsync(table, ct);
            // Rows are kept by their Dynamics id, so reading every row again (an expired delta link) adds none twice.
            await ReadChangesAsync(set, columns, state.NextLink ?? state.DeltaLink, _ => Task.CompletedTask, async (page, token) =>
            {
                var rows = await ActivitiesAsync(table, page.Rows, self, token);
                total = Add(total, await target.ApplyDynamicsAsync(table, rows, page.Deleted, page.NextLink, page.DeltaLink, clock.GetUtcNow(), token));
            }, ct);
        }

        // Notes: ordered by modifiedon; the next run starts at the latest one seen (ge: a note changed in the same instant is
        // read again rather than missed; applying it again changes nothing). A note deleted in Dynamics is not seen this way.
        var notes = await store.GetStateAsync(CrmTable.Notes, ct);
        var notesLink = notes.NextLink ?? notes.DeltaLink ?? NotesQuery(null);
        DateTimeOffset? latest = null;
        while (true)
        {
            var page = await client.GetPageAsync(notesLink, trackChanges: false, ct);
            foreach (var row in page.Rows)
            {
                if (Instant(Text(row, NoteAnnotation.ModifiedOn)) is { } modified && (latest is null || modified > latest)) latest = modified;
            }

            var rows = await ActivitiesAsync(CrmTable.Notes, page.Rows, self, ct);
            var next = page.NextLink is null ? (latest is { } watermark ? NotesQuery(watermark) : notes.DeltaLink ?? NotesQuery(null)) : null;
            total = Add(total, await target.ApplyDynamicsAsync(CrmTable.Notes, rows, [], page.NextLink, next, clock.GetUtcNow(), ct));
            if (page.NextLink is null) break;
            notesLink = page.NextLink;
        }

        LogActivities(logger, total.Added, total.Updated, total.Removed, total.Skipped);
        return total;
    }

    private string NotesQuery(DateTimeOffset? since) =>
        client.ChangesQuery(NoteAnnotation.EntitySet, NoteAnnotation.SyncColumns).AbsoluteUri
        + (since is { } at ? $"&$filter={NoteAnnotation.ModifiedOn} ge {at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}" : "")
        + $"&$orderby={NoteAnnotation.ModifiedOn} asc";

    private static DynamicsActivityResult Add(DynamicsActivityResult a, DynamicsActivityResult b) =>
        new(a.Added + b.Added, a.Updated + b.Updated, a.Removed + b.Removed, a.Skipped + b.Skipped);

    /// <summary>The page's rows as activities: not those Outreach's own user wrote, nor those about nothing.</summary>
    private async Task<IReadOnlyList<DynamicsActivity>> ActivitiesAsync(CrmTable table, IReadOnlyList<JsonElement> rows, Guid? self, CancellationToken ct)
    {
        var result = new List<DynamicsActivity>(rows.Count);
        foreach (var row in rows)
        {
            Guid? by = TryGuid(row, PhoneCallActivity.CreatedByValue, out var u) ? u : null;
            if (by is not null && by == self) continue;
            CrmUser? author = null;
            if (by is { } userId && !users.TryGetValue(userId, out author))
            {
                author = await UserAsync(userId, ct);
                users[userId] = author;
            }

            if (ToActivity(table, row, author?.FullName ?? "Dynamics user", clock.GetUtcNow()) is { } activity) result.Add(activity);
        }

        return result;
    }

    /// <summary>A phone call, appointment or note row as an activity; null without an id or a regarding row.</summary>
    internal static DynamicsActivity? ToActivity(CrmTable table, JsonElement row, string author, DateTimeOffset now)
    {
        static string Join(string? subject, string? body) =>
            string.Join("\n", new[] { subject, body }.Where(x => !string.IsNullOrWhiteSpace(x)).Select(x => x!.Trim()));
        static int? Int(JsonElement row, string name) => row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
        switch (table)
        {
            case CrmTable.PhoneCalls:
                if (!TryGuid(row, PhoneCallActivity.Id, out var call) || !TryGuid(row, PhoneCallActivity.RegardingValue, out var callAbout)) return null;
                CallDirection? direction = row.TryGetProperty(PhoneCallActivity.Direction, out var d) && d.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? (d.GetBoolean() ? CallDirection.Outgoing : CallDirection.Incoming) : null;
                return new DynamicsActivity(call, ActivityKind.Call, callAbout,
                    Instant(Text(row, PhoneCallActivity.ActualStart)) ?? Instant(Text(row, PhoneCallActivity.ActualEnd)) ?? now,
                    Join(Text(row, PhoneCallActivity.Subject), Text(row, PhoneCallActivity.Description)), direction, Int(row, PhoneCallActivity.Duration), null, author);
            case CrmTable.Appointments:
                if (!TryGuid(row, AppointmentActivity.Id, out var meeting) || !TryGuid(row, AppointmentActivity.RegardingValue, out var meetingAbout)) return null;
                return new DynamicsActivity(meeting, ActivityKind.Meeting, meetingAbout, Instant(Text(row, AppointmentActivity.ScheduledStart)) ?? now,
                    Join(Text(row, AppointmentActivity.Subject), Text(row, AppointmentActivity.Description)), null, Int(row, AppointmentActivity.Duration),
                    Text(row, AppointmentActivity.Location), author);
            default:
                if (!TryGuid(row, NoteAnnotation.Id, out var note) || !TryGuid(row, NoteAnnotation.ObjectValue, out var noteAbout)) return null;
                return new DynamicsActivity(note, ActivityKind.Note, noteAbout, Instant(Text(row, NoteAnnotation.CreatedOn)) ?? now,
                    Join(Text(row, NoteAnnotation.Subject), Text(row, NoteAnnotation.Text)), null, null, null, author);
        }
    }

    private static DateTimeOffset? Instant(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;

    /// <summary>
    /// Reads the stage change table (change tracking, like the mirrored tables) and answers every row a Dynamics user created
    /// with status requested that has no answer yet. Rows Outreach wrote (recorded) and rows it answered (applied, refused)
    /// come back in the delta too and are passed over: Outreach never re-applies its own writes. Each page's link is stored
    /// after its requests are answered; a crash in between reads the page again and skips the answered ones.
    /// </summary>
    private async Task<RequestCounts> SyncStageRequestsAsync(DynamicsInbound requests, DynamicsDirectory directory, CancellationToken ct)
    {
        var state = await store.GetStateAsync(CrmTable.StageChanges, ct);
        if (state.NextLink is null && state.DeltaLink is null) state = await store.StartFullReadAsync(CrmTable.StageChanges, clock.GetUtcNow(), ct);
        var counts = RequestCounts.None;
        // Answered requests are kept by key, so reading every row again (an expired delta link) applies none twice.
        await ReadChangesAsync(StageChangeTable.EntitySet, StageChangeTable.SyncColumns, state.NextLink ?? state.DeltaLink,
            token => store.StartFullReadAsync(CrmTable.StageChanges, clock.GetUtcNow(), token), async (page, token) =>
            {
                foreach (var row in page.Rows)
                {
                    if (ToStageRequest(row) is not { } request) continue;
                    CrmUser? requester = null;
                    if (request.RequestedBy is { } userId && !users.TryGetValue(userId, out requester))
                    {
                        requester = await UserAsync(userId, token);
                        users[userId] = requester;
                    }

                    var outcome = await requests.ApplyStageRequestAsync(directory, request, requester, token);
                    if (outcome is CrmRequestOutcome.Applied) counts = counts with { Applied = counts.Applied + 1 };
                    else if (outcome is CrmRequestOutcome.Refused) counts = counts with { Refused = counts.Refused + 1 };
                    if (outcome is { } answered) LogRequest(logger, request.Id, answered);
                }

                await requests.SaveStageChangeLinksAsync(page.NextLink, page.DeltaLink, token);
            }, ct);

        return counts;
    }

    /// <summary>Outreach's own Dataverse user; null (next actions edited in Dynamics are then not taken in) when WhoAmI fails.</summary>
    private async Task<Guid?> SelfAsync(CancellationToken ct)
    {
        try
        {
            return await client.WhoAmIAsync(ct);
        }
        catch (DataverseException ex)
        {
            LogWhoAmIFailed(logger, ex);
            return null;
        }
    }

    /// <summary>Dynamics users read this run (requesters and editors), by id.</summary>
    private readonly Dictionary<Guid, CrmUser?> users = [];

    /// <summary>Who last changed each account with a covenant, when a Dynamics user did (each user read once per sync object).</summary>
    private async Task<IReadOnlyDictionary<Guid, CrmUser?>> EditorsAsync(IReadOnlyList<CrmAccount> rows, Guid? self, CancellationToken ct)
    {
        if (self is null) return new Dictionary<Guid, CrmUser?>();
        foreach (var id in rows.Where(r => !string.IsNullOrWhiteSpace(r.CovenantCode)).Select(r => r.ModifiedBy).OfType<Guid>().Where(by => by != self).Distinct())
        {
            if (!users.ContainsKey(id)) users[id] = await UserAsync(id, ct);
        }

        return users;
    }

    /// <summary>The Dynamics user by id; null when Dataverse does not have them (the request is then made by "Dynamics: unknown user").</summary>
    private async Task<CrmUser?> UserAsync(Guid id, CancellationToken ct)
    {
        try
        {
            var page = await client.GetPageAsync(client.UserQuery(id).AbsoluteUri, trackChanges: false, ct);
            return page.Rows.Count == 0 ? null : ToUser(page.Rows[0]);
        }
        catch (DataverseException ex)
        {
            LogUserFailed(logger, id, ex);
            return null;
        }
    }

    /// <summary>A requested move (status requested), or null for every other row: Outreach's own (recorded) and answered ones.</summary>
    internal static CrmStageRequest? ToStageRequest(JsonElement row)
    {
        if (!TryGuid(row, StageChangeTable.Id, out var id)) return null;
        if (!row.TryGetProperty(StageChangeTable.RequestStatus, out var status) || status.ValueKind != JsonValueKind.Number
            || status.GetInt32() != RequestStatusValue.Requested) return null;
        Guid? account = TryGuid(row, StageChangeTable.AccountValue, out var a) ? a : null;
        Guid? by = TryGuid(row, StageChangeTable.CreatedByValue, out var u) ? u : null;
        Stage? to = row.TryGetProperty(StageChangeTable.ToStage, out var stage) && stage.ValueKind == JsonValueKind.Number ? StageOf(stage.GetInt32()) : null;
        var revisit = Date(Text(row, StageChangeTable.RevisitOn));
        return new CrmStageRequest(id, account, Text(row, StageChangeTable.Covenant), to, Text(row, StageChangeTable.Reason), revisit, by);
    }

    /// <summary>A date-only column ("2026-11-10"; a date and time is cut to its date).</summary>
    private static DateOnly? Date(string? text) =>
        text is not null && DateOnly.TryParseExact(text.Length > 10 ? text[..10] : text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    internal static CrmUser? ToUser(JsonElement row) =>
        TryGuid(row, SystemUser.Id, out var id) ? new CrmUser(id, Text(row, SystemUser.FullName) ?? "", Text(row, SystemUser.Email), Text(row, SystemUser.DomainName)) : null;

    private static bool NeedsFullRead(CrmSyncState state) => state.FullReadInProgress || (state.NextLink is null && state.DeltaLink is null);

    private async Task<SyncCounts> SyncTableAsync(CrmTable table, CrmSyncState state, string entitySet, IReadOnlyList<string> columns, Progress progress,
        DynamicsDirectory? directory, CancellationToken ct)
    {
        var counts = SyncCounts.None with { FullRead = NeedsFullRead(state) };
        if (state.NextLink is null && state.DeltaLink is null)
            state = await store.StartFullReadAsync(table, clock.GetUtcNow(), ct);
        // The service keeps change history for a limited time (7 days by default); an expired delta link starts over with a full read.
        await ReadChangesAsync(entitySet, columns, state.NextLink ?? state.DeltaLink, async token =>
        {
            await store.StartFullReadAsync(table, clock.GetUtcNow(), token);
            counts = counts with { FullRead = true };
        }, async (page, token) =>
        {
            var (result, failed) = await ApplyPageAsync(table, page, directory, token);
            counts = counts.Add(page.Rows.Count + page.Deleted.Count, result, failed);
            await progress.AddAsync(page.Rows.Count + page.Deleted.Count, token);
        }, ct);

        LogTable(logger, entitySet, counts.Read, counts.Created, counts.Updated, counts.Removed, counts.Failed);
        return counts;
    }

    /// <summary>One page of accounts or contacts applied; with how many of its rows could not be read.</summary>
    private async Task<(CrmPageResult Result, int Failed)> ApplyPageAsync(CrmTable table, DataversePage page, DynamicsDirectory? directory, CancellationToken ct)
    {
        var failed = 0;
        CrmPageResult result;
        if (table == CrmTable.Accounts)
        {
            var rows = new List<CrmAccount>(page.Rows.Count);
            foreach (var row in page.Rows)
            {
                if (ToAccount(row) is { } account) rows.Add(account);
                else failed++;
            }

            result = inbound is not null && directory is not null
                ? await inbound.ApplyAccountsAsync(directory, rows, page.Deleted, page.NextLink, page.DeltaLink, await EditorsAsync(rows, directory.Self, ct), ct)
                : await store.ApplyAccountsAsync(rows, page.Deleted, page.NextLink, page.DeltaLink, clock.GetUtcNow(), ct);
        }
        else
        {
            var rows = new List<CrmContact>(page.Rows.Count);
            foreach (var row in page.Rows)
            {
                if (ToContact(row) is { } contact) rows.Add(contact);
                else failed++;
            }

            result = await store.ApplyContactsAsync(rows, page.Deleted, page.NextLink, page.DeltaLink, clock.GetUtcNow(), ct);
        }

        return (result, failed);
    }

    /// <summary>
    /// Reads a change-tracked entity set page by page from <paramref name="link"/> (null: from the start) and hands each page to
    /// <paramref name="onPage"/> until the last. A delta link that expired is answered once: logged, <paramref name="restart"/>
    /// run, and the set read from the start.
    /// </summary>
    private async Task ReadChangesAsync(string entitySet, IReadOnlyList<string> columns, string? link, Func<CancellationToken, Task> restart,
        Func<DataversePage, CancellationToken, Task> onPage, CancellationToken ct)
    {
        var next = link ?? client.ChangesQuery(entitySet, columns).AbsoluteUri;
        var restarted = false;
        while (true)
        {
            DataversePage page;
            try
            {
                page = await client.GetPageAsync(next, trackChanges: true, ct);
            }
            catch (DataverseDeltaExpiredException ex) when (!restarted)
            {
                LogExpired(logger, entitySet, ex.Code ?? "");
                restarted = true;
                await restart(ct);
                next = client.ChangesQuery(entitySet, columns).AbsoluteUri;
                continue;
            }

            await onPage(page, ct);
            if (page.NextLink is null) return;
            next = page.NextLink;
        }
    }

    internal static CrmAccount? ToAccount(JsonElement row)
    {
        if (!TryGuid(row, Account.Id, out var id)) return null;
        return new CrmAccount(id, Text(row, Account.Name) ?? "", Text(row, Account.Website), Text(row, Account.AddressLine), Text(row, Account.PostalCode),
            Text(row, Account.City), Text(row, Account.Country), Text(row, Account.KvkNumber), Text(row, Account.OutreachOwner), Text(row, Account.Covenant))
        {
            FirstStage = row.TryGetProperty(Account.FirstStage, out var first) && first.ValueKind == JsonValueKind.Number ? StageOf(first.GetInt32()) : null,
            NextAction = Text(row, Account.NextAction),
            NextActionDue = Date(Text(row, Account.NextActionDue)),
            ModifiedBy = TryGuid(row, Account.ModifiedByValue, out var by) ? by : null,
        };
    }

    internal static CrmContact? ToContact(JsonElement row)
    {
        if (!TryGuid(row, Contact.Id, out var id)) return null;
        Guid? account = TryGuid(row, Contact.ParentCustomerValue, out var parent) ? parent : null;
        var optedOut = row.TryGetProperty(Contact.OptedOut, out var flag) && flag.ValueKind == JsonValueKind.True;
        DateTimeOffset? optedOutOn = Text(row, Contact.OptedOutOn) is { } on
            && DateTimeOffset.TryParse(on, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when) ? when : null;
        return new CrmContact(id, account, Text(row, Contact.FullName) ?? "", Text(row, Contact.Email), Text(row, Contact.JobTitle), optedOut, optedOutOn);
    }

    private static string? Text(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool TryGuid(JsonElement row, string name, out Guid id)
    {
        id = default;
        return row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetGuid(out id);
    }

    private sealed class Progress(IJobProgress progress, long? total)
    {
        private long done;

        public Task AddAsync(long rows, CancellationToken ct)
        {
            done += rows;
            return progress.ReportAsync(done, total is { } t && t >= done ? t : null, ct);
        }

        public Task FinishAsync(CancellationToken ct) => progress.ReportAsync(done, done, ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataverse activities read in: added {Added}, updated {Updated}, removed {Removed}, passed over {Skipped}")]
    private static partial void LogActivities(ILogger logger, int added, int updated, int removed, int skipped);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stage move {RequestId} requested in Dynamics: {Outcome}")]
    private static partial void LogRequest(ILogger logger, Guid requestId, CrmRequestOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dataverse user {UserId} could not be read; the request is recorded as by an unknown Dynamics user")]
    private static partial void LogUserFailed(ILogger logger, Guid userId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dataverse WhoAmI failed; next actions edited in Dynamics are not taken in this run")]
    private static partial void LogWhoAmIFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dataverse $count failed; the sync goes on without a progress total")]
    private static partial void LogCountFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dataverse delta token for {EntitySet} expired ({Code}); starting a full read")]
    private static partial void LogExpired(ILogger logger, string entitySet, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataverse sync {EntitySet}: read {Read}, created {Created}, updated {Updated}, removed {Removed}, failed {Failed}")]
    private static partial void LogTable(ILogger logger, string entitySet, long read, int created, int updated, int removed, int failed);
}
