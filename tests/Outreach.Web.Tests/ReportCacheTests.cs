using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Outreach.Core.Access;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;
using Outreach.Storage;
using Outreach.Testing;
using Outreach.Web.Reports;

namespace Outreach.Web.Tests;

/// <summary>
/// Issue 16 item 12: the report page under load. Its report comes from a cache keyed by the filters and the data stamp:
/// the cached report is the computed one, the request after any change shows it, and many requests at once compute once.
/// </summary>
public sealed class ReportCacheTests : IAsyncLifetime
{
    private const string Year = "/reports?from=2025-01-01&to=2025-12-31";
    private static readonly int[] Before = [7, 7, 6, 3, 3, 3];
    private static readonly int[] AfterIntake = [7, 7, 6, 4, 3, 3];
    private readonly OutreachAppFactory factory = new(StorageEngine.Sqlite);
    private IReadOnlyDictionary<string, long> entries = new Dictionary<string, long>();

    public async Task InitializeAsync() => entries = await ReportDataSeeder.SeedAsync(factory.Services.GetRequiredService<Database>());

    public async Task DisposeAsync() => await factory.DisposeAsync();

    private static int[] FunnelOnPage(string html)
    {
        var start = html.IndexOf("data-table=\"funnel\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "no funnel table");
        var table = html[start..html.IndexOf("</table>", start, StringComparison.Ordinal)];
        return [.. Regex.Matches(table, "<td>(?:<a [^>]*>)?([0-9]+)(?:</a>)?</td>").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];
    }

    [Fact]
    public async Task TheCachedReport_EqualsTheComputedOne()
    {
        var query = ReportDataSet.Year2025;
        var cache = factory.Services.GetRequiredService<ReportCache>();
        var cached = await (await cache.NowAsync(default)).ReportAsync(query, default);
        var again = await (await cache.NowAsync(default)).ReportAsync(query, default);
        var computed = await factory.Services.GetRequiredService<ConversionReports>().BuildAsync(query, default);
        Assert.Same(cached, again);
        // Everything but the instant it was computed at.
        Assert.Equal(JsonSerializer.Serialize(computed), JsonSerializer.Serialize(cached with { AsOf = computed.AsOf }));
        Assert.Equal(7, cached.CohortFunnel.Single(f => f.Stage == Stage.Contacted).Reached);
    }

    [Fact]
    public async Task AfterAStageChange_TheNextRequestShowsIt()
    {
        var client = factory.CreateClientAs(Role.Manager);
        Assert.Equal(Before, FunnelOnPage(await client.GetStringAsync(Year)));
        Assert.Equal(Before, FunnelOnPage(await client.GetStringAsync(Year)));
        // Theta Staal (engaged in April 2025) goes on to intake: the cohort's intake grows by one on the very next request.
        var pipeline = factory.Services.GetRequiredService<IPipelineStore>();
        await pipeline.ApplyAsync(new StageChange(entries["Theta Staal"], Stage.Engaged, Stage.Intake, new DateTimeOffset(2025, 5, 1, 10, 0, 0, TimeSpan.Zero), "anne", "Intake planned"), default);
        Assert.Equal(AfterIntake, FunnelOnPage(await client.GetStringAsync(Year)));
    }

    [Fact]
    public async Task AfterAnOrganisationEdit_TheNextRequestShowsIt()
    {
        var client = factory.CreateClientAs(Role.Manager);
        // The jewellery sector's cohort: A, B, C, D, E, G (Theta Staal is steel).
        Assert.Equal(6, FunnelOnPage(await client.GetStringAsync(Year + "&sector=jewellery"))[1]);
        var prospects = factory.Services.GetRequiredService<IProspectStore>();
        var entry = (await factory.Services.GetRequiredService<IPipelineStore>().GetSummaryAsync(entries["Theta Staal"], default))!;
        var theta = (await prospects.GetOrganisationAsync(entry.OrganisationId, default))!;
        Assert.Equal("Theta Staal", theta.Name);
        await prospects.UpdateOrganisationAsync(theta.Id, Validation.Clean(new OrganisationDraft { Name = theta.Name, Sector = "jewellery", Owner = "Bram", PartyKind = PartyKind.Company, Country = "NL" }), default);
        Assert.Equal(7, FunnelOnPage(await client.GetStringAsync(Year + "&sector=jewellery"))[1]);
    }

    [Fact]
    public async Task TwentyRequestsAtOnce_ComputeTheReportOnce()
    {
        var counting = new CountingSource();
        await using var host = factory.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            services.RemoveAll<IReportSource>();
            services.AddSingleton<IReportSource>(sp => counting.Over(new SqlReportSource(sp.GetRequiredService<Database>())));
        }));
        var client = host.CreateClient();
        var pages = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetStringAsync(Year)));
        Assert.All(pages, p => Assert.Equal(Before, FunnelOnPage(p)));
        Assert.Equal(1, counting.Loads);
    }

    private sealed class CountingSource : IReportSource
    {
        private IReportSource? inner;
        private int loads;

        public int Loads => Volatile.Read(ref loads);

        public CountingSource Over(IReportSource source)
        {
            inner = source;
            return this;
        }

        public async Task<ReportData> LoadAsync(ReportQuery query, CancellationToken ct)
        {
            Interlocked.Increment(ref loads);
            // Slow enough that the twenty requests overlap.
            await Task.Delay(200, ct);
            return await inner!.LoadAsync(query, ct);
        }
    }
}
