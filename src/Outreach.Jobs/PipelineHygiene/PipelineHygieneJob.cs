using System.Globalization;
using Microsoft.Extensions.Logging;
using Outreach.Core.Calendar;
using Outreach.Core.Jobs;
using Outreach.Core.Pipeline;

namespace Outreach.Jobs.PipelineHygiene;

/// <summary>
/// Each working morning: entries in "not now" whose revisit date has come go back to "identified" with the
/// reason recorded, and entries whose next action is overdue are flagged. Its moves enrol nobody by rule (only a person's do,
/// see <see cref="PipelineService"/>).
/// </summary>
public sealed partial class PipelineHygieneJob(IPipelineStore store, PipelineService pipeline, TimeProvider clock, ILogger<PipelineHygieneJob> logger) : IOutreachJob
{
    public const string Actor = "system:pipeline-hygiene";

    public async Task<JobResult> RunAsync(JobContext context, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        var today = AmsterdamClock.Today(clock);
        if (!context.RunByHand && !DutchCalendar.IsBusinessDay(today))
        {
            var why = DutchCalendar.HolidayName(today) ?? today.DayOfWeek.ToString();
            return JobResult.Skipped($"Not a working day ({why}).");
        }

        var due = await store.ListRevisitsDueAsync(today, ct);
        int moved = 0, conflicts = 0;
        foreach (var entry in due)
        {
            ct.ThrowIfCancellationRequested();
            var reason = string.Create(CultureInfo.InvariantCulture, $"Revisit date {entry.RevisitOn:yyyy-MM-dd} reached: back to identified by pipeline hygiene.");
            var decision = Pipeline.Decide(entry, Stage.Identified, reason, Actor, clock.GetUtcNow());
            if (!decision.IsAllowed) continue;
            try
            {
                await pipeline.ApplyFromJobAsync(decision.Change!, ct);
                moved++;
            }
            catch (ConcurrentStageChangeException)
            {
                // Someone moved it by hand since we listed it: their move wins.
                conflicts++;
            }

            await context.Progress.ReportAsync(moved + conflicts, due.Count, ct);
        }

        var overdue = await store.RefreshOverdueFlagsAsync(today, ct);
        var summary = $"{moved} revisits moved back to identified, {overdue} next actions overdue" + (conflicts > 0 ? $", {conflicts} changed by hand meanwhile" : "") + ".";
        LogRun(logger, moved, overdue, conflicts, clock.GetElapsedTime(started).TotalMilliseconds);
        return JobResult.Succeeded(summary);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline hygiene: {Moved} revisits moved, {Overdue} overdue, {Conflicts} conflicts in {ElapsedMs:F0} ms")]
    private static partial void LogRun(ILogger logger, int moved, int overdue, int conflicts, double elapsedMs);
}
