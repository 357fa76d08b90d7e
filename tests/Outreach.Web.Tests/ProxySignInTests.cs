using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Web.Access;

namespace Outreach.Web.Tests;

/// <summary>The identity proxy's user header is trusted only when configured, and only for people with a local account.</summary>
public sealed class ProxySignInTests
{
    private const string Header = "X-MS-CLIENT-PRINCIPAL-NAME";

    private static HttpClient Anonymous(WebApplicationFactory<Program> app, string user)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Remove(ApiKeyAuthenticationHandler.Header);
        client.DefaultRequestHeaders.Add(Header, user);
        return client;
    }

    [Fact]
    public async Task WithoutConfiguration_TheHeaderIsIgnored()
    {
        await using var app = new OutreachAppFactory();
        await app.Services.GetRequiredService<AccessService>().CreateUserAsync("anne@covenant.example", "Anne de Vries", Role.Secretariat, default);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Anonymous(app, "anne@covenant.example").GetAsync("/api/prospects")).StatusCode);
    }

    [Fact]
    public async Task WhenConfigured_KnownUsersGetTheirLocalRole_AndOthersAreRefused()
    {
        await using var host = new OutreachAppFactory();
        var app = host.WithWebHostBuilder(b => b.UseSetting("Access:ProxyUserHeader", Header));
        var access = app.Services.GetRequiredService<AccessService>();
        await access.CreateUserAsync("bram@covenant.example", "Bram Jansen", Role.Manager, default);

        var bram = Anonymous(app, "Bram@Covenant.example");
        Assert.Equal(HttpStatusCode.OK, (await bram.GetAsync("/board")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bram.GetAsync("/import")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Anonymous(app, "stranger@elsewhere.example").GetAsync("/board")).StatusCode);
        // The JSON API takes keys only: a browser behind the proxy sends the header with cross-site requests too (issue 17).
        Assert.Equal(HttpStatusCode.Unauthorized, (await bram.GetAsync("/api/prospects")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bram.PostAsync("/api/jobs/pipeline-hygiene/run", null)).StatusCode);
    }
}
