using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Outreach.Dataverse.Tests;

/// <summary>
/// The model-driven app in solutions/Outreach checked against the rules an import relies on (no Dataverse here to import
/// into): every column a form, view or chart names exists on its table, every id is unique, every component the app and
/// the manifest name exists, the asked-for views, chart, tab and site-map groups are there, and a changed solution carries
/// a raised version (solutions/Outreach.stamp, written by scripts/pack-solution --stamp).
/// </summary>
public sealed partial class SolutionAppTests
{
    private static readonly string Root = FindRoot();
    private static readonly string SolutionFolder = Path.Combine(Root, "solutions", "Outreach");
    private static readonly XDocument Customizations = XDocument.Load(Path.Combine(SolutionFolder, "customizations.xml"));
    private static readonly XDocument Manifest = XDocument.Load(Path.Combine(SolutionFolder, "solution.xml"));

    /// <summary>Columns every table has without the solution defining them.</summary>
    private static readonly string[] SystemColumns = ["statecode", "statuscode", "ownerid", "createdon", "modifiedon", "createdby", "modifiedby"];

    /// <summary>Standard columns of the standard tables that the app shows.</summary>
    private static readonly Dictionary<string, string[]> StandardColumns = new(StringComparer.Ordinal)
    {
        ["account"] = ["accountid", "name", "websiteurl", "address1_city", "address1_country"],
        ["contact"] = ["contactid", "fullname", "emailaddress1", "parentcustomerid"],
    };

    private const string SubgridClass = "{E7A81278-8635-4d9e-8D4D-59480B391C5B}";

    [Fact]
    public void EveryFormControl_BindsAColumnOfItsTable()
    {
        var missing = new List<string>();
        var checkedControls = 0;
        foreach (var (table, form) in Forms())
        {
            foreach (var control in form.Descendants("control"))
            {
                if ((string?)control.Attribute("datafieldname") is not { } field) continue;
                checkedControls++;
                if (!Columns(table).Contains(field)) missing.Add($"{table} form {FormName(form)}: {field}");
            }
        }

        Assert.Empty(missing);
        Assert.True(checkedControls > 30, $"found {checkedControls} bound controls");
    }

