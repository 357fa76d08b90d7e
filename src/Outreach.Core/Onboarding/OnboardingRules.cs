using System.Globalization;
using System.Text.RegularExpressions;
using Outreach.Core.Common;
using Outreach.Core.Prospects;

namespace Outreach.Core.Onboarding;

/// <summary>
/// Monitoring years: year 1 runs from the covenant's start date for twelve months, year 2 the twelve after, and so on.
/// A party is monitored in a year when it signed before that year's cut-off (the start of the year plus the plan's
/// cut-off months) and had not left by the end of it.
/// </summary>
public static class MonitoringYears
{
    public static DateOnly Start(Covenant covenant, int year) => covenant.StartsOn.AddYears(year - 1);

    /// <summary>The last day of the year (inclusive).</summary>
    public static DateOnly End(Covenant covenant, int year) => covenant.StartsOn.AddYears(year).AddDays(-1);

    /// <summary>A party that signs on or after this date is not yet monitored in <paramref name="year"/>.</summary>
    public static DateOnly CutOff(Covenant covenant, int year, int cutOffMonths) => Start(covenant, year).AddMonths(cutOffMonths);

    /// <summary>The monitoring year a date falls in (0 or less before the covenant started).</summary>
    public static int YearOf(Covenant covenant, DateOnly date)
    {
        ArgumentNullException.ThrowIfNull(covenant);
        if (date < covenant.StartsOn) return 0;
        var year = date.Year - covenant.StartsOn.Year + 1;
        while (Start(covenant, year) > date) year--;
        while (End(covenant, year) < date) year++;
        return year;
    }

    /// <summary>How many monitoring years the covenant's term has (the year its end date falls in is the last).</summary>
    public static int Count(Covenant covenant) => Math.Max(1, YearOf(covenant, covenant.EndsOn));

    /// <summary>The first year a party that signed on <paramref name="signedOn"/> is monitored.</summary>
    public static int FirstMonitored(Covenant covenant, DateOnly signedOn, int cutOffMonths)
    {
        var year = Math.Max(1, YearOf(covenant, signedOn));
        return signedOn >= CutOff(covenant, year, cutOffMonths) ? year + 1 : year;
    }
}

/// <summary>The onboarding plan's rules: what a valid plan is, which milestones a party gets when it signs, and marking them done.</summary>
public static partial class OnboardingRules
{
    public const int MaxMilestones = 30;
    public const int MaxKeyLength = 40;
    public const int MaxNameLength = 200;
    public const int MaxMonthsAfterSigning = 60;
    public const int MaxCutOffMonths = 11;
    public const int MaxEvidenceUrlLength = 500;
    public const int MaxReasonLength = 1000;
    public const long MaxEvidenceBytes = 10 * 1024 * 1024;

    [GeneratedRegex("^[a-z][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    /// <summary>Every problem with a plan about to be saved, by field ("Milestones[2].NameEn").</summary>
    public static IReadOnlyList<FieldError> Check(IReadOnlyList<PlanMilestone> milestones, int cutOffMonths)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        var errors = new List<FieldError>();
        if (milestones.Count > MaxMilestones)
            errors.Add(new FieldError("Milestones", "A plan has at most {0} milestones.", Invariant(MaxMilestones)));
        if (cutOffMonths is < 0 or > MaxCutOffMonths)
            errors.Add(new FieldError("CutOffMonths", "The cut-off is 0 to {0} months into the monitoring year.", Invariant(MaxCutOffMonths)));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < milestones.Count; i++)
        {
            var m = milestones[i];
            var at = $"Milestones[{Invariant(i)}].";
            var key = m.Key?.Trim() ?? "";
            if (key.Length == 0 || key.Length > MaxKeyLength || !KeyPattern().IsMatch(key))
                errors.Add(new FieldError(at + "Key", "The code of a milestone is 1 to {0} characters: lower-case letters, digits and _, starting with a letter.", Invariant(MaxKeyLength)));
            else if (!keys.Add(key))
                errors.Add(new FieldError(at + "Key", "The code '{0}' is used twice.", key));
            // The message names the field as people see it; the error's key says which row.
            errors.AddRange(Validation.CheckText("Name (nl)", m.NameNl, MaxNameLength, required: true).Select(e => e with { Field = at + "NameNl" }));
            errors.AddRange(Validation.CheckText("Name (en)", m.NameEn, MaxNameLength, required: true).Select(e => e with { Field = at + "NameEn" }));
            errors.AddRange(Validation.CheckText("Sentence (nl)", m.PhraseNl, MaxNameLength, required: false).Select(e => e with { Field = at + "PhraseNl" }));
            errors.AddRange(Validation.CheckText("Sentence (en)", m.PhraseEn, MaxNameLength, required: false).Select(e => e with { Field = at + "PhraseEn" }));
            if (m.AppliesTo is null || m.AppliesTo.Count == 0)
                errors.Add(new FieldError(at + "AppliesTo", "Choose at least one party kind the milestone applies to."));
            if (m.Due == DueRule.AfterSigning)
            {
                if (m.MonthsAfterSigning is not { } months || months < 0 || months > MaxMonthsAfterSigning)
                    errors.Add(new FieldError(at + "MonthsAfterSigning", "Give the months after signing (0 to {0}).", Invariant(MaxMonthsAfterSigning)));
            }
            else if (m.DueMonth is not { } month || month is < 1 or > 12 || m.DueDay is not { } day || day < 1 || day > MaxDay(month))
            {
                errors.Add(new FieldError(at + "DueDay", "Give a valid month and day for the fixed due date (29 February is not allowed)."));
            }
        }

        return errors;
    }

