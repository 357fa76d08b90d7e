using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Outreach.Core.Crm;
using Outreach.Core.Pipeline;
using static Outreach.Dataverse.DataverseSchema;

namespace Outreach.Dataverse;

/// <summary>What one write-back pass did.</summary>
public sealed record WriteBackCounts(int Sent, int Failed, int Requests)
{
    public override string ToString() => $"sent {Sent}, failed {Failed}, in {Requests} $batch requests";
}

/// <summary>
/// Sends the write-back outbox to Dataverse, ten change sets per $batch request (Microsoft's advice is small batches), each
/// atomic. A stage change or next action: the account's pipeline stage and next action and, for a stage change, a task on
/// the account's timeline plus an otr_stagechange row. A network event: an upsert of its otr_networkevent row. An
/// invitation: an upsert of its otr_invitation row, bound to the event and the contact. Every id written is derived from a
/// key (KeyedId) and written by upsert (PATCH), so a resend after a crash updates instead of creating a second row.
/// Events and invitations are sent as they are now (read with the outbox rows): several rows for the same one in a pass go
/// as one upsert, and an event is written before the first of its invitations in the pass (in the same change set when
/// the pass holds no row for the event itself), so an invitation never points at an event Dynamics does not have.
/// </summary>
public sealed partial class DataverseWriteBack(DataverseClient client, IWriteBackOutbox outbox, TimeProvider clock, ILogger<DataverseWriteBack> logger, OutreachLinks? links = null)
{
    public const int ItemsPerBatch = 10;

    /// <summary>One change set and the outbox rows it settles.</summary>
    private sealed record Unit(string Target, List<WriteBackItem> Items, IReadOnlyList<BatchOperation> Operations, string? EventWritten);

    public async Task<WriteBackCounts> SendPendingAsync(CancellationToken ct)
    {
        var sent = 0;
        var failed = 0;
        var requests = 0;
        long after = 0;
        while (true)
        {
            var items = await outbox.PendingAsync(after, 100, ct);
            if (items.Count == 0) break;
            after = items[^1].Id;
            // Per page: what was written (its later rows are settled without sending again) and what failed (left for the next run).
            var written = new HashSet<string>(StringComparer.Ordinal);
            var failedTargets = new HashSet<string>(StringComparer.Ordinal);
            var done = new List<long>();
            var queue = new Queue<WriteBackItem>(items);
            while (queue.Count > 0)
            {
                var units = new List<Unit>();
                var inBatch = new Dictionary<string, Unit>(StringComparer.Ordinal);
                while (queue.Count > 0 && units.Count < ItemsPerBatch)
                {
                    var item = queue.Dequeue();
                    var target = Target(item);
                    if (written.Contains(target))
                    {
                        done.Add(item.Id);
                        continue;
                    }

                    if (failedTargets.Contains(target)) continue;
                    if (inBatch.TryGetValue(target, out var same))
                    {
                        same.Items.Add(item);
                        continue;
                    }

                    var eventReady = item is InvitationWriteBack i && (written.Contains(EventTarget(i.Event)) || inBatch.ContainsKey(EventTarget(i.Event)));
                    var unit = new Unit(target, [item], Operations(item, eventReady, links), item switch
                    {
                        EventWriteBack e => EventTarget(e.Event),
                        InvitationWriteBack v when !eventReady => EventTarget(v.Event),
                        _ => null,
                    });
                    units.Add(unit);
                    inBatch[target] = unit;
                    if (unit.EventWritten is { } eventTarget) inBatch.TryAdd(eventTarget, unit);
                }

                if (units.Count == 0) continue;
                var results = await client.BatchAsync(units.Select(u => u.Operations).ToList(), ct);
                requests++;
                for (var n = 0; n < units.Count; n++)
                {
                    var unit = units[n];
                    if (results[n].Succeeded)
                    {
                        written.Add(unit.Target);
                        if (unit.EventWritten is { } eventTarget) written.Add(eventTarget);
                        done.AddRange(unit.Items.Select(x => x.Id));
                    }
                    else if (results[n].Error is { } error)
                    {
                        failedTargets.Add(unit.Target);
                        foreach (var item in unit.Items)
                        {
                            failed++;
                            LogFailed(logger, item.Key, error.Message);
                            await outbox.MarkFailedAsync(item.Id, error.Message, ct);
                        }
                    }
                    else
                    {
                        // Not attempted (an earlier change set failed): stays pending for the next run, no attempt counted.
                        failedTargets.Add(unit.Target);
                    }
                }

                await outbox.MarkSentAsync(done, clock.GetUtcNow(), ct);
                sent += done.Count;
                done.Clear();
            }

            await outbox.MarkSentAsync(done, clock.GetUtcNow(), ct);
            sent += done.Count;
        }

        return new WriteBackCounts(sent, failed, requests);
    }

