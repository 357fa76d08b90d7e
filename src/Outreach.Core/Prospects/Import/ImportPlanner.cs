using System.Globalization;
using System.Text;
using Outreach.Core.Common;
using Outreach.Core.Pipeline;

namespace Outreach.Core.Prospects.Import;

/// <summary>
/// Checks an import file row by row with the same rules as the forms (<see cref="Validation"/>, <see cref="DuplicateDetector"/>)
/// and works out what to create. Pure: the caller supplies the existing organisations and covenants and writes the plan.
/// </summary>
/// <remarks>
/// A row whose organisation already exists is a duplicate: nothing from it is created (contacts are not added to existing organisations).
/// Rows that name the same new organisation (same KvK number, web domain or normalised name) are merged into the first such row,
/// provided they agree on its fields; a row that adds nothing new (same covenant, same or no contact) is a duplicate.
/// </remarks>
public static class ImportPlanner
{
    private const int MaxShownLength = 40;

    private static readonly Dictionary<string, string> OrganisationColumns = new(StringComparer.Ordinal)
    {
        ["Name"] = ImportColumns.Organisation,
        ["PartyKind"] = ImportColumns.PartyKind,
        ["Sector"] = ImportColumns.Sector,
        ["Country"] = ImportColumns.Country,
        ["KvkNumber"] = ImportColumns.KvkNumber,
        ["Website"] = ImportColumns.Website,
        ["Owner"] = ImportColumns.Owner,
    };

    private static readonly Dictionary<string, string> HistoryColumns = new(StringComparer.Ordinal)
    {
        [ImportedHistory.FirstContactField] = ImportColumns.FirstContactOn,
        [ImportedHistory.StageDateField] = ImportColumns.StageOn,
        [ImportedHistory.StageField] = ImportColumns.Stage,
    };

    private static readonly string[] DayFormats = ["yyyy-MM-dd", "d-M-yyyy", "d/M/yyyy"];

    private static readonly Dictionary<string, string> ContactColumns = new(StringComparer.Ordinal)
    {
        ["Name"] = ImportColumns.ContactName,
        ["Email"] = ImportColumns.ContactEmail,
        ["Language"] = ImportColumns.ContactLanguage,
        ["Role"] = ImportColumns.ContactRole,
        ["Source"] = ImportColumns.ContactSource,
    };

    public static ImportPlan Plan(
        IReadOnlyList<string> header,
        IEnumerable<ImportRow> rows,
        IEnumerable<OrganisationKeys> existingOrganisations,
        IEnumerable<Covenant> covenants,
        IReadOnlySet<string>? suppressedAddresses = null,
        DateOnly? today = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(existingOrganisations);
        ArgumentNullException.ThrowIfNull(covenants);

        var layout = Layout.From(header, out var fileErrors);
        if (fileErrors.Count > 0) return ImportPlan.Refused([.. fileErrors]);

        // Without today (callers that only check files) no date is in the future; the import itself passes today.
        var planning = new Planning(layout, new DuplicateIndex(existingOrganisations), covenants, suppressedAddresses ?? new HashSet<string>(), today ?? DateOnly.MaxValue);
        var results = new List<ImportRowResult>();
        foreach (var row in rows) results.Add(planning.Add(row));
        return new ImportPlan([], results, planning.Organisations());
    }

    /// <summary>Where each known column is in the file.</summary>
    private sealed class Layout
    {
        private readonly Dictionary<string, int> index = new(StringComparer.Ordinal);

        public int Width { get; private init; }
        /// <summary>Columns with an empty header cell (spreadsheets often leave some at the end); they must stay empty.</summary>
        public IReadOnlyList<int> Unnamed { get; private init; } = [];

