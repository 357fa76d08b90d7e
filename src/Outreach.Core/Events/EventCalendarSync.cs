namespace Outreach.Core.Events;

/// <summary>What one round of reading the calendar did.</summary>
public sealed record CalendarSyncResult(int EventsRead, int ResponsesApplied, int ResponsesStale, int ResponsesRefused, int AttendanceRead, int AttendedOnline, IReadOnlyList<string> Failures)
{
    public override string ToString() =>
        $"{EventsRead} calendar events read: {ResponsesApplied} answers applied, {ResponsesStale} older than Outreach's, {ResponsesRefused} refused; " +
        $"online attendance of {AttendanceRead} events read, {AttendedOnline} invitees attended online" + (Failures.Count > 0 ? $"; {Failures.Count} failed" : "");
}

/// <summary>
/// Brings what happened in the Microsoft 365 calendar back into Outreach: answers invitees gave in their own calendar (applied
/// through <see cref="EventService.RespondAsync"/>, so capacity and the waitlist decide as for any answer), and after an
/// online or hybrid event, who attended online (once per event). Answers older than the one Outreach holds are ignored, so
/// an answer given through Outreach's own link later is not overwritten by an earlier one in the calendar.
/// </summary>
public sealed class EventCalendarSync(IEventCalendarLinks links, IEventCalendarReader reader, IEventStore store, EventService service, TimeProvider clock)
{
    /// <summary>How long after its end an event's attendance report is waited for; after that it is taken as read (none came).</summary>
    public static readonly TimeSpan AttendanceWait = TimeSpan.FromDays(2);

    /// <summary>How long after the planned end attendance is first read (a meeting that runs over is still writing its report).</summary>
    public static readonly TimeSpan AttendanceGrace = TimeSpan.FromMinutes(15);

    /// <summary>Sessions starting this long before the event or ending this long after it still count as the event.</summary>
    public static readonly TimeSpan SessionSlack = TimeSpan.FromHours(1);

    public async Task<CalendarSyncResult> RunAsync(CancellationToken ct)
    {
        var failures = new List<string>();
        int read = 0, applied = 0, stale = 0, refused = 0, attendanceRead = 0, attendedOnline = 0;
        foreach (var link in await links.ListForResponsesAsync(clock.GetUtcNow(), ct).ConfigureAwait(false))
        {
            try
            {
                var (a, s, r) = await ApplyResponsesAsync(link, ct).ConfigureAwait(false);
                (read, applied, stale, refused) = (read + 1, applied + a, stale + s, refused + r);
            }
            catch (EventChannelException ex)
            {
                // One event's failure (throttled, gone) does not hold up the others; the next round tries again.
                failures.Add($"event {link.EventId}: {ex.Message}");
            }
        }

        // Teams writes a session's report after the last person leaves: read only a while after the planned end.
        foreach (var link in await links.ListForAttendanceAsync(clock.GetUtcNow() - AttendanceGrace, ct).ConfigureAwait(false))
        {
            var e = await store.GetEventAsync(link.EventId, ct).ConfigureAwait(false);
            if (e is null) continue;
            try
            {
                var marked = await ApplyAttendanceAsync(link, e, ct).ConfigureAwait(false);
                if (marked is { } count) (attendanceRead, attendedOnline) = (attendanceRead + 1, attendedOnline + count);
            }
            catch (EventChannelException ex)
            {
                failures.Add($"event {link.EventId}: {ex.Message}");
                // Refused for good (no application access policy, say) or waited for long enough: taken as read, so the
                // thanks and no-show mails, which wait for it, still go (door check-ins count; online attendance does not).
                if (ex.Permanent || clock.GetUtcNow() - e.EndsAt >= AttendanceWait)
                {
                    await links.SaveAsync(link with { AttendanceReadAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow() }, ct).ConfigureAwait(false);
                    failures.Add($"event {link.EventId}: online attendance given up on; follow-ups go with the door check-ins only");
                }
            }
        }

        return new CalendarSyncResult(read, applied, stale, refused, attendanceRead, attendedOnline, failures);
    }

    private async Task<(int Applied, int Stale, int Refused)> ApplyResponsesAsync(EventCalendarLink link, CancellationToken ct)
    {
        var responses = await reader.ReadResponsesAsync(link, ct).ConfigureAwait(false);
        var byEmail = await InvitationsByEmailAsync(link.EventId, ct).ConfigureAwait(false);
        int applied = 0, stale = 0, refused = 0;
        foreach (var response in responses)
        {
            if (response.Response == InvitationResponse.None) continue;
            if (!byEmail.TryGetValue(Normalise(response.Email), out var invitation)) continue;
            if (invitation.Response == response.Response) continue;
            // Only an answer newer than the one held: Outreach's own answer links (and the secretariat) may have spoken later.
            if (invitation.RespondedAt is { } held && (response.At is not { } at || at <= held))
            {
                stale++;
                continue;
            }

            var result = await service.RespondAsync(link.EventId, invitation.Id, response.Response, ct).ConfigureAwait(false);
            if (result.Succeeded) applied++;
            else refused++;
        }

        // The link as read at the start of the round is enough: a save never undoes another's progress (see SaveAsync).
        var now = clock.GetUtcNow();
        await links.SaveAsync(link with { ResponsesReadAt = now, UpdatedAt = now }, ct).ConfigureAwait(false);
        return (applied, stale, refused);
    }

    /// <summary>The number of invitees marked, or null while the report is still awaited.</summary>
    private async Task<int?> ApplyAttendanceAsync(EventCalendarLink link, NetworkEvent e, CancellationToken ct)
    {
        var attendance = await reader.ReadOnlineAttendanceAsync(link, e.StartsAt - SessionSlack, e.EndsAt + SessionSlack, ct).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var current = link with { OnlineMeetingId = attendance.OnlineMeetingId ?? link.OnlineMeetingId, UpdatedAt = now };
        if (!attendance.ReportsAvailable && now - e.EndsAt < AttendanceWait)
        {
            await links.SaveAsync(current, ct).ConfigureAwait(false);
            return null;
        }

        var byEmail = await InvitationsByEmailAsync(link.EventId, ct).ConfigureAwait(false);
        var contacts = attendance.Emails.Select(Normalise).Where(byEmail.ContainsKey).Select(m => byEmail[m].ContactId).Distinct().ToList();
        var before = byEmail.Values.Count(i => i.AttendedOnline);
        var marked = 0;
        if (contacts.Count > 0)
        {
            var result = await service.RecordOnlineAttendanceAsync(link.EventId, contacts, ct).ConfigureAwait(false);
            if (result.Succeeded)
                marked = (await store.ListInvitationsAsync(link.EventId, ct).ConfigureAwait(false)).Count(i => i.AttendedOnline) - before;
        }

        await links.SaveAsync(current with { AttendanceReadAt = now }, ct).ConfigureAwait(false);
        return marked;
    }

    private async Task<Dictionary<string, Invitation>> InvitationsByEmailAsync(long eventId, CancellationToken ct) =>
        (await store.ListInvitationViewsAsync(eventId, ct).ConfigureAwait(false))
        .Where(v => !v.ContactErased && !string.IsNullOrWhiteSpace(v.Email))
        .GroupBy(v => Normalise(v.Email))
        .ToDictionary(g => g.Key, g => g.First().Invitation, StringComparer.Ordinal);

    private static string Normalise(string email) => email.Trim().ToUpperInvariant();
}
