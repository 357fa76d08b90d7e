using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Calendar;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Web.Hosting;

namespace Outreach.Web.Pages.Prospects;

/// <summary>One prospect: details, contacts, stage history, and the forms to move it and set its next action.</summary>
public sealed class DetailsModel(
    IPipelineStore pipeline,
    IProspectStore prospects,
    PipelineService service,
    Core.Sequences.ISequenceStore sequences,
    Core.Sequences.EnrolmentStops stops,
    Core.Mail.IReplyLog replies,
    Core.Sequences.SequenceRunner runner,
    CurrentActor actor,
    TimeProvider clock,
    Core.Events.IEventStore events,
    Microsoft.Extensions.Options.IOptions<Outreach.Dataverse.DataverseOptions> dataverse,
    Core.Crm.IWriteBackOutbox writeBack,
    IStringLocalizer<SharedResource> T) : PageModel
{
    public const int MaxNextActionLength = 500;

    public ProspectSummary Prospect { get; private set; } = null!;
    public Organisation Organisation { get; private set; } = null!;
    public IReadOnlyList<Contact> Contacts { get; private set; } = [];
    public IReadOnlyList<StageChange> History { get; private set; } = [];
    /// <summary>The account in Dynamics 365; null without Dataverse, for an Outreach-only organisation, or once deleted there.</summary>
    public Uri? DynamicsAccount { get; private set; }
    public IReadOnlyList<ProspectSummary> OtherEntries { get; private set; } = [];
    /// <summary>This prospect's changes Dynamics refused to take, with its error (empty without Dynamics).</summary>
    public IReadOnlyList<Core.Crm.WriteBackRefusal> RefusedWriteBacks { get; private set; } = [];
    public IReadOnlyList<Core.Sequences.Enrolment> Enrolments { get; private set; } = [];
    /// <summary>Replies, out-of-office answers and bounces from the organisation's people, newest first.</summary>
    public IReadOnlyList<Core.Mail.MailReply> Replies { get; private set; } = [];
    public IReadOnlyDictionary<long, Core.Sequences.Sequence> Sequences { get; private set; } = new Dictionary<long, Core.Sequences.Sequence>();

    /// <summary>The sequences a contact may be enrolled in at the prospect's current stage.</summary>
    public IReadOnlyList<Core.Sequences.Sequence> EnrollableSequences { get; private set; } = [];

    [BindProperty] public long? EnrolSequenceId { get; set; }
    [BindProperty] public long? EnrolContactId { get; set; }
    /// <summary>Event invitations of the organisation's contacts: answers and attendance on the timeline.</summary>
    public IReadOnlyList<(Contact Contact, Core.Events.ContactEventHistory Entry)> EventHistory { get; private set; } = [];

    [BindProperty] public string? ToStage { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public DateOnly? RevisitOn { get; set; }
    [BindProperty] public string? NextAction { get; set; }
    [BindProperty] public DateOnly? NextActionDue { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostMoveAsync(long id, CancellationToken ct)
    {
        if (!Stages.TryParse(ToStage, out var to))
        {
            ModelState.AddModelError(nameof(ToStage), T["Choose the new stage."]);
        }
        else
        {
            var result = await service.MoveAsync(id, to, Reason, actor.Name, to == Stage.NotNow ? RevisitOn : null, ct);
            if (result.NotFound) return NotFound();
            if (result.Succeeded)
            {
                TempData["Flash"] = T["Moved to '{0}'.", T[to.Label()]].Value;
                return RedirectToPage(new { id });
            }

            ModelState.AddModelError(nameof(ToStage), T.Message(result.Refusal!));
        }

        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostNextActionAsync(long id, CancellationToken ct)
    {
        if (await pipeline.GetEntryAsync(id, ct) is null) return NotFound();
        var errors = Validation.CheckText("Next action", NextAction, MaxNextActionLength, required: false);
        if (errors.Count > 0)
        {
            foreach (var error in errors) ModelState.AddModelError(nameof(NextAction), T.Message(error.Message));
            await LoadAsync(id, ct, keepPostedNextAction: true);
            return Page();
        }

        await service.SetNextActionAsync(id, NextAction, NextActionDue, AmsterdamClock.Today(clock), ct);
        TempData["Flash"] = T["Next action saved."].Value;
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostEnrolAsync(long id, CancellationToken ct)
    {
        if (EnrolSequenceId is null || EnrolContactId is null)
        {
            ModelState.AddModelError(nameof(EnrolSequenceId), T["Choose a contact and a sequence."]);
        }
        else
        {
            var outcome = await runner.EnrolAsync(id, EnrolContactId.Value, EnrolSequenceId.Value, actor.Name, ct);
            if (outcome.Enrolment is { } enrolment)
            {
                TempData["Flash"] = T["Enrolled; the first mail is planned for {0}.", enrolment.NextDue is { } due ? Format.Local(due) : "–"].Value;
                return RedirectToPage(new { id });
            }

            ModelState.AddModelError(nameof(EnrolSequenceId), T.Message(outcome.Refusal!));
        }

        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostStopEnrolmentAsync(long id, long enrolmentId, CancellationToken ct)
    {
        var enrolment = await sequences.GetEnrolmentAsync(enrolmentId, ct);
        if (enrolment is null || enrolment.ProspectId != id) return NotFound();
        TempData["Flash"] = (await stops.StopAsync(enrolmentId, Core.Sequences.StopReason.Manual, clock.GetUtcNow(), ct)
            ? T["The enrolment was stopped; its waiting mail is cancelled."] : T["The enrolment had already ended."]).Value;
        return RedirectToPage(new { id });
    }

    // keepPostedNextAction: the next-action form itself was refused, so it shows what was typed. Any other form's refusal
    // (move, enrol) shows the stored next action, not the empty values that form's post bound.
    private async Task<bool> LoadAsync(long id, CancellationToken ct, bool keepPostedNextAction = false)
    {
        var summary = await pipeline.GetSummaryAsync(id, ct);
        if (summary is null) return false;
        Prospect = summary;
        Organisation = (await prospects.GetOrganisationAsync(summary.OrganisationId, ct))!;
        DynamicsAccount = Organisation.RemovedAt is null ? dataverse.Value.AccountPage(Organisation.DataverseId) : null;
        Contacts = await prospects.ListContactsAsync(summary.OrganisationId, ct);
        History = await pipeline.HistoryAsync(id, ct);
        // One query each for the other entries and the contacts' events, however many there are (review C7).
        OtherEntries = (await pipeline.ListSummariesForOrganisationAsync(summary.OrganisationId, ct)).Where(e => e.Id != id).ToList();
        Enrolments = await sequences.ListEnrolmentsForProspectAsync(id, ct);
        // The outbox exists only with Dynamics configured.
        RefusedWriteBacks = await writeBack.RefusedAsync(id, 5, ct);
        Replies = await replies.ListForOrganisationAsync(summary.OrganisationId, 20, ct);
        Sequences = (await sequences.ListSequencesAsync(ct)).ToDictionary(x => x.Id);
        // Only the sequences that serve the prospect's stage are offered: the others would be refused (issue 16).
        EnrollableSequences = Sequences.Values.Where(s => Core.Sequences.EnrolmentRules.Serves(s, summary.Stage)).ToList();
        var contacts = Contacts.Select((contact, order) => (contact, order)).ToDictionary(x => x.contact.Id);
        EventHistory = (await events.ListForOrganisationAsync(summary.OrganisationId, ct))
            .Where(h => contacts.ContainsKey(h.Invitation.ContactId))
            .Select(h => (contacts[h.Invitation.ContactId], h))
            .OrderByDescending(x => x.h.EventStartsAt).ThenBy(x => x.Item1.order)
            .Select(x => (x.Item1.contact, x.h)).ToList();
        if (!keepPostedNextAction)
        {
            NextAction = summary.NextAction;
            NextActionDue = summary.NextActionDue;
        }

        return true;
    }
}
