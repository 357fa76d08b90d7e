using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Outreach.Core.Access;
using Outreach.Core.Audit;
using Outreach.Dataverse;
using Outreach.Web.Access;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Options;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Jobs.Scheduling;
using Outreach.Storage;
using Outreach.Mail;
using Outreach.Graph;
using Outreach.Web.Events;
using Outreach.Storage.Import;
using Outreach.Web.Demo;

namespace Outreach.Web.Hosting;

/// <summary>The composition root: the only place that knows every adapter.</summary>
public static class ServiceRegistration
{
    public static readonly CultureInfo[] Cultures = [new("en"), new("nl")];

    private static readonly string[] EditorPages = ["/Prospects/New", "/Organisations/Edit", "/Contacts/Edit", "/Import", "/Mail/TemplateEdit", "/Mail/TemplateNew", "/Events/Edit", "/Onboarding/Import"];

    public static WebApplicationBuilder AddOutreach(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<OutreachOptions>().Bind(configuration.GetSection(OutreachOptions.Section)).ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddOutreachStorage(configuration);
        services.AddSingleton<IAuditActor, HttpAuditActor>();
        services.AddSingleton<AccessService>();
        services.AddSingleton<OptOutLinks>();
        services.AddSingleton<Core.Sequences.IUnsubscribeLinks>(sp => sp.GetRequiredService<OptOutLinks>());
        services.AddOptions<Outreach.Jobs.Mail.SequencesOptions>().Bind(configuration.GetSection(Outreach.Jobs.Mail.SequencesOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.Option<Outreach.Jobs.Mail.SequencesOptions>().ToSettings());
        services.AddSingleton<Core.Sequences.SequenceRunner>();
        // An enrolment's stop (or a decision ending it) with its queued mail, and a milestone's "done" with its reminders, in one unit each.
        services.AddSingleton<Core.Sequences.EnrolmentStops>();
        services.AddSingleton<Core.Onboarding.MilestoneCompletion>();
        services.AddSingleton<PipelineService>();
        // Starts and stage moves asked for in Dynamics, decided by the same rules (used by the Dataverse sync when it is on).
        services.AddSingleton<Core.Crm.DynamicsInbound>();
        services.AddSingleton<Core.Reports.ConversionReports>();
        services.AddSingleton<Core.Reports.ReportFigures>();
        // The report page's computations, once per filters and data stamp (Reports/ReportCache.cs).
        services.AddHybridCache();
        services.AddOptions<Reports.ReportCacheOptions>().Bind(configuration.GetSection(Reports.ReportCacheOptions.Section));
        services.AddSingleton<Reports.ReportCache>();
        services.AddSingleton<Core.Onboarding.OnboardingService>();
        services.AddSingleton<Core.Onboarding.MonitoringReports>();
        services.AddSingleton<Core.Onboarding.MilestoneBackfill>();
        services.AddSingleton<Core.Onboarding.OnboardingConversions>();
        // The questionnaire import reads CSV as the prospect import does, with a ceiling of its own (its files are small).
        services.AddSingleton(sp => new Core.Onboarding.QuestionnaireImport(new CsvProspectReader(new ImportOptions { MaxFileBytes = Pages.Onboarding.ImportModel.MaxFileBytes }),
            sp.GetRequiredService<IProspectStore>(), sp.GetRequiredService<Core.Onboarding.IOnboardingStore>(), sp.GetRequiredService<Core.Onboarding.MilestoneCompletion>(),
            sp.GetRequiredService<Core.Common.IUnitOfWork>(), sp.GetRequiredService<TimeProvider>()));
        // Milestone reminders: bound from "Onboarding:Reminders", checked once at start (a bad value names its key).
        services.AddSingleton(sp =>
        {
            var reminders = configuration.GetSection(Core.Onboarding.OnboardingReminderSettings.Section).Get<Core.Onboarding.OnboardingReminderSettings>() ?? Core.Onboarding.OnboardingReminderSettings.Default;
            var errors = reminders.Check();
            return errors.Count == 0 ? reminders : throw new OptionsValidationException(Core.Onboarding.OnboardingReminderSettings.Section, typeof(Core.Onboarding.OnboardingReminderSettings), errors);
        });
        services.AddSingleton<Core.Onboarding.OnboardingReminderRunner>();
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
        // After the initializer: the outbox depth probe's first count finds the schema in place.
        builder.AddOutreachObservability();
        // Graph once, for whichever needs it; a refusal at start says which.
        var mailByGraph = MailProvider(configuration) == MailByGraph;
        var calendarByGraph = EventRegistration.UsesGraphCalendar(configuration);
        if (mailByGraph || calendarByGraph)
            services.AddOutreachGraph(configuration, string.Join(" and ", new[] { mailByGraph ? "Mail:Provider is Graph" : null, calendarByGraph ? "Events:Calendar is Graph" : null }.OfType<string>()));
        // After the initializer: the mail dispatcher's loop starts with the schema in place.
        AddMail(services, configuration, mailByGraph);
        services.AddEvents(configuration, calendarByGraph);
        services.AddOutreachDataverse(configuration);
        // The Outreach URL the write-back puts on each account (PublicBaseUrl/prospects/id).
        services.AddSingleton<PublicAddress>();
        services.AddSingleton<IValidateOptions<OutreachOptions>>(new PublicBaseUrlValidation(PublicBaseUrlValidation.RealMailBecause(builder.Environment, mailByGraph, calendarByGraph)));
        services.AddSingleton(sp => new OutreachLinks(() => sp.GetRequiredService<PublicAddress>().BaseUrl));
        services.AddAllowedHostNames(configuration);

        // Which jobs are on, decided once on the one JobsOptions every reader sees (the scheduler, the jobs page, the API), so a
        // job that is scheduled is also listed and can be run by hand.
        var postgres = configuration.GetValue(StorageOptions.Section + ":" + nameof(StorageOptions.Engine), StorageEngine.Sqlite) != StorageEngine.Sqlite;
        if (postgres)
            services.AddSingleton(new SchemaAddition(HangfireSchema.Name, StorageEngine.Postgres, HangfireSchema.InstallAsync));
        services.AddOutreachJobs(configuration, postgres ? SchedulerStore.Postgres : SchedulerStore.Sqlite, sp => Database.ResolveConnectionString(sp.Option<StorageOptions>()))
            .Configure<IOptions<DataverseOptions>>((o, dataverse) => o.DataverseSyncCron = DataverseRegistration.SyncCronOrNull(dataverse.Value))
            // The replies job needs an inbox, which only the Graph provider has; the calendar job reads Microsoft 365's answers.
            .Configure(o =>
            {
                o.ReplyScanEnabled = mailByGraph;
                o.EventCalendarEnabled = calendarByGraph;
            });
        // The dashboard's endpoint looks for these two (what AddHangfire would add): its routes, and IGlobalConfiguration as a sign
        // that Hangfire was set up. Nothing is set on Hangfire's static configuration: the storage, client and server are this host's own.
        services.AddSingleton(_ => Hangfire.Dashboard.DashboardRoutes.Routes);
        services.AddSingleton<Hangfire.IGlobalConfiguration>(_ => Hangfire.GlobalConfiguration.Configuration);

        services.AddKeyRing(configuration);

        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = Cultures;
            o.SupportedUICultures = Cultures;
            // A contact's own pages (answer, unsubscribe) in the contact's language; otherwise the person's choice (cookie) first,
            // then the query string; browser language is not guessed.
            o.RequestCultureProviders = [new RecipientCultureProvider(), new CookieRequestCultureProvider(), new QueryStringRequestCultureProvider()];
        });
        services.AddOptions<AccessOptions>().Bind(configuration.GetSection(AccessOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        AddAccess(services, configuration);
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

    private const string MailByGraph = "Graph";
    private const string MailByPickup = "Pickup";

    /// <summary>Mail:Provider: Pickup (or empty) or Graph; any other value is refused at start, naming the key.</summary>
    private static string MailProvider(IConfiguration configuration)
    {
        var value = configuration[$"{MailOptions.Section}:{nameof(MailOptions.Provider)}"]?.Trim();
        if (string.IsNullOrEmpty(value) || string.Equals(value, MailByPickup, StringComparison.OrdinalIgnoreCase)) return MailByPickup;
        if (string.Equals(value, MailByGraph, StringComparison.OrdinalIgnoreCase)) return MailByGraph;
        throw new InvalidOperationException($"Mail:Provider '{value}' is not known; use Pickup (mail as .eml files in Mail:PickupFolder, the default) or Graph (a Microsoft 365 mailbox, see the Graph section).");
    }

    /// <summary>
    /// The outbox, the delivery adapter (the pickup folder unless configured otherwise) and the dispatcher on every node.
    /// Register after the database initializer, so the dispatcher starts with the schema in place.
    /// </summary>
    private static void AddMail(IServiceCollection services, IConfiguration configuration, bool byGraph)
    {
        services.AddOutreachMail(configuration);
        // No pickup folder configured: a "mail" folder beside the embedded database.
        services.AddOptions<MailOptions>().PostConfigure<IOptions<StorageOptions>>((mail, storage) =>
        {
            if (string.IsNullOrWhiteSpace(mail.PickupFolder)) mail.PickupFolder = Path.Combine(storage.Value.DataFolder, "mail");
        });
        if (byGraph)
        {
            services.AddOutreachGraphMail();
            services.AddSingleton(sp => new Core.Mail.ReplyHandling(sp.GetRequiredService<Core.Mail.IMailboxReader>(), sp.GetRequiredService<Core.Mail.IReplyLog>(),
                sp.GetRequiredService<Core.Mail.IMailOutbox>(), sp.GetRequiredService<IProspectStore>(), sp.GetRequiredService<ContactPrivacy>(), sp.GetRequiredService<Core.Sequences.ISequenceStore>(),
                sp.GetRequiredService<Core.Sequences.EnrolmentStops>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Core.Sequences.SequenceSettings>(), sp.GetRequiredService<GraphOptions>().Mailbox!,
                sp.GetService<Core.Mail.ICalendarAnswers>()));
        }
        else
            services.AddOutreachPickupDelivery();

        services.AddSingleton(new Core.Mail.DispatchPolicy());
        services.AddSingleton<Core.Mail.OutboxDispatcher>();
        services.AddSingleton<ContactPrivacy>();
        services.AddSingleton<Core.Activities.ActivityService>();
        services.AddHostedService(sp => new Outreach.Jobs.Mail.OutboxDispatchService(
            sp.GetRequiredService<Core.Mail.OutboxDispatcher>(), sp.GetServices<Core.Mail.IDeliveredMail>(), sp.GetRequiredService<NodeIdentity>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Core.Common.OutreachMetrics>(), TimeSpan.FromSeconds(Math.Clamp(sp.GetRequiredService<MailOptions>().DispatchIntervalSeconds, 1, 3600)), sp.GetRequiredService<ILogger<Outreach.Jobs.Mail.OutboxDispatchService>>(),
            new LiveNodes(() => sp.GetRequiredService<Hangfire.JobStorage>())));
    }

    /// <summary>
    /// Sign-in: a cookie for people (after a password or Entra ID sign-in), an X-Api-Key header or an Entra ID bearer token for
    /// integrations; every endpoint needs one unless it says otherwise.
    /// </summary>
    private static void AddAccess(IServiceCollection services, IConfiguration configuration)
    {
        const string Smart = "cookie-or-key";
        var entraBearer = configuration.GetSection(EntraSignInOptions.Section).Get<EntraSignInOptions>()?.Enabled ?? false;
        services.AddScoped<EditOnWriteFilter>();
        services.AddAuthentication(Smart)
            .AddPolicyScheme(Smart, Smart, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) ? ApiKeyAuthenticationHandler.SchemeName
                // The JSON API takes keys and bearer tokens only, never what a browser sends by itself (the cookie, or the identity
                // proxy's user header, which the proxy adds to a cross-site request too): its posts carry no antiforgery token.
                : context.Request.Path.StartsWithSegments("/api") ? (entraBearer && IsBearer(context) ? EntraSignIn.BearerScheme : ApiKeyAuthenticationHandler.SchemeName)
                : ProxyHeader(context) is { } proxyHeader && context.Request.Headers.ContainsKey(proxyHeader) ? ProxyUserAuthenticationHandler.SchemeName
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
            })
            .AddEntraSignIn(configuration);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Read, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Edit, p => p.RequireRole(Role.Secretariat.Code(), Role.Administrator.Code()))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Role.Administrator.Code()))
            .AddPolicy(Policies.Feed, p => p.RequireRole(Role.Manager.Code(), Role.Administrator.Code()))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddRateLimiter(RateLimits.Configure);
    }

    private static bool IsBearer(HttpContext context) =>
        context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    /// <summary>Access:ProxyUserHeader, from the one bound options; null when no trusted proxy signs people in.</summary>
    private static string? ProxyHeader(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<AccessOptions>>().Value.ProxyUserHeader?.Trim() is { Length: > 0 } header ? header : null;

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
