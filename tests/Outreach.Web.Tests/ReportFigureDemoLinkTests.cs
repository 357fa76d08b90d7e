using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Core.Pipeline;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>
/// The demo data with attendance recorded at four past network events and a party signed without milestones, shared by
/// the read-only tests of <see cref="ReportFigureDemoLinkTests"/>.
/// </summary>
public sealed class LinkedDemoFixture : IAsyncLifetime
{
    public OutreachAppFactory Factory { get; } = new(StorageEngine.Sqlite, seedDemo: true);

    /// <summary>How many organisations attended each event (whatever their number of prospects).</summary>
    public List<int> AttendeeOrganisations { get; } = [];

    public async Task InitializeAsync()
    {
        var db = Factory.Services.GetRequiredService<Database>();
        await RecordAttendanceAsync(db);
        await SignWithoutMilestonesAsync(db);
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    /// <summary>
    /// Four events of the gold covenant: two hosted by one demo organisation (February and May 2026), one by another
    /// (June 2025), one without a host (August 2026). The attendees of each: organisations with a move forward in the 60
    /// days after it (so the event gets credit), two with prospects in two covenants, and two with no move in its window.
    /// </summary>
    private async Task RecordAttendanceAsync(Database db)
    {
        var events = new SqlEventStore(db);
        await using var c = await db.OpenAsync(default);
        var gold = await c.ExecuteScalarAsync<long>("SELECT id FROM covenant WHERE code = 'gold'");
        var hosts = (await c.QueryAsync<long>("SELECT id FROM organisation ORDER BY id LIMIT 2")).ToList();
        var twoCovenants = (await c.QueryAsync<long>("SELECT organisation_id FROM pipeline_entry GROUP BY organisation_id HAVING COUNT(*) > 1 ORDER BY organisation_id LIMIT 2")).ToList();
        Assert.Equal(2, twoCovenants.Count);
        var n = 0;
        foreach (var (startLocal, host) in new (DateTime, long?)[] { (new(2026, 2, 10, 14, 0, 0), hosts[0]), (new(2026, 5, 12, 14, 0, 0), hosts[0]), (new(2025, 6, 3, 10, 0, 0), hosts[1]), (new(2026, 8, 20, 15, 0, 0), null) })
        {
            var starts = new DateTimeOffset(startLocal, TimeSpan.FromHours(startLocal.Month is >= 4 and <= 10 ? 2 : 1));
            var window = new { From = starts, Until = starts.AddDays(60) };
            var movedOn = await c.QueryAsync<long>(
                """
                SELECT DISTINCT e.organisation_id FROM stage_change s JOIN pipeline_entry e ON e.id = s.entry_id
                WHERE s.to_stage IN ('contacted', 'engaged', 'intake', 'signing_scheduled', 'signed') AND s.changed_at > @From AND s.changed_at < @Until
                ORDER BY e.organisation_id LIMIT 6
                """, window);
            var stayed = await c.QueryAsync<long>(
                $"""
                SELECT o.id FROM organisation o WHERE NOT EXISTS (SELECT 1 FROM stage_change s JOIN pipeline_entry e ON e.id = s.entry_id
                    WHERE e.organisation_id = o.id AND s.changed_at > @From AND s.changed_at < @Until)
                ORDER BY o.id LIMIT 2 OFFSET {n * 2}
                """, window);
            var attendees = movedOn.Concat(stayed).Concat(twoCovenants).Distinct().ToList();
            AttendeeOrganisations.Add(attendees.Count);
            var contacts = new List<long>();
            foreach (var organisation in attendees)
                contacts.Add(await c.ExecuteScalarAsync<long>("SELECT MIN(id) FROM contact WHERE organisation_id = @organisation", new { organisation }));
            var created = starts.AddDays(-30);
            var e = await events.AddEventAsync(Core.Events.EventRules.Create(new Core.Events.NetworkEventDraft
            {
                Title = $"Demo-bijeenkomst {++n}", CovenantId = gold, HostOrganisationId = host, Format = Core.Events.EventFormat.Physical, Venue = "Utrecht",
                StartLocal = startLocal, EndLocal = startLocal.AddHours(2), Capacity = 50, RegistrationDeadlineLocal = startLocal.AddDays(-1), DescriptionNl = "Welkom", DescriptionEn = "Welcome",
            }, "evt-" + Guid.NewGuid().ToString("N") + "@outreach.test", created), default);
            var (stored, invited) = await events.ApplyAsync(new Core.Events.EventChange(e, e.Version,
                contacts.Select(id => new Core.Events.Invitation { EventId = e.Id, ContactId = id, InvitedAt = created }).ToList(), "invited", created), default);
            var after = stored.StartsAt.AddHours(1);
            await events.ApplyAsync(new Core.Events.EventChange(stored, stored.Version, invited.Select(i => i with { CheckedInAt = after }).ToList(), "attended", after), default);
        }
    }

    /// <summary>A party signed today without milestones (as if signed before its covenant had a plan): counted apart.</summary>
    private async Task SignWithoutMilestonesAsync(Database db)
    {
        long entry;
        await using (var c = await db.OpenAsync(default))
            entry = await c.ExecuteScalarAsync<long>("SELECT MIN(id) FROM pipeline_entry WHERE stage = 'signing_scheduled'");
        await new SqlPipelineStore(db, Factory.Clock).ApplyAsync(new StageChange(entry, Stage.SigningScheduled, Stage.Signed, Factory.Clock.GetUtcNow().AddHours(-1), "anne", "Signed"), default);
    }
}

/// <summary>
/// Issue 16 item 12, the figures linked last, on the demo data (240 organisations, some in two covenants, three covenants
/// with onboarding plans and milestones, parties that left) with attendance recorded at four past network events: every
/// count of the event and host follow-through tables and of the step after signing links to a list exactly that long, and
/// each party that left links to its prospect.
/// </summary>
public sealed class ReportFigureDemoLinkTests(LinkedDemoFixture demo) : IClassFixture<LinkedDemoFixture>
{
    private const string ThreeYears = "from=2023-11-19&to=2026-11-18";
    private readonly OutreachAppFactory factory = demo.Factory;