        public static Layout From(IReadOnlyList<string> header, out List<DomainMessage> errors)
        {
            errors = [];
            var unnamed = new List<int>();
            var layout = new Layout { Width = header.Count, Unnamed = unnamed };
            var unknown = new List<string>();
            var repeated = new List<string>();
            for (var i = 0; i < header.Count; i++)
            {
                var name = ImportColumns.NormaliseHeader(header[i]);
                if (name.Length == 0) unnamed.Add(i);
                else if (!ImportColumns.All.Contains(name)) unknown.Add(Show(header[i]));
                else if (!layout.index.TryAdd(name, i)) repeated.Add(name);
            }

            if (header.Count == 0 || unnamed.Count == header.Count)
            {
                errors.Add(new DomainMessage("The file has no header row. The first row must name the columns: {0}.", string.Join(", ", ImportColumns.All)));
                return layout;
            }

            if (unknown.Count > 0)
                errors.Add(new DomainMessage("The header has columns the import does not know: {0}. The known columns are: {1}.", string.Join(", ", unknown), string.Join(", ", ImportColumns.All)));
            if (repeated.Count > 0)
                errors.Add(new DomainMessage("The header names a column more than once: {0}.", string.Join(", ", repeated.Distinct())));
            var missing = ImportColumns.Required.Where(c => !layout.index.ContainsKey(c)).ToList();
            if (missing.Count > 0)
                errors.Add(new DomainMessage("The header is missing required columns: {0}.", string.Join(", ", missing)));
            return layout;
        }

        /// <summary>The cell of a column, with a spreadsheet's text marker (a leading apostrophe before a formula character) removed.</summary>
        public string Cell(ImportRow row, string column) =>
            index.TryGetValue(column, out var i) && i < row.Values.Count ? CsvSafety.UnescapeImported(row.Values[i]) : "";

        public IEnumerable<string> Columns => index.Keys;
    }

    /// <summary>What one valid row says (cleaned), with its organisation's duplicate-check keys.</summary>
    private sealed record RowContent(OrganisationDraft Organisation, OrganisationKeys Keys, ContactDraft? Contact, Covenant Covenant, Stage Stage, IReadOnlyList<HistoryStep> History);

    /// <summary>A new organisation being assembled from one or more rows.</summary>
    private sealed class Assembly(RowContent first, int firstRow)
    {
        public OrganisationDraft Organisation { get; } = first.Organisation;
        public string NormalisedName { get; } = first.Keys.NormalisedName;
        public int FirstRow { get; } = firstRow;
        public List<int> Rows { get; } = [firstRow];
        public List<PlannedContact> Contacts { get; } = [];
        public List<PlannedEntry> Entries { get; } = [];

        // An organisation has a handful of contacts: a search beats a dictionary per organisation.
        public PlannedContact? ContactWithEmail(string email) => Contacts.Find(c => c.Draft.Email == email);

        public PlannedOrganisation Build() => new(Organisation, NormalisedName, Contacts, Entries, Rows);
    }

    private sealed class Planning(Layout layout, DuplicateIndex existing, IEnumerable<Covenant> covenants, IReadOnlySet<string> suppressed, DateOnly today)
    {
        private readonly Dictionary<string, Covenant> covenantsByCode = covenants
            .GroupBy(c => c.Code.Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);

        private readonly List<Assembly> assemblies = [];
        // Ids in this index are positions in assemblies.
        private readonly DuplicateIndex inFile = new([]);

        public IReadOnlyList<PlannedOrganisation> Organisations() => assemblies.Select(a => a.Build()).ToList();

        public ImportRowResult Add(ImportRow row)
        {
            var content = Read(row, out var errors);
            if (content is null) return Invalid(row, errors);

            var alreadyThere = existing.Find(content.Organisation, content.Keys);
            if (alreadyThere.Count > 0)
            {
                return new ImportRowResult(row.RowNumber, ImportRowStatus.Duplicate)
                {
                    Reason = alreadyThere[0].Why,
                    DuplicateOfOrganisationId = alreadyThere[0].OrganisationId,
                };
            }

            var earlier = inFile.Find(content.Organisation, content.Keys).Select(w => (int)w.OrganisationId).Distinct().ToList();
            if (earlier.Count == 0)
            {
                var assembly = new Assembly(content, row.RowNumber);
                assembly.Entries.Add(new PlannedEntry(row.RowNumber, content.Covenant.Id, content.Stage) { History = content.History });
                if (content.Contact is not null) assembly.Contacts.Add(new PlannedContact(row.RowNumber, content.Contact));
                inFile.Add(content.Keys with { Id = assemblies.Count });
                assemblies.Add(assembly);
                return new ImportRowResult(row.RowNumber, ImportRowStatus.Ok);
            }

            if (earlier.Count > 1)
            {
                var rowNumbers = earlier.Select(i => assemblies[i].FirstRow.ToString(CultureInfo.InvariantCulture)).ToArray();
                return Invalid(row, [new FieldError("", "This row matches different organisations of rows {0} (by KvK number, website or name); make them agree.", string.Join(", ", rowNumbers))]);
            }

            return Merge(row, assemblies[earlier[0]], content);
        }

