using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Outreach.Core.Crm;
using Outreach.Core.Jobs;
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

public sealed record DataverseSyncResult(SyncCounts Accounts, SyncCounts Contacts)
{
    public override string ToString() => $"Accounts: {Accounts}. Contacts: {Contacts}.";
}

/// <summary>
/// Incremental sync of Dataverse accounts and contacts into the local store, accounts first (contacts need their account).
/// Each page is committed with the link that follows it, so a crash resumes at the next page; an expired delta token
/// starts a full read, whose end marks rows it did not see as removed, so it converges to the same state.
/// </summary>
public sealed partial class DataverseSync(DataverseClient client, ICrmSyncStore store, TimeProvider clock, ILogger<DataverseSync> logger)
{
    public async Task<DataverseSyncResult> RunAsync(IJobProgress progress, CancellationToken ct)
    {
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
        var accounts = await SyncTableAsync(CrmTable.Accounts, accountsState, Account.EntitySet, Account.SyncColumns, tracker, ct);
        var contacts = await SyncTableAsync(CrmTable.Contacts, contactsState, Contact.EntitySet, Contact.SyncColumns, tracker, ct);
        await tracker.FinishAsync(ct);
        return new DataverseSyncResult(accounts, contacts);
    }

    private static bool NeedsFullRead(CrmSyncState state) => state.FullReadInProgress || (state.NextLink is null && state.DeltaLink is null);

    private async Task<SyncCounts> SyncTableAsync(CrmTable table, CrmSyncState state, string entitySet, IReadOnlyList<string> columns, Progress progress, CancellationToken ct)
    {
        var counts = SyncCounts.None with { FullRead = NeedsFullRead(state) };
        if (state.NextLink is null && state.DeltaLink is null)
            state = await store.StartFullReadAsync(table, clock.GetUtcNow(), ct);
        var link = state.NextLink ?? state.DeltaLink ?? client.ChangesQuery(entitySet, columns).AbsoluteUri;
        var restarted = false;
        while (true)
        {
            DataversePage page;
            try
            {
                page = await client.GetPageAsync(link, trackChanges: true, ct);
            }
            catch (DataverseDeltaExpiredException ex) when (!restarted)
            {
                // The service keeps change history for a limited time (7 days by default); start over with a full read.
                LogExpired(logger, entitySet, ex.Code ?? "");
                restarted = true;
                await store.StartFullReadAsync(table, clock.GetUtcNow(), ct);
                counts = counts with { FullRead = true };
                link = client.ChangesQuery(entitySet, columns).AbsoluteUri;
                continue;
            }

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

                result = await store.ApplyAccountsAsync(rows, page.Deleted, page.NextLink, page.DeltaLink, clock.GetUtcNow(), ct);
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

            counts = counts.Add(page.Rows.Count + page.Deleted.Count, result, failed);
            await progress.AddAsync(page.Rows.Count + page.Deleted.Count, ct);
            if (page.NextLink is null) break;
            link = page.NextLink;
        }

        LogTable(logger, entitySet, counts.Read, counts.Created, counts.Updated, counts.Removed, counts.Failed);
        return counts;
    }

    internal static CrmAccount? ToAccount(JsonElement row)
    {
        if (!TryGuid(row, Account.Id, out var id)) return null;
        return new CrmAccount(id, Text(row, Account.Name) ?? "", Text(row, Account.Website), Text(row, Account.AddressLine), Text(row, Account.PostalCode),
            Text(row, Account.City), Text(row, Account.Country), Text(row, Account.KvkNumber), Text(row, Account.OutreachOwner), Text(row, Account.Covenant));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dataverse $count failed; the sync goes on without a progress total")]
    private static partial void LogCountFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dataverse delta token for {EntitySet} expired ({Code}); starting a full read")]
    private static partial void LogExpired(ILogger logger, string entitySet, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataverse sync {EntitySet}: read {Read}, created {Created}, updated {Updated}, removed {Removed}, failed {Failed}")]
    private static partial void LogTable(ILogger logger, string entitySet, long read, int created, int updated, int removed, int failed);
}
