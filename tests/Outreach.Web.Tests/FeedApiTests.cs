using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>Issue 16 item 13: the Power BI feed through the real host: following next links, roles, hostile input.</summary>
public sealed class FeedApiTests : IAsyncLifetime
{
    private readonly OutreachAppFactory factory = new(StorageEngine.Sqlite);

    public async Task InitializeAsync() => await ReportDataSeeder.SeedAsync(factory.Services.GetRequiredService<Database>());

    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Theory]
    [InlineData("stage-changes", 42)]
    [InlineData("prospects", 9)]
    [InlineData("attendance", 0)]
    [InlineData("monitoring", 0)]
    public async Task AManagersKey_FollowsTheNextLinks_ToEveryRowOnce(string table, int expected)
    {
        var client = factory.CreateClientAs(Role.Manager);
        var ids = new List<long>();
        var url = $"/api/feed/{table}?limit=4";
        var pages = 0;
        while (url is not null)
        {
            Assert.True(++pages < 50);
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            ids.AddRange(page.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
            url = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
            if (url is not null) Assert.StartsWith($"http://localhost/api/feed/{table}?limit=4&cursor=", url, StringComparison.Ordinal);
        }

        Assert.Equal(expected, ids.Count);
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task TheRowsAreFlat_WithCodesAndUtcInstants()
    {
        var page = JsonDocument.Parse(await factory.CreateClientAs(Role.Manager).GetStringAsync("/api/feed/stage-changes?limit=1")).RootElement;
        var row = page.GetProperty("rows")[0];
        Assert.Equal("identified", row.GetProperty("toStage").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("fromStage").ValueKind);
        Assert.Equal("gold", row.GetProperty("covenant").GetString());
        Assert.Equal("2024-12-01T10:00:00+00:00", row.GetProperty("changedAt").GetString());
        Assert.All(row.EnumerateObject(), p => Assert.NotEqual(JsonValueKind.Object, p.Value.ValueKind));
    }

    [Fact]
    public async Task ASecretariatKey_AndNoKey_AreRefused_AnAdministratorsIsNot()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateClientAs(Role.Secretariat).GetAsync("/api/feed/prospects")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClientAs(null).GetAsync("/api/feed/prospects")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClientAs(Role.Administrator).GetAsync("/api/feed/prospects")).StatusCode);
    }

    [Theory]
    [InlineData("stage-changes?cursor=!!!", "cursor")]
    [InlineData("stage-changes?cursor=cHJvc3BlY3RzOjM", "cursor")] // a prospects cursor on the stage changes
    [InlineData("stage-changes?limit=100000000", "limit")]
    [InlineData("prospects?limit=0", "limit")]
    [InlineData("prospects?limit=-5", "limit")]
    [InlineData("monitoring?limit=abc", "limit")]
    public async Task HostileInput_IsAClear400_NamingTheParameter(string path, string field)
    {
        var response = await factory.CreateClientAs(Role.Manager).GetAsync("/api/feed/" + path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), problem.ToString());
        Assert.NotEmpty(messages[0].GetString()!);
    }
}
