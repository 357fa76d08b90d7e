using Outreach.Core.Activities;

namespace Outreach.Core.Tests.Activities;

/// <summary>The timeline's order, filters and keyset paging: the rules the storage's one query per page must agree with.</summary>
public sealed class TimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static TimelineItem Item(int minutes, TimelineSource source, long id) => new() { At = T0.AddMinutes(minutes), Source = source, Id = id };

    [Fact]
    public void Merge_PutsTheNewestFirst_AcrossSources_AndBreaksTiesBySourceThenId()
    {
        var activities = new[] { Item(5, TimelineSource.Activity, 1), Item(1, TimelineSource.Activity, 2) };
        var stages = new[] { Item(5, TimelineSource.StageChange, 9), Item(3, TimelineSource.StageChange, 4) };
        var mails = new[] { Item(5, TimelineSource.MailSent, 7), Item(5, TimelineSource.MailSent, 8), Item(9, TimelineSource.MailSent, 1) };

        var page = Timeline.Merge([activities, stages, mails], new TimelineQuery { PageSize = 50 });

        Assert.Equal(
            [(9, TimelineSource.MailSent, 1L), (5, TimelineSource.Activity, 1L), (5, TimelineSource.StageChange, 9L), (5, TimelineSource.MailSent, 8L),
             (5, TimelineSource.MailSent, 7L), (3, TimelineSource.StageChange, 4L), (1, TimelineSource.Activity, 2L)],
            page.Items.Select(i => ((int)(i.At - T0).TotalMinutes, i.Source, i.Id)));
        Assert.Null(page.Next);
    }

    [Fact]
    public void Merge_PagesWithTheCursor_WithoutLosingOrRepeatingLinesOfTheSameInstant()
    {
        // 30 lines, ten at each of three instants, from three sources: every page boundary falls inside a tie.
        var all = Enumerable.Range(0, 30).Select(n => Item(n / 10, (TimelineSource)(8 + (n % 3)), n)).ToList();
        var seen = new List<TimelineItem>();
        TimelineCursor? after = null;
        var pages = 0;
        do
        {
            var page = Timeline.Merge([all], new TimelineQuery { PageSize = 7, After = after });
            seen.AddRange(page.Items);
            after = page.Next;
            pages++;
        }
        while (after is not null && pages < 100);

        Assert.Equal(5, pages);
        Assert.Equal(all.Order(Timeline.NewestFirst), seen);
    }

    [Fact]
    public void Merge_KeepsOnlyTheChosenKinds()
    {
        var lines = new[]
        {
            Item(1, TimelineSource.Activity, 1), Item(2, TimelineSource.Reply, 1), Item(3, TimelineSource.Invited, 1), Item(4, TimelineSource.Attended, 1),
            Item(5, TimelineSource.EnrolmentChanged, 1), Item(6, TimelineSource.RemovedInDynamics, 1),
        };
        var page = Timeline.Merge([lines], new TimelineQuery { Kinds = new HashSet<TimelineKind> { TimelineKind.Event, TimelineKind.Dynamics } });
        Assert.Equal([TimelineSource.RemovedInDynamics, TimelineSource.Attended, TimelineSource.Invited], page.Items.Select(i => i.Source));
        Assert.Equal([TimelineSource.Invited, TimelineSource.Answered, TimelineSource.Attended],
            Timeline.SourcesOf(new TimelineQuery { Kinds = new HashSet<TimelineKind> { TimelineKind.Event } }).Order());
    }

    [Fact]
    public void Page_ReadOneBeyondTheSize_HasANextCursorAtItsLastLine()
    {
        var lines = new[] { Item(3, TimelineSource.Activity, 3), Item(2, TimelineSource.Activity, 2), Item(1, TimelineSource.Activity, 1) };
        var page = Timeline.Page(lines, 2);
        Assert.Equal(2, page.Items.Count);
        Assert.Equal(new TimelineCursor(T0.AddMinutes(2), TimelineSource.Activity, 2), page.Next);
        Assert.Null(Timeline.Page(lines, 3).Next);
    }

    [Fact]
    public void Cursor_RoundTrips_AndRefusesAnythingElse()
    {
        var cursor = new TimelineCursor(T0.AddTicks(1234567), TimelineSource.StageChange, 42);
        Assert.True(TimelineCursor.TryParse(cursor.ToString(), out var read));
        Assert.Equal(cursor, read);
        foreach (var bad in new[] { "", "1.2", "a.9.1", "1.99.1", "1.9.-1", "-1.9.1", "1.9.1.1", "99999999999999999999.9.1", "1.9.1 ", " 1.9.1", "1e3.9.1", "1.0.1", new string('1', 70) })
        {
            Assert.False(TimelineCursor.TryParse(bad, out _), bad);
        }
    }

    [Fact]
    public void Merge_PutsMilestoneLinesAmongTheOthers_FirstAtTheSameInstant_AndPagesThroughTheirTies()
    {
        // A signing: the stage change and the milestones it created share one instant; a milestone done later, a note between.
        var stages = new[] { Item(0, TimelineSource.StageChange, 5) };
        var milestones = new[]
        {
            Item(0, TimelineSource.OnboardingMilestone, 1), Item(0, TimelineSource.OnboardingMilestone, 2), Item(0, TimelineSource.OnboardingMilestone, 3),
            Item(7, TimelineSource.OnboardingMilestone, 4), Item(9, TimelineSource.OnboardingMilestone, 6),
        };
        var activities = new[] { Item(7, TimelineSource.Activity, 8), Item(0, TimelineSource.Activity, 9) };

        var page = Timeline.Merge([stages, milestones, activities], new TimelineQuery());
        Assert.Equal(
            [(9, TimelineSource.OnboardingMilestone, 6L), (7, TimelineSource.OnboardingMilestone, 4L), (7, TimelineSource.Activity, 8L),
             (0, TimelineSource.OnboardingMilestone, 3L), (0, TimelineSource.OnboardingMilestone, 2L), (0, TimelineSource.OnboardingMilestone, 1L),
             (0, TimelineSource.Activity, 9L), (0, TimelineSource.StageChange, 5L)],
            page.Items.Select(i => ((int)(i.At - T0).TotalMinutes, i.Source, i.Id)));

        // Pages of two cut inside the signing's tie, twice; together they are the whole list, once each.
        var seen = new List<TimelineItem>();
        TimelineCursor? after = null;
        var cursors = new List<TimelineCursor>();
        do
        {
            var next = Timeline.Merge([stages, milestones, activities], new TimelineQuery { PageSize = 2, After = after });
            seen.AddRange(next.Items);
            after = next.Next;
            if (after is { } c) cursors.Add(c);
        }
        while (after is not null && seen.Count < 100);
        Assert.Equal(page.Items, seen);
        Assert.Equal(
            [new TimelineCursor(T0.AddMinutes(7), TimelineSource.OnboardingMilestone, 4), new TimelineCursor(T0, TimelineSource.OnboardingMilestone, 3), new TimelineCursor(T0, TimelineSource.OnboardingMilestone, 1)],
            cursors);
        Assert.True(TimelineCursor.TryParse(cursors[^1].ToString(), out var read) && read == cursors[^1]);
        Assert.Equal("11", new TimelineCursor(T0, TimelineSource.OnboardingMilestone, 2).ToString().Split('.')[1]);
    }

    [Fact]
    public void TheOnboardingKind_FiltersToMilestoneLinesOnly_AndReadsItsCode()
    {
        var lines = new[] { Item(1, TimelineSource.OnboardingMilestone, 1), Item(2, TimelineSource.StageChange, 1), Item(3, TimelineSource.RemovedInDynamics, 1), Item(4, TimelineSource.Activity, 1) };
        var onboarding = new HashSet<TimelineKind> { TimelineKind.Onboarding };

        Assert.Equal([TimelineSource.OnboardingMilestone], Timeline.Merge([lines], new TimelineQuery { Kinds = onboarding }).Items.Select(i => i.Source));
        Assert.Equal([TimelineSource.OnboardingMilestone], Timeline.SourcesOf(new TimelineQuery { Kinds = onboarding }));
        // A milestone line is not a Dynamics one (the fall-through kind), and Dynamics does not bring milestone lines.
        Assert.DoesNotContain(TimelineSource.OnboardingMilestone, Timeline.SourcesOf(new TimelineQuery { Kinds = new HashSet<TimelineKind> { TimelineKind.Dynamics } }));
        Assert.True(Timeline.Kinds.TryParse("onboarding", out var kind));
        Assert.Equal((TimelineKind.Onboarding, "onboarding", "Onboarding milestones"), (kind, kind.Code(), kind.Label()));
    }

    [Fact]
    public void EveryKindHasACode_AndEverySourceAKind()
    {
        Assert.Equal(Enum.GetValues<TimelineKind>().Length, Enum.GetValues<TimelineKind>().Select(k => k.Code()).Distinct().Count());
        Assert.Equal(Enum.GetValues<TimelineKind>().Order(), Enum.GetValues<TimelineSource>().Select(Timeline.KindOf).Distinct().Order());
    }
}
