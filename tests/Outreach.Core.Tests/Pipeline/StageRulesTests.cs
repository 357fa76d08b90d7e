using System.Text.RegularExpressions;
using Outreach.Core.Pipeline;

namespace Outreach.Core.Tests.Pipeline;

public sealed partial class StageRulesTests
{
    /// <summary>
    /// The intended moves, written out independently of <see cref="StageRules.Allowed"/>: forward one step at a time,
    /// one step back where a conversation cools, declined / not now left by re-approaching, left only after signed.
    /// Changing the product's table must mean changing this list on purpose.
    /// </summary>
    private static readonly HashSet<(Stage From, Stage To)> IntendedMoves =
    [
        (Stage.Identified, Stage.Contacted),
        (Stage.Identified, Stage.Declined),
        (Stage.Identified, Stage.NotNow),

        (Stage.Contacted, Stage.Engaged),
        (Stage.Contacted, Stage.Declined),
        (Stage.Contacted, Stage.NotNow),

        (Stage.Engaged, Stage.Intake),
        (Stage.Engaged, Stage.Contacted),
        (Stage.Engaged, Stage.Declined),
        (Stage.Engaged, Stage.NotNow),

        (Stage.Intake, Stage.SigningScheduled),
        (Stage.Intake, Stage.Engaged),
        (Stage.Intake, Stage.Declined),
        (Stage.Intake, Stage.NotNow),

        (Stage.SigningScheduled, Stage.Signed),
        (Stage.SigningScheduled, Stage.Intake),
        (Stage.SigningScheduled, Stage.Declined),
        (Stage.SigningScheduled, Stage.NotNow),

        (Stage.Signed, Stage.Left),

        (Stage.Declined, Stage.Identified),
        (Stage.Declined, Stage.Contacted),
        (Stage.Declined, Stage.NotNow),

        (Stage.NotNow, Stage.Identified),
        (Stage.NotNow, Stage.Contacted),
        (Stage.NotNow, Stage.Engaged),
        (Stage.NotNow, Stage.Declined),

        (Stage.Left, Stage.Identified),
    ];

    private static readonly Stage[] EveryStage = Enum.GetValues<Stage>();

    public static TheoryData<Stage, Stage> AllPairs()
    {
        var data = new TheoryData<Stage, Stage>();
        foreach (var from in EveryStage)
        {
            foreach (var to in EveryStage) data.Add(from, to);
        }

        return data;
    }

    /// <summary>Refused moves between different stages (same-stage moves have their own test).</summary>
    public static TheoryData<Stage, Stage> RefusedPairs()
    {
        var data = new TheoryData<Stage, Stage>();
        foreach (var from in EveryStage)
        {
            foreach (var to in EveryStage.Where(to => to != from && !IntendedMoves.Contains((from, to)))) data.Add(from, to);
        }

        return data;
    }

