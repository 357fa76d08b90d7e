using System.Text.RegularExpressions;
using HandlebarsDotNet;
using Outreach.Core.Mail;

namespace Outreach.Mail;

/// <summary>
/// Mail templates with Handlebars.Net. The HTML part encodes everything it inserts; the text part and the subject insert
/// plain text (and the subject loses line breaks, so it cannot add headers). Templates may only use the known
/// placeholders, never raw insertion ({{{…}}} or {{&amp;…}}), and must carry the unsubscribe link in both parts.
/// </summary>
public sealed partial class HandlebarsTemplateRenderer : IMailTemplateRenderer
{
    // The encoder named, not left to the library's default (which has been seen to differ between runs of the same
    // package: the legacy one spells every non-ASCII letter as &#NNN;). This one encodes & < > " ' ` = and keeps "Zoë".
    private readonly IHandlebars html = Handlebars.Create(new HandlebarsConfiguration { ThrowOnUnresolvedBindingExpression = false, TextEncoder = new HtmlEncoder() });
    private readonly IHandlebars text = Handlebars.Create(new HandlebarsConfiguration { ThrowOnUnresolvedBindingExpression = false, NoEscape = true });

    [GeneratedRegex(@"\{\{\s*([#/^>!&]?)\s*([^}\s]*)[^}]*\}\}")]
    private static partial Regex Expression();

    public RenderedMail Render(MailTemplate mailTemplate, TemplateValues values)
    {
        ArgumentNullException.ThrowIfNull(mailTemplate);
        ArgumentNullException.ThrowIfNull(values);
        var errors = Check(mailTemplate);
        if (errors.Count > 0) throw new InvalidOperationException($"Template '{mailTemplate.Key}' v{mailTemplate.Version} cannot be used: {string.Join(" ", errors)}");
        var data = Data(values);
        var subject = Compiled(textCache, text, mailTemplate.Subject)(data);
        return new RenderedMail(
            new string(subject.Where(c => !char.IsControl(c)).ToArray()).Trim(),
            Compiled(htmlCache, html, mailTemplate.Html)(data),
            Compiled(textCache, text, mailTemplate.Text)(data));
    }

    // Compiling a template costs far more than rendering it (it was most of an invitation's time: see the events
    // benchmark), and the same few texts are rendered for every recipient. Keyed by the text itself, so an edited
    // template (a new version) compiles anew; the cache is emptied if it ever grows past a few hundred texts.
    private const int CacheLimit = 500;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HandlebarsTemplate<object, object>> htmlCache = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HandlebarsTemplate<object, object>> textCache = new(StringComparer.Ordinal);

    private static HandlebarsTemplate<object, object> Compiled(
        System.Collections.Concurrent.ConcurrentDictionary<string, HandlebarsTemplate<object, object>> cache, IHandlebars engine, string source)
    {
        if (cache.TryGetValue(source, out var compiled)) return compiled;
        if (cache.Count >= CacheLimit) cache.Clear();
        return cache.GetOrAdd(source, engine.Compile);
    }

    public IReadOnlyList<string> Check(MailTemplate mailTemplate)
    {
        ArgumentNullException.ThrowIfNull(mailTemplate);
        var errors = new List<string>();
        foreach (var (part, body) in new[] { ("subject", mailTemplate.Subject), ("HTML", mailTemplate.Html), ("text", mailTemplate.Text) })
        {
            if (string.IsNullOrWhiteSpace(body)) { errors.Add($"The {part} is empty."); continue; }
            if (body.Contains("{{{", StringComparison.Ordinal)) errors.Add($"The {part} inserts a value unencoded ({{{{{{…}}}}}}); use {{{{…}}}}.");
            foreach (Match m in Expression().Matches(body))
            {
                var kind = m.Groups[1].Value;
                var name = m.Groups[2].Value;
                if (kind is "&") errors.Add($"The {part} inserts a value unencoded ({{{{&…}}}}); use {{{{…}}}}.");
                else if (kind is "!") continue;
                else if (kind.Length > 0 && kind is not "#" and not "/" and not "^") errors.Add($"The {part} uses '{m.Value}', which templates may not use.");
                else if (kind is "#" or "^" && name is not "if" and not "unless") errors.Add($"The {part} uses '{m.Value}'; only {{{{#if …}}}} and {{{{#unless …}}}} are allowed.");
                var placeholder = kind is "#" or "^" ? m.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1)?.TrimEnd('}') : kind is "/" ? null : name;
                if (placeholder is not null && !MailTemplates.Placeholders.Contains(placeholder, StringComparer.Ordinal))
                    errors.Add($"The {part} uses an unknown placeholder '{placeholder}'; use one of: {string.Join(", ", MailTemplates.Placeholders)}.");
            }

            // Compiling is the syntax check; the result is kept for rendering (a failed compile keeps nothing).
            try { _ = part == "HTML" ? Compiled(htmlCache, html, body ?? "") : Compiled(textCache, text, body ?? ""); }
            catch (HandlebarsException ex) { errors.Add($"The {part} is not a valid template: {ex.Message}"); }
        }

        foreach (var (part, body) in new[] { ("HTML", mailTemplate.Html), ("text", mailTemplate.Text) })
        {
            if (!Regex.IsMatch(body ?? "", @"\{\{\s*unsubscribeUrl\s*\}\}"))
                errors.Add($"The {part} part needs the unsubscribe link {{{{unsubscribeUrl}}}}: every outreach mail carries one.");
        }

        return errors.Distinct().ToList();
    }

    private static Dictionary<string, object?> Data(TemplateValues v) => new(StringComparer.Ordinal)
    {
        ["contactName"] = v.ContactName, ["organisation"] = v.Organisation, ["covenant"] = v.Covenant, ["owner"] = v.Owner,
        ["eventName"] = v.EventName, ["eventDate"] = v.EventDate, ["eventPlace"] = v.EventPlace, ["acceptUrl"] = v.AcceptUrl,
        ["declineUrl"] = v.DeclineUrl, ["cancelUrl"] = v.CancelUrl, ["joinUrl"] = v.JoinUrl, ["offerUntil"] = v.OfferUntil,
        ["milestone"] = v.Milestone, ["dueDate"] = v.DueDate, ["unsubscribeUrl"] = v.UnsubscribeUrl,
    };
}
