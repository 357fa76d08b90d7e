using Outreach.Core.Prospects;
using Outreach.Core.Reports;
using Outreach.Testing;

namespace Outreach.Core.Tests.Reports;

/// <summary>Issue 16 item 12: period presets in Amsterdam days, the period each is compared with, and download names.</summary>
public sealed class ReportPeriodTests
{
    private static readonly DateOnly Today = new(2026, 11, 18);

    private static (DateOnly, DateOnly) D(int y1, int m1, int d1, int y2, int m2, int d2) => (new DateOnly(y1, m1, d1), new DateOnly(y2, m2, d2));

    [Fact]
    public void Presets_OnAWednesdayInNovember()
    {
        Assert.Equal(D(2026, 1, 1, 2026, 11, 18), ReportPeriods.Resolve(ReportPeriod.ThisYear, Today));
        // Q4 is under way: the last quarter is Q3.
        Assert.Equal(D(2026, 7, 1, 2026, 9, 30), ReportPeriods.Resolve(ReportPeriod.LastQuarter, Today));
        Assert.Equal(D(2025, 11, 19, 2026, 11, 18), ReportPeriods.Resolve(ReportPeriod.Last12Months, Today));
        // In January the last quarter is the previous year's fourth.
        Assert.Equal(D(2025, 10, 1, 2025, 12, 31), ReportPeriods.Resolve(ReportPeriod.LastQuarter, new DateOnly(2026, 1, 5)));
    }

    [Fact]
    public void ThePreviousPeriod_IsTheLikeForLikeOneBefore()
    {
        // The year so far against the same days a year before; a quarter against the quarter before; twelve months
        // against the twelve before them; typed dates (10 days) against the 10 days just before.
        Assert.Equal(D(2025, 1, 1, 2025, 11, 18), ReportPeriods.Previous(ReportPeriod.ThisYear, new DateOnly(2026, 1, 1), Today));
        Assert.Equal(D(2026, 4, 1, 2026, 6, 30), ReportPeriods.Previous(ReportPeriod.LastQuarter, new DateOnly(2026, 7, 1), new DateOnly(2026, 9, 30)));
        Assert.Equal(D(2025, 10, 1, 2025, 12, 31), ReportPeriods.Previous(ReportPeriod.LastQuarter, new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 31)));
        Assert.Equal(D(2024, 11, 19, 2025, 11, 18), ReportPeriods.Previous(ReportPeriod.Last12Months, new DateOnly(2025, 11, 19), Today));
        Assert.Equal(D(2026, 10, 30, 2026, 11, 8), ReportPeriods.Previous(ReportPeriod.Custom, new DateOnly(2026, 11, 9), Today));
        // A whole quarter typed as dates (the preset's dates kept in the form) is still compared with the quarter before.
        Assert.Equal(D(2026, 4, 1, 2026, 6, 30), ReportPeriods.Previous(ReportPeriod.Custom, new DateOnly(2026, 7, 1), new DateOnly(2026, 9, 30)));
    }

    [Fact]
    public void Today_IsAmsterdamsDay_FromTheTimeProvider()
    {
        // 23:30 UTC on 31 December is already 1 January in Amsterdam: "this year" is the new one.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 31, 23, 30, 0, TimeSpan.Zero));
        var reports = new ConversionReports(new NoSource(), clock);
        Assert.Equal(D(2027, 1, 1, 2027, 1, 1), ReportPeriods.Resolve(ReportPeriod.ThisYear, reports.Today));
    }

    [Fact]
    public void APreset_WinsOverTypedDates_AndAnUnknownOneIsRefused()
    {
        Covenant[] covenants = [new(1, "gold", "Goud", new DateOnly(2017, 1, 1), new DateOnly(2027, 1, 1)),
                                new(2, "metals", "Metalen", new DateOnly(2019, 1, 1), new DateOnly(2029, 1, 1))];
        var (q, errors) = ReportFilters.Parse(["gold,metals", "gold"], "last-quarter", "2020-01-01", "2020-02-01", null, null, null, covenants, Today);
        Assert.Empty(errors);
        Assert.Equal((new DateOnly(2026, 7, 1), new DateOnly(2026, 9, 30)), (q!.From, q.To));
        Assert.Equal([1L, 2L], q.Covenants);
        Assert.Equal("period", Assert.Single(ReportFilters.Parse([], "next-decade", null, null, null, null, null, covenants, Today).Errors).Field);
        Assert.Equal("covenant", Assert.Single(ReportFilters.Parse(["gold,nope"], null, null, null, null, null, null, covenants, Today).Errors).Field);
    }

    [Fact]
    public void FileNames_CarryTheFilters()
    {
        var q = new ReportQuery { From = new DateOnly(2025, 1, 1), To = new DateOnly(2025, 12, 31), Sector = "Natuursteen & grind", PartyKind = PartyKind.BranchOrganisation, Owner = "Sanne de Vries" };
        Assert.Equal("conversion-report-2025-01-01-2025-12-31-gold+metals-sector-natuursteen-grind-branch-organisation-owner-sanne-de-vries-cohort.xlsx",
            ReportFileName.For("report", q, ["metals", "gold"], FunnelKind.Cohort, "xlsx"));
        Assert.Equal("conversion-funnel-2025-01-01-2025-12-31-all-covenants-period-funnel.csv",
            ReportFileName.For("funnel", new ReportQuery { From = q.From, To = q.To }, [], FunnelKind.Period, "csv"));
    }

    private sealed class NoSource : IReportSource
    {
        public Task<ReportData> LoadAsync(ReportQuery query, CancellationToken ct) => throw new NotSupportedException();
    }
}