    [Fact]
    public void Allowed_IsExactlyTheIntendedTable()
    {
        var actual = StageRules.Allowed.SelectMany(kv => kv.Value.Select(to => (From: kv.Key, To: to))).ToList();

        var unexpected = actual.Where(m => !IntendedMoves.Contains(m)).ToList();
        var missing = IntendedMoves.Where(m => !actual.Contains(m)).ToList();

        Assert.True(unexpected.Count == 0, $"Allowed but not intended: {string.Join(", ", unexpected)}");
        Assert.True(missing.Count == 0, $"Intended but not allowed: {string.Join(", ", missing)}");
        Assert.Equal(actual.Count, actual.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void IsAllowed_IsTrueExactlyForTheIntendedMoves(Stage from, Stage to) =>
        Assert.Equal(IntendedMoves.Contains((from, to)), StageRules.IsAllowed(from, to));

    [Fact]
    public void Allowed_HasAnEntryForEveryStage()
    {
        Assert.All(EveryStage, stage => Assert.True(StageRules.Allowed.ContainsKey(stage), $"No entry for {stage}"));
        Assert.Equal(EveryStage.Length, StageRules.Allowed.Count);
    }

    [Fact]
    public void Left_IsReachableOnlyFromSigned()
    {
        var from = EveryStage.Where(s => StageRules.IsAllowed(s, Stage.Left));

        Assert.Equal([Stage.Signed], from);
    }

    [Fact]
    public void Signed_OnlyGoesToLeft() => Assert.Equal([Stage.Left], StageRules.Allowed[Stage.Signed]);

    [Fact]
    public void NoStage_AllowsAMoveToItself() =>
        Assert.All(EveryStage, stage => Assert.False(StageRules.IsAllowed(stage, stage), $"{stage} → {stage} allowed"));

    [Fact]
    public void FunnelForwardMoves_GoOneStepAtATime()
    {
        var funnel = Stages.Funnel;
        for (var i = 0; i < funnel.Count; i++)
        {
            for (var j = i + 1; j < funnel.Count; j++)
            {
                Assert.Equal(j == i + 1, StageRules.IsAllowed(funnel[i], funnel[j]));
            }
        }
    }

    [Fact]
    public void EveryStage_CanStillReachSigned_AndEveryStageIsReachableFromIdentified()
    {
        Assert.All(EveryStage, stage => Assert.Contains(Stage.Signed, Reachable(stage)));
        Assert.Equal(EveryStage.ToHashSet(), Reachable(Stage.Identified));
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void WhyRefused_IsNullExactlyWhenTheMoveIsAllowed(Stage from, Stage to) =>
        Assert.Equal(StageRules.IsAllowed(from, to), StageRules.WhyRefused(from, to) is null);

    [Theory]
    [MemberData(nameof(RefusedPairs))]
    public void WhyRefused_NamesTheCurrentStageAndTheTargetOrTheNextStep(Stage from, Stage to)
    {
        var message = StageRules.WhyRefused(from, to);

        Assert.NotNull(message);
        var text = message.ToString();
        Assert.Contains($"'{from.Label()}'", text, StringComparison.Ordinal);
        var next = NextFunnelStep(from, to);
        Assert.Contains($"'{(next ?? to).Label()}'", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RefusedPairs))]
    public void WhyRefused_TemplateUsesEveryArgument_SoTranslationsCanShowThem(Stage from, Stage to)
    {
        var message = StageRules.WhyRefused(from, to)!;

        var used = Placeholder().Matches(message.Template).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();

        Assert.Equal(Enumerable.Range(0, message.Args.Length).ToHashSet(), used);
    }

    [Theory]
    [MemberData(nameof(RefusedPairs))]
    public void WhyRefused_ListsTheMovesThatAreAllowedFromHere(Stage from, Stage to)
    {
        var text = StageRules.WhyRefused(from, to)!.ToString();

        Assert.EndsWith("Allowed from here: " + string.Join(", ", StageRules.Allowed[from].Select(s => s.Label())) + ".", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllStages))]
    public void Move_ToTheSameStage_IsRefusedAsAlreadyThere(Stage stage)
    {
        var message = StageRules.WhyRefused(stage, stage);

        Assert.NotNull(message);
        Assert.Equal($"The prospect is already in '{stage.Label()}'.", message.ToString());
    }

    [Fact]
    public void WhyRefused_ForTheSameMoveTwice_GivesEqualMessages()
    {
        var first = StageRules.WhyRefused(Stage.Identified, Stage.Signed);
        var second = StageRules.WhyRefused(Stage.Identified, Stage.Signed);

        Assert.Equal(first, second);
        Assert.Equal(first!.GetHashCode(), second!.GetHashCode());
        Assert.NotEqual(first, StageRules.WhyRefused(Stage.Contacted, Stage.Signed));
    }

    [Fact]
    public void Move_FromContactedToSigned_IsRefusedWithReason()
    {
        var message = StageRules.WhyRefused(Stage.Contacted, Stage.Signed);

        Assert.NotNull(message);
        Assert.StartsWith("Stages cannot be skipped: from 'contacted' the next step is 'engaged', not 'signed'.", message.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Move_FromIntakeToLeft_SaysOnlySignedPartiesCanLeave()
    {
        var text = StageRules.WhyRefused(Stage.Intake, Stage.Left)!.ToString();

        Assert.Contains("Only a party that has signed", text, StringComparison.Ordinal);
        Assert.Contains("'intake'", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Move_FromSignedToDeclined_SaysASignedPartyCanOnlyLeave()
    {
        var text = StageRules.WhyRefused(Stage.Signed, Stage.Declined)!.ToString();

        Assert.Contains("can only leave the covenant", text, StringComparison.Ordinal);
        Assert.EndsWith("Allowed from here: left.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Move_BackTwoSteps_IsRefusedNamingBothStages()
    {
        var text = StageRules.WhyRefused(Stage.SigningScheduled, Stage.Engaged)!.ToString();

        Assert.StartsWith("A prospect in 'signing scheduled' cannot move to 'engaged'.", text, StringComparison.Ordinal);
    }

    public static TheoryData<Stage> AllStages() => [.. EveryStage];

    /// <summary>For a forward skip inside the funnel the message names the next step instead of the target.</summary>
    private static Stage? NextFunnelStep(Stage from, Stage to)
    {
        var funnel = Stages.Funnel.ToList();
        int f = funnel.IndexOf(from), t = funnel.IndexOf(to);
        return from != Stage.Signed && f >= 0 && t > f + 1 ? funnel[f + 1] : null;
    }

    private static HashSet<Stage> Reachable(Stage start)
    {
        var seen = new HashSet<Stage> { start };
        var queue = new Queue<Stage>([start]);
        while (queue.TryDequeue(out var stage))
        {
            foreach (var next in StageRules.Allowed[stage].Where(seen.Add)) queue.Enqueue(next);
        }

        return seen;
    }

    [GeneratedRegex(@"\{(\d+)\}")]
    private static partial Regex Placeholder();
}
