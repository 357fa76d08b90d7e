using Outreach.Core.Common;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Core.Sequences;

/// <summary>What a person enters for a sequence (create or edit), before validation.</summary>
public sealed record SequenceDraft
{
    public string Name { get; init; } = "";
    public Stage Stage { get; init; } = Stage.Contacted;
    /// <summary>The first stage served; null serves every funnel stage up to <see cref="Stage"/>.</summary>
    public Stage? FromStage { get; init; }
    public Stage? EnrolOnEntering { get; init; }
    public IReadOnlyList<SequenceStep> Steps { get; init; } = [];
}

public static class SequenceValidation
{
    public const int MaxSteps = 12;
    public const int MaxWaitBusinessDays = 120;

    /// <summary>What is wrong with a sequence (empty when it may be saved); <paramref name="templateKeys"/> are the templates that exist.</summary>
    public static IReadOnlyList<FieldError> Check(SequenceDraft draft, IReadOnlySet<string> templateKeys)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(templateKeys);
        var errors = new List<FieldError>(Validation.CheckText("name", draft.Name, 200, required: true));
        if (draft.Steps.Count == 0) errors.Add(new FieldError("steps", "A sequence needs at least one step."));
        if (draft.Steps.Count > MaxSteps) errors.Add(new FieldError("steps", "A sequence has at most {0} steps.", MaxSteps.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        for (var i = 0; i < draft.Steps.Count; i++)
        {
            var step = draft.Steps[i];
            var number = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!templateKeys.Contains(step.TemplateKey)) errors.Add(new FieldError($"steps[{i}].template", "Step {0}: choose an existing template.", number));
            if (step.WaitBusinessDays < 0 || step.WaitBusinessDays > MaxWaitBusinessDays)
                errors.Add(new FieldError($"steps[{i}].wait", "Step {0}: the wait is 0 to {1} business days.", number, MaxWaitBusinessDays.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (!Stages.Funnel.Contains(draft.Stage))
            errors.Add(new FieldError("stage", "A sequence serves stages of the funnel; '{0}' ends every sequence.", draft.Stage.Label()));
        if (draft.FromStage is { } from)
        {
            if (!Stages.Funnel.Contains(from))
                errors.Add(new FieldError("fromStage", "A sequence serves stages of the funnel; '{0}' ends every sequence.", from.Label()));
            else if (EnrolmentRules.IsEmptyRange(from, draft.Stage))
                errors.Add(new FieldError("fromStage", "The first stage '{0}' comes after the last stage '{1}'.", from.Label(), draft.Stage.Label()));
        }

        if (draft.EnrolOnEntering is { } entering && EnrolmentRules.EndsSequence(draft.Stage, entering))
            errors.Add(new FieldError("enrolOnEntering", "Enrolling on entering '{0}' would end the sequence at once: that stage is past '{1}'.", entering.Label(), draft.Stage.Label()));
        else if (draft.EnrolOnEntering is { } early && draft.FromStage is { } first && Stages.Funnel.Contains(first) && EnrolmentRules.IsEmptyRange(first, early))
            errors.Add(new FieldError("enrolOnEntering", "Enrolling on entering '{0}' would enrol before the sequence's first stage '{1}'.", early.Label(), first.Label()));
        return errors;
    }

    public static SequenceDraft Clean(SequenceDraft draft) => draft with
    {
        Name = draft.Name.Trim(),
        Steps = draft.Steps.Select(s => s with { TemplateKey = s.TemplateKey.Trim() }).ToList(),
    };
}

public sealed class DuplicateEnrolmentException(string message) : Exception(message);

/// <summary>Sequences, enrolments and what the sequence job needs, in one store so that a step's mail and the enrolment's advance commit together.</summary>
public interface ISequenceStore
{
    Task<IReadOnlyList<Sequence>> ListSequencesAsync(CancellationToken ct);
    Task<Sequence?> GetSequenceAsync(long id, CancellationToken ct);
    /// <summary>Throws <see cref="Access.DuplicateNameException"/> when the name is taken.</summary>
    Task<Sequence> AddSequenceAsync(SequenceDraft draft, DateTimeOffset at, CancellationToken ct);
    Task<Sequence?> UpdateSequenceAsync(long id, SequenceDraft draft, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Adds an enrolment made by rule (a stage move, see <see cref="EnrolmentRules.EnrolOnEntering"/>), audited as such and
    /// enrolled by the audit actor; null when the contact already has an open enrolment in the sequence for this prospect.
    /// </summary>
    Task<Enrolment?> EnrolByRuleAsync(Enrolment enrolment, CancellationToken ct);

    /// <summary>Adds an enrolment; throws <see cref="DuplicateEnrolmentException"/> when the contact already has an open one in this sequence for this prospect.</summary>
    Task<Enrolment> AddEnrolmentAsync(Enrolment enrolment, CancellationToken ct);
    Task<Enrolment?> GetEnrolmentAsync(long id, CancellationToken ct);
    Task<IReadOnlyList<Enrolment>> ListEnrolmentsForProspectAsync(long prospectId, CancellationToken ct);

    /// <summary>Open enrolments that need a decision: unplanned, due, paused until now, or held until now.</summary>
    Task<IReadOnlyList<Enrolment>> ListDueAsync(DateTimeOffset now, int max, CancellationToken ct);

    /// <summary>
    /// Saves a decision on an open enrolment; false when it was stopped or completed meanwhile (then nothing changes). The
    /// enrolment's row only: <see cref="EnrolmentStops.SaveAsync"/> also cancels the mail of a decision that ends it.
    /// </summary>
    Task<bool> SaveAsync(Enrolment enrolment, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Advances the enrolment past a step, only while it is still open at the step it was at and the contact has not opted
    /// out, bounced or been erased (the contact is read locked, so an opt-out either committed before or waits for this
    /// change and then cancels its mail). False when nothing was done. Joins a running unit of work: the step's mail goes
    /// into the outbox in the same one (<see cref="SequenceRunner.QueueStepAsync"/>).
    /// </summary>
    Task<bool> AdvanceStepAsync(Enrolment advanced, DateTimeOffset at, CancellationToken ct);

    /// <summary>The contact's outreach mail (mail with an unsubscribe link) sent or planned since <paramref name="since"/>, for the frequency cap.</summary>
    Task<IReadOnlyList<(string Key, DateTimeOffset At)>> ListRecentOutreachAsync(long contactId, DateTimeOffset since, CancellationToken ct);

    // The stops change the enrolment rows only (audited) and join a running unit of work; their queued mail is cancelled by
    // EnrolmentStops in the same unit, which every caller goes through.

    /// <summary>Stops one open enrolment; false when it was not open.</summary>
    Task<bool> StopAsync(long enrolmentId, StopReason why, DateTimeOffset at, CancellationToken ct);

    /// <summary>A reply from anyone at the organisation: every open enrolment of the organisation stops, not just the replier's (see <see cref="Mail.ReplyHandling"/>); the ids stopped.</summary>
    Task<IReadOnlyList<long>> StopForOrganisationAsync(long organisationId, StopReason why, DateTimeOffset at, CancellationToken ct);

    /// <summary>Stops the contact's open enrolments (opt-out, erasure, bounce); the ids stopped.</summary>
    Task<IReadOnlyList<long>> StopForContactAsync(long contactId, StopReason why, DateTimeOffset at, CancellationToken ct);

    Task<IReadOnlyList<Enrolment>> ListOpenForContactAsync(long contactId, CancellationToken ct);
}

/// <summary>Versioned mail templates. A save adds a version; a mail records which one it used.</summary>
public interface ITemplateStore
{
    /// <summary>The newest version of every template in every language.</summary>
    Task<IReadOnlyList<MailTemplate>> ListLatestAsync(CancellationToken ct);

    /// <summary>Every version of one template, newest first.</summary>
    Task<IReadOnlyList<MailTemplate>> ListVersionsAsync(string key, CancellationToken ct);

    Task<MailTemplate?> GetAsync(string key, ContactLanguage language, int? version, CancellationToken ct);

    /// <summary>Stores the next version of the template in that language (audited) and returns it.</summary>
    Task<MailTemplate> AddVersionAsync(string key, ContactLanguage language, string subject, string html, string text, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// A new purpose the secretariat made: version 1 in every language given (both, from the page), in one transaction and
    /// audited as created. Throws <see cref="Access.DuplicateNameException"/> when a template with that key exists.
    /// </summary>
    Task<IReadOnlyList<MailTemplate>> AddPurposeAsync(string key, IReadOnlyList<MailTemplate> firstVersions, DateTimeOffset at, CancellationToken ct);

    /// <summary>Adds version 1 of every built-in template that has no version yet in its language; returns how many.</summary>
    Task<int> SeedAsync(IEnumerable<MailTemplate> builtIns, DateTimeOffset at, CancellationToken ct);
}

/// <summary>The signed unsubscribe link for a contact (the web layer seals it).</summary>
public interface IUnsubscribeLinks
{
    string UrlFor(long contactId);
}
