using Outreach.Core.Events;
using Outreach.Core.Tests.Fakes;

namespace Outreach.Core.Tests.Events;

/// <summary>What follows from an event change (<see cref="EventChangeRules"/>), and the cascade that stores it (<see cref="EventChanges"/>) on the fakes.</summary>
public sealed class EventChangesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromHours(48);

    private static NetworkEvent Event(int capacity = 2) => EventRules.Create(new NetworkEventDraft
    {
        Title = "Network event at Fairphone", CovenantId = 1, HostOrganisationId = 9, Format = EventFormat.Hybrid, Venue = "Fairphone, Amsterdam",
        OnlineJoinUrl = "https://teams.example/meet/1", StartLocal = new DateTime(2026, 4, 15, 14, 0, 0), EndLocal = new DateTime(2026, 4, 15, 17, 0, 0),
        Capacity = capacity, RegistrationDeadlineLocal = new DateTime(2026, 4, 10, 23, 59, 0), DescriptionNl = "Netwerkbijeenkomst", DescriptionEn = "Network event",
    }, "uid-1@outreach", Now) with { Id = 5, Version = 3, Sequence = 1 };

    private static Invitation Invited(long id, long contactId, PlaceStatus place = PlaceStatus.None, long? waitlistNumber = null) =>
        new() { Id = id, EventId = 5, ContactId = contactId, Place = place, WaitlistNumber = waitlistNumber, InvitedAt = Now };

    [Fact]
    public void ANewEvent_IsWrittenBack_AndTellsNobody()
    {
        var created = Event();
        var follows = EventChangeRules.OnCreated(created);
        Assert.Empty(follows.Notices);
        Assert.Equal(new EventChangeWriteBack(5, 3, Event: true, []), follows.WriteBack with { InvitationIds = [] });
        Assert.Empty(follows.WriteBack.InvitationIds);
    }

    [Theory]
    [InlineData("title", true)]
    [InlineData("venue", true)]
    [InlineData("capacity", true)]
    [InlineData("status", true)]
    [InlineData("starts", true)]
    [InlineData("deadline", true)]
    [InlineData("host", true)]
    [InlineData("description", false)]
    [InlineData("join-url", false)]
    [InlineData("sequence", false)]
    [InlineData("nothing", false)]
    public void TheEventIsWrittenBack_OnlyWhenAColumnDynamicsShowsChanged(string field, bool sent)
    {
        var before = Event();
        var after = field switch
        {
            "title" => before with { Title = "Anders" },
            "venue" => before with { Venue = "Utrecht" },
            "capacity" => before with { Capacity = 40 },
            "status" => before with { Status = EventStatus.Cancelled },
            "starts" => before with { StartsAt = before.StartsAt.AddHours(1) },
            "deadline" => before with { RegistrationDeadline = before.RegistrationDeadline.AddDays(-1) },
            "host" => before with { HostOrganisationId = null },
            "description" => before with { DescriptionNl = "Nieuw", DescriptionEn = "New" },
            "join-url" => before with { OnlineJoinUrl = "https://teams.example/meet/2" },
            "sequence" => before with { Sequence = 2 },
            _ => before,
        } with { Version = 4 };

        var writeBack = EventChangeRules.WriteBack(before, after, [], []);

        Assert.Equal(sent, writeBack.Event);
        Assert.Equal((5L, 4), (writeBack.EventId, writeBack.Version));
        Assert.Equal(!sent, writeBack.IsEmpty);
    }

    [Fact]
    public void AChangedInvitation_IsWrittenBack_WithEveryWaitlistedOne_InOrder()
    {
        var e = Event();
        var previous = new[] { Invited(1, 101, PlaceStatus.Confirmed), Invited(2, 102, PlaceStatus.Waitlisted, 1), Invited(3, 103, PlaceStatus.Confirmed), Invited(4, 104, PlaceStatus.Waitlisted, 2) };
        // 101 gives up the place; 102 is offered it (no longer waitlisted); 104 stays on the list and moves up.
        var stored = new[] { previous[1] with { Place = PlaceStatus.Offered }, previous[0] with { Place = PlaceStatus.None, Response = InvitationResponse.Declined } };

        var writeBack = EventChangeRules.WriteBack(e, e with { Version = 4 }, previous, stored);

        Assert.False(writeBack.Event);
        Assert.Equal([1L, 2L, 4L], writeBack.InvitationIds);
    }

    [Fact]
    public void ANewInvitationOnTheWaitlist_IsWrittenBack_ByTheIdItWasStoredUnder()
    {
        var e = Event(capacity: 1);
        var previous = new[] { Invited(1, 101, PlaceStatus.Confirmed) };
        var stored = new[] { Invited(7, 107, PlaceStatus.Waitlisted, 1) };
        Assert.Equal([7L], EventChangeRules.WriteBack(e, e with { Version = 4 }, previous, stored).InvitationIds);
    }

    [Fact]
    public void NoChangedInvitation_WritesBackNoInvitation_EvenWithAWaitlist()
    {
        var e = Event();
        var previous = new[] { Invited(2, 102, PlaceStatus.Waitlisted, 1) };
        Assert.Empty(EventChangeRules.WriteBack(e, e with { Title = "Anders", Version = 4 }, previous, []).InvitationIds);
    }

    [Fact]
    public void Notices_GoToTheInvitationTheContactHolds_AtTheEventsSequenceAfterTheChange()
    {
        var after = Event() with { Sequence = 4 };
        var previous = new[] { Invited(1, 101), Invited(2, 102) };
        var stored = new[] { Invited(9, 109) };

        var notices = EventChangeRules.Notices(after, [new EventMail(109, EventMailKind.Invitation), new EventMail(101, EventMailKind.Update)], previous.Concat(stored));

        Assert.Equal([new QueuedEventNotice(5, 9, EventMailKind.Invitation, 4), new QueuedEventNotice(5, 1, EventMailKind.Update, 4)], notices);
    }

    [Fact]
    public void ANoticeForAContactWithoutAnInvitation_Throws()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => EventChangeRules.Notices(Event(), [new EventMail(999, EventMailKind.Invitation)], [Invited(1, 101)]));
        Assert.Contains("999", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARealAnswer_FollowsTheRules_FromTheDecisionToTheNoticeAndWriteBack()
    {
        var e = Event(capacity: 1);
        var previous = new[] { Invited(1, 101, PlaceStatus.Confirmed) with { Response = InvitationResponse.Accepted }, Invited(2, 102, PlaceStatus.Waitlisted, 1) with { Response = InvitationResponse.Accepted } };
        var decision = EventRules.Respond(e, previous, 1, InvitationResponse.Declined, Window, Now);
        var stored = decision.Changed;

        var follows = EventChangeRules.OnChanged(new StoredEventChange(e, e with { Version = 4 }, previous, stored), decision.Mails);

        Assert.Contains(follows.Notices, n => n.InvitationId == 2 && n.Kind == EventMailKind.PlaceOffered);
        Assert.Equal([1L, 2L], follows.WriteBack.InvitationIds);
    }

    /// <summary>The event store's own tables as a list: version guard and ids, like the SQL store.</summary>
    private sealed class InMemoryEventChangeStore : IEventChangeStore, IInMemoryState
    {
        private long nextId = 100;

        public Dictionary<long, NetworkEvent> Events { get; private set; } = [];
        public Dictionary<long, Invitation> Invitations { get; private set; } = [];

        public Action Snapshot()
        {
            var (events, invitations, next) = (Events.ToDictionary(), Invitations.ToDictionary(), nextId);
            return () => (Events, Invitations, nextId) = (events, invitations, next);
        }

        public Task<NetworkEvent> InsertEventAsync(NetworkEvent networkEvent, CancellationToken ct)
        {
            var created = networkEvent with { Id = ++nextId, Version = 1 };
            Events[created.Id] = created;
            return Task.FromResult(created);
        }

        public Task<StoredEventChange> SaveChangeAsync(EventChange change, CancellationToken ct)
        {
            var before = Events[change.Event.Id];
            if (before.Version != change.ExpectedVersion) throw new ConcurrentEventChangeException(before.Id);
            var after = change.Event with { Version = before.Version + 1, UpdatedAt = change.At };
            Events[after.Id] = after;
            var previous = Invitations.Values.Where(i => i.EventId == after.Id).OrderBy(i => i.Id).ToList();
            var stored = change.Invitations.Select(i => i.Id == 0 ? i with { Id = ++nextId } : i).ToList();
            foreach (var i in stored) Invitations[i.Id] = i;
            return Task.FromResult(new StoredEventChange(before, after, previous, stored));
        }
    }

    private sealed record Rig(InMemoryEventChangeStore Store, InMemoryEventNoticeOutbox Notices, InMemoryWriteBackOutbox WriteBack, InMemoryUnitOfWork Unit, EventChanges Changes);

    private static Rig NewRig(bool dataverse = true)
    {
        var store = new InMemoryEventChangeStore();
        var notices = new InMemoryEventNoticeOutbox();
        var writeBack = new InMemoryWriteBackOutbox(notices) { DataverseInUse = dataverse };
        var unit = new InMemoryUnitOfWork(store, notices, writeBack);
        return new Rig(store, notices, writeBack, unit, new EventChanges(store, notices, writeBack, unit));
    }

    [Fact]
    public async Task AnInvitation_IsStored_WithItsNotices_AndTheWriteBackOfMirroredContacts_InOneUnit()
    {
        var rig = NewRig();
        var e = await rig.Changes.AddEventAsync(Event() with { Id = 0 }, default);
        Assert.Equal([$"event:{e.Id}:v1"], rig.WriteBack.Keys);

        var decision = EventRules.Invite(e, [], [new InviteCandidate(201, false, false), new InviteCandidate(202, false, false)], Now);
        var (after, stored) = await rig.Changes.ApplyAsync(
            new EventChange(e, e.Version, EventRules.NewInvitations(e, decision, Now), "invited", Now) { Notices = [new EventMail(201, EventMailKind.Invitation), new EventMail(202, EventMailKind.Invitation)] }, default);
        // Only the first invitee's contact mirrors a Dataverse contact (seeded the way the SQL join finds it).
        rig.Notices.Invitations.Add(new FakeInvitation(stored[0].Id, e.Id, 201, Coming: true, ContactInDataverse: true));
        var (again, _) = await rig.Changes.ApplyAsync(new EventChange(after, after.Version, [stored[0] with { Response = InvitationResponse.Accepted, Place = PlaceStatus.Confirmed }], "answered", Now), default);

        Assert.Equal(2, after.Version);
        Assert.Equal(3, again.Version);
        Assert.Equal(stored.Select(i => (i.Id, EventMailKind.Invitation)), rig.Notices.Notices.Select(n => (n.InvitationId, n.Kind)));
        Assert.Equal([$"event:{e.Id}:v1", $"invitation:{stored[0].Id}:v3"], rig.WriteBack.Keys);
        Assert.Equal(3, rig.Unit.Runs);
    }

    [Fact]
    public async Task WithoutDataverse_NothingIsWrittenBack_ButTheNoticesGo()
    {
        var rig = NewRig(dataverse: false);
        var e = await rig.Changes.AddEventAsync(Event() with { Id = 0 }, default);
        var decision = EventRules.Invite(e, [], [new InviteCandidate(201, false, false)], Now);
        await rig.Changes.ApplyAsync(new EventChange(e, e.Version, EventRules.NewInvitations(e, decision, Now), "invited", Now) { Notices = [new EventMail(201, EventMailKind.Invitation)] }, default);
        Assert.Empty(rig.WriteBack.Keys);
        Assert.Single(rig.Notices.Notices);
    }

    [Fact]
    public async Task AFailureHalfWay_LeavesTheEventAndItsInvitationsAsTheyWere()
    {
        var rig = NewRig();
        var e = await rig.Changes.AddEventAsync(Event() with { Id = 0 }, default);
        var decision = EventRules.Invite(e, [], [new InviteCandidate(201, false, false)], Now);
        rig.Notices.FailChangeNotices = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() => rig.Changes.ApplyAsync(
            new EventChange(e with { Title = "Anders" }, e.Version, EventRules.NewInvitations(e, decision, Now), "invited", Now) { Notices = [new EventMail(201, EventMailKind.Invitation)] }, default));

        Assert.Equal(e, rig.Store.Events[e.Id]);
        Assert.Empty(rig.Store.Invitations);
        Assert.Empty(rig.Notices.Notices);
        Assert.Equal([$"event:{e.Id}:v1"], rig.WriteBack.Keys);
    }

    [Fact]
    public async Task AStaleVersion_StoresNothing_AndQueuesNothing()
    {
        var rig = NewRig();
        var e = await rig.Changes.AddEventAsync(Event() with { Id = 0 }, default);
        await Assert.ThrowsAsync<ConcurrentEventChangeException>(() => rig.Changes.ApplyAsync(new EventChange(e with { Title = "Anders" }, e.Version + 1, [], "edited", Now), default));
        Assert.Equal(e, rig.Store.Events[e.Id]);
        Assert.Equal([$"event:{e.Id}:v1"], rig.WriteBack.Keys);
    }
}
