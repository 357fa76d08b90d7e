using System.Globalization;
using Microsoft.Extensions.Logging;
using Outreach.Core.Calendar;
using Outreach.Core.Common;
using Outreach.Core.Mail;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;

namespace Outreach.Core.Onboarding;

/// <summary>
/// When a party is reminded of an open milestone (options bound from "Onboarding:Reminders"): once some days before it is
/// due, once some days after, and not at all once it is longer overdue than <see cref="StopAfterDays"/> (by then it is the
/// owner's to chase, on their day list, not a mail's).
/// </summary>
public sealed record OnboardingReminderSettings
{
    public const string Section = "Onboarding:Reminders";

    public int DaysBefore { get; init; } = 14;
    public int DaysAfter { get; init; } = 7;
    public int StopAfterDays { get; init; } = 60;

    public static readonly OnboardingReminderSettings Default = new();

    /// <summary>What is wrong with the settings (empty when they may be used).</summary>
    public IReadOnlyList<string> Check()
    {
        var errors = new List<string>();
        if (DaysBefore is < 0 or > 365) errors.Add($"{Section}:DaysBefore is 0 to 365 ({DaysBefore}).");
        if (DaysAfter is < 1 or > 365) errors.Add($"{Section}:DaysAfter is 1 to 365 ({DaysAfter}).");
        if (StopAfterDays < DaysAfter || StopAfterDays > 3650) errors.Add($"{Section}:StopAfterDays is {DaysAfter} (DaysAfter) to 3650 ({StopAfterDays}).");
        return errors;
    }
}

/// <summary>The two reminders a milestone can get: before its due date, and once it is overdue.</summary>
public enum MilestoneReminder
{
    DueSoon,
    Overdue,
}

/// <summary>The onboarding contact role, the reminders' templates and keys, and when a reminder is due (pure).</summary>
public static class OnboardingReminders
{
    /// <summary>The role a contact holds when milestone reminders go to them (a party can have more than one).</summary>
    public const string ContactRole = "onboarding";

    /// <summary>The outbox purpose of a reminder mail.</summary>
    public const string Purpose = "onboarding-reminder";

    public const string DueSoonTemplate = "onboarding-due-soon";
    public const string OverdueTemplate = "onboarding-overdue";

    public static string TemplateKey(MilestoneReminder kind) => kind == MilestoneReminder.DueSoon ? DueSoonTemplate : OverdueTemplate;

    /// <summary>What every reminder key of a milestone starts with: marking it done cancels its queued reminders by it.</summary>
    public static string KeyPrefix(long milestoneId) => string.Create(CultureInfo.InvariantCulture, $"milestone:{milestoneId}:");

    /// <summary>One reminder of each kind per milestone and contact, ever (the outbox's idempotency key).</summary>
    public static string Key(long milestoneId, MilestoneReminder kind, long contactId) =>
        KeyPrefix(milestoneId) + string.Create(CultureInfo.InvariantCulture, $"{(kind == MilestoneReminder.DueSoon ? "before" : "after")}:contact:{contactId}");

    /// <summary>
    /// The reminder an open milestone due on <paramref name="dueOn"/> gets on <paramref name="today"/> (Amsterdam): "due soon"
    /// from <see cref="OnboardingReminderSettings.DaysBefore"/> days before until the due date, "overdue" from
    /// <see cref="OnboardingReminderSettings.DaysAfter"/> days after it until <see cref="OnboardingReminderSettings.StopAfterDays"/>;
    /// none in between or outside. A job that missed a day still sends the one that is due.
    /// </summary>
    public static MilestoneReminder? Due(DateOnly dueOn, DateOnly today, OnboardingReminderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (today < dueOn) return today >= dueOn.AddDays(-settings.DaysBefore) ? MilestoneReminder.DueSoon : null;
        var late = today.DayNumber - dueOn.DayNumber;
        return late >= settings.DaysAfter && late <= settings.StopAfterDays ? MilestoneReminder.Overdue : null;
    }

    /// <summary>The due dates whose milestones may need a reminder today (the store reads only these).</summary>
    public static (DateOnly From, DateOnly To) DueRange(DateOnly today, OnboardingReminderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return (today.AddDays(-settings.StopAfterDays), today.AddDays(settings.DaysBefore));
    }

    /// <summary>A due date as the contact reads it ("1 maart 2027", "1 March 2027").</summary>
    public static string FormatDate(DateOnly date, ContactLanguage language) =>
        date.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo(language == ContactLanguage.Nl ? "nl-NL" : "en-GB"));
}

/// <summary>An open milestone of a signed party and one of its reachable onboarding contacts (one per contact).</summary>
public sealed record ReminderCandidate
{
    public required PartyMilestone Milestone { get; init; }
    public required string Organisation { get; init; }
    public required string Covenant { get; init; }
    public required string Owner { get; init; }
    public required Contact Contact { get; init; }
}

/// <summary>What the reminders need from storage: the candidates, a guarded queueing, and the onboarding contact role.</summary>
public interface IOnboardingReminderStore
{
    /// <summary>
    /// Open milestones due between the dates (inclusive) of parties at <c>signed</c> (not left, not removed), each with every
    /// contact of the party's organisation that holds the onboarding role and can be mailed (not opted out, erased or bounced).
    /// </summary>
    Task<IReadOnlyList<ReminderCandidate>> ListCandidatesAsync(DateOnly dueFrom, DateOnly dueTo, CancellationToken ct);

    /// <summary>
    /// Whether the milestone is still open and the contact can still be mailed, with both rows locked until the running unit
    /// of work ends: marking the milestone done (or an opt-out) waits for it (and then cancels what it queued) or comes first
    /// (and nothing is queued). <see cref="OnboardingReminderRunner.QueueAsync"/> puts the mail in the outbox in that unit.
    /// </summary>
    Task<bool> HoldForReminderAsync(long milestoneId, long contactId, CancellationToken ct);

