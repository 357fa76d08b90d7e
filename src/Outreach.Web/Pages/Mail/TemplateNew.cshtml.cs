using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Access;
using Outreach.Core.Mail;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;

namespace Outreach.Web.Pages.Mail;

/// <summary>
/// A new template purpose (issue 16): its key and its first version in Dutch and English, checked as every template save
/// is, stored as version 1 of both languages at once and audited; after that it is edited and versioned like any template.
/// </summary>
public sealed class TemplateNewModel(ITemplateStore templates, IMailTemplateRenderer renderer, TimeProvider clock, IStringLocalizer<SharedResource> T) : PageModel
{
    public IReadOnlyList<string> Problems { get; private set; } = [];

    [BindProperty] public string? Key { get; set; }
    [BindProperty] public string? SubjectNl { get; set; }
    [BindProperty] public string? HtmlNl { get; set; }
    [BindProperty] public string? TextNl { get; set; }
    [BindProperty] public string? SubjectEn { get; set; }
    [BindProperty] public string? HtmlEn { get; set; }
    [BindProperty] public string? TextEn { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var key = (Key ?? "").Trim();
        var problems = new List<string>();
        if (!TemplateEditModel.IsKey(key))
            problems.Add(T["The key is 2 to 60 lower-case letters, digits and hyphens, such as 'engaged-follow-up'."].Value);
        else if (BuiltInTemplates.IsEventTemplate(key) || BuiltInTemplates.Purposes.Any(p => p.Key == key))
            problems.Add(T["The key '{0}' is kept for a built-in purpose; choose another.", key].Value);

        var drafts = new[]
        {
            new MailTemplate(key, ContactLanguage.Nl, 1, (SubjectNl ?? "").Trim(), TemplateEditModel.Normalise(HtmlNl), TemplateEditModel.Normalise(TextNl)),
            new MailTemplate(key, ContactLanguage.En, 1, (SubjectEn ?? "").Trim(), TemplateEditModel.Normalise(HtmlEn), TemplateEditModel.Normalise(TextEn)),
        };
        foreach (var draft in drafts)
        {
            var language = draft.Language == ContactLanguage.Nl ? T["Dutch"].Value : T["English"].Value;
            if (draft.Subject.Length == 0 || draft.Html.Length == 0 || draft.Text.Length == 0)
            {
                problems.Add(T["{0}: a subject, an HTML part and a text part are needed.", language].Value);
                continue;
            }

            problems.AddRange(TemplateEditModel.Check(draft, renderer, T).Select(p => $"{language}: {p}"));
        }

        if (problems.Count == 0)
        {
            try
            {
                await templates.AddPurposeAsync(key, drafts, clock.GetUtcNow(), ct);
                TempData["Flash"] = T["Template '{0}' added as version 1 in Dutch and English.", key].Value;
                return RedirectToPage("/Mail/Templates");
            }
            catch (DuplicateNameException)
            {
                problems.Add(T["A template with the key '{0}' exists already.", key].Value);
            }
        }

        Problems = problems;
        return Page();
    }
}