    /// <summary>What a row writes: rows with the same target send the same current state, so one upsert settles them all.</summary>
    private static string Target(WriteBackItem item) => item switch
    {
        EventWriteBack e => EventTarget(e.Event),
        InvitationWriteBack i => $"invitation:{i.Invitation.Id}",
        // Each stage change and next action is its own timeline entry: never merged.
        _ => $"item:{item.Id}",
    };

    private static string EventTarget(WriteBackEvent e) => $"event:{e.Uid}";

    /// <summary>The change set for one item; an invitation carries its event's upsert first unless the event is written already.</summary>
    internal static IReadOnlyList<BatchOperation> Operations(WriteBackItem item, bool eventWritten = false, OutreachLinks? links = null) => item switch
    {
        AccountWriteBack account => AccountOperations(account, links),
        EventWriteBack e => [EventOperation(e.Event)],
        InvitationWriteBack i => eventWritten ? [InvitationOperation(i.Event, i.Invitation)] : [EventOperation(i.Event), InvitationOperation(i.Event, i.Invitation)],
        _ => throw new ArgumentOutOfRangeException(nameof(item), item.GetType().Name, "Unknown write-back item."),
    };

    /// <summary>The network event's Dataverse id: from its iCalendar UID, which is unique across Outreach databases.</summary>
    public static Guid EventId(WriteBackEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return KeyedId(e.Uid, "networkevent");
    }

