using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;
using Outreach.Web.Hosting;

namespace Outreach.Web.Pages.Onboarding;

/// <summary>
/// A party's onboarding: the panel with the full history of its milestones, and the handlers the panel's forms post to
/// (mark done with a link or a file kept with the party, reopen with a reason) and the evidence download.
/// </summary>
[RequestSizeLimit(MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxRequestBytes)]
public sealed class MilestonesModel(IPipelineStore pipeline, IOnboardingStore store, OnboardingService service, IOnboardingReminderStore reminders, Core.Prospects.IProspectStore prospects,
    TimeProvider clock, CurrentActor actor, IStringLocalizer<SharedResource> T) : PageModel
{
    /// <summary>The transport ceiling: the evidence limit plus room for the form's other fields.</summary>
    private const long MaxRequestBytes = OnboardingRules.MaxEvidenceBytes + 64 * 1024;

    public ProspectSummary Prospect { get; private set; } = null!;
    public IReadOnlyList<PartyMilestone> Milestones { get; private set; } = [];
    public IReadOnlyList<MilestoneChange> History { get; private set; } = [];
    public string? Error { get; private set; }

    [BindProperty] public DateOnly? DoneOn { get; set; }
    [BindProperty] public string? EvidenceUrl { get; set; }
    [BindProperty] public IFormFile? EvidenceFile { get; set; }
    [BindProperty] public string? Reason { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostDoneAsync(long id, long milestoneId, CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            // The date is the only value typed in; a milestone id that is not a number is an address that does not exist.
            if (ModelState[nameof(milestoneId)]?.ValidationState == ModelValidationState.Invalid) return NotFound();
            return await RefusedAsync(id, T["The date it was done is not a valid date."], ct);
        }

        EvidenceUpload? file = null;
        if (EvidenceFile is { Length: > 0 } upload)
        {
            if (OnboardingRules.WhyFileRefused(Path.GetFileName(upload.FileName), upload.Length) is { } refused) return await RefusedAsync(id, T.Message(refused), ct);
            using var buffer = new MemoryStream();
            await upload.CopyToAsync(buffer, ct);
            var type = string.IsNullOrWhiteSpace(upload.ContentType) || upload.ContentType.Length > 100 ? "application/octet-stream" : upload.ContentType;
            file = new EvidenceUpload(Path.GetFileName(upload.FileName).Trim(), type, buffer.ToArray());
        }

        var result = await service.MarkDoneAsync(id, milestoneId, DoneOn, EvidenceUrl, file, actor.Name, ct);
        if (result.NotFound) return NotFound();
        if (!result.Succeeded) return await RefusedAsync(id, T.Message(result.Refusal!), ct);
        TempData["Flash"] = T["Milestone marked done."].Value;
        return Redirect($"/prospects/{id}");
    }

    public async Task<IActionResult> OnPostReopenAsync(long id, long milestoneId, CancellationToken ct)
    {
        if (ModelState[nameof(milestoneId)]?.ValidationState == ModelValidationState.Invalid) return NotFound();
        var result = await service.ReopenAsync(id, milestoneId, Reason, actor.Name, ct);
        if (result.NotFound) return NotFound();
        if (!result.Succeeded) return await RefusedAsync(id, T.Message(result.Refusal!), ct);
        TempData["Flash"] = T["Milestone reopened."].Value;
        return Redirect($"/prospects/{id}");
    }

    /// <summary>Gives a contact of the party's organisation the onboarding role (reminders go to them) or takes it away.</summary>
    public async Task<IActionResult> OnPostOnboardingContactAsync(long id, long contactId, bool holds, CancellationToken ct)
    {
        // The form sends true or false; anything else would bind as false and take the role away.
        if (ModelState[nameof(holds)]?.ValidationState == ModelValidationState.Invalid || ModelState[nameof(contactId)]?.ValidationState == ModelValidationState.Invalid)
            return BadRequest();
        var summary = await pipeline.GetSummaryAsync(id, ct);
        if (summary is null) return NotFound();
        var contact = await prospects.GetContactAsync(contactId, ct);
        if (contact is null || contact.OrganisationId != summary.OrganisationId) return NotFound();
        if (holds && contact.Erased) return await RefusedAsync(id, T["This contact's data was erased."], ct);
        var changed = await reminders.SetOnboardingContactAsync(contactId, holds, clock.GetUtcNow(), actor.Name, ct);
        TempData["Flash"] = !changed ? T["Nothing changed."].Value
            : holds ? T["{0} is now the onboarding contact.", contact.Name].Value : T["{0} is no longer an onboarding contact.", contact.Name].Value;
        return Redirect($"/prospects/{id}");
    }

    /// <summary>An evidence file, as an attachment (never shown inline: it is the party's upload).</summary>
    public async Task<IActionResult> OnGetEvidenceAsync(long id, long fileId, CancellationToken ct)
    {
        var file = await store.GetEvidenceFileAsync(id, fileId, ct);
        if (file is null) return NotFound();
        return File(file.Content, "application/octet-stream", file.FileName);
    }

    private async Task<IActionResult> RefusedAsync(long id, string message, CancellationToken ct)
    {
        Error = message;
        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var summary = await pipeline.GetSummaryAsync(id, ct);
        if (summary is null) return false;
        Prospect = summary;
        Milestones = await store.ListForProspectAsync(id, ct);
        History = await store.HistoryForProspectAsync(id, ct);
        return true;
    }
}
