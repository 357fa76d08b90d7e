using System.ComponentModel.DataAnnotations;
using Dapper;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Outreach.Core.Common;
using Outreach.Storage;

namespace Outreach.Web.Hosting;

/// <summary>Configuration section "Observability": OTLP export of traces and metrics, and the log format.</summary>
public sealed class ObservabilityOptions
{
    public const string Section = "Observability";

    /// <summary>The OTLP collector (e.g. http://otel-collector:4318 for http/protobuf, :4317 for grpc); empty: nothing is exported.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>HttpProtobuf (default) or Grpc.</summary>
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.HttpProtobuf;

    /// <summary>The service.name resource attribute; one name for every node (service.instance.id tells the nodes apart).</summary>
    [Required]
    public string ServiceName { get; set; } = "outreach";

    /// <summary>How often metrics are exported.</summary>
    [Range(1, 3600)]
    public int MetricExportSeconds { get; set; } = 60;

    /// <summary>How often the outbox depth is counted (one small query per outbox).</summary>
    [Range(1, 3600)]
    public int OutboxDepthSeconds { get; set; } = 30;
}

public static class Observability
{
    /// <summary>The ActivitySource names whose spans are exported: the web requests, outgoing HTTP (Dataverse, Graph) and Hangfire.</summary>
    public static WebApplicationBuilder AddOutreachObservability(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Logs as one JSON object per line for a log shipper (Logging:Format=json); plain text otherwise.
        if (string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }

        var section = builder.Configuration.GetSection(ObservabilityOptions.Section);
        builder.Services.AddOptions<ObservabilityOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var options = section.Get<ObservabilityOptions>() ?? new ObservabilityOptions();
        if (options.OtlpEndpoint is null) return builder;

        builder.Services.AddHostedService<OutboxDepthProbe>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName, serviceInstanceId: builder.Configuration["Jobs:NodeName"] ?? Environment.MachineName))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o => Export(o, options, "v1/traces")))
            .WithMetrics(m => m
                .AddMeter(OutreachMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddOtlpExporter((o, reader) =>
                {
                    Export(o, options, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = options.MetricExportSeconds * 1000;
                }));
        return builder;
    }

    private static void Export(OtlpExporterOptions o, ObservabilityOptions options, string signalPath)
    {
        o.Protocol = options.OtlpProtocol;
        // With http/protobuf an explicit endpoint is used as given, so the signal's path is added here (as the SDK does for
        // the OTEL_EXPORTER_OTLP_ENDPOINT variable).
        o.Endpoint = options.OtlpProtocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(options.OtlpEndpoint!, options.OtlpEndpoint!.AbsolutePath.TrimEnd('/') + "/" + signalPath)
            : options.OtlpEndpoint!;
    }
}

/// <summary>Counts what waits in each outbox now and then, for the outreach.outbox.depth gauge (a gauge's callback must not query).</summary>
internal sealed partial class OutboxDepthProbe(Database db, OutreachMetrics metrics, TimeProvider clock, IOptions<ObservabilityOptions> options, ILogger<OutboxDepthProbe> logger)
    : BackgroundService
{
    // Mail and notices still to send (pending, or claimed and being sent), and write-back rows not yet accepted by Dynamics.
    private const string Sql = """
        SELECT 'mail' AS outbox, COUNT(*) AS items FROM mail_outbox WHERE status IN ('pending', 'sending')
        UNION ALL SELECT 'notice', COUNT(*) FROM event_notice WHERE status IN ('pending', 'sending')
        UNION ALL SELECT 'dataverse', COUNT(*) FROM dataverse_outbox WHERE sent_at IS NULL
        """;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting the outboxes for the outbox depth metric failed; trying again next round")]
    private static partial void LogFailed(ILogger logger, Exception ex);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.OutboxDepthSeconds), clock);
        do
        {
            try
            {
                await using var c = await db.OpenAsync(stoppingToken);
                foreach (var row in await c.QueryAsync<(string Outbox, long Items)>(new CommandDefinition(Sql, cancellationToken: stoppingToken)))
                    metrics.OutboxDepth(row.Outbox, row.Items);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Before the first migration, or the database restarting: the gauge keeps its last figures.
                LogFailed(logger, ex);
            }
        }
        while (await NextAsync(timer, stoppingToken));
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
