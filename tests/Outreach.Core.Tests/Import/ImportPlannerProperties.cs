using FsCheck;
using FsCheck.Fluent;
using Outreach.Core.Prospects;
using Outreach.Core.Prospects.Import;

namespace Outreach.Core.Tests.Import;

/// <summary>Properties over generated files, plausible and hostile (FsCheck driven from plain facts).</summary>
public sealed class ImportPlannerProperties
{
    private static readonly Covenant[] Covenants =
    [
        new(1, "gold", "Responsible Gold", new DateOnly(2017, 6, 1), new DateOnly(2022, 6, 1)),
        new(2, "metals", "Metals Sector", new DateOnly(2019, 7, 1), new DateOnly(2024, 7, 1)),
    ];

    private static readonly string[] Hostile =
    [
        "", " ", "\t", "\r\n", "\u0000", "a\u0007b", "\uFFFD", "Caf\uFFFD", "\uD800", "'", "'=1", "=HYPERLINK(\"http://x\")", "+1", "-", "@A1",
        new string('x', Validation.MaxNameLength + 1), new string('y', 5000), "ä", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "<script>", "'; DROP TABLE organisation; --",
    ];

    // Plausible values per column (in ImportColumns.All order), so that many rows are valid and merge or collide.
    private static readonly string[][] Plausible =
    [
        ["Acme", "Acme B.V.", "ACME", "Zilver NV", "Goud & Zilver", "Goud en Zilver", "=HYPERLINK(\"x\")", "'=1", "Beta"],
        ["company", "ngo", "NGO", "trade union", "Government"],
        ["jewellery", "Jewellery", "mining"],
        ["", "nl", "BE"],
        ["", "12345678", "87654321", "1234 5678"],
        ["", "example.nl", "www.example.nl", "https://beta.nl/x"],
        ["Anne", "anne", "Bram"],
        ["gold", "metals", "GOLD"],
        ["", "identified", "contacted", "signed"],
        ["", "Eva", "Piet", "-Eva"],
        ["", "eva@x.nl", "piet@x.nl", "EVA@x.nl"],
        ["", "nl", "en"],
        ["", "CEO", "=1+1"],
        ["", "consent", "legitimate_interest", "Consent", "maybe"],
        ["", "Fair 2026", "=cmd|' /C calc'!A0"],
        // The dates (mostly empty, so that most rows still plan as before).
        ["", "", "", "", "", "", "2025-02-10", "10-2-2025", "2099-01-01", "yesterday"],
        ["", "", "", "", "", "", "2025-09-01", "2025-01-01", "1-9-2025"],
    ];

    private static readonly Gen<string> AnyText =
        Gen.Elements('a', 'Z', '0', ' ', '.', '@', '=', '+', '-', '\'', '"', ',', ';', '\t', '\n', '\u0000', '\u001F', '\uFFFD', 'é', '\uD83D')
            .ArrayOf().Select(chars => new string(chars));

    private static Gen<string> Cell(int column) =>
        Gen.Frequency((40, Gen.Elements(Plausible[column])), (1, Gen.Elements(Hostile)), (1, AnyText));

    private static readonly Gen<string[]> FullRow =
        Gen.CollectToArray(Enumerable.Range(0, ImportColumns.All.Count).Select(Cell));

    private static readonly Gen<string[]> AnyRow = Gen.Frequency(
        (10, FullRow),
        (1, FullRow.SelectMany(r => Gen.Choose(0, r.Length).Select(n => r[..n]))),
        (1, FullRow.SelectMany(r => AnyText.ArrayOf().Select(extra => (string[])[.. r, .. extra]))));

    private static readonly Gen<OrganisationKeys[]> Existing =
        Gen.Elements(
                new OrganisationKeys(100, "Zilver N.V.", Normalise.OrganisationName("Zilver N.V."), null, null),
                new OrganisationKeys(101, "Other", "other", "87654321", null),
                new OrganisationKeys(102, "Web", "web", null, "beta.nl"))
            .ArrayOf().Select(keys => keys.DistinctBy(k => k.Id).ToArray());

    private static readonly Gen<(OrganisationKeys[] Existing, ImportRow[] Rows)> Files =
        from existing in Existing
        from lines in AnyRow.ArrayOf()
        select (existing, lines.Select((l, i) => new ImportRow(i + 2, l)).ToArray());

