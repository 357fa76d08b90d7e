using Dapper;
using Outreach.Core.Reports;

namespace Outreach.Storage;

/// <summary>The report's data stamp: the one row of report_stamp, moved by triggers in the writing transaction (migration 0034).</summary>
public sealed class SqlReportDataStamp(Database db) : IReportDataStamp
{
    public async Task<long> ReadAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT version FROM report_stamp WHERE id = 1", cancellationToken: ct));
    }
}
