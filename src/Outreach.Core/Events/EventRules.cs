using Outreach.Core.Calendar;
using Outreach.Core.Common;
using Outreach.Core.Prospects;

namespace Outreach.Core.Events;

/// <summary>The rules of events, invitations, capacity and the waitlist: plain functions from state to a decision.</summary>
public static class EventRules
{
    public const int MaxTitleLength = 200;
    public const int MaxCapacity = 100_000;

    public static IReadOnlyList<FieldError> Check(NetworkEventDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(draft.Title)) errors.Add(new FieldError("Title", "Enter a title."));
        else if (draft.Title.Trim().Length > MaxTitleLength) errors.Add(new FieldError("Title", "A title has at most {0} characters.", MaxTitleLength.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        else errors.AddRange(Validation.CheckText("Title", draft.Title, MaxTitleLength, required: true));
        errors.AddRange(Validation.CheckText("Venue", draft.Venue, 300, required: false));
        errors.AddRange(Validation.CheckText("OnlineJoinUrl", draft.OnlineJoinUrl, 1000, required: false));
        errors.AddRange(Validation.CheckText("DescriptionNl", draft.DescriptionNl, 4000, required: false, multiline: true));
        errors.AddRange(Validation.CheckText("DescriptionEn", draft.DescriptionEn, 4000, required: false, multiline: true));
        if (draft.CovenantId <= 0) errors.Add(new FieldError("CovenantId", "Choose a covenant."));
        if (draft.Format != EventFormat.Online && string.IsNullOrWhiteSpace(draft.Venue))
            errors.Add(new FieldError("Venue", "A physical or hybrid event needs a venue."));
        if (draft.Format != EventFormat.Physical && !string.IsNullOrWhiteSpace(draft.OnlineJoinUrl)
            && !(Uri.TryCreate(draft.OnlineJoinUrl.Trim(), UriKind.Absolute, out var join) && join.Scheme == Uri.UriSchemeHttps))
            errors.Add(new FieldError("OnlineJoinUrl", "The join link must be an https address."));
        // Instants, not wall clocks: in the autumn overlap 02:15 (winter time) comes after 02:45 (summer time).
        if (Order(draft.EndLocal, draft.EndOffset) <= Order(draft.StartLocal, draft.StartOffset)) errors.Add(new FieldError("EndLocal", "The event must end after it starts."));
        if (draft.Capacity is < 1 or > MaxCapacity) errors.Add(new FieldError("Capacity", "Capacity must be between 1 and {0}.", MaxCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (Order(draft.RegistrationDeadlineLocal, draft.RegistrationDeadlineOffset) > Order(draft.StartLocal, draft.StartOffset)) errors.Add(new FieldError("RegistrationDeadlineLocal", "The registration deadline must not be after the start."));
        return errors;
    }

    /// <summary>A new, scheduled event from a checked draft.</summary>
    public static NetworkEvent Create(NetworkEventDraft draft, string uid, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(draft);
        return Apply(new NetworkEvent { Title = "", Uid = uid, Status = EventStatus.Scheduled, CreatedAt = now }, draft, now);
    }

    private static NetworkEvent Apply(NetworkEvent e, NetworkEventDraft d, DateTimeOffset now) => e with
    {
        Title = d.Title.Trim(),
        CovenantId = d.CovenantId,
        HostOrganisationId = d.HostOrganisationId,
        Format = d.Format,
        Venue = d.Format == EventFormat.Online || string.IsNullOrWhiteSpace(d.Venue) ? null : d.Venue.Trim(),
        OnlineJoinUrl = d.Format == EventFormat.Physical || string.IsNullOrWhiteSpace(d.OnlineJoinUrl) ? null : d.OnlineJoinUrl.Trim(),
        StartsAt = Local(d.StartLocal, d.StartOffset),
        EndsAt = Local(d.EndLocal, d.EndOffset),
        Capacity = d.Capacity,
        RegistrationDeadline = Local(d.RegistrationDeadlineLocal, d.RegistrationDeadlineOffset),
        DescriptionNl = d.DescriptionNl.Trim(),
        DescriptionEn = d.DescriptionEn.Trim(),
        UpdatedAt = now,
    };

    /// <summary>The instant, for comparing; an unset or out-of-range time (DateTime.MinValue) as its wall clock in UTC.</summary>
    private static DateTimeOffset Order(DateTime wallClock, TimeSpan? offset) =>
        wallClock.Year is > 1 and < 9999 ? Local(wallClock, offset) : new DateTimeOffset(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified), TimeSpan.Zero);

    private static DateTimeOffset Local(DateTime wallClock, TimeSpan? offset) =>
        AmsterdamClock.AtLocal(DateOnly.FromDateTime(wallClock), TimeOnly.FromDateTime(wallClock), offset).ToUniversalTime();

    /// <summary>The draft that shows an event in an edit form.</summary>
    public static NetworkEventDraft ToDraft(NetworkEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new NetworkEventDraft
        {
            Title = e.Title, CovenantId = e.CovenantId, HostOrganisationId = e.HostOrganisationId, Format = e.Format, Venue = e.Venue,
            OnlineJoinUrl = e.OnlineJoinUrl, StartLocal = AmsterdamClock.ToLocal(e.StartsAt).DateTime, EndLocal = AmsterdamClock.ToLocal(e.EndsAt).DateTime,
            Capacity = e.Capacity, RegistrationDeadlineLocal = AmsterdamClock.ToLocal(e.RegistrationDeadline).DateTime,
            DescriptionNl = e.DescriptionNl, DescriptionEn = e.DescriptionEn,
            // An overlap-hour time keeps the occurrence it is, so saving the form unchanged moves nothing.
            StartOffset = AmsterdamClock.OffsetIfAmbiguous(e.StartsAt), EndOffset = AmsterdamClock.OffsetIfAmbiguous(e.EndsAt),
            RegistrationDeadlineOffset = AmsterdamClock.OffsetIfAmbiguous(e.RegistrationDeadline),
        };
    }

    /// <summary>
    /// Edits (and reschedules) an event. A change an invitee's calendar must show (time, place, join link) raises the SEQUENCE
    /// and sends an update to everyone who has not declined; more capacity offers places to the waitlist. Less capacity takes
    /// no place away from anyone who holds one.
    /// </summary>
    public static (NetworkEvent Event, EventDecision Decision) Edit(NetworkEvent e, NetworkEventDraft draft, IReadOnlyList<Invitation> invitations, TimeSpan offerWindow, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitations);
        if (e.Status == EventStatus.Cancelled) return (e, EventDecision.Refuse("This event is cancelled; it cannot be changed."));
        var edited = Apply(e, draft, now);
        var visible = edited.StartsAt != e.StartsAt || edited.EndsAt != e.EndsAt || edited.Venue != e.Venue || edited.Format != e.Format
                      || edited.OnlineJoinUrl != e.OnlineJoinUrl || edited.Title != e.Title;
        if (visible) edited = edited with { Sequence = e.Sequence + 1 };
        var mails = visible ? StillComing(invitations).Select(i => new EventMail(i.ContactId, EventMailKind.Update)).ToList() : [];
        var offers = OfferFreedPlaces(edited, invitations, offerWindow, now);
        return (edited, new EventDecision(offers.Changed, [.. mails, .. offers.Mails]));
    }

    /// <summary>Cancels the event: SEQUENCE raised, a cancellation to everyone who has not declined.</summary>
    public static (NetworkEvent Event, EventDecision Decision) Cancel(NetworkEvent e, IReadOnlyList<Invitation> invitations, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Status == EventStatus.Cancelled) return (e, EventDecision.Refuse("This event is already cancelled."));
        var cancelled = e with { Status = EventStatus.Cancelled, Sequence = e.Sequence + 1, UpdatedAt = now };
        return (cancelled, new EventDecision([], StillComing(invitations).Select(i => new EventMail(i.ContactId, EventMailKind.Cancelled)).ToList()));
    }

