using Outreach.Core.Prospects;

namespace Outreach.Core.Mail;

/// <summary>A template's purpose as the secretariat names it.</summary>
public sealed record TemplatePurpose(string Key, string Title, string Description);

/// <summary>
/// The templates Outreach starts with, in Dutch and English. They are stored as version 1 on first start (only where no
/// version exists), after which the secretariat edits them in the UI; the texts here are never read again for sending.
/// </summary>
public static class BuiltInTemplates
{
    public const string FollowUp = "follow-up";
    public const string FollowUpReminder = "follow-up-reminder";
    public const string FollowUpLast = "follow-up-last";

    public static readonly IReadOnlyList<TemplatePurpose> Purposes =
    [
        new(FollowUp, "Follow-up after first contact", "The first mail after a conversation: thanks, what the covenant offers, the next step."),
        new(FollowUpReminder, "Reminder", "A short reminder when there has been no answer."),
        new(FollowUpLast, "Last follow-up", "The last mail of a sequence: the door stays open."),
        new(Events.EventMailTemplates.Invitation, "Event invitation", "The invitation to a network event, with the calendar item and the answer links."),
        new(Events.EventMailTemplates.Update, "Event changed", "When an event moves or changes: the updated calendar item."),
        new(Events.EventMailTemplates.Cancelled, "Event cancelled", "When an event is called off: the calendar cancellation."),
        new(Events.EventMailTemplates.PlaceOffered, "Place offered", "A place came free for someone on the waitlist: confirm before it passes on."),
        new(Events.EventMailTemplates.Reminder, "Event reminder", "A few days before the event, to those who accepted or answered tentatively."),
        new(Events.EventMailTemplates.Thanks, "Thanks for coming", "After the event, to those who attended."),
        new(Events.EventMailTemplates.NoShow, "Sorry we missed you", "After the event, to those who accepted but did not come."),
        new(Onboarding.OnboardingReminders.DueSoonTemplate, "Onboarding milestone due soon", "To a party's onboarding contact, some days before a milestone (its RBC policy, the risk analysis) is due."),
        new(Onboarding.OnboardingReminders.OverdueTemplate, "Onboarding milestone overdue", "To a party's onboarding contact, some days after a milestone was due and is still open."),
        new(Events.EventMailTemplates.Waitlisted, "On the waitlist", "An acceptance when the event is full: the invitee waits in line for a place."),
    ];

    /// <summary>Whether a template belongs to network events (event mail is sent by the events, not by sequences).</summary>
    public static bool IsEventTemplate(string key) => key.StartsWith("event-", StringComparison.Ordinal);

    /// <summary>Whether a template is an onboarding reminder (sent by the reminders job, not by sequences).</summary>
    public static bool IsOnboardingTemplate(string key) => key.StartsWith("onboarding-", StringComparison.Ordinal);

    private const string Footer = """
        <p style="font-size:12px;color:#666">{{#if owner}}{{owner}}, {{/if}}{{covenant}}</p>
        <p style="font-size:12px;color:#666"><a href="{{unsubscribeUrl}}">{0}</a></p>
        """;

    private static string Html(string body, string unsubscribe) => "<p>" + body.Replace("\n\n", "</p>\n<p>", StringComparison.Ordinal) + "</p>\n" + Footer.Replace("{0}", unsubscribe, StringComparison.Ordinal);

    private static string Text(string body, string unsubscribe) => body + "\n\n{{#if owner}}{{owner}}, {{/if}}{{covenant}}\n\n" + unsubscribe + ": {{unsubscribeUrl}}\n";

    private static MailTemplate Make(string key, ContactLanguage language, string subject, string body)
    {
        var unsubscribe = language == ContactLanguage.Nl ? "Geen berichten meer ontvangen" : "Unsubscribe from these mails";
        return new MailTemplate(key, language, 1, subject, Html(body, unsubscribe), Text(body, unsubscribe));
    }

