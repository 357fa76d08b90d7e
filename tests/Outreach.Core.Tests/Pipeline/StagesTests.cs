using Outreach.Core.Pipeline;

namespace Outreach.Core.Tests.Pipeline;

public sealed class StagesTests
{
    [Theory]
    [InlineData("identified", Stage.Identified)]
    [InlineData("contacted", Stage.Contacted)]
    [InlineData("engaged", Stage.Engaged)]
    [InlineData("intake", Stage.Intake)]
    [InlineData("signing_scheduled", Stage.SigningScheduled)]
    [InlineData("signed", Stage.Signed)]
    [InlineData("declined", Stage.Declined)]
    [InlineData("not_now", Stage.NotNow)]
    [InlineData("left", Stage.Left)]
    public void Parse_AcceptsTheStoredCode(string code, Stage expected)
    {
        Assert.Equal(expected, Stages.Parse(code));
        Assert.Equal(code, expected.Code());
    }

    [Theory]
    [InlineData("signing scheduled", Stage.SigningScheduled)]
    [InlineData("not now", Stage.NotNow)]
    [InlineData("Not Now", Stage.NotNow)]
    [InlineData("not-now", Stage.NotNow)]
    [InlineData("  SIGNED  ", Stage.Signed)]
    [InlineData("SigningScheduled", Stage.SigningScheduled)]
    [InlineData("NotNow", Stage.NotNow)]
    [InlineData("notnow", Stage.NotNow)]
    [InlineData("Identified", Stage.Identified)]
    public void Parse_AcceptsLabelsAndPascalCaseNames(string value, Stage expected) =>
        Assert.Equal(expected, Stages.Parse(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("0")]
    [InlineData("5")]
    [InlineData("sign")]
    [InlineData("signed!")]
    [InlineData("not__now")]
    [InlineData("prospect")]
    public void TryParse_RefusesUnknownValues(string? value) =>
        Assert.False(Stages.TryParse(value, out _));

    [Fact]
    public void Parse_UnknownValue_ThrowsFormatExceptionNamingTheValue()
    {
        var ex = Assert.Throws<FormatException>(() => Stages.Parse("waiting"));

        Assert.Contains("'waiting'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CodeLabelAndName_RoundTripForEveryStage() =>
        Assert.All(Enum.GetValues<Stage>(), stage =>
        {
            Assert.Equal(stage, Stages.Parse(stage.Code()));
            Assert.Equal(stage, Stages.Parse(stage.Label()));
            Assert.Equal(stage, Stages.Parse(stage.ToString()));
        });

    [Fact]
    public void Codes_AreUniqueLowerCaseSnakeCase()
    {
        var codes = Enum.GetValues<Stage>().Select(s => s.Code()).ToList();

        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, code => Assert.Matches("^[a-z]+(_[a-z]+)*$", code));
    }

    [Fact]
    public void Label_IsTheCodeWithSpaces() => Assert.Equal("signing scheduled", Stage.SigningScheduled.Label());

    [Fact]
    public void All_HoldsEveryStageOnce_FunnelFirstThenTheExits()
    {
        Assert.Equal(Enum.GetValues<Stage>().Order(), Stages.All.Order());
        Assert.Equal(
            [Stage.Identified, Stage.Contacted, Stage.Engaged, Stage.Intake, Stage.SigningScheduled, Stage.Signed, Stage.NotNow, Stage.Declined, Stage.Left],
            Stages.All);
    }

    [Fact]
    public void Code_OfAnUndefinedStage_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ((Stage)99).Code());
}
