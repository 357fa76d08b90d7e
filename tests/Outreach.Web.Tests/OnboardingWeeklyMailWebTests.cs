using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Core.Jobs;

namespace Outreach.Web.Tests;

/// <summary>
/// Issue 14 point 4: the weekly manager mail carries the monitoring sentence in the manager's language. On 18 November 2026
/// the last monitoring year that has ended is year 3 (2025), in which the one party signed: nobody could be monitored yet.
/// </summary>
public sealed partial class OnboardingWebTests
{
    private const string DutchSentence = "In jaar 3 kon nog geen partij worden gemonitord; één bedrijf trad toe in jaar 3 en kon nog niet worden gemonitord.";
    private const string EnglishSentence = "No party could be monitored in year 3 yet; one company joined in year 3 and could not be monitored yet.";

    private static async Task<HttpResponseMessage> SubscribeAsync(HttpClient who, string address, string? language, string query = "")
    {
        var page = await who.GetAsync("/reports/weekly-mail" + query);
        var fields = new Dictionary<string, string> { ["Address"] = address, ["__RequestVerificationToken"] = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value };
        if (language is not null) fields["Language"] = language;
        var post = new HttpRequestMessage(HttpMethod.Post, "/reports/weekly-mail?handler=Subscribe" + query.Replace('?', '&')) { Content = new FormUrlEncodedContent(fields) };
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        return await who.SendAsync(post);
    }

    [Fact]
    public async Task TheWeeklyMail_GivesADutchManagerTheMonitoringSentenceInDutch_AndAnEnglishOneInEnglish()
    {
        Assert.Equal(HttpStatusCode.Redirect, (await SubscribeAsync(app.CreateClientAs(Role.Manager), "manager@secretariaat.example", "nl")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await SubscribeAsync(client, "secretaris@secretariaat.example", "en")).StatusCode);
        // Without a choice (an older form), the language the page was read in.
        Assert.Equal(HttpStatusCode.Redirect, (await SubscribeAsync(app.CreateClientAs(Role.Administrator), "beheer@secretariaat.example", null, "?culture=nl&ui-culture=nl")).StatusCode);
        await using var configured = app.WithWebHostBuilder(b =>
        {
            b.UseSetting("Jobs:WeeklyReportRecipients:0", "directeur@secretariaat.example");
            b.UseSetting("Jobs:WeeklyReportLanguage", "nl");
        });

        await using (var scope = configured.Services.CreateAsyncScope())
        {
            var run = await scope.ServiceProvider.GetRequiredService<Jobs.Reports.WeeklyReportMailJob>().RunAsync(new JobContext(true, new NoProgress()), default);
            Assert.Contains("queued for 4 of 4", run.Summary, StringComparison.Ordinal);
        }

        var queued = (await configured.Services.GetRequiredService<Core.Mail.IMailOutbox>().ListAsync(null, 10, default)).ToDictionary(m => m.Mail.ToAddress, m => m.Mail);
        foreach (var dutch in new[] { "manager@secretariaat.example", "beheer@secretariaat.example", "directeur@secretariaat.example" })
        {
            Assert.Contains("Onboarding: de jaarlijkse monitoring", queued[dutch].TextBody, StringComparison.Ordinal);
            Assert.Contains("Responsible Gold, jaar 3 (1 januari 2025 – 31 december 2025): " + DutchSentence, queued[dutch].TextBody, StringComparison.Ordinal);
            Assert.DoesNotContain(EnglishSentence, queued[dutch].TextBody, StringComparison.Ordinal);
            Assert.Contains("<section lang=\"nl\">", queued[dutch].HtmlBody, StringComparison.Ordinal);
        }

        var english = queued["secretaris@secretariaat.example"];
        Assert.Contains("Responsible Gold, year 3 (1 Jan 2025 – 31 Dec 2025): " + EnglishSentence, english.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(DutchSentence, english.TextBody, StringComparison.Ordinal);

        // The page shows the choice; a language that is neither is refused and changes nothing.
        var page = await (await app.CreateClientAs(Role.Manager).GetAsync("/reports/weekly-mail")).Content.ReadAsStringAsync();
        Assert.Contains("<option value=\"nl\" selected=\"selected\">", page, StringComparison.Ordinal);
        var refused = await SubscribeAsync(app.CreateClientAs(Role.Manager), "ander@secretariaat.example", "<script>de</script>");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Choose Dutch or English.", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>de", body, StringComparison.Ordinal);
        var stored = await app.Services.GetRequiredService<Core.Reports.IWeeklyReportSubscribers>().ListAsync(default);
        Assert.Contains(stored, s => s.Address == "manager@secretariaat.example" && s.Language == Core.Prospects.ContactLanguage.Nl);
        Assert.DoesNotContain(stored, s => s.Address == "ander@secretariaat.example");
    }

    /// <summary>The page and its HTML download read in Dutch lead with the Dutch sentence, the English one below it.</summary>
    [Fact]
    public async Task TheMonitoringPage_AndItsDownload_ReadInDutch_LeadWithTheDutchSentence()
    {
        const string dutch = "0 van 1 bedrijf IMVO-beleid gepubliceerd, 0 Risicoanalyse geleverd, 0 Training gevolgd; één bedrijf trad toe in jaar 4 en kon nog niet worden gemonitord.";
        var late = await SignedProspectAsync("Laatkomer B.V.");
        Assert.True(late > 0);
        var page = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync("/monitoring?covenant=gold&year=4&culture=nl&ui-culture=nl"));
        Assert.Contains("<blockquote data-testid=\"monitoring-sentence\">" + dutch + "</blockquote>", page, StringComparison.Ordinal);
        Assert.Contains("0 of 1 company published their RBC policy", page, StringComparison.Ordinal);

        var download = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync("/monitoring?handler=Download&covenant=gold&year=4&culture=nl&ui-culture=nl"));
        Assert.Contains("<blockquote>" + dutch + "</blockquote>", download, StringComparison.Ordinal);
    }

    private sealed class NoProgress : IJobProgress
    {
        public Task ReportAsync(long done, long? total, CancellationToken ct) => Task.CompletedTask;
    }
}