    [Fact]
    public void Plan_ForAnyRows_NeverThrows_GivesEachRowOneResult_AndOnlyPlansValidData()
    {
        var seen = new Dictionary<ImportRowStatus, int>();
        Prop.ForAll(Files.ToArbitrary(), file =>
        {
            var plan = ImportPlanner.Plan(ImportColumns.All, file.Rows, file.Existing, Covenants);
            foreach (var row in plan.Rows) seen[row.Status] = seen.GetValueOrDefault(row.Status) + 1;

            Assert.False(plan.IsRefused);
            Assert.Equal(file.Rows.Select(r => r.RowNumber), plan.Rows.Select(r => r.RowNumber));
            Assert.All(plan.Rows.Where(r => r.Status == ImportRowStatus.Invalid), r => Assert.NotEmpty(r.Errors));
            Assert.All(plan.Rows.Where(r => r.Status == ImportRowStatus.Duplicate), r => Assert.NotNull(r.Reason));

            var okRows = plan.Rows.Where(r => r.Status == ImportRowStatus.Ok).Select(r => r.RowNumber).Order();
            Assert.Equal(okRows, plan.Organisations.SelectMany(o => o.RowNumbers).Order());

            var existing = new DuplicateIndex(file.Existing);
            var planned = new DuplicateIndex([]);
            foreach (var organisation in plan.Organisations)
            {
                Assert.Empty(Validation.Check(organisation.Draft));
                Assert.All(organisation.Contacts, c => Assert.Empty(Validation.Check(c.Draft)));
                Assert.Equal(organisation.Contacts.Count, organisation.Contacts.Select(c => c.Draft.Email).Distinct().Count());
                Assert.Equal(organisation.Entries.Count, organisation.Entries.Select(e => e.CovenantId).Distinct().Count());
                Assert.Empty(existing.Find(organisation.Draft));
                Assert.Empty(planned.Find(organisation.Draft));
                planned.Add(new OrganisationKeys(planned.Count, organisation.Draft.Name, Normalise.OrganisationName(organisation.Draft.Name), organisation.Draft.KvkNumber, organisation.Draft.Website));
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));

        // The generator must reach every verdict, or the property proves little.
        Assert.All(Enum.GetValues<ImportRowStatus>(), status => Assert.True(seen.GetValueOrDefault(status) > 20, $"only {seen.GetValueOrDefault(status)} rows were {status}"));
    }

    [Fact]
    public void Plan_ForAnyHeader_NeverThrows_AndEitherRefusesTheFileOrJudgesEveryRow()
    {
        var headerCell = Gen.Frequency((4, Gen.Elements(ImportColumns.All.ToArray())), (1, Gen.Elements(Hostile)), (1, AnyText));
        var files =
            from header in headerCell.ArrayOf()
            from lines in AnyText.ArrayOf().ArrayOf()
            select (header, lines.Select((l, i) => new ImportRow(i + 2, l)).ToArray());

        Prop.ForAll(files.ToArbitrary(), file =>
        {
            var plan = ImportPlanner.Plan(file.header, file.Item2, [], Covenants);
            Assert.True(plan.IsRefused ? plan.Rows.Count == 0 : plan.Rows.Count == file.Item2.Length);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void DuplicateIndex_FindsExactlyWhatTheDetectorFinds()
    {
        var names = new[] { "Acme", "Acme B.V.", "acme bv", "Goud & Zilver", "Goud en Zilver", "Beta", "" };
        var kvks = new[] { null, "12345678", "87654321" };
        var webs = new[] { null, "acme.nl", "beta.nl" };
        var keys = from n in Gen.Elements(names) from k in Gen.Elements(kvks) from w in Gen.Elements(webs) select (n, k, w);
        var cases =
            from existing in keys.ArrayOf()
            from draft in keys
            select (existing.Select((e, i) => new OrganisationKeys(i + 1, e.n, Normalise.OrganisationName(e.n), e.k, e.w)).ToArray(),
                    new OrganisationDraft { Name = draft.n, KvkNumber = draft.k, Website = draft.w });

        Prop.ForAll(cases.ToArbitrary(), c =>
            Assert.Equal(
                DuplicateDetector.Find(c.Item2, c.Item1).Select(w => (w.OrganisationId, w.Why.ToString())),
                new DuplicateIndex(c.Item1).Find(c.Item2).Select(w => (w.OrganisationId, w.Why.ToString()))))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }
}
