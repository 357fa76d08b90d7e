using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;

namespace Outreach.Core.Tests.Onboarding;

public sealed class OnboardingReminderRulesTests
{
    private static readonly DateOnly Due = new(2027, 3, 2);

    [Theory]
    [InlineData("2027-02-15", null)]        // 15 days before: not yet (14 by default)
    [InlineData("2027-02-16", "DueSoon")]   // 14 days before
    [InlineData("2027-03-01", "DueSoon")]   // the day before
    [InlineData("2027-03-02", null)]        // the due day itself: neither
    [InlineData("2027-03-08", null)]        // six days late: not yet overdue enough
    [InlineData("2027-03-09", "Overdue")]   // seven days late
    [InlineData("2027-05-01", "Overdue")]   // 60 days late: the last day it is mailed
    [InlineData("2027-05-02", null)]        // 61 days late: the owner's, not a mail's
    public void AReminderIsDue_BeforeTheDueDate_AndAWeekAfter_UntilItIsTheOwnersToChase(string today, string? expected)
    {
        var due = OnboardingReminders.Due(Due, DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture), OnboardingReminderSettings.Default);
        Assert.Equal(expected, due?.ToString());
    }

    [Fact]
    public void TheStoreReadsOnlyTheDueDatesThatCanNeedAReminder()
    {
        var settings = new OnboardingReminderSettings { DaysBefore = 10, DaysAfter = 3, StopAfterDays = 30 };
        Assert.Equal((new DateOnly(2027, 1, 31), new DateOnly(2027, 3, 12)), OnboardingReminders.DueRange(Due, settings));
        Assert.Equal(MilestoneReminder.Overdue, OnboardingReminders.Due(Due, new DateOnly(2027, 3, 5), settings));
        Assert.Null(OnboardingReminders.Due(Due, new DateOnly(2027, 4, 2), settings));
    }

    [Fact]
    public void KeysAreOnePerMilestoneKindAndContact_AndShareTheMilestonesPrefix()
    {
        Assert.Equal("milestone:12:before:contact:7", OnboardingReminders.Key(12, MilestoneReminder.DueSoon, 7));
        Assert.Equal("milestone:12:after:contact:7", OnboardingReminders.Key(12, MilestoneReminder.Overdue, 7));
        Assert.StartsWith(OnboardingReminders.KeyPrefix(12), OnboardingReminders.Key(12, MilestoneReminder.Overdue, 7), StringComparison.Ordinal);
        // Milestone 1's prefix does not take in milestone 12's reminders.
        Assert.False(OnboardingReminders.Key(12, MilestoneReminder.DueSoon, 7).StartsWith(OnboardingReminders.KeyPrefix(1), StringComparison.Ordinal));
    }

    [Fact]
    public void DatesAreWrittenInTheContactsLanguage()
    {
        Assert.Equal("2 maart 2027", OnboardingReminders.FormatDate(Due, ContactLanguage.Nl));
        Assert.Equal("2 March 2027", OnboardingReminders.FormatDate(Due, ContactLanguage.En));
    }

    [Fact]
    public void SettingsOutOfRange_AreRefused_NamingTheKey()
    {
        Assert.Empty(OnboardingReminderSettings.Default.Check());
        var errors = new OnboardingReminderSettings { DaysBefore = -1, DaysAfter = 0, StopAfterDays = 5000 }.Check();
        Assert.Equal(3, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("Onboarding:Reminders:", e, StringComparison.Ordinal));
    }
}
