using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapper;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Prospects.Import;
using Outreach.Storage.Import;
using Outreach.Testing;
using Xunit.Abstractions;

namespace Outreach.Storage.Tests;

/// <summary>The CSV import and export, run once on SQLite and once on PostgreSQL (see the subclasses), each on a fresh database.</summary>
public abstract partial class ImportContract(StorageEngine engine, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string Header = string.Join(",", ImportColumns.All);

    protected readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 3, 2, 8, 30, 0, TimeSpan.Zero));
    protected Database Db = null!;
    protected SqlProspectStore Prospects = null!;
    protected SqlPipelineStore Pipeline = null!;
    protected ProspectImport Import = null!;

    public async Task InitializeAsync()
    {
        (Db, Prospects, Pipeline, Import) = await NewDatabaseAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(Database, SqlProspectStore, SqlPipelineStore, ProspectImport)> NewDatabaseAsync(ImportOptions? options = null)
    {
        var db = await TestDatabases.MigratedAsync(engine, Clock);
        var prospects = new SqlProspectStore(db, Clock);
        await prospects.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2017, 6, 1), new DateOnly(2022, 6, 1), default);
        await prospects.AddCovenantAsync("metals", "Metals Sector", new DateOnly(2019, 7, 1), new DateOnly(2024, 7, 1), default);
        return (db, prospects, new SqlPipelineStore(db, Clock), TestImport.Create(db, Clock, options));
    }

    private static MemoryStream Csv(params string[] lines) => new(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));

    private static string Line(string organisation, string kvk = "", string website = "", string covenant = "gold", string stage = "",
        string contactName = "", string contactEmail = "", string contactLanguage = "", string contactRole = "", string sector = "jewellery") =>
        string.Join(",", organisation, "company", sector, "", kvk, website, "Anne", covenant, stage, contactName, contactEmail, contactLanguage, contactRole);

    private async Task<(long Organisations, long Contacts, long Entries, long Changes)> CountsAsync(Database? db = null)
    {
        await using var c = await (db ?? Db).OpenAsync(default);
        async Task<long> Count(string table) => await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
        return (await Count("organisation"), await Count("contact"), await Count("pipeline_entry"), await Count("stage_change"));
    }

    private async Task<Organisation> SingleOrganisationNamedAsync(string name)
    {
        await using var c = await Db.OpenAsync(default);
        var id = await c.QuerySingleAsync<long>("SELECT id FROM organisation WHERE name = @name", new { name });
        return (await Prospects.GetOrganisationAsync(id, default))!;
    }

    private static async Task<string> ExportAsync(ProspectImport import)
    {
        using var buffer = new MemoryStream();
        await import.ExportAsync(buffer, default);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private sealed class ProgressRecorder : IProgress<ImportProgress>
    {
        public List<ImportProgress> Seen { get; } = [];
        public void Report(ImportProgress value) => Seen.Add(value);
    }

    [Fact]
    public async Task Import_AValidFile_CreatesOrganisationsContactsEntriesAndTheirHistory()
    {
        var result = await Import.ImportAsync(Csv(
            Header,
            Line("Goudsmederij de Vries B.V.", kvk: "12.34.56.78", website: "https://www.devries.nl", contactName: "Eva Jansen", contactEmail: "Eva@DeVries.nl", contactRole: "CSR lead"),
            Line("Goudsmederij de Vries", covenant: "metals", stage: "contacted", contactName: "Piet", contactEmail: "piet@devries.nl", contactLanguage: "en"),
            Line("Zilver NV")), importValidRowsOnly: false, "anne", null, default);

        Assert.True(result.Imported, result.Refusal?.ToString());
        Assert.Equal((2, 2, 3), (result.OrganisationsCreated, result.ContactsCreated, result.EntriesCreated));
        Assert.Empty(result.SkippedRows);
        Assert.Equal((2L, 2L, 3L, 3L), await CountsAsync());

        var vries = await SingleOrganisationNamedAsync("Goudsmederij de Vries B.V.");
        Assert.Equal(("12345678", "devries.nl", "NL", Clock.GetUtcNow()), (vries.KvkNumber, vries.WebsiteDomain, vries.Country, vries.CreatedAt));
        var contacts = await Prospects.ListContactsAsync(vries.Id, default);
        Assert.Equal([("Eva Jansen", "eva@devries.nl", ContactLanguage.Nl, "CSR lead"), ("Piet", "piet@devries.nl", ContactLanguage.En, null)],
            contacts.Select(c => (c.Name, c.Email, c.Language, c.Role)));
        var entries = await Pipeline.ListEntriesForOrganisationAsync(vries.Id, default);
        Assert.Equal([Stage.Identified, Stage.Contacted], entries.Select(e => e.Stage));
        foreach (var entry in entries)
        {
            var line = Assert.Single(await Pipeline.HistoryAsync(entry.Id, default));
            Assert.Equal((null, entry.Stage, "anne", SqlProspectImporter.HistoryReason, Clock.GetUtcNow()), (line.From, line.To, line.By, line.Reason, line.At));
        }

        var summary = Assert.Single((await Pipeline.SearchAsync(new ProspectFilter { Text = "zilver" }, 1, 10, default)).Items);
        Assert.Equal(("gold", Stage.Identified), (summary.CovenantCode, summary.Stage));
    }

    [Fact]
    public async Task Import_GivesIdsInFileOrder_AndTheFormsGetFreshIdsAfterwards()
    {
        var before = await Prospects.AddOrganisationAsync(Validation.Clean(new OrganisationDraft { Name = "Made In A Form", Sector = "x", Owner = "Anne" }), default);
        var beforeEntry = await Pipeline.AddEntryAsync(before.Id, 1, Stage.Identified, Clock.GetUtcNow(), "anne", "Found", default);

        await Import.ImportAsync(Csv([Header, .. Enumerable.Range(0, 70).Select(i => Line($"Org {i:D2}", contactName: "C", contactEmail: $"c{i}@x.nl"))]), false, "anne", null, default);
        var after = await Prospects.AddOrganisationAsync(Validation.Clean(new OrganisationDraft { Name = "Made Later", Sector = "x", Owner = "Anne" }), default);
        var afterEntry = await Pipeline.AddEntryAsync(after.Id, 1, Stage.Identified, Clock.GetUtcNow(), "anne", "Found", default);

        await using var c = await Db.OpenAsync(default);
        var imported = (await c.QueryAsync<(long Id, string Name)>("SELECT id, name FROM organisation WHERE name LIKE 'Org %' ORDER BY id")).ToList();
        Assert.Equal(Enumerable.Range(0, 70).Select(i => $"Org {i:D2}"), imported.Select(o => o.Name));
        Assert.True(imported[0].Id > before.Id && after.Id > imported[^1].Id);
        var entryIds = (await c.QueryAsync<long>("SELECT id FROM pipeline_entry ORDER BY id")).ToList();
        Assert.Equal(72, entryIds.Distinct().Count());
        Assert.Equal((beforeEntry.Id, afterEntry.Id), (entryIds[0], entryIds[^1]));
    }

    [Fact]
    public async Task Import_AnOrganisationWithManyContactsAndCovenants_KeepsThemAll()
    {
        var lines = Enumerable.Range(0, 100).Select(i => Line("Big Org", covenant: i % 2 == 0 ? "gold" : "metals", stage: i % 2 == 0 ? "" : "contacted",
            contactName: $"Person {i}", contactEmail: $"p{i}@big.nl"));

        var result = await Import.ImportAsync(Csv([Header, .. lines]), false, "anne", null, default);

        Assert.Equal((1, 100, 2), (result.OrganisationsCreated, result.ContactsCreated, result.EntriesCreated));
        var organisation = await SingleOrganisationNamedAsync("Big Org");
        Assert.Equal(100, (await Prospects.ListContactsAsync(organisation.Id, default)).Count);
        Assert.Equal([Stage.Identified, Stage.Contacted], (await Pipeline.ListEntriesForOrganisationAsync(organisation.Id, default)).Select(e => e.Stage));
        Assert.Equal((1L, 100L, 2L, 2L), await CountsAsync());
    }

    [Fact]
    public async Task Import_WithAnInvalidRow_WritesNothing()
    {
        await Import.ImportAsync(Csv(Header, Line("Existing Gold")), false, "anne", null, default);
        var before = await CountsAsync();

        var result = await Import.ImportAsync(Csv(Header, Line("Alpha"), Line("Beta", kvk: "123"), Line("Gamma")), false, "anne", null, default);

        Assert.False(result.Imported);
        Assert.Equal("1 of 3 rows are invalid, so nothing was imported. Correct them, or choose to import only the valid rows.", result.Refusal!.ToString());
        var invalid = Assert.Single(result.Plan.Rows, r => r.Status == ImportRowStatus.Invalid);
        Assert.Equal((3, "kvk_number"), (invalid.RowNumber, Assert.Single(invalid.Errors).Field));
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Import_ValidRowsOnly_ImportsJustTheValidRows()
    {
        var result = await Import.ImportAsync(Csv(Header, Line("Alpha"), Line("Beta", kvk: "123"), Line("Gamma", contactName: "G", contactEmail: "g@gamma.nl")),
            importValidRowsOnly: true, "anne", null, default);

        Assert.True(result.Imported);
        Assert.Equal([3], result.SkippedRows.Select(r => r.RowNumber));
        Assert.Equal((2L, 1L, 2L, 2L), await CountsAsync());
        await using var c = await Db.OpenAsync(default);
        Assert.Equal(["Alpha", "Gamma"], await c.QueryAsync<string>("SELECT name FROM organisation ORDER BY id"));
    }

    [Fact]
    public async Task Import_TheSameFileTwice_ReportsEveryRowAsDuplicateTheSecondTime()
    {
        var lines = new[] { Header, Line("Alpha", kvk: "11112222", contactName: "A", contactEmail: "a@alpha.nl"), Line("Beta", website: "beta.nl"), Line("Gamma B.V.") };
        var first = await Import.ImportAsync(Csv(lines), false, "anne", null, default);
        Assert.Equal(3, first.OrganisationsCreated);
        var after = await CountsAsync();

        var second = await Import.ImportAsync(Csv(lines), false, "anne", null, default);

        Assert.True(second.Imported);
        Assert.Equal(0, second.OrganisationsCreated);
        Assert.All(second.Plan.Rows, r => Assert.Equal(ImportRowStatus.Duplicate, r.Status));
        Assert.All(second.Plan.Rows, r => Assert.NotNull(r.DuplicateOfOrganisationId));
        Assert.Equal(after, await CountsAsync());
    }

    [Fact]
    public async Task Import_WhenADuplicateWasAddedAfterThePreview_WritesNothing()
    {
        var plan = await Import.PreviewAsync(Csv(Header, Line("Alpha"), Line("Beta")), default);
        Assert.Equal(2, plan.OkRows);
        await Prospects.AddOrganisationAsync(Validation.Clean(new OrganisationDraft { Name = "Beta B.V.", Sector = "x", Owner = "Bram" }), default);
        var before = await CountsAsync();

        var result = await new SqlProspectImporter(Db, Clock).ImportAsync(plan, false, "anne", null, default);

        Assert.False(result.Imported);
        Assert.StartsWith("Row 3 now duplicates an organisation", result.Refusal!.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Import_AFormulaCell_IsStoredVerbatim_AndExportedWithAnApostrophe()
    {
        var result = await Import.ImportAsync(Csv(Header, Line("\"=HYPERLINK(\"\"http://x\"\")\"", contactName: "@Eva", contactEmail: "eva@x.nl", contactRole: "+31 6 1234")),
            false, "anne", null, default);
        Assert.True(result.Imported, result.Refusal?.ToString());

        var stored = await SingleOrganisationNamedAsync("=HYPERLINK(\"http://x\")");
        var contact = Assert.Single(await Prospects.ListContactsAsync(stored.Id, default));
        Assert.Equal(("@Eva", "+31 6 1234"), (contact.Name, contact.Role));

        var export = await ExportAsync(Import);
        Assert.Contains("\"'=HYPERLINK(\"\"http://x\"\")\";", export, StringComparison.Ordinal);
        Assert.Contains(";'@Eva;eva@x.nl;nl;'+31 6 1234", export, StringComparison.Ordinal);
        var cells = export.Split(["\r\n"], StringSplitOptions.RemoveEmptyEntries).Skip(1).SelectMany(l => l.Split(';'));
        Assert.DoesNotContain(cells, cell => CsvSafety.StartsLikeFormula(cell.TrimStart('"')));
    }

    [Fact]
    public async Task Export_ThenImportIntoAnEmptyDatabase_GivesTheSameData()
    {
        await Import.ImportAsync(Csv(
            Header,
            Line("Goudsmederij de Vries B.V.", kvk: "12345678", website: "devries.nl", contactName: "Eva Jansen", contactEmail: "eva@devries.nl", contactRole: "CSR; lead"),
            Line("Goudsmederij de Vries B.V.", covenant: "metals", stage: "contacted", contactName: "Piet", contactEmail: "piet@devries.nl", contactLanguage: "en"),
            Line("Goudsmederij de Vries B.V.", contactName: "Joost \"JJ\" Smit", contactEmail: "joost@devries.nl"),
            Line("\"=HYPERLINK(\"\"http://x\"\")\""),
            Line("'t Gouden Hoofd", contactName: "Zoë Çelik", contactEmail: "zoe@hoofd.nl", contactRole: "-"),
            Line("Stichting Mijnbouw & Zo", covenant: "metals", stage: "", sector: "mining, metals")), false, "anne", null, default);
        var exported = await ExportAsync(Import);

        var (otherDb, _, _, other) = await NewDatabaseAsync();
        var result = await other.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(exported)), false, "anne", null, default);

        Assert.True(result.Imported, result.Refusal?.ToString() + string.Join("\n", result.Plan.Rows.Where(r => r.Status != ImportRowStatus.Ok)));
        Assert.Equal(await CountsAsync(), await CountsAsync(otherDb));
        Assert.Equal(exported, await ExportAsync(other));
        output.WriteLine(exported);
    }

    [Fact]
    public async Task Import_ASemicolonSeparatedFileFromDutchExcel_IsRead()
    {
        var text = string.Join("\r\n",
            "Organisation;Party kind;Sector;Country;KvK number;Website;Owner;Covenant;Stage;Contact name;Contact email;Contact language;Contact role",
            "Café de Kroon, Goud & Zilver;company;jewellery, retail;NL;;;Anne;gold;;Zoë;zoe@kroon.nl;Nederlands;",
            ";;;;;;;;;;;;") + "\r\n";
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(text)).ToArray();

        var result = await Import.ImportAsync(new MemoryStream(bytes), false, "anne", null, default);

        Assert.True(result.Imported, result.Refusal?.ToString());
        var organisation = await SingleOrganisationNamedAsync("Café de Kroon, Goud & Zilver");
        Assert.Equal("jewellery, retail", organisation.Sector);
        Assert.Equal("Zoë", Assert.Single(await Prospects.ListContactsAsync(organisation.Id, default)).Name);
    }

    [Fact]
    public async Task Import_InvalidUtf8Bytes_AreReportedOnTheirRow()
    {
        // A file saved as Windows-1252: é is the single byte 0xE9, which is not UTF-8.
        var bytes = Encoding.UTF8.GetBytes(Header + "\n" + Line("Alpha") + "\n").Concat(Encoding.Latin1.GetBytes(Line("Café de Kroon") + "\n")).ToArray();

        var result = await Import.ImportAsync(new MemoryStream(bytes), false, "anne", null, default);

        Assert.False(result.Imported);
        var row = Assert.Single(result.Plan.Rows, r => r.Status == ImportRowStatus.Invalid);
        Assert.Equal(3, row.RowNumber);
        Assert.Equal("organisation contains bytes that are not valid UTF-8 text; save the file as 'CSV UTF-8' and try again.", Assert.Single(row.Errors).Message.ToString());
        Assert.Equal((0L, 0L, 0L, 0L), await CountsAsync());
    }

    [Fact]
    public async Task Preview_AnUnclosedQuote_RefusesTheFileWithItsRowAndLine()
    {
        var plan = await Import.PreviewAsync(Csv(Header, Line("Alpha"), Line("\"Beta"), Line("Gamma")), default);

        Assert.True(plan.IsRefused);
        Assert.StartsWith("Row 3 (line 3 of the file) opens a quote that is never closed", Assert.Single(plan.FileErrors).ToString(), StringComparison.Ordinal);
        var result = await Import.ImportAsync(Csv(Header, Line("Alpha"), Line("\"Beta"), Line("Gamma")), importValidRowsOnly: true, "anne", null, default);
        Assert.False(result.Imported);
        Assert.Equal((0L, 0L, 0L, 0L), await CountsAsync());
    }

    [Fact]
    public async Task Preview_AStrayQuote_MakesJustThatRowInvalid()
    {
        var plan = await Import.PreviewAsync(Csv(Header, Line("Alpha"), Line("Be\"ta"), Line("Gamma")), default);

        Assert.False(plan.IsRefused);
        Assert.Equal([ImportRowStatus.Ok, ImportRowStatus.Invalid, ImportRowStatus.Ok], plan.Rows.Select(r => r.Status));
        Assert.StartsWith("A value has a quote", Assert.Single(plan.Rows[1].Errors).Message.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_NumbersRowsAsASpreadsheetDoes_CountingBlankLinesAndMultiLineCells()
    {
        var plan = await Import.PreviewAsync(Csv(Header, Line("Alpha"), "", Line("Beta", contactName: "\"B\nB\"", contactEmail: "b@beta.nl"), Line("Gamma", kvk: "1")), default);

        Assert.Equal([2, 4, 5], plan.Rows.Select(r => r.RowNumber));
        Assert.Equal(ImportRowStatus.Invalid, plan.Rows[2].Status);
        Assert.Equal("contact_name contains characters that are not allowed.", Assert.Single(plan.Rows[1].Errors).Message.ToString());
    }

    [Fact]
    public async Task Preview_AFileOverTheSizeLimit_IsRefusedBeforeParsing()
    {
        var (_, _, _, small) = await NewDatabaseAsync(new ImportOptions { MaxFileBytes = 1024 });
        var big = string.Join("\n", [Header, .. Enumerable.Range(0, 50).Select(i => Line($"Org {i}"))]);

        var seekable = await small.PreviewAsync(new MemoryStream(Encoding.UTF8.GetBytes(big)), default);
        var streamed = await small.PreviewAsync(new NonSeekableStream(Encoding.UTF8.GetBytes(big)), default);

        Assert.Equal("The file is larger than 1 KB; split it into smaller files.", Assert.Single(seekable.FileErrors).ToString());
        Assert.True(streamed.IsRefused);
    }

    [Fact]
    public async Task Preview_AnEmptyFileOrAWrongHeader_IsRefused()
    {
        Assert.Equal("The file is empty.", Assert.Single((await Import.PreviewAsync(new MemoryStream(), default)).FileErrors).ToString());
        var plan = await Import.PreviewAsync(Csv("name,email", "Alpha,a@alpha.nl"), default);
        Assert.Equal(2, plan.FileErrors.Count);
    }

    [Fact]
    public async Task Import_ReportsProgressWhileReadingAndWriting()
    {
        var (_, _, _, chatty) = await NewDatabaseAsync(new ImportOptions { ProgressEvery = 10 });
        var progress = new ProgressRecorder();

        await chatty.ImportAsync(Csv([Header, .. Enumerable.Range(0, 25).Select(i => Line($"Org {i}", contactName: "C", contactEmail: $"c{i}@x.nl"))]), false, "anne", progress, default);

        Assert.Equal([10, 20, 25], progress.Seen.Where(p => p.Phase == ImportPhase.Reading).Select(p => p.Done));
        var writing = progress.Seen.Where(p => p.Phase == ImportPhase.Writing).ToList();
        Assert.Equal(75, writing[^1].Done);
        Assert.All(writing, p => Assert.Equal(75, p.Total));
        Assert.Equal(ImportPhase.Done, progress.Seen[^1].Phase);
    }

    [Fact]
    public async Task Import_OneHundredThousandRows_InOneTransaction()
    {
        const int rows = 100_000;
        var text = new StringBuilder(rows * 150).Append(Header).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"Organisation {i:D6} B.V.,company,jewellery,NL,{10_000_000 + i},org{i}.example.nl,Anne,gold,,Contact {i},contact{i}@org{i}.example.nl,nl,buyer\n");
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var clock = Stopwatch.StartNew();
        var phases = new PhaseTimer(clock);
        var result = await Import.ImportAsync(new MemoryStream(bytes), false, "anne", phases, default);
        clock.Stop();

        Assert.True(result.Imported, result.Refusal?.ToString());
        Assert.Equal(((long)rows, (long)rows, (long)rows, (long)rows), await CountsAsync());
        output.WriteLine($"{engine}: imported {rows:N0} rows ({bytes.Length / 1024.0 / 1024:N1} MB) in {clock.Elapsed.TotalSeconds:N1} s ({phases})");
    }

    /// <summary>When each phase of an import started, from its progress reports.</summary>
    private sealed class PhaseTimer(Stopwatch clock) : IProgress<ImportProgress>
    {
        private readonly List<(ImportPhase Phase, TimeSpan At)> starts = [];

        public void Report(ImportProgress value)
        {
            if (starts.Count == 0 || starts[^1].Phase != value.Phase) starts.Add((value.Phase, clock.Elapsed));
        }

        public override string ToString() =>
            string.Join(", ", starts.Zip([.. starts.Skip(1).Select(s => s.At), clock.Elapsed], (s, end) => $"{s.Phase} until {end.TotalSeconds:N1} s"));
    }

    /// <summary>An upload as ASP.NET Core hands it over: its length is not known in advance.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}

public sealed class SqliteImportTests(ITestOutputHelper output) : ImportContract(StorageEngine.Sqlite, output);

public sealed class PostgresImportTests(ITestOutputHelper output) : ImportContract(StorageEngine.Postgres, output);

/// <summary>Privacy through the import and export: lawful basis and source travel both ways; an erased person is not imported again.</summary>
public abstract partial class ImportContract
{
    [Fact]
    public async Task Import_KeepsLawfulBasisAndSource_ExportWritesThem_AndAnErasedAddressIsRefused()
    {
        var header = string.Join(",", ImportColumns.All);
        var result = await Import.ImportAsync(Csv(
            header,
            Line("Consent Gold", contactName: "Eva Jansen", contactEmail: "eva@consent.nl") + ",consent,Signed up at the fair",
            Line("Default Gold", contactName: "Piet Bakker", contactEmail: "piet@default.nl")), importValidRowsOnly: false, "Anne", null, default);
        Assert.True(result.Imported);

        var eva = (await Prospects.ListContactsAsync((await SingleOrganisationNamedAsync("Consent Gold")).Id, default)).Single();
        Assert.Equal((LawfulBasis.Consent, "Signed up at the fair"), (eva.LawfulBasis, eva.Source));
        var piet = (await Prospects.ListContactsAsync((await SingleOrganisationNamedAsync("Default Gold")).Id, default)).Single();
        Assert.Equal((LawfulBasis.LegitimateInterest, SqlProspectImporter.ImportSource), (piet.LawfulBasis, piet.Source));
        var export = await ExportAsync(Import);
        Assert.Contains("eva@consent.nl;nl;;consent;Signed up at the fair", export, StringComparison.Ordinal);

        // The import is in the audit trail as one entry with its counts.
        var audit = (await new SqlAudit(Db).SearchAsync(new Core.Audit.AuditFilter { Entity = Core.Audit.AuditEntities.Import }, 1, 10, default)).Items;
        Assert.Contains(new Core.Audit.AuditChange("organisations", null, "2"), Assert.Single(audit).Changes);

        await Prospects.EraseContactAsync(eva.Id, Clock.GetUtcNow(), default);
        Assert.DoesNotContain("eva@consent.nl", await ExportAsync(Import), StringComparison.Ordinal);
        var again = await Import.ImportAsync(Csv(header, Line("Eva Again", contactName: "Eva Jansen", contactEmail: "EVA@consent.nl")), importValidRowsOnly: false, "Anne", null, default);
        Assert.False(again.Imported);
        Assert.Equal(Suppression.Message, Assert.Single(Assert.Single(again.Plan.Rows).Errors).Message.ToString());
        await using var c = await Db.OpenAsync(default);
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM organisation WHERE name = 'Eva Again'"));
    }
}