        private static ImportRowResult Merge(ImportRow row, Assembly into, RowContent content)
        {
            var conflicts = Conflicts(into, content);
            if (conflicts.Count > 0) return Invalid(row, conflicts);

            var added = false;
            if (!into.Entries.Any(e => e.CovenantId == content.Covenant.Id))
            {
                into.Entries.Add(new PlannedEntry(row.RowNumber, content.Covenant.Id, content.Stage) { History = content.History });
                added = true;
            }

            if (content.Contact is not null && into.ContactWithEmail(content.Contact.Email) is null)
            {
                into.Contacts.Add(new PlannedContact(row.RowNumber, content.Contact));
                added = true;
            }

            var first = into.FirstRow.ToString(CultureInfo.InvariantCulture);
            if (!added)
            {
                return new ImportRowResult(row.RowNumber, ImportRowStatus.Duplicate)
                {
                    Reason = new DomainMessage("Repeats row {0}: the same organisation, covenant and contact.", first),
                    SameAsRow = into.FirstRow,
                };
            }

            into.Rows.Add(row.RowNumber);
            return new ImportRowResult(row.RowNumber, ImportRowStatus.Ok)
            {
                Reason = new DomainMessage("Same organisation as row {0}; added to it.", first),
                SameAsRow = into.FirstRow,
            };
        }

        /// <summary>Rows of one organisation must agree on its fields; later rows may leave KvK number and website empty.</summary>
        private static List<FieldError> Conflicts(Assembly into, RowContent content)
        {
            var errors = new List<FieldError>();
            var theirs = into.Organisation;
            var mine = content.Organisation;
            var row = into.FirstRow.ToString(CultureInfo.InvariantCulture);
            void Differs(string column, string? there) =>
                errors.Add(new FieldError(column, "{0} differs from row {1}, which names the same organisation ('{2}' there).", column, row, Show(there ?? "")));

            if (content.Keys.NormalisedName != into.NormalisedName) Differs(ImportColumns.Organisation, theirs.Name);
            if (mine.PartyKind != theirs.PartyKind) Differs(ImportColumns.PartyKind, theirs.PartyKind.Code());
            if (!string.Equals(mine.Sector, theirs.Sector, StringComparison.OrdinalIgnoreCase)) Differs(ImportColumns.Sector, theirs.Sector);
            if (mine.Country != theirs.Country) Differs(ImportColumns.Country, theirs.Country);
            if (!string.Equals(mine.Owner, theirs.Owner, StringComparison.OrdinalIgnoreCase)) Differs(ImportColumns.Owner, theirs.Owner);
            if (mine.KvkNumber is not null && mine.KvkNumber != theirs.KvkNumber) Differs(ImportColumns.KvkNumber, theirs.KvkNumber);
            if (mine.Website is not null && mine.Website != theirs.Website) Differs(ImportColumns.Website, theirs.Website);

            var entry = into.Entries.FirstOrDefault(e => e.CovenantId == content.Covenant.Id);
            if (entry is not null && entry.Stage != content.Stage)
            {
                errors.Add(new FieldError(ImportColumns.Stage, "Row {0} puts the same organisation in covenant {1} at stage '{2}'; one organisation has one stage per covenant.",
                    entry.RowNumber.ToString(CultureInfo.InvariantCulture), content.Covenant.Code, entry.Stage.Code()));
            }

            if (content.Contact is { } contact && into.ContactWithEmail(contact.Email) is { } known && known.Draft != contact)
            {
                errors.Add(new FieldError(ImportColumns.ContactEmail, "Row {0} has a contact with this email but other details; give one person's details once.",
                    known.RowNumber.ToString(CultureInfo.InvariantCulture)));
            }

            return errors;
        }

        /// <summary>The row's organisation, contact and entry, validated and cleaned; null with the errors when the row is invalid.</summary>
        private RowContent? Read(ImportRow row, out List<FieldError> errors)
        {
            errors = [];
            if (row.Problem is not null) errors.Add(new FieldError("", row.Problem));
            for (var i = layout.Width; i < row.Values.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(row.Values[i])) continue;
                errors.Add(new FieldError("", "This row has {0} cells but the header has {1}: a value may contain the separator without quotes around it.",
                    row.Values.Count.ToString(CultureInfo.InvariantCulture), layout.Width.ToString(CultureInfo.InvariantCulture)));
                break;
            }