    public static readonly IReadOnlyList<MailTemplate> All =
    [
        Make(FollowUp, ContactLanguage.Nl, "{{covenant}}: vervolg op ons gesprek",
            "Beste {{contactName}},\n\nDank voor het prettige contact over {{organisation}} en het {{covenant}}. Het convenant helpt bedrijven om risico's in hun keten samen met anderen aan te pakken, met ondersteuning van het secretariaat.\n\nZullen we een afspraak maken om te bespreken wat deelname voor {{organisation}} betekent?\n\nMet vriendelijke groet,"),
        Make(FollowUp, ContactLanguage.En, "{{covenant}}: following up on our conversation",
            "Dear {{contactName}},\n\nThank you for the conversation about {{organisation}} and the {{covenant}}. The covenant helps companies address risks in their supply chain together with others, supported by the secretariat.\n\nShall we schedule a meeting to discuss what joining would mean for {{organisation}}?\n\nKind regards,"),
        Make(FollowUpReminder, ContactLanguage.Nl, "Herinnering: {{covenant}}",
            "Beste {{contactName}},\n\nGraag kom ik terug op mijn eerdere bericht over het {{covenant}}. Heeft u gelegenheid gehad ernaar te kijken? Ik licht het graag kort toe.\n\nMet vriendelijke groet,"),
        Make(FollowUpReminder, ContactLanguage.En, "Reminder: {{covenant}}",
            "Dear {{contactName}},\n\nI would like to follow up on my earlier message about the {{covenant}}. Have you had a chance to look at it? I am happy to explain it briefly.\n\nKind regards,"),
        Make(FollowUpLast, ContactLanguage.Nl, "{{covenant}}: de deur blijft open",
            "Beste {{contactName}},\n\nIk begrijp dat het nu misschien niet het goede moment is. Mocht {{organisation}} later willen praten over het {{covenant}}, dan hoor ik het graag.\n\nMet vriendelijke groet,"),
        Make(FollowUpLast, ContactLanguage.En, "{{covenant}}: the door stays open",
            "Dear {{contactName}},\n\nI understand this may not be the right moment. Should {{organisation}} wish to talk about the {{covenant}} later, I would be glad to hear from you.\n\nKind regards,"),
        Make(Onboarding.OnboardingReminders.DueSoonTemplate, ContactLanguage.Nl, "{{covenant}}: {{milestone}} uiterlijk {{dueDate}}",
            "Beste {{contactName}},\n\nVoor het {{covenant}} staat voor {{organisation}} de volgende stap op de planning: {{milestone}}, uiterlijk {{dueDate}}.\n\nIs dit al gelukt? Laat het ons weten, dan nemen we het op in de monitoring. Heeft u hulp nodig, dan denken we graag mee.\n\nMet vriendelijke groet,"),
        Make(Onboarding.OnboardingReminders.DueSoonTemplate, ContactLanguage.En, "{{covenant}}: {{milestone}} by {{dueDate}}",
            "Dear {{contactName}},\n\nFor the {{covenant}}, the next step for {{organisation}} is: {{milestone}}, by {{dueDate}}.\n\nHas this been done already? Let us know and we will include it in the monitoring. If you need help, we are glad to think along.\n\nKind regards,"),
        Make(Onboarding.OnboardingReminders.OverdueTemplate, ContactLanguage.Nl, "{{covenant}}: {{milestone}} staat nog open",
            "Beste {{contactName}},\n\nVolgens onze gegevens staat voor {{organisation}} nog open: {{milestone}}, gepland voor {{dueDate}}.\n\nIs het inmiddels gelukt, stuur ons dan de link of het document. Loopt het vertraging op, laat ons dan weten wanneer we het kunnen verwachten.\n\nMet vriendelijke groet,"),
        Make(Onboarding.OnboardingReminders.OverdueTemplate, ContactLanguage.En, "{{covenant}}: {{milestone}} is still open",
            "Dear {{contactName}},\n\nAccording to our records, this is still open for {{organisation}}: {{milestone}}, planned for {{dueDate}}.\n\nIf it has been done, please send us the link or the document. If it is delayed, let us know when we can expect it.\n\nKind regards,"),
    ];

    /// <summary>Every built-in template: follow-up mail and event mail.</summary>
    public static IEnumerable<MailTemplate> Everything => All.Concat(Events.EventMailTemplates.All);

    /// <summary>The sequence a fresh installation starts with (no rule: nobody is mailed until someone enrols them or adds a rule).</summary>
    public static readonly Sequences.SequenceDraft StarterSequence = new()
    {
        Name = "Follow-up after first contact",
        Stage = Pipeline.Stage.Contacted,
        Steps = [new(FollowUp, 3), new(FollowUpReminder, 7), new(FollowUpLast, 10)],
    };

    public static string Title(string key) => Purposes.FirstOrDefault(p => p.Key == key)?.Title ?? key;
}
