using System.Globalization;
using Outreach.Core.Calendar;
using Outreach.Core.Common;
using Outreach.Core.Prospects;
using Outreach.Core.Prospects.Import;

namespace Outreach.Core.Onboarding;

/// <summary>One answer of the monitoring questionnaire to record: the party's milestone, the day it was done and the evidence link.</summary>
public sealed record QuestionnaireAnswer(int RowNumber, long ProspectId, long MilestoneId, DateOnly DoneOn, string EvidenceUrl);

/// <summary>A row's problem, with the spreadsheet row number (0: the file as a whole).</summary>
public sealed record QuestionnaireRowError(int RowNumber, DomainMessage Message)
{
    public override string ToString() => RowNumber == 0 ? Message.ToString() : string.Create(CultureInfo.InvariantCulture, $"Row {RowNumber}: {Message}");
}

/// <summary>What the file would do: the answers to record, how many were recorded already, and every problem. Nothing is written while there is one.</summary>
public sealed record QuestionnairePlan(IReadOnlyList<QuestionnaireAnswer> Answers, int AlreadyDone, IReadOnlyList<QuestionnaireRowError> Errors);

/// <summary>
/// The monitoring questionnaire as a CSV (party, year, milestone, done on, evidence), for secretariats that collect the
/// answers elsewhere. Every row is checked against the covenant's parties and their milestones before anything is written;
/// one bad row and nothing is recorded (the import's all-or-nothing rule), with each problem named by its row number.
/// </summary>
public static class QuestionnairePlanner
{
    public const int MaxRows = 10_000;

    /// <summary>The columns, each with the names it may have in the header (English or Dutch, any case).</summary>
    public static readonly IReadOnlyList<(string Column, string[] Names)> Columns =
    [
        ("party", ["party", "partij", "organisation", "organisatie"]),
        ("year", ["year", "jaar"]),
        ("milestone", ["milestone", "mijlpaal"]),
        ("done on", ["done on", "done_on", "afgerond op", "datum"]),
        ("evidence", ["evidence", "bewijs", "link"]),
    ];

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "d-M-yyyy", "d/M/yyyy"];

    public static QuestionnairePlan Plan(ImportFile file, Covenant covenant, IReadOnlyList<MonitoredParty> parties, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(covenant);
        ArgumentNullException.ThrowIfNull(parties);
        if (file.Error is { } failed) return Refused(failed);
        var at = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (column, names) in Columns)
        {
            var index = file.Header.ToList().FindIndex(h => names.Contains(Clean(h).ToLowerInvariant(), StringComparer.Ordinal));
            if (index < 0) return Refused(new DomainMessage("The file has no column '{0}'; it needs party, year, milestone, done on and evidence.", column));
            at[column] = index;
        }

        if (file.Rows.Count == 0) return Refused(new DomainMessage("The file has no rows."));
        if (file.Rows.Count > MaxRows) return Refused(new DomainMessage("The file has more than {0} rows; split it into smaller files.", Invariant(MaxRows)));

        var byName = parties.GroupBy(p => Normalise.OrganisationName(p.Name), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var years = MonitoringYears.Count(covenant);
        var answers = new List<QuestionnaireAnswer>();
        var errors = new List<QuestionnaireRowError>();
        var answered = new Dictionary<long, int>();
        var alreadyDone = 0;
        foreach (var row in file.Rows)
        {
            string Cell(string column) => at[column] < row.Values.Count ? Clean(row.Values[at[column]]) : "";
            void Refuse(string message, params string[] args) => errors.Add(new QuestionnaireRowError(row.RowNumber, new DomainMessage(message, args)));
            if (row.Problem is { } problem)
            {
                errors.Add(new QuestionnaireRowError(row.RowNumber, problem));
                continue;
            }

            var name = Cell("party");
            var key = Cell("milestone");
            var yearText = Cell("year");
            var doneText = Cell("done on");
            var evidence = Cell("evidence");
            if (name.Length == 0) { Refuse("Give the party."); continue; }
            if (!byName.TryGetValue(Normalise.OrganisationName(name), out var matches)) { Refuse("No party of {0} is called '{1}'.", covenant.Name, Shorten(name)); continue; }
            if (matches.Count > 1) { Refuse("More than one party of {0} is called '{1}'.", covenant.Name, Shorten(name)); continue; }
            var party = matches[0];
            int? year = null;
            if (yearText.Length > 0)
            {
                if (!int.TryParse(yearText, NumberStyles.None, CultureInfo.InvariantCulture, out var y) || y < 1 || y > years)
                {
                    Refuse("The monitoring year is 1 to {0} for this covenant.", Invariant(years));
                    continue;
                }

                year = y;
            }

            if (key.Length == 0) { Refuse("Give the milestone."); continue; }
            var ofKey = party.Milestones.Where(m => string.Equals(m.Key, key, StringComparison.OrdinalIgnoreCase)
                || string.Equals(m.NameNl, key, StringComparison.OrdinalIgnoreCase) || string.Equals(m.NameEn, key, StringComparison.OrdinalIgnoreCase)).ToList();
            // A milestone asked once is found without a year; a yearly one needs the year it answers.
            var milestone = ofKey.Count == 1 && ofKey[0].Year is null ? ofKey[0] : ofKey.FirstOrDefault(m => m.Year is not null && m.Year == year);
            if (milestone is null)
            {
                if (ofKey.Count > 0 && year is null) Refuse("{0} is asked every year: give the year.", Shorten(key));
                else if (ofKey.Count > 0) Refuse("{0} has no milestone '{1}' in year {2}.", party.Name, Shorten(key), Invariant(year!.Value));
                else Refuse("{0} has no milestone '{1}'.", party.Name, Shorten(key));
                continue;
            }

            if (answered.TryGetValue(milestone.Id, out var earlier)) { Refuse("Row {0} already answers this milestone.", Invariant(earlier)); continue; }
            answered[milestone.Id] = row.RowNumber;
            if (!DateOnly.TryParseExact(doneText, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var doneOn))
            {
                Refuse("The date it was done is not a valid date (yyyy-mm-dd).");
                continue;
            }

            if (milestone.IsDone)
            {
                // Recorded already (this file imported before, or marked on screen): left as it is.
                alreadyDone++;
                continue;
            }

            if (OnboardingRules.WhyNotDone(milestone, doneOn, evidence, false, "import", today) is { } why)
            {
                errors.Add(new QuestionnaireRowError(row.RowNumber, why));
                continue;
            }

            answers.Add(new QuestionnaireAnswer(row.RowNumber, party.ProspectId, milestone.Id, doneOn, evidence));
        }

        return errors.Count > 0 ? new QuestionnairePlan([], alreadyDone, errors) : new QuestionnairePlan(answers, alreadyDone, []);
    }

    /// <summary>Trimmed, with a spreadsheet's formula escape undone (an exported "'=x" is the text "=x").</summary>
    private static string Clean(string? value) => CsvSafety.UnescapeImported((value ?? "").Trim()).Trim();

    /// <summary>A value quoted back in a message, cut short so a hostile cell cannot flood the page.</summary>
    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static QuestionnairePlan Refused(DomainMessage message) => new([], 0, [new QuestionnaireRowError(0, message)]);
}