            foreach (var i in layout.Unnamed)
            {
                if (i < row.Values.Count && !string.IsNullOrWhiteSpace(row.Values[i]))
                    errors.Add(new FieldError("", "This row has a value in column {0}, which has no header.", (i + 1).ToString(CultureInfo.InvariantCulture)));
            }

            string Cell(string column) => layout.Cell(row, column);

            var kind = default(PartyKind);
            var kindText = Cell(ImportColumns.PartyKind);
            if (string.IsNullOrWhiteSpace(kindText))
                errors.Add(new FieldError(ImportColumns.PartyKind, "{0} is required.", ImportColumns.PartyKind));
            else if (!PartyKinds.TryParse(kindText, out kind))
                errors.Add(new FieldError(ImportColumns.PartyKind, "Unknown party kind '{0}'; use one of: {1}.", Show(kindText), string.Join(", ", PartyKinds.All.Select(k => k.Code()))));

            var country = Cell(ImportColumns.Country).Trim();
            var organisation = new OrganisationDraft
            {
                Name = Cell(ImportColumns.Organisation),
                PartyKind = kind,
                Sector = Cell(ImportColumns.Sector),
                Country = country.Length == 0 ? "NL" : country,
                KvkNumber = NullIfBlank(Cell(ImportColumns.KvkNumber)),
                Website = NullIfBlank(Cell(ImportColumns.Website)),
                Owner = Cell(ImportColumns.Owner),
            };
            errors.AddRange(InColumns(Validation.Check(organisation), OrganisationColumns));

            Covenant? covenant = null;
            var code = Cell(ImportColumns.Covenant).Trim();
            if (code.Length == 0)
                errors.Add(new FieldError(ImportColumns.Covenant, "{0} is required.", ImportColumns.Covenant));
            else if (covenantsByCode.Count == 0)
                errors.Add(new FieldError(ImportColumns.Covenant, "There are no covenants yet: add one on the Covenants page first."));
            else if (!covenantsByCode.TryGetValue(code, out covenant))
                errors.Add(new FieldError(ImportColumns.Covenant, "Unknown covenant '{0}'; use one of: {1}.", Show(code), string.Join(", ", covenantsByCode.Keys.Order(StringComparer.Ordinal))));

            var stage = Stage.Identified;
            var stageText = Cell(ImportColumns.Stage);
            if (!string.IsNullOrWhiteSpace(stageText) && !Stages.TryParse(stageText, out stage))
                errors.Add(new FieldError(ImportColumns.Stage, "Unknown stage '{0}'; use one of: {1}.", Show(stageText), string.Join(", ", Stages.All.Select(s => s.Code()))));

            // An existing pipeline comes with its dates: the history is the stage path from first contact to the current
            // stage, dated in the past (the stage rules in ImportedHistory); without dates a prospect starts as a new one does.
            IReadOnlyList<HistoryStep> history = [];
            var firstContactOn = ReadDay(Cell(ImportColumns.FirstContactOn), ImportColumns.FirstContactOn, errors);
            var stageOn = ReadDay(Cell(ImportColumns.StageOn), ImportColumns.StageOn, errors);
            if (errors.All(e => e.Field is not (ImportColumns.Stage or ImportColumns.FirstContactOn or ImportColumns.StageOn)))
            {
                var (steps, historyErrors) = ImportedHistory.Plan(stage, firstContactOn, stageOn, today);
                errors.AddRange(InColumns(historyErrors, HistoryColumns));
                // Without dates the entry starts at the import, as a new prospect does: no history of its own to carry.
                history = steps is [{ On: null }] ? [] : steps;
            }

            var contact = ReadContact(Cell, errors, suppressed);