    [Fact]
    public void EveryView_FetchesAndShowsColumnsOfItsTable()
    {
        var problems = new List<string>();
        foreach (var (table, view) in Views())
        {
            var name = ViewName(view);
            var fetchEntity = view.Element("fetchxml")!.Element("fetch")!.Element("entity")!;
            if ((string?)fetchEntity.Attribute("name") != table) problems.Add($"{name}: fetches {(string?)fetchEntity.Attribute("name")}, not {table}");
            var fetched = fetchEntity.Elements("attribute").Select(a => (string)a.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
            var named = fetched
                .Concat(fetchEntity.Elements("order").Select(o => (string)o.Attribute("attribute")!))
                .Concat(fetchEntity.Descendants("condition").Select(c => (string)c.Attribute("attribute")!));
            problems.AddRange(named.Where(c => !Columns(table).Contains(c)).Select(c => $"{name}: fetch names {c}"));

            var grid = view.Element("layoutxml")!.Element("grid")!;
            var row = grid.Element("row")!;
            if ((string?)row.Attribute("id") != PrimaryKey(table)) problems.Add($"{name}: grid row id {(string?)row.Attribute("id")}");
            if (!fetched.Contains((string)grid.Attribute("jump")!)) problems.Add($"{name}: jump column not fetched");
            // A grid cell must be a fetched column of the table (no link-entity columns are used).
            problems.AddRange(row.Elements("cell").Select(c => (string)c.Attribute("name")!).Where(c => !fetched.Contains(c) || !Columns(table).Contains(c)).Select(c => $"{name}: cell {c}"));
        }

        Assert.Empty(problems);
        Assert.True(Views().Count() >= 6, "views found");
    }

    [Fact]
    public void EveryId_IsUnique()
    {
        var ids = Customizations.Descendants()
            .Where(e => e.Name.LocalName is "formid" or "savedqueryid" or "savedqueryvisualizationid")
            .Select(e => e.Value.Trim().ToLowerInvariant())
            .Concat(Customizations.Descendants("form").Descendants().Where(e => e.Name.LocalName is "tab" or "section" or "cell")
                .Select(e => ((string)e.Attribute("id")!).ToLowerInvariant()))
            .ToList();
        Assert.True(ids.Count > 50, $"{ids.Count} ids");
        Assert.Empty(ids.GroupBy(x => x).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.All(ids, id => Assert.True(Guid.TryParse(id, out _), $"{id} is not a GUID"));

        // Control ids are unique within a form (the form's script and designer address controls by id).
        foreach (var (_, form) in Forms())
            Assert.Empty(form.Descendants("control").GroupBy(c => (string)c.Attribute("id")!).Where(g => g.Count() > 1).Select(g => g.Key));

        var siteMapIds = Customizations.Descendants("SiteMap").Descendants().Where(e => e.Name.LocalName is "Area" or "Group" or "SubArea")
            .Select(e => (string)e.Attribute("Id")!).ToList();
        Assert.Equal(siteMapIds.Count, siteMapIds.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void EverySubgrid_FollowsARelationshipOfItsFormsTable_WithAViewOfTheRelatedTable()
    {
        var relationships = Customizations.Descendants("EntityRelationship").ToDictionary(r => (string)r.Attribute("Name")!, StringComparer.Ordinal);
        var grids = 0;
        foreach (var (table, form) in Forms())
        {
            foreach (var control in form.Descendants("control").Where(c => string.Equals((string?)c.Attribute("classid"), SubgridClass, StringComparison.OrdinalIgnoreCase)))
            {
                grids++;
                var parameters = control.Element("parameters")!;
                var target = parameters.Element("TargetEntityType")!.Value;
                Assert.True(relationships.TryGetValue(parameters.Element("RelationshipName")!.Value, out var relationship), parameters.Element("RelationshipName")!.Value);
                Assert.Equal(table, relationship.Element("ReferencedEntityName")!.Value);
                Assert.Equal(target, relationship.Element("ReferencingEntityName")!.Value);
                var viewId = parameters.Element("ViewId")!.Value;
                Assert.Contains(Views(), v => v.Table == target && SameId(v.View.Element("savedqueryid")!.Value, viewId));
            }
        }

        Assert.Equal(4, grids);
    }

    [Fact]
    public void EveryRelationshipAndLookup_PointsAtAColumnThatExists()
    {
        foreach (var relationship in Customizations.Descendants("EntityRelationship"))
        {
            var referencing = relationship.Element("ReferencingEntityName")!.Value;
            var column = relationship.Element("ReferencingAttributeName")!.Value;
            var definition = Definitions(referencing).SingleOrDefault(a => a.Element("LogicalName")!.Value == column);
            Assert.NotNull(definition);
            Assert.Equal("lookup", definition.Element("Type")!.Value);
            Assert.Contains(relationship.Element("ReferencedEntityName")!.Value, definition.Descendants("LookupType").Select(t => t.Value));
        }
    }

    [Fact]
    public void TheChart_CountsAccountsByPipelineStage()
    {
        var chart = Assert.Single(Customizations.Descendants("visualization"));
        Assert.Equal("Accounts by pipeline stage", Label(chart));
        Assert.Equal("account", chart.Element("primaryentitytypecode")!.Value);
        var entity = chart.Element("datadescription")!.Descendants("fetch").Single().Element("entity")!;
        Assert.Equal("account", (string)entity.Attribute("name")!);
        var groupBy = entity.Elements("attribute").Single(a => (string?)a.Attribute("groupby") == "true");
        Assert.Equal("otr_pipelinestage", (string)groupBy.Attribute("name")!);
        var aggregate = entity.Elements("attribute").Single(a => a.Attribute("aggregate") is not null);
        Assert.Contains((string)aggregate.Attribute("name")!, Columns("account"));
        Assert.Equal((string)aggregate.Attribute("alias")!, (string)chart.Descendants("measure").Single().Attribute("alias")!);
        Assert.NotNull(chart.Element("presentationdescription")!.Element("Chart"));
        // The chart hangs under the account table in customizations.xml.
        Assert.Equal("account", EntityOf(chart));
    }

    [Fact]
    public void TheAskedForViews_FilterAsTheirNamesSay()
    {
        var accountViews = Views().Where(v => v.Table == "account").ToDictionary(v => ViewName(v.View), v => v.View.Descendants("condition").ToList());
        Assert.Contains(accountViews["Pipeline by stage"], c => Condition(c) == ("otr_pipelinestage", "not-null", null));
        Assert.Contains(accountViews["Overdue next actions"], c => Condition(c) == ("otr_nextactiondue", "olderthan-x-days", "1"));
        Assert.Contains(accountViews["Signed this year"], c => Condition(c) == ("otr_pipelinestage", "eq", DataverseSchema.StageValue(Core.Pipeline.Stage.Signed).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains(accountViews["Signed this year"], c => Condition(c) == ("otr_pipelinestagesince", "this-year", null));
        // Every otr_ table has a main form and a view.
        var milestoneViews = Views().Where(v => v.Table == "otr_onboardingmilestone").ToDictionary(v => ViewName(v.View), v => v.View.Descendants("condition").ToList());
        // Overdue is counted in Dynamics on the day the view is opened: open and due before today (Outreach stores no "overdue").
        Assert.Contains(milestoneViews["Overdue onboarding milestones"], c => Condition(c) == ("otr_dueon", "olderthan-x-days", "1"));
        Assert.Contains(milestoneViews["Overdue onboarding milestones"], c => Condition(c) ==
            ("otr_status", "eq", DataverseSchema.ChoiceValue(Core.Crm.MilestoneStatus.Open).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains(Views(), v => v.Table == "account" && ViewName(v.View) == "Signed this year"
            && v.View.Descendants("cell").Any(c => (string?)c.Attribute("name") == DataverseSchema.Account.OnboardingStatus));
        foreach (var table in new[] { "otr_stagechange", "otr_networkevent", "otr_invitation", "otr_onboardingmilestone" })
        {
            Assert.Contains(Forms(), f => f.Table == table);
            Assert.Contains(Views(), v => v.Table == table);
        }
    }

    [Fact]
    public void TheAccountForm_HasAnOutreachTab_WithTheStageColumnsTheLinkAndBothSubgrids()
    {
        var form = Forms().Single(f => f.Table == "account").Form;
        var tab = form.Descendants("tab").Single(t => Label(t) == "Outreach");
        var fields = tab.Descendants("control").Select(c => (string?)c.Attribute("datafieldname")).OfType<string>().ToList();
        Assert.Equal(
            ["otr_pipelinestage", "otr_pipelinestagesince", "otr_covenant", "otr_firststage", "otr_startoutcome", "otr_nextaction", "otr_nextactiondue", "otr_outreachowner", "otr_outreachurl", "otr_onboardingstatus"],
            fields);
        Assert.Equal(["otr_stagechange", "otr_invitation", "otr_onboardingmilestone"], tab.Descendants("TargetEntityType").Select(t => t.Value));
        // What Outreach owns is read-only on the form (a stage is requested as a stage change row); what a Dynamics user may
        // set is editable: the covenant, its first stage and owner (a start), and the next action and its due date (taken in).
        foreach (var owned in new[] { "otr_pipelinestage", "otr_pipelinestagesince", "otr_outreachurl", "otr_startoutcome", "otr_onboardingstatus" })
            Assert.Equal("true", (string?)tab.Descendants("control").Single(c => (string?)c.Attribute("datafieldname") == owned).Attribute("disabled"));
        foreach (var editable in new[] { "otr_covenant", "otr_firststage", "otr_outreachowner", "otr_nextaction", "otr_nextactiondue" })
            Assert.Null(tab.Descendants("control").Single(c => (string?)c.Attribute("datafieldname") == editable).Attribute("disabled"));
        var url = Definitions("account").Single(a => a.Element("LogicalName")!.Value == DataverseSchema.Account.OutreachUrl);
        Assert.Equal("url", url.Element("Format")!.Value);
    }

    [Fact]
    public void TheApp_NamesOnlyComponentsThatExist_AndItsSiteMapHasTheGroups()
    {
        var app = Customizations.Descendants("AppModule").Single();
        Assert.Equal("Outreach", Label(app));
        var siteMap = Customizations.Descendants("AppModuleSiteMap").Single();
        var components = app.Element("AppModuleComponents")!.Elements("AppModuleComponent").ToList();
        foreach (var component in components)
        {
            var type = (string)component.Attribute("type")!;
            var key = (string?)component.Attribute("id") ?? (string)component.Attribute("schemaName")!;
            Assert.True(Exists(type, key), $"app component type {type} {key}");
        }

        Assert.Contains(components, c => (string)c.Attribute("type")! == "62" && (string)c.Attribute("schemaName")! == siteMap.Element("SiteMapUniqueName")!.Value);
        var tables = components.Where(c => (string)c.Attribute("type")! == "1").Select(c => (string)c.Attribute("schemaName")!).ToHashSet(StringComparer.Ordinal);
        // Each table of the app brings its form, and every site-map entry is a table of the app.
        foreach (var (table, form) in Forms())
        {
            Assert.Contains(table, tables);
            Assert.Contains(components, c => (string)c.Attribute("type")! == "60" && SameId((string)c.Attribute("id")!, form.Element("formid")!.Value));
        }

        var subAreas = siteMap.Descendants("SubArea").ToList();
        Assert.All(subAreas, s => Assert.Contains((string)s.Attribute("Entity")!, tables));
        Assert.Equal(["Prospects", "Stage changes", "Network events", "Invitations", "Onboarding milestones"], siteMap.Descendants("Group").Select(Label));
        Assert.Equal(["account", "otr_stagechange", "otr_networkevent", "otr_invitation", "otr_onboardingmilestone"], subAreas.Select(s => (string)s.Attribute("Entity")!));
        // The place kept for onboarding milestones (a comment until the table landed) is taken by the entry itself.
        Assert.DoesNotContain(siteMap.DescendantNodes().OfType<XComment>(), c => c.Value.Contains("Onboarding milestones", StringComparison.Ordinal));
        // Both milestone views are in the app (listing views limits the app to them).
        foreach (var (_, view) in Views().Where(v => v.Table == "otr_onboardingmilestone"))
            Assert.Contains(components, c => (string)c.Attribute("type")! == "26" && SameId((string)c.Attribute("id")!, view.Element("savedqueryid")!.Value));
    }

    [Fact]
    public void TheManifest_ListsTheAppAndEveryComponentOfATableAddedWithoutItsSubcomponents()
    {
        var roots = Manifest.Descendants("RootComponent").ToList();
        foreach (var root in roots)
        {
            var type = (string)root.Attribute("type")!;
            var key = (string?)root.Attribute("id") ?? (string)root.Attribute("schemaName")!;
            Assert.True(Exists(type, key), $"root component type {type} {key}");
        }

        bool Listed(string type, string key) => roots.Any(r => (string)r.Attribute("type")! == type &&
            ((string?)r.Attribute("id") is { } id ? SameId(id, key) : (string)r.Attribute("schemaName")! == key));
        Assert.True(Listed("80", Customizations.Descendants("AppModule").Single().Element("UniqueName")!.Value));
        Assert.True(Listed("62", Customizations.Descendants("SiteMapUniqueName").Single().Value));
        // behavior 2 = only what is listed: such a table's forms, views and charts must be root components themselves.
        foreach (var table in roots.Where(r => (string)r.Attribute("type")! == "1" && (string?)r.Attribute("behavior") == "2").Select(r => (string)r.Attribute("schemaName")!))
        {
            foreach (var (t, form) in Forms().Where(f => f.Table == table)) Assert.True(Listed("60", form.Element("formid")!.Value), $"form of {t}");
            foreach (var (t, view) in Views().Where(v => v.Table == table)) Assert.True(Listed("26", view.Element("savedqueryid")!.Value), $"{ViewName(view)} of {t}");
            foreach (var chart in Customizations.Descendants("visualization").Where(v => EntityOf(v) == table))
                Assert.True(Listed("59", chart.Element("savedqueryvisualizationid")!.Value), $"chart of {table}");
        }

        // Every table the solution defines a column or form for is a root component.
        foreach (var entity in Customizations.Root!.Element("Entities")!.Elements("Entity").Select(e => e.Element("Name")!.Value))
            Assert.True(Listed("1", entity), entity);
    }

    [Fact]
    public void TheVersion_WasRaisedForTheContentAsItIsNow()
    {
        var stamp = File.ReadAllLines(Path.Combine(Root, "solutions", "Outreach.stamp"))
            .Where(l => !l.StartsWith('#') && l.Contains(' ', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf(' ', StringComparison.Ordinal)], l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..], StringComparer.Ordinal);
        var version = Manifest.Descendants("Version").Single().Value;
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", version);
        Assert.True(stamp["version"] == version, $"solution.xml says {version}, the stamp {stamp["version"]}: run scripts/pack-solution --stamp");
        Assert.True(stamp["sha256"] == ContentHash(SolutionFolder),
            $"solutions/Outreach changed since {version} was stamped: raise <Version> in solution.xml, then run scripts/pack-solution --stamp.");
    }

    [Fact]
    public void TheVersionCheck_SeesAChangeInAnyFile_ButNotInTheVersionItself()
    {
        // Guards the check: the hash must move with the content and ignore only <Version>.
        var copy = Directory.CreateTempSubdirectory("outreach-solution-");
        try
        {
            foreach (var file in Directory.GetFiles(SolutionFolder)) File.Copy(file, Path.Combine(copy.FullName, Path.GetFileName(file)));
            var original = ContentHash(copy.FullName);
            Assert.Equal(original, ContentHash(SolutionFolder));
            var solution = Path.Combine(copy.FullName, "solution.xml");
            File.WriteAllText(solution, VersionElement().Replace(File.ReadAllText(solution), "<Version>9.9.9.9</Version>", 1));
            Assert.Equal(original, ContentHash(copy.FullName));
            File.AppendAllText(Path.Combine(copy.FullName, "customizations.xml"), "<!-- a changed view -->");
            Assert.NotEqual(original, ContentHash(copy.FullName));
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    /// <summary>The same hash scripts/pack-solution computes: the three files, line endings normalised, solution.xml's Version blanked.</summary>
    private static string ContentHash(string folder)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in new[] { "[Content_Types].xml", "solution.xml", "customizations.xml" })
        {
            var text = File.ReadAllText(Path.Combine(folder, name), Encoding.UTF8).Replace("\r\n", "\n", StringComparison.Ordinal);
            if (name == "solution.xml") text = VersionElement().Replace(text, "<Version/>", 1);
            sha.AppendData(Encoding.UTF8.GetBytes(name));
            sha.AppendData([0]);
            sha.AppendData(Encoding.UTF8.GetBytes(text));
            sha.AppendData([0]);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static bool Exists(string type, string key) => type switch
    {
        "1" => Customizations.Root!.Element("Entities")!.Elements("Entity").Any(e => e.Element("Name")!.Value == key),
        "9" => Customizations.Descendants("optionset").Any(o => (string?)o.Attribute("Name") == key && o.Parent?.Name.LocalName == "optionsets"),
        "26" => Customizations.Descendants("savedqueryid").Any(e => SameId(e.Value, key)),
        "59" => Customizations.Descendants("savedqueryvisualizationid").Any(e => SameId(e.Value, key)),
        "60" => Customizations.Descendants("formid").Any(e => SameId(e.Value, key)),
        "62" => Customizations.Descendants("SiteMapUniqueName").Any(e => e.Value == key),
        "80" => Customizations.Descendants("AppModule").Any(e => e.Element("UniqueName")!.Value == key),
        _ => false,
    };

    private static IEnumerable<(string Table, XElement Form)> Forms() =>
        Customizations.Descendants("systemform").Select(f => (EntityOf(f), f));

    private static IEnumerable<(string Table, XElement View)> Views() =>
        Customizations.Descendants("savedquery").Select(v => (EntityOf(v), v));

    private static string EntityOf(XElement element) => element.Ancestors("Entity").Single().Element("Name")!.Value;

    private static IEnumerable<XElement> Definitions(string table) =>
        Customizations.Root!.Element("Entities")!.Elements("Entity").Where(e => e.Element("Name")!.Value == table)
            .Descendants("attributes").Elements("attribute");

    private static HashSet<string> Columns(string table)
    {
        var columns = new HashSet<string>(SystemColumns, StringComparer.Ordinal) { PrimaryKey(table) };
        columns.UnionWith(Definitions(table).Select(a => a.Element("LogicalName")!.Value));
        if (StandardColumns.TryGetValue(table, out var standard)) columns.UnionWith(standard);
        return columns;
    }

    private static string PrimaryKey(string table) => table + "id";

    private static bool SameId(string a, string b) => Guid.Parse(a) == Guid.Parse(b);

    private static (string?, string?, string?) Condition(XElement c) =>
        ((string?)c.Attribute("attribute"), (string?)c.Attribute("operator"), (string?)c.Attribute("value"));

    private static string FormName(XElement form) => Label(form);

    private static string ViewName(XElement view) => Label(view);

    /// <summary>The English label of a form, view, chart, app, tab or site-map group.</summary>
    private static string Label(XElement element) =>
        (string?)element.Element("LocalizedNames")?.Elements("LocalizedName").FirstOrDefault(n => (string?)n.Attribute("languagecode") == "1033")?.Attribute("description")
        ?? (string?)element.Element("labels")?.Elements("label").FirstOrDefault(n => (string?)n.Attribute("languagecode") == "1033")?.Attribute("description")
        ?? (string?)element.Element("Titles")?.Elements("Title").FirstOrDefault(n => (string?)n.Attribute("LCID") == "1033")?.Attribute("Title")
        ?? throw new InvalidOperationException($"No label on {element.Name}");

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Outreach.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Outreach.sln not found above the test folder.");
    }

    [GeneratedRegex("<Version>[^<]*</Version>")]
    private static partial Regex VersionElement();
}