    /// <summary>Trims the texts and empties blank phrases, as the plan is stored.</summary>
    public static PlanMilestone Clean(PlanMilestone m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return m with
        {
            Key = m.Key.Trim(),
            NameNl = m.NameNl.Trim(),
            NameEn = m.NameEn.Trim(),
            PhraseNl = string.IsNullOrWhiteSpace(m.PhraseNl) ? null : m.PhraseNl.Trim(),
            PhraseEn = string.IsNullOrWhiteSpace(m.PhraseEn) ? null : m.PhraseEn.Trim(),
            AppliesTo = PartyKinds.All.Where(m.AppliesTo.Contains).ToList(),
            MonthsAfterSigning = m.Due == DueRule.AfterSigning ? m.MonthsAfterSigning : null,
            DueMonth = m.Due == DueRule.FixedEachYear ? m.DueMonth : null,
            DueDay = m.Due == DueRule.FixedEachYear ? m.DueDay : null,
        };
    }

    // No 29 February: a fixed date must exist in every year.
    private static int MaxDay(int month) => month == 2 ? 28 : DateTime.DaysInMonth(2001, month);

    /// <summary>The first <paramref name="month"/>-<paramref name="day"/> on or after the start of the monitoring year.</summary>
    public static DateOnly FixedDue(Covenant covenant, int year, int month, int day)
    {
        var start = MonitoringYears.Start(covenant, year);
        var candidate = new DateOnly(start.Year, month, day);
        return candidate < start ? candidate.AddYears(1) : candidate;
    }

    /// <summary>The day a party signed, as its milestones count from it: the Amsterdam date of the signing's instant.</summary>
    public static DateOnly SigningDay(DateTimeOffset signedAt) => Calendar.AmsterdamClock.DateOf(signedAt);

    /// <summary>
    /// The milestones a party of <paramref name="kind"/> gets when it signs on <paramref name="signedOn"/>: each milestone of
    /// the plan that applies to its kind; one asked once is due <c>MonthsAfterSigning</c> after signing or on its fixed day in
    /// the party's first monitored year; one that repeats gets one per monitoring year from the first monitored to the
    /// covenant's last (after signing: the same day each year).
    /// </summary>
    public static IReadOnlyList<MilestoneDraft> MilestonesAtSigning(OnboardingPlan plan, Covenant covenant, PartyKind kind, DateOnly signedOn)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(covenant);
        var first = MonitoringYears.FirstMonitored(covenant, signedOn, plan.CutOffMonths);
        var last = MonitoringYears.Count(covenant);
        var drafts = new List<MilestoneDraft>();
        foreach (var m in plan.Milestones.Where(m => m.AppliesToKind(kind)))
        {
            if (!m.RepeatsYearly)
            {
                var due = m.Due == DueRule.AfterSigning ? signedOn.AddMonths(m.MonthsAfterSigning ?? 0) : FixedDue(covenant, first, m.DueMonth!.Value, m.DueDay!.Value);
                drafts.Add(new MilestoneDraft(m.Key, null, due, m.NameNl, m.NameEn, plan.Version));
                continue;
            }

            for (var year = first; year <= last; year++)
            {
                var due = m.Due == DueRule.AfterSigning
                    ? signedOn.AddMonths(m.MonthsAfterSigning ?? 0).AddYears(year - first)
                    : FixedDue(covenant, year, m.DueMonth!.Value, m.DueDay!.Value);
                drafts.Add(new MilestoneDraft(m.Key, year, due, m.NameNl, m.NameEn, plan.Version));
            }
        }

