using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Outreach.Core.Access;
using Outreach.Core.Audit;
using Outreach.Core.Crm;
using Outreach.Core.Events;
using Outreach.Core.Jobs;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;
using Outreach.Core.Sequences;

namespace Outreach.Storage;

/// <summary>The storage adapter: its options (bound and validated once, at start), the database and every store.</summary>
public static class StorageRegistration
{
    public static IServiceCollection AddOutreachStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Database>();
        services.AddSingleton<Migrator>();
        // One transaction across the stores a cascade touches (erasure, opt-out, bounce, a pipeline move).
        services.AddSingleton<Core.Common.IUnitOfWork, SqlUnitOfWork>();

        services.AddSingleton<IProspectStore, SqlProspectStore>();
        services.AddSingleton<IPipelineStore, SqlPipelineStore>();
        services.AddSingleton<Outreach.Core.Onboarding.IOnboardingStore, SqlOnboardingStore>();
        services.AddSingleton<Outreach.Core.Onboarding.IOnboardingReminderStore, SqlOnboardingReminderStore>();
        services.AddSingleton<IJobRunLog, SqlJobRunLog>();
        services.AddSingleton<IAccessStore, SqlAccessStore>();
        services.AddSingleton<IAuditLog, SqlAudit>();
        services.AddSingleton<ISequenceStore, SqlSequenceStore>();
        services.AddSingleton<ITemplateStore, SqlTemplateStore>();
        services.AddSingleton<IReplyLog, SqlReplyLog>();
        services.AddSingleton<SqlActivityStore>();
        services.AddSingleton<Core.Activities.IActivityStore>(sp => sp.GetRequiredService<SqlActivityStore>());
        services.AddSingleton<Core.Activities.IDynamicsActivityStore>(sp => sp.GetRequiredService<SqlActivityStore>());
        services.AddSingleton<Core.Activities.ITimelineSource, SqlTimelineSource>();
        services.AddSingleton<Core.Activities.IMyDaySource, SqlMyDaySource>();
        services.AddSingleton<IReportSource, SqlReportSource>();
        services.AddSingleton<IReportDataStamp, SqlReportDataStamp>();
        services.AddSingleton<IReportFigureSource, SqlReportFigureSource>();
        services.AddSingleton<IReportFeed, SqlReportFeed>();
        services.AddSingleton<IWeeklyReportSubscribers, SqlWeeklyReportSubscribers>();
        services.AddSingleton<IMailOutbox, SqlMailOutbox>();
        services.TryAddSingleton<IMailboxThrottle, SqlMailboxThrottle>();
        services.AddSingleton<IInstallation, SqlInstallation>();
        services.AddSingleton<IEventStore, SqlEventStore>();
        services.AddSingleton<IEventNoticeOutbox, SqlEventNoticeOutbox>();
        services.AddSingleton<IEventAttendanceSource, SqlEventAttendanceSource>();
        // Used only when Dataverse:Url is set; a store without its adapter costs nothing.
        services.AddSingleton<ICrmSyncStore, SqlCrmSyncStore>();
        services.AddSingleton<IWriteBackOutbox, SqlWriteBackOutbox>();
        services.AddSingleton<IErasureTraces, SqlErasureTraces>();
        return services;
    }
}
