using FsCheck;
using FsCheck.Fluent;
using Outreach.Core.Prospects.Import;

namespace Outreach.Core.Tests.Import;

public sealed class CsvSafetyTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")")]
    [InlineData("+31 20 123 4567", "'+31 20 123 4567")]
    [InlineData("-5", "'-5")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "'\r=1")]
    [InlineData("'=1", "''=1")]
    [InlineData("Acme B.V.", "Acme B.V.")]
    [InlineData("'t Gouden Hoofd", "'t Gouden Hoofd")]
    [InlineData("a=b", "a=b")]
    [InlineData("", "")]
    public void EscapeForExport_PrefixesFormulaLikeValuesWithAnApostrophe(string value, string expected)
    {
        Assert.Equal(expected, CsvSafety.EscapeForExport(value));
        Assert.Equal(value, CsvSafety.UnescapeImported(expected));
    }

    [Fact]
    public void UnescapeImported_UndoesEscapeForExport_ForAnyString()
    {
        var values = Gen.Elements('=', '+', '-', '@', '\'', '\t', '\r', 'a', ' ', '"')
            .ArrayOf().Select(chars => new string(chars));
        Prop.ForAll(Arb.From(values), v =>
                CsvSafety.UnescapeImported(CsvSafety.EscapeForExport(v)) == v && !CsvSafety.StartsLikeFormula(CsvSafety.EscapeForExport(v)))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }
}
