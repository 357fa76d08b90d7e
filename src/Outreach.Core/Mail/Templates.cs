using Outreach.Core.Prospects;

namespace Outreach.Core.Mail;

/// <summary>One version of a mail template in one language: subject, HTML part and plain-text part with placeholders.</summary>
public sealed record MailTemplate(string Key, ContactLanguage Language, int Version, string Subject, string Html, string Text)
{
    public DateTimeOffset CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
}

/// <summary>What a template may insert. Every value is inserted HTML-encoded in the HTML part.</summary>
public sealed record TemplateValues
{
    public required string ContactName { get; init; }
    public required string Organisation { get; init; }
    public required string Covenant { get; init; }
    public required string Owner { get; init; }
    public string? EventName { get; init; }
    public string? EventDate { get; init; }
    public string? EventPlace { get; init; }
    /// <summary>Event mail: the signed links to answer (they open a page that asks once, so mail scanners answer nothing).</summary>
    public string? AcceptUrl { get; init; }
    public string? DeclineUrl { get; init; }
    public string? CancelUrl { get; init; }
    /// <summary>Event mail: the online meeting link (online and hybrid events).</summary>
    public string? JoinUrl { get; init; }
    /// <summary>Event mail: until when an offered place is held (Amsterdam time, written out).</summary>
    public string? OfferUntil { get; init; }
    /// <summary>Onboarding reminders: the milestone's name in the contact's language, and its due date written out.</summary>
    public string? Milestone { get; init; }
    public string? DueDate { get; init; }
    public required string UnsubscribeUrl { get; init; }
}

public sealed record RenderedMail(string Subject, string Html, string Text);

/// <summary>Renders templates with a template library (an adapter), and checks them before they are saved.</summary>
public interface IMailTemplateRenderer
{
    RenderedMail Render(MailTemplate mailTemplate, TemplateValues values);

    /// <summary>What is wrong with a template (empty when it may be saved).</summary>
    IReadOnlyList<string> Check(MailTemplate mailTemplate);
}

public static class MailTemplates
{
    /// <summary>The placeholders a template may use, by name.</summary>
    public static readonly IReadOnlyList<string> Placeholders =
        ["contactName", "organisation", "covenant", "owner", "eventName", "eventDate", "eventPlace", "acceptUrl", "declineUrl", "cancelUrl", "joinUrl", "offerUntil", "milestone", "dueDate", "unsubscribeUrl"];

    /// <summary>The newest version in the contact's language, or in the other language when there is none in theirs.</summary>
    public static MailTemplate? Pick(IEnumerable<MailTemplate> versions, string key, ContactLanguage language)
    {
        var ofKey = versions.Where(t => t.Key == key).ToList();
        return ofKey.Where(t => t.Language == language).MaxBy(t => t.Version) ?? ofKey.MaxBy(t => t.Version);
    }
}
