using Outreach.Core.Audit;
using Outreach.Core.Crm;
using Outreach.Core.Events;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;

namespace Outreach.Core.Tests.Fakes;

/// <summary>The mail outbox as a list, with the SQL store's cancel and erase rules; claiming and sending are the storage contract's.</summary>
internal sealed class InMemoryMailOutbox : IMailOutbox, IInMemoryState
{
    private List<OutboxMail> mails = [];

    public IReadOnlyList<OutboxMail> Mails => mails;

    public Action Snapshot()
    {
        var saved = mails.ToList();
        return () => mails = saved;
    }

    public Task<(OutboxMail Mail, bool Added)> EnqueueAsync(MailDraft draft, DateTimeOffset at, CancellationToken ct)
    {
        if (mails.Find(m => m.Mail.IdempotencyKey == draft.IdempotencyKey) is { } existing) return Task.FromResult((existing, false));
        var mail = new OutboxMail { Id = mails.Count + 1, Mail = draft, Status = OutboxStatus.Pending };
        mails.Add(mail);
        return Task.FromResult((mail, true));
    }

    private static bool Waiting(OutboxMail m) => m.Status is OutboxStatus.Pending or OutboxStatus.Failed;

    public Task<int> CancelForContactAsync(long contactId, CancellationToken ct) =>
        Task.FromResult(Change(m => m.Mail.ContactId == contactId && Waiting(m), m => m with { Status = OutboxStatus.Cancelled, ClaimedBy = null, ClaimedUntil = null }));

    /// <summary>Makes the next cancellation by key prefix fail, as a database error half-way through a unit of work would.</summary>
    public bool FailCancelByKeyPrefix { get; set; }

    public Task<int> CancelByKeyPrefixAsync(string keyPrefix, string reason, CancellationToken ct) =>
        FailCancelByKeyPrefix ? throw new InvalidOperationException("The outbox failed.")
            : Task.FromResult(Change(m => Waiting(m) && m.Mail.IdempotencyKey.StartsWith(keyPrefix, StringComparison.Ordinal), m => m with { Status = OutboxStatus.Cancelled, LastError = reason }));

    /// <summary>A mail as a job or page queued it, for a test that needs waiting mail with a given key.</summary>
    public OutboxMail Seed(string idempotencyKey, long? contactId = null, OutboxStatus status = OutboxStatus.Pending)
    {
        var mail = new OutboxMail
        {
            Id = mails.Count + 1, Status = status,
            Mail = new MailDraft { IdempotencyKey = idempotencyKey, Purpose = "test", ContactId = contactId, ToAddress = "x@example.org", ToName = "X", Subject = "s", HtmlBody = "h", TextBody = "t" },
        };
        mails.Add(mail);
        return mail;
    }

    public Task<int> EraseForContactAsync(long contactId, CancellationToken ct) =>
        Task.FromResult(Change(m => m.Mail.ContactId == contactId, m => m with
        {
            Mail = m.Mail with { ToAddress = "erased@erased.invalid", ToName = "", Subject = "(erased)", HtmlBody = "", TextBody = "", UnsubscribeUrl = null, Calendar = null },
            Status = Waiting(m) ? OutboxStatus.Cancelled : m.Status,
        }));