    /// <summary>The kinds of figure linked here: each must have a link with a figure above nought somewhere.</summary>
    private static readonly string[] NewKinds =
    [
        "event-attendees", "event-went", "event-reached", "host-attendees", "host-went", "host-reached",
        "onboarding:signed", "onboarding:onboarded", "onboarding:within-year-one", "onboarding:without-year-one", "onboarding:left",
        "onboarding-cohort:signed", "onboarding-cohort:started", "onboarding-cohort:onboarded", "onboarding-cohort:within-year-one",
        "onboarding-step:asked", "onboarding-step:done",
    ];

    private sealed record Link(string Href, string Figure, int Shown);

    private static List<Link> FigureLinks(string html) =>
        [.. Regex.Matches(html, "<a href=\"(/prospects\\?[^\"]*)\" data-figure=\"([^\"]*)\">([0-9]+)</a>")
            .Select(m => new Link(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value), int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)))];

    private static bool IsNew(Link l) => l.Figure.StartsWith("event-", StringComparison.Ordinal) && !l.Figure.StartsWith("events-", StringComparison.Ordinal)
                                         || l.Figure.StartsWith("host-", StringComparison.Ordinal) || l.Figure.StartsWith("onboarding", StringComparison.Ordinal);

    /// <summary>"onboarding-step:2026-1:done:rbc_policy" → "onboarding-step:done"; "event-went:3" → "event-went".</summary>
    private static string KindOf(string figure)
    {
        var parts = figure.Split(':');
        return parts[0] switch
        {
            "onboarding" => $"{parts[0]}:{parts[1]}",
            "onboarding-cohort" or "onboarding-step" => $"{parts[0]}:{parts[2]}",
            _ => parts[0],
        };
    }

    private static int ListTotal(string html) =>
        int.Parse(Regex.Match(html, "data-testid=\"list-total\">([0-9]+)<").Groups[1].Value, CultureInfo.InvariantCulture);

    private static async Task<List<Link>> FollowAsync(HttpClient client, string filters)
    {
        var links = FigureLinks(await client.GetStringAsync("/reports?" + filters)).Where(IsNew).ToList();
        var mismatches = new List<string>();
        foreach (var link in links.DistinctBy(l => l.Href))
        {
            var list = await client.GetStringAsync(link.Href);
            Assert.Contains("data-testid=\"list-figure\"", list, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"list-figure-errors\"", list, StringComparison.Ordinal);
            if (ListTotal(list) != link.Shown) mismatches.Add($"{link.Figure}: figure {link.Shown}, list {ListTotal(list)} ({link.Href})");
        }

        Assert.Empty(mismatches);
        return links;
    }

    [Theory]
    [InlineData("period=last-12-months")]
    [InlineData(ThreeYears + "&covenant=gold")]
    [InlineData(ThreeYears + "&covenant=gold,metals&partyKind=company")]
    [InlineData("from=2025-01-01&to=2026-11-18&sector=jewellery&owner=Anne de Vries")]
    public async Task EveryFollowThroughAndOnboardingCount_OpensAListOfExactlyThatManyProspects(string filters)
    {
        var links = await FollowAsync(factory.CreateClientAs(Role.Manager), filters);
        Assert.Contains(links, l => l.Figure.StartsWith("event-", StringComparison.Ordinal) && l.Shown > 0);
        Assert.Contains(links, l => l.Figure.StartsWith("onboarding", StringComparison.Ordinal) && l.Shown > 0);
    }

    [Fact]
    public async Task EachNewKindOfFigure_LinksAtLeastOnce_AboveNought_AndFewerThanAll()
    {
        var client = factory.CreateClientAs(Role.Manager);
        var links = await FollowAsync(client, ThreeYears);
        var all = ListTotal(await client.GetStringAsync("/prospects"));
        foreach (var kind in NewKinds)
            Assert.True(links.Any(l => KindOf(l.Figure) == kind && l.Shown > 0 && l.Shown < all), $"No non-trivial link of {kind}: {string.Join(", ", links.Where(l => KindOf(l.Figure) == kind).Select(l => $"{l.Figure}={l.Shown}"))}");
        // Organisations, not prospects: each event counts its attendee organisations (two of them with prospects in two
        // covenants), and its list (checked above to be as long) shows each once.
        var attendees = links.Where(l => l.Figure.StartsWith("event-attendees:", StringComparison.Ordinal)).Select(l => l.Shown);
        Assert.Equal(demo.AttendeeOrganisations.Order(), attendees.Order());
    }

    [Fact]
    public async Task TheStepAfterSigning_ForSeveralCovenants_CountsThoseCovenantsOnly()
    {
        var client = factory.CreateClientAs(Role.Manager);
        async Task<int> SignedAsync(string covenants) =>
            FigureLinks(await client.GetStringAsync($"/reports?{ThreeYears}{covenants}")).Single(l => l.Figure == "onboarding:signed").Shown;
        var (gold, metals, both, all) = (await SignedAsync("&covenant=gold"), await SignedAsync("&covenant=metals"), await SignedAsync("&covenant=gold,metals"), await SignedAsync(""));
        Assert.True(gold > 0 && metals > 0, $"{gold} {metals}");
        Assert.Equal(gold + metals, both);
        Assert.True(both < all, $"{both} < {all}");
    }

    [Fact]
    public async Task EachPartyThatLeft_LinksToItsProspect()
    {
        var client = factory.CreateClientAs(Role.Manager);
        var html = await client.GetStringAsync("/reports?" + ThreeYears);
        var start = html.IndexOf("data-table=\"left\"", StringComparison.Ordinal);
        var table = html[start..html.IndexOf("</table>", start, StringComparison.Ordinal)];
        var rows = Regex.Count(table, "<tr><th scope=\"row\">");
        var links = Regex.Matches(table, "<tr><th scope=\"row\"><a href=\"/prospects/([0-9]+)\" data-prospect=\"\\1\">([^<]+)</a></th>");
        Assert.True(rows >= 2, table);
        Assert.Equal(rows, links.Count);
        foreach (var m in links.Take(5))
        {
            var prospect = await client.GetAsync($"/prospects/{m.Groups[1].Value}");
            Assert.Equal(HttpStatusCode.OK, prospect.StatusCode);
            Assert.Contains(WebUtility.HtmlDecode(m.Groups[2].Value), WebUtility.HtmlDecode(await prospect.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("event-went:0")]
    [InlineData("event-went:-1")]
    [InlineData("event-went:99999999999999999999")]
    [InlineData("event-reached:1:identified")]
    [InlineData("host-went:")]
    [InlineData("host-reached:none:nowhere")]
    [InlineData("onboarding:everything")]
    [InlineData("onboarding-cohort:2026-9:signed")]
    [InlineData("onboarding-step:2026-1:done:")]
    [InlineData("onboarding-step:2026-1:done:x\u0001y")]
    [InlineData("onboarding-step:2026-1:signed:rbc_policy")]
    [InlineData("<script>alert(1)</script>")]
    public async Task AHostileFigure_IsRefusedOnTheList_WithAMessage_NeverAServerError(string figure)
    {
        var response = await factory.CreateClientAs(Role.Manager).GetAsync($"/prospects?figure={Uri.EscapeDataString(figure)}&{ThreeYears}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = await response.Content.ReadAsStringAsync();
        Assert.Equal(0, ListTotal(list));
        Assert.Contains("data-testid=\"list-figure-errors\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", list, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("event-attendees:987654")]
    [InlineData("host-went:987654")]
    [InlineData("onboarding-step:2026-1:done:no_such_milestone")]
    public async Task AFigureThatNamesNothing_ListsNobody(string figure)
    {
        var list = await factory.CreateClientAs(Role.Manager).GetStringAsync($"/prospects?figure={Uri.EscapeDataString(figure)}&{ThreeYears}");
        Assert.Equal(0, ListTotal(list));
        Assert.Contains("data-testid=\"list-figure\"", list, StringComparison.Ordinal);
    }
}
