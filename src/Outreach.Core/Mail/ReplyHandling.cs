using System.Globalization;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;

namespace Outreach.Core.Mail;

public sealed record ReplyScanResult(int Read, int Replies, int OutOfOffice, int Bounces, int Other, int Unmatched, int EnrolmentsStopped, int EnrolmentsPaused, bool Restarted)
{
    /// <summary>Messages another run was handling at the same time (this run left them to it and did not move past them).</summary>
    public int HeldElsewhere { get; init; }

    public override string ToString() =>
        $"{Read} messages read: {Replies} replies ({EnrolmentsStopped} enrolments stopped), {OutOfOffice} out-of-office ({EnrolmentsPaused} paused), {Bounces} bounces, {Other} other, {Unmatched} not from a known contact" +
        (HeldElsewhere > 0 ? $"; {HeldElsewhere} being handled by another run" : "") +
        (Restarted ? "; the mailbox's delta link had expired, so the whole inbox was read again (messages seen before were skipped)" : "");
}

/// <summary>
/// Reads what arrived in the secretariat's mailbox and acts on it: a reply from anyone at an organisation stops that
/// organisation's enrolments; an out-of-office reply pauses the sender's enrolments until the return date it states; a hard
/// bounce marks the address (which stops its enrolments and cancels its waiting mail). Each message is handled once (by its
/// mailbox id) and recorded, so the prospect page shows it. The mailbox link is saved after each page, so a crash re-reads
/// at most one page, whose messages are then skipped. Two runs at once (the scheduler's lock is not relied on) read the same
/// messages: each is claimed first (<see cref="IReplyLog.ClaimAsync"/>), and a run does not move the link past a page with a
/// message another run holds, so if that run dies the message is read again once its claim lapses. A calendar program's
/// answer to a mailed invitation (an iTIP REPLY: Outlook's and Gmail's Yes / Maybe / No) is recorded as the invitee's answer
/// (<paramref name="answers"/>), and stops nothing: it answers the event, not a sequence's mail.
/// </summary>
public sealed class ReplyHandling(
    IMailboxReader reader,
    IReplyLog log,
    IMailOutbox outbox,
    IProspectStore prospects,
    ContactPrivacy privacy,
    ISequenceStore sequences,
    EnrolmentStops stops,
    TimeProvider clock,
    SequenceSettings settings,
    string mailbox,
    ICalendarAnswers? answers = null)
{
    public const int MaxPages = 200;

    /// <summary>The recorded kind of a calendar answer (an iTIP REPLY) to an invitation.</summary>
    public const string CalendarAnswerKind = "calendar_answer";

    /// <summary>How long a claim on a message holds: far longer than handling one takes.</summary>
    public static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(5);

    public async Task<ReplyScanResult> ScanAsync(CancellationToken ct)
    {
        var link = await log.GetLinkAsync(mailbox, ct);
        int read = 0, replies = 0, away = 0, bounces = 0, other = 0, unmatched = 0, stopped = 0, paused = 0;
        var restarted = false;
        var held = 0;
        // A name of this run's own: two runs on one node must not share claims.
        var claimer = "reply-scan/" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < MaxPages; i++)
        {
            var page = await reader.ReadChangesAsync(link, ct);
            restarted |= page.Restarted;
            var heldOnPage = 0;
            foreach (var message in page.Messages)
            {
                ct.ThrowIfCancellationRequested();
                read++;
                var at = clock.GetUtcNow();
                var claim = await log.ClaimAsync(message.Id, claimer, at, at + ClaimFor, ct);
                if (claim == ReplyClaim.HeldElsewhere) heldOnPage++;
                if (claim != ReplyClaim.Claimed) continue;
                var (reply, stop, pause) = await HandleAsync(message, ct);
                stopped += stop;
                paused += pause;
                switch (reply.Kind)
                {
                    case "reply": replies++; break;
                    case "out_of_office": away++; break;
                    case "bounce": bounces++; break;
                    default: other++; break;
                }

                if (reply.Kind is "reply" or "out_of_office" && reply.ContactId is null) unmatched++;
                await log.RecordAsync(reply, clock.GetUtcNow(), ct);
            }

            held += heldOnPage;
            // Not past a message another run holds: should that run die, the next run reads it again.
            if (heldOnPage > 0) break;
            link = page.NextLink ?? page.DeltaLink ?? link;
            await log.SaveLinkAsync(mailbox, link, clock.GetUtcNow(), ct);
            if (page.NextLink is null) break;
        }

        return new ReplyScanResult(read, replies, away, bounces, other, unmatched, stopped, paused, restarted) { HeldElsewhere = held };
    }

    private async Task<(MailReply Reply, int Stopped, int Paused)> HandleAsync(InboxMessage message, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (answers is not null && message.Calendar is { } calendar && await answers.RecordAsync(calendar, ct) is { } answered)
        {
            var from = await MatchAsync(message, ct);
            return (new MailReply
            {
                MessageId = message.Id, Kind = CalendarAnswerKind, FromAddress = message.FromAddress, Subject = message.Subject, ReceivedAt = message.ReceivedAt,
                ContactId = from.Count > 0 ? from[0].Id : null, OrganisationId = from.Count > 0 ? from[0].OrganisationId : null, Outcome = answered,
            }, 0, 0);
        }

        var kind = InboxClassifier.Classify(message);
        var reply = new MailReply
        {
            MessageId = message.Id, Kind = "other", FromAddress = message.FromAddress, Subject = message.Subject, ReceivedAt = message.ReceivedAt,
            ReturnsOn = kind.ReturnsOn, BouncedAddress = kind.BouncedAddress,
        };
        switch (kind.Kind)
        {
            case InboxMessageKind.Bounce:
            {
                if (kind.BouncedAddress is null) return (reply with { Kind = "bounce", Outcome = "non-delivery report without a clear address: nothing done" }, 0, 0);
                if (!kind.HardBounce)
                    return (reply with { Kind = "bounce", Outcome = $"temporary failure ({kind.Status ?? "no status"}): nothing done, the outbox retries" }, 0, 0);
                var marked = await privacy.MarkBouncedAsync(kind.BouncedAddress, now, ct);
                var known = marked.Count > 0 ? marked : await prospects.FindContactsByEmailAsync(kind.BouncedAddress, ct);
                var contact = known.Count > 0 ? known[0] : null;
                return (reply with
                {
                    Kind = "bounce", ContactId = contact?.Id, OrganisationId = contact?.OrganisationId,
                    Outcome = marked.Count > 0 ? $"address marked as bouncing ({kind.Status}) for {marked.Count} contact(s); their sequences stopped" : "address not known or already marked",
                }, 0, 0);
            }

            case InboxMessageKind.Reply:
            {
                var contacts = await MatchAsync(message, ct);
                if (contacts.Count == 0) return (reply with { Kind = "reply", Outcome = "not from a known contact: nothing done" }, 0, 0);
                var stopped = 0;
                foreach (var organisationId in contacts.Select(c => c.OrganisationId).Distinct())
                    stopped += await stops.StopForOrganisationAsync(organisationId, StopReason.Reply, now, ct);
                return (reply with
                {
                    Kind = "reply", ContactId = contacts[0].Id, OrganisationId = contacts[0].OrganisationId,
                    Outcome = string.Create(CultureInfo.InvariantCulture, $"{stopped} enrolment(s) of the organisation stopped"),
                }, stopped, 0);
            }

            case InboxMessageKind.OutOfOffice:
            {
                var contacts = await MatchAsync(message, ct);
                if (contacts.Count == 0) return (reply with { Kind = "out_of_office", Outcome = "not from a known contact: nothing done" }, 0, 0);
                var paused = 0;
                DateTimeOffset? until = null;
                foreach (var contact in contacts)
                {
                    foreach (var enrolment in await sequences.ListOpenForContactAsync(contact.Id, ct))
                    {
                        var pausedOne = EnrolmentRules.OnOutOfOffice(enrolment, kind.ReturnsOn, now, settings.Window);
                        if (pausedOne == enrolment) continue;
                        if (await stops.SaveAsync(pausedOne, now, ct))
                        {
                            paused++;
                            until = pausedOne.PausedUntil;
                        }
                    }
                }

                return (reply with
                {
                    Kind = "out_of_office", ContactId = contacts[0].Id, OrganisationId = contacts[0].OrganisationId,
                    Outcome = paused == 0 ? "no open enrolment to pause" : string.Create(CultureInfo.InvariantCulture, $"{paused} enrolment(s) paused until {until:yyyy-MM-dd HH:mm} UTC"),
                }, 0, paused);
            }

            default:
                return (reply with { Outcome = "automatic message: ignored" }, 0, 0);
        }
    }

    /// <summary>The contact(s) a message is from: the contact of the sent mail it answers (Message-ID, then conversation), else by sender address.</summary>
    private async Task<IReadOnlyList<Contact>> MatchAsync(InboxMessage message, CancellationToken ct)
    {
        var sent = await outbox.FindSentByMessageAsync(message.ReferencedMessageIds, message.ConversationId, ct);
        if (sent?.Mail.ContactId is { } id && await prospects.GetContactAsync(id, ct) is { Erased: false } answered)
            return [answered];
        return string.IsNullOrWhiteSpace(message.FromAddress) ? [] : await prospects.FindContactsByEmailAsync(message.FromAddress, ct);
    }
}
