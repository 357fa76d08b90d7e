using Dapper;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;

namespace Outreach.Storage;

/// <summary>The weekly report's self-service subscribers (migrations 0028, 0033); one row per user, upserted.</summary>
public sealed class SqlWeeklyReportSubscribers(Database db) : IWeeklyReportSubscribers
{
    private const string Columns = "user_name AS UserName, address AS Address, subscribed_at AS SubscribedAt, language AS Language";

    public async Task<IReadOnlyList<WeeklyReportSubscriber>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM weekly_report_subscriber ORDER BY user_name", cancellationToken: ct))).Select(r => r.ToModel()).ToList();
    }

    public async Task<WeeklyReportSubscriber?> GetAsync(string userName, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM weekly_report_subscriber WHERE user_name = @userName", new { userName }, cancellationToken: ct)))?.ToModel();
    }

    public async Task SubscribeAsync(string userName, string address, ContactLanguage language, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO weekly_report_subscriber (user_name, address, subscribed_at, language) VALUES (@userName, @address, @at, @language)
            ON CONFLICT (user_name) DO UPDATE SET address = excluded.address, subscribed_at = excluded.subscribed_at, language = excluded.language
            """, new { userName, address = address.Trim(), at, language = language.Code() }, cancellationToken: ct));
    }

    public async Task UnsubscribeAsync(string userName, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM weekly_report_subscriber WHERE user_name = @userName", new { userName }, cancellationToken: ct));
    }

    private sealed class Row
    {
        public string UserName { get; init; } = "";
        public string Address { get; init; } = "";
        public DateTimeOffset SubscribedAt { get; init; }
        public string Language { get; init; } = "en";

        public WeeklyReportSubscriber ToModel() => new(UserName, Address, SubscribedAt, Language == "nl" ? ContactLanguage.Nl : ContactLanguage.En);
    }
}
