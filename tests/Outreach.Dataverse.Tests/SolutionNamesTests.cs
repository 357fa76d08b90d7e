using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Outreach.Core.Pipeline;

namespace Outreach.Dataverse.Tests;

/// <summary>
/// One source of truth for names: the solution in solutions/Outreach defines every custom Dataverse name the code uses,
/// and every other name the code uses is a standard one.
/// </summary>
public sealed partial class SolutionNamesTests
{
    private static readonly string Root = FindRoot();
    private static readonly string SolutionFolder = Path.Combine(Root, "solutions", "Outreach");

    /// <summary>Standard Dataverse tables and columns the code may use without the solution defining them.</summary>
    private static readonly HashSet<string> Standard = new(StringComparer.Ordinal)
    {
        "account", "accounts", "accountid", "name", "websiteurl", "address1_line1", "address1_postalcode", "address1_city", "address1_country",
        "contact", "contacts", "contactid", "fullname", "emailaddress1", "jobtitle", "parentcustomerid",
        "task", "tasks", "activityid", "subject", "description", "regardingobjectid_account_task",
    };

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
    public void EveryNameInDataverseSchema_IsDefinedInTheSolutionOrStandard()
    {
        var defined = DefinedNames();
        var missing = SchemaNames().Where(n => !IsKnown(n, defined)).ToList();
        Assert.Empty(missing);
        Assert.True(SchemaNames().Count() > 30, "reflection found the names");
    }

    [Fact]
    public void EveryCustomNameInTheSourceCode_IsDefinedInTheSolution()
    {
        var defined = DefinedNames();
        var used = Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => CustomName().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Name: m.Value)))
            .ToList();
        Assert.NotEmpty(used);
        var missing = used.Where(u => !IsKnown(u.Name, defined)).Select(u => $"{u.File}: {u.Name}").Distinct().ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void AnUndefinedName_IsCaught()
    {
        // Guards the check itself: a typo in a column name must fail.
        Assert.False(IsKnown("otr_kvknummer", DefinedNames()));
        Assert.False(IsKnown("emailaddress9", DefinedNames()));
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

    private static bool IsKnown(string name, Defined defined)
    {
        var plain = name.EndsWith("@odata.bind", StringComparison.Ordinal) ? name[..^"@odata.bind".Length] : name;
        if (plain.StartsWith('_') && plain.EndsWith("_value", StringComparison.Ordinal)) plain = plain[1..^"_value".Length];
        if (Standard.Contains(plain)) return true;
        // Navigation properties (…@odata.bind) use the schema name, which is case-sensitive.
        if (name.EndsWith("@odata.bind", StringComparison.Ordinal)) return defined.SchemaNames.Contains(plain) || defined.NavigationProperties.Contains(plain);
        return defined.LogicalNames.Contains(plain);
    }

    private sealed record Defined(HashSet<string> LogicalNames, HashSet<string> SchemaNames, HashSet<string> NavigationProperties);

    private static Defined DefinedNames()
    {
        var xml = XDocument.Load(Path.Combine(SolutionFolder, "customizations.xml"));
        var logical = new HashSet<string>(StringComparer.Ordinal);
        var schema = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entity in xml.Descendants("Entity"))
        {
            var name = entity.Element("Name")!.Value;
            logical.Add(name);
            if (entity.Descendants("EntitySetName").FirstOrDefault() is { } set) logical.Add(set.Value);
            // A custom table's primary key column is <table>id.
            if (name.StartsWith("otr_", StringComparison.Ordinal)) logical.Add(name + "id");
        }

        // Column definitions only (<attributes><attribute>), not the <attribute name=…/> of a view's or chart's FetchXML.
        foreach (var attribute in xml.Descendants("attributes").Elements("attribute"))
        {
            logical.Add(attribute.Element("LogicalName")!.Value);
            schema.Add((string)attribute.Attribute("PhysicalName")!);
        }

        foreach (var set in xml.Descendants("optionset")) logical.Add((string)set.Attribute("Name")!);
        foreach (var relationship in xml.Descendants("EntityRelationship")) logical.Add((string)relationship.Attribute("Name")!);
        // The lookup side (RelationshipRoleType 1) of each relationship: the name an @odata.bind uses.
        var navigation = xml.Descendants("EntityRelationshipRole").Where(r => r.Element("RelationshipRoleType")?.Value == "1")
            .Select(r => r.Element("NavigationPropertyName")!.Value).ToHashSet(StringComparer.Ordinal);
        return new Defined(logical, schema, navigation);
    }

    private static IEnumerable<string> SchemaNames()
    {
        foreach (var type in typeof(DataverseSchema).GetNestedTypes().Append(typeof(DataverseSchema)))
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                if (field.IsLiteral && field.GetRawConstantValue() is string text) yield return text;
                else if (field.GetValue(null) is IEnumerable<string> list) foreach (var item in list) yield return item;
            }
        }
    }

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Outreach.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Outreach.sln not found above the test folder.");
    }

    [GeneratedRegex(@"\botr_[A-Za-z_]+(@odata\.bind)?")]
    private static partial Regex CustomName();
}
