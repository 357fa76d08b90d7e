using System.Text.RegularExpressions;

namespace Outreach.Storage.Tests;

/// <summary>The engine is branched on in one place: <see cref="SqlDialect"/> (and <see cref="Database"/>, which picks it).</summary>
public sealed partial class DialectTests
{
    private static readonly string[] EngineTests = ["IsSqlite", "SqliteConnection", "NpgsqlConnection", "StorageEngine.", "Engine =="];

    [Fact]
    public void NoSqlFile_OtherThanTheDialect_TestsTheEngine()
    {
        var storage = Path.Combine(RepoRoot(), "src", "Outreach.Storage");
        // Sql*.cs with a capital after "Sql": the stores, not SqliteDialect.cs.
        var files = Directory.GetFiles(storage, "Sql*.cs", SearchOption.AllDirectories)
            .Where(f => StoreFileName().IsMatch(Path.GetFileName(f)) && Path.GetFileName(f) != "SqlDialect.cs")
            .ToList();
        Assert.True(files.Count >= 15, $"Only {files.Count} Sql*.cs files found under {storage}.");
        var offences = (from file in files
                        from line in File.ReadLines(file).Select((text, i) => (text, number: i + 1))
                        from word in EngineTests
                        where line.text.Contains(word, StringComparison.Ordinal)
                        select $"{Path.GetRelativePath(storage, file)}:{line.number}: {word}").ToList();
        Assert.True(offences.Count == 0, "Ask db.Dialect instead of testing the engine:\n" + string.Join("\n", offences));
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public void EachEngine_HasItsDialect(StorageEngine engine)
    {
        var db = new Database(engine, engine == StorageEngine.Sqlite ? Testing.TestDatabases.NewSqliteConnectionString() : "Host=127.0.0.1");
        Assert.Equal(engine, db.Dialect.Engine);
        Assert.Same(SqlDialect.For(engine), db.Dialect);
    }

    [Fact]
    public void AdvisoryLockIds_AreDistinct()
    {
        var ids = typeof(LockIds).GetFields().Select(f => (long)f.GetRawConstantValue()!).ToList();
        Assert.True(ids.Count >= 3);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [GeneratedRegex("^Sql[A-Z][A-Za-z]*\\.cs$")]
    private static partial Regex StoreFileName();

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Outreach.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Outreach.sln not found above the test binaries.");
    }
}
