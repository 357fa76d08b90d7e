using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>The prospect page links to the account in Dynamics 365: the configured Dataverse URL and the account id the sync stored.</summary>
public sealed partial class ProspectDynamicsLinkTests
{
    private const string DataverseUrl = "http://127.0.0.1:5005";

    private static async Task<(long ProspectId, long OrganisationId)> ProspectAsync(IServiceProvider services, string? dataverseId)
    {
        var covenant = await services.GetRequiredService<IProspectStore>().AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
        var entry = await services.GetRequiredService<IPipelineStore>().AddProspectAsync(services.GetRequiredService<IProspectStore>(),
            new OrganisationDraft { Name = "Goudsmid B.V.", Sector = "gold", Owner = "Anne" }, covenant.Id, Stage.Identified,
            new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero), "Anne", "Met at the fair", default);
        if (dataverseId is not null)
        {
            // What the sync stores for an account it brought in.
            await using var c = await services.GetRequiredService<Database>().OpenAsync(default);
            await c.ExecuteAsync("UPDATE organisation SET dataverse_id = @dataverseId WHERE id = @id", new { dataverseId, id = entry.OrganisationId });
        }

        return (entry.Id, entry.OrganisationId);
    }

    private static OutreachAppFactory WithDataverse(OutreachAppFactory factory, out Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app)
    {
        // Off the quarter hour, so the sync schedule does not fire while the page is read.
        factory.Clock.Set(new DateTimeOffset(2026, 11, 18, 9, 7, 0, TimeSpan.Zero));
        app = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Dataverse:Url", DataverseUrl);
            b.UseSetting("Dataverse:AccessToken", "local-test-token");
        });
        return factory;
    }

    [Fact]
    public async Task WithDataverse_TheProspectPage_LinksToTheAccountInDynamics()
    {
        await using var factory = WithDataverse(new OutreachAppFactory(), out var app);
        await using var host = app;
        var account = Guid.NewGuid();
        var (prospect, _) = await ProspectAsync(app.Services, account.ToString("D"));

        var page = await app.CreateClient().GetStringAsync($"/prospects/{prospect}");

        var link = DynamicsLink().Match(page);
        Assert.True(link.Success, "no Dynamics link on the page");
        Assert.Equal($"{DataverseUrl}/main.aspx?pagetype=entityrecord&etn=account&id={account:D}", WebUtility.HtmlDecode(link.Groups["href"].Value));
    }

    [Fact]
    public async Task WithDataverse_AnOrganisationThatLivesOnlyInOutreach_HasNoLink()
    {
        await using var factory = WithDataverse(new OutreachAppFactory(), out var app);
        await using var host = app;
        var (prospect, _) = await ProspectAsync(app.Services, null);

        var page = await app.CreateClient().GetStringAsync($"/prospects/{prospect}");

        Assert.Contains("data-testid=\"prospect-name\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("dynamics-account-link", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithDataverse_AnAccountDeletedInDynamics_HasNoLink()
    {
        await using var factory = WithDataverse(new OutreachAppFactory(), out var app);
        await using var host = app;
        var (prospect, organisation) = await ProspectAsync(app.Services, Guid.NewGuid().ToString("D"));
        await using (var c = await app.Services.GetRequiredService<Database>().OpenAsync(default))
            await c.ExecuteAsync("UPDATE organisation SET removed_at = @at WHERE id = @organisation", new { at = new DateTimeOffset(2026, 11, 10, 8, 0, 0, TimeSpan.Zero), organisation });

        var page = await app.CreateClient().GetStringAsync($"/prospects/{prospect}");

        Assert.Contains("data-testid=\"removed-in-dynamics\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("dynamics-account-link", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutDataverse_NoLinkIsShown_EvenWithAStoredAccountId()
    {
        await using var app = new OutreachAppFactory();
        var (prospect, _) = await ProspectAsync(app.Services, Guid.NewGuid().ToString("D"));

        var page = await app.CreateClient().GetStringAsync($"/prospects/{prospect}");

        Assert.Contains("data-testid=\"prospect-name\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("dynamics-account-link", page, StringComparison.Ordinal);
    }

    [GeneratedRegex("<a href=\"(?<href>[^\"]+)\"[^>]*data-testid=\"dynamics-account-link\"")]
    private static partial Regex DynamicsLink();
}
