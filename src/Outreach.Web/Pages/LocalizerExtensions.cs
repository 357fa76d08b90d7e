using Microsoft.Extensions.Localization;
using Outreach.Core.Common;

namespace Outreach.Web.Pages;

public static class LocalizerExtensions
{
    /// <summary>Translates a domain message: the template is the key, and each argument (or each item of a comma list, such as stage names) is translated too.</summary>
    public static string Message(this IStringLocalizer localizer, DomainMessage message) =>
        localizer[message.Template, message.Args.Select(a => (object)string.Join(", ", a.Split(", ").Select(part => localizer[part].Value))).ToArray()].Value;
}
