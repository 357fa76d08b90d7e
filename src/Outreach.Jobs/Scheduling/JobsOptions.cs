using System.ComponentModel.DataAnnotations;

namespace Outreach.Jobs.Scheduling;

/// <summary>Configuration section "Jobs".</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>Start the scheduler in this process (switch off on a web-only node or in some tests).</summary>
    public bool SchedulerEnabled { get; set; } = true;

    /// <summary>Time zone of every cron schedule.</summary>
    [Required]
    public string TimeZone { get; set; } = "Europe/Amsterdam";

    /// <summary>Pipeline hygiene: a Quartz cron expression; default 07:00 on weekdays (public holidays are skipped by the job).</summary>
    [Required]
    public string PipelineHygieneCron { get; set; } = "0 0 7 ? * MON-FRI";

    /// <summary>Retention: a daily run at 02:00 by default.</summary>
    [Required]
    public string RetentionCron { get; set; } = "0 0 2 * * ?";

    /// <summary>The follow-up sequences: every five minutes by default (mail still waits for the send window).</summary>
    [Required]
    public string SequencesCron { get; set; } = "0 0/5 * * * ?";

    /// <summary>Replies and bounces: every five minutes by default, when a Microsoft 365 mailbox is configured.</summary>
    [Required]
    public string ReplyScanCron { get; set; } = "0 2/5 * * * ?";

    /// <summary>Set by the host when Mail:Provider is Graph (an inbox to read).</summary>
    public bool ReplyScanEnabled { get; set; }

    /// <summary>The weekly report mail: Monday 08:00 by default.</summary>
    [Required]
    public string WeeklyReportCron { get; set; } = "0 0 8 ? * MON";

    /// <summary>Network event mail (offers passing on, reminders, follow-ups): every 15 minutes by default.</summary>
    [Required]
    public string EventMailCron { get; set; } = "0 0/15 * * * ?";

    /// <summary>Event notices that could not go at once (see EventNoticeJob): every minute by default.</summary>
    [Required]
    public string EventNoticesCron { get; set; } = "30 * * * * ?";

    /// <summary>Answers and online attendance from the Microsoft 365 calendar: every five minutes by default, with Events:Calendar=Graph.</summary>
    [Required]
    public string EventCalendarCron { get; set; } = "0 4/5 * * * ?";

    /// <summary>Set by the host when Events:Calendar is Graph (a calendar to read).</summary>
    public bool EventCalendarEnabled { get; set; }

    /// <summary>The managers' addresses that get the weekly report mail; empty: the job runs but sends nothing.</summary>
    public IList<string> WeeklyReportRecipients { get; init; } = [];

    /// <summary>Set by the host from Dataverse:SyncInterval when Dataverse is configured; null leaves the Dataverse sync unscheduled.</summary>
    public string? DataverseSyncCron { get; set; }

    /// <summary>Contacts of organisations that declined longer ago than this are erased; 0 switches the rule off.</summary>
    [Range(0, 36500)]
    public int RetainDeclinedContactsDays { get; set; } = 730;

    /// <summary>
    /// Quartz scheduler name: the same on every node of a cluster. Quartz keeps schedulers in a process-wide
    /// registry by this name, so two hosts in one process (tests) need different names.
    /// </summary>
    [Required]
    public string SchedulerName { get; set; } = "Outreach";

    /// <summary>This node's name in job runs; empty means the machine name. Give each node of a cluster its own, stable name.</summary>
    public string? NodeName { get; set; }

    /// <summary>Cluster the scheduler across nodes (PostgreSQL only; Quartz refuses to cluster on SQLite).</summary>
    public bool Clustered { get; set; }
}
