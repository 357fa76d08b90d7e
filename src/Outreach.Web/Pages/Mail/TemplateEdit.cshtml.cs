using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;

namespace Outreach.Web.Pages.Mail;

/// <summary>
/// One template in one language: edit it, preview it with a real prospect and contact (rendered exactly as a mail would be,
/// values HTML-encoded), and save it as the next version. Older versions stay readable.
/// </summary>
public sealed class TemplateEditModel(
    ITemplateStore templates,
    IMailTemplateRenderer renderer,
    IPipelineStore pipeline,
    IProspectStore prospects,
    IUnsubscribeLinks links,
    TimeProvider clock,
    IStringLocalizer<SharedResource> T) : PageModel
{
    public const int MaxLength = 100_000;

    public string Key { get; private set; } = "";
    public ContactLanguage Language { get; private set; }
    public MailTemplate? Current { get; private set; }
    public IReadOnlyList<MailTemplate> Versions { get; private set; } = [];
    public IReadOnlyList<ProspectSummary> PreviewProspects { get; private set; } = [];
    public RenderedMail? Preview { get; private set; }
    public string? PreviewFor { get; private set; }
    public IReadOnlyList<string> Problems { get; private set; } = [];
    /// <summary>Set when an older version is shown (read only).</summary>
    public int? ShowingVersion { get; private set; }

    [BindProperty] public string? Subject { get; set; }
    [BindProperty] public string? Html { get; set; }
    [BindProperty] public string? Text { get; set; }
    [BindProperty(SupportsGet = true)] public long? ProspectId { get; set; }

    public async Task<IActionResult> OnGetAsync(string key, string language, int? version, CancellationToken ct)
    {
        if (!await LoadAsync(key, language, ct)) return NotFound();
        var shown = version is { } v ? Versions.FirstOrDefault(t => t.Version == v && t.Language == Language) : Current;
        if (version is not null && shown is null) return NotFound();
        ShowingVersion = version is not null && shown != Current ? version : null;
        Subject = shown?.Subject;
        Html = shown?.Html;
        Text = shown?.Text;
        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync(string key, string language, CancellationToken ct)
    {
        if (!await LoadAsync(key, language, ct)) return NotFound();
        var draft = Draft();
        Problems = Check(draft);
        if (Problems.Count == 0) await PreviewAsync(draft, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(string key, string language, CancellationToken ct)
    {
        if (!await LoadAsync(key, language, ct)) return NotFound();
        var draft = Draft();
        Problems = Check(draft);
        if (Problems.Count > 0) return Page();
        if (Current is not null && Current.Subject == draft.Subject && Current.Html == draft.Html && Current.Text == draft.Text)
        {
            TempData["Flash"] = T["Nothing changed; no new version was saved."].Value;
            return RedirectToPage(new { key, language });
        }

        var saved = await templates.AddVersionAsync(Key, Language, draft.Subject, draft.Html, draft.Text, clock.GetUtcNow(), ct);
        TempData["Flash"] = T["Saved as version {0}.", saved.Version].Value;
        return RedirectToPage(new { key, language });
    }

    private MailTemplate Draft() => new(Key, Language, (Current?.Version ?? 0) + 1, (Subject ?? "").Trim(), Normalise(Html), Normalise(Text));

    internal static string Normalise(string? value) => (value ?? "").Replace("\r\n", "\n", StringComparison.Ordinal);

    private List<string> Check(MailTemplate draft) => Check(draft, renderer, T);

    /// <summary>What is wrong with a template's text (lengths, forbidden characters, the renderer's checks); shared with a new purpose.</summary>
    public static List<string> Check(MailTemplate draft, IMailTemplateRenderer renderer, IStringLocalizer<SharedResource> T)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(renderer);
        ArgumentNullException.ThrowIfNull(T);
        var problems = new List<string>();
        foreach (var (part, value, max) in new[] { ("Subject", draft.Subject, 300), ("HTML", draft.Html, MaxLength), ("Text", draft.Text, MaxLength) })
        {
            if (value.Length > max) problems.Add(T["The {0} is too long (at most {1} characters).", T[part], max].Value);
            if (Validation.HasForbiddenCharacters(value, multiline: part != "Subject")) problems.Add(T["The {0} contains characters that are not allowed.", T[part]].Value);
        }

        if (problems.Count == 0) problems.AddRange(renderer.Check(draft));
        return problems;
    }

    private async Task PreviewAsync(MailTemplate draft, CancellationToken ct)
    {
        var prospect = ProspectId is { } id ? await pipeline.GetSummaryAsync(id, ct) : (PreviewProspects.Count > 0 ? PreviewProspects[0] : null);
        if (prospect is null)
        {
            Problems = [T["Choose a prospect to preview with."].Value];
            return;
        }

        ProspectId = prospect.Id;
        var contacts = await prospects.ListContactsAsync(prospect.OrganisationId, ct);
        var contact = contacts.FirstOrDefault(c => !c.Erased && c.Language == Language) ?? contacts.FirstOrDefault(c => !c.Erased);
        var covenant = (await prospects.ListCovenantsAsync(ct)).FirstOrDefault(c => c.Id == prospect.CovenantId);
        Preview = renderer.Render(draft, new TemplateValues
        {
            ContactName = contact?.Name ?? T["(no contact)"].Value,
            Organisation = prospect.OrganisationName,
            Covenant = covenant?.Name ?? prospect.CovenantCode,
            Owner = prospect.Owner,
            UnsubscribeUrl = contact is null ? links.UrlFor(0) : links.UrlFor(contact.Id),
            // Event mail: example values, since a preview belongs to no event.
            EventName = BuiltInTemplates.IsEventTemplate(Key) ? T["Example network event"].Value : null,
            EventDate = BuiltInTemplates.IsEventTemplate(Key) ? Format.Local(clock.GetUtcNow().AddDays(21)) : null,
            EventPlace = BuiltInTemplates.IsEventTemplate(Key) ? "Utrecht" : null,
            AcceptUrl = BuiltInTemplates.IsEventTemplate(Key) ? "#accept" : null,
            DeclineUrl = BuiltInTemplates.IsEventTemplate(Key) ? "#decline" : null,
            CancelUrl = BuiltInTemplates.IsEventTemplate(Key) ? "#cancel" : null,
            // Onboarding reminders: an example milestone, due in a fortnight.
            Milestone = BuiltInTemplates.IsOnboardingTemplate(Key) ? T["Example milestone"].Value : null,
            DueDate = BuiltInTemplates.IsOnboardingTemplate(Key) ? Core.Onboarding.OnboardingReminders.FormatDate(Core.Calendar.AmsterdamClock.Today(clock).AddDays(14), Language) : null,
        });
        PreviewFor = contact is null ? prospect.OrganisationName : $"{contact.Name} <{contact.Email}>, {prospect.OrganisationName}";
    }

    private async Task<bool> LoadAsync(string key, string language, CancellationToken ct)
    {
        if (!IsKey(key) || !ContactLanguages.TryParse(language, out var lang) || language != lang.Code()) return false;
        Key = key;
        Language = lang;
        var all = await templates.ListVersionsAsync(key, ct);
        Versions = all.Where(t => t.Language == lang).ToList();
        Current = Versions.Count > 0 ? Versions[0] : null;
        // A known purpose may start without a version; an unknown key must exist in some language.
        if (all.Count == 0 && BuiltInTemplates.Purposes.All(p => p.Key != key)) return false;
        PreviewProspects = (await pipeline.SearchAsync(new ProspectFilter(), 1, 100, ct)).Items;
        return true;
    }

    /// <summary>Template keys are short lower-case names with hyphens, as used in sequences.</summary>
    public static bool IsKey(string? key) =>
        key is { Length: >= 2 and <= 60 } && key.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
