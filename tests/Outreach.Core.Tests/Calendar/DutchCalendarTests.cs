using System.Globalization;
using Outreach.Core.Calendar;

namespace Outreach.Core.Tests.Calendar;

public sealed class DutchCalendarTests
{
    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(2008, "2008-03-23")]
    [InlineData(2019, "2019-04-21")]
    [InlineData(2024, "2024-03-31")]
    [InlineData(2025, "2025-04-20")]
    [InlineData(2026, "2026-04-05")]
    [InlineData(2027, "2027-03-28")]
    [InlineData(2030, "2030-04-21")]
    [InlineData(2038, "2038-04-25")]
    [InlineData(2285, "2285-03-22")]
    public void EasterSunday_MatchesKnownDates(int year, string expected) =>
        Assert.Equal(D(expected), DutchCalendar.EasterSunday(year));

    [Fact]
    public void EasterSunday_IsAlwaysASundayBetween22MarchAnd25April()
    {
        for (var year = 1900; year <= 2200; year++)
        {
            var easter = DutchCalendar.EasterSunday(year);
            Assert.Equal(DayOfWeek.Sunday, easter.DayOfWeek);
            Assert.InRange(easter, new DateOnly(year, 3, 22), new DateOnly(year, 4, 25));
        }
    }

    [Theory]
    [InlineData(2014, "2014-04-26")]
    [InlineData(2025, "2025-04-26")]
    [InlineData(2026, "2026-04-27")]
    [InlineData(2031, "2031-04-26")]
    public void KingsDay_Is27April_Or26thWhenThe27thIsASunday(int year, string expected)
    {
        Assert.Equal(D(expected), DutchCalendar.KingsDay(year));
        Assert.Equal("King's Day", DutchCalendar.HolidayName(D(expected)));
    }

    [Fact]
    public void KingsDay2025_IsNotOnTheSunday27th()
    {
        Assert.Equal(DayOfWeek.Sunday, D("2025-04-27").DayOfWeek);
        Assert.Null(DutchCalendar.HolidayName(D("2025-04-27")));
        Assert.False(DutchCalendar.IsBusinessDay(D("2025-04-26")));
    }

    [Theory]
    [InlineData("2025-05-05", true)]
    [InlineData("2030-05-05", true)]
    [InlineData("2020-05-05", true)]
    [InlineData("2026-05-05", false)]
    [InlineData("2027-05-05", false)]
    public void LiberationDay_IsAHolidayOnlyInLustrumYears(string date, bool holiday) =>
        Assert.Equal(holiday ? "Liberation Day" : null, DutchCalendar.HolidayName(D(date)));

    [Fact]
    public void LiberationDay2026_IsABusinessDay() => Assert.True(DutchCalendar.IsBusinessDay(D("2026-05-05")));

    [Theory]
    [InlineData("2026-01-01", "New Year's Day")]
    [InlineData("2026-04-06", "Easter Monday")]
    [InlineData("2026-05-14", "Ascension Day")]
    [InlineData("2026-05-25", "Whit Monday")]
    [InlineData("2026-12-25", "Christmas Day")]
    [InlineData("2026-12-26", "Boxing Day")]
    [InlineData("2025-05-29", "Ascension Day")]
    [InlineData("2025-06-09", "Whit Monday")]
    public void HolidayName_NamesTheHoliday(string date, string name) =>
        Assert.Equal(name, DutchCalendar.HolidayName(D(date)));

    /// <summary>The whole year, so a holiday added or lost anywhere shows up.</summary>
    [Theory]
    [InlineData(2025, new[] { "2025-01-01", "2025-04-21", "2025-04-26", "2025-05-05", "2025-05-29", "2025-06-09", "2025-12-25", "2025-12-26" })]
    [InlineData(2026, new[] { "2026-01-01", "2026-04-06", "2026-04-27", "2026-05-14", "2026-05-25", "2026-12-25", "2026-12-26" })]
    public void HolidayName_GivesExactlyTheObservedHolidaysOfTheYear(int year, string[] expected)
    {
        var holidays = new List<DateOnly>();
        for (var day = new DateOnly(year, 1, 1); day.Year == year; day = day.AddDays(1))
        {
            if (DutchCalendar.HolidayName(day) is not null) holidays.Add(day);
        }

        Assert.Equal(expected.Select(D), holidays);
    }

    [Theory]
    [InlineData("2026-04-03")] // Good Friday: not observed
    [InlineData("2026-05-05")]
    [InlineData("2026-12-24")]
    [InlineData("2026-12-31")]
    public void DaysThatAreNotObservedHolidays_AreBusinessDays(string date) =>
        Assert.True(DutchCalendar.IsBusinessDay(D(date)));

    [Theory]
    [InlineData("2026-03-07")] // Saturday
    [InlineData("2026-03-08")] // Sunday
    [InlineData("2026-04-06")] // Easter Monday
    [InlineData("2026-12-25")]
    public void WeekendsAndHolidays_AreNotBusinessDays(string date) =>
        Assert.False(DutchCalendar.IsBusinessDay(D(date)));

    [Theory]
    [InlineData("2026-04-03", 1, "2026-04-07")] // Friday + 1 skips the weekend and Easter Monday
    [InlineData("2026-03-02", 1, "2026-03-03")]
    [InlineData("2026-03-06", 1, "2026-03-09")] // Friday → Monday
    [InlineData("2026-05-11", 5, "2026-05-19")] // skips Ascension Day
    [InlineData("2026-12-24", 1, "2026-12-28")] // Christmas, Boxing Day on a Saturday, Sunday
    [InlineData("2026-12-31", 1, "2027-01-04")] // New Year's Day, then the weekend
    [InlineData("2026-03-02", 0, "2026-03-02")] // a business day itself
    [InlineData("2026-03-07", 0, "2026-03-09")] // Saturday → Monday
    [InlineData("2026-04-06", 0, "2026-04-07")] // Easter Monday → Tuesday
    [InlineData("2026-03-07", 1, "2026-03-10")] // from Saturday: Monday is day 0, Tuesday day 1
    public void AddBusinessDays_SkipsWeekendsAndHolidays(string from, int days, string expected) =>
        Assert.Equal(D(expected), DutchCalendar.AddBusinessDays(D(from), days));

    [Fact]
    public void AddBusinessDays_Negative_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DutchCalendar.AddBusinessDays(D("2026-03-02"), -1));

    [Fact]
    public void AddBusinessDays_LandsOnABusinessDay_AfterExactlyThatManyBusinessDays()
    {
        for (var day = D("2024-12-01"); day < D("2031-01-31"); day = day.AddDays(1))
        {
            foreach (var n in new[] { 0, 1, 3, 10 })
            {
                var result = DutchCalendar.AddBusinessDays(day, n);
                Assert.True(DutchCalendar.IsBusinessDay(result), $"{day} + {n} = {result}");
                var start = DutchCalendar.AddBusinessDays(day, 0);
                var counted = 0;
                for (var d = start.AddDays(1); d <= result; d = d.AddDays(1))
                {
                    if (DutchCalendar.IsBusinessDay(d)) counted++;
                }

                Assert.Equal(n, counted);
            }
        }
    }
}
