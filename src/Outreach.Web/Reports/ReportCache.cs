using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using Outreach.Core.Calendar;
using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;

namespace Outreach.Web.Reports;

/// <summary>Configuration section "Reports".</summary>
public sealed class ReportCacheOptions
{
    public const string Section = "Reports";

    /// <summary>
    /// Cache the report page's computations (the default). Off, every request computes afresh: the report benchmark's
    /// baseline (bench/Outreach.Benchmarks/ReportPageLoad.cs), and a way out should the cache ever be in doubt.
    /// </summary>
    public bool Cache { get; set; } = true;
}

/// <summary>The report page's choice lists (covenants, owners, sectors), read together and cached with the report.</summary>
[ImmutableObject(true)]
public sealed record ReportChoices(IReadOnlyList<Covenant> Covenants, IReadOnlyList<string> Owners, IReadOnlyList<string> Sectors);

/// <summary>
/// What the report page computes, computed once for many requests (issue 16: twenty managers at once after a large
/// import waited seconds, each recomputing the same report). Entries are keyed by the report's filters, today's date
/// (cohorts and the default period move with the day) and the data stamp (<see cref="IReportDataStamp"/>), read first on
/// every request: any change to what the report reads gives a new key, so the very next request computes afresh and a
/// cached figure is never older than the data. HybridCache runs one computation per key however many requests ask at
/// once (stampede protection); the values are immutable, so every request gets the same instance, never a copy.
/// </summary>
public sealed class ReportCache(HybridCache cache, IReportDataStamp stamp, ConversionReports reports, OnboardingConversions onboarding, IProspectStore prospects, TimeProvider clock, IOptions<ReportCacheOptions> options)
{
    private readonly bool enabled = options.Value.Cache;
    private readonly HybridCache cache = cache;
    private readonly ConversionReports reports = reports;
    private readonly OnboardingConversions onboarding = onboarding;
    private readonly IProspectStore prospects = prospects;

    /// <summary>Old stamps' entries are never read again: the expiry only frees their memory.</summary>
    private static readonly HybridCacheEntryOptions Entry = new() { Expiration = TimeSpan.FromMinutes(10), LocalCacheExpiration = TimeSpan.FromMinutes(10) };

    /// <summary>The cache as the data stands now: read the stamp once per request and ask this for everything.</summary>
    public async Task<Snapshot> NowAsync(CancellationToken ct) => new(this, enabled ? await stamp.ReadAsync(ct) : 0, AmsterdamClock.Today(clock));

    /// <summary>One request's view of the cache: one data stamp for everything the request shows.</summary>
    public sealed class Snapshot
    {
        private readonly ReportCache owner;
        private readonly string prefix;

        internal Snapshot(ReportCache owner, long stamp, DateOnly today)
        {
            this.owner = owner;
            Stamp = stamp;
            prefix = string.Create(CultureInfo.InvariantCulture, $"report:{stamp}:{today:yyyy-MM-dd}:");
        }

        public long Stamp { get; }

        public ValueTask<ConversionReport> ReportAsync(ReportQuery query, CancellationToken ct) => !owner.enabled
            ? new ValueTask<ConversionReport>(owner.reports.BuildAsync(query, ct))
            : owner.cache.GetOrCreateAsync(prefix + "conversion:" + Key(query), (owner.reports, query), static (s, token) => new ValueTask<ConversionReport>(s.reports.BuildAsync(s.query, token)), Entry, cancellationToken: ct);

        public ValueTask<OnboardingConversion> OnboardingAsync(ReportQuery query, CancellationToken ct) => !owner.enabled
            ? new ValueTask<OnboardingConversion>(owner.onboarding.BuildAsync(query, ct))
            : owner.cache.GetOrCreateAsync(prefix + "onboarding:" + Key(query), (owner.onboarding, query), static (s, token) => new ValueTask<OnboardingConversion>(s.onboarding.BuildAsync(s.query, token)), Entry, cancellationToken: ct);

        public ValueTask<ReportChoices> ChoicesAsync(CancellationToken ct) => !owner.enabled
            ? Choices(owner.prospects, ct)
            : owner.cache.GetOrCreateAsync(prefix + "choices", owner.prospects, Choices, Entry, cancellationToken: ct);

        private static async ValueTask<ReportChoices> Choices(IProspectStore p, CancellationToken token) =>
            new(await p.ListCovenantsAsync(token), await p.ListOwnersAsync(token), await p.ListSectorsAsync(token));
    }

    /// <summary>Every filter of the query, in one text (the record's own JSON: each field, the period's instants, the covenants sorted).</summary>
    internal static string Key(ReportQuery query) => JsonSerializer.Serialize(query);
}
