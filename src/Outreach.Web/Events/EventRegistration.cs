using Outreach.Core.Events;
using Outreach.Storage;
using Outreach.Web.Access;

namespace Outreach.Web.Events;

/// <summary>Network events in the embedded mode: store, rules, the mail channel with iCalendar parts, and the signed links.</summary>
public static class EventRegistration
{
    public static IServiceCollection AddEvents(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(EventOptions.Section).Get<EventOptions>() ?? new EventOptions();
        services.AddSingleton(options);
        services.AddSingleton<IEventStore, SqlEventStore>();
        services.AddSingleton<EventLinks>();
        services.AddSingleton<IEventLinks>(sp => sp.GetRequiredService<EventLinks>());
        // The embedded mode's channel; a Microsoft 365 calendar adapter replaces this one registration.
        services.AddSingleton<IEventInvitationChannel, MailInvitationChannel>();
        services.AddSingleton<IEventFollowUpEnrolment, SequenceFollowUpEnrolment>();
        services.AddSingleton<IEventNoticeOutbox, SqlEventNoticeOutbox>();
        services.AddSingleton<EventNoticeDispatcher>(sp => new EventNoticeDispatcher(
            sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<IEventNoticeOutbox>(), sp.GetRequiredService<IEventInvitationChannel>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<EventService>(sp => new EventService(
            sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<IEventInvitationChannel>(), sp.GetRequiredService<EventNoticeDispatcher>(),
            sp.GetRequiredService<EventOptions>(), sp.GetRequiredService<TimeProvider>()));
        // The conversion report's event effect reads recorded attendance.
        services.AddSingleton<Core.Reports.IEventAttendanceSource, SqlEventAttendanceSource>();
        return services;
    }
}
