using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Jobs.Scheduling;

namespace Outreach.Web.Tests;

/// <summary>Every text the UI can show has a Dutch translation: view and page texts, stage and party-kind names, job names and domain messages.</summary>
public sealed partial class TranslationTests(DemoAppFixture app) : IClassFixture<DemoAppFixture>
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Outreach.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Outreach.sln not found above the test binaries.");
    }

    [GeneratedRegex("""T\["((?:[^"\\]|\\.)+)"\]|T\["((?:[^"\\]|\\.)+)",""")]
    private static partial Regex UiKey();

    [GeneratedRegex(""""(?:DomainMessage|FieldError|Refuse)\(\s*(?:[^"();]*?, |"[^"]*", )?"((?:[^"\\]|\\.)+)"""")]
    private static partial Regex DomainTemplate();

    private static readonly string[] SourceProjects = ["Outreach.Core", "Outreach.Storage"];

    public static IEnumerable<string> Keys()
    {
        var root = RepoRoot();
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src", "Outreach.Web"), "*.*", SearchOption.AllDirectories)
                     .Where(f => (f.EndsWith(".cshtml", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal)) && !f.Contains("/obj/", StringComparison.Ordinal)))
        {
            foreach (Match m in UiKey().Matches(File.ReadAllText(file)))
                keys.Add((m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).Replace("\\\"", "\"", StringComparison.Ordinal));
        }

        foreach (var file in SourceProjects.SelectMany(p => Directory.EnumerateFiles(Path.Combine(root, "src", p), "*.cs", SearchOption.AllDirectories)))
        {
            foreach (Match m in DomainTemplate().Matches(File.ReadAllText(file))) keys.Add(m.Groups[1].Value.Replace("\\\"", "\"", StringComparison.Ordinal));
        }

        foreach (var stage in Stages.All) keys.Add(stage.Label());
        keys.Add(Core.Reports.ConversionReport.CountingRule);
        keys.Add(Core.Reports.EventFollowThrough.Rule);
        foreach (var kind in PartyKinds.All) keys.Add(kind.Label());
        foreach (var kind in Enum.GetValues<Core.Activities.TimelineKind>()) keys.Add(Core.Activities.Timeline.Label(kind));
        foreach (var role in Core.Access.Roles.All) keys.Add(Core.Access.Roles.Code(role));
        foreach (var basis in LawfulBases.All) keys.Add(basis.Label());
        foreach (var job in JobCatalog.All) { keys.Add(job.Title); keys.Add(job.Description); }
        foreach (var phrase in JobSchedule.Phrases) keys.Add(phrase);
        foreach (var entity in Core.Audit.AuditEntities.All) keys.Add(Core.Audit.AuditEntities.Label(entity));
        foreach (var action in Core.Audit.AuditActions.All) keys.Add(Core.Audit.AuditActions.Label(action));
        foreach (var field in new[] { "Name", "Sector", "Owner", "Role", "Email", "Reason", "Stage", "Country", "Website", "Next action", "Source" }) keys.Add(field);
        return keys;
    }

    [Fact]
    public void DomainMessages_TranslateProductWords_ButNeverData()
    {
        var localizer = app.Services.GetRequiredService<IStringLocalizer<SharedResource>>();
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = new CultureInfo("nl");
            var refusal = Pages.LocalizerExtensions.Message(localizer, StageRules.WhyRefused(Stage.Contacted, Stage.Signed)!);
            Assert.Equal("Fasen kunnen niet worden overgeslagen: vanaf 'benaderd' is de volgende stap 'in gesprek', niet 'ondertekend'. Vanaf hier mogelijk: in gesprek, afgewezen, nu niet.", refusal);
            // An organisation that happens to be called "Pipeline" keeps its name.
            var duplicate = Pages.LocalizerExtensions.Message(localizer, new Core.Common.DomainMessage("Same name as '{0}' (ignoring case, punctuation and legal form).", "Pipeline"));
            Assert.Equal("Zelfde naam als 'Pipeline' (los van hoofdletters, leestekens en rechtsvorm).", duplicate);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    [Fact]
    public void EveryUiTextAndDomainMessage_HasADutchTranslation()
    {
        var keys = Keys().ToList();
        Assert.True(keys.Count > 100, $"only {keys.Count} keys found: the scan is broken");
        var localizer = app.Services.GetRequiredService<IStringLocalizer<SharedResource>>();
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = new CultureInfo("nl");
            var missing = keys.Where(k => localizer[k].ResourceNotFound).ToList();
            Assert.True(missing.Count == 0, "No Dutch for:\n" + string.Join("\n", missing));
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