    private static IEnumerable<Invitation> StillComing(IReadOnlyList<Invitation> invitations) =>
        invitations.Where(i => i.Response != InvitationResponse.Declined && !i.WalkIn);

    /// <summary>
    /// Invites the candidates who are not yet invited, have not opted out (or been erased) and whose mail does not bounce;
    /// each exclusion is counted, so the person inviting sees why the number is smaller.
    /// </summary>
    public static InviteDecision Invite(NetworkEvent e, IReadOnlyList<Invitation> invitations, IEnumerable<InviteCandidate> candidates, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitations);
        ArgumentNullException.ThrowIfNull(candidates);
        if (e.Status == EventStatus.Cancelled) return new InviteDecision([], 0, 0, 0, new DomainMessage("This event is cancelled; nobody can be invited."));
        if (now >= e.StartsAt) return new InviteDecision([], 0, 0, 0, new DomainMessage("This event has begun; nobody can be invited any more."));
        var already = invitations.Select(i => i.ContactId).ToHashSet();
        var invited = new List<long>();
        int optedOut = 0, bouncing = 0, twice = 0;
        foreach (var c in candidates.DistinctBy(c => c.ContactId))
        {
            if (already.Contains(c.ContactId)) twice++;
            else if (c.OptedOut || c.Erased) optedOut++;
            else if (c.Bouncing) bouncing++;
            else invited.Add(c.ContactId);
        }

