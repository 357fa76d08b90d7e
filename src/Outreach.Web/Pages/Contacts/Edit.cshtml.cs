using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Common;
using Outreach.Core.Prospects;

namespace Outreach.Web.Pages.Contacts;

/// <summary>Add a contact to an organisation (/contacts/new?organisationId=) or edit one (/contacts/{id}).</summary>
public sealed class EditModel(IProspectStore prospects, TimeProvider clock, IStringLocalizer<SharedResource> T) : PageModel
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Language { get; set; } = "nl";
    [BindProperty] public string? Role { get; set; }
    [BindProperty] public bool OptedOut { get; set; }
    public DateTimeOffset? OptedOutAt { get; private set; }
    [BindProperty(SupportsGet = true)] public long? OrganisationId { get; set; }
    [BindProperty(SupportsGet = true)] public long? ProspectId { get; set; }
    public Organisation? Organisation { get; private set; }
    public bool IsNew { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (id == "new")
        {
            IsNew = true;
            Organisation = OrganisationId is { } orgId ? await prospects.GetOrganisationAsync(orgId, ct) : null;
            return Organisation is null ? NotFound() : Page();
        }

        if (!long.TryParse(id, out var contactId) || await prospects.GetContactAsync(contactId, ct) is not { } contact) return NotFound();
        Organisation = await prospects.GetOrganisationAsync(contact.OrganisationId, ct);
        (Name, Email, Language, Role, OptedOut, OptedOutAt) = (contact.Name, contact.Email, contact.Language.Code(), contact.Role, contact.OptedOut, contact.OptedOutAt);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken ct)
    {
        IsNew = id == "new";
        Contact? existing = null;
        if (IsNew)
        {
            Organisation = OrganisationId is { } orgId ? await prospects.GetOrganisationAsync(orgId, ct) : null;
        }
        else if (long.TryParse(id, out var contactId) && await prospects.GetContactAsync(contactId, ct) is { } contact)
        {
            existing = contact;
            Organisation = await prospects.GetOrganisationAsync(contact.OrganisationId, ct);
        }

        if (Organisation is null) return NotFound();
        ModelState.Clear();
        if (!ContactLanguages.TryParse(Language, out var language))
            ModelState.AddModelError(nameof(Language), T["Language must be nl or en."]);
        var draft = new ContactDraft { Name = Name ?? "", Email = Email ?? "", Language = language, Role = Role };
        foreach (var error in Validation.Check(draft))
            ModelState.AddModelError(error.Field, T.Message(new DomainMessage(error.Message.Template, error.Message.Args)));
        if (!ModelState.IsValid) return Page();

        var clean = Validation.Clean(draft);
        var saved = existing is null ? await prospects.AddContactAsync(Organisation.Id, clean, ct) : (await prospects.UpdateContactAsync(existing.Id, clean, ct))!;
        // An opt-out keeps its first time; unticking it is a deliberate re-consent.
        if (OptedOut != (existing?.OptedOut ?? false))
            await prospects.SetOptedOutAsync(saved.Id, OptedOut ? clock.GetUtcNow() : null, ct);
        TempData["Flash"] = T["Contact saved."].Value;
        return ProspectId is { } prospect ? Redirect($"/prospects/{prospect}") : Redirect("/board");
    }
}
