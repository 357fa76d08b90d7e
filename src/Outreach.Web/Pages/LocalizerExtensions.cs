using Microsoft.Extensions.Localization;
using Outreach.Core.Common;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Web.Pages;

public static class LocalizerExtensions
{
    // Only these argument values are words of the product (stage and party-kind names, field names); anything
    // else in a message (an organisation's name, a date, a KvK number) is data and is shown as it is.
    private static readonly HashSet<string> Words = new(
        Stages.All.Select(s => s.Label())
            .Concat(PartyKinds.All.Select(k => k.Label()))
            .Concat(["Name", "Sector", "Owner", "Role", "Email", "Reason", "Stage", "Country", "Website", "Next action", "Source"]),
        StringComparer.Ordinal);

    /// <summary>Translates a domain message: the template is the key; arguments (or each item of a comma list) that are product words are translated too.</summary>
    public static string Message(this IStringLocalizer localizer, DomainMessage message) =>
        localizer[message.Template, message.Args.Select(a => (object)string.Join(", ", a.Split(", ").Select(part => Words.Contains(part) ? localizer[part].Value : part))).ToArray()].Value;
}
