using Outreach.Core.Events;
using Outreach.Testing;

namespace Outreach.Core.Tests.Events;

public sealed class EventRulesTests
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(48);
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    private static NetworkEventDraft Draft(int capacity = 2) => new()
    {
        Title = "Network event at Fairphone",
        CovenantId = 1,
        HostOrganisationId = 9,
        Format = EventFormat.Hybrid,
        Venue = "Fairphone, Amsterdam",
        OnlineJoinUrl = "https://teams.example/meet/1",
        StartLocal = new DateTime(2026, 4, 15, 14, 0, 0),
        EndLocal = new DateTime(2026, 4, 15, 17, 0, 0),
        Capacity = capacity,
        RegistrationDeadlineLocal = new DateTime(2026, 4, 10, 23, 59, 0),
        DescriptionNl = "Netwerkbijeenkomst",
        DescriptionEn = "Network event",
    };

    /// <summary>An event with its invitations, changed the way a store applies decisions.</summary>
    private sealed class Board
    {
        public NetworkEvent Event;
        public List<Invitation> Invitations = [];
        public List<EventMail> Mails = [];
        private long nextId = 1;

        public Board(int capacity, DateTimeOffset now, int invitees)
        {
            Event = EventRules.Create(Draft(capacity), "uid-1@outreach", now) with { Id = 5 };
            var decision = EventRules.Invite(Event, Invitations, Enumerable.Range(1, invitees).Select(i => new InviteCandidate(100 + i, false, false)), now);
            Apply(new EventDecision(EventRules.NewInvitations(Event, decision, now), []));
        }

        public Invitation Of(long contactId) => Invitations.Single(i => i.ContactId == contactId);

        public EventDecision Apply(EventDecision decision)
        {
            foreach (var changed in decision.Changed)
            {
                if (changed.Id == 0) Invitations.Add(changed with { Id = nextId++ });
                else Invitations[Invitations.FindIndex(i => i.Id == changed.Id)] = changed;
            }

            Mails.AddRange(decision.Mails);
            return decision;
        }

        public EventDecision Respond(long contactId, InvitationResponse response, DateTimeOffset now) =>
            Apply(EventRules.Respond(Event, Invitations, Of(contactId).Id, response, Window, now));
    }

    [Fact]
    public void Create_StoresAmsterdamWallClockAsInstants_SummerAndWinter()
    {
        var summer = EventRules.Create(Draft(), "u", clock.GetUtcNow());
        Assert.Equal(new DateTimeOffset(2026, 4, 15, 12, 0, 0, TimeSpan.Zero), summer.StartsAt);
        var winter = EventRules.Create(Draft() with { StartLocal = new DateTime(2026, 1, 20, 14, 0, 0), EndLocal = new DateTime(2026, 1, 20, 17, 0, 0), RegistrationDeadlineLocal = new DateTime(2026, 1, 19, 12, 0, 0) }, "u", clock.GetUtcNow());
        Assert.Equal(new DateTimeOffset(2026, 1, 20, 13, 0, 0, TimeSpan.Zero), winter.StartsAt);
        Assert.Equal(0, summer.Sequence);
        Assert.Equal(EventStatus.Scheduled, summer.Status);
    }

    [Fact]
    public void Check_RefusesEndBeforeStartMissingVenueBadCapacityAndLateDeadline()
    {
        var errors = EventRules.Check(Draft() with { EndLocal = new DateTime(2026, 4, 15, 13, 0, 0), Venue = " ", Capacity = 0, RegistrationDeadlineLocal = new DateTime(2026, 4, 16, 0, 0, 0), OnlineJoinUrl = "http://plain" });
        Assert.Equal(["Venue", "OnlineJoinUrl", "EndLocal", "Capacity", "RegistrationDeadlineLocal"], errors.Select(e => e.Field));
        Assert.Empty(EventRules.Check(Draft()));
        Assert.Empty(EventRules.Check(Draft() with { Format = EventFormat.Online, Venue = null }));
    }

    [Fact]
    public void Invite_ExcludesOptedOutBouncingAndAlreadyInvited_AndCountsEach()
    {
        var board = new Board(10, clock.GetUtcNow(), 2); // 101 and 102 invited
        var decision = EventRules.Invite(board.Event, board.Invitations,
        [
            new InviteCandidate(101, false, false), new InviteCandidate(103, true, false), new InviteCandidate(104, false, true),
            new InviteCandidate(105, false, false), new InviteCandidate(105, false, false), new InviteCandidate(106, false, false, Erased: true),
            new InviteCandidate(102, true, true),
        ], clock.GetUtcNow());

        Assert.True(decision.IsAllowed);
        Assert.Equal([105L], decision.Invited);
        Assert.Equal(2, decision.ExcludedOptedOut);
        Assert.Equal(1, decision.ExcludedBouncing);
        Assert.Equal(2, decision.ExcludedAlreadyInvited);
    }

    [Fact]
    public void Invite_RefusedForCancelledOrBegunEvent()
    {
        var board = new Board(10, clock.GetUtcNow(), 0);
        Assert.False(EventRules.Invite(board.Event, [], [new InviteCandidate(1, false, false)], board.Event.StartsAt).IsAllowed);
        var (cancelled, _) = EventRules.Cancel(board.Event, [], clock.GetUtcNow());
        Assert.False(EventRules.Invite(cancelled, [], [new InviteCandidate(1, false, false)], clock.GetUtcNow()).IsAllowed);
    }

    [Fact]
    public void Accept_BeyondCapacity_GoesOnTheWaitlistInOrder()
    {
        var board = new Board(2, clock.GetUtcNow(), 5);
        foreach (var c in new[] { 101L, 102, 103, 104 })
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            board.Respond(c, InvitationResponse.Accepted, clock.GetUtcNow());
        }

        Assert.Equal(PlaceStatus.Confirmed, board.Of(101).Place);
        Assert.Equal(PlaceStatus.Confirmed, board.Of(102).Place);
        Assert.Equal(PlaceStatus.Waitlisted, board.Of(103).Place);
        Assert.Equal(PlaceStatus.Waitlisted, board.Of(104).Place);
        Assert.Equal(1, EventRules.WaitlistPosition(board.Invitations, board.Of(103)));
        Assert.Equal(2, EventRules.WaitlistPosition(board.Invitations, board.Of(104)));
        Assert.Null(EventRules.WaitlistPosition(board.Invitations, board.Of(101)));
        Assert.Equal(2, EventRules.PlacesTaken(board.Invitations));
        // Each one put in line is told so (an acceptance from a calendar shows only "accepted" there).
        Assert.Equal([new EventMail(103, EventMailKind.Waitlisted), new EventMail(104, EventMailKind.Waitlisted)], board.Mails);
        // Accepting twice changes nothing, keeps the place in line and tells nobody again.
        Assert.Empty(board.Respond(103, InvitationResponse.Accepted, clock.GetUtcNow()).Changed);
        Assert.Equal(2, board.Mails.Count);
    }

    [Fact]
    public void Decline_FreesAPlace_OfferedToTheFirstWaiting_WhoConfirmsInTime()
    {
        var board = new Board(1, clock.GetUtcNow(), 3);
        board.Respond(101, InvitationResponse.Accepted, clock.GetUtcNow());
        board.Respond(102, InvitationResponse.Accepted, clock.GetUtcNow());
        board.Respond(103, InvitationResponse.Accepted, clock.GetUtcNow());

        board.Respond(101, InvitationResponse.Declined, clock.GetUtcNow());

        Assert.Equal(PlaceStatus.None, board.Of(101).Place);
        Assert.Equal(InvitationResponse.Declined, board.Of(101).Response);
        Assert.Equal(PlaceStatus.Offered, board.Of(102).Place);
        Assert.Equal(clock.GetUtcNow() + Window, board.Of(102).PlaceOfferedUntil);
        Assert.Equal(PlaceStatus.Waitlisted, board.Of(103).Place);
        Assert.Equal(1, EventRules.WaitlistPosition(board.Invitations, board.Of(103)));
        Assert.Equal([new EventMail(102, EventMailKind.PlaceOffered)], board.Mails.Where(m => m.Kind != EventMailKind.Waitlisted));

        // A newcomer may not jump the line while someone holds an offer.
        var board2Accept = EventRules.Respond(board.Event, board.Invitations, board.Of(101).Id, InvitationResponse.Accepted, Window, clock.GetUtcNow());
        Assert.Equal(PlaceStatus.Waitlisted, Assert.Single(board2Accept.Changed).Place);

        clock.Advance(TimeSpan.FromHours(47));
        board.Respond(102, InvitationResponse.Accepted, clock.GetUtcNow());
        Assert.Equal(PlaceStatus.Confirmed, board.Of(102).Place);
        Assert.Null(board.Of(102).PlaceOfferedUntil);
        Assert.Empty(EventRules.ExpireOffers(board.Event, board.Invitations, Window, clock.GetUtcNow() + TimeSpan.FromDays(3)).Changed);
    }

    [Fact]
    public void UnconfirmedOffer_LapsesAfterTheWindow_AndPassesOnToTheNext()
    {
        var board = new Board(1, clock.GetUtcNow(), 3);
        board.Respond(101, InvitationResponse.Accepted, clock.GetUtcNow());
        board.Respond(102, InvitationResponse.Accepted, clock.GetUtcNow());
        board.Respond(103, InvitationResponse.Accepted, clock.GetUtcNow());
        board.Respond(101, InvitationResponse.Declined, clock.GetUtcNow());

        clock.Advance(Window); // exactly at the end the offer still stands
        Assert.Empty(board.Apply(EventRules.ExpireOffers(board.Event, board.Invitations, Window, clock.GetUtcNow())).Changed);
        clock.Advance(TimeSpan.FromSeconds(1));
        board.Apply(EventRules.ExpireOffers(board.Event, board.Invitations, Window, clock.GetUtcNow()));

        Assert.Equal(PlaceStatus.Lapsed, board.Of(102).Place);
        Assert.Null(board.Of(102).WaitlistNumber);
        Assert.Equal(PlaceStatus.Offered, board.Of(103).Place);
        Assert.Equal(clock.GetUtcNow() + Window, board.Of(103).PlaceOfferedUntil);
        Assert.Equal([new EventMail(102, EventMailKind.PlaceOffered), new EventMail(103, EventMailKind.PlaceOffered)], board.Mails.Where(m => m.Kind != EventMailKind.Waitlisted));

        // Too late: the lapsed offer cannot be confirmed.
        var late = EventRules.Respond(board.Event, board.Invitations, board.Of(102).Id, InvitationResponse.Accepted, Window, clock.GetUtcNow());
        Assert.Equal(PlaceStatus.Waitlisted, Assert.Single(late.Changed).Place); // accepting again queues them at the back
        var expiredOffer = board.Of(103) with { PlaceOfferedUntil = clock.GetUtcNow().AddSeconds(-1) };
        var refused = EventRules.Respond(board.Event, [expiredOffer], expiredOffer.Id, InvitationResponse.Accepted, Window, clock.GetUtcNow());
        Assert.False(refused.IsAllowed);
    }

    [Fact]
    public void Offer_NeverRunsBeyondTheStart()
    {
        var board = new Board(1, clock.GetUtcNow(), 2);
        board.Respond(101, InvitationResponse.Accepted, clock.GetUtcNow());
        board.Respond(102, InvitationResponse.Accepted, clock.GetUtcNow());
        clock.Set(board.Event.StartsAt.AddHours(-3));
        board.Respond(101, InvitationResponse.Declined, clock.GetUtcNow());
        Assert.Equal(board.Event.StartsAt, board.Of(102).PlaceOfferedUntil);
    }

    [Fact]
    public void Tentative_ReleasesAPlaceToo_AndSeveralPlacesGoToSeveralWaiting()
    {
        var board = new Board(2, clock.GetUtcNow(), 5);
        foreach (var c in new[] { 101L, 102, 103, 104, 105 }) board.Respond(c, InvitationResponse.Accepted, clock.GetUtcNow());
        board.Respond(101, InvitationResponse.Tentative, clock.GetUtcNow());
        board.Apply(EventRules.Edit(board.Event, Draft(3), board.Invitations, Window, clock.GetUtcNow()).Decision);

        Assert.Equal(InvitationResponse.Tentative, board.Of(101).Response);
        Assert.Equal(PlaceStatus.None, board.Of(101).Place);
        Assert.Equal(PlaceStatus.Offered, board.Of(103).Place);
        Assert.Equal(PlaceStatus.Offered, board.Of(104).Place);
        Assert.Equal(PlaceStatus.Waitlisted, board.Of(105).Place);
        Assert.Equal(3, EventRules.PlacesTaken(board.Invitations));
    }

    [Fact]
    public void LowerCapacity_TakesNoPlaceAway_AndOffersNothing()
    {
        var board = new Board(3, clock.GetUtcNow(), 4);
        foreach (var c in new[] { 101L, 102, 103, 104 }) board.Respond(c, InvitationResponse.Accepted, clock.GetUtcNow());
        var (edited, decision) = EventRules.Edit(board.Event, Draft(1), board.Invitations, Window, clock.GetUtcNow());
        board.Event = edited;
        board.Apply(decision);
        board.Respond(101, InvitationResponse.Declined, clock.GetUtcNow());

        Assert.Equal(PlaceStatus.Confirmed, board.Of(102).Place);
        Assert.Equal(PlaceStatus.Confirmed, board.Of(103).Place);
        Assert.Equal(PlaceStatus.Waitlisted, board.Of(104).Place);
        // Only the one who accepted when the event was full heard anything: no offer went out.
        Assert.Equal([new EventMail(104, EventMailKind.Waitlisted)], board.Mails);
    }

    [Fact]
    public void AcceptingClosesAtTheDeadline_ButDeclineStillFreesThePlace()
    {
        var board = new Board(1, clock.GetUtcNow(), 3);
        board.Respond(101, InvitationResponse.Accepted, clock.GetUtcNow());
        board.Respond(102, InvitationResponse.Accepted, clock.GetUtcNow());
        clock.Set(board.Event.RegistrationDeadline.AddMinutes(1));

        Assert.False(EventRules.Respond(board.Event, board.Invitations, board.Of(103).Id, InvitationResponse.Accepted, Window, clock.GetUtcNow()).IsAllowed);
        Assert.False(EventRules.Respond(board.Event, board.Invitations, board.Of(103).Id, InvitationResponse.Tentative, Window, clock.GetUtcNow()).IsAllowed);
        board.Respond(101, InvitationResponse.Declined, clock.GetUtcNow());
        Assert.Equal(PlaceStatus.Offered, board.Of(102).Place);
        // An offered place can be confirmed after the deadline, within its window.
        Assert.True(board.Respond(102, InvitationResponse.Accepted, clock.GetUtcNow()).IsAllowed);
        Assert.Equal(PlaceStatus.Confirmed, board.Of(102).Place);

        clock.Set(board.Event.StartsAt);
        Assert.False(EventRules.Respond(board.Event, board.Invitations, board.Of(102).Id, InvitationResponse.Declined, Window, clock.GetUtcNow()).IsAllowed);
    }

    [Fact]
    public void Reschedule_RaisesSequence_AndUpdatesEveryoneButDecliners_CancelRaisesAgain()
    {
        var board = new Board(5, clock.GetUtcNow(), 3);
        board.Respond(101, InvitationResponse.Accepted, clock.GetUtcNow());
        board.Respond(102, InvitationResponse.Declined, clock.GetUtcNow());

        var (same, nothing) = EventRules.Edit(board.Event, Draft(5) with { DescriptionEn = "Changed text only" }, board.Invitations, Window, clock.GetUtcNow());
        Assert.Equal(0, same.Sequence);
        Assert.Empty(nothing.Mails);

        var (moved, decision) = EventRules.Edit(board.Event, Draft(5) with { StartLocal = new DateTime(2026, 4, 16, 14, 0, 0), EndLocal = new DateTime(2026, 4, 16, 17, 0, 0) }, board.Invitations, Window, clock.GetUtcNow());
        Assert.Equal(1, moved.Sequence);
        Assert.Equal(board.Event.Uid, moved.Uid);
        Assert.Equal([new EventMail(101, EventMailKind.Update), new EventMail(103, EventMailKind.Update)], decision.Mails);

        var (cancelled, cancel) = EventRules.Cancel(moved, board.Invitations, clock.GetUtcNow());
        Assert.Equal(2, cancelled.Sequence);
        Assert.Equal(EventStatus.Cancelled, cancelled.Status);
        Assert.Equal([new EventMail(101, EventMailKind.Cancelled), new EventMail(103, EventMailKind.Cancelled)], cancel.Mails);
        Assert.False(EventRules.Cancel(cancelled, board.Invitations, clock.GetUtcNow()).Decision.IsAllowed);
        Assert.False(EventRules.Edit(cancelled, Draft(), board.Invitations, Window, clock.GetUtcNow()).Decision.IsAllowed);
        Assert.False(EventRules.Respond(cancelled, board.Invitations, board.Of(103).Id, InvitationResponse.Accepted, Window, clock.GetUtcNow()).IsAllowed);
    }

    [Fact]
    public void CheckIn_WalkIn_Reminders_AndFollowUps()
    {
        var board = new Board(2, clock.GetUtcNow(), 4);
        board.Respond(101, InvitationResponse.Accepted, clock.GetUtcNow());
        board.Respond(102, InvitationResponse.Accepted, clock.GetUtcNow());
        board.Respond(103, InvitationResponse.Tentative, clock.GetUtcNow());
        board.Respond(104, InvitationResponse.Accepted, clock.GetUtcNow()); // waitlisted

        Assert.Equal([101L, 102, 103], EventRules.Reminders(board.Event, board.Invitations).Select(m => m.ContactId));

        clock.Set(board.Event.StartsAt.AddMinutes(-10));
        board.Apply(EventRules.CheckIn(board.Event, board.Invitations, board.Of(101).Id, true, clock.GetUtcNow()));
        board.Apply(EventRules.CheckIn(board.Event, board.Invitations, board.Of(103).Id, true, clock.GetUtcNow()));
        Assert.Empty(EventRules.CheckIn(board.Event, board.Invitations, board.Of(101).Id, true, clock.GetUtcNow()).Changed);
        board.Apply(EventRules.WalkIn(board.Event, board.Invitations, 200, clock.GetUtcNow()));
        board.Apply(EventRules.WalkIn(board.Event, board.Invitations, 104, clock.GetUtcNow())); // invited: checked in on the invitation
        board.Apply(EventRules.CheckIn(board.Event, board.Invitations, board.Of(103).Id, false, clock.GetUtcNow())); // undone

        Assert.Equal(clock.GetUtcNow(), board.Of(101).CheckedInAt);
        Assert.Null(board.Of(103).CheckedInAt);
        Assert.True(board.Of(200).WalkIn);
        Assert.True(board.Of(200).Attended);
        Assert.False(board.Of(104).WalkIn);
        Assert.True(board.Of(104).Attended);
        Assert.Equal(5, board.Invitations.Count);

        Assert.Empty(EventRules.FollowUps(board.Event, board.Invitations, board.Event.EndsAt.AddMinutes(-1)));
        var followUps = EventRules.FollowUps(board.Event, board.Invitations, board.Event.EndsAt);
        Assert.Equal(
            [new EventMail(101, EventMailKind.Thanks), new EventMail(102, EventMailKind.NoShow), new EventMail(104, EventMailKind.Thanks), new EventMail(200, EventMailKind.Thanks)],
            followUps);
    }

    [Fact]
    public void WaitlistOrder_HoldsUnderManyRandomAnswers()
    {
        // Whatever order people answer in, places never exceed capacity while anyone waits, and offers go to the longest waiting.
        var random = new Random(42);
        for (var round = 0; round < 200; round++)
        {
            var board = new Board(random.Next(1, 4), clock.GetUtcNow(), 8);
            var now = clock.GetUtcNow();
            for (var step = 0; step < 30; step++)
            {
                now = now.AddHours(random.Next(0, 30));
                if (now >= board.Event.RegistrationDeadline) break;
                board.Apply(EventRules.ExpireOffers(board.Event, board.Invitations, Window, now));
                var who = 101 + random.Next(0, 8);
                var answer = (InvitationResponse)random.Next(1, 4);
                var before = board.Invitations.Where(i => i.Place == PlaceStatus.Waitlisted).OrderBy(i => i.WaitlistNumber).Select(i => i.ContactId).ToList();
                var decision = board.Respond(who, answer, now);
                Assert.True(decision.IsAllowed);
                var offered = decision.Mails.Where(m => m.Kind == EventMailKind.PlaceOffered).Select(m => m.ContactId).ToList();
                Assert.Equal(before.Where(c => c != who).Take(offered.Count), offered);
                Assert.True(EventRules.PlacesTaken(board.Invitations) <= board.Event.Capacity);
                if (board.Invitations.Any(i => i.Place == PlaceStatus.Waitlisted))
                    Assert.Equal(board.Event.Capacity, EventRules.PlacesTaken(board.Invitations));
            }
        }
    }

    [Fact]
    public void OnlineAttendance_OnlyAdds_KeepsDoorCheckIns_AndIsRefusedBeforeTheStartOrWithoutAnOnlinePart()
    {
        var board = new Board(5, clock.GetUtcNow(), 3);
        var during = board.Event.StartsAt.AddMinutes(10);
        board.Apply(EventRules.CheckIn(board.Event, board.Invitations, board.Of(101).Id, true, during));
        var after = board.Event.EndsAt.AddMinutes(30);

        var decision = board.Apply(EventRules.RecordOnlineAttendance(board.Event, board.Invitations, [101, 102, 999], after));

        Assert.True(decision.IsAllowed);
        Assert.Empty(decision.Mails);
        Assert.Equal([101L, 102L], decision.Changed.Select(i => i.ContactId).Order());
        Assert.Equal((true, during), (board.Of(101).AttendedOnline, board.Of(101).CheckedInAt));
        Assert.True(board.Of(102).AttendedOnline);
        Assert.False(board.Of(103).Attended);
        // Reading the same report again changes nothing; nobody is ever marked absent by it.
        Assert.Empty(EventRules.RecordOnlineAttendance(board.Event, board.Invitations, [101, 102], after).Changed);
        Assert.Empty(EventRules.RecordOnlineAttendance(board.Event, board.Invitations, [], after).Changed);
        Assert.True(board.Of(102).AttendedOnline);

        Assert.False(EventRules.RecordOnlineAttendance(board.Event, board.Invitations, [103], board.Event.StartsAt.AddMinutes(-1)).IsAllowed);
        Assert.False(EventRules.RecordOnlineAttendance(board.Event with { Format = EventFormat.Physical }, board.Invitations, [103], after).IsAllowed);
        Assert.False(EventRules.RecordOnlineAttendance(board.Event with { Status = EventStatus.Cancelled }, board.Invitations, [103], after).IsAllowed);
    }

    [Fact]
    public void StillDue_DropsNoticesThatNoLongerFit()
    {
        var board = new Board(1, clock.GetUtcNow(), 2);
        board.Respond(101, InvitationResponse.Accepted, clock.GetUtcNow());
        board.Respond(102, InvitationResponse.Accepted, clock.GetUtcNow());
        var now = clock.GetUtcNow();
        var e = board.Event;
        var cancelled = e with { Status = EventStatus.Cancelled };

        Assert.True(EventRules.StillDue(e, board.Of(102), EventMailKind.Waitlisted, now));
        Assert.False(EventRules.StillDue(e, board.Of(101), EventMailKind.Waitlisted, now)); // holds a place by now
        Assert.True(EventRules.StillDue(e, board.Of(101), EventMailKind.Invitation, now));
        Assert.False(EventRules.StillDue(cancelled, board.Of(101), EventMailKind.Invitation, now));
        Assert.False(EventRules.StillDue(cancelled, board.Of(101), EventMailKind.Update, now));
        Assert.True(EventRules.StillDue(cancelled, board.Of(101), EventMailKind.Cancelled, now));
        Assert.False(EventRules.StillDue(e, board.Of(101), EventMailKind.Cancelled, now));
        Assert.False(EventRules.StillDue(e, board.Of(101) with { Response = InvitationResponse.Declined }, EventMailKind.Update, now));
        Assert.True(EventRules.StillDue(cancelled, board.Of(101), EventMailKind.Withdrawn, now));

        board.Respond(101, InvitationResponse.Declined, now);
        var offered = board.Of(102);
        Assert.Equal(PlaceStatus.Offered, offered.Place);
        Assert.True(EventRules.StillDue(e, offered, EventMailKind.PlaceOffered, now));
        Assert.False(EventRules.StillDue(e, offered, EventMailKind.PlaceOffered, offered.PlaceOfferedUntil!.Value)); // lapsed at its end
        Assert.False(EventRules.StillDue(e, offered with { Place = PlaceStatus.Lapsed }, EventMailKind.PlaceOffered, now));
    }

    /// <summary>In the autumn overlap hour the order is the instants', not the wall clocks': 02:45 summer time comes before 02:15 winter time.</summary>
    [Fact]
    public void InTheOverlapHour_StartAndEndCompareAsInstants_AndAnEmptyDraftIsCheckedWithoutThrowing()
    {
        var summer = TimeSpan.FromHours(2);
        var winter = TimeSpan.FromHours(1);
        var draft = Draft() with { StartLocal = new DateTime(2027, 10, 31, 2, 45, 0), StartOffset = summer, EndLocal = new DateTime(2027, 10, 31, 2, 15, 0), EndOffset = winter, RegistrationDeadlineLocal = new DateTime(2027, 10, 30, 12, 0, 0) };
        Assert.DoesNotContain(EventRules.Check(draft), e => e.Field == "EndLocal");
        var e = EventRules.Create(draft, "uid", clock.GetUtcNow());
        Assert.Equal((new DateTimeOffset(2027, 10, 31, 0, 45, 0, TimeSpan.Zero), new DateTimeOffset(2027, 10, 31, 1, 15, 0, TimeSpan.Zero)), (e.StartsAt, e.EndsAt));
        // Round trip through the edit form's draft keeps the occurrence.
        Assert.Equal((summer, winter), (EventRules.ToDraft(e).StartOffset, EventRules.ToDraft(e).EndOffset));
        Assert.Contains(EventRules.Check(draft with { StartOffset = winter, EndOffset = summer }), x => x.Field == "EndLocal");
        Assert.Contains(EventRules.Check(new NetworkEventDraft()), x => x.Field == "EndLocal");
    }
}
