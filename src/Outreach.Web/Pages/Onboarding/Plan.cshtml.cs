using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;
using Outreach.Web.Hosting;

namespace Outreach.Web.Pages.Onboarding;

/// <summary>One row of the plan form; a row left wholly empty is ignored (the form offers a few blank rows to add milestones).</summary>
public sealed class PlanRow
{
    public string? Key { get; set; }
    public string? NameNl { get; set; }
    public string? NameEn { get; set; }
    public string? PhraseNl { get; set; }
    public string? PhraseEn { get; set; }
    public List<string> Kinds { get; set; } = [];
    public string? Due { get; set; }
    public int? MonthsAfterSigning { get; set; }
    public int? DueMonth { get; set; }
    public int? DueDay { get; set; }
    public bool RepeatsYearly { get; set; }

    public bool IsBlank => string.IsNullOrWhiteSpace(Key) && string.IsNullOrWhiteSpace(NameNl) && string.IsNullOrWhiteSpace(NameEn);

    public static PlanRow From(PlanMilestone m) => new()
    {
        Key = m.Key, NameNl = m.NameNl, NameEn = m.NameEn, PhraseNl = m.PhraseNl, PhraseEn = m.PhraseEn, Kinds = m.AppliesTo.Select(k => k.Code()).ToList(),
        Due = m.Due.Code(), MonthsAfterSigning = m.MonthsAfterSigning, DueMonth = m.DueMonth, DueDay = m.DueDay, RepeatsYearly = m.RepeatsYearly,
    };

    public PlanMilestone ToMilestone() => new()
    {
        Key = Key ?? "", NameNl = NameNl ?? "", NameEn = NameEn ?? "", PhraseNl = PhraseNl, PhraseEn = PhraseEn,
        // An unknown kind or due rule is simply not chosen (the rules then ask for one).
        AppliesTo = Kinds.Select(k => PartyKinds.TryParse(k, out var kind) ? (PartyKind?)kind : null).OfType<PartyKind>().Distinct().ToList(),
        Due = DueRules.TryParse(Due, out var due) ? due : DueRule.AfterSigning,
        MonthsAfterSigning = MonthsAfterSigning, DueMonth = DueMonth, DueDay = DueDay, RepeatsYearly = RepeatsYearly,
    };
}

/// <summary>
/// A covenant's onboarding plan: the milestones in force, the form that saves a new version, the earlier versions, and the
/// signed parties still without milestones (signed before there was a plan) with the button that creates theirs.
/// </summary>
public sealed class PlanModel(IProspectStore prospects, IOnboardingStore store, OnboardingService service, MilestoneBackfill backfill, CurrentActor actor, IStringLocalizer<SharedResource> T) : PageModel
{
    public const int BlankRows = 3;

    public Covenant Covenant { get; private set; } = null!;
    public IReadOnlyList<OnboardingPlan> Versions { get; private set; } = [];
    /// <summary>The signed parties the plan in force would give milestones to and that have none.</summary>
    public IReadOnlyList<MissingMilestones> Missing { get; private set; } = [];
    public List<string> Errors { get; } = [];

    [BindProperty] public List<PlanRow> Rows { get; set; } = [];
    [BindProperty] public int CutOffMonths { get; set; }
    [BindProperty] public int Version { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var current = Versions.Count > 0 ? Versions[0] : null;
        Rows = current?.Milestones.Select(PlanRow.From).ToList() ?? [];
        CutOffMonths = current?.CutOffMonths ?? 0;
        Version = current?.Version ?? 0;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (!ModelState.IsValid)
        {
            Errors.AddRange(ModelState.Where(e => e.Value?.Errors.Count > 0).Select(e => T["{0} is not a valid number.", e.Key].Value));
            return Page();
        }

        Rows = Rows.Where(r => !r.IsBlank).ToList();
        var (plan, errors) = await service.SavePlanAsync(id, Version, Rows.Select(r => r.ToMilestone()).ToList(), CutOffMonths, actor.Name, ct);
        if (plan is null)
        {
            Errors.AddRange(errors.Select(e => e.Field.StartsWith("Milestones[", StringComparison.Ordinal)
                ? T["Row {0}", RowNumber(e.Field)] + ": " + T.Message(e.Message)
                : T.Message(e.Message)));
            return Page();
        }

        TempData["Flash"] = T["Onboarding plan saved as version {0}.", plan.Version].Value;
        return RedirectToPage(new { id });
    }

    /// <summary>Creates the plan's milestones for the signed parties that have none (the edit policy guards every post).</summary>
    public async Task<IActionResult> OnPostCreateMilestonesAsync(long id, CancellationToken ct)
    {
        var result = await backfill.CreateAsync(id, actor.Name, ct);
        if (result is null) return NotFound();
        TempData["Flash"] = result.Parties == 0
            ? T["Every signed party already has its milestones; nothing was created."].Value
            : T["{0} milestones created for {1} signed parties.", result.Milestones, result.Parties].Value;
        return RedirectToPage(new { id });
    }

    private static int RowNumber(string field) =>
        int.Parse(field.AsSpan("Milestones[".Length, field.IndexOf(']', StringComparison.Ordinal) - "Milestones[".Length), System.Globalization.CultureInfo.InvariantCulture) + 1;

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var covenant = (await prospects.ListCovenantsAsync(ct)).FirstOrDefault(c => c.Id == id);
        if (covenant is null) return false;
        Covenant = covenant;
        Versions = await store.ListPlanVersionsAsync(id, ct);
        Missing = await backfill.PendingAsync(id, ct) ?? [];
        return true;
    }
}
