using Microsoft.Extensions.Logging;
using Outreach.Core.Events;
using Outreach.Core.Jobs;

namespace Outreach.Jobs.Events;

/// <summary>
/// With the Microsoft 365 calendar (Events:Calendar=Graph), every few minutes: answers invitees gave in their own calendar
/// are applied to their invitations (capacity and waitlist rules as for any answer; older answers than Outreach's ignored),
/// and after an online or hybrid event the Teams attendance report marks who attended online, once per event.
/// </summary>
public sealed partial class EventCalendarJob(EventCalendarSync sync, ILogger<EventCalendarJob> logger) : IOutreachJob
{
    public async Task<JobResult> RunAsync(JobContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = await sync.RunAsync(ct);
        await context.Progress.ReportAsync(result.EventsRead + result.AttendanceRead, result.EventsRead + result.AttendanceRead, ct);
        LogRun(logger, result.EventsRead, result.ResponsesApplied, result.ResponsesStale, result.AttendanceRead, result.AttendedOnline, result.Failures.Count);
        foreach (var failure in result.Failures) LogFailure(logger, failure);
        if (result.Failures.Count > 0 && result.EventsRead == 0 && result.AttendanceRead == 0)
            // Nothing could be read (Graph refused or was unreachable): the run shows as failed on the jobs page.
            throw new InvalidOperationException(result + ": " + string.Join("; ", result.Failures.Take(3)));
        return result.EventsRead == 0 && result.AttendanceRead == 0 ? JobResult.Skipped("No calendar events to read.") : JobResult.Succeeded(result + ".");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event calendar read: {Events} events, {Applied} answers applied, {Stale} stale, attendance of {Attendance} events ({Online} online), {Failed} failed")]
    private static partial void LogRun(ILogger logger, int events, int applied, int stale, int attendance, int online, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event calendar: {Failure}")]
    private static partial void LogFailure(ILogger logger, string failure);
}
