using Outreach.Core.Events;
using Microsoft.Extensions.Options;
using Outreach.Web.Access;

namespace Outreach.Web.Events;

/// <summary>
/// Network events: store, rules, the signed links, and the channel Events:Calendar chooses: the embedded mode's mails with
/// iCalendar parts (Mail, the default), or one Microsoft 365 calendar event per network event with the calendar job (Graph).
/// </summary>
public static class EventRegistration
{
    /// <summary>
    /// ORGANIZER defaults to the sender of the mail (RFC 5546 answers go to the ORGANIZER): Mail:FromAddress and Mail:FromName,
    /// or Graph:Mailbox when mail goes through Graph. A separate organiser address nobody reads loses every calendar answer.
    /// </summary>
    internal static void DefaultOrganizer(EventOptions options, IConfiguration configuration, Outreach.Mail.MailOptions mail)
    {
        var sender = string.Equals(mail.Provider, "Graph", StringComparison.OrdinalIgnoreCase)
            && configuration[$"{Outreach.Graph.GraphOptions.Section}:{nameof(Outreach.Graph.GraphOptions.Mailbox)}"] is { Length: > 0 } mailbox && mailbox.Contains('@', StringComparison.Ordinal)
            ? mailbox.Trim() : mail.FromAddress;
        if (string.IsNullOrWhiteSpace(configuration[$"{EventOptions.Section}:{nameof(EventOptions.OrganizerEmail)}"])) options.OrganizerEmail = sender;
        if (string.IsNullOrWhiteSpace(configuration[$"{EventOptions.Section}:{nameof(EventOptions.OrganizerName)}"])) options.OrganizerName = mail.FromName;
    }

    /// <summary>The events part; <paramref name="byGraph"/> is <see cref="UsesGraphCalendar"/> (the host adds Graph once for mail and calendar).</summary>
    public static IServiceCollection AddEvents(this IServiceCollection services, IConfiguration configuration, bool byGraph)
    {
        services.AddOptions<EventOptions>().Bind(configuration.GetSection(EventOptions.Section))
            .PostConfigure<IOptions<Outreach.Mail.MailOptions>>((o, mail) =>
            {
                o.Calendar = byGraph ? EventOptions.CalendarGraph : EventOptions.CalendarMail;
                DefaultOrganizer(o, configuration, mail.Value);
            })
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EventOptions>>().Value);
        services.AddSingleton<EventLinks>();
        services.AddSingleton<IEventLinks>(sp => sp.GetRequiredService<EventLinks>());
        if (byGraph)
        {
            // Which Microsoft 365 event stands for which network event: only the Graph calendar has them.
            services.AddSingleton<IEventCalendarLinks, Storage.SqlEventCalendarLinks>();
            // Offers, reminders and follow-ups stay mails, without the iCalendar part: the Graph event is the calendar item.
            services.AddSingleton(sp => new MailInvitationChannel(sp.GetRequiredService<Core.Prospects.IProspectStore>(), sp.GetRequiredService<Core.Mail.IMailOutbox>(),
                sp.GetRequiredService<Core.Mail.IMailTemplateRenderer>(), sp.GetRequiredService<IEventLinks>(), sp.GetRequiredService<EventOptions>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<Core.Sequences.ITemplateStore>(), calendarParts: false));
            services.AddSingleton<IEventInvitationChannel, Outreach.Graph.GraphCalendarChannel>();
            services.AddSingleton<IEventCalendarReader, Outreach.Graph.GraphCalendarReader>();
            services.AddSingleton<EventCalendarSync>();
        }
        else
        {
            services.AddSingleton<IEventInvitationChannel, MailInvitationChannel>();
            // Calendar programs answer a mailed invitation with an iTIP REPLY to its ORGANIZER (the mailbox the replies job reads).
            services.AddSingleton<Core.Mail.ICalendarAnswers>(sp => new CalendarReplyAnswers(
                sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<Core.Prospects.IProspectStore>(), sp.GetRequiredService<EventService>()));
        }

        services.AddSingleton<IEventFollowUpEnrolment, SequenceFollowUpEnrolment>();
        services.AddSingleton<EventNoticeDispatcher>(sp => new EventNoticeDispatcher(
            sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<IEventNoticeOutbox>(), sp.GetRequiredService<IEventInvitationChannel>(), sp.GetRequiredService<TimeProvider>(),
            Core.Mail.DispatchPolicy.EventNotices, sp.GetRequiredService<ILogger<EventNoticeDispatcher>>()));
        services.AddSingleton<EventService>(sp => new EventService(
            sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<IEventInvitationChannel>(), sp.GetRequiredService<EventNoticeDispatcher>(),
            sp.GetRequiredService<EventOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EventService>>(),
            window: sp.GetService<Core.Sequences.SequenceSettings>()?.Window));
        return services;
    }

    /// <summary>Events:Calendar: Mail (or empty) or Graph; any other value is refused at start, naming the key.</summary>
    public static bool UsesGraphCalendar(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[$"{EventOptions.Section}:{nameof(EventOptions.Calendar)}"]?.Trim();
        if (string.IsNullOrEmpty(value) || string.Equals(value, EventOptions.CalendarMail, StringComparison.OrdinalIgnoreCase)) return false;
        if (string.Equals(value, EventOptions.CalendarGraph, StringComparison.OrdinalIgnoreCase)) return true;
        throw new InvalidOperationException(
            $"Events:Calendar '{value}' is not known; use Mail (invitations as mails with an iCalendar part, the default) or Graph (one event in the Microsoft 365 calendar of Graph:Mailbox, see the Graph section).");
    }
}
