using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outreach.Core.Jobs;
using Outreach.Core.Mail;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;
using Outreach.Jobs.Scheduling;

namespace Outreach.Jobs.Reports;

/// <summary>
/// Every Monday morning (Europe/Amsterdam): last week's changes and the last twelve months' key figures, to each configured
/// manager, through the outbox, with each covenant's latest annual monitoring (its sentence). The idempotency key is the week
/// and the address, so a second run (by hand, or on another node) adds nothing. Recipients: the configured addresses and the
/// managers who subscribed themselves on the report page. The monitoring section is written in each recipient's language:
/// a subscriber's own choice, Jobs:WeeklyReportLanguage for the configured addresses.
/// </summary>
public sealed partial class WeeklyReportMailJob(ConversionReports reports, IMailOutbox outbox, TimeProvider clock, IOptions<JobsOptions> options, ILogger<WeeklyReportMailJob> logger,
    IWeeklyReportSubscribers? subscribers = null, Core.Onboarding.MonitoringReports? monitoring = null, Core.Prospects.IProspectStore? prospects = null) : IOutreachJob
{
    public async Task<JobResult> RunAsync(JobContext context, CancellationToken ct)
    {
        var configuredLanguage = ContactLanguages.TryParse(options.Value.WeeklyReportLanguage, out var l) ? l : ContactLanguage.En;
        var subscribed = subscribers is null ? [] : (await subscribers.ListAsync(ct)).Select(s => (Address: s.Address, s.Language));
        // A configured address that also subscribed gets the mail once, in the configured language (the first one wins).
        var recipients = options.Value.WeeklyReportRecipients.Select(a => (Address: a, Language: configuredLanguage)).Concat(subscribed)
            .Select(r => r with { Address = r.Address.Trim() }).Where(r => r.Address.Length > 0).DistinctBy(r => r.Address, StringComparer.OrdinalIgnoreCase).ToList();
        if (recipients.Count == 0) return JobResult.Skipped("No recipients: set Jobs:WeeklyReportRecipients to the managers' addresses, or let managers subscribe on the report page.");

        var (monday, sunday) = WeeklyReportMail.WeekBefore(reports.Today);
        var week = await reports.BuildAsync(new ReportQuery { From = monday, To = sunday }, ct);
        var year = await reports.BuildAsync(ReportQuery.Last(365, sunday), ct);
        // Each covenant's monitoring report of the last year that has ended, for the section on onboarding.
        var monitored = new List<(string, Core.Onboarding.MonitoringReport)>();
        if (monitoring is not null && prospects is not null)
        {
            foreach (var covenant in await prospects.ListCovenantsAsync(ct))
                if ((await monitoring.BuildAsync(covenant.Code, null, ct)).Report is { } report) monitored.Add((covenant.Name, report));
        }

        var mails = new Dictionary<ContactLanguage, ReportMail>();
        var now = clock.GetUtcNow();
        var added = 0;
        foreach (var (address, language) in recipients)
        {
            if (!mails.TryGetValue(language, out var mail)) mails[language] = mail = WeeklyReportMail.Compose(week, year, "all covenants", monitored, language);
            var (_, isNew) = await outbox.EnqueueAsync(new MailDraft
            {
                IdempotencyKey = $"weekly-report:{monday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}:{address.ToLowerInvariant()}",
                Purpose = "weekly-report", ToAddress = address, ToName = "", Subject = mail.Subject, HtmlBody = mail.Html, TextBody = mail.Text, DueAt = now,
            }, now, ct);
            if (isNew) added++;
            await context.Progress.ReportAsync(added, recipients.Count, ct);
        }

        LogQueued(logger, added, monday);
        return JobResult.Succeeded($"Weekly report for {monday:yyyy-MM-dd} – {sunday:yyyy-MM-dd} queued for {added} of {recipients.Count} recipients (the others had it already).");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Weekly report for the week of {Monday} queued for {Added} recipients")]
    private static partial void LogQueued(ILogger logger, int added, DateOnly monday);
}