    /// <summary>The contact ids of the organisation that hold the onboarding role.</summary>
    Task<IReadOnlyList<long>> ListOnboardingContactsAsync(long organisationId, CancellationToken ct);

    /// <summary>Gives the contact the onboarding role or takes it away (audited on the contact); false when nothing changed.</summary>
    Task<bool> SetOnboardingContactAsync(long contactId, bool holds, DateTimeOffset at, string by, CancellationToken ct);
}

public sealed record ReminderRunResult(int Considered, int Queued, int Problems)
{
    public override string ToString() =>
        $"{Considered} open milestones with an onboarding contact looked at: {Queued} reminders queued" + (Problems > 0 ? $", {Problems} could not be sent (see the log)" : "");
}

/// <summary>
/// Puts the milestone reminders that are due today in the outbox: in the contact's language (the other one when the template
/// has none in theirs), due at the next opening of the sequences' send window, one per milestone, kind and contact ever. A
/// milestone marked done gets none (and its queued ones are cancelled in the same transaction that marks it). Safe to run
/// twice or on two nodes. A reminder that cannot be composed (no template, one that does not render) is one problem, logged.
/// </summary>
public sealed partial class OnboardingReminderRunner(
    IOnboardingReminderStore store,
    IMailOutbox outbox,
    IUnitOfWork unit,
    ITemplateStore templates,
    IMailTemplateRenderer renderer,
    IUnsubscribeLinks links,
    SequenceSettings sequences,
    OnboardingReminderSettings settings,
    TimeProvider clock,
    ILogger<OnboardingReminderRunner> logger)
{
    /// <summary>
    /// The reminder into the outbox (unless its key is there already) in one unit of work with the check that the milestone is
    /// still open and the contact can still be mailed. True when it was added.
    /// </summary>
    public Task<bool> QueueAsync(long milestoneId, MailDraft mail, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mail);
        return unit.RunAsync(async token =>
        {
            if (mail.ContactId is not { } contactId || !await store.HoldForReminderAsync(milestoneId, contactId, token).ConfigureAwait(false)) return false;
            var (_, added) = await outbox.EnqueueAsync(mail, at, token).ConfigureAwait(false);
            return added;
        }, ct);
    }

    public async Task<ReminderRunResult> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = AmsterdamClock.Today(clock);
        var (from, to) = OnboardingReminders.DueRange(today, settings);
        var candidates = await store.ListCandidatesAsync(from, to, ct).ConfigureAwait(false);
        var chosen = new Dictionary<(string, ContactLanguage), MailTemplate?>();
        int queued = 0, problems = 0;
        foreach (var c in candidates)
        {
            ct.ThrowIfCancellationRequested();
            if (OnboardingReminders.Due(c.Milestone.DueOn, today, settings) is not { } kind) continue;
            try
            {
                var key = OnboardingReminders.TemplateKey(kind);
                if (!chosen.TryGetValue((key, c.Contact.Language), out var template))
                    chosen[(key, c.Contact.Language)] = template = await templates.GetAsync(key, c.Contact.Language, null, ct).ConfigureAwait(false)
                        ?? await templates.GetAsync(key, c.Contact.Language == ContactLanguage.Nl ? ContactLanguage.En : ContactLanguage.Nl, null, ct).ConfigureAwait(false);
                if (template is null)
                {
                    problems++;
                    LogNoTemplate(logger, c.Milestone.Id, key);
                    continue;
                }

                if (await QueueAsync(c.Milestone.Id, Compose(c, kind, template, now), now, ct).ConfigureAwait(false)) queued++;
            }
            catch (Exception ex) when (!FailurePolicy.EndsTheRun(ex, ct))
            {
                // One reminder's failure must not keep the others from going.
                problems++;
                LogReminderFailed(logger, ex, c.Milestone.Id, c.Contact.Id);
            }
        }

        return new ReminderRunResult(candidates.Count, queued, problems);
    }

    private MailDraft Compose(ReminderCandidate c, MilestoneReminder kind, MailTemplate template, DateTimeOffset now)
    {
        var unsubscribe = links.UrlFor(c.Contact.Id);
        var rendered = renderer.Render(template, new TemplateValues
        {
            ContactName = c.Contact.Name,
            Organisation = c.Organisation,
            Covenant = c.Covenant,
            Owner = c.Owner,
            Milestone = c.Milestone.Name(c.Contact.Language.Code()),
            DueDate = OnboardingReminders.FormatDate(c.Milestone.DueOn, c.Contact.Language),
            UnsubscribeUrl = unsubscribe,
        });
        return new MailDraft
        {
            IdempotencyKey = OnboardingReminders.Key(c.Milestone.Id, kind, c.Contact.Id),
            Purpose = OnboardingReminders.Purpose,
            ContactId = c.Contact.Id,
            ToAddress = c.Contact.Email,
            ToName = c.Contact.Name,
            Subject = rendered.Subject,
            HtmlBody = rendered.Html,
            TextBody = rendered.Text,
            UnsubscribeUrl = unsubscribe,
            TemplateKey = template.Key,
            TemplateVersion = template.Version,
            DueAt = sequences.Window.NextOpening(now),
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Milestone {MilestoneId}: no template '{TemplateKey}' in either language; its reminder is tried again at the next run")]
    private static partial void LogNoTemplate(ILogger logger, long milestoneId, string templateKey);

    [LoggerMessage(Level = LogLevel.Error, Message = "Milestone {MilestoneId}: the reminder to contact {ContactId} could not be queued; it is tried again at the next run")]
    private static partial void LogReminderFailed(ILogger logger, Exception exception, long milestoneId, long contactId);
}
