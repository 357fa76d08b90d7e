using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;

namespace Outreach.Web.Tests;

/// <summary>
/// Issue 16, finding 9: the main pages rendered in Dutch carry no English UI words. A key without a Dutch text is caught by
/// <see cref="TranslationTests"/>; this catches text that never went through the localizer (an enum's name, a literal in a
/// view, a word glued to a translated one).
/// </summary>
public sealed partial class DutchUiTests(DemoAppFixture app) : IClassFixture<DemoAppFixture>
{
    private static readonly string[] EnglishWords = EnglishUiWords.All;

    [GeneratedRegex("<(script|style)[^>]*>.*?</\\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Code();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    /// <summary>The text a person reads: no markup, no scripts, no data cells that hold names, reasons or subjects.</summary>
    private static string VisibleText(string html)
    {
        var text = Code().Replace(html, " ");
        // Code, mail bodies and typed text are not UI.
        text = Regex.Replace(text, "<(code|pre|textarea|iframe)\\b[^>]*>.*?</\\1>", " ", RegexOptions.Singleline | RegexOptions.IgnoreCase);
        return WebUtility.HtmlDecode(Tag().Replace(text, " "));
    }

    [Fact]
    public async Task TheMainPages_InDutch_HaveNoEnglishUiWords()
    {
        var client = app.CreateClientAs(Core.Access.Role.Administrator);
        var prospect = (await app.Services.GetRequiredService<IPipelineStore>().SearchAsync(new ProspectFilter(), 1, 1, default)).Items[0];
        var networkEvent = (await app.Services.GetRequiredService<IEventStore>().ListEventsAsync(default))[0];
        string[] pages =
        [
            "/board", "/my-day", "/events", "/reports", "/monitoring", "/sequences", "/templates", "/outbox", "/covenants", "/jobs", "/import",
            "/prospects/new", $"/prospects/{prospect.Id}", $"/events/{networkEvent.Id}", $"/events/{networkEvent.Id}/check-in", "/admin/users",
        ];
        var found = new List<string>();
        foreach (var path in pages)
        {
            var response = await client.GetAsync(path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "culture=nl");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            var text = VisibleText(await response.Content.ReadAsStringAsync());
            foreach (var word in EnglishWords)
            {
                foreach (Match m in Regex.Matches(text, $"(?<![\\p{{L}}-]){Regex.Escape(word)}(?![\\p{{L}}-])"))
                {
                    var from = Math.Max(0, m.Index - 40);
                    found.Add($"{path}: '{word}' in …{Regex.Replace(text.Substring(from, Math.Min(text.Length - from, 90)), "\\s+", " ")}…");
                }
            }
        }

        Assert.True(found.Count == 0, "English in the Dutch UI:\n" + string.Join("\n", found.Distinct()));
    }
}
