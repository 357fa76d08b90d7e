using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Core.Mail;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;

namespace Outreach.Web.Pages.Mail;

/// <summary>Every mail template: its purpose and the newest version in each language.</summary>
public sealed class TemplatesModel(ITemplateStore templates) : PageModel
{
    public sealed record Row(string Key, string Title, string? Description, MailTemplate? Nl, MailTemplate? En);

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var latest = await templates.ListLatestAsync(ct);
        var keys = BuiltInTemplates.Purposes.Select(p => p.Key).Concat(latest.Select(t => t.Key)).Distinct(StringComparer.Ordinal);
        Rows = keys.Select(k =>
        {
            var purpose = BuiltInTemplates.Purposes.FirstOrDefault(p => p.Key == k);
            return new Row(k, purpose?.Title ?? k, purpose?.Description,
                latest.FirstOrDefault(t => t.Key == k && t.Language == ContactLanguage.Nl), latest.FirstOrDefault(t => t.Key == k && t.Language == ContactLanguage.En));
        }).ToList();
    }
}