/// <summary>Issue 16 item 13: the feed's cursors and page sizes, hostile ones included.</summary>
public sealed class FeedPagingTests
{
    [Fact]
    public void ACursor_RoundTrips_OnlyForItsOwnTable()
    {
        var cursor = FeedPaging.Cursor(FeedTable.StageChanges, 1234);
        Assert.Equal((1234L, FeedPaging.DefaultLimit), FeedPaging.Parse(FeedTable.StageChanges, cursor, null) is var r ? (r.After, r.Limit) : default);
        Assert.Equal("cursor", Assert.Single(FeedPaging.Parse(FeedTable.Prospects, cursor, null).Errors).Field);
    }

    [Theory]
    [InlineData("!!!")]
    [InlineData("c3RhZ2UtY2hhbmdlczotNQ")] // "stage-changes:-5"
    [InlineData("c3RhZ2UtY2hhbmdlczox' OR 1=1 --")]
    [InlineData("c3RhZ2UtY2hhbmdlczo5OTk5OTk5OTk5OTk5OTk5OTk5OTk5")] // an id beyond a long
    public void ABadCursor_IsRefused(string cursor) =>
        Assert.Equal("cursor", Assert.Single(FeedPaging.Parse(FeedTable.StageChanges, cursor, null).Errors).Field);

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("5001")]
    [InlineData("1000000000000")]
    [InlineData("ten")]
    [InlineData("1e3")]
    public void AHugeOrBadPageSize_IsRefused(string limit) =>
        Assert.Equal("limit", Assert.Single(FeedPaging.Parse(FeedTable.StageChanges, null, limit).Errors).Field);

    [Fact]
    public void APage_HasANextCursor_OnlyWhenMoreRowsFollow()
    {
        var full = FeedPaging.Page(FeedTable.Prospects, [1L, 2L, 3L], 2, x => x);
        Assert.Equal([1L, 2L], full.Rows);
        Assert.Equal(2, FeedPaging.Parse(FeedTable.Prospects, full.Next, null).After);
        Assert.Null(FeedPaging.Page(FeedTable.Prospects, [1L, 2L], 2, x => x).Next);
    }
}
