using System.Globalization;
using Outreach.Core.Pipeline;
using Outreach.Core.Reports;

namespace Outreach.Web.Reports;

/// <summary>One key figure at the top of the report, with the same figure of the previous period when compared.</summary>
public sealed record KeyFigure(string Key, string Label, Func<ConversionReport, double?> Value, Func<ReportTables, ConversionReport, string> Show, ConversionReport Report, ConversionReport? Previous, bool IsPercent = false, ReportFigure? Figure = null)
{
    public string Text(ReportTables tables) => Show(tables, Report) is { Length: > 0 } t ? t : "–";

    public string PreviousText(ReportTables tables) => Previous is null ? "" : Show(tables, Previous) is { Length: > 0 } t ? t : "–";

    /// <summary>The change against the previous period: "+3", "−1.5 pt" for percentages; null when either side has no value.</summary>
    public string? Change
    {
        get
        {
            if (Previous is null || Value(Report) is not { } now || Value(Previous) is not { } before) return null;
            var delta = now - before;
            var text = Math.Abs(delta).ToString(IsPercent ? "0.0" : "0", CultureInfo.CurrentCulture);
            var sign = delta > 0 ? "+" : delta < 0 ? "−" : "±";
            return IsPercent ? $"{sign}{text} pt" : sign + text;
        }
    }
}

public static class KeyFigures
{
    private static int Reached(IReadOnlyList<FunnelStep> funnel, Stage stage) => funnel.Single(f => f.Stage == stage).Reached;

    public static IReadOnlyList<KeyFigure> Of(ConversionReport report, ConversionReport? previous) =>
    [
        new("first-contacts", "First contacts", r => Reached(r.CohortFunnel, Stage.Contacted), (_, r) => ReportTables.Count(Reached(r.CohortFunnel, Stage.Contacted)).Text, report, previous, Figure: ReportFigure.Funnel(FunnelKind.Cohort, Stage.Contacted)),
        new("signed", "Signed in the period", r => Reached(r.Funnel, Stage.Signed), (_, r) => ReportTables.Count(Reached(r.Funnel, Stage.Signed)).Text, report, previous, Figure: ReportFigure.Funnel(FunnelKind.Period, Stage.Signed)),
        new("first-contact-signed", "First contact → signed", r => r.FirstContactToSigned.Rate * 100, (t, r) => t.Percent(r.FirstContactToSigned), report, previous, IsPercent: true),
        new("median-days", "Median days to sign", r => ReportTables.WholeDays(r.TimeToSign.MedianDays), (_, r) => ReportTables.Days(r.TimeToSign.MedianDays), report, previous),
        new("re-entries", "Re-entries", r => r.ReEntries, (_, r) => ReportTables.Count(r.ReEntries).Text, report, previous),
    ];
}
