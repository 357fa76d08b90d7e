using Outreach.Core.Mail;
using Outreach.Core.Prospects;
using Outreach.Mail;

namespace Outreach.Storage.Tests;

/// <summary>Mail templates with Handlebars.Net: encoded in HTML, plain in text, checked before use.</summary>
public sealed class TemplateTests
{
    private readonly HandlebarsTemplateRenderer renderer = new();

    private static MailTemplate Template(string subject = "Uitnodiging voor {{organisation}}",
        string html = "<p>Beste {{contactName}},</p><p>{{#if eventName}}Graag zien we u bij {{eventName}}.{{/if}}</p><p><a href=\"{{unsubscribeUrl}}\">Afmelden</a></p>",
        string text = "Beste {{contactName}},\n{{#if eventName}}Graag zien we u bij {{eventName}}.{{/if}}\nAfmelden: {{unsubscribeUrl}}") =>
        new("invitation", ContactLanguage.Nl, 3, subject, html, text);

    private static TemplateValues Values(string name = "Zoë <script>alert(1)</script> & Co") => new()
    {
        ContactName = name, Organisation = "Goud & Zilver B.V.\r\nBcc: x@y.z", Covenant = "Responsible Gold", Owner = "Anne",
        EventName = "Netwerkdag \"goud\"", UnsubscribeUrl = "https://outreach.example/u/abc?x=1&y=2",
    };

    [Fact]
    public void CompiledTemplatesAreReused_ButAnEditedTextRendersAsEdited_AndABrokenOneIsStillRefused()
    {
        var first = renderer.Render(Template(), Values());
        var again = renderer.Render(Template(), Values(name: "Jan"));
        var edited = renderer.Render(Template(html: "<p>Hallo {{contactName}}!</p><p><a href=\"{{unsubscribeUrl}}\">Afmelden</a></p>"), Values(name: "Jan"));

        Assert.Contains("Beste Zoë", first.Html, StringComparison.Ordinal);
        Assert.Contains("Beste Jan,", again.Html, StringComparison.Ordinal); // the cached template, with the new values
        Assert.StartsWith("<p>Hallo Jan!</p>", edited.Html, StringComparison.Ordinal);
        var broken = Template(html: "<p>{{#if eventName}}open {{contactName}}</p><p>{{unsubscribeUrl}}</p>");
        Assert.NotEmpty(renderer.Check(broken));
        Assert.NotEmpty(renderer.Check(broken)); // a failed compile is not kept as if it were fine
        Assert.Throws<InvalidOperationException>(() => renderer.Render(broken, Values()));
    }

