using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Outreach.Core.Access;
using Outreach.Web.Access;
using Microsoft.AspNetCore.Localization;
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

    private static readonly string[] EditorPages = ["/Prospects/New", "/Organisations/Edit", "/Contacts/Edit", "/Import"];

    public static WebApplicationBuilder AddOutreach(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OutreachOptions>().Bind(configuration.GetSection(OutreachOptions.Section)).ValidateOnStart();
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Database>();
        services.AddSingleton<Migrator>();
        services.AddSingleton<IProspectStore, SqlProspectStore>();
        services.AddSingleton<IPipelineStore, SqlPipelineStore>();
        services.AddSingleton<IJobRunLog, SqlJobRunLog>();
        services.AddSingleton<IAccessStore, SqlAccessStore>();
        services.AddSingleton<AccessService>();
        services.AddSingleton<PipelineService>();
        services.AddSingleton<Core.Reports.IReportSource, SqlReportSource>();
        services.AddSingleton<Core.Reports.ConversionReports>();
        services.AddOptions<ImportOptions>().Bind(configuration.GetSection(ImportOptions.Section)).ValidateOnStart();
        services.AddSingleton<ProspectImport>();
        services.AddSingleton<DemoDataSeeder>();
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentActor>();

        // Migrations and demo data first, then Quartz (registered below), then the web server.
        services.AddHostedService<DatabaseInitializer>();

        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        var jobs = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        services.AddOutreachJobs(jobs,
            storage.Engine == StorageEngine.Sqlite ? SchedulerStore.Sqlite : SchedulerStore.Postgres,
            Database.ResolveConnectionString(storage));

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
                o.Conventions.AllowAnonymousToPage("/Error");
            })
            .AddViewLocalization()
            .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, f) => f.Create(typeof(SharedResource)));
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddOpenApi();
        return builder;
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
