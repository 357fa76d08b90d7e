namespace Outreach.Web.Tests;

/// <summary>The test host itself: a host with extra settings is one node, not two on one database.</summary>
public sealed class AppFactoryTests
{
    // Found when a Graph host's mail went out through the pickup folder under load: the client of a WithWebHostBuilder
    // host asked the parent factory for its API key, which started the parent as a second node (Pickup mail) on the same
    // database, and that node's dispatcher could claim the mail first.
    [Fact]
    public async Task AClientOfAHostWithExtraSettings_StartsThatHostOnly()
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b => b.UseSetting("Mail:DispatchIntervalSeconds", "1"));
        var client = app.CreateClient();

        var answer = await client.GetAsync(new Uri("/api/prospects", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(1, factory.HostsBuilt);
    }
}
