using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Mail;
using Outreach.Graph.Testing;

namespace Outreach.Web.Tests;

/// <summary>Mail:Provider=Graph through the real host: refused when misconfigured, and mail dispatched to a local Graph server once.</summary>
public sealed class GraphHostTests
{
    [Fact]
    public async Task GraphProvider_WithTheLocalServer_SendsAnOutboxMailOnce_AndRegistersTheInboxReader()
    {
        await using var server = await LocalGraphServer.StartAsync();
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Mail:Provider", "Graph");
            b.UseSetting("Mail:DispatchIntervalSeconds", "1");
            b.UseSetting("Graph:BaseUrl", server.BaseUrl);
            b.UseSetting("Graph:AccessToken", server.Token);
            b.UseSetting("Graph:Mailbox", "secretariaat@convenant.example");
        });
        app.CreateClient();
        Assert.IsType<Outreach.Graph.GraphMailDelivery>(app.Services.GetRequiredService<IMailDelivery>());
        Assert.IsType<Outreach.Graph.GraphMailboxReader>(app.Services.GetRequiredService<IMailboxReader>());

        var outbox = app.Services.GetRequiredService<IMailOutbox>();
        var now = factory.Clock.GetUtcNow();
        await outbox.EnqueueAsync(new MailDraft
        {
            IdempotencyKey = "one-off:host-test", Purpose = "follow-up", ToAddress = "eva@jansen-metaal.example", ToName = "Eva Jansen",
            Subject = "Uw vragen over het convenant", HtmlBody = "<p>Beste Eva,</p>", TextBody = "Beste Eva,", UnsubscribeUrl = "https://outreach.example/u/x", DueAt = now,
        }, now, default);

        OutboxMail? sent = null;
        // Up to 60 s on a busy machine; a pass ends the wait at once.
        for (var i = 0; i < 600 && sent is null; i++)
        {
            sent = (await outbox.ListAsync(OutboxStatus.Sent, 10, default)).SingleOrDefault();
            if (sent is null) await Task.Delay(100);
        }

        Assert.NotNull(sent);
        var delivered = Assert.Single(server.Delivered);
        Assert.Equal("one-off:host-test", delivered.Header("x-outreach-key"));
        Assert.Equal(delivered.InternetMessageId, sent.InternetMessageId);
        // A few more dispatch rounds: nothing goes twice.
        await Task.Delay(2500);
        Assert.Single(server.Delivered);
        Assert.Equal(1, server.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/send", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task GraphProvider_WithAStaticTokenForTheRealService_IsRefusedAtStart()
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Mail:Provider", "Graph");
            b.UseSetting("Graph:Mailbox", "secretariaat@convenant.example");
            b.UseSetting("Graph:AccessToken", "eyJ-not-a-real-token");
        });
        var messages = Messages(Assert.ThrowsAny<Exception>(() => app.CreateClient()));
        Assert.Contains("Graph:AccessToken", messages, StringComparison.Ordinal);
        Assert.Contains("loopback", messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GraphProvider_WithoutCredentials_NamesTheMissingKeys()
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Mail:Provider", "Graph");
            b.UseSetting("Graph:TenantId", "contoso.onmicrosoft.com");
        });
        var messages = Messages(Assert.ThrowsAny<Exception>(() => app.CreateClient()));
        Assert.Contains("Graph:Mailbox", messages, StringComparison.Ordinal);
        Assert.Contains("missing: Graph:ClientId, Graph:ClientSecret", messages, StringComparison.Ordinal);
    }

    private static string Messages(Exception error)
    {
        var all = new List<string>();
        void Walk(Exception? e)
        {
            for (; e is not null; e = e.InnerException)
            {
                all.Add(e.Message);
                if (e is AggregateException aggregate) foreach (var inner in aggregate.InnerExceptions) Walk(inner);
            }
        }

        Walk(error);
        return string.Join(" | ", all);
    }
}