            // Bytes that were not UTF-8 make every other message about that cell misleading: say what is wrong instead.
            if (row.Values.Any(v => v.Contains('\uFFFD', StringComparison.Ordinal)))
            {
                var undecodable = layout.Columns.Where(c => Cell(c).Contains('\uFFFD', StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
                errors.RemoveAll(e => undecodable.Contains(e.Field));
                foreach (var column in ImportColumns.All.Where(undecodable.Contains))
                    errors.Add(new FieldError(column, "{0} contains bytes that are not valid UTF-8 text; save the file as 'CSV UTF-8' and try again.", column));
            }

            if (errors.Count > 0 || covenant is null) return null;
            var clean = Validation.Clean(organisation);
            // Clean has put KvK number and website in their normal forms already.
            var keys = new OrganisationKeys(0, clean.Name, Normalise.OrganisationName(clean.Name), clean.KvkNumber, clean.Website);
            return new RowContent(clean, keys, contact is null ? null : Validation.Clean(contact), covenant, stage, history);
        }

        /// <summary>A day as spreadsheets write it: yyyy-mm-dd, or dd-mm-yyyy as Dutch Excel does; empty is null.</summary>
        private static DateOnly? ReadDay(string text, string column, List<FieldError> errors)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            if (DateOnly.TryParseExact(text.Trim(), DayFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
            errors.Add(new FieldError(column, "'{0}' in {1} is not a date; write it as yyyy-mm-dd (or dd-mm-yyyy).", Show(text), column));
            return null;
        }

        private static ContactDraft? ReadContact(Func<string, string> cell, List<FieldError> errors, IReadOnlySet<string> suppressed)
        {
            var name = cell(ImportColumns.ContactName);
            var email = cell(ImportColumns.ContactEmail);
            var languageText = cell(ImportColumns.ContactLanguage);
            var role = cell(ImportColumns.ContactRole);
            var basisText = cell(ImportColumns.ContactLawfulBasis);
            var source = cell(ImportColumns.ContactSource);
            if (string.IsNullOrWhiteSpace(name) && string.IsNullOrWhiteSpace(email))
            {
                var given = new[] { (ImportColumns.ContactLanguage, languageText), (ImportColumns.ContactRole, role), (ImportColumns.ContactLawfulBasis, basisText), (ImportColumns.ContactSource, source) }
                    .Where(c => !string.IsNullOrWhiteSpace(c.Item2)).Select(c => c.Item1).FirstOrDefault();
                if (given is not null)
                    errors.Add(new FieldError(ImportColumns.ContactName, "{0} and {1} are required when {2} is given.", ImportColumns.ContactName, ImportColumns.ContactEmail, given));
                return null;
            }

            var language = ContactLanguage.Nl;
            if (!string.IsNullOrWhiteSpace(languageText) && !ContactLanguages.TryParse(languageText, out language))
                errors.Add(new FieldError(ImportColumns.ContactLanguage, "Unknown language '{0}'; use nl or en.", Show(languageText)));
            var basis = LawfulBasis.LegitimateInterest;
            if (!string.IsNullOrWhiteSpace(basisText) && !LawfulBases.TryParse(basisText, out basis))
                errors.Add(new FieldError(ImportColumns.ContactLawfulBasis, "Unknown lawful basis '{0}'; use one of: {1}.", Show(basisText), string.Join(", ", LawfulBases.All.Select(b => b.Code()))));
            var contact = new ContactDraft { Name = name, Email = email, Language = language, Role = NullIfBlank(role), LawfulBasis = basis, Source = NullIfBlank(source) };
            errors.AddRange(InColumns(Validation.Check(contact), ContactColumns));
            if (!string.IsNullOrWhiteSpace(email) && suppressed.Contains(Suppression.Hash(email)))
                errors.Add(new FieldError(ImportColumns.ContactEmail, Suppression.Message));
            return contact;
        }

        private static ImportRowResult Invalid(ImportRow row, IReadOnlyList<FieldError> errors) =>
            new(row.RowNumber, ImportRowStatus.Invalid) { Errors = errors };
    }

    /// <summary>Validation names the form's fields ("Name"); the import report names the file's columns ("contact_name").</summary>
    private static IEnumerable<FieldError> InColumns(IEnumerable<FieldError> errors, Dictionary<string, string> columns) =>
        errors.Select(e => columns.TryGetValue(e.Field, out var column)
            ? new FieldError(column, new DomainMessage(e.Message.Template, e.Message.Args.Select(a => a == e.Field ? column : a).ToArray()))
            : e);

    private static string? NullIfBlank(string value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>A cell value fit to quote in a message: short, without control characters.</summary>
    private static string Show(string value)
    {
        var sb = new StringBuilder(Math.Min(value.Length, MaxShownLength + 1));
        foreach (var ch in value.Length > MaxShownLength ? value[..MaxShownLength] : value)
            sb.Append(char.IsControl(ch) ? '?' : ch);
        if (value.Length > MaxShownLength) sb.Append('…');
        return sb.ToString();
    }
}