    public Task<IReadOnlyList<string>> ListKeysForContactAsync(long contactId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>([.. mails.Where(m => m.Mail.ContactId == contactId).Select(m => m.Mail.IdempotencyKey)]);

    public Task<IReadOnlyList<OutboxMail>> ListAsync(OutboxStatus? status, int max, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<OutboxMail>>([.. mails.Where(m => status is null || m.Status == status).Take(max)]);

    public Task<OutboxMail?> GetAsync(long id, CancellationToken ct) => Task.FromResult(mails.FirstOrDefault(m => m.Id == id));

    private int Change(Func<OutboxMail, bool> which, Func<OutboxMail, OutboxMail> change)
    {
        var changed = 0;
        for (var i = 0; i < mails.Count; i++)
        {
            if (!which(mails[i])) continue;
            mails[i] = change(mails[i]);
            changed++;
        }

        return changed;
    }

    public Task<IReadOnlyList<OutboxMail>> ClaimDueAsync(string node, DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken ct) => throw new NotSupportedException();
    public Task<Withdrawal?> WithdrawIfUnwantedAsync(long id, string node, CancellationToken ct) => throw new NotSupportedException();
    public Task<int> ReleaseClaimsOfAsync(string node, CancellationToken ct) => throw new NotSupportedException();
    public Task<bool> MarkSentAsync(long id, string node, DateTimeOffset at, DeliveryReceipt? receipt, CancellationToken ct) => throw new NotSupportedException();
    public Task<OutboxMail?> FindSentByMessageAsync(IReadOnlyCollection<string> internetMessageIds, string? conversationId, CancellationToken ct) => throw new NotSupportedException();
    public Task MarkAttemptFailedAsync(long id, string node, string reason, DateTimeOffset? retryAt, CancellationToken ct) => throw new NotSupportedException();
    public Task<bool> ReleaseAsync(long id, string node, DateTimeOffset dueAt, CancellationToken ct) => throw new NotSupportedException();
    public Task<bool> RetryAsync(long id, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
    public Task<bool> CancelAsync(long id, CancellationToken ct) => throw new NotSupportedException();
}

/// <summary>One invitation as the notice outbox's withdrawal query sees it (invitation joined with its event).</summary>
internal sealed record FakeInvitation(long Id, long EventId, long ContactId, bool Coming, bool ContactInDataverse = false);

/// <summary>Event notices as a list; the invitations they point at are seeded by the test (they are the event store's).</summary>
internal sealed class InMemoryEventNoticeOutbox : IEventNoticeOutbox, IInMemoryState
{
    private List<(long InvitationId, EventMailKind Kind, DateTimeOffset At, string? LastError)> notices = [];

    public List<FakeInvitation> Invitations { get; } = [];

    public IReadOnlyList<(long InvitationId, EventMailKind Kind, DateTimeOffset At, string? LastError)> Notices => notices;

    public Action Snapshot()
    {
        var saved = notices.ToList();
        return () => notices = saved;
    }

    public void AddFailed(long invitationId, string error) => notices.Add((invitationId, EventMailKind.Invitation, default, error));

    /// <summary>Makes the next withdrawal fail, as a database error half-way through a cascade would.</summary>
    public bool FailWithdrawals { get; set; }

    public Task<int> EnqueueWithdrawalsAsync(long contactId, DateTimeOffset at, bool comingOnly, CancellationToken ct)
    {
        if (FailWithdrawals) throw new InvalidOperationException("The notice outbox failed.");
        var of = Invitations.Where(i => i.ContactId == contactId && (!comingOnly || i.Coming)).ToList();
        notices.AddRange(of.Select(i => (i.Id, EventMailKind.Withdrawn, at, (string?)null)));
        return Task.FromResult(of.Count);
    }

    /// <summary>Makes the next change's notices fail, as a database error after the event was written would.</summary>
    public bool FailChangeNotices { get; set; }

    public Task EnqueueAsync(IReadOnlyList<QueuedEventNotice> queued, DateTimeOffset at, CancellationToken ct)
    {
        if (FailChangeNotices) throw new InvalidOperationException("The notice outbox failed.");
        notices.AddRange(queued.Select(n => (n.InvitationId, n.Kind, n.DueAt ?? at, (string?)null)));
        return Task.CompletedTask;
    }

    public Task<int> EraseErrorsForContactAsync(long contactId, CancellationToken ct)
    {
        var mine = Invitations.Where(i => i.ContactId == contactId).Select(i => i.Id).ToHashSet();
        var erased = 0;
        for (var i = 0; i < notices.Count; i++)
        {
            if (notices[i].LastError is null || !mine.Contains(notices[i].InvitationId)) continue;
            notices[i] = notices[i] with { LastError = "(erased)" };
            erased++;
        }

        return Task.FromResult(erased);
    }

    public Task<IReadOnlyList<EventNotice>> ClaimAsync(long? eventId, string node, DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken ct) => throw new NotSupportedException();
    public Task<bool> MarkDoneAsync(long id, string node, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
    public Task MarkFailedAsync(long id, string node, string reason, DateTimeOffset? retryAt, CancellationToken ct) => throw new NotSupportedException();
    public Task ReleaseAsync(IReadOnlyList<long> ids, string node, DateTimeOffset dueAt, CancellationToken ct) => throw new NotSupportedException();
    public Task HoldAsync(DateTimeOffset until, CancellationToken ct) => throw new NotSupportedException();
    public Task<EventNoticeCounts> CountAsync(long eventId, CancellationToken ct) => throw new NotSupportedException();
    public Task<int> RetryFailedAsync(long eventId, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
}

/// <summary>The write-back outbox as a list of keys; like the SQL store it adds nothing while Dataverse is not in use.</summary>
internal sealed class InMemoryWriteBackOutbox(InMemoryEventNoticeOutbox? invitations = null) : IWriteBackOutbox, IInMemoryState
{
    private List<string> keys = [];

    public bool DataverseInUse { get; set; }

    public IReadOnlyList<string> Keys => keys;

    public Action Snapshot()
    {
        var saved = keys.ToList();
        return () => keys = saved;
    }

    public void Add(string key)
    {
        if (DataverseInUse && !keys.Contains(key)) keys.Add(key);
    }

    public Task EnqueueContactErasedAsync(long contactId, DateTimeOffset at, CancellationToken ct)
    {
        foreach (var invitation in invitations?.Invitations.Where(i => i.ContactId == contactId && i.ContactInDataverse) ?? [])
            Add($"invitation:{invitation.Id}:erased");
        return Task.CompletedTask;
    }

    /// <summary>The pipeline entries whose organisation mirrors a Dataverse account (only their moves are written back).</summary>
    public HashSet<long> MirroredEntries { get; } = [];

    public Task EnqueueStageChangeAsync(long entryId, long stageChangeId, DateTimeOffset at, CancellationToken ct)
    {
        if (MirroredEntries.Contains(entryId)) Add($"stage-change:{stageChangeId}");
        return Task.CompletedTask;
    }

    /// <summary>The activities whose prospect mirrors a Dataverse account and that were logged in Outreach.</summary>
    public HashSet<long> MirroredActivities { get; } = [];

    public Task EnqueueActivityAsync(long activityId, DateTimeOffset at, CancellationToken ct)
    {
        if (MirroredActivities.Contains(activityId)) Add($"activity:{activityId}:{keys.Count}");
        return Task.CompletedTask;
    }

    public Task EnqueueNextActionAsync(long entryId, DateTimeOffset at, CancellationToken ct)
    {
        if (MirroredEntries.Contains(entryId)) Add($"next-action:{entryId}:{keys.Count}");
        return Task.CompletedTask;
    }

    /// <summary>Like the SQL store: the event, and the invitations whose contact mirrors a Dataverse contact (as seeded in the notice fake).</summary>
    public Task EnqueueEventChangeAsync(EventChangeWriteBack change, DateTimeOffset at, CancellationToken ct)
    {
        if (change.Event) Add($"event:{change.EventId}:v{change.Version}");
        var mirrored = invitations?.Invitations.Where(i => i.ContactInDataverse).Select(i => i.Id).ToHashSet() ?? [];
        foreach (var id in change.InvitationIds.Where(mirrored.Contains)) Add($"invitation:{id}:v{change.Version}");
        return Task.CompletedTask;
    }

    /// <summary>Where the milestones are (their party decides whether they mirror a Dataverse account, as <see cref="MirroredEntries"/>).</summary>
    public InMemoryOnboardingStore? Onboarding { get; set; }

    public Task EnqueueMilestoneAsync(long milestoneId, DateTimeOffset at, CancellationToken ct)
    {
        var milestone = Onboarding?.Milestones.FirstOrDefault(m => m.Id == milestoneId);
        if (milestone is not null && MirroredEntries.Contains(milestone.ProspectId)) Add($"milestone:{milestoneId}:{keys.Count}");
        return Task.CompletedTask;
    }

    public Task EnqueuePartyMilestonesAsync(long entryId, DateTimeOffset at, CancellationToken ct)
    {
        if (!MirroredEntries.Contains(entryId)) return Task.CompletedTask;
        foreach (var milestone in Onboarding?.Milestones.Where(m => m.ProspectId == entryId).OrderBy(m => m.DueOn).ThenBy(m => m.Id).ToList() ?? [])
            Add($"milestone:{milestone.Id}:{keys.Count}");
        return Task.CompletedTask;
    }

    public Task<bool> HasPendingForEntryAsync(long entryId, CancellationToken ct) => Task.FromResult(false);

    /// <summary>An answer to a request from Dynamics is always written back (the request itself came from there).</summary>
    public Task EnqueueAnswerAsync(long answerId, DateTimeOffset at, CancellationToken ct)
    {
        keys.Add($"answer:{answerId}:{keys.Count}");
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WriteBackItem>> PendingAsync(long afterId, int max, CancellationToken ct) => throw new NotSupportedException();
    public Task MarkSentAsync(IReadOnlyList<long> ids, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
    public Task MarkFailedAsync(long id, string reason, CancellationToken ct) => throw new NotSupportedException();
    public Task<IReadOnlyList<WriteBackRefusal>> RefusedAsync(long? entryId, int max, CancellationToken ct) => Task.FromResult<IReadOnlyList<WriteBackRefusal>>([]);
}

/// <summary>The audit trail's personal values per contact (what erasure clears); the entries are the storage contract's.</summary>
internal sealed class InMemoryAuditLog : IAuditLog, IInMemoryState
{
    private Dictionary<long, int> personalValues = [];

    public Action Snapshot()
    {
        var saved = new Dictionary<long, int>(personalValues);
        return () => personalValues = saved;
    }

    public void RecordPersonal(long contactId) => personalValues[contactId] = personalValues.GetValueOrDefault(contactId) + 1;

    public int PersonalValuesOf(long contactId) => personalValues.GetValueOrDefault(contactId);

    public Task<int> ErasePersonalAsync(long contactId, CancellationToken ct) => Task.FromResult(personalValues.Remove(contactId, out var n) ? n : 0);

    public Task<Page<AuditEntry>> SearchAsync(AuditFilter filter, int page, int pageSize, CancellationToken ct) => throw new NotSupportedException();
}

/// <summary>Handled replies as a list, with the SQL store's erasure rule.</summary>
internal sealed class InMemoryReplyLog : IReplyLog, IInMemoryState
{
    private List<MailReply> replies = [];

    public IReadOnlyList<MailReply> Replies => replies;

    public Action Snapshot()
    {
        var saved = replies.ToList();
        return () => replies = saved;
    }

    public Task<bool> RecordAsync(MailReply reply, DateTimeOffset at, CancellationToken ct)
    {
        if (replies.Exists(r => r.MessageId == reply.MessageId)) return Task.FromResult(false);
        replies.Add(reply);
        return Task.FromResult(true);
    }

    public Task<int> EraseForContactAsync(long contactId, CancellationToken ct)
    {
        var erased = 0;
        for (var i = 0; i < replies.Count; i++)
        {
            if (replies[i].ContactId != contactId) continue;
            replies[i] = replies[i] with { FromAddress = null, Subject = "", BouncedAddress = null };
            erased++;
        }

        return Task.FromResult(erased);
    }

    public Task<bool> SeenAsync(string messageId, CancellationToken ct) => Task.FromResult(replies.Exists(r => r.MessageId == messageId));
    public Task<ReplyClaim> ClaimAsync(string messageId, string by, DateTimeOffset now, DateTimeOffset until, CancellationToken ct) => throw new NotSupportedException();
    public Task<IReadOnlyList<MailReply>> ListForOrganisationAsync(long organisationId, int max, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<MailReply>>([.. replies.Where(r => r.OrganisationId == organisationId).Take(max)]);
    public Task<string?> GetLinkAsync(string mailbox, CancellationToken ct) => throw new NotSupportedException();
    public Task SaveLinkAsync(string mailbox, string? link, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
}
