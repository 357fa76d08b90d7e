using Outreach.Core.Calendar;
using Outreach.Testing;

namespace Outreach.Core.Tests.Calendar;

public sealed class AmsterdamClockTests
{
    private static readonly TimeSpan Winter = TimeSpan.FromHours(1);
    private static readonly TimeSpan Summer = TimeSpan.FromHours(2);

    [Theory]
    [InlineData("2026-01-15T22:59:59Z", "2026-01-15")]
    [InlineData("2026-01-15T23:00:00Z", "2026-01-16")]
    [InlineData("2026-01-15T23:30:00Z", "2026-01-16")]
    [InlineData("2026-07-15T21:59:59Z", "2026-07-15")]
    [InlineData("2026-07-15T22:00:00Z", "2026-07-16")]
    [InlineData("2026-12-31T23:00:00Z", "2027-01-01")]
    [InlineData("2026-03-28T23:00:00Z", "2026-03-29")] // the night of the spring change, still winter time
    [InlineData("2026-10-24T22:00:00Z", "2026-10-25")] // the night of the autumn change, still summer time
    public void Today_IsTheDateInAmsterdam_NotInUtc(string utc, string expected)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), AmsterdamClock.Today(clock));
    }

    [Fact]
    public void Today_FollowsTheFakeClock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 22, 0, 0, TimeSpan.Zero));
        var before = AmsterdamClock.Today(clock);

        clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(before.AddDays(1), AmsterdamClock.Today(clock));
    }

    [Theory]
    [InlineData("2026-01-15T11:00:00Z", 12, 1)]
    [InlineData("2026-07-15T11:00:00Z", 13, 2)]
    public void ToLocal_ShowsTheAmsterdamWallClockAndOffset(string utc, int hour, int offsetHours)
    {
        var local = AmsterdamClock.ToLocal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal((hour, TimeSpan.FromHours(offsetHours)), (local.Hour, local.Offset));
    }

    [Fact]
    public void AtLocal_InWinter_IsUtcPlusOne()
    {
        var at = AmsterdamClock.AtLocal(new DateOnly(2026, 1, 15), new TimeOnly(9, 0));

        Assert.Equal(new DateTimeOffset(2026, 1, 15, 8, 0, 0, TimeSpan.Zero), at);
        Assert.Equal(Winter, at.Offset);
    }

    [Fact]
    public void AtLocal_InSummer_IsUtcPlusTwo()
    {
        var at = AmsterdamClock.AtLocal(new DateOnly(2026, 7, 15), new TimeOnly(9, 0));

        Assert.Equal(new DateTimeOffset(2026, 7, 15, 7, 0, 0, TimeSpan.Zero), at);
        Assert.Equal(Summer, at.Offset);
    }

    /// <summary>On 29 March 2026 the clocks jump from 02:00 to 03:00: 02:30 does not exist and moves forward by the gap, to 03:30 summer time.</summary>
    [Fact]
    public void AtLocal_InTheSpringGap_MovesForwardByTheGap()
    {
        var at = AmsterdamClock.AtLocal(new DateOnly(2026, 3, 29), new TimeOnly(2, 30));

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero), at);
        Assert.Equal((3, 30, Summer), (at.Hour, at.Minute, at.Offset));
    }

    [Fact]
    public void AtLocal_AroundTheSpringGap_UsesTheOffsetInForce()
    {
        var before = AmsterdamClock.AtLocal(new DateOnly(2026, 3, 29), new TimeOnly(1, 59));
        var after = AmsterdamClock.AtLocal(new DateOnly(2026, 3, 29), new TimeOnly(3, 0));

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 0, 59, 0, TimeSpan.Zero), before);
        Assert.Equal(Winter, before.Offset);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), after);
        Assert.Equal(Summer, after.Offset);
    }

    /// <summary>On 25 October 2026 02:00–03:00 happens twice; the documented choice is the later instant (winter time, 01:30 UTC).</summary>
    [Fact]
    public void AtLocal_InTheAutumnOverlap_TakesTheLaterInstant()
    {
        var at = AmsterdamClock.AtLocal(new DateOnly(2026, 10, 25), new TimeOnly(2, 30));

        Assert.Equal(new DateTimeOffset(2026, 10, 25, 1, 30, 0, TimeSpan.Zero), at);
        Assert.Equal(Winter, at.Offset);
        Assert.Equal(new TimeOnly(2, 30), TimeOnly.FromDateTime(AmsterdamClock.ToLocal(at).DateTime));
    }

    [Fact]
    public void AtLocal_AroundTheAutumnOverlap_UsesTheOffsetInForce()
    {
        var before = AmsterdamClock.AtLocal(new DateOnly(2026, 10, 25), new TimeOnly(1, 59));
        var after = AmsterdamClock.AtLocal(new DateOnly(2026, 10, 25), new TimeOnly(3, 0));

        Assert.Equal(Summer, before.Offset);
        Assert.Equal(Winter, after.Offset);
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 2, 0, 0, TimeSpan.Zero), after);
    }

    /// <summary>Every minute of the spring gap lands exactly one hour later on the wall clock, so their order is kept.</summary>
    [Theory]
    [InlineData(2026, 3, 29)]
    [InlineData(2027, 3, 28)]
    public void AtLocal_EveryTimeInTheSpringGap_MovesForwardOneHour(int year, int month, int day)
    {
        var date = new DateOnly(year, month, day);
        for (var minute = 0; minute < 60; minute++)
        {
            var skipped = AmsterdamClock.AtLocal(date, new TimeOnly(2, minute));
            Assert.Equal(AmsterdamClock.AtLocal(date, new TimeOnly(3, minute)), skipped);
            Assert.Equal(new DateTimeOffset(date.ToDateTime(new TimeOnly(1, minute)), TimeSpan.Zero), skipped);
        }
    }

    /// <summary>Outside the spring gap, later wall-clock times give later instants, also through the autumn overlap.</summary>
    [Theory]
    [InlineData(2026, 3, 29)]
    [InlineData(2026, 10, 25)]
    [InlineData(2027, 3, 28)]
    [InlineData(2027, 10, 31)]
    public void AtLocal_KeepsTheOrderOfExistingWallClockTimes(int year, int month, int day)
    {
        var date = new DateOnly(year, month, day);
        var previous = AmsterdamClock.AtLocal(date, TimeOnly.MinValue);
        for (var minute = 1; minute < 24 * 60; minute++)
        {
            var time = TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(minute));
            if (AmsterdamClock.Zone.IsInvalidTime(date.ToDateTime(time))) continue;
            var at = AmsterdamClock.AtLocal(date, time);
            Assert.True(at > previous, $"{time} gave {at:O}, not after {previous:O}");
            previous = at;
        }
    }

    [Fact]
    public void AtLocal_RoundTripsThroughToLocal_ForEveryExistingTime()
    {
        foreach (var date in new[] { new DateOnly(2026, 3, 29), new DateOnly(2026, 10, 25), new DateOnly(2026, 6, 1) })
        {
            for (var minute = 0; minute < 24 * 60; minute += 15)
            {
                var time = TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(minute));
                if (date == new DateOnly(2026, 3, 29) && time.Hour == 2) continue; // does not exist
                var local = AmsterdamClock.ToLocal(AmsterdamClock.AtLocal(date, time));
                Assert.Equal((date, time), (DateOnly.FromDateTime(local.DateTime), TimeOnly.FromDateTime(local.DateTime)));
            }
        }
    }
}
