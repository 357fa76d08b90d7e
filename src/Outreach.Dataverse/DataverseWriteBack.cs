using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using System.Text;
using Outreach.Core.Activities;
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
/// the pass holds no row for the event itself), so an invitation never points at an event Dynamics does not have. A party's
/// onboarding milestones: an upsert of each otr_onboardingmilestone row and the account's "N of M done", one change set per
/// party in a pass (that planning is <see cref="WriteBackPlan"/>, without I/O). The request prefers continue-on-error, so a refused
/// change set holds back none after it.
/// </summary>
/// <remarks>
/// Why not the mail and notice outboxes' FailurePolicy: those are sent by every node as soon as an item is due, so they
/// need leased claims and a per-item backoff. The write-back is sent only inside the Dataverse sync run, which holds the
/// sync lease (one sender in the cluster) and comes round every Dataverse:SyncInterval: that interval is the backoff, and a
/// refused row is tried again each run until SqlWriteBackOutbox.MaxAttempts (10). Like the policy, it fails per item
/// (continue-on-error), records the service's error on the row and logs it.
/// </remarks>
public sealed partial class DataverseWriteBack(DataverseClient client, IWriteBackOutbox outbox, TimeProvider clock, ILogger<DataverseWriteBack> logger, OutreachLinks links)
{
    public const int ItemsPerBatch = 10;

    /// <summary>
    /// Sends every pending row: fetch a page, plan a request (<see cref="WriteBackPlan"/>), send it, settle the answers.
    /// Every change set is attempted (continue-on-error), so a refused row holds back no other; it keeps Dataverse's error
    /// on its outbox row (shown on the jobs page and the prospect page) and is tried again on the next run.
    /// </summary>
    public async Task<WriteBackCounts> SendPendingAsync(CancellationToken ct)
    {
        var counts = new WriteBackCounts(0, 0, 0);
        long after = 0;
        IReadOnlyList<WriteBackItem> page;
        while ((page = await outbox.PendingAsync(after, 100, ct)).Count > 0)
        {
            after = page[^1].Id;
            // Per page: targets written (their later rows settle without sending) and failed (left for the next run).
            var written = new HashSet<string>(StringComparer.Ordinal);
            var failed = new HashSet<string>(StringComparer.Ordinal);
            for (var queue = page; queue.Count > 0;)
            {
                var batch = WriteBackPlan.Next(queue, written, failed, ItemsPerBatch);
                queue = batch.Remaining;
                IReadOnlyList<ChangeSetResult> results = batch.ChangeSets.Count == 0 ? [] : await client.BatchAsync(batch.ChangeSets.Select(Operations).ToList(), ct);
                var settled = WriteBackPlan.Settle(batch, results);
                await SettleAsync(settled, ct);
                written.UnionWith(settled.Written);
                failed.UnionWith(settled.Failed);
                counts = new WriteBackCounts(counts.Sent + settled.Sent.Count, counts.Failed + settled.Refused.Count, counts.Requests + (batch.ChangeSets.Count == 0 ? 0 : 1));
            }
        }

        return counts;
    }

    /// <summary>Marks what was sent, and records each refusal with Dataverse's error on its row.</summary>
    private async Task SettleAsync(WriteBackSettlement settled, CancellationToken ct)
    {
        await outbox.MarkSentAsync(settled.Sent, clock.GetUtcNow(), ct);
        foreach (var (item, error) in settled.Refused)
        {
            LogFailed(logger, item.Key, error.Message);
            await outbox.MarkFailedAsync(item.Id, error.Message, ct);
        }
    }

    private IReadOnlyList<BatchOperation> Operations(PlannedChangeSet set) => set.Items[0] is MilestoneWriteBack
        // A party's milestones: "N of M done" is counted as the onboarding panel counts it today (Amsterdam), at the write.
        ? MilestoneOperations(set.Items, Core.Calendar.AmsterdamClock.Today(clock), links)
        : Operations(set.Items[0], eventWritten: set.Items[0] is InvitationWriteBack && !set.WithEvent, links);

