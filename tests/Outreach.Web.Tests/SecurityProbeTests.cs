using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Access;
using Outreach.Core.Prospects;
using Outreach.Storage;
using Outreach.Web.Access;

namespace Outreach.Web.Tests;

/// <summary>The black-box security probe's findings (issue 17, point 5), each as it was reported.</summary>
public sealed partial class SecurityProbeTests : IAsyncLifetime
{
    private const string ProxyHeader = "X-MS-CLIENT-PRINCIPAL-NAME";
    private readonly OutreachAppFactory app = new();

    [GeneratedRegex(""""name="__RequestVerificationToken" type="hidden" value="([^"]+)"""")]
    private static partial Regex Token();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static async Task<string> TokenAsync(HttpClient client, string page)
    {
        var form = await client.GetAsync(page);
        return Token().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string user, string password, string? token = null)
    {
        token ??= await TokenAsync(client, "/account/login");
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = user, ["Password"] = password, ["__RequestVerificationToken"] = token,
        }));
    }

    private async Task<Contact> ContactAsync(string email)
    {
        var prospects = app.Services.GetRequiredService<IProspectStore>();
        var organisation = await prospects.AddOrganisationAsync(Validation.Clean(new OrganisationDraft { Name = "Probe Gold " + Guid.NewGuid().ToString("N")[..8], Sector = "jewellery", Owner = "Anne", Country = "NL" }), default);
        return await prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Probe Person", Email = email }), default);
    }

    [Fact]
    public async Task TheApi_RefusesTheProxysUserHeader_SoACrossSitePostCannotEraseAContact()
    {
        var proxied = app.WithWebHostBuilder(b => b.UseSetting("Access:ProxyUserHeader", ProxyHeader));
        await proxied.Services.GetRequiredService<AccessService>().CreateUserAsync("anne@covenant.example", "Anne de Vries", Role.Secretariat, default);
        var contact = await ContactAsync("victim@probe.example");
        var browser = proxied.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        browser.DefaultRequestHeaders.Remove(ApiKeyAuthenticationHandler.Header);
        browser.DefaultRequestHeaders.Add(ProxyHeader, "anne@covenant.example");

        var forged = new HttpRequestMessage(HttpMethod.Post, $"/api/contacts/{contact.Id}/erase");
        forged.Headers.Add("Origin", "https://attacker.example");
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SendAsync(forged)).StatusCode);
        Assert.Null((await proxied.Services.GetRequiredService<IProspectStore>().GetContactAsync(contact.Id, default))!.ErasedAt);
        // The pages still take the proxy's user (their forms carry antiforgery tokens).
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/board")).StatusCode);
    }

    [Fact]
    public async Task SigningOut_EndsTheSession_ASavedCookieNoLongerWorks()
    {
        var (_, password) = await app.Services.GetRequiredService<AccessService>().CreateUserAsync("sanne", "Sanne", Role.Secretariat, default);
        var client = app.CreateClientAs(null);
        var signedIn = await SignInAsync(client, "sanne", password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var saved = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("outreach-auth=", StringComparison.Ordinal)).Split(';')[0];

        var token = await TokenAsync(client, "/board");
        var signedOut = await client.PostAsync("/account/login?handler=Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);

        var replay = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        replay.DefaultRequestHeaders.Remove(ApiKeyAuthenticationHandler.Header);
        replay.DefaultRequestHeaders.Add("Cookie", saved);
        var response = await replay.GetAsync("/board");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/login", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    /// <summary>The framework's hasher, counting the checks against each stored hash.</summary>
    private sealed class CountingHasher : IPasswordHasher<UserAccount>
    {
        private readonly PasswordHasher<UserAccount> inner = new();
        private readonly Dictionary<string, int> checks = [];

        public int ChecksOf(string hash)
        {
            lock (checks) return checks.GetValueOrDefault(hash);
        }

        public int AllChecks
        {
            get { lock (checks) return checks.Values.Sum(); }
        }

        public string HashPassword(UserAccount user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(UserAccount user, string hashedPassword, string providedPassword)
        {
            lock (checks) checks[hashedPassword] = checks.GetValueOrDefault(hashedPassword) + 1;
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    [Fact]
    public async Task ALockedAccount_CostsTheSamePasswordCheckAsAnUnknownName_SoTimingDoesNotTellWhichNamesExist()
    {
        var store = app.Services.GetRequiredService<IAccessStore>();
        var clock = app.Clock;
        var hasher = new CountingHasher();
        var access = new AccessService(store, clock, hasher);
        var (locked, _) = await access.CreateUserAsync("lotte", "Lotte", Role.Manager, default);
        for (var i = 0; i < Lockout.MaxFailures; i++) await store.RecordFailedSignInAsync(locked.Id, clock.GetUtcNow(), default);

        Assert.Equal(SignInOutcome.WrongCredentials, (await access.SignInAsync("nobody", "guess", default)).Outcome);
        var forUnknown = hasher.AllChecks;
        Assert.Equal(SignInOutcome.LockedOut, (await access.SignInAsync("lotte", "guess", default)).Outcome);
        Assert.Equal(1, forUnknown);
        Assert.Equal(forUnknown, hasher.AllChecks - forUnknown);
        // And the locked account's own hash is not what is checked: a lock tells nothing about the password.
        Assert.Equal(0, hasher.ChecksOf(locked.PasswordHash));
    }

    /// <summary>The store, with every user lookup held until <paramref name="callers"/> have looked: all of them see the account unlocked.</summary>
    private sealed class LookupsAtOnce(IAccessStore inner, int callers) : IAccessStore
    {
        private readonly TaskCompletionSource all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int arrived;

        public async Task<UserAccount?> FindUserAsync(string userName, CancellationToken ct)
        {
            var user = await inner.FindUserAsync(userName, ct);
            if (Interlocked.Increment(ref arrived) == callers) all.SetResult();
            await all.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            return user;
        }

        public Task<UserAccount?> GetUserAsync(long userId, CancellationToken ct) => inner.GetUserAsync(userId, ct);
        public Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken ct) => inner.ListUsersAsync(ct);
        public Task<UserAccount> AddUserAsync(string userName, string displayName, Role role, string passwordHash, CancellationToken ct) => inner.AddUserAsync(userName, displayName, role, passwordHash, ct);
        public Task<int> CountUsersAsync(CancellationToken ct) => inner.CountUsersAsync(ct);
        public Task<bool> RecordFailedSignInAsync(long userId, DateTimeOffset now, CancellationToken ct) => inner.RecordFailedSignInAsync(userId, now, ct);
        public Task<bool> RecordSuccessfulSignInAsync(long userId, DateTimeOffset now, CancellationToken ct) => inner.RecordSuccessfulSignInAsync(userId, now, ct);
        public Task<int?> BeginSignInAttemptAsync(long userId, DateTimeOffset now, CancellationToken ct) => inner.BeginSignInAttemptAsync(userId, now, ct);
        public Task RenewSecurityStampAsync(long userId, CancellationToken ct) => inner.RenewSecurityStampAsync(userId, ct);
        public Task<UserAccount?> UpdateUserAsync(long userId, string displayName, Role role, CancellationToken ct) => inner.UpdateUserAsync(userId, displayName, role, ct);
        public Task<UserAccount?> SetDisabledAsync(long userId, DateTimeOffset? at, CancellationToken ct) => inner.SetDisabledAsync(userId, at, ct);
        public Task<UserAccount?> SetPasswordAsync(long userId, string passwordHash, CancellationToken ct) => inner.SetPasswordAsync(userId, passwordHash, ct);
        public Task<UserAccount?> UnlockAsync(long userId, CancellationToken ct) => inner.UnlockAsync(userId, ct);
        public Task<UserAccount?> SyncEntraUserAsync(EntraIdentity identity, Role? role, CancellationToken ct) => inner.SyncEntraUserAsync(identity, role, ct);
        public Task AddApiKeyAsync(string name, string keyHash, Role role, DateTimeOffset at, CancellationToken ct) => inner.AddApiKeyAsync(name, keyHash, role, at, ct);
        public Task<(string Name, Role Role)?> FindApiKeyAsync(string keyHash, CancellationToken ct) => inner.FindApiKeyAsync(keyHash, ct);
        public Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken ct) => inner.ListApiKeysAsync(ct);
        public Task<bool> RevokeApiKeyAsync(string name, DateTimeOffset at, CancellationToken ct) => inner.RevokeApiKeyAsync(name, at, ct);
    }

    [Fact]
    public async Task ParallelGuesses_GetNoMoreTriesThanTheLockOutAllows()
    {
        const int Guesses = 8;
        var store = app.Services.GetRequiredService<IAccessStore>();
        var hasher = new CountingHasher();
        var (user, _) = await new AccessService(store, app.Clock).CreateUserAsync("guus", "Guus", Role.Manager, default);
        var access = new AccessService(new LookupsAtOnce(store, Guesses), app.Clock, hasher);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, Guesses).Select(i => Task.Run(() => access.SignInAsync("guus", "guess-" + i, default))));

        Assert.All(outcomes, o => Assert.NotEqual(SignInOutcome.SignedIn, o.Outcome));
        Assert.Equal(Lockout.MaxFailures, hasher.ChecksOf(user.PasswordHash));
        Assert.True(Lockout.IsLocked((await store.GetUserAsync(user.Id, default))!, app.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task AControlCharacterInTheLanguageFormsReturnUrl_IsABadRequest_NotAServerError()
    {
        var client = app.CreateClientAs(null);
        var token = await TokenAsync(client, "/account/login");
        var response = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["culture"] = "nl", ["returnUrl"] = "/board\u0001", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        // An ordinary local return address still works.
        var ok = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["culture"] = "nl", ["returnUrl"] = "/board", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
    }

    [Theory]
    [InlineData("From=0001-01-01&To=9999-12-31")]
    [InlineData("From=0001-01-01")]
    [InlineData("To=9999-12-31")]
    public async Task TheAuditPage_AnswersDatesAtTheEdgeOfTime_WithABadRequest_NotAServerError(string query)
    {
        var admin = app.CreateClientAs(Role.Administrator);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/admin/audit?" + query)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/audit?From=2026-01-01&To=2026-12-31")).StatusCode);
    }

    [Fact]
    public async Task PersonalDataDownloads_AreNotKeptInCaches()
    {
        var contact = await ContactAsync("export@probe.example");
        var secretariat = app.CreateClientAs(Role.Secretariat);
        foreach (var path in new[]
                 {
                     $"/api/contacts/{contact.Id}/export", $"/contacts/{contact.Id}?handler=Export", "/import?handler=Export",
                     "/reports?handler=Csv&table=funnel&from=2026-01-01&to=2026-12-31", "/reports?handler=Download&from=2026-01-01&to=2026-12-31",
                 })
        {
            var response = await secretariat.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{path}: Cache-Control {response.Headers.CacheControl}");
        }
    }

    [Fact]
    public async Task WithAPublicBaseUrl_OtherHostNamesAreRefused_SoRedirectsCannotPointElsewhere()
    {
        var configured = app.WithWebHostBuilder(b => b.UseSetting("Outreach:PublicBaseUrl", "https://outreach.secretariaat.example"));
        var client = configured.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var foreign = new HttpRequestMessage(HttpMethod.Get, "/");
        foreign.Headers.Host = "attacker.example";
        var refused = await client.SendAsync(foreign);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        var own = new HttpRequestMessage(HttpMethod.Get, "/");
        own.Headers.Host = "outreach.secretariaat.example";
        Assert.Equal(HttpStatusCode.Redirect, (await client.SendAsync(own)).StatusCode);
        // The host itself (health checks in a container) still answers.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    private static async Task<HttpResponseMessage> UploadAsync(OutreachAppFactoryView factory, byte[] content)
    {
        var upload = factory.Client;
        var page = await upload.GetAsync("/import");
        var token = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(content), "Upload", "prospects.csv" },
        };
        var post = new HttpRequestMessage(HttpMethod.Post, "/import?handler=Check") { Content = form };
        foreach (var cookie in page.Headers.TryGetValues("Set-Cookie", out var set) ? set : []) post.Headers.Add("Cookie", cookie.Split(';')[0]);
        var response = await upload.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private sealed record OutreachAppFactoryView(HttpClient Client);

    private OutreachAppFactoryView ImportClient(string? maxBytes = null)
    {
        var factory = maxBytes is null ? (WebApplicationFactory<Program>)app : app.WithWebHostBuilder(b => b.UseSetting("Import:MaxFileBytes", maxBytes));
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Remove(ApiKeyAuthenticationHandler.Header);
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, app.KeyFor(Role.Secretariat));
        return new OutreachAppFactoryView(client);
    }

    [Fact]
    public async Task AnEmptyImportFile_IsCalledEmpty()
    {
        var text = await (await UploadAsync(ImportClient(), [])).Content.ReadAsStringAsync();
        Assert.Contains("The file is empty.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Choose a CSV file first.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATooLargeImportFile_IsToldItsRealSize_NotTheLimitTwice()
    {
        var text = WebUtility.HtmlDecode(await (await UploadAsync(ImportClient("2048"), new byte[2049])).Content.ReadAsStringAsync());
        Assert.Contains("The file is too large (2,049 bytes); the limit is 2,048 bytes.", text, StringComparison.Ordinal);

        var larger = WebUtility.HtmlDecode(await (await UploadAsync(ImportClient("2048"), new byte[5000])).Content.ReadAsStringAsync());
        Assert.Contains("The file is too large (4.9 kB); the limit is 2 kB.", larger, StringComparison.Ordinal);
    }

    // ---- Rate limits --------------------------------------------------------------------------------------------------------

    /// <summary>Every request seems to come from <paramref name="address"/>, as from a caller on the network.</summary>
    private sealed class FromAddress(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = address;
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    private WebApplicationFactory<Program> BehindProxy(string connectingFrom, string? knownProxies) => app.WithWebHostBuilder(b =>
    {
        b.UseSetting("Access:TrustForwardedHeaders", "true");
        if (knownProxies is not null) b.UseSetting("Access:KnownProxies:0", knownProxies);
        b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter>(new FromAddress(IPAddress.Parse(connectingFrom))));
    });

    private static async Task<List<HttpStatusCode>> SignInPagesAsync(WebApplicationFactory<Program> factory, int count, Func<int, string?> forwardedFor)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Remove(ApiKeyAuthenticationHandler.Header);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
            if (forwardedFor(i) is { } address) request.Headers.Add("X-Forwarded-For", address);
            statuses.Add((await client.SendAsync(request)).StatusCode);
        }

        return statuses;
    }

    [Fact]
    public async Task ARotatingForwardedForHeader_FromACallerThatIsNotAKnownProxy_DoesNotEscapeTheLimit()
    {
        var statuses = await SignInPagesAsync(BehindProxy("203.0.113.7", "10.0.0.1"), 35, i => $"198.51.100.{i + 1}");
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task BehindAKnownProxy_EachClientHasItsOwnBudget()
    {
        var proxy = BehindProxy("10.0.0.1", "10.0.0.1");
        // One client uses up its budget...
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInPagesAsync(proxy, 35, _ => "198.51.100.1"))[^1]);
        // ...and another one behind the same proxy is not held up.
        Assert.Equal(HttpStatusCode.OK, (await SignInPagesAsync(proxy, 1, _ => "198.51.100.2"))[^1]);
    }

    [Fact]
    public async Task ManyWrongSignIns_ForOneName_DoNotBlockSignInForOthers()
    {
        var (_, password) = await app.Services.GetRequiredService<AccessService>().CreateUserAsync("anne", "Anne", Role.Secretariat, default);
        var attacker = app.CreateClientAs(null);
        var token = await TokenAsync(attacker, "/account/login");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 35; i++) statuses.Add((await SignInAsync(attacker, "mallory", "guess" + i, token)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);

        // Same address (the test server has one), another person: signs in.
        var anne = app.CreateClientAs(null);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(anne, "anne", password)).StatusCode);
    }

    [Fact]
    public async Task ARefusal_SaysWhenToTryAgain_AndAPageGetsAPage()
    {
        var statuses = new List<HttpResponseMessage>();
        var client = app.CreateClientAs(null);
        client.DefaultRequestHeaders.Add("Accept", "text/html");
        for (var i = 0; i < 35; i++) statuses.Add(await client.GetAsync("/account/login"));
        var refused = statuses[^1];
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta is { } delta && delta > TimeSpan.Zero, $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many requests", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // ---- Files on disk ------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task AnErasedContact_CannotBeReadFromTheDatabaseFiles()
    {
        const string Email = "erase-me-7f3a@probe.example";
        var contact = await ContactAsync(Email);
        await app.Services.GetRequiredService<ContactPrivacy>().SetOptedOutAsync(contact.Id, app.Clock.GetUtcNow(), default);
        var secretariat = app.CreateClientAs(Role.Secretariat);
        Assert.Equal(HttpStatusCode.OK, (await secretariat.PostAsync($"/api/contacts/{contact.Id}/erase", null)).StatusCode);

        var database = Path.Combine(app.DataFolder, "outreach.db");
        foreach (var file in new[] { database, database + "-wal" }.Where(File.Exists))
        {
            byte[] bytes;
            await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[stream.Length];
                await stream.ReadExactlyAsync(bytes);
            }

            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Email)) < 0, $"{Path.GetFileName(file)} still holds the erased address");
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("Probe Person")) < 0, $"{Path.GetFileName(file)} still holds the erased name");
        }
    }

    [Fact]
    public async Task TheDataFolder_Database_AndMailFiles_AreCreatedForTheOwnerOnly()
    {
        if (OperatingSystem.IsWindows()) return;
        var folder = Path.Combine(app.DataFolder, "fresh");
        await using var fresh = new OutreachAppFactory();
        var host = fresh.WithWebHostBuilder(b => b.UseSetting("Storage:DataFolder", folder));
        var prospects = host.Services.GetRequiredService<IProspectStore>();
        var organisation = await prospects.AddOrganisationAsync(Validation.Clean(new OrganisationDraft { Name = "Mode Gold", Sector = "jewellery", Owner = "Anne", Country = "NL" }), default);
        var contact = await prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Eva Mode", Email = "eva@mode.example" }), default);
        var outbox = host.Services.GetRequiredService<Core.Mail.IMailOutbox>();
        var now = fresh.Clock.GetUtcNow();
        await outbox.EnqueueAsync(new Core.Mail.MailDraft
        {
            IdempotencyKey = "test:mode:1", Purpose = "follow-up", ContactId = contact.Id, ToAddress = contact.Email, ToName = contact.Name,
            Subject = "Hello", HtmlBody = "<p>Hi</p>", TextBody = "Hi", DueAt = now,
        }, now, default);
        await host.Services.GetRequiredService<Core.Mail.OutboxDispatcher>().DispatchDueAsync("test-node", default);
        var eml = host.Services.GetRequiredService<Outreach.Mail.PickupFolderDelivery>().PathFor("test:mode:1");
        Assert.True(File.Exists(eml));

        const UnixFileMode OthersAndGroup = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        foreach (var path in new[] { folder, Path.GetDirectoryName(eml)! })
            Assert.True((File.GetUnixFileMode(path) & OthersAndGroup) == 0, $"{path}: {File.GetUnixFileMode(path)}");
        foreach (var path in new[] { Path.Combine(folder, "outreach.db"), eml })
            Assert.True((File.GetUnixFileMode(path) & OthersAndGroup) == 0, $"{path}: {File.GetUnixFileMode(path)}");
    }

    [Fact]
    public async Task WithACertificate_TheKeyRingIsStoredEncrypted()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Outreach key ring test", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Directory.CreateDirectory(app.DataFolder);
        var pfx = Path.Combine(app.DataFolder, "keyring.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pfx-password"));

        var host = app.WithWebHostBuilder(b =>
        {
            b.UseSetting("Access:DataProtection:CertificatePath", pfx);
            b.UseSetting("Access:DataProtection:CertificatePassword", "pfx-password");
        });
        var client = host.AnonymousClient();
        // A form makes the key ring's first key (the antiforgery token is protected with it), and the token still works.
        var (_, password) = await host.Services.GetRequiredService<AccessService>().CreateUserAsync("kees", "Kees", Role.Manager, default);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(client, "kees", password)).StatusCode);

        var db = host.Services.GetRequiredService<Database>();
        await using var connection = await db.OpenAsync(default);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT xml FROM data_protection_key";
        var keys = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("unencrypted", xml, StringComparison.OrdinalIgnoreCase);
        });
    }
}

/// <summary>A client signed in as nobody on any factory made from an <see cref="OutreachAppFactory"/>.</summary>
internal static class FactoryClients
{
    public static HttpClient AnonymousClient(this WebApplicationFactory<Program> factory)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Remove(ApiKeyAuthenticationHandler.Header);
        return client;
    }
}
