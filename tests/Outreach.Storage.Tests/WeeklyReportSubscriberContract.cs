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
}
