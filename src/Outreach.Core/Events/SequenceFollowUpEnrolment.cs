using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;

namespace Outreach.Core.Events;

/// <summary>
/// After an event, enrols each attendee in the sequence named by <see cref="EventOptions.FollowUpSequence"/>, for their
/// organisation's prospect in the event's covenant. Nothing when no sequence is configured or found, when the organisation
/// has no prospect in that covenant, or when the enrolment is refused (opted out, past the sequence's stage, already in it).
/// Once per attendee and event (<see cref="Key"/>): the event-mail job comes back to an ended event for days, and must not
/// enrol again someone whose enrolment stopped meanwhile (they replied).
/// </summary>
public sealed class SequenceFollowUpEnrolment(EventOptions options, ISequenceStore sequences, SequenceRunner runner, IProspectStore prospects, IPipelineStore pipeline)
    : IEventFollowUpEnrolment
{
    public const string Actor = "event follow-up";

    public static string Key(long eventId, long contactId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"event:{eventId}:follow-up:{contactId}");

    public async Task EnrolAttendeeAsync(NetworkEvent networkEvent, Invitation invitation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(networkEvent);
        ArgumentNullException.ThrowIfNull(invitation);
        if (string.IsNullOrWhiteSpace(options.FollowUpSequence)) return;
        var sequence = (await sequences.ListSequencesAsync(ct).ConfigureAwait(false))
            .FirstOrDefault(s => string.Equals(s.Name, options.FollowUpSequence.Trim(), StringComparison.OrdinalIgnoreCase));
        if (sequence is null) return;
        var contact = await prospects.GetContactAsync(invitation.ContactId, ct).ConfigureAwait(false);
        if (contact is null) return;
        var entry = (await pipeline.ListEntriesForOrganisationAsync(contact.OrganisationId, ct).ConfigureAwait(false))
            .FirstOrDefault(e => e.CovenantId == networkEvent.CovenantId);
        if (entry is null) return;
        await runner.EnrolAsync(entry.Id, contact.Id, sequence.Id, Actor, Key(networkEvent.Id, contact.Id), ct).ConfigureAwait(false);
    }
}
