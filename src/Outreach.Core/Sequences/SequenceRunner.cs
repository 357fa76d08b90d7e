using System.Globalization;
using Microsoft.Extensions.Logging;
using Outreach.Core.Common;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Core.Sequences;

/// <summary>The send window and the frequency cap the sequences keep to (options bound from "Sequences").</summary>
public sealed record SequenceSettings(SendWindow Window, FrequencyCap Cap)
{
    public static readonly SequenceSettings Default = new(SendWindow.OfficeHours, FrequencyCap.Default);
}

public sealed record SequenceRunResult(int Considered, int Queued, int Held, int Stopped, int Completed, int Planned, int Problems)
{
    public override string ToString() =>
        $"{Considered} enrolments looked at: {Queued} mails queued, {Held} held by the frequency cap, {Stopped} stopped, {Completed} completed, {Planned} planned" +
        (Problems > 0 ? $", {Problems} could not be sent (see the log)" : "");
}

public sealed record EnrolOutcome(Enrolment? Enrolment, DomainMessage? Refusal);

/// <summary>
/// Moves enrolments along: plans the first step, stops what must stop (opt-out, bounce, the prospect moving on), holds what
/// the frequency cap forbids, and puts due steps in the outbox together with the enrolment's advance. Orchestration over ports.
/// An enrolment that cannot be moved on (its sequence has no steps, its template is missing, or anything throws) is one
/// problem, logged with its id and why; the run goes on with the others and tries it again next time.
/// </summary>
public sealed partial class SequenceRunner(
    ISequenceStore store,
    ITemplateStore templates,
    IProspectStore prospects,
    IPipelineStore pipeline,
    IMailTemplateRenderer renderer,
    IUnsubscribeLinks links,
    IMailOutbox outbox,
    IUnitOfWork unit,
    TimeProvider clock,
    ILogger<SequenceRunner> logger,
    SequenceSettings? settings = null)
{
    public const string Purpose = "sequence";
    private readonly SequenceSettings rules = settings ?? SequenceSettings.Default;
    // Built from the ports the runner holds: a stop or an ending decision cancels the enrolment's queued mail in one unit.
    private readonly EnrolmentStops stops = new(store, outbox, unit);

    public SequenceSettings Settings => rules;

    public static string KeyFor(long enrolmentId, int step) =>
        KeyPrefix(enrolmentId) + step.ToString(CultureInfo.InvariantCulture);

    /// <summary>What every step key of an enrolment starts with (<see cref="EnrolmentStops"/> cancels an ended enrolment's queued steps by it).</summary>
    public static string KeyPrefix(long enrolmentId) =>
        string.Create(CultureInfo.InvariantCulture, $"enrolment:{enrolmentId}:step:");

    /// <summary>Enrols a contact by hand, or refuses with a reason a person can act on.</summary>
    public Task<EnrolOutcome> EnrolAsync(long prospectId, long contactId, long sequenceId, string by, CancellationToken ct) =>
        EnrolAsync(prospectId, contactId, sequenceId, by, null, ct);

    /// <summary>
    /// As <see cref="EnrolAsync(long, long, long, string, CancellationToken)"/>, once per <paramref name="sourceKey"/> ever (not
    /// only while the enrolment is open): an automatic enrolment is refused again after the person replied or it ended.
    /// </summary>
    public async Task<EnrolOutcome> EnrolAsync(long prospectId, long contactId, long sequenceId, string by, string? sourceKey, CancellationToken ct)
    {
        var prospect = await pipeline.GetSummaryAsync(prospectId, ct);
        if (prospect is null) return Refuse("There is no prospect {0}.", Id(prospectId));
        var sequence = await store.GetSequenceAsync(sequenceId, ct);
        if (sequence is null) return Refuse("There is no sequence {0}.", Id(sequenceId));
        var contact = await prospects.GetContactAsync(contactId, ct);
        if (contact is null || contact.OrganisationId != prospect.OrganisationId)
            return Refuse("Contact {0} does not belong to {1}.", Id(contactId), prospect.OrganisationName);
        if (contact.Erased) return Refuse("This contact's data was erased.");
        if (contact.OptedOut) return Refuse("{0} opted out of outreach mail.", contact.Name);
        if (contact.BouncedAt is not null) return Refuse("Mail to {0} bounced; correct the address first.", contact.Email);
        if (prospect.RemovedAt is not null) return Refuse("This organisation was removed in Dynamics 365.");
        if (EnrolmentRules.WhyNotServed(sequence, prospect.Stage) is { } outside) return new EnrolOutcome(null, outside);

        var now = clock.GetUtcNow();
        var planned = EnrolmentRules.Enrol(0, sequence, contact.Id, contact.OrganisationId, now, rules.Window) with { ProspectId = prospectId, EnrolledBy = by, SourceKey = sourceKey };
        try
        {
            return new EnrolOutcome(await store.AddEnrolmentAsync(planned, ct), null);
        }
        catch (DuplicateEnrolmentException)
        {
            return Refuse("{0} is already in this sequence.", contact.Name);
        }
    }

    public async Task<SequenceRunResult> RunAsync(int max, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await store.ListDueAsync(now, max, ct);
        var sequences = new Dictionary<long, Sequence?>();
        var covenants = (await prospects.ListCovenantsAsync(ct)).ToDictionary(c => c.Id);
        int queued = 0, held = 0, stopped = 0, completed = 0, planned = 0, problems = 0;
        foreach (var original in due)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                if (!sequences.TryGetValue(original.SequenceId, out var sequence))
                    sequences[original.SequenceId] = sequence = await store.GetSequenceAsync(original.SequenceId, ct);
                if (sequence is null || sequence.Steps.Count == 0)
                {
                    problems++;
                    LogNoSteps(logger, original.Id, original.SequenceId);
                    continue;
                }

                var enrolment = EnrolmentRules.Schedule(original, sequence, rules.Window);
                var prospect = await pipeline.GetSummaryAsync(enrolment.ProspectId, ct);
                var contact = await prospects.GetContactAsync(enrolment.ContactId, ct);
                StopReason? stop = prospect is null || EnrolmentRules.EndsSequence(sequence.Stage, prospect.Stage) ? StopReason.StageMovedOn
                    : contact is null || contact.Erased || contact.OptedOut ? StopReason.OptedOut
                    : contact.BouncedAt is not null ? StopReason.HardBounce
                    : null;
                if (stop is { } why)
                {
                    if (await stops.StopAsync(enrolment.Id, why, now, ct)) stopped++;
                    continue;
                }

                var recent = await store.ListRecentOutreachAsync(enrolment.ContactId, now - rules.Cap.Period - TimeSpan.FromDays(1), ct);
                var ownKey = KeyFor(enrolment.Id, enrolment.NextStep);
                var decision = EnrolmentRules.Decide(enrolment, sequence, contact!.OptedOut, recent.Where(r => r.Key != ownKey).Select(r => r.At), now, rules.Window, rules.Cap);
                switch (decision)
                {
                    case EnrolmentDecision.Wait:
                        // Planned, or a pause that ran out: save only what changed.
                        var waiting = enrolment.State == EnrolmentState.Paused && enrolment.PausedUntil <= now
                            ? enrolment with { State = EnrolmentState.Active, PausedUntil = null }
                            : enrolment;
                        if (waiting != original && await stops.SaveAsync(waiting with { HeldUntil = null }, now, ct)) planned++;
                        break;
                    case EnrolmentDecision.HeldByCap h:
                        if (await stops.SaveAsync(enrolment with { HeldUntil = h.Until }, now, ct)) held++;
                        break;
                    case EnrolmentDecision.Send send:
                        var mail = await ComposeAsync(enrolment, send, contact, prospect!, covenants, ct);
                        if (mail is null)
                        {
                            problems++;
                            LogNoTemplate(logger, enrolment.Id, send.Step, send.What.TemplateKey);
                            break;
                        }
                        var advanced = EnrolmentRules.Advance(enrolment with { State = EnrolmentState.Active, PausedUntil = null }, sequence, send.At, rules.Window);
                        if (await QueueStepAsync(advanced, mail, now, ct))
                        {
                            queued++;
                            if (advanced.State == EnrolmentState.Completed) completed++;
                        }
                        break;
                    case EnrolmentDecision.Ended ended:
                        if (await stops.StopAsync(enrolment.Id, ended.Why, now, ct)) stopped++;
                        break;
                    case EnrolmentDecision.Done:
                        if (await stops.SaveAsync(enrolment with { State = EnrolmentState.Completed, NextDue = null }, now, ct)) completed++;
                        break;
                }
            }
            catch (Exception ex) when (!FailurePolicy.EndsTheRun(ex, ct))
            {
                // One enrolment's failure (a busy database, a template that does not render) must not end the batch.
                problems++;
                LogEnrolmentFailed(logger, ex, original.Id, original.SequenceId);
            }
        }

        return new SequenceRunResult(due.Count, queued, held, stopped, completed, planned, problems);
    }

    /// <summary>
    /// The enrolment's next step as it will be sent: rendered now with the template the run would choose, for the enrolment's
    /// contact and prospect. Null when the enrolment has ended, its sequence has no such step, its contact is gone or erased, or no
    /// template exists. What is finally sent may differ if the template or the contact changes before the step is due.
    /// </summary>
    public async Task<MailDraft?> PreviewNextStepAsync(Enrolment enrolment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(enrolment);
        if (!enrolment.IsOpen) return null;
        var sequence = await store.GetSequenceAsync(enrolment.SequenceId, ct).ConfigureAwait(false);
        if (sequence is null || enrolment.NextStep >= sequence.Steps.Count) return null;
        var contact = await prospects.GetContactAsync(enrolment.ContactId, ct).ConfigureAwait(false);
        var prospect = await pipeline.GetSummaryAsync(enrolment.ProspectId, ct).ConfigureAwait(false);
        if (contact is null || contact.Erased || prospect is null) return null;
        var covenants = (await prospects.ListCovenantsAsync(ct).ConfigureAwait(false)).ToDictionary(c => c.Id);
        var send = new EnrolmentDecision.Send(enrolment.NextStep, sequence.Steps[enrolment.NextStep], enrolment.NextDue ?? clock.GetUtcNow());
        return await ComposeAsync(enrolment, send, contact, prospect, covenants, ct).ConfigureAwait(false);
    }

    /// <summary>The step's mail in the contact's language (the other language when the template has none in theirs); null when no template exists.</summary>
    /// <summary>
    /// The step's mail into the outbox (unless its key is there already) and the enrolment advanced, in one unit of work:
    /// only while the enrolment is still open at the step it was at and the contact is reachable. False when nothing was done.
    /// </summary>
    public Task<bool> QueueStepAsync(Enrolment advanced, MailDraft mail, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mail);
        return unit.RunAsync(async token =>
        {
            if (!await store.AdvanceStepAsync(advanced, at, token).ConfigureAwait(false)) return false;
            await outbox.EnqueueAsync(mail, at, token).ConfigureAwait(false);
            return true;
        }, ct);
    }

    private async Task<MailDraft?> ComposeAsync(Enrolment enrolment, EnrolmentDecision.Send send, Contact contact, ProspectSummary prospect,
        IReadOnlyDictionary<long, Covenant> covenants, CancellationToken ct)
    {
        var chosen = await templates.GetAsync(send.What.TemplateKey, contact.Language, null, ct)
                     ?? await templates.GetAsync(send.What.TemplateKey, contact.Language == ContactLanguage.Nl ? ContactLanguage.En : ContactLanguage.Nl, null, ct);
        if (chosen is null) return null;
        var unsubscribe = links.UrlFor(contact.Id);
        var rendered = renderer.Render(chosen, new TemplateValues
        {
            ContactName = contact.Name,
            Organisation = prospect.OrganisationName,
            Covenant = covenants.TryGetValue(prospect.CovenantId, out var covenant) ? covenant.Name : prospect.CovenantCode,
            Owner = prospect.Owner,
            UnsubscribeUrl = unsubscribe,
        });
        return new MailDraft
        {
            IdempotencyKey = KeyFor(enrolment.Id, send.Step),
            Purpose = Purpose,
            ContactId = contact.Id,
            ToAddress = contact.Email,
            ToName = contact.Name,
            Subject = rendered.Subject,
            HtmlBody = rendered.Html,
            TextBody = rendered.Text,
            UnsubscribeUrl = unsubscribe,
            TemplateKey = chosen.Key,
            TemplateVersion = chosen.Version,
            DueAt = send.At,
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Enrolment {EnrolmentId} (sequence {SequenceId}) could not be moved on; it is tried again at the next run")]
    private static partial void LogEnrolmentFailed(ILogger logger, Exception exception, long enrolmentId, long sequenceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Enrolment {EnrolmentId}: its sequence {SequenceId} is gone or has no steps")]
    private static partial void LogNoSteps(ILogger logger, long enrolmentId, long sequenceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Enrolment {EnrolmentId}: step {Step} has no template '{TemplateKey}' in either language")]
    private static partial void LogNoTemplate(ILogger logger, long enrolmentId, int step, string templateKey);

    private static EnrolOutcome Refuse(string message, params string[] args) => new(null, new DomainMessage(message, args));

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
