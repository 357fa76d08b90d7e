using Outreach.Core.Events;
using Outreach.Storage;
using Outreach.Web.Access;

namespace Outreach.Web.Events;

/// <summary>
/// Network events: store, rules, the signed links, and the channel Events:Calendar chooses: the embedded mode's mails with
/// iCalendar parts (Mail, the default), or one Microsoft 365 calendar event per network event with the calendar job (Graph).
/// </summary>
public static class EventRegistration
{
    public static IServiceCollection AddEvents(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(EventOptions.Section).Get<EventOptions>() ?? new EventOptions();
        var graph = UsesGraphCalendar(configuration);
        options.Calendar = graph ? EventOptions.CalendarGraph : EventOptions.CalendarMail;
        services.AddSingleton(options);
        services.AddSingleton<IEventStore, SqlEventStore>();
        services.AddSingleton<EventLinks>();
        services.AddSingleton<IEventLinks>(sp => sp.GetRequiredService<EventLinks>());
        if (graph)
        {
            Hosting.ServiceRegistration.AddGraphConnection(services, configuration, "Events:Calendar is Graph");
            services.AddSingleton<IEventCalendarLinks, SqlEventCalendarLinks>();
            // Offers, reminders and follow-ups stay mails, without the iCalendar part: the Graph event is the calendar item.
            services.AddSingleton(sp => new MailInvitationChannel(sp.GetRequiredService<Core.Prospects.IProspectStore>(), sp.GetRequiredService<Core.Mail.IMailOutbox>(),
                sp.GetRequiredService<Core.Mail.IMailTemplateRenderer>(), sp.GetRequiredService<IEventLinks>(), options, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<Core.Sequences.ITemplateStore>(), calendarParts: false));
            services.AddSingleton<IEventInvitationChannel, Outreach.Graph.GraphCalendarChannel>();
            services.AddSingleton<IEventCalendarReader, Outreach.Graph.GraphCalendarReader>();
            services.AddSingleton<EventCalendarSync>();
        }
        else
        {
            services.AddSingleton<IEventInvitationChannel, MailInvitationChannel>();
        }

        services.AddSingleton<IEventFollowUpEnrolment, SequenceFollowUpEnrolment>();
        services.AddSingleton<IEventNoticeOutbox, SqlEventNoticeOutbox>();
        services.AddSingleton<EventNoticeDispatcher>(sp => new EventNoticeDispatcher(
            sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<IEventNoticeOutbox>(), sp.GetRequiredService<IEventInvitationChannel>(), sp.GetRequiredService<TimeProvider>(),
            Core.Mail.DispatchPolicy.EventNotices, sp.GetRequiredService<ILogger<EventNoticeDispatcher>>()));
        services.AddSingleton<EventService>(sp => new EventService(
            sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<IEventInvitationChannel>(), sp.GetRequiredService<EventNoticeDispatcher>(),
            sp.GetRequiredService<EventOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EventService>>()));
        // The conversion report's event effect reads recorded attendance.
        services.AddSingleton<Core.Reports.IEventAttendanceSource, SqlEventAttendanceSource>();
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
