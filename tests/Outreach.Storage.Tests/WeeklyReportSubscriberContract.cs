using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Access;
using Outreach.Core.Prospects;

namespace Outreach.Storage.Tests;

/// <summary>The weekly report's subscribers on every engine: one row per user, upserted with its address and language (migration 0033).</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task WeeklySubscribers_KeepTheirAddressAndLanguage_AndASecondSubscribeChangesBoth()
    {
        var subscribers = new SqlWeeklyReportSubscribers(Db);
        var at = Clock.GetUtcNow();
        await subscribers.SubscribeAsync("anne", " anne@secretariaat.example ", ContactLanguage.Nl, at, default);
        await subscribers.SubscribeAsync("bob", "bob@secretariaat.example", ContactLanguage.En, at, default);

        Assert.Equal([("anne", "anne@secretariaat.example", ContactLanguage.Nl), ("bob", "bob@secretariaat.example", ContactLanguage.En)],
            (await subscribers.ListAsync(default)).Select(s => (s.UserName, s.Address, s.Language)));

        await subscribers.SubscribeAsync("anne", "a.devries@secretariaat.example", ContactLanguage.En, at.AddDays(1), default);
        var anne = await subscribers.GetAsync("anne", default);
        Assert.Equal(("a.devries@secretariaat.example", ContactLanguage.En, at.AddDays(1)), (anne!.Address, anne.Language, anne.SubscribedAt));

        await subscribers.UnsubscribeAsync("anne", default);
        Assert.Null(await subscribers.GetAsync("anne", default));
        Assert.Single(await subscribers.ListAsync(default));
    }

    [Fact]
    public async Task ASubscriptionKeptUnderADisplayName_MovesToItsAccountsUserName_UnlessTheNameIsAmbiguousOrTaken()
    {
        var access = new SqlAccessStore(Db, Clock);
        await access.AddUserAsync("anne.devries", "Anne de Vries", Role.Manager, "x", default);
        await access.AddUserAsync("jan.1", "Jan Jansen", Role.Manager, "x", default);
        await access.AddUserAsync("jan.2", "Jan Jansen", Role.Manager, "x", default);
        await access.AddUserAsync("bram", "Bram Smit", Role.Manager, "x", default);
        var subscribers = new SqlWeeklyReportSubscribers(Db);
        var at = Clock.GetUtcNow();
        // As the page kept them before: under the display name.
        await subscribers.SubscribeAsync("Anne de Vries", "anne@secretariaat.example", ContactLanguage.Nl, at, default);
        await subscribers.SubscribeAsync("Jan Jansen", "jan@secretariaat.example", ContactLanguage.En, at, default);
        // Bram has both: the older row under his display name and a new one under his user name.
        await subscribers.SubscribeAsync("Bram Smit", "bram.old@secretariaat.example", ContactLanguage.En, at, default);
        await subscribers.SubscribeAsync("bram", "bram@secretariaat.example", ContactLanguage.En, at, default);

        await using (var c = await Db.OpenAsync(default))
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM schema_version WHERE version = 37", commandType: System.Data.CommandType.Text));
        Assert.Equal(37, Assert.Single(await new Migrator(Db, Clock, NullLogger<Migrator>.Instance).MigrateAsync(default)));

        Assert.Equal(("anne@secretariaat.example", ContactLanguage.Nl), (await subscribers.GetAsync("anne.devries", default)) is { } anne ? (anne.Address, anne.Language) : default);
        Assert.Null(await subscribers.GetAsync("Anne de Vries", default));
        Assert.NotNull(await subscribers.GetAsync("Jan Jansen", default));
        Assert.Equal("bram@secretariaat.example", (await subscribers.GetAsync("bram", default))?.Address);
        Assert.NotNull(await subscribers.GetAsync("Bram Smit", default));
        Assert.Equal(4, (await subscribers.ListAsync(default)).Count);
    }
}
