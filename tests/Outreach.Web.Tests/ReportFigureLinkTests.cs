using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>
/// Issue 16 item 12: "every figure links to the list of prospects behind it". On the hand-built data set (figures from 0
/// to 9, none equal to the whole list), every linked figure of the report page is followed and the list it opens must
/// hold exactly as many prospects as the figure says; each kind of figure must be among the links.
/// </summary>
public sealed class ReportFigureLinkTests : IAsyncLifetime
{
    private readonly OutreachAppFactory factory = new(StorageEngine.Sqlite);

    public async Task InitializeAsync() => await ReportDataSeeder.SeedAsync(factory.Services.GetRequiredService<Database>());

    public async Task DisposeAsync() => await factory.DisposeAsync();

    private static readonly string[] Kinds = ["cohort-funnel", "period-funnel", "conversion-of", "conversion-went", "duration", "time-to-sign", "cohort", "exit"];

    private sealed record Link(string Href, string Figure, int Shown);

    private static List<Link> FigureLinks(string html) =>
        [.. Regex.Matches(html, "<a href=\"(/prospects\\?[^\"]*)\" data-figure=\"([^\"]*)\">([0-9]+)</a>")
            .Select(m => new Link(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value), int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture)))];

    private static int ListTotal(string html) =>
        int.Parse(Regex.Match(html, "data-testid=\"list-total\">([0-9]+)<").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("from=2025-01-01&to=2025-12-31")]
    [InlineData("from=2025-01-01&to=2025-12-31&funnel=period")]
    [InlineData("from=2025-01-01&to=2025-12-31&covenant=gold&sector=jewellery")]
    [InlineData("from=2025-01-01&to=2025-06-30&covenant=gold,metals&owner=Anne")]
    public async Task EveryLinkedFigure_OpensAListOfExactlyThatManyProspects(string filters)
    {
        var client = factory.CreateClientAs(Role.Manager);
        var links = FigureLinks(await client.GetStringAsync("/reports?" + filters));
        Assert.NotEmpty(links);
        var all = ListTotal(await client.GetStringAsync("/prospects"));
        var mismatches = new List<string>();
        foreach (var link in links.DistinctBy(l => l.Href))
        {
            var list = await client.GetStringAsync(link.Href);
            Assert.Contains("data-testid=\"list-figure\"", list, StringComparison.Ordinal);
            if (ListTotal(list) != link.Shown) mismatches.Add($"{link.Figure}: figure {link.Shown}, list {ListTotal(list)} ({link.Href})");
        }

        Assert.Empty(mismatches);
        // Not trivially equal: the figures differ from one another and from the whole list.
        Assert.True(links.Select(l => l.Shown).Distinct().Count() >= 3, string.Join(", ", links.Select(l => l.Shown)));
        Assert.All(links, l => Assert.True(l.Shown < all, l.Figure));
    }

    [Fact]
    public async Task EachKindOfFigure_Links()
    {
        var links = FigureLinks(await factory.CreateClientAs(Role.Manager).GetStringAsync("/reports?from=2025-01-01&to=2025-12-31"));
        var kinds = links.Select(l => l.Figure.Split(':')[0]).ToHashSet();
        // Key figures (first contacts: the cohort; signed: the period funnel), the funnel, conversions, durations,
        // time to sign, cohorts and exits (by stage, and by reason: the reason travels beside the figure).
        foreach (var kind in Kinds)
            Assert.Contains(kind, kinds);
        Assert.Contains(links, l => l.Figure == "conversion-went:first-contact:signed");
        Assert.Contains(links, l => l.Figure == "exit:declined" && l.Href.Contains("reason=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnExitReasonsLink_ListsTheProspectsThatGaveIt()
    {
        var client = factory.CreateClientAs(Role.Manager);
        var links = FigureLinks(await client.GetStringAsync("/reports?from=2025-01-01&to=2025-12-31"));
        var noCapacity = links.Single(l => l.Href.Contains("reason=" + Uri.EscapeDataString(ReportDataSet.NoCapacity), StringComparison.Ordinal));
        var list = await client.GetStringAsync(noCapacity.Href);
        Assert.Equal(2, ListTotal(list));
        Assert.Contains("Gamma Edelsmeden", list, StringComparison.Ordinal);
        Assert.Contains("Delta Zilver", list, StringComparison.Ordinal);
        Assert.DoesNotContain("Epsilon Branchevereniging", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownFigure_ListsNobody_AndSaysSo()
    {
        var list = await factory.CreateClientAs(Role.Manager).GetStringAsync("/prospects?figure=nonsense:1&from=2025-01-01&to=2025-12-31");
        Assert.Equal(0, ListTotal(list));
        Assert.Contains("data-testid=\"list-figure-errors\"", list, StringComparison.Ordinal);
    }
}