    [Fact]
    public void TheHtmlPart_EncodesEveryValue_TheTextPartKeepsThemPlain_AndTheSubjectHasNoLineBreaks()
    {
        var mail = renderer.Render(Template(), Values());
        Assert.Contains("Beste Zoë &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co,", mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("Netwerkdag &quot;goud&quot;", mail.Html, StringComparison.Ordinal);
        // Handlebars encodes '=' as well; browsers and mail programs decode it back.
        Assert.Contains("href=\"https://outreach.example/u/abc?x&#x3D;1&amp;y&#x3D;2\"", mail.Html, StringComparison.Ordinal);
        Assert.Contains("Beste Zoë <script>alert(1)</script> & Co,", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Afmelden: https://outreach.example/u/abc?x=1&y=2", mail.Text, StringComparison.Ordinal);
        Assert.Equal("Uitnodiging voor Goud & Zilver B.V.Bcc: x@y.z", mail.Subject);
    }

    [Fact]
    public void AnOptionalValueLeftOut_LeavesItsSectionOut()
    {
        var mail = renderer.Render(Template(), Values() with { EventName = null });
        Assert.DoesNotContain("Graag zien we u", mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Graag zien we u", mail.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<p>{{{contactName}}} {{unsubscribeUrl}}</p>", "unencoded")]
    [InlineData("<p>{{&contactName}} {{unsubscribeUrl}}</p>", "unencoded")]
    [InlineData("<p>{{password}} {{unsubscribeUrl}}</p>", "unknown placeholder 'password'")]
    [InlineData("<p>{{contactName}}</p>", "needs the unsubscribe link")]
    [InlineData("<p>{{#each contacts}}x{{/each}} {{unsubscribeUrl}}</p>", "only {{#if …}}")]
    [InlineData("<p>{{> partial}} {{unsubscribeUrl}}</p>", "may not use")]
    [InlineData("<p>{{#if contactName}} {{unsubscribeUrl}}</p>", "not a valid template")]
    public void AnUnsafeOrBrokenTemplate_IsRefusedWithTheReason(string html, string reason)
    {
        var errors = renderer.Check(Template(html: html));
        Assert.Contains(errors, e => e.Contains(reason, StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(() => renderer.Render(Template(html: html), Values()));
    }

    [Fact]
    public void AGoodTemplate_HasNoComplaints()
    {
        Assert.Empty(renderer.Check(Template()));
    }

    [Fact]
    public void Pick_TakesTheNewestVersionInTheContactsLanguage_OrTheOtherLanguage()
    {
        MailTemplate[] versions =
        [
            new("follow-up", ContactLanguage.Nl, 1, "s", "h", "t"), new("follow-up", ContactLanguage.Nl, 4, "s", "h", "t"),
            new("follow-up", ContactLanguage.En, 2, "s", "h", "t"), new("invitation", ContactLanguage.En, 9, "s", "h", "t"),
        ];
        Assert.Equal((ContactLanguage.Nl, 4), Pick(versions, "follow-up", ContactLanguage.Nl));
        Assert.Equal((ContactLanguage.En, 2), Pick(versions, "follow-up", ContactLanguage.En));
        Assert.Equal((ContactLanguage.En, 9), Pick(versions, "invitation", ContactLanguage.Nl));
        Assert.Null(MailTemplates.Pick(versions, "nothing", ContactLanguage.Nl));
    }

    private static (ContactLanguage, int) Pick(MailTemplate[] versions, string key, ContactLanguage language)
    {
        var t = MailTemplates.Pick(versions, key, language)!;
        return (t.Language, t.Version);
    }

    [Fact]
    public void TheBuiltInTemplates_AreCompleteInBothLanguages_AndPassTheRenderersChecks()
    {
        var renderer = new HandlebarsTemplateRenderer();
        foreach (var purpose in BuiltInTemplates.Purposes)
        {
            foreach (var language in new[] { Outreach.Core.Prospects.ContactLanguage.Nl, Outreach.Core.Prospects.ContactLanguage.En })
            {
                var template = Assert.Single(BuiltInTemplates.Everything, t => t.Key == purpose.Key && t.Language == language);
                Assert.Empty(renderer.Check(template));
            }
        }

        Assert.All(BuiltInTemplates.StarterSequence.Steps, s => Assert.Contains(BuiltInTemplates.Purposes, p => p.Key == s.TemplateKey));
    }

    [Fact]
    public void TheBuiltInEventTemplates_PassTheCheck_InBothLanguages_AndRenderTheLinks()
    {
        var renderer = new HandlebarsTemplateRenderer();
        foreach (var kind in Enum.GetValues<Outreach.Core.Events.EventMailKind>().Where(Outreach.Core.Events.EventMailTemplates.HasMail))
        {
            foreach (var language in new[] { ContactLanguage.Nl, ContactLanguage.En })
            {
                var t = Outreach.Core.Events.EventMailTemplates.All.Single(x => x.Key == Outreach.Core.Events.EventMailTemplates.Key(kind) && x.Language == language);
                Assert.Empty(renderer.Check(t));
                var r = renderer.Render(t, Values() with { EventName = "Goud & zilver", EventDate = "15 april", AcceptUrl = "https://x.test/r/a?a=accept", DeclineUrl = "https://x.test/r/a?a=decline", CancelUrl = "https://x.test/r/a?a=cancel" });
                Assert.Contains("https://outreach.example/u/abc?x=1&y=2", r.Text, StringComparison.Ordinal);
                Assert.DoesNotContain("{{", r.Html, StringComparison.Ordinal);
                Assert.Contains("Goud &amp; zilver", r.Html, StringComparison.Ordinal);
            }
        }
    }
}
