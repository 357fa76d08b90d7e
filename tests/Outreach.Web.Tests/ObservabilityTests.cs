using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Outreach.Web.Tests;

/// <summary>
/// Hosts whose OpenTelemetry meter provider listens by meter name process-wide: with the other test classes' hosts alive at
/// the same time their instruments mix into this host's export (two CI runs timed out waiting for this host's job run in it),
/// so these tests run alone, after the parallel ones.
/// </summary>
[CollectionDefinition(nameof(ObservabilityTests), DisableParallelization = true)]
public sealed class ObservabilityRunsAlone;

/// <summary>OTLP export of metrics and traces when configured, nothing when not; JSON logs when asked.</summary>
[Collection(nameof(ObservabilityTests))]
public sealed class ObservabilityTests
{
    [Fact]
    public async Task WithAnOtlpEndpoint_JobRunsAndOutboxDepth_ReachTheCollector_AsOtlpMetrics_AndRequestsAsTraces()
    {
        using var collector = OtlpCollector.Start();
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Observability:OtlpEndpoint", collector.Url);
            b.UseSetting("Observability:MetricExportSeconds", "1");
        });
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/jobs/pipeline-hygiene/run", null)).StatusCode);

        // OTLP/HTTP protobuf: names and string attributes travel as UTF-8 inside the message.
        var metrics = await collector.WaitForAsync("/v1/metrics", body => body.Contains("outreach.job.runs", StringComparison.Ordinal)
            && body.Contains("pipeline-hygiene", StringComparison.Ordinal) && body.Contains("outreach.outbox.depth", StringComparison.Ordinal));
        Assert.Equal("application/x-protobuf", metrics.ContentType);
        Assert.Contains("outreach.job.duration", metrics.Body, StringComparison.Ordinal);
        Assert.Contains("service.name", metrics.Body, StringComparison.Ordinal);
        var traces = await collector.WaitForAsync("/v1/traces", body => body.Contains("/api/jobs/{key}/run", StringComparison.Ordinal) || body.Contains("/api/jobs/pipeline-hygiene/run", StringComparison.Ordinal));
        Assert.Equal("application/x-protobuf", traces.ContentType);
    }

    [Fact]
    public async Task WithoutAnEndpoint_NothingIsExported_AndLogsAreText()
    {
        await using var app = new OutreachAppFactory();
        _ = app.CreateClient();
        Assert.Null(app.Services.GetService<MeterProvider>());
        Assert.NotEqual(ConsoleFormatterNames.Json, app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public async Task LoggingFormatJson_WritesJsonLines()
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b => b.UseSetting("Logging:Format", "json"));
        _ = app.CreateClient();
        Assert.Equal(ConsoleFormatterNames.Json, app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public async Task AnExportIntervalOutOfRange_IsRefusedAtStart_NamingTheKey()
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b => b.UseSetting("Observability:MetricExportSeconds", "0"));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(StartFailure.Flatten(error), e => e.Message.Contains("MetricExportSeconds", StringComparison.Ordinal));
    }

    /// <summary>An OTLP/HTTP receiver on 127.0.0.1: records each export and answers 200 as a collector does.</summary>
    private sealed class OtlpCollector : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly ConcurrentQueue<(string Path, string ContentType, string Body)> received = new();

        private OtlpCollector(int port)
        {
            Url = $"http://127.0.0.1:{port}/";
            listener.Prefixes.Add(Url);
        }

        public string Url { get; }

        public static OtlpCollector Start()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var collector = new OtlpCollector(port);
            collector.listener.Start();
            _ = collector.ServeAsync();
            return collector;
        }

        private async Task ServeAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType ?? "", Encoding.UTF8.GetString(body.ToArray())));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        public async Task<(string ContentType, string Body)> WaitForAsync(string path, Func<string, bool> match)
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(60))
            {
                foreach (var r in received)
                    if (r.Path == path && match(r.Body)) return (r.ContentType, r.Body);
                await Task.Delay(200);
            }

            throw new TimeoutException($"No export to {path} matched; received: {string.Join(", ", received.Select(r => $"{r.Path} ({r.Body.Length} bytes)"))}");
        }

        public void Dispose() => listener.Close();
    }
}