    /// <summary>The change set for one item; an invitation carries its event's upsert first unless the event is written already.</summary>
    internal static IReadOnlyList<BatchOperation> Operations(WriteBackItem item, bool eventWritten = false, OutreachLinks? links = null, DateOnly? today = null) => item switch
    {
        MilestoneWriteBack => MilestoneOperations([item], today ?? throw new ArgumentNullException(nameof(today), "A milestone's status is counted on a day."), links),
        AccountWriteBack account => AccountOperations(account, links),
        RequestAnswerWriteBack answer => [AnswerOperation(answer)],
        EventWriteBack e => [EventOperation(e.Event)],
        InvitationWriteBack i => eventWritten ? [InvitationOperation(i.Event, i.Invitation)] : [EventOperation(i.Event), InvitationOperation(i.Event, i.Invitation)],
        ActivityWriteBack a => ActivityOperations(a),
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

    /// <summary>
    /// An activity logged in Outreach on the account's timeline, by upsert on its derived id (a resend or an edit writes the
    /// same row). A call is a phonecall and a meeting an appointment, both completed; a note is an annotation (no state).
    /// A completed activity is closed in Dynamics: only its state may change, so the change set reopens it, writes it and
    /// completes it again, all or nothing (on a first send the reopening creates the row, which the next step fills in).
    /// </summary>
    internal static IReadOnlyList<BatchOperation> ActivityOperations(ActivityWriteBack a)
    {
        var account = $"/{Account.EntitySet}({a.AccountId:D})";
        var description = Describe(a);
        switch (a.Kind)
        {
            case ActivityKind.Call:
            {
                var row = $"{PhoneCallActivity.EntitySet}({a.DataverseId:D})";
                var outgoing = a.Direction != CallDirection.Incoming;
                var subject = $"{(outgoing ? "Outgoing" : "Incoming")} call" + (a.Outcome is { } outcome ? $": {outcome.Label().ToLowerInvariant()}" : "");
                var end = a.OccurredAt.AddMinutes(a.DurationMinutes ?? 0);
                return
                [
                    new(HttpMethod.Patch, row, new JsonObject { [PhoneCallActivity.State] = ActivityStateValue.Open, [PhoneCallActivity.Status] = ActivityStateValue.OpenStatus }),
                    new(HttpMethod.Patch, row, new JsonObject
                    {
                        [PhoneCallActivity.Subject] = Limit(subject, 200),
                        [PhoneCallActivity.Description] = description,
                        [PhoneCallActivity.Direction] = outgoing,
                        [PhoneCallActivity.Duration] = a.DurationMinutes,
                        [PhoneCallActivity.ActualStart] = Instant(a.OccurredAt),
                        [PhoneCallActivity.ActualEnd] = Instant(end),
                        [PhoneCallActivity.RegardingAccountBind] = account,
                    }),
                    new(HttpMethod.Patch, row, new JsonObject
                    {
                        [PhoneCallActivity.State] = ActivityStateValue.Completed,
                        [PhoneCallActivity.Status] = outgoing ? ActivityStateValue.PhoneCallMade : ActivityStateValue.PhoneCallReceived,
                    }),
                ];
            }

            case ActivityKind.Meeting:
            {
                var row = $"{AppointmentActivity.EntitySet}({a.DataverseId:D})";
                return
                [
                    new(HttpMethod.Patch, row, new JsonObject { [AppointmentActivity.State] = ActivityStateValue.Open, [AppointmentActivity.Status] = ActivityStateValue.OpenStatus }),
                    new(HttpMethod.Patch, row, new JsonObject
                    {
                        [AppointmentActivity.Subject] = Limit(a.Location is { } where ? $"Meeting at {where}" : "Meeting", 200),
                        [AppointmentActivity.Description] = description,
                        [AppointmentActivity.Location] = a.Location is null ? null : Limit(a.Location, 200),
                        [AppointmentActivity.ScheduledStart] = Instant(a.OccurredAt),
                        [AppointmentActivity.ScheduledEnd] = Instant(a.OccurredAt.AddMinutes(a.DurationMinutes ?? 0)),
                        [AppointmentActivity.Duration] = a.DurationMinutes,
                        [AppointmentActivity.RegardingAccountBind] = account,
                    }),
                    new(HttpMethod.Patch, row, new JsonObject
                    {
                        [AppointmentActivity.State] = ActivityStateValue.Completed,
                        [AppointmentActivity.Status] = ActivityStateValue.AppointmentCompleted,
                    }),
                ];
            }

            default:
                return
                [
                    new(HttpMethod.Patch, $"{NoteAnnotation.EntitySet}({a.DataverseId:D})", new JsonObject
                    {
                        [NoteAnnotation.Subject] = Limit(a.Text.Split('\n', 2)[0] is { Length: > 0 } first ? $"Note: {first}" : "Note", 500),
                        [NoteAnnotation.Text] = description,
                        [NoteAnnotation.ObjectAccountBind] = account,
                    }),
                ];
        }
    }

    /// <summary>
    /// A party's milestones and its onboarding status: an upsert of each milestone's otr_onboardingmilestone row (its latest
    /// state, once: <see cref="WriteBackPlan.Onboarding"/>), then the account's "N of M done" (If-Match: * updates only: an
    /// account deleted in Dynamics is not made again). One change set: the rows and the count agree, or neither is written.
    /// </summary>
    internal static IReadOnlyList<BatchOperation> MilestoneOperations(IReadOnlyList<WriteBackItem> items, DateOnly today, OutreachLinks? links)
    {
        var (milestones, party) = WriteBackPlan.Onboarding(items);
        var operations = new List<BatchOperation>();
        foreach (var item in milestones)
        {
            var m = item.Milestone;
            var name = m.Year is { } year ? string.Create(CultureInfo.InvariantCulture, $"{m.NameEn} (year {year})") : m.NameEn;
            var evidence = m.EvidenceUrl ?? (m.EvidenceFileId is { } file ? links?.EvidenceFile(item.ProspectId, file) : null);
            operations.Add(new BatchOperation(HttpMethod.Patch, $"{OnboardingMilestoneTable.EntitySet}({item.DataverseId:D})", new JsonObject
            {
                [OnboardingMilestoneTable.Name] = Limit(name, 200),
                [OnboardingMilestoneTable.AccountBind] = $"/{Account.EntitySet}({item.AccountId:D})",
                [OnboardingMilestoneTable.Covenant] = party.Covenant.Code,
                [OnboardingMilestoneTable.MonitoringYear] = m.Year,
                [OnboardingMilestoneTable.DueOn] = Day(m.DueOn),
                [OnboardingMilestoneTable.DoneOn] = m.DoneOn is { } done ? Day(done) : null,
                // null clears the link of a reopened milestone.
                [OnboardingMilestoneTable.EvidenceLink] = evidence is { Length: <= 1000 } ? evidence : null,
                [OnboardingMilestoneTable.Status] = ChoiceValue(party.StatusOf(m)),
            }));
        }

        var account = milestones[^1].AccountId;
        operations.Add(new BatchOperation(HttpMethod.Patch, $"{Account.EntitySet}({account:D})", new JsonObject
        {
            [Account.OnboardingStatus] = party.Summary(today),
        }, IfMatch: "*"));
        return operations;
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>What was said, with whom, and by whom (names as the link table keeps them: an erased person's is gone).</summary>
    private static string Describe(ActivityWriteBack a)
    {
        var text = new StringBuilder(a.Text);
        if (a.ContactNames is { } names) text.Append("\n\nWith: ").Append(names);
        if (a.OtherAttendees is { } others) text.Append(a.ContactNames is null ? "\n\nWith: " : ", ").Append(others);
        text.Append("\n\n(").Append(a.Author).Append(", ").Append(Instant(a.OccurredAt)).Append(", logged in Outreach");
        if (a.CorrectsId is not null) text.Append("; a correction of an earlier entry");
        text.Append(')');
        return Limit(text.ToString().Trim(), 100_000);
    }

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
        if (item.ProspectId is { } prospect && links?.Prospect(prospect) is { } url) account[Account.OutreachUrl] = url;
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
            // A move a Dynamics user requested is written on their row (now applied); Outreach's own moves get a row of their
            // own, marked recorded, which the sync's request reading passes over (no echo).
            if (change.RequestRowId is { } requested)
            {
                stageChange[StageChangeTable.RequestStatus] = RequestStatusValue.Applied;
                stageChange[StageChangeTable.Outcome] = Limit(change.RequestMessage ?? "Applied.", 1000);
            }
            else
            {
                stageChange[StageChangeTable.RequestStatus] = RequestStatusValue.Recorded;
            }

            var row = change.RequestRowId ?? KeyedId(item.Key, "stagechange");
            operations.Add(new BatchOperation(HttpMethod.Patch, $"{StageChangeTable.EntitySet}({row:D})", stageChange));
        }

        return operations;
    }

    /// <summary>
    /// Outreach's answer on the row a request came from: a refused move's status and reason on its stage change row, a start's
    /// answer on the account. If-Match: * updates only: a row deleted in Dynamics meanwhile is not made again.
    /// </summary>
    private static BatchOperation AnswerOperation(RequestAnswerWriteBack answer) => answer.Kind switch
    {
        CrmRequestKind.StageMove => new BatchOperation(HttpMethod.Patch, $"{StageChangeTable.EntitySet}({answer.DataverseId:D})", new JsonObject
        {
            [StageChangeTable.RequestStatus] = answer.Outcome == CrmRequestOutcome.Applied ? RequestStatusValue.Applied : RequestStatusValue.Refused,
            [StageChangeTable.Outcome] = Limit(answer.Message, 1000),
        }, IfMatch: "*"),
        CrmRequestKind.Start => new BatchOperation(HttpMethod.Patch, $"{Account.EntitySet}({answer.DataverseId:D})", new JsonObject
        {
            [Account.StartOutcome] = Limit(answer.Message, 400),
        }, IfMatch: "*"),
        _ => throw new ArgumentOutOfRangeException(nameof(answer), answer.Kind, "Unknown request kind."),
    };

    /// <summary>A stable id from the idempotency key (name-based, like a version-5 UUID but with SHA-256).</summary>
    public static Guid KeyedId(string key, string purpose) => CrmIds.Keyed(key, purpose);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dataverse write-back {Key} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string key, string reason);
}
