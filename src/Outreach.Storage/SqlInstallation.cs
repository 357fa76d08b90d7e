using Dapper;
using Outreach.Core.Mail;

namespace Outreach.Storage;

/// <summary>The installation id the migration drew (migration 0021); read once, it never changes.</summary>
public sealed class SqlInstallation(Database db) : IInstallation
{
    private string? id;

    public async Task<string> GetIdAsync(CancellationToken ct)
    {
        if (id is not null) return id;
        await using var c = await db.OpenAsync(ct);
        id = await c.QuerySingleAsync<string>(new CommandDefinition("SELECT installation_id FROM installation WHERE id = 1", cancellationToken: ct));
        return id;
    }
}
