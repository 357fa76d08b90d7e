using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Outreach.Core.Pipeline;
using Outreach.Dataverse.Testing;

namespace Outreach.Dataverse.Tests;

/// <summary>
/// One source of truth for names: every entity set, column, $select name and "@odata.bind" navigation property the code
/// uses is one that Dataverse exposes once solutions/Outreach is imported, spelled exactly (the Web API is case-sensitive),
/// checked against the same model of the solution the local server enforces (SolutionModel).
/// </summary>
public sealed partial class SolutionNamesTests
{
    private static readonly string Root = FindRoot();
    private static readonly string SolutionFolder = Path.Combine(Root, "solutions", "Outreach");

    [Theory]
    [InlineData("solution.xml")]
    [InlineData("customizations.xml")]
    [InlineData("[Content_Types].xml")]
    public void SolutionFile_IsWellFormedXml(string file)
    {
        var document = XDocument.Load(Path.Combine(SolutionFolder, file));
        Assert.NotNull(document.Root);
    }

    [Fact]
    public void Solution_NamesPublisherPrefixOtr()
    {
        var manifest = XDocument.Load(Path.Combine(SolutionFolder, "solution.xml")).Root!.Element("SolutionManifest")!;
        Assert.Equal("otr", manifest.Element("Publisher")!.Element("CustomizationPrefix")!.Value);
        Assert.Equal("OutreachCovenant", manifest.Element("UniqueName")!.Value);
    }

    [Fact]
    public void EveryNameInDataverseSchema_IsExposedByTheSolutionExactly()
    {
        var problems = new List<string>();
        var tables = typeof(DataverseSchema).GetNestedTypes().Where(t => t.GetField("Table") is not null).ToList();
        Assert.True(tables.Count >= 6, "reflection found the tables");
        foreach (var type in tables)
        {
            var logicalName = (string)type.GetField("Table")!.GetRawConstantValue()!;
            if (Model.ByLogicalName(logicalName) is not { } table)
            {
                problems.Add($"{type.Name}: table {logicalName} is not in the solution");
                continue;
            }

            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                if (field.IsLiteral && field.GetRawConstantValue() is string name)
                {
                    if (field.Name == "Table") continue;
                    if (field.Name == "EntitySet")
                    {
                        if (name != table.EntitySet) problems.Add($"{type.Name}.EntitySet: {name}, but the solution's entity set is {table.EntitySet}");
                    }
                    else if (Problem(table, name) is { } problem)
                    {
                        problems.Add($"{type.Name}.{field.Name}: {problem}");
                    }
                }
                else if (field.GetValue(null) is IEnumerable<string> columns)
                {
                    // What a $select names.
                    foreach (var column in columns.Where(c => !table.CanSelect(c))) problems.Add($"{type.Name}.{field.Name}: {column} cannot be selected on {table.LogicalName}");
                }
            }
        }

