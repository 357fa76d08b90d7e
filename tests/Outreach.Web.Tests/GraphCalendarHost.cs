using Microsoft.AspNetCore.Mvc.Testing;
using Outreach.Graph.Testing;

namespace Outreach.Web.Tests;

public static class GraphCalendarHost
{
    /// <summary>The host with its events in the Microsoft 365 calendar of a local Graph server (Events:Calendar=Graph).</summary>
    public static WebApplicationFactory<Program> WithGraphCalendar(this OutreachAppFactory factory, LocalGraphServer server, string mailbox = "secretariaat@convenant.example") =>
        factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Events:Calendar", "graph");
            b.UseSetting("Graph:BaseUrl", server.BaseUrl);
            b.UseSetting("Graph:AccessToken", server.Token);
            b.UseSetting("Graph:Mailbox", mailbox);
        });
}
