using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;

namespace Outreach.Testing;

/// <summary>
/// A small hand-built stage history for the conversion report, shared by the pure tests (figures computed by hand
/// there) and the storage tests (the SQL source must give the same inputs on both engines). Every line is at 10:00
/// UTC, so day counts are whole numbers.
/// </summary>
public static class ReportDataSet
{
    public sealed record Line(Stage To, DateOnly Day, string Reason = "Moved on")
    {
        public DateTimeOffset At => new(Day.ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero);
    }

    public sealed record Prospect(string Name, string Covenant, string Sector, string Owner, PartyKind Kind, IReadOnlyList<Line> Lines);

    public const string NoCapacity = "No capacity for due diligence this year";
    public const string Budget = "Budget for next year not yet set";
    public const string Reorganisation = "Reorganisation under way; asked to call again later";
    public const string Sold = "Company sold; new owner does not continue";
    /// <summary>A name that a spreadsheet would run as a formula and that HTML must encode.</summary>
    public const string LeaverName = "=Zilver & Co";

    public static readonly ReportQuery Year2025 = new() { From = new DateOnly(2025, 1, 1), To = new DateOnly(2025, 12, 31) };

    /// <summary>"Now" for the report: late enough for the first quarter's 365-day window, too early for the second's.</summary>
    public static readonly DateTimeOffset AsOf = new(2026, 4, 15, 10, 0, 0, TimeSpan.Zero);

    private static Line L(Stage to, int y, int m, int d, string reason = "Moved on") => new(to, new DateOnly(y, m, d), reason);

    public static readonly IReadOnlyList<Prospect> Prospects =
    [
        // A: identified before the period, then the whole line to signed in 30-day steps (first contact → signed 120 days).
        new("Alpha Goud B.V.", "gold", "jewellery", "Anne", PartyKind.Company,
            [L(Stage.Identified, 2024, 12, 1), L(Stage.Contacted, 2025, 1, 10), L(Stage.Engaged, 2025, 2, 9), L(Stage.Intake, 2025, 3, 11), L(Stage.SigningScheduled, 2025, 4, 10), L(Stage.Signed, 2025, 5, 10)]),
        // B: contacted → not now → contacted → … → signed: contacted is reached twice, counted once (one re-entry).
        new("Beta Juwelen", "gold", "jewellery", "Anne", PartyKind.Company,
            [L(Stage.Identified, 2025, 1, 5), L(Stage.Contacted, 2025, 1, 20), L(Stage.NotNow, 2025, 2, 1, Reorganisation), L(Stage.Contacted, 2025, 6, 1),
             L(Stage.Engaged, 2025, 6, 11), L(Stage.Intake, 2025, 6, 21), L(Stage.SigningScheduled, 2025, 7, 1), L(Stage.Signed, 2025, 7, 11)]),
        // C: declined after engaging.
        new("Gamma Edelsmeden", "gold", "jewellery", "Anne", PartyKind.Company,
            [L(Stage.Identified, 2025, 2, 1), L(Stage.Contacted, 2025, 2, 15), L(Stage.Engaged, 2025, 3, 1), L(Stage.Declined, 2025, 3, 20, NoCapacity)]),
        // D: declined after first contact.
        new("Delta Zilver", "gold", "jewellery", "Anne", PartyKind.Company,
            [L(Stage.Identified, 2025, 3, 1), L(Stage.Contacted, 2025, 4, 1), L(Stage.Declined, 2025, 4, 15, NoCapacity)]),
        // E: started in contacted (no identified line), then not now.
        new("Epsilon Branchevereniging", "gold", "jewellery", "Anne", PartyKind.BranchOrganisation,
            [L(Stage.Contacted, 2025, 5, 1), L(Stage.Engaged, 2025, 5, 31), L(Stage.NotNow, 2025, 6, 15, Budget)]),
        // F: signed in 2023, left in the period.
        new(LeaverName, "gold", "jewellery", "Anne", PartyKind.Company,
            [L(Stage.Identified, 2023, 1, 10), L(Stage.Contacted, 2023, 2, 1), L(Stage.Engaged, 2023, 3, 1), L(Stage.Intake, 2023, 4, 1),
             L(Stage.SigningScheduled, 2023, 5, 1), L(Stage.Signed, 2023, 6, 1), L(Stage.Left, 2025, 9, 1, Sold)]),
        // G: first contact in the fourth quarter, signed after the period (92 days after first contact).
        new("Eta Metaal", "gold", "jewellery", "Anne", PartyKind.Company,
            [L(Stage.Identified, 2025, 10, 1), L(Stage.Contacted, 2025, 11, 1), L(Stage.Engaged, 2025, 12, 1), L(Stage.Intake, 2026, 1, 10),
             L(Stage.SigningScheduled, 2026, 1, 20), L(Stage.Signed, 2026, 2, 1)]),
        // H: another covenant, sector and owner (for the filters).
        new("Theta Staal", "metals", "steel", "Bram", PartyKind.Company,
            [L(Stage.Identified, 2025, 3, 1), L(Stage.Contacted, 2025, 3, 15), L(Stage.Engaged, 2025, 4, 1)]),
        // I: all history before the period: not in the report.
        new("Iota Recycling", "gold", "jewellery", "Anne", PartyKind.Company,
            [L(Stage.Identified, 2024, 3, 1), L(Stage.Contacted, 2024, 4, 1)]),
    ];