        var choices = Customizations().Descendants("optionset").Select(o => (string)o.Attribute("Name")!).ToHashSet(StringComparer.Ordinal);
        foreach (var field in typeof(DataverseSchema).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.Name.EndsWith("Choice", StringComparison.Ordinal)))
        {
            if (!choices.Contains((string)field.GetRawConstantValue()!)) problems.Add($"{field.Name}: no choice {field.GetRawConstantValue()} in the solution");
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void EveryWriteTheCodeSends_UsesOnlyEntitySetsColumnsAndNavigationPropertiesTheSolutionExposes()
    {
        var at = new DateTimeOffset(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);
        var networkEvent = new Core.Crm.WriteBackEvent(1, "uid-1@outreach", "Netwerkdag", "gold", Core.Events.EventFormat.Physical, Core.Events.EventStatus.Scheduled,
            "Utrecht", at, at.AddHours(3), 30, at.AddDays(-1), Guid.NewGuid());
        var invitation = new Core.Crm.WriteBackInvitation(2, Guid.NewGuid(), "Iris Dekker", Core.Events.InvitationResponse.Accepted, at, Core.Events.PlaceStatus.Waitlisted,
            1, at, at, false, false, at);
        var items = new Core.Crm.WriteBackItem[]
        {
            new Core.Crm.AccountWriteBack(1, "stage-change:1", Guid.NewGuid(), "gold", Stage.Contacted, at, "Call", new DateOnly(2026, 11, 9),
                new Core.Crm.WriteBackChange(1, Stage.Identified, Stage.Contacted, at, "Anne", "Mailed"), 0),
            new Core.Crm.EventWriteBack(2, "event:1:v1", networkEvent, 0),
            new Core.Crm.InvitationWriteBack(3, "invitation:2:v1", networkEvent, invitation, 0),
            MilestoneItems.Row(4, Guid.NewGuid(), 5, MilestoneItems.Milestone(6, 5, "policy", new DateOnly(2026, 6, 1), done: new DateOnly(2026, 5, 1), year: 2), []),
        };
        var problems = new List<string>();
        var operations = items.SelectMany(i => DataverseWriteBack.Operations(i, today: new DateOnly(2026, 11, 2))).ToList();
        foreach (var operation in operations)
        {
            var set = operation.RelativeUrl[..operation.RelativeUrl.IndexOf('(', StringComparison.Ordinal)];
            if (Model.ByEntitySet(set) is not { } table)
            {
                problems.Add($"{operation.RelativeUrl}: no entity set {set}");
                continue;
            }

            foreach (var (name, value) in operation.Body!)
            {
                if (name.EndsWith("@odata.bind", StringComparison.Ordinal))
                {
                    var navigation = name[..^"@odata.bind".Length];
                    if (!table.Navigation.TryGetValue(navigation, out var target))
                    {
                        problems.Add($"{set}: {name} is no navigation property of {table.LogicalName} (it has {string.Join(", ", table.Navigation.Keys)})");
                    }
                    else if (value is not null)
                    {
                        var reference = value.GetValue<string>().TrimStart('/');
                        var boundSet = reference[..reference.IndexOf('(', StringComparison.Ordinal)];
                        if (Model.ByLogicalName(target)?.EntitySet != boundSet) problems.Add($"{set}: {name} points at {target}, but binds {boundSet}");
                    }
                }
                else if (!table.Columns.Contains(name))
                {
                    problems.Add($"{set}: {name} is no column of {table.LogicalName}");
                }
            }
        }

        // Every kind of write went through the check (account, task, stage change, event, invitation, onboarding milestone).
        Assert.Equal(6, operations.Select(o => o.RelativeUrl[..o.RelativeUrl.IndexOf('(', StringComparison.Ordinal)]).Distinct().Count());
        Assert.Empty(problems);
    }

    [Fact]
    public void TheSyncQueries_NameOnlyEntitySetsAndColumnsTheSolutionExposes()
    {
        using var client = new DataverseClient(new HttpClient { BaseAddress = new Uri("https://contoso.crm4.dynamics.com/api/data/v9.2/") }, new DataverseOptions());
        var queries = new[] { (DataverseSchema.Account.EntitySet, DataverseSchema.Account.SyncColumns), (DataverseSchema.Contact.EntitySet, DataverseSchema.Contact.SyncColumns),
                (DataverseSchema.StageChangeTable.EntitySet, DataverseSchema.StageChangeTable.SyncColumns) }
            .Select(q => (Set: q.Item1, Uri: client.ChangesQuery(q.Item1, q.Item2)))
            // Who requested a move: one systemuser by id.
            .Append((DataverseSchema.SystemUser.EntitySet, client.UserQuery(Guid.NewGuid())))
            .ToList();
        Assert.Equal(4, queries.Count);
        foreach (var (set, uri) in queries)
        {
            var query = Uri.UnescapeDataString(uri.PathAndQuery);
            var path = query[..query.IndexOf('?', StringComparison.Ordinal)];
            var table = Model.ByEntitySet(path[(path.LastIndexOf('/') + 1)..]);
            Assert.NotNull(table);
            foreach (var option in query[(query.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&'))
            {
                var (key, value) = (option[..option.IndexOf('=', StringComparison.Ordinal)], option[(option.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                Assert.True(key is "$select" or "$filter" or "$expand", key);
                foreach (var name in value.Split(','))
                {
                    var column = key == "$filter" ? name.Split(' ')[0] : name;
                    Assert.True(key == "$expand" ? table.Navigation.ContainsKey(column) || table.Collections.Contains(column) : table.CanSelect(column), $"{set}: {key} names {column}");
                }
            }
        }
    }

    [Fact]
    public void EveryCustomOrBoundNameInTheSourceCode_IsExposedByTheSolutionExactly()
    {
        var known = KnownNames();
        var used = Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => SourceName().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Name: m.Value)))
            .ToList();
        Assert.NotEmpty(used);
        Assert.Contains(used, u => u.Name.EndsWith("@odata.bind", StringComparison.Ordinal));
        var missing = used.Where(u => !IsKnown(u.Name, known)).Select(u => $"{u.File}: {u.Name}").Distinct().ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void AnUndefinedOrMiscasedName_IsCaught()
    {
        // Guards the checks themselves: a typo or another case in a name must fail, as it would in Dataverse.
        var known = KnownNames();
        Assert.False(IsKnown("otr_kvknummer", known));
        Assert.False(IsKnown("otr_AccountId@odata.bind", known));
        Assert.True(IsKnown("otr_accountid@odata.bind", known));
        var account = Model.ByEntitySet("accounts")!;
        Assert.False(account.CanSelect("emailaddress9"));
        Assert.False(Model.ByEntitySet("otr_stagechanges")!.Navigation.ContainsKey("otr_AccountId"));
        Assert.Equal("account", Model.ByEntitySet("otr_stagechanges")!.Navigation["otr_accountid"]);
        Assert.Null(Model.ByEntitySet("otr_stagechange"));
    }

    [Fact]
    public void EveryTableAndChoiceTheCustomizationsUse_IsARootComponentOfTheSolution()
    {
        // A choice a column uses but the manifest does not list is left out of the exported solution (and an import
        // into a clean environment fails on the missing dependency): type 1 = table, type 9 = choice (option set).
        var roots = XDocument.Load(Path.Combine(SolutionFolder, "solution.xml")).Descendants("RootComponent")
            .Select(r => ((string)r.Attribute("type")!, (string)r.Attribute("schemaName")!)).ToHashSet();
        var xml = Customizations();
        var tables = xml.Descendants("Entity").Select(e => e.Element("Name")!.Value).ToList();
        var choices = xml.Descendants("optionset").Select(o => (string)o.Attribute("Name")!)
            .Concat(xml.Descendants("OptionSetName").Select(o => o.Value)).Distinct().ToList();
        Assert.True(tables.Count >= 5 && choices.Count >= 5, "the customizations were read");

        var missing = tables.Where(t => !roots.Contains(("1", t))).Select(t => $"table {t}")
            .Concat(choices.Where(c => !roots.Contains(("9", c))).Select(c => $"choice {c}")).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void PipelineStageChoice_HasEveryStageWithTheValueTheCodeWrites()
    {
        var options = XDocument.Load(Path.Combine(SolutionFolder, "customizations.xml")).Descendants("optionset")
            .Single(o => (string?)o.Attribute("Name") == DataverseSchema.PipelineStageChoice)
            .Descendants("option")
            .ToDictionary(o => (string)o.Attribute("ExternalValue")!, o => (int)o.Attribute("value")!);
        Assert.Equal(Stages.All.Count, options.Count);
        foreach (var stage in Stages.All)
            Assert.Equal(DataverseSchema.StageValue(stage), options[stage.Code()]);
    }

    [Fact]
    public void EventChoices_HaveEveryValueWithTheValueTheCodeWrites()
    {
        var sets = XDocument.Load(Path.Combine(SolutionFolder, "customizations.xml")).Descendants("optionset")
            .ToDictionary(o => (string)o.Attribute("Name")!, o => o.Descendants("option").ToDictionary(x => (string)x.Attribute("ExternalValue")!, x => (int)x.Attribute("value")!));

        static void Same<T>(Dictionary<string, int> options, Func<T, int> value) where T : struct, Enum
        {
            Assert.Equal(Enum.GetValues<T>().Length, options.Count);
            foreach (var member in Enum.GetValues<T>()) Assert.Equal(value(member), options[member.ToString().ToLowerInvariant()]);
        }

        Same<Core.Events.EventFormat>(sets[DataverseSchema.EventFormatChoice], DataverseSchema.ChoiceValue);
        Same<Core.Events.EventStatus>(sets[DataverseSchema.EventStatusChoice], DataverseSchema.ChoiceValue);
        Same<Core.Events.InvitationResponse>(sets[DataverseSchema.InvitationResponseChoice], DataverseSchema.ChoiceValue);
        Same<Core.Events.PlaceStatus>(sets[DataverseSchema.PlaceStatusChoice], DataverseSchema.ChoiceValue);
        // The attributes use those choices.
        var attributes = XDocument.Load(Path.Combine(SolutionFolder, "customizations.xml")).Descendants("attributes").Elements("attribute")
            .Where(a => a.Element("OptionSetName") is not null).Select(a => (a.Element("LogicalName")!.Value, a.Element("OptionSetName")!.Value)).ToList();
        Assert.Contains((DataverseSchema.NetworkEventTable.Status, DataverseSchema.EventStatusChoice), attributes);
        Assert.Contains((DataverseSchema.InvitationTable.Place, DataverseSchema.PlaceStatusChoice), attributes);
    }

    [Fact]
    public void MilestoneStatusChoice_HasEveryStatusWithTheValueTheCodeWrites_AndTheMilestoneTableUsesIt()
    {
        var xml = XDocument.Load(Path.Combine(SolutionFolder, "customizations.xml"));
        var options = xml.Descendants("optionset").Single(o => (string?)o.Attribute("Name") == DataverseSchema.MilestoneStatusChoice)
            .Descendants("option").ToDictionary(o => (string)o.Attribute("ExternalValue")!, o => (int)o.Attribute("value")!);
        Assert.Equal(Enum.GetValues<Core.Crm.MilestoneStatus>().Length, options.Count);
        foreach (var status in Enum.GetValues<Core.Crm.MilestoneStatus>()) Assert.Equal(DataverseSchema.ChoiceValue(status), options[status.ToString().ToLowerInvariant()]);
        var milestoneTable = xml.Descendants("Entity").Single(e => e.Element("Name")!.Value == DataverseSchema.OnboardingMilestoneTable.Table);
        var column = milestoneTable.Descendants("attributes").Elements("attribute").Single(a => a.Element("LogicalName")!.Value == DataverseSchema.OnboardingMilestoneTable.Status);
        Assert.Equal(("picklist", DataverseSchema.MilestoneStatusChoice), (column.Element("Type")!.Value, column.Element("OptionSetName")!.Value));
        // The dates are dates (no time zone shift in Dynamics), the evidence a link.
        foreach (var date in new[] { DataverseSchema.OnboardingMilestoneTable.DueOn, DataverseSchema.OnboardingMilestoneTable.DoneOn })
            Assert.Equal("dateonly", milestoneTable.Descendants("attribute").Single(a => a.Element("LogicalName")?.Value == date).Element("Format")!.Value);
        Assert.Equal("url", milestoneTable.Descendants("attribute").Single(a => a.Element("LogicalName")?.Value == DataverseSchema.OnboardingMilestoneTable.EvidenceLink).Element("Format")!.Value);
    }

    private static readonly SolutionModel Model = SolutionModel.Load(Path.Combine(SolutionFolder, "customizations.xml"));

    private static XDocument Customizations() => XDocument.Load(Path.Combine(SolutionFolder, "customizations.xml"));

    /// <summary>Why a name the code declares for <paramref name="table"/> is not one Dataverse exposes there, or null.</summary>
    private static string? Problem(SolutionTable table, string name)
    {
        if (name.EndsWith("@odata.bind", StringComparison.Ordinal))
        {
            var navigation = name[..^"@odata.bind".Length];
            return table.Navigation.ContainsKey(navigation) ? null
                : $"{name}: {table.LogicalName} has no navigation property {navigation} (it has {string.Join(", ", table.Navigation.Keys)})";
        }

        // A column, a lookup's value property, or a lookup's logical name (as a $filter on _x_value would use it).
        return table.CanSelect(name) || table.Lookups.Contains(name) ? null : $"{name} is no column of {table.LogicalName}";
    }

    private sealed record Known(HashSet<string> Names, HashSet<string> Navigation);

    /// <summary>Every name the imported solution exposes: tables, entity sets, columns, lookups, choices, relationships; and navigation properties.</summary>
    private static Known KnownNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var navigation = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in Model.Tables.Values)
        {
            names.Add(table.LogicalName);
            names.Add(table.EntitySet);
            names.UnionWith(table.Columns);
            names.UnionWith(table.Lookups);
            names.UnionWith(table.Collections);
            navigation.UnionWith(table.Navigation.Keys);
        }

        var xml = Customizations();
        foreach (var set in xml.Descendants("optionset")) names.Add((string)set.Attribute("Name")!);
        foreach (var relationship in xml.Descendants("EntityRelationship")) names.Add((string)relationship.Attribute("Name")!);
        return new Known(names, navigation);
    }

    private static bool IsKnown(string name, Known known)
    {
        if (name.EndsWith("@odata.bind", StringComparison.Ordinal)) return known.Navigation.Contains(name[..^"@odata.bind".Length]);
        if (name.StartsWith('_') && name.EndsWith("_value", StringComparison.Ordinal)) return known.Names.Contains(name[1..^"_value".Length]);
        return known.Names.Contains(name);
    }

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Outreach.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Outreach.sln not found above the test folder.");
    }

    /// <summary>Custom names (otr_…, with or without @odata.bind) and every bound navigation property (…@odata.bind) in a string literal.</summary>
    [GeneratedRegex(@"\botr_[A-Za-z_]+(@odata\.bind)?|\b[A-Za-z_]+@odata\.bind")]
    private static partial Regex SourceName();
}
