using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Azure.Core;
using Azure.Identity;
using Outreach.Core.Access;
using Outreach.Core.Audit;
using Outreach.Core.Crm;
using Outreach.Dataverse;
using Outreach.Dataverse.Http;
using Outreach.Web.Access;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Outreach.Core.Jobs;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Jobs.Scheduling;
using Outreach.Storage;
using Outreach.Storage.Import;
using Outreach.Web.Demo;

namespace Outreach.Web.Hosting;

/// <summary>The composition root: the only place that knows every adapter.</summary>
public static class ServiceRegistration
{
    public static readonly CultureInfo[] Cultures = [new("en"), new("nl")];

    private static readonly string[] EditorPages = ["/Prospects/New", "/Organisations/Edit", "/Contacts/Edit", "/Import", "/Mail/TemplateEdit", "/Events/Edit"];

    public static WebApplicationBuilder AddOutreach(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OutreachOptions>().Bind(configuration.GetSection(OutreachOptions.Section)).ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Database>();
        services.AddSingleton<Migrator>();
        services.AddSingleton<IProspectStore, SqlProspectStore>();
        services.AddSingleton<IPipelineStore, SqlPipelineStore>();
        services.AddSingleton<IJobRunLog, SqlJobRunLog>();
        services.AddSingleton<IAccessStore, SqlAccessStore>();
        services.AddSingleton<IAuditActor, HttpAuditActor>();
        services.AddSingleton<IAuditLog, SqlAudit>();
        services.AddSingleton<AccessService>();
        services.AddSingleton<OptOutLinks>();
        services.AddSingleton<Core.Sequences.IUnsubscribeLinks>(sp => sp.GetRequiredService<OptOutLinks>());
        services.AddSingleton<Core.Sequences.ISequenceStore, SqlSequenceStore>();
        services.AddSingleton<Core.Sequences.ITemplateStore, SqlTemplateStore>();
        services.AddOptions<Outreach.Jobs.Mail.SequencesOptions>().Bind(configuration.GetSection(Outreach.Jobs.Mail.SequencesOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.Option<Outreach.Jobs.Mail.SequencesOptions>().ToSettings());
        services.AddSingleton<Core.Sequences.SequenceRunner>();
        services.AddSingleton<Core.Mail.IReplyLog, SqlReplyLog>();
        services.AddSingleton<PipelineService>();
        services.AddSingleton<Core.Reports.IReportSource, SqlReportSource>();
        services.AddSingleton<Core.Reports.ConversionReports>();
        services.AddOptions<ImportOptions>().Bind(configuration.GetSection(ImportOptions.Section)).ValidateOnStart();
        // The import use case lives in Core; the CSV reading and the bulk writes are its adapters.
        services.AddSingleton<Core.Prospects.Import.IImportFileReader>(sp => new CsvProspectReader(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ImportOptions>>().Value));
        services.AddSingleton<Core.Prospects.Import.IProspectImportStore>(sp => new SqlProspectImporter(sp.GetRequiredService<Database>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ImportOptions>>().Value, sp.GetRequiredService<IAuditActor>()));
        services.AddSingleton<Core.Prospects.Import.ProspectImport>();
        services.AddSingleton<DemoDataSeeder>();
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentActor>();

        // Migrations and demo data first, then the outbox dispatcher and Hangfire (registered below), then the web server.
        services.AddHostedService<DatabaseInitializer>();
        // After the initializer: the mail dispatcher's loop starts with the schema in place.
        AddMail(services, configuration);
        Events.EventRegistration.AddEvents(services, configuration);

        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        var dataverseSyncCron = AddDataverse(services, configuration);
        // What the host decides about the jobs, applied to the one JobsOptions every reader sees (the scheduler, the jobs page,
        // the API), so a job that is scheduled is also listed and can be run by hand.
        void Derive(JobsOptions o)
        {
            o.DataverseSyncCron = dataverseSyncCron;
            // The replies job needs an inbox, which only the Graph provider has.
            o.ReplyScanEnabled = string.Equals(configuration[$"{Outreach.Mail.MailOptions.Section}:Provider"], "Graph", StringComparison.OrdinalIgnoreCase);
            // The calendar job reads answers and attendance from Microsoft 365, so only with Events:Calendar=Graph.
            o.EventCalendarEnabled = Events.EventRegistration.UsesGraphCalendar(configuration);
        }

        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.Section)).Configure(Derive).ValidateDataAnnotations().ValidateOnStart();
        var jobs = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        Derive(jobs);
        var postgres = storage.Engine != StorageEngine.Sqlite;
        if (postgres)
            services.AddSingleton(new SchemaAddition(HangfireSchema.Name, StorageEngine.Postgres, HangfireSchema.InstallAsync));
        services.AddOutreachJobs(jobs, postgres ? SchedulerStore.Postgres : SchedulerStore.Sqlite, Database.ResolveConnectionString(storage));
        // The dashboard's endpoint looks for these two (what AddHangfire would add): its routes, and IGlobalConfiguration as a sign
        // that Hangfire was set up. Nothing is set on Hangfire's static configuration: the storage, client and server are this host's own.
        services.AddSingleton(_ => Hangfire.Dashboard.DashboardRoutes.Routes);
        services.AddSingleton<Hangfire.IGlobalConfiguration>(_ => Hangfire.GlobalConfiguration.Configuration);