        return drafts;
    }

    /// <summary>Null when the milestone may be marked done so; otherwise why not. Evidence is a link (http or https) or an uploaded file.</summary>
    public static DomainMessage? WhyNotDone(PartyMilestone milestone, DateOnly? doneOn, string? evidenceUrl, bool hasFile, string by, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(milestone);
        if (milestone.IsDone) return new DomainMessage("This milestone is already done; reopen it first.");
        if (doneOn is not { } on) return new DomainMessage("Give the date it was done.");
        if (on > today) return new DomainMessage("The date it was done cannot be in the future.");
        if (on.Year < 2000) return new DomainMessage("The date it was done is not a valid date.");
        var url = evidenceUrl?.Trim() ?? "";
        if (url.Length == 0 && !hasFile) return new DomainMessage("Give the evidence: a link or a file.");
        if (url.Length > 0 && url.Length > MaxEvidenceUrlLength)
            return new DomainMessage("The evidence link is too long (at most {0} characters).", Invariant(MaxEvidenceUrlLength));
        if (url.Length > 0 && (Validation.HasForbiddenCharacters(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            return new DomainMessage("The evidence link is not a valid web address (http or https).");
        if (string.IsNullOrWhiteSpace(by) || by.Length > Pipeline.Pipeline.MaxActorLength)
            return new DomainMessage("The person making the change must be known.");
        return null;
    }

    /// <summary>Null when the milestone may be reopened with this reason; otherwise why not.</summary>
    public static DomainMessage? WhyNotReopened(PartyMilestone milestone, string? reason, string by)
    {
        ArgumentNullException.ThrowIfNull(milestone);
        if (!milestone.IsDone) return new DomainMessage("This milestone is not done, so it cannot be reopened.");
        var trimmed = reason?.Trim() ?? "";
        if (trimmed.Length == 0) return new DomainMessage("A reason is required to reopen a milestone.");
        if (trimmed.Length > MaxReasonLength)
            return new DomainMessage("The reason is too long (at most {0} characters).", Invariant(MaxReasonLength));
        if (Validation.HasForbiddenCharacters(trimmed, multiline: true)) return new DomainMessage("The reason contains characters that are not allowed.");
        if (string.IsNullOrWhiteSpace(by) || by.Length > Pipeline.Pipeline.MaxActorLength)
            return new DomainMessage("The person making the change must be known.");
        return null;
    }

    /// <summary>Null when the file can be kept as evidence; otherwise why not.</summary>
    public static DomainMessage? WhyFileRefused(string? fileName, long length)
    {
        if (length <= 0) return new DomainMessage("The file is empty.");
        if (length > MaxEvidenceBytes)
            return new DomainMessage("The file is too large; the limit is {0} MB.", Invariant(MaxEvidenceBytes / 1_048_576));
        var name = fileName?.Trim() ?? "";
        if (name.Length == 0 || name.Length > MaxNameLength || Validation.HasForbiddenCharacters(name) || name.Any(IsBidiControl))
            return new DomainMessage("The file name is not allowed.");
        return null;
    }

    /// <summary>Direction marks and overrides: in a downloaded file's name they disguise its type ("beleid\u202Efdp.exe" reads "beleidexe.pdf").</summary>
    private static bool IsBidiControl(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C';

    /// <summary>One line describing a milestone for the audit trail ("Beleid gepubliceerd / Policy published; company, ngo; 12 months after signing; once").</summary>
    public static string Describe(PlanMilestone m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var due = m.Due == DueRule.AfterSigning
            ? $"{Invariant(m.MonthsAfterSigning ?? 0)} months after signing"
            : $"on {Invariant(m.DueMonth ?? 0).PadLeft(2, '0')}-{Invariant(m.DueDay ?? 0).PadLeft(2, '0')} of each monitoring year";
        var phrases = m.PhraseNl is null && m.PhraseEn is null ? "" : $"; sentence: {m.PhraseNl ?? "–"} / {m.PhraseEn ?? "–"}";
        return $"{m.NameNl} / {m.NameEn}; {string.Join(", ", m.AppliesTo.Select(k => k.Code()))}; {due}; {(m.RepeatsYearly ? "every year" : "once")}{phrases}";
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
