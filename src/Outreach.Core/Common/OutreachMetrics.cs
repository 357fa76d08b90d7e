using System.Diagnostics.Metrics;
using Outreach.Core.Jobs;
using Outreach.Core.Mail;

namespace Outreach.Core.Common;

/// <summary>
/// What operators watch, as OpenTelemetry-style metrics on one <see cref="Meter"/> ("Outreach"): job runs and their
/// duration, mail sends by result, the depth of each outbox, rows the Dataverse sync read, and answers that throttled us
/// (429, or 503 with Retry-After) per service. Without a listener (no OTLP endpoint configured) every call is a no-op.
/// </summary>
public sealed class OutreachMetrics
{
    public const string MeterName = "Outreach";

    private readonly Counter<long> jobRuns;
    private readonly Histogram<double> jobDuration;
    private readonly Counter<long> mailSends;
    private readonly Counter<long> syncRows;
    private readonly Counter<long> throttled;
    private readonly Dictionary<string, long> depth = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public OutreachMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        Meter = meter;
        jobRuns = meter.CreateCounter<long>("outreach.job.runs", "{run}", "Job runs finished, by job and outcome.");
        jobDuration = meter.CreateHistogram<double>("outreach.job.duration", "s", "How long a job run took, by job.");
        mailSends = meter.CreateCounter<long>("outreach.mail.sends", "{mail}", "Outbox mails handled, by result (sent, already_delivered, retried, dead_lettered, withdrawn).");
        syncRows = meter.CreateCounter<long>("outreach.sync.rows", "{row}", "Rows the Dataverse sync read, by table.");
        throttled = meter.CreateCounter<long>("outreach.throttled", "{response}", "Answers that asked us to slow down (429 or 503), by service.");
        meter.CreateObservableGauge("outreach.outbox.depth", ObserveDepth, "{item}", "Items waiting in each outbox (mail, notice, dataverse), as last counted.");
    }

    public Meter Meter { get; }

    public void JobFinished(string job, JobOutcome outcome, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("job", job);
        jobRuns.Add(1, tag, new KeyValuePair<string, object?>("outcome", JobOutcomes.Code(outcome)));
        jobDuration.Record(elapsed.TotalSeconds, tag);
    }

    public void MailDispatched(DispatchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Add("sent", result.Sent);
        Add("already_delivered", result.AlreadyDelivered);
        Add("retried", result.Retried);
        Add("dead_lettered", result.DeadLettered);
        Add("withdrawn", result.Withdrawn);

        void Add(string what, int count)
        {
            if (count > 0) mailSends.Add(count, new KeyValuePair<string, object?>("result", what));
        }
    }

    public void SyncRead(string table, long rows)
    {
        if (rows > 0) syncRows.Add(rows, new KeyValuePair<string, object?>("table", table));
    }

    public void Throttled(string service, int status) =>
        throttled.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("status", status));

    /// <summary>The depth last counted per outbox (the count is a query, so it is taken by a probe, not in the gauge's callback).</summary>
    public void OutboxDepth(string outbox, long items)
    {
        lock (gate) depth[outbox] = items;
    }

    private IEnumerable<Measurement<long>> ObserveDepth()
    {
        lock (gate)
            return depth.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("outbox", d.Key))).ToList();
    }
}