        services.AddDataProtection().SetApplicationName("Outreach");
        services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>(sp =>
            new ConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o => o.XmlRepository = new SqlDataProtectionKeyRepository(sp.GetRequiredService<Database>())));

        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = Cultures;
            o.SupportedUICultures = Cultures;
            // The person's choice (cookie) first; then the query string; browser language is not guessed.
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new QueryStringRequestCultureProvider()];
        });
        services.AddOptions<AccessOptions>().Bind(configuration.GetSection(AccessOptions.Section));
        var proxyHeader = configuration.GetSection(AccessOptions.Section).Get<AccessOptions>()?.ProxyUserHeader;
        AddAccess(services, string.IsNullOrWhiteSpace(proxyHeader) ? null : proxyHeader.Trim());
        services.AddRazorPages(o =>
            {
                o.Conventions.ConfigureFilter(new Microsoft.AspNetCore.Mvc.AutoValidateAntiforgeryTokenAttribute());
                o.Conventions.ConfigureFilter(new Microsoft.AspNetCore.Mvc.ServiceFilterAttribute(typeof(EditOnWriteFilter)));
                // Pages that only make sense to someone who may change things.
                foreach (var page in EditorPages)
                    o.Conventions.AuthorizePage(page, Policies.Edit);
                o.Conventions.AuthorizeFolder("/Admin", Policies.Admin);
                // The opt-out link's token is its authorisation, and mail programs post to it without a form (RFC 8058).
                // Added after the global antiforgery filter, so this page's policy is the closest one and wins.
                o.Conventions.AddPageApplicationModelConvention("/OptOut/Index", model => model.Filters.Add(new Microsoft.AspNetCore.Mvc.IgnoreAntiforgeryTokenAttribute()));
                o.Conventions.AllowAnonymousToPage("/Error");
            })
            .AddViewLocalization()
            .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, f) => f.Create(typeof(SharedResource)));
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddOpenApi();
        return builder;
    }

    /// <summary>
    /// The outbox, the delivery adapter (the pickup folder unless configured otherwise) and the dispatcher on every node.
    /// Register after the database initializer, so the dispatcher starts with the schema in place.
    /// </summary>
    private static void AddMail(IServiceCollection services, IConfiguration configuration)
    {
        var mail = configuration.GetSection(Outreach.Mail.MailOptions.Section).Get<Outreach.Mail.MailOptions>() ?? new Outreach.Mail.MailOptions();
        if (string.IsNullOrWhiteSpace(mail.PickupFolder))
        {
            var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
            mail.PickupFolder = Path.Combine(storage.DataFolder, "mail");
        }

        services.AddSingleton(mail);
        services.TryAddSingleton<Outreach.Core.Mail.IMailboxThrottle, SqlMailboxThrottle>();
        services.AddSingleton<Outreach.Mail.PickupFolderDelivery>();
        if (string.Equals(mail.Provider, "Graph", StringComparison.OrdinalIgnoreCase))
            AddGraphMail(services, configuration);
        else if (string.Equals(mail.Provider, "Pickup", StringComparison.OrdinalIgnoreCase))
        {
            // Mail:MaxPerMinute holds for Mail:FromAddress over every node and restart: the budget is the database's.
            services.AddSingleton<Outreach.Core.Mail.IMailDelivery>(sp => mail.MaxPerMinute <= 0
                ? sp.GetRequiredService<Outreach.Mail.PickupFolderDelivery>()
                : new Outreach.Mail.RateLimitedDelivery(sp.GetRequiredService<Outreach.Mail.PickupFolderDelivery>(),
                    new Outreach.Mail.SendRateLimiter(sp.GetRequiredService<Outreach.Core.Mail.IMailboxThrottle>(), mail.MaxPerMinute, 1, sp.GetRequiredService<TimeProvider>()), mail.FromAddress));
        }
        else
            throw new InvalidOperationException($"Mail:Provider '{mail.Provider}' is not known; use Pickup (mail as .eml files in Mail:PickupFolder, the default) or Graph (a Microsoft 365 mailbox, see the Graph section).");

        // Erasure also removes pickup copies written before a switch to Graph (Graph's sent mail stays in the mailbox).
        services.AddSingleton<Outreach.Core.Mail.IDeliveredMail>(sp => sp.GetRequiredService<Outreach.Mail.PickupFolderDelivery>());
        services.AddSingleton<Outreach.Core.Mail.IMailOutbox, SqlMailOutbox>();
        services.AddSingleton(new Outreach.Core.Mail.DispatchPolicy());
        services.AddSingleton<Outreach.Core.Mail.OutboxDispatcher>();
        services.AddSingleton<ContactErasure>();
        services.AddSingleton<Outreach.Core.Mail.IMailTemplateRenderer, Outreach.Mail.HandlebarsTemplateRenderer>();
        services.AddHostedService(sp => new Outreach.Jobs.Mail.OutboxDispatchService(
            sp.GetRequiredService<Outreach.Core.Mail.OutboxDispatcher>(), sp.GetServices<Outreach.Core.Mail.IDeliveredMail>(), sp.GetRequiredService<Outreach.Jobs.Scheduling.NodeIdentity>(), sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(Math.Clamp(mail.DispatchIntervalSeconds, 1, 3600)), sp.GetRequiredService<ILogger<Outreach.Jobs.Mail.OutboxDispatchService>>(),
            new Outreach.Jobs.Scheduling.LiveNodes(() => sp.GetRequiredService<Hangfire.JobStorage>())));
    }

    /// <summary>
    /// Mail through the secretariat's Microsoft 365 mailbox: delivery (draft + send, per-mailbox limits) and the inbox reader.
    /// A bad configuration is refused here, before anything starts, naming the missing keys.
    /// </summary>
    private static void AddGraphMail(IServiceCollection services, IConfiguration configuration)
    {
        var options = AddGraphConnection(services, configuration, "Mail:Provider is Graph");
        // Graph:MaxPerMinute from the database (every node, every restart); MaxConcurrent per process.
        services.AddSingleton(sp => new Outreach.Mail.SendRateLimiter(sp.GetRequiredService<Outreach.Core.Mail.IMailboxThrottle>(), options.MaxPerMinute, options.MaxConcurrent,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Outreach.Core.Mail.IMailDelivery, Outreach.Graph.GraphMailDelivery>();
        services.AddSingleton<Outreach.Core.Mail.IMailboxReader, Outreach.Graph.GraphMailboxReader>();
        services.AddSingleton(sp => new Outreach.Core.Mail.ReplyHandling(sp.GetRequiredService<Outreach.Core.Mail.IMailboxReader>(), sp.GetRequiredService<Outreach.Core.Mail.IReplyLog>(),
            sp.GetRequiredService<Outreach.Core.Mail.IMailOutbox>(), sp.GetRequiredService<IProspectStore>(), sp.GetRequiredService<Core.Sequences.ISequenceStore>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Core.Sequences.SequenceSettings>(), options.Mailbox!));
    }

    /// <summary>
    /// The Graph options and client, once, for whichever needs them (Graph mail, the Microsoft 365 calendar of events). A bad
    /// configuration is refused here, before anything starts, naming the keys and <paramref name="why"/> Graph is needed.
    /// </summary>
    internal static Outreach.Graph.GraphOptions AddGraphConnection(IServiceCollection services, IConfiguration configuration, string why)
    {
        if (services.FirstOrDefault(d => d.ServiceType == typeof(Outreach.Graph.GraphOptions))?.ImplementationInstance is Outreach.Graph.GraphOptions added) return added;
        var section = configuration.GetSection(Outreach.Graph.GraphOptions.Section);
        var options = section.Get<Outreach.Graph.GraphOptions>() ?? new Outreach.Graph.GraphOptions();
        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), errors, validateAllProperties: true))
            throw new InvalidOperationException($"Graph configuration refused ({why}): " + string.Join(" ", errors.Select(e => e.ErrorMessage)));

        services.AddSingleton(options);
        services.TryAddSingleton<Outreach.Core.Mail.IMailboxThrottle, SqlMailboxThrottle>();
        services.AddSingleton(sp =>
        {
            TokenCredential credential = string.IsNullOrEmpty(options.AccessToken)
                ? new ClientSecretCredential(options.TenantId, options.ClientId, options.ClientSecret)
                : new Outreach.Graph.FixedTokenCredential(options.AccessToken, sp.GetRequiredService<TimeProvider>());
            // Every request to a mailbox (mail, calendar, reads) passes its pause, which a 429 on any node sets.
            return Outreach.Graph.GraphConnection.Create(options, credential, throttle: sp.GetRequiredService<Outreach.Core.Mail.IMailboxThrottle>(),
                clock: sp.GetRequiredService<TimeProvider>());
        });
        return options;
    }

    /// <summary>
    /// Dataverse, when Dataverse:Url is set: the Web API client (token from Entra ID through Azure.Identity, or a static token
    /// for a loopback test server), the sync store and the write-back outbox. Returns the sync's cron, or null to leave it off.
    /// Without the section Outreach runs on its own data as before.
    /// </summary>
    private static string? AddDataverse(IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(DataverseOptions.Section);
        services.AddOptions<DataverseOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var options = section.Get<DataverseOptions>() ?? new DataverseOptions();
        if (!options.Enabled) return null;

        // Refuse a bad configuration here, before anything starts, with the validator's own words.
        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), errors, validateAllProperties: true))
            throw new InvalidOperationException("Dataverse configuration refused: " + string.Join(" ", errors.Select(e => e.ErrorMessage)));

        var cron = options.SyncCron();
        services.AddSingleton<ICrmSyncStore, SqlCrmSyncStore>();
        services.AddSingleton<IWriteBackOutbox, SqlWriteBackOutbox>();
        services.AddSingleton(sp =>
        {
            var o = sp.Option<DataverseOptions>();
            var clock = sp.GetRequiredService<TimeProvider>();
            TokenCredential credential = string.IsNullOrEmpty(o.AccessToken)
                ? new ClientSecretCredential(o.TenantId, o.ClientId, o.ClientSecret)
                : new StaticTokenCredential(o.AccessToken, clock);
            return DataverseClient.Create(o, credential, clock, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Outreach.Dataverse"));
        });
        services.AddSingleton<DataverseSync>();
        services.AddSingleton<DataverseWriteBack>();
        return cron;
    }

    /// <summary>Sign-in: a cookie for people, an X-Api-Key header for integrations; every endpoint needs one unless it says otherwise.</summary>
    private static void AddAccess(IServiceCollection services, string? proxyHeader)
    {
        const string Smart = "cookie-or-key";
        services.AddScoped<EditOnWriteFilter>();
        services.AddAuthentication(Smart)
            .AddPolicyScheme(Smart, Smart, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) ? ApiKeyAuthenticationHandler.SchemeName
                : proxyHeader is not null && context.Request.Headers.ContainsKey(proxyHeader) ? ProxyUserAuthenticationHandler.SchemeName
                // The JSON API never accepts the browser's cookie: its posts carry no antiforgery token, so a cookie there would invite cross-site requests.
                : context.Request.Path.StartsWithSegments("/api") ? ApiKeyAuthenticationHandler.SchemeName
                : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, ProxyUserAuthenticationHandler>(ProxyUserAuthenticationHandler.SchemeName, null)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.LoginPath = "/account/login";
                o.AccessDeniedPath = "/account/denied";
                o.Cookie.Name = "outreach-auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(10);
                o.SlidingExpiration = true;
                // The API answers 401/403; only people are sent to the sign-in page.
                o.Events.OnRedirectToLogin = c => Answer(c, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = c => Answer(c, StatusCodes.Status403Forbidden);
                // A disabled user, a reset password or a changed role ends the session at the next request, not when the cookie expires.
                o.Events.OnValidatePrincipal = async c =>
                {
                    if (c.Principal is null || !await c.HttpContext.RequestServices.GetRequiredService<AccessService>().IsSessionValidAsync(c.Principal, c.HttpContext.RequestAborted))
                    {
                        c.RejectPrincipal();
                        await c.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    }
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Read, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Edit, p => p.RequireRole(Role.Secretariat.Code(), Role.Administrator.Code()))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Role.Administrator.Code()))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddRateLimiter(RateLimits.Configure);
    }

    private static Task Answer(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/openapi"))
            context.Response.StatusCode = status;
        else
            context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    }

    public static T Option<T>(this IServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;
}