    public static Guid InvitationId(WriteBackEvent e, WriteBackInvitation invitation)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitation);
        return KeyedId($"{e.Uid}/invitation:{invitation.Id.ToString(CultureInfo.InvariantCulture)}", "invitation");
    }

    private static BatchOperation EventOperation(WriteBackEvent e) =>
        new(HttpMethod.Patch, $"{NetworkEventTable.EntitySet}({EventId(e):D})", new JsonObject
        {
            [NetworkEventTable.Name] = Limit(e.Title, 200),
            [NetworkEventTable.StartsOn] = Instant(e.StartsAt),
            [NetworkEventTable.EndsOn] = Instant(e.EndsAt),
            [NetworkEventTable.Format] = ChoiceValue(e.Format),
            [NetworkEventTable.Status] = ChoiceValue(e.Status),
            [NetworkEventTable.Venue] = e.Venue is null ? null : Limit(e.Venue, 400),
            [NetworkEventTable.Capacity] = e.Capacity,
            [NetworkEventTable.RegistrationDeadline] = Instant(e.RegistrationDeadline),
            [NetworkEventTable.Covenant] = e.CovenantCode,
            // null unlinks: a host that is not (or no longer) a Dynamics account.
            [NetworkEventTable.HostAccountBind] = e.HostAccountId is { } host ? $"/{Account.EntitySet}({host:D})" : null,
        });

    private static BatchOperation InvitationOperation(WriteBackEvent e, WriteBackInvitation i) =>
        new(HttpMethod.Patch, $"{InvitationTable.EntitySet}({InvitationId(e, i):D})", new JsonObject
        {
            // An erased person's name is never sent (nor kept: the upsert replaces it).
            [InvitationTable.Name] = Limit($"{i.ContactName ?? "Erased contact"} · {e.Title}", 200),
            [InvitationTable.NetworkEventBind] = $"/{NetworkEventTable.EntitySet}({EventId(e):D})",
            // null unlinks an erased person (and a contact deleted in Dynamics, which a link would fail on).
            [InvitationTable.ContactBind] = i.ContactId is { } contact ? $"/{Contact.EntitySet}({contact:D})" : null,
            // The person's account, for the account form's invitations sub-grid; null unlinks (erased, or the account was deleted).
            [InvitationTable.AccountBind] = i.AccountId is { } account ? $"/{Account.EntitySet}({account:D})" : null,
            [InvitationTable.Response] = ChoiceValue(i.Response),
            [InvitationTable.RespondedOn] = i.RespondedAt is { } responded ? Instant(responded) : null,
            [InvitationTable.Place] = ChoiceValue(i.Place),
            [InvitationTable.WaitlistPosition] = i.WaitlistPosition,
            [InvitationTable.PlaceOfferedUntil] = i.PlaceOfferedUntil is { } until ? Instant(until) : null,
            [InvitationTable.CheckedInOn] = i.CheckedInAt is { } checkedIn ? Instant(checkedIn) : null,
            [InvitationTable.AttendedOnline] = i.AttendedOnline,
            [InvitationTable.Attended] = i.Attended,
            [InvitationTable.WalkIn] = i.WalkIn,
            [InvitationTable.InvitedOn] = Instant(i.InvitedAt),
        });

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Limit(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    /// <summary>The change set for a stage change or next action.</summary>
    private static List<BatchOperation> AccountOperations(AccountWriteBack item, OutreachLinks? links)
    {
        var account = new JsonObject
        {
            [Account.PipelineStage] = StageValue(item.Stage),
            [Account.PipelineStageSince] = Instant(item.StageSince),
            [Account.Covenant] = item.CovenantCode,
            [Account.NextAction] = item.NextAction,
            [Account.NextActionDue] = item.NextActionDue?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        // The link follows the prospect whose stage the account now shows.
        if (links is not null && item.ProspectId is { } prospect) account[Account.OutreachUrl] = links.Prospect(prospect);
        // If-Match: * updates only: an account deleted in Dataverse is not re-created by a write-back.
        var operations = new List<BatchOperation> { new(HttpMethod.Patch, $"{Account.EntitySet}({item.AccountId:D})", account, IfMatch: "*") };
        if (item.Change is { } change)
        {
            var subject = change.From is { } from ? $"Pipeline stage: {from.Label()} → {change.To.Label()}" : $"Pipeline stage: {change.To.Label()}";
            operations.Add(new BatchOperation(HttpMethod.Patch, $"{TaskActivity.EntitySet}({KeyedId(item.Key, "task"):D})", new JsonObject
            {
                [TaskActivity.Subject] = subject,
                [TaskActivity.Description] = $"{change.Reason}\n\n({change.By}, covenant {item.CovenantCode}, recorded by Outreach)",
                [TaskActivity.RegardingAccountBind] = $"/{Account.EntitySet}({item.AccountId:D})",
            }));
            var stageChange = new JsonObject
            {
                [StageChangeTable.Name] = subject,
                [StageChangeTable.AccountBind] = $"/{Account.EntitySet}({item.AccountId:D})",
                [StageChangeTable.ToStage] = StageValue(change.To),
                [StageChangeTable.ChangedOn] = Instant(change.At),
                [StageChangeTable.ChangedBy] = change.By,
                [StageChangeTable.Reason] = change.Reason,
            };
            if (change.From is { } previous) stageChange[StageChangeTable.FromStage] = StageValue(previous);
            operations.Add(new BatchOperation(HttpMethod.Patch, $"{StageChangeTable.EntitySet}({KeyedId(item.Key, "stagechange"):D})", stageChange));
        }

        return operations;
    }

    /// <summary>A stable id from the idempotency key (name-based, like a version-5 UUID but with SHA-256).</summary>
    public static Guid KeyedId(string key, string purpose)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"outreach:{purpose}:{key}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dataverse write-back {Key} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string key, string reason);
}
