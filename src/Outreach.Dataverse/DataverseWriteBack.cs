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
/// Sends the write-back outbox to Dataverse: per item one atomic change set with the account's pipeline stage and next
/// action and, for a stage change, a task on the account's timeline plus an otr_stagechange row. Ten items go in one
/// $batch request (Microsoft's advice is small batches). The task and stage-change ids are derived from the item's
/// idempotency key and written by upsert (PATCH), so a resend after a crash updates them instead of creating a second.
/// </summary>
public sealed partial class DataverseWriteBack(DataverseClient client, IWriteBackOutbox outbox, TimeProvider clock, ILogger<DataverseWriteBack> logger)
{
    public const int ItemsPerBatch = 10;

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
            foreach (var chunk in items.Chunk(ItemsPerBatch))
            {
                var results = await client.BatchAsync(chunk.Select(Operations).ToList(), ct);
                requests++;
                var ok = new List<long>();
                for (var i = 0; i < chunk.Length; i++)
                {
                    if (results[i].Succeeded)
                    {
                        ok.Add(chunk[i].Id);
                    }
                    else if (results[i].Error is { } error)
                    {
                        failed++;
                        LogFailed(logger, chunk[i].Key, error.Message);
                        await outbox.MarkFailedAsync(chunk[i].Id, error.Message, ct);
                    }

                    // Not attempted (an earlier change set failed): stays pending for the next run, no attempt counted.
                }

                await outbox.MarkSentAsync(ok, clock.GetUtcNow(), ct);
                sent += ok.Count;
            }
        }

        return new WriteBackCounts(sent, failed, requests);
    }

    /// <summary>The change set for one item.</summary>
    internal static IReadOnlyList<BatchOperation> Operations(WriteBackItem item)
    {
        var account = new JsonObject
        {
            [Account.PipelineStage] = StageValue(item.Stage),
            [Account.PipelineStageSince] = item.StageSince.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            [Account.Covenant] = item.CovenantCode,
            [Account.NextAction] = item.NextAction,
            [Account.NextActionDue] = item.NextActionDue?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        };
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
                [StageChangeTable.ChangedOn] = change.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
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
