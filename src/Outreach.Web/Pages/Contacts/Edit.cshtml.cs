using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Common;
using Outreach.Core.Prospects;

namespace Outreach.Web.Pages.Contacts;

/// <summary>Add a contact to an organisation (/contacts/new?organisationId=) or edit one (/contacts/{id}).</summary>
public sealed class EditModel(IProspectStore prospects, ContactPrivacy privacy, TimeProvider clock, IStringLocalizer<SharedResource> T) : PageModel
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Language { get; set; } = "nl";
    [BindProperty] public string? Role { get; set; }
    [BindProperty] public bool OptedOut { get; set; }
    [BindProperty] public string? LawfulBasis { get; set; } = "legitimate_interest";
    [BindProperty] public string? Source { get; set; }
    public bool Erased { get; private set; }
    public long? ContactId { get; private set; }
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
        (LawfulBasis, Source, Erased, ContactId) = (contact.LawfulBasis.Code(), contact.Source, contact.Erased, contact.Id);
        return Page();
    }

    public async Task<IActionResult> OnPostEraseAsync(string id, [FromServices] ContactPrivacy erasure, CancellationToken ct)
    {
        if (!long.TryParse(id, out var contactId) || await erasure.EraseAsync(contactId, clock.GetUtcNow(), ct) is null) return NotFound();
        TempData["Flash"] = T["The contact's personal data has been erased."].Value;
        return ProspectId is { } prospect ? Redirect($"/prospects/{prospect}") : Redirect("/board");
    }

    public async Task<IActionResult> OnGetExportAsync(string id, [FromServices] Core.Pipeline.IPipelineStore pipeline, [FromServices] Core.Audit.IAuditLog audit, CancellationToken ct)
    {
        // The same document as GET /api/contacts/{id}/export, for people (the API does not take the browser's cookie).
        if (!long.TryParse(id, out var contactId) || await Api.ContactExportDto.BuildAsync(contactId, prospects, pipeline, audit, ct) is not { } export) return NotFound();
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(export, ExportJson);
        Hosting.PersonalDataDownloads.NotCached(Response);
        return File(json, "application/json", $"contact-{contactId}.json");
    }

    private static readonly System.Text.Json.JsonSerializerOptions ExportJson = CreateExportJson();

    private static System.Text.Json.JsonSerializerOptions CreateExportJson()
    {
        var options = new System.Text.Json.JsonSerializerOptions { WriteIndented = true };
        Hosting.ServiceRegistration.ConfigureJson(options);
        return options;
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
        if (!LawfulBases.TryParse(LawfulBasis, out var basis))
            ModelState.AddModelError(nameof(LawfulBasis), T["Choose the lawful basis: legitimate interest or consent."]);
        if (existing?.Erased == true) return NotFound();
        var draft = new ContactDraft { Name = Name ?? "", Email = Email ?? "", Language = language, Role = Role, LawfulBasis = basis, Source = Source };
        foreach (var error in Validation.Check(draft))
            ModelState.AddModelError(error.Field, T.Message(new DomainMessage(error.Message.Template, error.Message.Args)));
        // An erased person is not added back by retyping their address.
        if (ModelState.IsValid && !string.Equals(existing?.Email, draft.Email.Trim(), StringComparison.OrdinalIgnoreCase) && await prospects.IsSuppressedAsync(draft.Email, ct))
            ModelState.AddModelError(nameof(Email), T["This address belongs to a person whose data was erased at their request; it cannot be added again."]);
        if (!ModelState.IsValid) return Page();

        var clean = Validation.Clean(draft);
        var saved = existing is null ? await prospects.AddContactAsync(Organisation.Id, clean, ct) : await prospects.UpdateContactAsync(existing.Id, clean, ct);
        // Erased (or removed) between reading and saving: nothing to save.
        if (saved is null) return NotFound();
        // An opt-out keeps its first time; unticking it is a deliberate re-consent.
        if (OptedOut != (existing?.OptedOut ?? false))
            await privacy.SetOptedOutAsync(saved.Id, OptedOut ? clock.GetUtcNow() : null, ct);
        TempData["Flash"] = T["Contact saved."].Value;
        return ProspectId is { } prospect ? Redirect($"/prospects/{prospect}") : Redirect("/board");
    }
}
