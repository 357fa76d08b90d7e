using System.Xml.Linq;

namespace Outreach.Dataverse.Testing;

/// <summary>
/// A table as the Web API exposes it after the solution is imported: its entity set, the structural properties a request
/// may read or write, the lookup value properties it returns (_x_value), and its single-valued navigation properties (the
/// names an "@odata.bind" uses, case-sensitive) with the table each points at, and its collection-valued ones (for $expand).
/// </summary>
public sealed record SolutionTable(
    string LogicalName,
    string EntitySet,
    string PrimaryKey,
    IReadOnlySet<string> Columns,
    IReadOnlySet<string> Lookups,
    IReadOnlyDictionary<string, string> Navigation,
    IReadOnlySet<string> Collections)
{
    /// <summary>The lookup column each single-valued navigation property sets (what a bind stores, read back as _column_value).</summary>
    public IReadOnlyDictionary<string, string> NavigationColumns { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>A name a $select may hold: a column or a lookup's value property.</summary>
    public bool CanSelect(string name) => Columns.Contains(name) || (name.StartsWith('_') && name.EndsWith("_value", StringComparison.Ordinal) && Lookups.Contains(name[1..^"_value".Length]));
}

/// <summary>
/// The names Dataverse exposes once solutions/Outreach is imported, read from its customizations.xml, plus the standard
/// tables and columns Outreach touches. The local server refuses any other name with Dataverse's own error, and the names
/// test checks the code against the same model, so both see the solution as Dataverse would.
/// </summary>
public sealed class SolutionModel
{
    private static readonly Lazy<SolutionModel> OutreachSolution = new(() => Load(CustomizationsPath()));

    /// <summary>System columns every table has.</summary>
    private static readonly string[] SystemColumns = ["statecode", "statuscode", "createdon", "modifiedon", "versionnumber", "overriddencreatedon"];

    private static readonly string[] SystemLookups = ["ownerid", "createdby", "modifiedby", "owningbusinessunit"];

    private SolutionModel(IReadOnlyDictionary<string, SolutionTable> tables) => Tables = tables;

    /// <summary>Tables by entity set name (the name in a URL).</summary>
    public IReadOnlyDictionary<string, SolutionTable> Tables { get; }

    /// <summary>The Outreach solution (solutions/Outreach/customizations.xml, copied next to the test assemblies).</summary>
    public static SolutionModel Outreach => OutreachSolution.Value;

    public SolutionTable? ByEntitySet(string entitySet) => Tables.GetValueOrDefault(entitySet);

    public SolutionTable? ByLogicalName(string logicalName) => Tables.Values.FirstOrDefault(t => t.LogicalName == logicalName);

    public static string CustomizationsPath()
    {
        var copied = Path.Combine(AppContext.BaseDirectory, "solution", "customizations.xml");
        if (File.Exists(copied)) return copied;
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Outreach.sln"))) folder = folder.Parent;
        return folder is null
            ? throw new FileNotFoundException("solutions/Outreach/customizations.xml not found next to the tests or above them.")
            : Path.Combine(folder.FullName, "solutions", "Outreach", "customizations.xml");
    }

    public static SolutionModel Load(string customizationsPath)
    {
        var builders = new Dictionary<string, Builder>(StringComparer.Ordinal)
        {
            // Standard tables: only the columns and relationships Outreach or its tests touch (all exist in every environment).
            ["account"] = new("account", "accounts", "accountid",
                ["name", "websiteurl", "address1_line1", "address1_postalcode", "address1_city", "address1_country", "telephone1", "emailaddress1", "accountnumber"],
                ["parentaccountid", "primarycontactid"],
                new() { ["parentaccountid"] = "account", ["primarycontactid"] = "contact" }),
            ["contact"] = new("contact", "contacts", "contactid",
                ["fullname", "firstname", "lastname", "emailaddress1", "jobtitle", "telephone1"],
                ["parentcustomerid"],
                new() { ["parentcustomerid_account"] = "account", ["parentcustomerid_contact"] = "contact" }),
            ["task"] = new("task", "tasks", "activityid",
                ["subject", "description", "scheduledend", "actualend"],
                ["regardingobjectid"],
                new() { ["regardingobjectid_account_task"] = "account", ["regardingobjectid_contact_task"] = "contact" }),
            // The activity tables Outreach writes its calls, meetings and notes to and reads Dynamics users' ones from (issue 15).
            ["phonecall"] = new("phonecall", "phonecalls", "activityid",
                ["subject", "description", "directioncode", "actualdurationminutes", "actualstart", "actualend", "scheduledend", "phonenumber"],
                ["regardingobjectid"],
                new() { ["regardingobjectid_account_phonecall"] = "account", ["regardingobjectid_contact_phonecall"] = "contact" }),
            ["appointment"] = new("appointment", "appointments", "activityid",
                ["subject", "description", "location", "scheduledstart", "scheduledend", "actualdurationminutes", "actualstart", "actualend"],
                ["regardingobjectid"],
                new() { ["regardingobjectid_account_appointment"] = "account", ["regardingobjectid_contact_appointment"] = "contact" }),
            ["annotation"] = new("annotation", "annotations", "annotationid",
                ["subject", "notetext", "isdocument", "filename", "mimetype", "documentbody"],
                ["objectid"],
                new() { ["objectid_account"] = "account", ["objectid_contact"] = "contact" }),
            // Who created a row (_createdby_value on every table): a Dynamics user who requested a stage move.
            ["systemuser"] = new("systemuser", "systemusers", "systemuserid",
                ["fullname", "internalemailaddress", "domainname", "azureactivedirectoryobjectid"],
                [],
                []),
        };
        builders["account"].NavigationColumns["parentaccountid"] = "parentaccountid";
        builders["account"].NavigationColumns["primarycontactid"] = "primarycontactid";
        builders["contact"].NavigationColumns["parentcustomerid_account"] = "parentcustomerid";
        builders["contact"].NavigationColumns["parentcustomerid_contact"] = "parentcustomerid";
        builders["task"].NavigationColumns["regardingobjectid_account_task"] = "regardingobjectid";
        builders["task"].NavigationColumns["regardingobjectid_contact_task"] = "regardingobjectid";
        foreach (var activity in new[] { "phonecall", "appointment" })
        {
            builders[activity].NavigationColumns[$"regardingobjectid_account_{activity}"] = "regardingobjectid";
            builders[activity].NavigationColumns[$"regardingobjectid_contact_{activity}"] = "regardingobjectid";
        }

        builders["annotation"].NavigationColumns["objectid_account"] = "objectid";
        builders["annotation"].NavigationColumns["objectid_contact"] = "objectid";

        var xml = XDocument.Load(customizationsPath);
        foreach (var entity in xml.Descendants("Entity"))
        {
            var name = entity.Element("Name")!.Value;
            if (!builders.TryGetValue(name, out var table))
            {
                var set = entity.Descendants("EntitySetName").FirstOrDefault()?.Value
                    ?? throw new InvalidDataException($"The custom table {name} declares no EntitySetName.");
                table = new Builder(name, set, name + "id", [], [], []);
                builders[name] = table;
            }

            // Column definitions only (<attributes><attribute>), not the <attribute name=…/> of a view's or chart's FetchXML.
            foreach (var attribute in entity.Descendants("attributes").Elements("attribute"))
            {
                var logical = attribute.Element("LogicalName")!.Value;
                // A lookup is no structural property in the Web API: it is read as _x_value and written through its navigation property.
                if (attribute.Element("Type")?.Value == "lookup") table.Lookups.Add(logical);
                else table.Columns.Add(logical);
            }
        }

        foreach (var relationship in xml.Descendants("EntityRelationship"))
        {
            if (relationship.Element("EntityRelationshipType")?.Value != "OneToMany") continue;
            var referencing = relationship.Element("ReferencingEntityName")!.Value;
            var referenced = relationship.Element("ReferencedEntityName")!.Value;
            foreach (var role in relationship.Descendants("EntityRelationshipRole"))
            {
                var navigation = role.Element("NavigationPropertyName")?.Value;
                if (navigation is null) continue;
                // Role type 1: the referencing table's single-valued navigation property (what "@odata.bind" names);
                // role type 0: the referenced table's collection-valued one (for $expand).
                if (role.Element("RelationshipRoleType")?.Value == "1")
                {
                    builders[referencing].Navigation[navigation] = referenced;
                    builders[referencing].NavigationColumns[navigation] = relationship.Element("ReferencingAttributeName")!.Value;
                }
                else builders[referenced].Collections.Add(navigation);
            }
        }

        return new SolutionModel(builders.Values.ToDictionary(b => b.EntitySet, b => b.Build(), StringComparer.Ordinal));
    }

    private sealed class Builder(string logicalName, string entitySet, string key, HashSet<string> columns, HashSet<string> lookups, Dictionary<string, string> navigation)
    {
        public string EntitySet { get; } = entitySet;
        public HashSet<string> Columns { get; } = columns;
        public HashSet<string> Lookups { get; } = lookups;
        public Dictionary<string, string> Navigation { get; } = navigation;
        public HashSet<string> Collections { get; } = [];
        public Dictionary<string, string> NavigationColumns { get; } = new(StringComparer.Ordinal);

        public SolutionTable Build()
        {
            var allColumns = new HashSet<string>(Columns.Concat(SystemColumns).Append(key), StringComparer.Ordinal);
            var allLookups = new HashSet<string>(Lookups.Concat(SystemLookups), StringComparer.Ordinal);
            return new SolutionTable(logicalName, EntitySet, key, allColumns, allLookups,
                new Dictionary<string, string>(Navigation, StringComparer.Ordinal), new HashSet<string>(Collections, StringComparer.Ordinal))
            {
                NavigationColumns = new Dictionary<string, string>(NavigationColumns, StringComparer.Ordinal),
            };
        }
    }
}
