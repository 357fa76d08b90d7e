using System.Text;
using Dapper;
using FsCheck;
using FsCheck.Fluent;
using Outreach.Core.Prospects.Import;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>
/// The whole import path, bytes to database, with generated hostile files: the reader, the planner and the writer together.
/// Whatever the file, the import never fails with an exception; a refused import changes nothing; an accepted one adds exactly
/// what its plan says, and nothing stored carries a NUL, a control character or an undecodable byte.
/// </summary>
public sealed class ImportFuzzTests
{
    private static readonly string Header = string.Join(",", ImportColumns.All);

    private static readonly string[] Fragments =
    [
        "Acme", "Acme B.V.", "Beta", "company", "ngo", "jewellery", "NL", "12345678", "acme.nl", "Anne", "gold", "metals", "identified", "contacted",
        "signed", "Eva", "eva@acme.nl", "piet@beta.nl", "nl", "en", "consent", "CEO", "=1+1", "+31", "-x", "@A1", "<script>", "'; DROP TABLE contact; --",
        "\"", "\"\"", "\"a,b\"", ",", ";", "\t", "\r\n", "\n", "\r", " ", "", "\0", "\u0007", "é", "𝔘", "\u202E",
    ];

    private static readonly Gen<byte[]> Piece = Gen.Frequency(
        (12, Gen.Elements(Fragments).Select(f => Encoding.UTF8.GetBytes(f))),
        // Bytes that are not UTF-8 on their own: Latin-1 letters, a lone continuation byte, an overlong form, a BOM in the middle.
        (2, Gen.Elements<byte[]>([0xE9], [0x80], [0xC0, 0xAF], [0xEF, 0xBB, 0xBF], [0xFF, 0xFE])),
        (1, Gen.Choose(0, 255).Select(b => new[] { (byte)b })));

    private static readonly Gen<byte[]> Line =
        Piece.ListOf().Select(pieces => pieces.SelectMany(p => p).ToArray());

    private static readonly Gen<(byte[] File, bool ValidOnly)> Files =
        from header in Gen.Frequency((6, Gen.Constant(Encoding.UTF8.GetBytes(Header))), (1, Line))
        from lines in Gen.Frequency(
            (3, Line),
            // Mostly-valid rows with one hostile cell, so that files get past the header and reach the writer.
            (4, from cells in Gen.Elements(Fragments).ArrayOf(ImportColumns.All.Count)
                from org in Gen.Elements("Acme", "Beta", "Gamma B.V.", "Delta", "Zilver NV")
                select Encoding.UTF8.GetBytes(string.Join(",", new[] { org, "company", "jewellery", "", "", "", "Anne", "gold", "" }.Concat(cells.Skip(9).Select(Quote)))))).ListOf()
        from validOnly in Gen.Elements(true, false)
        select (header.Concat(lines.SelectMany(l => Encoding.ASCII.GetBytes("\n").Concat(l))).ToArray(), validOnly);

    private static string Quote(string cell) => "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [Fact]
    public async Task AnyFile_IsImportedWhollyOrRefused_AndNeverStoresUnreadableText()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 8, 30, 0, TimeSpan.Zero));
        var db = await TestDatabases.MigratedAsync(StorageEngine.Sqlite, clock);
        var prospects = new SqlProspectStore(db, clock);
        await prospects.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2017, 6, 1), new DateOnly(2022, 6, 1), default);
        await prospects.AddCovenantAsync("metals", "Metals Sector", new DateOnly(2019, 7, 1), new DateOnly(2024, 7, 1), default);
        var import = TestImport.Create(db, clock);
        var imported = 0;

        // FsCheck properties are synchronous; each case waits for its import (SQLite, in-process).
        Prop.ForAll(Files.ToArbitrary(), file =>
        {
            var before = CountsAsync(db).GetAwaiter().GetResult();
            var result = import.ImportAsync(new MemoryStream(file.File), file.ValidOnly, "fuzz", null, default).GetAwaiter().GetResult();
            var after = CountsAsync(db).GetAwaiter().GetResult();
            if (!result.Imported)
            {
                Assert.NotNull(result.Refusal);
                Assert.Equal(before, after);
                return;
            }

            imported++;
            Assert.Equal(before.Organisations + result.OrganisationsCreated, after.Organisations);
            Assert.Equal(before.Contacts + result.ContactsCreated, after.Contacts);
            Assert.Equal(before.Entries + result.EntriesCreated, after.Entries);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(150));

        Assert.True(imported > 5, $"only {imported} files got through: the generator no longer reaches the writer");
        await using var c = await db.OpenAsync(default);
        var text = string.Concat(await c.QueryAsync<string>(
            "SELECT name || sector || owner || COALESCE(kvk_number, '') || COALESCE(website_domain, '') FROM organisation UNION ALL SELECT name || email || COALESCE(role, '') || COALESCE(source, '') FROM contact"));
        Assert.DoesNotContain(text, ch => ch == '\uFFFD' || (char.IsControl(ch) && ch is not '\t'));
    }

    private static async Task<(long Organisations, long Contacts, long Entries)> CountsAsync(Database db)
    {
        await using var c = await db.OpenAsync(default);
        return (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM organisation"), await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM contact"),
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pipeline_entry"));
    }
}
