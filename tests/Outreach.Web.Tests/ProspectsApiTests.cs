using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Outreach.Storage;

namespace Outreach.Web.Tests;

/// <summary>The JSON API through the real host, on both engines.</summary>
public abstract class ProspectsApiContract(StorageEngine engine) : IAsyncLifetime
{
    private OutreachAppFactory factory = null!;
    protected HttpClient Client = null!;

    public async Task InitializeAsync()
    {
        factory = new OutreachAppFactory(engine);
        Client = factory.CreateClient();
        // A covenant is master data; the API creates prospects within one.
        var store = (Core.Prospects.IProspectStore)factory.Services.GetService(typeof(Core.Prospects.IProspectStore))!;
        await store.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31), default);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await factory.DisposeAsync();
    }

    private static object NewProspect(string name = "Goudsmederij Test B.V.", string? kvk = "12345678", string? website = "goudsmederij-test.example") => new
    {
        name, partyKind = "company", sector = "jewellery", country = "NL", kvkNumber = kvk, website, owner = "Anne de Vries", covenant = "gold",
    };

    private async Task<long> CreateAsync(object request)
    {
        var response = await Client.PostAsJsonAsync("/api/prospects", request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/api/prospects/{body.GetProperty("id").GetInt64()}", response.Headers.Location?.OriginalString);
        return body.GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task Health_ReportsTheDatabaseEngine()
    {
        var body = await Client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(engine.ToString().ToLowerInvariant(), body.GetProperty("database").GetString());
    }

    [Fact]
    public async Task Create_ThenGet_ReturnsTheProspectWithItsFirstHistoryLine()
    {
        var id = await CreateAsync(NewProspect());
        var details = await Client.GetFromJsonAsync<JsonElement>($"/api/prospects/{id}");
        Assert.Equal("Goudsmederij Test B.V.", details.GetProperty("prospect").GetProperty("organisation").GetString());
        Assert.Equal("identified", details.GetProperty("prospect").GetProperty("stage").GetString());
        Assert.Equal("goudsmederij-test.example", details.GetProperty("websiteDomain").GetString());
        var history = await Client.GetFromJsonAsync<JsonElement>($"/api/prospects/{id}/history");
        Assert.Equal(1, history.GetArrayLength());
        Assert.Equal(JsonValueKind.Null, history[0].GetProperty("from").ValueKind);
    }

    [Fact]
    public async Task Create_WithInvalidFields_Returns400ProblemWithEveryFieldError_AndStoresNothing()
    {
        var response = await Client.PostAsJsonAsync("/api/prospects", new { name = "", partyKind = "company", sector = "", owner = "x", covenant = "gold", kvkNumber = "123", website = "not a site" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "name", "sector", "kvkNumber", "website" })
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        var list = await Client.GetFromJsonAsync<JsonElement>("/api/prospects");
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Create_ALikelyDuplicate_Returns409WithTheMatch_UnlessAccepted()
    {
        var first = await CreateAsync(NewProspect());
        var response = await Client.PostAsJsonAsync("/api/prospects", NewProspect("GOUDSMEDERIJ TEST", kvk: null, website: null));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var duplicate = Assert.Single(body.GetProperty("duplicates").EnumerateArray());
        var firstOrganisation = (await Client.GetFromJsonAsync<JsonElement>($"/api/prospects/{first}")).GetProperty("prospect").GetProperty("organisationId").GetInt64();
        Assert.Equal(firstOrganisation, duplicate.GetProperty("organisationId").GetInt64());
        Assert.Contains("Same name", duplicate.GetProperty("why").GetString(), StringComparison.Ordinal);

        var accepted = await Client.PostAsJsonAsync("/api/prospects", new
        {
            name = "GOUDSMEDERIJ TEST", partyKind = "company", sector = "jewellery", owner = "Anne", covenant = "gold", acceptDuplicates = true,
        });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Fact]
    public async Task Move_Refused_Returns400ProblemSayingWhy_AndChangesNothing()
    {
        var id = await CreateAsync(NewProspect());
        var response = await Client.PostAsJsonAsync($"/api/prospects/{id}/stage", new { stage = "signed", reason = "keen" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("cannot be skipped", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, (await Client.GetFromJsonAsync<JsonElement>($"/api/prospects/{id}/history")).GetArrayLength());
        Assert.Equal("identified", (await Client.GetFromJsonAsync<JsonElement>($"/api/prospects/{id}")).GetProperty("prospect").GetProperty("stage").GetString());
    }

    [Fact]
    public async Task Move_WithoutReason_IsRefused()
    {
        var id = await CreateAsync(NewProspect());
        var response = await Client.PostAsJsonAsync($"/api/prospects/{id}/stage", new { stage = "contacted", reason = "  " });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("reason is required", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Move_Allowed_AppendsHistoryWithReasonAndActor()
    {
        var id = await CreateAsync(NewProspect());
        var response = await Client.PostAsJsonAsync($"/api/prospects/{id}/stage", new { stage = "contacted", reason = "Intro call with the CSR manager" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("contacted", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stage").GetString());
        var history = await Client.GetFromJsonAsync<JsonElement>($"/api/prospects/{id}/history");
        Assert.Equal(2, history.GetArrayLength());
        Assert.Equal("identified", history[1].GetProperty("from").GetString());
        Assert.Equal("Intro call with the CSR manager", history[1].GetProperty("reason").GetString());
        Assert.Equal("api:tests-secretariat", history[1].GetProperty("by").GetString());
    }

    [Fact]
    public async Task Move_UnknownProspect_Returns404()
    {
        var response = await Client.PostAsJsonAsync("/api/prospects/987654/stage", new { stage = "contacted", reason = "x" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/prospects/987654")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/prospects/987654/history")).StatusCode);
    }

    [Fact]
    public async Task NotFound_IsProblemJson_EvenWithABadStage()
    {
        var response = await Client.PostAsJsonAsync("/api/prospects/987654/stage", new { stage = "won", reason = "x" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/problem+json", (await Client.GetAsync("/api/prospects/987654")).Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task List_WithAnAbsurdPage_Returns400_NotAServerError()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync("/api/prospects?page=2147483647&pageSize=500")).StatusCode);
    }

    [Fact]
    public async Task Move_WithAReasonHoldingBrokenCharacters_IsRefused_AndNothingChanges()
    {
        var id = await CreateAsync(NewProspect());
        var response = await Client.PostAsync($"/api/prospects/{id}/stage",
            new StringContent("""{ "stage": "contacted", "reason": "call \u0000 back" }""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("characters that are not allowed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // A half surrogate pair is refused already by the JSON reader.
        var surrogate = await Client.PostAsync($"/api/prospects/{id}/stage",
            new StringContent("""{ "stage": "contacted", "reason": "call \ud800 back" }""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, surrogate.StatusCode);
        Assert.Equal(1, (await Client.GetFromJsonAsync<JsonElement>($"/api/prospects/{id}/history")).GetArrayLength());
    }

    [Fact]
    public async Task OptOut_IsRecordedOnTheContact_AndShownByTheProspect()
    {
        var id = await CreateAsync(NewProspect());
        var store = (Core.Prospects.IProspectStore)factory.Services.GetService(typeof(Core.Prospects.IProspectStore))!;
        var organisationId = (await Client.GetFromJsonAsync<JsonElement>($"/api/prospects/{id}")).GetProperty("prospect").GetProperty("organisationId").GetInt64();
        var contact = await store.AddContactAsync(organisationId, new Core.Prospects.ContactDraft { Name = "Lea Smit", Email = "lea@test.example" }, default);

        var response = await Client.PostAsync($"/api/contacts/{contact.Id}/opt-out", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var details = await Client.GetFromJsonAsync<JsonElement>($"/api/prospects/{id}");
        Assert.Equal(factory.Clock.GetUtcNow(), details.GetProperty("contacts")[0].GetProperty("optedOutAt").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.PostAsync("/api/contacts/987654/opt-out", null)).StatusCode);
    }

    [Fact]
    public async Task Export_GivesEverythingHeld_AndErase_RemovesIt()
    {
        var id = await CreateAsync(NewProspect());
        var store = (Core.Prospects.IProspectStore)factory.Services.GetService(typeof(Core.Prospects.IProspectStore))!;
        var organisationId = (await Client.GetFromJsonAsync<JsonElement>($"/api/prospects/{id}")).GetProperty("prospect").GetProperty("organisationId").GetInt64();
        var contact = await store.AddContactAsync(organisationId, new Core.Prospects.ContactDraft { Name = "Noor Bakker", Email = "noor@test.example", Source = "Trade fair 2026" }, default);

        var export = await Client.GetFromJsonAsync<JsonElement>($"/api/contacts/{contact.Id}/export");
        Assert.Equal("Noor Bakker", export.GetProperty("name").GetString());
        Assert.Equal("legitimate_interest", export.GetProperty("lawfulBasis").GetString());
        Assert.Equal("Trade fair 2026", export.GetProperty("source").GetString());
        Assert.Equal("identified", export.GetProperty("pipelineOfTheOrganisation")[0].GetProperty("stage").GetString());

        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsync($"/api/contacts/{contact.Id}/erase", null)).StatusCode);
        var after = await Client.GetStringAsync($"/api/contacts/{contact.Id}/export");
        Assert.DoesNotContain("Noor", after, StringComparison.Ordinal);
        Assert.DoesNotContain("noor@", after, StringComparison.Ordinal);
        Assert.DoesNotContain("Trade fair", after, StringComparison.Ordinal);
        // The prospect's history is untouched: the reports keep their counts.
        Assert.Equal(1, (await Client.GetFromJsonAsync<JsonElement>($"/api/prospects/{id}/history")).GetArrayLength());
    }

    [Fact]
    public async Task Move_UnknownStage_Returns400NamingTheValidStages()
    {
        var id = await CreateAsync(NewProspect());
        var response = await Client.PostAsJsonAsync($"/api/prospects/{id}/stage", new { stage = "won", reason = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("signing_scheduled", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_FiltersAndPages_AndRejectsUnknownFilterValues()
    {
        await CreateAsync(NewProspect("Alpha Goud", "11111111", "alpha.example"));
        await CreateAsync(NewProspect("Beta Goud", "22222222", "beta.example"));
        await CreateAsync(new { name = "Gamma Union", partyKind = "trade_union", sector = "labour", owner = "Bram", covenant = "gold" });
        var unions = await Client.GetFromJsonAsync<JsonElement>("/api/prospects?partyKind=trade_union");
        Assert.Equal(1, unions.GetProperty("total").GetInt32());
        var paged = await Client.GetFromJsonAsync<JsonElement>("/api/prospects?covenant=gold&pageSize=2&page=2");
        Assert.Equal(3, paged.GetProperty("total").GetInt32());
        Assert.Equal(1, paged.GetProperty("items").GetArrayLength());
        var text = await Client.GetFromJsonAsync<JsonElement>("/api/prospects?q=beta");
        Assert.Equal("Beta Goud", text.GetProperty("items")[0].GetProperty("organisation").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync("/api/prospects?partyKind=pirate")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync("/api/prospects?covenant=nope")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync("/api/prospects?pageSize=100000")).StatusCode);
    }
}

public sealed class SqliteProspectsApiTests() : ProspectsApiContract(StorageEngine.Sqlite);

public sealed class PostgresProspectsApiTests() : ProspectsApiContract(StorageEngine.Postgres);
