using System.ComponentModel.DataAnnotations;

namespace Outreach.Jobs.Scheduling;

/// <summary>Configuration section "Jobs". Schedules are cron expressions of five fields (minute hour day month weekday), in <see cref="TimeZone"/>.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>Run Hangfire's server (the workers) in this process; switch off on a web-only node.</summary>
    public bool SchedulerEnabled { get; set; } = true;

    /// <summary>
    /// Register the recurring schedules (and, on the embedded single node, catch up on slots missed while it was down).
    /// Off in test hosts that run on a fake clock, since Hangfire triggers on the system clock; "Run now" still works.
    /// </summary>
    public bool RunSchedules { get; set; } = true;

    /// <summary>Hangfire workers in this process: jobs running at once on this node.</summary>
    [Range(1, 64)]
    public int WorkerCount { get; set; } = 4;

    /// <summary>Time zone of every cron schedule.</summary>
    [Required]
    public string TimeZone { get; set; } = "Europe/Amsterdam";

    /// <summary>Pipeline hygiene: 07:00 on working days by default (public holidays are skipped by the job).</summary>
    [Required]
    public string PipelineHygieneCron { get; set; } = "0 7 * * 1-5";

    /// <summary>Retention: a daily run at 02:00 by default.</summary>
    [Required]
    public string RetentionCron { get; set; } = "0 2 * * *";

    /// <summary>The follow-up sequences: every five minutes by default (mail still waits for the send window).</summary>
    [Required]
    public string SequencesCron { get; set; } = "*/5 * * * *";

    /// <summary>Replies and bounces: every five minutes by default (two minutes past the sequences), when a Microsoft 365 mailbox is configured.</summary>
    [Required]
    public string ReplyScanCron { get; set; } = "2-59/5 * * * *";

    /// <summary>Set by the host when Mail:Provider is Graph (an inbox to read).</summary>
    public bool ReplyScanEnabled { get; set; }

    /// <summary>The weekly report mail: Monday 08:00 by default.</summary>
    [Required]
    public string WeeklyReportCron { get; set; } = "0 8 * * 1";

    /// <summary>Onboarding milestone reminders: every hour at :20 by default (the mails wait for the send window).</summary>
    [Required]
    public string OnboardingRemindersCron { get; set; } = "20 * * * *";

    /// <summary>Network event mail (offers passing on, reminders, follow-ups): every 15 minutes by default.</summary>
    [Required]
    public string EventMailCron { get; set; } = "*/15 * * * *";

    /// <summary>Event notices that could not go at once (see EventNoticeJob): every minute by default.</summary>
    [Required]
    public string EventNoticesCron { get; set; } = "* * * * *";

    /// <summary>Answers and online attendance from the Microsoft 365 calendar: every five minutes by default, with Events:Calendar=Graph.</summary>
    [Required]
    public string EventCalendarCron { get; set; } = "4-59/5 * * * *";

    /// <summary>Set by the host when Events:Calendar is Graph (a calendar to read).</summary>
    public bool EventCalendarEnabled { get; set; }

    /// <summary>The managers' addresses that get the weekly report mail; empty: the job runs but sends nothing.</summary>
    public IList<string> WeeklyReportRecipients { get; init; } = [];

    /// <summary>The language ("nl" or "en") of the monitoring section in the mail to <see cref="WeeklyReportRecipients"/>; subscribers chose their own.</summary>
    [RegularExpression("^(nl|en)$")]
    public string WeeklyReportLanguage { get; set; } = "en";

    /// <summary>Set by the host from Dataverse:SyncInterval when Dataverse is configured; null leaves the Dataverse sync unscheduled.</summary>
    public string? DataverseSyncCron { get; set; }

    /// <summary>Contacts of organisations that declined longer ago than this are erased; 0 switches the rule off.</summary>
    [Range(0, 36500)]
    public int RetainDeclinedContactsDays { get; set; } = 730;

    /// <summary>This node's name in job runs and claims; empty means the machine name. Give each node of a cluster its own, stable name.</summary>
    public string? NodeName { get; set; }
}