/// <summary>The outcome of an import: how many answers were recorded and how many were there already, or why nothing was.</summary>
public sealed record QuestionnaireImportResult(int Recorded, int AlreadyDone, IReadOnlyList<QuestionnaireRowError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>Reads, checks and records a questionnaire file in one transaction (every answer or none, with their Dataverse write-back).</summary>
public sealed class QuestionnaireImport(IImportFileReader reader, IProspectStore prospects, IOnboardingStore store, MilestoneCompletion completion, IUnitOfWork unit, TimeProvider clock)
{
    public async Task<QuestionnaireImportResult> ImportAsync(long covenantId, Stream csv, string by, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var covenant = (await prospects.ListCovenantsAsync(ct).ConfigureAwait(false)).FirstOrDefault(c => c.Id == covenantId);
        if (covenant is null) return new QuestionnaireImportResult(0, 0, [new QuestionnaireRowError(0, new DomainMessage("Choose a covenant."))]);
        var file = await reader.ReadAsync(csv, null, ct).ConfigureAwait(false);
        var parties = await store.ListPartiesAsync(covenant.Id, ct).ConfigureAwait(false);
        var plan = QuestionnairePlanner.Plan(file, covenant, parties, AmsterdamClock.Today(clock));
        if (plan.Errors.Count > 0) return new QuestionnaireImportResult(0, plan.AlreadyDone, plan.Errors);
        var now = clock.GetUtcNow();
        var recorded = await unit.RunAsync(async token =>
        {
            var count = 0;
            foreach (var answer in plan.Answers)
            {
                // False: marked done on screen since the check; that answer is there already.
                if (await completion.MarkDoneAsync(answer.MilestoneId, answer.DoneOn, answer.EvidenceUrl, null, now, by.Trim(), token).ConfigureAwait(false)) count++;
            }

            return count;
        }, ct).ConfigureAwait(false);
        return new QuestionnaireImportResult(recorded, plan.AlreadyDone + plan.Answers.Count - recorded, []);
    }
}