        return new InviteDecision(invited, optedOut, bouncing, twice);
    }

    /// <summary>The new invitation rows for an invite decision.</summary>
    public static IReadOnlyList<Invitation> NewInvitations(NetworkEvent e, InviteDecision decision, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Invited.Select(id => new Invitation { EventId = e.Id, ContactId = id, InvitedAt = now }).ToList();
    }

    /// <summary>
    /// An invitee's answer. Accepting when every place is taken (or others already wait) puts them on the waitlist, in order;
    /// accepting an offered place in time confirms it; declining (or cancelling one's place) or answering tentative frees any
    /// place held, which is offered to the next on the waitlist. Accepting closes at the registration deadline (an offered
    /// place can still be confirmed until its offer ends); nobody can answer once the event has begun or is cancelled.
    /// </summary>
    public static EventDecision Respond(NetworkEvent e, IReadOnlyList<Invitation> invitations, long invitationId, InvitationResponse response, TimeSpan offerWindow, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitations);
        var inv = invitations.FirstOrDefault(i => i.Id == invitationId);
        if (inv is null) return EventDecision.Refuse("This invitation does not exist.");
        if (e.Status == EventStatus.Cancelled) return EventDecision.Refuse("This event is cancelled.");
        if (now >= e.StartsAt) return EventDecision.Refuse("This event has begun; answers can no longer be changed.");
        if (response == InvitationResponse.None) return EventDecision.Refuse("Choose an answer.");

        if (response == InvitationResponse.Accepted)
        {
            switch (inv.Place)
            {
                case PlaceStatus.Confirmed:
                case PlaceStatus.Waitlisted:
                    return EventDecision.Nothing;
                case PlaceStatus.Offered when inv.PlaceOfferedUntil >= now:
                    return new EventDecision([inv with { Response = InvitationResponse.Accepted, RespondedAt = now, Place = PlaceStatus.Confirmed, PlaceOfferedUntil = null, WaitlistNumber = null }], []);
                case PlaceStatus.Offered:
                    return EventDecision.Refuse("The offered place was not confirmed in time and has passed on.");
            }

            if (now > e.RegistrationDeadline) return EventDecision.Refuse("Registration for this event has closed.");
            // Offered places count as taken, so only people still waiting in line go before a newcomer.
            var waiting = invitations.Any(i => i.Place == PlaceStatus.Waitlisted);
            if (!waiting && PlacesTaken(invitations) < e.Capacity)
                return new EventDecision([inv with { Response = InvitationResponse.Accepted, RespondedAt = now, Place = PlaceStatus.Confirmed, WaitlistNumber = null, PlaceOfferedUntil = null }], []);
            var next = (invitations.Max(i => i.WaitlistNumber) ?? 0) + 1;
            // Told by mail: an acceptance from a calendar (Microsoft 365) shows "accepted" there, not the waitlist.
            return new EventDecision([inv with { Response = InvitationResponse.Accepted, RespondedAt = now, Place = PlaceStatus.Waitlisted, WaitlistNumber = next, PlaceOfferedUntil = null }],
                [new EventMail(inv.ContactId, EventMailKind.Waitlisted)]);
        }

        if (response == InvitationResponse.Tentative && now > e.RegistrationDeadline)
            return EventDecision.Refuse("Registration for this event has closed.");
        if (inv.Response == response && inv.Place is PlaceStatus.None) return EventDecision.Nothing;
        var released = inv with { Response = response, RespondedAt = now, Place = PlaceStatus.None, WaitlistNumber = null, PlaceOfferedUntil = null };
        var after = invitations.Select(i => i.Id == inv.Id ? released : i).ToList();
        var offers = OfferFreedPlaces(e, after, offerWindow, now);
        return new EventDecision([released, .. offers.Changed], offers.Mails);
    }

    /// <summary>
    /// Whether a notice queued earlier still fits the event and invitation as they are now (a notice can wait for a busy
    /// service, or be tried again by hand days later): an offer only while it stands, a waitlist mail only while waiting,
    /// invitations and updates only for a scheduled event (an update not to someone who has since said no), a cancellation only
    /// for a cancelled one. A withdrawal always goes.
    /// </summary>
    public static bool StillDue(NetworkEvent e, Invitation invitation, EventMailKind kind, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitation);
        var scheduled = e.Status == EventStatus.Scheduled;
        return kind switch
        {
            EventMailKind.Invitation => scheduled,
            EventMailKind.Update => scheduled && invitation.Response != InvitationResponse.Declined,
            EventMailKind.Cancelled => !scheduled,
            EventMailKind.PlaceOffered => scheduled && invitation.Place == PlaceStatus.Offered && invitation.PlaceOfferedUntil > now,
            EventMailKind.Waitlisted => scheduled && invitation.Place == PlaceStatus.Waitlisted,
            _ => true,
        };
    }

    /// <summary>Places held: confirmed ones and those offered and not yet answered.</summary>
    public static int PlacesTaken(IEnumerable<Invitation> invitations) =>
        invitations.Count(i => i.Place is PlaceStatus.Confirmed or PlaceStatus.Offered);

    /// <summary>1 for the first in line; null for someone not waiting.</summary>
    public static int? WaitlistPosition(IReadOnlyList<Invitation> invitations, Invitation invitation)
    {
        ArgumentNullException.ThrowIfNull(invitations);
        ArgumentNullException.ThrowIfNull(invitation);
        if (invitation.Place != PlaceStatus.Waitlisted) return null;
        return 1 + invitations.Count(i => i.Place == PlaceStatus.Waitlisted && i.WaitlistNumber < invitation.WaitlistNumber);
    }

    /// <summary>
    /// Offers free places to the waitlist in order, each held until the offer window ends (never beyond the start).
    /// </summary>
    public static EventDecision OfferFreedPlaces(NetworkEvent e, IReadOnlyList<Invitation> invitations, TimeSpan offerWindow, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitations);
        if (e.Status == EventStatus.Cancelled || now >= e.StartsAt) return EventDecision.Nothing;
        var free = e.Capacity - PlacesTaken(invitations);
        if (free <= 0) return EventDecision.Nothing;
        var until = now + offerWindow < e.StartsAt ? now + offerWindow : e.StartsAt;
        var offered = invitations.Where(i => i.Place == PlaceStatus.Waitlisted).OrderBy(i => i.WaitlistNumber).ThenBy(i => i.Id).Take(free)
            .Select(i => i with { Place = PlaceStatus.Offered, PlaceOfferedUntil = until }).ToList();
        return new EventDecision(offered, offered.Select(i => new EventMail(i.ContactId, EventMailKind.PlaceOffered)).ToList());
    }

    /// <summary>Offers not confirmed in time lapse and their places pass on to the next on the waitlist.</summary>
    public static EventDecision ExpireOffers(NetworkEvent e, IReadOnlyList<Invitation> invitations, TimeSpan offerWindow, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitations);
        var lapsed = invitations.Where(i => i.Place == PlaceStatus.Offered && i.PlaceOfferedUntil < now)
            .Select(i => i with { Place = PlaceStatus.Lapsed, PlaceOfferedUntil = null, WaitlistNumber = null }).ToList();
        if (lapsed.Count == 0) return EventDecision.Nothing;
        var byId = lapsed.ToDictionary(i => i.Id);
        var after = invitations.Select(i => byId.GetValueOrDefault(i.Id) ?? i).ToList();
        var offers = OfferFreedPlaces(e, after, offerWindow, now);
        return new EventDecision([.. lapsed, .. offers.Changed], offers.Mails);
    }

    /// <summary>
    /// Checks an invitee in at the door (or undoes it); anyone invited may be checked in, whatever they answered. With
    /// <paramref name="opensBefore"/>, checking in before that long ahead of the start is refused, saying when it opens;
    /// undoing is always possible.
    /// </summary>
    public static EventDecision CheckIn(NetworkEvent e, IReadOnlyList<Invitation> invitations, long invitationId, bool checkedIn, DateTimeOffset now, TimeSpan? opensBefore = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitations);
        var inv = invitations.FirstOrDefault(i => i.Id == invitationId);
        if (inv is null) return EventDecision.Refuse("This invitation does not exist.");
        if (e.Status == EventStatus.Cancelled) return EventDecision.Refuse("This event is cancelled.");
        if (checkedIn && CheckInNotYetOpen(e, now, opensBefore) is { } notYet) return notYet;
        if ((inv.CheckedInAt is not null) == checkedIn) return EventDecision.Nothing;
        return new EventDecision([inv with { CheckedInAt = checkedIn ? now : null }], []);
    }

    /// <summary>
    /// Marks the invitees an online meeting's attendance report names as attended online. Only ever adds: a door check-in stays
    /// as it is (someone can be at the door and online), and reading the report again changes nothing.
    /// </summary>
    public static EventDecision RecordOnlineAttendance(NetworkEvent e, IReadOnlyList<Invitation> invitations, IReadOnlyCollection<long> contactIds, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitations);
        ArgumentNullException.ThrowIfNull(contactIds);
        if (e.Status == EventStatus.Cancelled) return EventDecision.Refuse("This event is cancelled.");
        if (e.Format == EventFormat.Physical) return EventDecision.Refuse("This event has no online part.");
        if (now < e.StartsAt) return EventDecision.Refuse("This event has not begun yet.");
        var attended = contactIds.ToHashSet();
        return new EventDecision(invitations.Where(i => attended.Contains(i.ContactId) && !i.AttendedOnline).Select(i => i with { AttendedOnline = true }).ToList(), []);
    }

    /// <summary>
    /// Someone at the door: checked in on their invitation if they have one, else added as a walk-in who is there
    /// (a walk-in holds a place, so the waitlist is not offered one the room no longer has).
    /// </summary>
    public static EventDecision WalkIn(NetworkEvent e, IReadOnlyList<Invitation> invitations, long contactId, DateTimeOffset now, TimeSpan? opensBefore = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitations);
        if (e.Status == EventStatus.Cancelled) return EventDecision.Refuse("This event is cancelled.");
        if (CheckInNotYetOpen(e, now, opensBefore) is { } notYet) return notYet;
        var existing = invitations.FirstOrDefault(i => i.ContactId == contactId);
        if (existing is not null) return CheckIn(e, invitations, existing.Id, true, now, opensBefore);
        return new EventDecision([new Invitation
        {
            EventId = e.Id, ContactId = contactId, Response = InvitationResponse.Accepted, RespondedAt = now, Place = PlaceStatus.Confirmed,
            CheckedInAt = now, WalkIn = true, InvitedAt = now,
        }], []);
    }

    /// <summary>When the door list opens: <paramref name="opensBefore"/> ahead of the start.</summary>
    public static DateTimeOffset CheckInOpensAt(NetworkEvent e, TimeSpan opensBefore)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.StartsAt - opensBefore;
    }

    private static EventDecision? CheckInNotYetOpen(NetworkEvent e, DateTimeOffset now, TimeSpan? opensBefore)
    {
        if (opensBefore is not { } before || now >= CheckInOpensAt(e, before)) return null;
        var opens = Calendar.AmsterdamClock.ToLocal(CheckInOpensAt(e, before)).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        return EventDecision.Refuse("Check-in opens at {0}, {1} hours before the start.", opens, ((int)before.TotalHours).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Who gets a reminder: those holding a place and those who answered tentative.</summary>
    public static IReadOnlyList<EventMail> Reminders(NetworkEvent e, IReadOnlyList<Invitation> invitations)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitations);
        if (e.Status == EventStatus.Cancelled) return [];
        return invitations.Where(i => !i.WalkIn && (i.Place == PlaceStatus.Confirmed || i.Response == InvitationResponse.Tentative))
            .Select(i => new EventMail(i.ContactId, EventMailKind.Reminder)).ToList();
    }

    /// <summary>After the event: thanks to everyone who attended (at the door or online), another message to those who held a place and did not come.</summary>
    public static IReadOnlyList<EventMail> FollowUps(NetworkEvent e, IReadOnlyList<Invitation> invitations, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(invitations);
        if (e.Status == EventStatus.Cancelled || now < e.EndsAt) return [];
        return invitations
            .Where(i => i.Attended || i.Place == PlaceStatus.Confirmed)
            .Select(i => new EventMail(i.ContactId, i.Attended ? EventMailKind.Thanks : EventMailKind.NoShow)).ToList();
    }
}
