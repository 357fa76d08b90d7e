using Outreach.Core.Reports;
using static Outreach.Testing.ReportDataSet;

namespace Outreach.Core.Tests.Reports;

public sealed class ReportOutputTests
{
    [Fact]
    public void Csv_EscapesFormulaCellsAndQuotesSeparators()
    {
        var csv = CsvTable.Write(["Organisation", "Reason"], [["=Zilver & Co", "a;b"], ["+31", "said \"no\""], ["-1", "@home"], ["Plain", ""]]);
        var lines = csv.Split("\r\n");
        Assert.Equal("Organisation;Reason", lines[0]);
        Assert.Equal("'=Zilver & Co;\"a;b\"", lines[1]);
        Assert.Equal("'+31;\"said \"\"no\"\"\"", lines[2]);
        Assert.Equal("'-1;'@home", lines[3]);
        Assert.Equal("Plain;", lines[4]);
    }

    [Theory]
    [InlineData("2026-11-23", "2026-11-16")] // a Monday: the week before
    [InlineData("2026-11-22", "2026-11-09")] // a Sunday belongs to the week that started on the 16th
    [InlineData("2026-11-25", "2026-11-16")]
    public void WeekBefore_IsMondayToSunday(string today, string monday)
    {
        var (m, s) = WeeklyReportMail.WeekBefore(DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DateOnly.Parse(monday, System.Globalization.CultureInfo.InvariantCulture), m);
        Assert.Equal(DayOfWeek.Sunday, s.DayOfWeek);
        Assert.Equal(6, s.DayNumber - m.DayNumber);
    }

    [Fact]
    public void WeeklyMail_ComposesTheWeeksChangesAndTheKeyFigures()
    {
        // The week of 1–7 September 2025: F left ("=Zilver & Co", reason "Company sold…"); nothing else moved.
        var week = new ReportQuery { From = new DateOnly(2025, 9, 1), To = new DateOnly(2025, 9, 7) };
        var weekReport = ConversionReportBuilder.Build(week, InMemory(week), AsOf);
        var yearReport = ConversionReportBuilder.Build(Year2025, InMemory(Year2025), AsOf);
        var mail = WeeklyReportMail.Compose(weekReport, yearReport, "Responsible Gold <gold>");

        Assert.Equal("Outreach weekly report, week 36 (1 Sep 2025 – 7 Sep 2025): 0 signed, 0 first contacts", mail.Subject);
        Assert.Contains("- Left: =Zilver & Co (gold) — " + Sold, mail.Text, StringComparison.Ordinal);
        // Year figures: 2 of 7 first contacts signed; median 146 days, 75th percentile 159.
        Assert.Contains("First contact → signed: 2 of 7 (28.6%)", mail.Text, StringComparison.Ordinal);
        Assert.Contains("median 146, 75th percentile 159 (2 signed)", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Outreach weekly report for Responsible Gold <gold>", mail.Text, StringComparison.Ordinal);
        // The HTML part encodes every value.
        Assert.Contains("Responsible Gold &lt;gold&gt;", mail.Html, StringComparison.Ordinal);
        Assert.Contains("=Zilver &amp; Co", mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<gold>", mail.Html, StringComparison.Ordinal);
    }
}