    public static long EntryId(int index) => index + 1;

    public static long OrganisationId(int index) => index + 101;

    public static IEnumerable<StageChange> History(int index)
    {
        Stage? from = null;
        foreach (var line in Prospects[index].Lines)
        {
            yield return new StageChange(EntryId(index), from, line.To, line.At, "anne", line.Reason);
            from = line.To;
        }
    }

    /// <summary>What a report source returns for the data set (optionally filtered): the reference for the SQL source.</summary>
    public static ReportData InMemory(ReportQuery query, Func<Prospect, bool>? filter = null)
    {
        var paths = new List<ProspectPath>();
        var moves = 0;
        var reasons = new List<ExitReason>();
        var exitProspects = new Dictionary<Stage, int>();
        var left = new List<PartyThatLeft>();
        for (var i = 0; i < Prospects.Count; i++)
        {
            var p = Prospects[i];
            if (filter is not null && !filter(p)) continue;
            var path = ProspectPath.FromHistory(EntryId(i), OrganisationId(i), History(i));
            if (path.FirstReachedAnyIn(query)) paths.Add(path);
            var inPeriod = p.Lines.Where(l => query.Contains(l.At)).ToList();
            moves += inPeriod.Count;
            var exits = inPeriod.Where(l => l.To is Stage.Declined or Stage.NotNow or Stage.Left).ToList();
            reasons.AddRange(exits.Select(l => new ExitReason(l.To, l.Reason, 1)));
            foreach (var stage in exits.Select(l => l.To).Distinct()) exitProspects[stage] = exitProspects.GetValueOrDefault(stage) + 1;
            left.AddRange(exits.Where(l => l.To == Stage.Left).Select(l => new PartyThatLeft(p.Name, p.Covenant, path.FirstReached(Stage.Signed), l.At, l.Reason, EntryId(i))));
        }

        return new ReportData(paths, moves, reasons, exitProspects, left);
    }
}

/// <summary>Writes <see cref="ReportDataSet"/> into a database through the real stores.</summary>
public static class ReportDataSeeder
{
    /// <summary>Returns each prospect's entry id by organisation name. Covenants "gold" and "metals" are created when missing.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> SeedAsync(Outreach.Storage.Database db, CancellationToken ct = default)
    {
        // The set's own "now": every dated line lies before it.
        var clock = new FakeTimeProvider(ReportDataSet.AsOf);
        var prospects = new Outreach.Storage.SqlProspectStore(db, clock);
        var pipeline = new Outreach.Storage.SqlPipelineStore(db, clock);
        var covenants = (await prospects.ListCovenantsAsync(ct)).ToDictionary(c => c.Code, c => c.Id);
        if (!covenants.ContainsKey("gold")) covenants["gold"] = (await prospects.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2017, 6, 1), new DateOnly(2027, 6, 1), ct)).Id;
        if (!covenants.ContainsKey("metals")) covenants["metals"] = (await prospects.AddCovenantAsync("metals", "Metals Sector", new DateOnly(2019, 7, 1), new DateOnly(2029, 7, 1), ct)).Id;
        var ids = new Dictionary<string, long>();
        foreach (var p in ReportDataSet.Prospects)
        {
            var organisation = await prospects.AddOrganisationAsync(
                Validation.Clean(new OrganisationDraft { Name = p.Name, Sector = p.Sector, Owner = p.Owner, PartyKind = p.Kind, Country = "NL" }), ct);
            var first = p.Lines[0];
            var entry = await pipeline.AddEntryAsync(organisation.Id, covenants[p.Covenant], first.To, first.At, "anne", first.Reason, ct);
            var from = first.To;
            foreach (var line in p.Lines.Skip(1))
            {
                DateOnly? revisit = line.To == Stage.NotNow ? line.Day.AddDays(90) : null;
                await pipeline.ApplyAsync(new StageChange(entry.Id, from, line.To, line.At, "anne", line.Reason, revisit), ct);
                from = line.To;
            }

            ids[p.Name] = entry.Id;
        }

        return ids;
    }
}
