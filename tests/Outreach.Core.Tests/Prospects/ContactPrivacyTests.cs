using Outreach.Core.Events;
using Outreach.Core.Mail;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;
using Outreach.Core.Tests.Fakes;
using Outreach.Testing;

namespace Outreach.Core.Tests.Prospects;

/// <summary>The erasure, opt-out and bounce cascades on the in-memory stores: what each reaches, in one unit of work.</summary>
public sealed class ContactPrivacyTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider clock = new(Start);
    private readonly InMemoryProspectStore prospects = new();
    private readonly InMemoryMailOutbox outbox = new();
    private readonly InMemorySequenceStore sequences;
    private readonly InMemoryReplyLog replies = new();
    private readonly InMemoryEventNoticeOutbox notices = new();
    private readonly InMemoryWriteBackOutbox writeBack;
    private readonly InMemoryAuditLog audit = new();
    private readonly InMemoryUnitOfWork unit;
    private readonly ErasedCopies copies = new();
    private readonly InMemoryActivityStore activities;
    private readonly ContactPrivacy privacy;
    private readonly Contact eva;
    private readonly Contact piet;

    public ContactPrivacyTests()
    {
        sequences = new InMemorySequenceStore();
        writeBack = new InMemoryWriteBackOutbox(notices) { DataverseInUse = true };
        activities = new InMemoryActivityStore(prospects);
        unit = new InMemoryUnitOfWork(prospects, outbox, sequences, replies, activities, notices, writeBack, audit);
        privacy = new ContactPrivacy(unit, prospects, outbox, sequences, replies, activities, notices, writeBack, audit, [copies], clock);
        eva = prospects.AddContactAsync(7, new ContactDraft { Name = "Eva Jansen", Email = "eva@goud.example" }, default).Result;
        piet = prospects.AddContactAsync(7, new ContactDraft { Name = "Piet Goud", Email = "piet@goud.example" }, default).Result;
        foreach (var contact in new[] { eva, piet })
        {
            Mail(contact, "a");
            Enrol(contact);
            notices.Invitations.Add(new FakeInvitation(contact.Id * 10 + 1, 1, contact.Id, Coming: true, ContactInDataverse: true));
            notices.Invitations.Add(new FakeInvitation(contact.Id * 10 + 2, 2, contact.Id, Coming: false, ContactInDataverse: true));
        }
    }

    private void Mail(Contact to, string key) => outbox.EnqueueAsync(new MailDraft
    {
        IdempotencyKey = $"{key}:{to.Id}", Purpose = "sequence", ContactId = to.Id, ToAddress = to.Email, ToName = to.Name, Subject = "Hello", HtmlBody = "<p>Hi</p>", TextBody = "Hi", DueAt = Start,
    }, Start, default).Wait();

    private void Enrol(Contact contact) => sequences.AddEnrolmentAsync(new Enrolment { SequenceId = 1, ProspectId = 1, ContactId = contact.Id, OrganisationId = 7, EnrolledAt = Start }, default).Wait();

    private IEnumerable<OutboxStatus> MailOf(Contact c) => outbox.Mails.Where(m => m.Mail.ContactId == c.Id).Select(m => m.Status);

    private bool Open(Contact c) => sequences.Enrolments.Any(e => e.ContactId == c.Id && e.IsOpen);

    [Fact]
    public async Task Erase_RemovesTheNameFromActivitiesContactLinks_AndLeavesOtherContactsNames()
    {
        var meeting = await activities.AddAsync(1, new Core.Activities.ActivityDraft { Kind = Core.Activities.ActivityKind.Meeting, ContactIds = [eva.Id, piet.Id] }, "Anne", Start, null, default);

        await privacy.EraseAsync(eva.Id, Start, default);

        Assert.Equal([new Core.Activities.ActivityContact(eva.Id, null), new Core.Activities.ActivityContact(piet.Id, "Piet Goud")], (await activities.GetAsync(meeting.Id, default))!.Contacts);
    }

    [Fact]
    public async Task OptOut_CancelsWaitingMail_StopsSequences_AndWithdrawsComingEventsOnly_ForThatContactOnly()
    {
        clock.Advance(TimeSpan.FromHours(1));
        var contact = await privacy.SetOptedOutAsync(eva.Id, Start, default);

        Assert.Equal(Start, contact!.OptedOutAt);
        Assert.Equal([OutboxStatus.Cancelled], MailOf(eva));
        Assert.Equal(StopReason.OptedOut, sequences.Enrolments.Single(e => e.ContactId == eva.Id).StoppedBecause);
        Assert.Equal([(eva.Id * 10 + 1, EventMailKind.Withdrawn, Start.AddHours(1))], notices.Notices.Select(n => (n.InvitationId, n.Kind, n.At)));
        Assert.Equal([OutboxStatus.Pending], MailOf(piet));
        Assert.True(Open(piet));
        Assert.Equal(1, unit.Runs);
    }

    [Fact]
    public async Task ClearingAnOptOut_ChangesOnlyTheContact()
    {
        await privacy.SetOptedOutAsync(eva.Id, Start, default);
        Mail(eva, "b");
        var cleared = await privacy.SetOptedOutAsync(eva.Id, null, default);

        Assert.Null(cleared!.OptedOutAt);
        Assert.Contains(OutboxStatus.Pending, MailOf(eva));
        Assert.Single(notices.Notices);
        Assert.Null(await privacy.SetOptedOutAsync(999, Start, default));
    }

    [Fact]
    public async Task Erase_ReachesEveryPlaceThePersonIsRecorded_OnceOnly()
    {
        audit.RecordPersonal(eva.Id);
        await replies.RecordAsync(new MailReply { MessageId = "m1", Kind = "reply", ContactId = eva.Id, FromAddress = eva.Email, Subject = "Re: Hello" }, Start, default);
        notices.AddFailed(eva.Id * 10 + 2, "eva@goud.example is unknown");

        var erased = await privacy.EraseAsync(eva.Id, Start, default);

        Assert.True(erased!.Erased && erased.OptedOut);
        Assert.True(await prospects.IsSuppressedAsync("EVA@goud.example", default));
        Assert.Equal(0, audit.PersonalValuesOf(eva.Id));
        var mail = outbox.Mails.Single(m => m.Mail.ContactId == eva.Id);
        Assert.Equal((OutboxStatus.Cancelled, "erased@erased.invalid", ""), (mail.Status, mail.Mail.ToAddress, mail.Mail.HtmlBody));
        Assert.Equal(StopReason.OptedOut, sequences.Enrolments.Single(e => e.ContactId == eva.Id).StoppedBecause);
        Assert.Equal((null, ""), (replies.Replies[0].FromAddress, replies.Replies[0].Subject));
        Assert.Equal("(erased)", notices.Notices[0].LastError);
        // Erasure withdraws every event, past ones too; the CRM's invitation rows are written again without the person.
        Assert.Equal([eva.Id * 10 + 1, eva.Id * 10 + 2], notices.Notices.Where(n => n.Kind == EventMailKind.Withdrawn).Select(n => n.InvitationId));
        Assert.Equal([$"invitation:{eva.Id * 10 + 1}:erased", $"invitation:{eva.Id * 10 + 2}:erased"], writeBack.Keys);
        Assert.Equal([$"a:{eva.Id}"], copies.Erased);
        Assert.True(Open(piet));

        // Again: the contact is returned, nothing more is queued (the delivered copies are erased again, harmlessly).
        Assert.NotNull(await privacy.EraseAsync(eva.Id, Start.AddDays(1), default));
        Assert.Equal(3, notices.Notices.Count);
        Assert.Equal(2, writeBack.Keys.Count);
        Assert.Null(await privacy.EraseAsync(999, Start, default));
    }

    [Fact]
    public async Task Erase_WithoutDataverse_QueuesNoWriteBack()
    {
        writeBack.DataverseInUse = false;
        await privacy.EraseAsync(eva.Id, Start, default);
        Assert.Empty(writeBack.Keys);
    }

    [Fact]
    public async Task Bounce_MarksEveryContactWithTheAddress_AndStopsWhatWaits()
    {
        var again = await prospects.AddContactAsync(8, new ContactDraft { Name = "Eva elsewhere", Email = "EVA@goud.example" }, default);

        var marked = await privacy.MarkBouncedAsync(" eva@GOUD.example ", Start, default);

        Assert.Equal([eva.Id, again.Id], marked.Select(c => c.Id));
        Assert.Equal([OutboxStatus.Cancelled], MailOf(eva));
        Assert.Equal(StopReason.HardBounce, sequences.Enrolments.Single(e => e.ContactId == eva.Id).StoppedBecause);
        Assert.Equal([eva.Id * 10 + 1], notices.Notices.Select(n => n.InvitationId));
        Assert.True(Open(piet));
        Assert.Empty(await privacy.MarkBouncedAsync("eva@goud.example", Start, default));
    }

    [Fact]
    public async Task AFailureHalfWay_LeavesNothingWritten()
    {
        notices.FailWithdrawals = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() => privacy.SetOptedOutAsync(eva.Id, Start, default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => privacy.EraseAsync(piet.Id, Start, default));

        Assert.Null((await prospects.GetContactAsync(eva.Id, default))!.OptedOutAt);
        Assert.False((await prospects.GetContactAsync(piet.Id, default))!.Erased);
        Assert.False(await prospects.IsSuppressedAsync(piet.Email, default));
        Assert.Equal([OutboxStatus.Pending, OutboxStatus.Pending], outbox.Mails.Select(m => m.Status));
        Assert.True(Open(eva) && Open(piet));
        Assert.Empty(copies.Erased);
    }

    private sealed class ErasedCopies : IDeliveredMail
    {
        public List<string> Erased { get; } = [];

        public Task EraseAsync(string idempotencyKey, CancellationToken ct)
        {
            Erased.Add(idempotencyKey);
            return Task.CompletedTask;
        }

        public Task<int> RemoveUnfinishedAsync(CancellationToken ct) => Task.FromResult(0);
    }
}
