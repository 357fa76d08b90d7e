using Outreach.Core.Mail;
using Outreach.Core.Prospects;

namespace Outreach.Core.Events;

/// <summary>
/// The built-in texts of event mail, per purpose and language (version 1). Rendered by <see cref="IMailTemplateRenderer"/>,
/// so they obey the same rules as edited templates: known placeholders only, and the unsubscribe link in both parts.
/// </summary>
public static class EventMailTemplates
{
    public const string Invitation = "event-invitation";
    public const string Update = "event-update";
    public const string Cancelled = "event-cancelled";
    public const string PlaceOffered = "event-place-offered";
    public const string Reminder = "event-reminder";
    public const string Thanks = "event-thanks";
    public const string NoShow = "event-no-show";
    public const string Waitlisted = "event-waitlisted";

    /// <summary>Whether the kind is told by a mail of its own (a withdrawal only changes a calendar's attendee list).</summary>
    public static bool HasMail(EventMailKind kind) => kind != EventMailKind.Withdrawn;

    public static string Key(EventMailKind kind) => kind switch
    {
        EventMailKind.Invitation => Invitation,
        EventMailKind.Update => Update,
        EventMailKind.Cancelled => Cancelled,
        EventMailKind.PlaceOffered => PlaceOffered,
        EventMailKind.Reminder => Reminder,
        EventMailKind.Thanks => Thanks,
        EventMailKind.NoShow => NoShow,
        EventMailKind.Waitlisted => Waitlisted,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private const string FooterNl = "Wilt u geen uitnodigingen meer ontvangen? Meld u af: {{unsubscribeUrl}}";
    private const string FooterEn = "No more invitations? Unsubscribe: {{unsubscribeUrl}}";
    private const string HtmlFooterNl = "<p style=\"font-size:small\">Wilt u geen uitnodigingen meer ontvangen? <a href=\"{{unsubscribeUrl}}\">Afmelden</a></p>";
    private const string HtmlFooterEn = "<p style=\"font-size:small\">No more invitations? <a href=\"{{unsubscribeUrl}}\">Unsubscribe</a></p>";

    private static MailTemplate Nl(string key, string subject, string text, string html) =>
        new(key, ContactLanguage.Nl, 1, subject, html + HtmlFooterNl, text + "\n\n" + FooterNl);

    private static MailTemplate En(string key, string subject, string text, string html) =>
        new(key, ContactLanguage.En, 1, subject, html + HtmlFooterEn, text + "\n\n" + FooterEn);

    public static readonly IReadOnlyList<MailTemplate> All =
    [
        Nl(Invitation, "Uitnodiging: {{eventName}}",
            "Beste {{contactName}},\n\nGraag nodigen wij u uit voor {{eventName}} op {{eventDate}}{{#if eventPlace}} ({{eventPlace}}){{/if}}.\n\nIk kom: {{acceptUrl}}\nIk kom niet: {{declineUrl}}\n\nMet vriendelijke groet,\n{{owner}}",
            "<p>Beste {{contactName}},</p><p>Graag nodigen wij u uit voor <strong>{{eventName}}</strong> op {{eventDate}}{{#if eventPlace}} ({{eventPlace}}){{/if}}.</p><p><a href=\"{{acceptUrl}}\">Ik kom</a> · <a href=\"{{declineUrl}}\">Ik kom niet</a></p><p>Met vriendelijke groet,<br>{{owner}}</p>"),
        En(Invitation, "Invitation: {{eventName}}",
            "Dear {{contactName}},\n\nWe would like to invite you to {{eventName}} on {{eventDate}}{{#if eventPlace}} ({{eventPlace}}){{/if}}.\n\nI will come: {{acceptUrl}}\nI cannot come: {{declineUrl}}\n\nKind regards,\n{{owner}}",
            "<p>Dear {{contactName}},</p><p>We would like to invite you to <strong>{{eventName}}</strong> on {{eventDate}}{{#if eventPlace}} ({{eventPlace}}){{/if}}.</p><p><a href=\"{{acceptUrl}}\">I will come</a> · <a href=\"{{declineUrl}}\">I cannot come</a></p><p>Kind regards,<br>{{owner}}</p>"),
        Nl(Update, "Gewijzigd: {{eventName}}",
            "Beste {{contactName}},\n\n{{eventName}} is gewijzigd: het is nu op {{eventDate}}{{#if eventPlace}} ({{eventPlace}}){{/if}}.\n\nKunt u niet meer? Meld u af: {{cancelUrl}}",
            "<p>Beste {{contactName}},</p><p><strong>{{eventName}}</strong> is gewijzigd: het is nu op {{eventDate}}{{#if eventPlace}} ({{eventPlace}}){{/if}}.</p><p>Kunt u niet meer? <a href=\"{{cancelUrl}}\">Afmelden voor de bijeenkomst</a></p>"),
        En(Update, "Changed: {{eventName}}",
            "Dear {{contactName}},\n\n{{eventName}} has changed: it is now on {{eventDate}}{{#if eventPlace}} ({{eventPlace}}){{/if}}.\n\nCannot come any more? Cancel your place: {{cancelUrl}}",
            "<p>Dear {{contactName}},</p><p><strong>{{eventName}}</strong> has changed: it is now on {{eventDate}}{{#if eventPlace}} ({{eventPlace}}){{/if}}.</p><p>Cannot come any more? <a href=\"{{cancelUrl}}\">Cancel your place</a></p>"),
        Nl(Cancelled, "Geannuleerd: {{eventName}}",
            "Beste {{contactName}},\n\nHelaas gaat {{eventName}} op {{eventDate}} niet door. Wij laten u weten wanneer er een nieuwe bijeenkomst is.\n\nMet vriendelijke groet,\n{{owner}}",
            "<p>Beste {{contactName}},</p><p>Helaas gaat <strong>{{eventName}}</strong> op {{eventDate}} niet door. Wij laten u weten wanneer er een nieuwe bijeenkomst is.</p><p>Met vriendelijke groet,<br>{{owner}}</p>"),
        En(Cancelled, "Cancelled: {{eventName}}",
            "Dear {{contactName}},\n\nUnfortunately {{eventName}} on {{eventDate}} is cancelled. We will let you know when there is a new event.\n\nKind regards,\n{{owner}}",
            "<p>Dear {{contactName}},</p><p>Unfortunately <strong>{{eventName}}</strong> on {{eventDate}} is cancelled. We will let you know when there is a new event.</p><p>Kind regards,<br>{{owner}}</p>"),
        Nl(PlaceOffered, "Er is een plaats vrij: {{eventName}}",
            "Beste {{contactName}},\n\nEr is een plaats vrijgekomen voor {{eventName}} op {{eventDate}}. Wij houden die voor u vast tot {{offerUntil}}.\n\nBevestig uw plaats: {{acceptUrl}}\nIk kom toch niet: {{declineUrl}}",
            "<p>Beste {{contactName}},</p><p>Er is een plaats vrijgekomen voor <strong>{{eventName}}</strong> op {{eventDate}}. Wij houden die voor u vast tot {{offerUntil}}.</p><p><a href=\"{{acceptUrl}}\">Bevestig uw plaats</a> · <a href=\"{{declineUrl}}\">Ik kom toch niet</a></p>"),
        En(PlaceOffered, "A place is free: {{eventName}}",
            "Dear {{contactName}},\n\nA place has come free for {{eventName}} on {{eventDate}}. We hold it for you until {{offerUntil}}.\n\nConfirm your place: {{acceptUrl}}\nI will not come after all: {{declineUrl}}",
            "<p>Dear {{contactName}},</p><p>A place has come free for <strong>{{eventName}}</strong> on {{eventDate}}. We hold it for you until {{offerUntil}}.</p><p><a href=\"{{acceptUrl}}\">Confirm your place</a> · <a href=\"{{declineUrl}}\">I will not come after all</a></p>"),
        Nl(Reminder, "Herinnering: {{eventName}}",
            "Beste {{contactName}},\n\nTot ziens bij {{eventName}} op {{eventDate}}{{#if eventPlace}} ({{eventPlace}}){{/if}}.{{#if joinUrl}}\nOnline deelnemen: {{joinUrl}}{{/if}}\n\nKunt u niet? Meld u af: {{cancelUrl}}",
            "<p>Beste {{contactName}},</p><p>Tot ziens bij <strong>{{eventName}}</strong> op {{eventDate}}{{#if eventPlace}} ({{eventPlace}}){{/if}}.</p>{{#if joinUrl}}<p><a href=\"{{joinUrl}}\">Online deelnemen</a></p>{{/if}}<p>Kunt u niet? <a href=\"{{cancelUrl}}\">Afmelden voor de bijeenkomst</a></p>"),
        En(Reminder, "Reminder: {{eventName}}",
            "Dear {{contactName}},\n\nSee you at {{eventName}} on {{eventDate}}{{#if eventPlace}} ({{eventPlace}}){{/if}}.{{#if joinUrl}}\nJoin online: {{joinUrl}}{{/if}}\n\nCannot come? Cancel your place: {{cancelUrl}}",
            "<p>Dear {{contactName}},</p><p>See you at <strong>{{eventName}}</strong> on {{eventDate}}{{#if eventPlace}} ({{eventPlace}}){{/if}}.</p>{{#if joinUrl}}<p><a href=\"{{joinUrl}}\">Join online</a></p>{{/if}}<p>Cannot come? <a href=\"{{cancelUrl}}\">Cancel your place</a></p>"),
        Nl(Thanks, "Bedankt voor uw komst: {{eventName}}",
            "Beste {{contactName}},\n\nHartelijk dank voor uw aanwezigheid bij {{eventName}}. {{owner}} neemt binnenkort contact met u op over de vervolgstappen.",
            "<p>Beste {{contactName}},</p><p>Hartelijk dank voor uw aanwezigheid bij <strong>{{eventName}}</strong>. {{owner}} neemt binnenkort contact met u op over de vervolgstappen.</p>"),
        En(Thanks, "Thank you for coming: {{eventName}}",
            "Dear {{contactName}},\n\nThank you for joining {{eventName}}. {{owner}} will be in touch soon about next steps.",
            "<p>Dear {{contactName}},</p><p>Thank you for joining <strong>{{eventName}}</strong>. {{owner}} will be in touch soon about next steps.</p>"),
        Nl(NoShow, "Wij hebben u gemist: {{eventName}}",
            "Beste {{contactName}},\n\nJammer dat u er bij {{eventName}} niet bij kon zijn. Wilt u horen wat er besproken is? Beantwoord deze mail, dan neemt {{owner}} contact met u op.",
            "<p>Beste {{contactName}},</p><p>Jammer dat u er bij <strong>{{eventName}}</strong> niet bij kon zijn. Wilt u horen wat er besproken is? Beantwoord deze mail, dan neemt {{owner}} contact met u op.</p>"),
        En(NoShow, "We missed you: {{eventName}}",
            "Dear {{contactName}},\n\nA pity you could not make it to {{eventName}}. Would you like to hear what was discussed? Reply to this mail and {{owner}} will be in touch.",
            "<p>Dear {{contactName}},</p><p>A pity you could not make it to <strong>{{eventName}}</strong>. Would you like to hear what was discussed? Reply to this mail and {{owner}} will be in touch.</p>"),
        Nl(Waitlisted, "Wachtlijst: {{eventName}}",
            "Beste {{contactName}},\n\nDank voor uw aanmelding voor {{eventName}} op {{eventDate}}. De bijeenkomst is vol; u staat op de wachtlijst. Komt er een plaats vrij, dan krijgt u bericht en houden wij die even voor u vast.\n\nWilt u toch niet meer? Meld u af: {{cancelUrl}}",
            "<p>Beste {{contactName}},</p><p>Dank voor uw aanmelding voor <strong>{{eventName}}</strong> op {{eventDate}}. De bijeenkomst is vol; u staat op de wachtlijst. Komt er een plaats vrij, dan krijgt u bericht en houden wij die even voor u vast.</p><p>Wilt u toch niet meer? <a href=\"{{cancelUrl}}\">Afmelden voor de bijeenkomst</a></p>"),
        En(Waitlisted, "Waitlist: {{eventName}}",
            "Dear {{contactName}},\n\nThank you for signing up for {{eventName}} on {{eventDate}}. The event is full; you are on the waitlist. If a place comes free, we will let you know and hold it for you for a while.\n\nNo longer interested? Cancel: {{cancelUrl}}",
            "<p>Dear {{contactName}},</p><p>Thank you for signing up for <strong>{{eventName}}</strong> on {{eventDate}}. The event is full; you are on the waitlist. If a place comes free, we will let you know and hold it for you for a while.</p><p>No longer interested? <a href=\"{{cancelUrl}}\">Cancel</a></p>"),
    ];
}
