using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Outreach.Graph.Testing;

namespace Outreach.Web.Tests;

/// <summary>Hosts wired to a local Graph server, the way the README tells a real tenant's administrator to configure them.</summary>
public static class GraphCalendarHost
{
    /// <summary>Graph through the local server for <paramref name="mailbox"/>: the events' calendar (Events:Calendar=Graph) and/or the mail (Mail:Provider=Graph).</summary>
    public static Action<IWebHostBuilder> Settings(LocalGraphServer server, string mailbox, bool calendar = true, bool mail = false) => b =>
    {
        if (calendar) b.UseSetting("Events:Calendar", "graph");
        if (mail) b.UseSetting("Mail:Provider", "Graph");
        b.UseSetting("Graph:BaseUrl", server.BaseUrl);
        b.UseSetting("Graph:AccessToken", server.Token);
        b.UseSetting("Graph:Mailbox", mailbox);
    };

    /// <summary>The host with its events in the Microsoft 365 calendar of a local Graph server (Events:Calendar=Graph).</summary>
    public static WebApplicationFactory<Program> WithGraphCalendar(this OutreachAppFactory factory, LocalGraphServer server, string mailbox = "secretariaat@convenant.example") =>
        factory.WithWebHostBuilder(Settings(server, mailbox));
}
