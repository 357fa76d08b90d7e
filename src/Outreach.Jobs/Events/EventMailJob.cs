using Microsoft.Extensions.Logging;
using Outreach.Core.Events;
using Outreach.Core.Jobs;

namespace Outreach.Jobs.Events;

/// <summary>
/// Every quarter of an hour: offered places not confirmed in time pass on to the next on the waitlist; reminders go to
/// accepted and tentative invitees of events starting within the configured number of days; after an event, thanks go to
/// attendees (who may be enrolled in a follow-up sequence) and another message to no-shows. Every mail is idempotent in the
/// outbox, so running again (or on two nodes) sends nothing twice. With the Microsoft 365 calendar (<paramref name="calendarLinks"/>
/// given) an online or hybrid event's follow-ups wait until its Teams attendance is read, so an online attendee is not sent
/// the no-show message.
/// </summary>
public sealed partial class EventMailJob(IEventStore store, EventService service, EventOptions options, IEventFollowUpEnrolment enrolment, TimeProvider clock, ILogger<EventMailJob> logger,
    IEventCalendarLinks? calendarLinks = null)
    : IOutreachJob
{
    /// <summary>How long after its end an event still gets its follow-up (a job that was down for a while catches up).</summary>
    public static readonly TimeSpan FollowUpWindow = TimeSpan.FromDays(7);

    public async Task<JobResult> RunAsync(JobContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = clock.GetUtcNow();
        var lapsedEvents = await store.ListWithLapsedOffersAsync(now, ct);
        foreach (var id in lapsedEvents) await service.ExpireOffersAsync(id, ct);

        var reminders = 0;
        foreach (var e in await store.ListStartingAsync(now, now.AddDays(Math.Clamp(options.ReminderDays, 0, 60)), ct))
            reminders += await service.SendRemindersAsync(e, ct);

        var followUps = 0;
        foreach (var e in await store.ListEndedAsync(now - FollowUpWindow, now, ct))
        {
            if (calendarLinks is not null && e.Format != EventFormat.Physical
                && await calendarLinks.GetAsync(e.Id, ct) is { JoinUrl: not null, AttendanceReadAt: null })
                continue;
            followUps += await service.SendFollowUpsAsync(e, enrolment, ct);
        }

        LogRun(logger, lapsedEvents.Count, reminders, followUps);
        return JobResult.Succeeded($"{lapsedEvents.Count} events with lapsed offers passed on, {reminders} reminders and {followUps} follow-ups in the outbox (each sent once).");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event mail: {Lapsed} events with lapsed offers, {Reminders} reminders, {FollowUps} follow-ups")]
    private static partial void LogRun(ILogger logger, int lapsed, int reminders, int followUps);
}
