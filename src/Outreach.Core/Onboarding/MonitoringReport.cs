using System.Globalization;
using Outreach.Core.Prospects;

namespace Outreach.Core.Onboarding;

/// <summary>A party named in the report.</summary>
public sealed record PartyRef(long ProspectId, string Name, PartyKind Kind);

/// <summary>A party that left the covenant by the end of the report's year, with the monitoring year it left in.</summary>
public sealed record LeftParty(long ProspectId, string Name, PartyKind Kind, DateOnly LeftOn, int Year);

/// <summary>One milestone as "N of M": M the parties monitored for it (kind applies, signed before the cut-off, not left), N those that did it.</summary>
public sealed record MilestoneFigure
{
    public required string Key { get; init; }
    public required string NameNl { get; init; }
    public required string NameEn { get; init; }
    public int Done { get; init; }
    public int Of { get; init; }
    public required IReadOnlyList<PartyRef> DoneBy { get; init; }
    public required IReadOnlyList<PartyRef> NotDone { get; init; }
    /// <summary>The same figure for the year before; null in year 1.</summary>
    public int? PreviousDone { get; init; }
    public int? PreviousOf { get; init; }

    /// <summary>Year-on-year change in the parties that did it; null in year 1.</summary>
    public int? Change => PreviousDone is { } before ? Done - before : null;
}

/// <summary>The annual monitoring report of one covenant and year, with its sentence for the steering group in Dutch and English.</summary>
public sealed record MonitoringReport
{
    public required string Covenant { get; init; }
    public int Year { get; init; }
    public int Years { get; init; }
    public DateOnly YearStarts { get; init; }
    public DateOnly YearEnds { get; init; }
    /// <summary>Parties that signed on or after this date are not yet monitored this year.</summary>
    public DateOnly CutOff { get; init; }
    public int PlanVersion { get; init; }
    public required IReadOnlyList<PartyRef> Monitored { get; init; }
    public required IReadOnlyList<MilestoneFigure> Milestones { get; init; }
    /// <summary>Parties that joined this year after the cut-off: named, not counted.</summary>
    public required IReadOnlyList<PartyRef> NotYetMonitored { get; init; }
    /// <summary>Parties that left by the end of this year, with the year they left.</summary>
    public required IReadOnlyList<LeftParty> Left { get; init; }
    public required string SentenceEn { get; init; }
    public required string SentenceNl { get; init; }

    public const string CountingRule =
        "M counts the parties monitored for a milestone: its party kind is asked for it, it signed before the year's cut-off and had not left by the year's end. " +
        "N counts those that did it: a milestone asked once when it was done by the year's end, a yearly one when that year's was done.";
}

/// <summary>Builds the monitoring report from the plan and the covenant's parties (pure: the store reads, this counts).</summary>
public static class MonitoringReportBuilder
{
    public static MonitoringReport Build(Covenant covenant, OnboardingPlan plan, IReadOnlyList<MonitoredParty> parties, int year)
    {
        ArgumentNullException.ThrowIfNull(covenant);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(parties);
        if (year < 1) throw new ArgumentOutOfRangeException(nameof(year), year, "Monitoring years start at 1.");
        var end = MonitoringYears.End(covenant, year);
        var cutOff = MonitoringYears.CutOff(covenant, year, plan.CutOffMonths);
        var ordered = parties.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ThenBy(p => p.ProspectId).ToList();
        var left = ordered.Where(p => p.LeftOn is { } l && l <= end)
            .Select(p => new LeftParty(p.ProspectId, p.Name, p.Kind, p.LeftOn!.Value, Math.Max(1, MonitoringYears.YearOf(covenant, p.LeftOn.Value)))).ToList();
        var leftIds = left.Select(l => l.ProspectId).ToHashSet();
        var monitored = Monitored(covenant, plan, ordered, year);
        var notYet = ordered.Where(p => !leftIds.Contains(p.ProspectId) && p.SignedOn >= cutOff && p.SignedOn <= end).Select(Ref).ToList();
        var previous = year > 1 ? Monitored(covenant, plan, ordered, year - 1) : null;

        var figures = new List<MilestoneFigure>();
        foreach (var m in plan.Milestones)
        {
            var (did, didNot) = Count(covenant, m, monitored, year);
            int? previousDone = null, previousOf = null;
            if (previous is not null)
            {
                var (pDid, pDidNot) = Count(covenant, m, previous, year - 1);
                (previousDone, previousOf) = (pDid.Count, pDid.Count + pDidNot.Count);
            }

            figures.Add(new MilestoneFigure
            {
                Key = m.Key, NameNl = m.NameNl, NameEn = m.NameEn, Done = did.Count, Of = did.Count + didNot.Count,
                DoneBy = did.Select(Ref).ToList(), NotDone = didNot.Select(Ref).ToList(), PreviousDone = previousDone, PreviousOf = previousOf,
            });
        }

        var joinedThisYear = notYet;
        var leftThisYear = left.Where(l => l.Year == year).ToList();
        return new MonitoringReport
        {
            Covenant = covenant.Code,
            Year = year,
            Years = MonitoringYears.Count(covenant),
            YearStarts = MonitoringYears.Start(covenant, year),
            YearEnds = end,
            CutOff = cutOff,
            PlanVersion = plan.Version,
            Monitored = monitored.Select(Ref).ToList(),
            Milestones = figures,
            NotYetMonitored = notYet,
            Left = left,
            SentenceEn = Sentence(English, plan, figures, monitored, joinedThisYear, leftThisYear, year),
            SentenceNl = Sentence(Dutch, plan, figures, monitored, joinedThisYear, leftThisYear, year),
        };
    }

