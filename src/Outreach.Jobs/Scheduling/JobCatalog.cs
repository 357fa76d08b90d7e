using Outreach.Core.Jobs;
using Outreach.Jobs.Dataverse;
using Outreach.Jobs.PipelineHygiene;
using Outreach.Jobs.Privacy;
using Outreach.Jobs.Reports;

namespace Outreach.Jobs.Scheduling;

/// <summary>
/// One recurring job: its key, what it does and when it runs (its cron, and <c>CronKey</c>, the configuration key named when the
/// schedule is refused); <c>Enabled</c> null means always scheduled.
/// </summary>
public sealed record JobDefinition(string Key, string Title, string Description, Type JobType, Func<JobsOptions, string> Cron, string CronKey, Func<JobsOptions, bool>? Enabled = null)
{
    public bool IsEnabled(JobsOptions options) => Enabled?.Invoke(options) ?? true;

    public JobSchedule Schedule(JobsOptions options, TimeZoneInfo zone) => JobSchedule.Parse(CronKey, Cron(options), zone);
}

/// <summary>Every recurring job the product runs. The jobs page and the scheduler both read this list.</summary>
public static class JobCatalog
{
    public static readonly IReadOnlyList<JobDefinition> All =
    [
        new("pipeline-hygiene", "Pipeline hygiene",
            "Moves 'not now' prospects whose revisit date has come back to 'identified' and flags overdue next actions.",
            typeof(PipelineHygieneJob), o => o.PipelineHygieneCron, "Jobs:PipelineHygieneCron"),
        new("declined-contact-retention", "Retention of declined prospects' contacts",
            "Erases the contacts of organisations that declined longer ago than the configured retention.",
            typeof(DeclinedContactRetentionJob), o => o.RetentionCron, "Jobs:RetentionCron"),
        new("sequences", "Follow-up sequences",
            "Puts each enrolment's due step in the outbox (inside the send window, within the frequency cap) and stops enrolments that must stop.",
            typeof(Mail.SequenceJob), o => o.SequencesCron, "Jobs:SequencesCron"),
        // Scheduled only with a Microsoft 365 mailbox (Mail:Provider=Graph): the pickup folder has no inbox.
        new("mail-replies", "Replies and bounces",
            "Reads new messages in the secretariat's mailbox: a reply stops the organisation's sequences, an out-of-office answer pauses them, a bounce marks the address.",
            typeof(Mail.ReplyScanJob), o => o.ReplyScanCron, "Jobs:ReplyScanCron", o => o.ReplyScanEnabled),
        new("weekly-report-mail", "Weekly report mail",
            "Sends last week's changes and the key figures of the last twelve months to the configured managers, through the outbox.",
            typeof(WeeklyReportMailJob), o => o.WeeklyReportCron, "Jobs:WeeklyReportCron"),
        new("onboarding-reminders", "Onboarding reminders",
            "Reminds each signed party's onboarding contact of a milestone some days before it is due and again some days after, in their language, inside the send window; a milestone marked done gets none.",
            typeof(Outreach.Jobs.Onboarding.OnboardingReminderJob), o => o.OnboardingRemindersCron, "Jobs:OnboardingRemindersCron"),
        new("event-mail", "Network event mail",
            "Passes offered places that were not confirmed in time to the next on the waitlist, sends reminders before events and thanks or a no-show message after them.",
            typeof(Outreach.Jobs.Events.EventMailJob), o => o.EventMailCron, "Jobs:EventMailCron"),
        new("event-notices", "Network event notices",
            "Passes on invitations, updates, cancellations and offered places that could not go at once (the host stopped, or the mail or calendar service asked to wait).",
            typeof(Outreach.Jobs.Events.EventNoticeJob), o => o.EventNoticesCron, "Jobs:EventNoticesCron"),
        // Scheduled only with the Microsoft 365 calendar (Events:Calendar=Graph): the mail mode's answers come through Outreach's own links.
        new("event-calendar", "Network event calendar",
            "Reads the answers invitees gave in their Microsoft 365 calendar into their invitations, and after online and hybrid events who attended online (the Teams attendance report).",
            typeof(Outreach.Jobs.Events.EventCalendarJob), o => o.EventCalendarCron, "Jobs:EventCalendarCron", o => o.EventCalendarEnabled),
        // Scheduled only when Dataverse is configured (Dataverse:Url); every 15 minutes unless Dataverse:SyncInterval says otherwise.
        new("dataverse-sync", "Dataverse sync",
            "Brings accounts and contacts changed in Dynamics 365 into Outreach (deleted ones are marked removed), then sends pipeline stage changes back.",
            typeof(DataverseSyncJob), o => o.DataverseSyncCron ?? "", "Dataverse:SyncInterval", o => o.DataverseSyncCron is not null),
    ];

    public static JobDefinition? Find(string key) => All.FirstOrDefault(j => j.Key == key);

    /// <summary>
    /// The schedules of the jobs that are switched on, each checked: a bad cron or time zone is refused here, when the host
    /// starts, naming its key, so it never reaches the scheduler.
    /// </summary>
    public static IReadOnlyList<(JobDefinition Job, JobSchedule Schedule)> Schedules(JobsOptions options)
    {
        var zone = JobSchedule.ParseZone(options.TimeZone);
        var list = new List<(JobDefinition, JobSchedule)>();
        foreach (var job in All.Where(j => j.IsEnabled(options)))
        {
            if (!typeof(IOutreachJob).IsAssignableFrom(job.JobType))
                throw new InvalidOperationException($"{job.JobType.Name} is not an {nameof(IOutreachJob)}.");
            list.Add((job, job.Schedule(options, zone)));
        }

        return list;
    }
}
