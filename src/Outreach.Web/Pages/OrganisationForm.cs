using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Localization;
using Outreach.Core.Common;
using Outreach.Core.Prospects;

namespace Outreach.Web.Pages;

/// <summary>The organisation fields shared by the create and edit pages; the domain's Validation decides what is valid.</summary>
public sealed class OrganisationForm
{
    [Display(Name = "Name")] public string? Name { get; set; }
    [Display(Name = "Party kind")] public string? PartyKind { get; set; }
    [Display(Name = "Sector")] public string? Sector { get; set; }
    [Display(Name = "Country")] public string? Country { get; set; } = "NL";
    [Display(Name = "KvK number")] public string? KvkNumber { get; set; }
    [Display(Name = "Website")] public string? Website { get; set; }
    [Display(Name = "Owner")] public string? Owner { get; set; }

    public OrganisationDraft ToDraft(ModelStateDictionary modelState, string prefix, IStringLocalizer localizer)
    {
        if (!PartyKinds.TryParse(PartyKind, out var kind))
            modelState.AddModelError($"{prefix}.PartyKind", localizer["Choose a party kind."]);
        return new OrganisationDraft
        {
            Name = Name ?? "", PartyKind = kind, Sector = Sector ?? "", Country = Country ?? "", KvkNumber = KvkNumber, Website = Website, Owner = Owner ?? "",
        };
    }

    public static OrganisationForm From(Organisation o) => new()
    {
        Name = o.Name, PartyKind = o.PartyKind.Code(), Sector = o.Sector, Country = o.Country, KvkNumber = o.KvkNumber, Website = o.WebsiteDomain, Owner = o.Owner,
    };

    public static void AddErrors(ModelStateDictionary modelState, string prefix, IEnumerable<FieldError> errors, IStringLocalizer localizer)
    {
        foreach (var error in errors)
            modelState.AddModelError($"{prefix}.{error.Field}", localizer.Message(new DomainMessage(error.Message.Template, error.Message.Args)));
    }
}