    /// <summary>The parties monitored in a year: signed before its cut-off and not left by its end.</summary>
    private static List<MonitoredParty> Monitored(Covenant covenant, OnboardingPlan plan, List<MonitoredParty> parties, int year)
    {
        var end = MonitoringYears.End(covenant, year);
        var cutOff = MonitoringYears.CutOff(covenant, year, plan.CutOffMonths);
        return parties.Where(p => p.SignedOn < cutOff && !(p.LeftOn is { } l && l <= end)).ToList();
    }

    private static (List<MonitoredParty> Did, List<MonitoredParty> DidNot) Count(Covenant covenant, PlanMilestone m, List<MonitoredParty> monitored, int year)
    {
        var end = MonitoringYears.End(covenant, year);
        var did = new List<MonitoredParty>();
        var didNot = new List<MonitoredParty>();
        foreach (var party in monitored.Where(p => m.AppliesToKind(p.Kind)))
        {
            var done = m.RepeatsYearly
                ? party.Milestones.Any(x => x.Key == m.Key && x.Year == year && x.IsDone)
                : party.Milestones.Any(x => x.Key == m.Key && x.DoneOn is { } on && on <= end);
            (done ? did : didNot).Add(party);
        }

        return (did, didNot);
    }

    private static PartyRef Ref(MonitoredParty p) => new(p.ProspectId, p.Name, p.Kind);

    private sealed record Words(
        string Of, string Companies, string Company, string Parties, string Party, string[] Numbers,
        Func<string, int, string> JoinedOne, Func<string, int, string> JoinedMany, Func<string, int, string> LeftOne, Func<string, int, string> LeftMany,
        Func<int, string> NoneMonitored, Func<PlanMilestone, string> Phrase);

    private static readonly Words English = new(
        "of", "companies", "company", "parties", "party",
        ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"],
        (who, y) => $"{who} joined in year {y} and could not be monitored yet",
        (who, y) => $"{who} joined in year {y} and could not be monitored yet",
        (who, y) => $"{who} left in year {y}",
        (who, y) => $"{who} left in year {y}",
        y => $"No party could be monitored in year {y} yet",
        m => m.PhraseEn ?? m.NameEn);

    private static readonly Words Dutch = new(
        "van", "bedrijven", "bedrijf", "partijen", "partij",
        ["geen", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf"],
        (who, y) => $"{who} trad toe in jaar {y} en kon nog niet worden gemonitord",
        (who, y) => $"{who} traden toe in jaar {y} en konden nog niet worden gemonitord",
        (who, y) => $"{who} verliet het convenant in jaar {y}",
        (who, y) => $"{who} verlieten het convenant in jaar {y}",
        y => $"In jaar {y} kon nog geen partij worden gemonitord",
        m => m.PhraseNl ?? m.NameNl);

    /// <summary>
    /// "11 of 12 companies published their RBC policy, 8 used the assessment tool, 7 of 11 delivered a risk analysis; one
    /// company joined in year 4 and could not be monitored yet." "of M" is left out where M is the same as the figure before;
    /// "companies" when every party counted is a company, "parties" otherwise ("company"/"party" when M is 1).
    /// </summary>
    private static string Sentence(Words w, OnboardingPlan plan, List<MilestoneFigure> figures, List<MonitoredParty> monitored, List<PartyRef> joined, List<LeftParty> left, int year)
    {
        var clauses = new List<string>();
        int? lastOf = null;
        var companies = monitored.All(p => p.Kind == PartyKind.Company);
        foreach (var (figure, milestone) in figures.Zip(plan.Milestones))
        {
            if (figure.Of == 0) continue;
            var number = Invariant(figure.Done);
            // "van 1 bedrijf", "van 2 bedrijven": the noun follows M.
            var noun = figure.Of == 1 ? (companies ? w.Company : w.Party) : (companies ? w.Companies : w.Parties);
            var clause = lastOf is null ? $"{number} {w.Of} {Invariant(figure.Of)} {noun} {w.Phrase(milestone)}"
                : lastOf == figure.Of ? $"{number} {w.Phrase(milestone)}"
                : $"{number} {w.Of} {Invariant(figure.Of)} {w.Phrase(milestone)}";
            clauses.Add(clause);
            lastOf = figure.Of;
        }

        var parts = new List<string> { clauses.Count > 0 ? string.Join(", ", clauses) : w.NoneMonitored(year) };
        if (joined.Count > 0)
        {
            var who = Count(w, joined.Count, joined.All(p => p.Kind == PartyKind.Company));
            parts.Add((joined.Count == 1 ? w.JoinedOne : w.JoinedMany)(who, year));
        }

        if (left.Count > 0)
        {
            var who = Count(w, left.Count, left.All(p => p.Kind == PartyKind.Company));
            parts.Add((left.Count == 1 ? w.LeftOne : w.LeftMany)(who, year));
        }

        return string.Join("; ", parts) + ".";
    }

    private static string Count(Words w, int n, bool companies)
    {
        var number = n < w.Numbers.Length ? w.Numbers[n] : Invariant(n);
        var noun = n == 1 ? (companies ? w.Company : w.Party) : (companies ? w.Companies : w.Parties);
        return $"{number} {noun}";
    }

    private static string Invariant(int n) => n.ToString(CultureInfo.InvariantCulture);
}
