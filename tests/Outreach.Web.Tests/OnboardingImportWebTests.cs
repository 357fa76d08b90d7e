using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Core.Onboarding;

namespace Outreach.Web.Tests;

/// <summary>The questionnaire import and the onboarding contact through the real host, each also with hostile input.</summary>
public sealed partial class OnboardingWebTests
{
    private string ImportPage => $"/covenants/{covenantId}/onboarding/import";

    private async Task<(HttpResponseMessage Response, string Body)> ImportAsync(string csv, HttpClient? as_ = null)
    {
        var who = as_ ?? client;
        var page = await who.GetAsync(ImportPage);
        var token = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        var multipart = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
        multipart.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "Upload", "vragenlijst.csv");
        var post = new HttpRequestMessage(HttpMethod.Post, ImportPage) { Content = multipart };
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        var response = await who.SendAsync(post);
        return (response, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheQuestionnaireImport_RecordsEveryAnswer_AndTheReportCountsThem()
    {
        Assert.Equal((0, 1), Figure(await ReportAsync(4), "policy"));
        // Dutch Excel: ';', the party's formula-like name escaped with an apostrophe as the CSV export writes it.
        var (response, body) = await ImportAsync("partij;jaar;mijlpaal;afgerond op;bewijs\n'=Goud B.V.;;policy;2026-01-15;https://goud.example/beleid\n'=Goud B.V.;4;Training attended;2026-10-01;https://goud.example/training\n");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data-testid=\"import-done\"", body, StringComparison.Ordinal);
        Assert.Contains("2 answers recorded; 0 were recorded already.", body, StringComparison.Ordinal);
        var done = (await MilestonesAsync()).Where(m => m.IsDone).OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
        Assert.Equal([("policy", new DateOnly(2026, 1, 15), "https://goud.example/beleid"), ("training", new DateOnly(2026, 10, 1), "https://goud.example/training")],
            done.Select(m => (m.Key, m.DoneOn!.Value, m.EvidenceUrl!)));
        Assert.Equal((1, 1), Figure(await ReportAsync(4), "policy"));

        // The same file again records nothing new and refuses nothing.
        (_, body) = await ImportAsync("party,year,milestone,done on,evidence\n'=Goud B.V.,,policy,2026-01-15,https://goud.example/beleid\n");
        Assert.Contains("0 answers recorded; 1 were recorded already.", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheQuestionnaireImport_WithOneBadRow_RecordsNothing_AndNamesEachRow_EncodingHostileValues()
    {
        var before = await StateAsync();
        var (response, body) = await ImportAsync(
            "party,year,milestone,done on,evidence\n" +
            "'=Goud B.V.,,policy,2026-01-15,https://goud.example/beleid\n" +
            "<script>alert(1)</script>,,policy,2026-01-15,https://x.example\n" +
            "'=Goud B.V.,4,training,2026-10-01,javascript:alert(1)\n" +
            "'=Goud B.V.,,risk,2099-01-01,https://x.example\n");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data-testid=\"import-errors\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert(1)", body, StringComparison.Ordinal);
        var text = System.Net.WebUtility.HtmlDecode(body);
        Assert.Contains("Row 3: No party of Responsible Gold is called '<script>alert(1)</script>'.", text, StringComparison.Ordinal);
        Assert.Contains("Row 4: The evidence link is not a valid web address (http or https).", text, StringComparison.Ordinal);
        Assert.Contains("Row 5: The date it was done cannot be in the future.", text, StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
        Assert.DoesNotContain(await MilestonesAsync(), m => m.IsDone);
    }

    [Theory]
    [InlineData("party,year,milestone,evidence\n'=Goud B.V.,,policy,https://x.example\n", "no column")]
    [InlineData("party,year,milestone,done on,evidence\n", "no rows")]
    [InlineData("party,year,milestone,done on,evidence\n\"unclosed,,policy,2026-01-15,https://x.example\n", "never closed")]
    [InlineData("party,year,milestone,done on,evidence\n'=Goud B.V.,,policy,2026-01-15,https://x.example\n'=Goud B.V.,,policy,2026-01-16,https://x.example\n", "Row 3: Row 2 already answers this milestone.")]
    [InlineData("party,year,milestone,done on,evidence\n'=Goud B.V.,0,training,2026-10-01,https://x.example\n", "Row 2: The monitoring year is 1 to 5")]
    public async Task TheQuestionnaireImport_RefusesBadFiles_WithARowNumberedMessage(string csv, string message)
    {
        var before = await StateAsync();
        var (_, body) = await ImportAsync(csv);
        Assert.Contains(message, System.Net.WebUtility.HtmlDecode(body), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task AManager_CannotImportQuestionnaireAnswers()
    {
        var manager = app.CreateClientAs(Role.Manager);
        var before = await StateAsync();
        var multipart = new MultipartFormDataContent();
        multipart.Add(new ByteArrayContent("party,year,milestone,done on,evidence\n'=Goud B.V.,,policy,2026-01-15,https://x.example\n"u8.ToArray()), "Upload", "x.csv");
        var post = await manager.PostAsync(ImportPage, multipart);
        Assert.True(post.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest or HttpStatusCode.Redirect, post.StatusCode.ToString());
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task TheOnboardingContact_IsGivenAndTakenOnThePanel_OnlyForTheOrganisationsOwnContacts()
    {
        var prospects = app.Services.GetRequiredService<Core.Prospects.IProspectStore>();
        var summary = (await app.Services.GetRequiredService<Core.Pipeline.IPipelineStore>().GetSummaryAsync(prospectId, default))!;
        var eva = await prospects.AddContactAsync(summary.OrganisationId, Core.Prospects.Validation.Clean(new Core.Prospects.ContactDraft { Name = "Eva <b>Jansen</b>", Email = "eva@goud.example" }), default);
        var stranger = await prospects.AddOrganisationAsync(Core.Prospects.Validation.Clean(new Core.Prospects.OrganisationDraft { Name = "Elders", Sector = "x", Owner = "Anne", Country = "NL" }), default);
        var other = await prospects.AddContactAsync(stranger.Id, Core.Prospects.Validation.Clean(new Core.Prospects.ContactDraft { Name = "Otto", Email = "otto@elders.example" }), default);
        var page = await (await client.GetAsync(Panel)).Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"no-onboarding-contact\"", page, StringComparison.Ordinal);

        var given = await PostFormAsync(Panel, $"/prospects/{prospectId}/onboarding?handler=OnboardingContact&contactId={eva.Id}&holds=true", new());
        Assert.Equal(HttpStatusCode.Redirect, given.StatusCode);
        var reminders = app.Services.GetRequiredService<IOnboardingReminderStore>();
        Assert.Equal([eva.Id], await reminders.ListOnboardingContactsAsync(summary.OrganisationId, default));
        page = await (await client.GetAsync(Panel)).Content.ReadAsStringAsync();
        Assert.Contains("Eva &lt;b&gt;Jansen&lt;/b&gt;", page, StringComparison.Ordinal);

        // Another organisation's contact, or one that does not exist: not found, nothing given.
        Assert.Equal(HttpStatusCode.NotFound, (await PostFormAsync(Panel, $"/prospects/{prospectId}/onboarding?handler=OnboardingContact&contactId={other.Id}&holds=true", new())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostFormAsync(Panel, $"/prospects/{prospectId}/onboarding?handler=OnboardingContact&contactId=999999&holds=true", new())).StatusCode);
        Assert.Empty(await reminders.ListOnboardingContactsAsync(stranger.Id, default));

        var taken = await PostFormAsync(Panel, $"/prospects/{prospectId}/onboarding?handler=OnboardingContact&contactId={eva.Id}&holds=false", new());
        Assert.Equal(HttpStatusCode.Redirect, taken.StatusCode);
        Assert.Empty(await reminders.ListOnboardingContactsAsync(summary.OrganisationId, default));
    }

    [Fact]
    public async Task TheMonitoringPage_DrawsItsChartWithoutScriptOrStyle_AndTheDownloadIsOneSelfContainedFile()
    {
        await ImportAsync("party,year,milestone,done on,evidence\n'=Goud B.V.,,policy,2026-01-15,https://goud.example/beleid\n");
        var page = await (await client.GetAsync("/monitoring?covenant=gold&year=4")).Content.ReadAsStringAsync();
        var chart = Regex.Match(page, "<svg[^>]*data-testid=\"monitoring-chart\".*?</svg>", RegexOptions.Singleline).Value;
        Assert.Contains("data-key=\"policy\" data-done=\"1\" data-of=\"1\"", chart, StringComparison.Ordinal);
        Assert.Contains("width=\"360\" height=\"22\" fill=\"#067647\"", chart, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", chart, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", chart, StringComparison.Ordinal);

        var download = await client.GetAsync("/monitoring?handler=Download&covenant=gold&year=4");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("monitoring-gold-year-4.html", download.Content.Headers.ContentDisposition?.FileName);
        var html = await download.Content.ReadAsStringAsync();
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("1 of 1 company published their RBC policy", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"monitoring-chart\"", html, StringComparison.Ordinal);
        // Self-contained: its stylesheet inside, nothing fetched, and the party's formula-like name as text.
        Assert.Contains("<style>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.Contains("Goud B.V.", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/monitoring?handler=Download&covenant=gold&year=<script>")).StatusCode);
    }
}
