using Dapper;

namespace Outreach.Storage;

/// <summary>
/// report_prospect (migration 0011) is derived from the stage history; this rebuilds it from the history with the
/// migration's own statement, for a check that the trigger kept it right or a repair after loading history by hand.
/// </summary>
public static class ReportSummary
{
    private const string Begin = "-- rebuild:begin";
    private const string End = "-- rebuild:end";

    /// <summary>The statement that fills report_prospect from stage_change (into an empty table).</summary>
    public static string RebuildSql(StorageEngine engine)
    {
        var script = Migrator.Scripts(engine).Single(s => s.Version == 11).Sql;
        var start = script.IndexOf(Begin, StringComparison.Ordinal) + Begin.Length;
        return script[start..script.IndexOf(End, start, StringComparison.Ordinal)].Trim();
    }

    /// <summary>Empties report_prospect and fills it again from the history, in one transaction.</summary>
    public static async Task RebuildAsync(Database db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM report_prospect", transaction: tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(RebuildSql(db.Engine), transaction: tx, commandTimeout: 0, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }
}
