using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Access;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Sequences;

namespace Outreach.Web.Pages.Mail;

/// <summary>The follow-up sequences: their steps, their stage and their rule; add one or change one.</summary>
public sealed class SequencesModel(ISequenceStore store, ITemplateStore templates, SequenceRunner runner, TimeProvider clock, IStringLocalizer<SharedResource> T) : PageModel
{
    public const int StepRows = 6;

    public IReadOnlyList<Sequence> Sequences { get; private set; } = [];
    public IReadOnlyList<string> TemplateKeys { get; private set; } = [];
    public SequenceSettings Settings => runner.Settings;

    [BindProperty(SupportsGet = true)] public long? Edit { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Stage { get; set; }
    /// <summary>The first stage served; empty serves every funnel stage up to <see cref="Stage"/> (as every sequence did before ranges).</summary>
    [BindProperty] public string? FromStage { get; set; }
    [BindProperty] public string? EnrolOnEntering { get; set; }
    [BindProperty] public List<string?> StepTemplate { get; set; } = [];
    [BindProperty] public List<int?> StepWait { get; set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Edit is { } id)
        {
            var s = Sequences.FirstOrDefault(x => x.Id == id);
            if (s is null) return NotFound();
            Name = s.Name;
            Stage = s.Stage.Code();
            FromStage = s.FromStage?.Code();
            EnrolOnEntering = s.EnrolOnEntering?.Code();
            StepTemplate = s.Steps.Select(x => (string?)x.TemplateKey).ToList();
            StepWait = s.Steps.Select(x => (int?)x.WaitBusinessDays).ToList();
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        ModelState.Clear();
        if (!Stages.TryParse(Stage, out var stage)) ModelState.AddModelError(nameof(Stage), T["Choose the stage the sequence serves."]);
        Stage? from = null;
        if (!string.IsNullOrEmpty(FromStage))
        {
            if (Stages.TryParse(FromStage, out var f)) from = f;
            else ModelState.AddModelError(nameof(FromStage), T["Choose the first stage the sequence serves."]);
        }

        Stage? entering = null;
        if (!string.IsNullOrEmpty(EnrolOnEntering))
        {
            if (Stages.TryParse(EnrolOnEntering, out var e)) entering = e;
            else ModelState.AddModelError(nameof(EnrolOnEntering), T["Choose a stage, or no rule."]);
        }

        var steps = new List<SequenceStep>();
        for (var i = 0; i < Math.Min(StepTemplate.Count, StepRows); i++)
        {
            if (string.IsNullOrWhiteSpace(StepTemplate[i])) continue;
            steps.Add(new SequenceStep(StepTemplate[i]!, i < StepWait.Count ? StepWait[i] ?? 0 : 0));
        }

        var draft = SequenceValidation.Clean(new SequenceDraft { Name = Name ?? "", Stage = stage, FromStage = from, EnrolOnEntering = entering, Steps = steps });
        foreach (var error in SequenceValidation.Check(draft, TemplateKeys.ToHashSet(StringComparer.Ordinal)))
            ModelState.AddModelError(error.Field, T.Message(error.Message));
        if (!ModelState.IsValid) return Page();

        try
        {
            if (Edit is { } id)
            {
                if (await store.UpdateSequenceAsync(id, draft, clock.GetUtcNow(), ct) is null) return NotFound();
                TempData["Flash"] = T["Sequence saved."].Value;
            }
            else
            {
                await store.AddSequenceAsync(draft, clock.GetUtcNow(), ct);
                TempData["Flash"] = T["Sequence added."].Value;
            }
        }
        catch (DuplicateNameException)
        {
            ModelState.AddModelError(nameof(Name), T["A sequence with this name exists already."]);
            return Page();
        }

        return RedirectToPage(new { edit = (long?)null });
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Sequences = await store.ListSequencesAsync(ct);
        TemplateKeys = (await templates.ListLatestAsync(ct)).Select(t => t.Key).Where(k => !BuiltInTemplates.IsEventTemplate(k) && !BuiltInTemplates.IsOnboardingTemplate(k)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }
}
