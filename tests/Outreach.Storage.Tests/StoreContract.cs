using Dapper;
using Outreach.Core.Jobs;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>
/// The storage contract: every test here runs once on SQLite and twice on PostgreSQL (see the subclasses),
/// each on a fresh, migrated database.
/// </summary>
/// <param name="engine">The engine under test.</param>
/// <param name="postgresOptions">Extra CREATE DATABASE options on PostgreSQL, e.g. a locale other than the cluster's C.</param>
public abstract partial class StoreContract(StorageEngine engine, string? postgresOptions = null) : IAsyncLifetime
{
    protected readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 3, 2, 8, 30, 0, TimeSpan.Zero));
    protected Database Db = null!;
    protected SqlProspectStore Prospects = null!;
    protected SqlPipelineStore Pipeline = null!;
    /// <summary>Erasure, opt-out and bounce with everything they reach (the store's own methods change the contact rows only).</summary>
    protected ContactPrivacy Privacy = null!;
    /// <summary>Stage moves made by a person, with the enrolments and write-back they cause (the store's ApplyAsync moves the entry only).</summary>
    protected PipelineService Moves = null!;
    private Covenant gold = null!;
    private Covenant metals = null!;

    public async Task InitializeAsync()
    {
        Db = await TestDatabases.MigratedAsync(engine, Clock, postgresOptions);
        Prospects = new SqlProspectStore(Db, Clock);
        Pipeline = new SqlPipelineStore(Db, Clock);
        Privacy = SqlServices.Privacy(Db, Clock);
        Moves = SqlServices.Moves(Db, Clock);
        gold = await Prospects.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2017, 6, 1), new DateOnly(2022, 6, 1), default);
        metals = await Prospects.AddCovenantAsync("metals", "Metals Sector", new DateOnly(2019, 7, 1), new DateOnly(2024, 7, 1), default);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static OrganisationDraft Draft(string name, string? kvk = null, string? web = null, string sector = "jewellery", string owner = "Anne", PartyKind kind = PartyKind.Company) =>
        Validation.Clean(new OrganisationDraft { Name = name, KvkNumber = kvk, Website = web, Sector = sector, Owner = owner, PartyKind = kind, Country = "NL" });

    private async Task<PipelineEntry> NewEntryAsync(string name, Stage stage = Stage.Identified, Covenant? covenant = null, string sector = "jewellery", string owner = "Anne", PartyKind kind = PartyKind.Company)
    {
        var organisation = await Prospects.AddOrganisationAsync(Draft(name, sector: sector, owner: owner, kind: kind), default);
        return await Pipeline.AddEntryAsync(organisation.Id, (covenant ?? gold).Id, stage, Clock.GetUtcNow(), "anne", "Found at a trade fair", default);
    }

    [Fact]
    public async Task Migrate_OnACurrentSchema_AppliesNothing()
    {
        var again = await new Migrator(Db, Clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<Migrator>.Instance).MigrateAsync(default);
        Assert.Empty(again);
        await using var c = await Db.OpenAsync(default);
        var versions = (await c.QueryAsync<int>("SELECT version FROM schema_version ORDER BY version")).ToList();
        Assert.Equal(Migrator.Scripts(engine).Select(s => s.Version), versions);
    }

    [Fact]
    public async Task Organisation_RoundTrips_WithNormalisedKeys()
    {
        var created = await Prospects.AddOrganisationAsync(Draft("Goudsmederij de Vries B.V.", "12.34.56.78", "https://www.DeVries-Goud.nl/over"), default);
        var read = await Prospects.GetOrganisationAsync(created.Id, default);
        Assert.NotNull(read);
        Assert.Equal("Goudsmederij de Vries B.V.", read.Name);
        Assert.Equal("12345678", read.KvkNumber);
        Assert.Equal("devries-goud.nl", read.WebsiteDomain);
        Assert.Equal(Clock.GetUtcNow(), read.CreatedAt);
        Assert.Equal(PartyKind.Company, read.PartyKind);
    }

    [Fact]
    public async Task Organisation_Update_ChangesFieldsAndKeepsCreatedAt()
    {
        var created = await Prospects.AddOrganisationAsync(Draft("Zilver NV"), default);
        Clock.Advance(TimeSpan.FromHours(2));
        var updated = await Prospects.UpdateOrganisationAsync(created.Id, Draft("Zilver Holding NV", sector: "trade"), default);
        Assert.NotNull(updated);
        var read = await Prospects.GetOrganisationAsync(created.Id, default);
        Assert.Equal("Zilver Holding NV", read!.Name);
        Assert.Equal("trade", read.Sector);
        Assert.Equal(created.CreatedAt, read.CreatedAt);
        Assert.Equal(Clock.GetUtcNow(), read.UpdatedAt);
        Assert.Null(await Prospects.UpdateOrganisationAsync(999_999, Draft("Nobody"), default));
    }

    [Fact]
    public async Task DuplicateCandidates_AreFoundByKvkDomainAndNormalisedName()
    {
        var byKvk = await Prospects.AddOrganisationAsync(Draft("Alpha Metals", kvk: "11112222"), default);
        var byDomain = await Prospects.AddOrganisationAsync(Draft("Beta Recycling", web: "beta-recycling.nl"), default);
        var byName = await Prospects.AddOrganisationAsync(Draft("Gamma Goud B.V."), default);
        await Prospects.AddOrganisationAsync(Draft("Unrelated Steel"), default);

        var found = await Prospects.FindDuplicateCandidatesAsync(Draft("Totally Different", kvk: "1111 2222"), default);
        Assert.Equal([byKvk.Id], found.Select(f => f.Id));
        found = await Prospects.FindDuplicateCandidatesAsync(Draft("Other", web: "http://www.beta-recycling.nl/contact"), default);
        Assert.Equal([byDomain.Id], found.Select(f => f.Id));
        found = await Prospects.FindDuplicateCandidatesAsync(Draft("gamma goud bv"), default);
        Assert.Equal([byName.Id], found.Select(f => f.Id));
    }

    [Fact]
    public async Task Contacts_AreAddedUpdatedAndListed()
    {
        var organisation = await Prospects.AddOrganisationAsync(Draft("Delta Gold"), default);
        var contact = await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Eva Jansen", Email = " Eva@Delta.NL ", Language = ContactLanguage.Nl, Role = "CSR lead" }), default);
        await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Adam Smith", Email = "adam@delta.nl", Language = ContactLanguage.En }), default);
        var updated = await Prospects.UpdateContactAsync(contact.Id, Validation.Clean(new ContactDraft { Name = "Eva Jansen-de Boer", Email = "eva@delta.nl", Language = ContactLanguage.En }), default);
        Assert.Equal("Eva Jansen-de Boer", updated!.Name);
        var list = await Prospects.ListContactsAsync(organisation.Id, default);
        Assert.Equal(["Adam Smith", "Eva Jansen-de Boer"], list.Select(c => c.Name));
        Assert.Equal(ContactLanguage.En, list[1].Language);
        Assert.Equal("eva@delta.nl", list[1].Email);
        Assert.Null(list[1].Role);
        Assert.False(list[1].OptedOut);
    }

    [Fact]
    public async Task OptOut_IsRecordedOnce_AndCanBeClearedOnRequest()
    {
        var organisation = await Prospects.AddOrganisationAsync(Draft("Opt Out Gold"), default);
        var contact = await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Sara Kok", Email = "sara@optout.example" }), default);
        var first = Clock.GetUtcNow();
        Assert.Equal(first, (await Prospects.SetOptedOutAsync(contact.Id, first, default))!.OptedOutAt);
        Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(first, (await Prospects.SetOptedOutAsync(contact.Id, Clock.GetUtcNow(), default))!.OptedOutAt);
        Assert.True((await Prospects.GetContactAsync(contact.Id, default))!.OptedOut);
        Assert.Null((await Prospects.SetOptedOutAsync(contact.Id, null, default))!.OptedOutAt);
        Assert.Null(await Prospects.SetOptedOutAsync(999_999, first, default));
    }

    [Fact]
    public async Task Access_UsersAreFoundIgnoringCase_FailuresCountAndReset_KeysFoundByHash()
    {
        var access = new SqlAccessStore(Db, Clock);
        var user = await access.AddUserAsync("Anne", "Anne de Vries", Core.Access.Role.Secretariat, "hash-1", default);
        Assert.Equal("anne", user.UserName);
        Assert.Equal(user.Id, (await access.FindUserAsync(" ANNE ", default))!.Id);
        Assert.False(await access.RecordFailedSignInAsync(user.Id, Clock.GetUtcNow(), default));
        Assert.False(await access.RecordFailedSignInAsync(user.Id, Clock.GetUtcNow(), default));
        Assert.Equal(2, (await access.FindUserAsync("anne", default))!.FailedSignIns);
        Assert.True(await access.RecordSuccessfulSignInAsync(user.Id, Clock.GetUtcNow(), default));
        var reset = (await access.FindUserAsync("anne", default))!;
        Assert.Equal((0, (DateTimeOffset?)null), (reset.FailedSignIns, reset.LockedUntil));
        Assert.Equal(1, await access.CountUsersAsync(default));

        await access.AddApiKeyAsync("powerbi", "ABC123", Core.Access.Role.Manager, Clock.GetUtcNow(), default);
        Assert.Equal(("powerbi", Core.Access.Role.Manager), await access.FindApiKeyAsync("ABC123", default));
        Assert.Null(await access.FindApiKeyAsync("abc123", default));
        await using var c = await Db.OpenAsync(default);
        await c.ExecuteAsync("UPDATE api_key SET revoked_at = created_at");
        Assert.Null(await access.FindApiKeyAsync("ABC123", default));
    }

    [Fact]
    public async Task Access_EntraUsers_AreKeyedByTenantAndObjectId_UpdatedAtSignIn_AndDisabledWithoutARole()
    {
        var access = new SqlAccessStore(Db, Clock);
        var local = await access.AddUserAsync("jan@contoso.test", "Jan (local)", Core.Access.Role.Manager, "hash-1", default);
        var jan = new Core.Access.EntraIdentity("tenant-1", "oid-1", "Jan@Contoso.test", "Jan Jansen");

        // No role and never seen: nothing is made.
        Assert.Null(await access.SyncEntraUserAsync(jan, null, default));
        var created = (await access.SyncEntraUserAsync(jan, Core.Access.Role.Secretariat, default))!;
        Assert.Equal(("tenant-1", "oid-1", Core.Access.Role.Secretariat, "Jan Jansen"), (created.EntraTenantId, created.EntraObjectId, created.Role, created.DisplayName));
        // The name was a local user's: the Entra account gets a name of its own, and the local user is left alone.
        Assert.Equal("jan@contoso.test~oid-1", created.UserName);
        Assert.Null((await access.GetUserAsync(local.Id, default))!.EntraObjectId);

        // The same object id in another tenant is another person.
        var other = (await access.SyncEntraUserAsync(jan with { TenantId = "tenant-2", UserName = "jan@fabrikam.test" }, Core.Access.Role.Manager, default))!;
        Assert.NotEqual(created.Id, other.Id);

        var renamed = (await access.SyncEntraUserAsync(jan with { UserName = "j.jansen@contoso.test", DisplayName = "J. Jansen" }, Core.Access.Role.Administrator, default))!;
        Assert.Equal((created.Id, "j.jansen@contoso.test", "J. Jansen", Core.Access.Role.Administrator), (renamed.Id, renamed.UserName, renamed.DisplayName, renamed.Role));

        var disabled = (await access.SyncEntraUserAsync(jan, null, default))!;
        Assert.Equal(Clock.GetUtcNow(), disabled.DisabledAt);
        Assert.NotEqual(renamed.SecurityStamp, disabled.SecurityStamp);
        // A role given back does not enable the account again.
        Assert.NotNull((await access.SyncEntraUserAsync(jan, Core.Access.Role.Manager, default))!.DisabledAt);

        await using var c = await Db.OpenAsync(default);
        var actions = (await c.QueryAsync<(string Actor, string Action)>(
            "SELECT actor AS Actor, action AS Action FROM audit_entry WHERE entity = 'user' AND entity_id = @id ORDER BY id", new { id = created.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ToList();
        Assert.Equal(new[] { ("Entra ID (jan@contoso.test)", "created"), ("Entra ID (j.jansen@contoso.test)", "updated"), ("Entra ID (jan@contoso.test)", "disabled"), ("Entra ID (jan@contoso.test)", "updated") }, actions);
    }

    [Fact]
    public async Task Contacts_KeepLawfulBasisAndSource_AndErasureLeavesNothingPersonal()
    {
        var organisation = await Prospects.AddOrganisationAsync(Draft("Privacy Gold"), default);
        var contact = await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft
        {
            Name = "Mila de Wit", Email = "mila@privacy.example", Role = "CSR", LawfulBasis = LawfulBasis.Consent, Source = "Signed up at the Fairphone event",
        }), default);
        var read = (await Prospects.GetContactAsync(contact.Id, default))!;
        Assert.Equal((LawfulBasis.Consent, "Signed up at the Fairphone event"), (read.LawfulBasis, read.Source));

        var erased = (await Privacy.EraseAsync(contact.Id, Clock.GetUtcNow(), default))!;
        Assert.True(erased.Erased && erased.OptedOut);
        await using var c = await Db.OpenAsync(default);
        var row = string.Join("|", await c.QuerySingleAsync<(string, string, string?, string?)>("SELECT name, email, role, source FROM contact WHERE id = @id", new { id = contact.Id }));
        Assert.DoesNotContain("Mila", row, StringComparison.Ordinal);
        Assert.DoesNotContain("mila@", row, StringComparison.Ordinal);
        Assert.DoesNotContain("Fairphone", row, StringComparison.Ordinal);
        Assert.Null(await Prospects.UpdateContactAsync(contact.Id, Validation.Clean(new ContactDraft { Name = "Mila again", Email = "mila@privacy.example" }), default));
        Assert.Null(await Privacy.EraseAsync(999_999, Clock.GetUtcNow(), default));
    }

    [Fact]
    public async Task Retention_FindsOnlyContactsOfOrganisationsDeclinedEverywhereBeforeTheCutOff()
    {
        async Task<(PipelineEntry Entry, long ContactId)> DeclinedAsync(string name)
        {
            var entry = await NewEntryAsync(name);
            var contact = await Prospects.AddContactAsync(entry.OrganisationId, Validation.Clean(new ContactDraft { Name = name + " contact", Email = $"x@{name.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()}.example" }), default);
            await Pipeline.ApplyAsync(Core.Pipeline.Pipeline.Decide(entry, Stage.Declined, "no", "anne", Clock.GetUtcNow()).Change!, default);
            return (entry, contact.Id);
        }

        var old = await DeclinedAsync("Old Decline");
        var elsewhere = await DeclinedAsync("Still In Metals");
        await Pipeline.AddEntryAsync(elsewhere.Entry.OrganisationId, metals.Id, Stage.Contacted, Clock.GetUtcNow(), "anne", "other covenant", default);
        var erased = await DeclinedAsync("Already Erased");
        await Privacy.EraseAsync(erased.ContactId, Clock.GetUtcNow(), default);
        Clock.Advance(TimeSpan.FromDays(400));
        await DeclinedAsync("Recent Decline");

        var due = await Prospects.ListContactsOfDeclinedBeforeAsync(Clock.GetUtcNow().AddDays(-365), default);
        Assert.Equal([old.ContactId], due);
    }

    [Fact]
    public async Task AddEntry_WritesTheFirstHistoryLine()
    {
        var entry = await NewEntryAsync("Epsilon Jewels");
        var history = await Pipeline.HistoryAsync(entry.Id, default);
        var line = Assert.Single(history);
        Assert.Null(line.From);
        Assert.Equal(Stage.Identified, line.To);
        Assert.Equal("Found at a trade fair", line.Reason);
        Assert.Equal(Clock.GetUtcNow(), line.At);
    }

    [Fact]
    public async Task AddProspect_WritesOrganisationEntryAndHistoryTogether_OrNothing()
    {
        var entry = (await Moves.CreateAsync(Draft("Together Metals"), gold.Id, Stage.Contacted, "anne", "Met at a fair", acceptDuplicates: true, default)).Entry!;
        Assert.Equal("Together Metals", (await Prospects.GetOrganisationAsync(entry.OrganisationId, default))!.Name);
        Assert.Equal(Stage.Contacted, Assert.Single(await Pipeline.HistoryAsync(entry.Id, default)).To);

        // A covenant that does not exist fails the entry insert inside CreateAsync's unit: the organisation must not be left behind.
        var before = (await Prospects.ListOrganisationKeysAsync(default)).Count;
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => new SqlUnitOfWork(Db).RunAsync(token =>
            Pipeline.AddProspectAsync(Prospects, Draft("Orphan Metals"), 999_999, Stage.Identified, Clock.GetUtcNow(), "anne", "x", token), default));
        Assert.Equal(before, (await Prospects.ListOrganisationKeysAsync(default)).Count);
    }

    [Fact]
    public async Task Apply_AppendsHistory_AndKeepsStageConsistentWithIt()
    {
        var entry = await NewEntryAsync("Zeta Electronics");
        foreach (var to in new[] { Stage.Contacted, Stage.Engaged, Stage.NotNow, Stage.Contacted })
        {
            Clock.Advance(TimeSpan.FromDays(3));
            var current = (await Pipeline.GetEntryAsync(entry.Id, default))!;
            var decision = Core.Pipeline.Pipeline.Decide(current, to, $"to {to}", "anne", Clock.GetUtcNow(),
                to == Stage.NotNow ? new DateOnly(2026, 9, 1) : null);
            Assert.True(decision.IsAllowed, decision.Refusal?.ToString());
            await Pipeline.ApplyAsync(decision.Change!, default);
        }

        var stored = (await Pipeline.GetEntryAsync(entry.Id, default))!;
        var history = await Pipeline.HistoryAsync(entry.Id, default);
        Assert.Equal(5, history.Count);
        Assert.Equal(Stage.Contacted, stored.Stage);
        Assert.Equal(Core.Pipeline.Pipeline.CurrentStage(history), stored.Stage);
        Assert.Equal(Clock.GetUtcNow(), stored.StageSince);
        Assert.Null(stored.RevisitOn);
        Assert.Equal(new DateOnly(2026, 9, 1), history[3].RevisitOn);
        Assert.Equal([null, Stage.Identified, Stage.Contacted, Stage.Engaged, Stage.NotNow], history.Select(h => h.From));
    }

    [Fact]
    public async Task Apply_FromAStaleStage_ChangesNothing()
    {
        var entry = await NewEntryAsync("Eta Recycling");
        var first = Core.Pipeline.Pipeline.Decide(entry, Stage.Contacted, "call", "anne", Clock.GetUtcNow()).Change!;
        var second = Core.Pipeline.Pipeline.Decide(entry, Stage.Declined, "no interest", "bob", Clock.GetUtcNow()).Change!;
        await Pipeline.ApplyAsync(first, default);
        await Assert.ThrowsAsync<ConcurrentStageChangeException>(() => Pipeline.ApplyAsync(second, default));
        Assert.Equal(Stage.Contacted, (await Pipeline.GetEntryAsync(entry.Id, default))!.Stage);
        Assert.Equal(2, (await Pipeline.HistoryAsync(entry.Id, default)).Count);
    }

    [Fact]
    public async Task StageHistory_IsAppendOnly_InTheDatabaseItself()
    {
        var entry = await NewEntryAsync("Theta Steel");
        await using var c = await Db.OpenAsync(default);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => c.ExecuteAsync("UPDATE stage_change SET reason = 'rewritten'"));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => c.ExecuteAsync("DELETE FROM stage_change"));
        Assert.Equal("Found at a trade fair", Assert.Single(await Pipeline.HistoryAsync(entry.Id, default)).Reason);
    }

    [Fact]
    public async Task Search_FiltersByEveryField_AndPages()
    {
        await NewEntryAsync("Iota Goud", sector: "jewellery", owner: "Anne");
        await NewEntryAsync("Kappa Metaal", covenant: metals, sector: "steel", owner: "Bram");
        await NewEntryAsync("Lambda Union", sector: "labour", owner: "Bram", kind: PartyKind.TradeUnion);
        var mu = await NewEntryAsync("Mu 100% Gold_Works", sector: "jewellery", owner: "Anne");
        await Prospects.AddContactAsync(mu.OrganisationId, new ContactDraft { Name = "Noor Bakker", Email = "noor@mu.example", Language = ContactLanguage.Nl }, default);

        async Task<string[]> Names(ProspectFilter f) => (await Pipeline.SearchAsync(f, 1, 50, default)).Items.Select(i => i.OrganisationName).Order().ToArray();

        Assert.Equal(["Kappa Metaal"], await Names(new ProspectFilter { CovenantId = metals.Id }));
        Assert.Equal(["Iota Goud", "Mu 100% Gold_Works"], await Names(new ProspectFilter { Sector = "jewellery" }));
        Assert.Equal(["Lambda Union"], await Names(new ProspectFilter { PartyKind = PartyKind.TradeUnion }));
        Assert.Equal(["Kappa Metaal", "Lambda Union"], await Names(new ProspectFilter { Owner = "Bram" }));
        Assert.Equal(["Mu 100% Gold_Works"], await Names(new ProspectFilter { Text = "NOOR" }));
        Assert.Equal(["Mu 100% Gold_Works"], await Names(new ProspectFilter { Text = "100%" }));
        Assert.Equal(["Mu 100% Gold_Works"], await Names(new ProspectFilter { Text = "d_w" }));
        Assert.Empty(await Names(new ProspectFilter { Text = "'; DROP TABLE organisation; --" }));

        var page = await Pipeline.SearchAsync(new ProspectFilter(), 2, 3, default);
        Assert.Equal(4, page.Total);
        Assert.Single(page.Items);
    }

    private async Task<string[]> SearchNamesAsync(string text) =>
        (await Pipeline.SearchAsync(new ProspectFilter { Text = text }, 1, 50, default)).Items.Select(i => i.OrganisationName).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task Search_IgnoresTheCaseOfNonAsciiLetters_InNamesAndContactNames()
    {
        await NewEntryAsync("Zoë Müller Goud");
        await NewEntryAsync("Élan Ørsted");
        await NewEntryAsync("ŁÓDŹ Metal");
        var plain = await NewEntryAsync("Noord Handel");
        await Prospects.AddContactAsync(plain.OrganisationId, new ContactDraft { Name = "Åsa Ñúñez", Email = "asa@noord.example", Language = ContactLanguage.En }, default);

        foreach (var text in new[] { "Zoë", "zoë", "ZOË", "zOË", "MÜLLER", "müller", "zoë müller" })
        {
            Assert.Equal(["Zoë Müller Goud"], await SearchNamesAsync(text));
        }

        foreach (var text in new[] { "Élan", "élan", "ÉLAN", "éLaN", "ØRSTED", "ørsted", "ÉLAN ØR" })
        {
            Assert.Equal(["Élan Ørsted"], await SearchNamesAsync(text));
        }

        foreach (var text in new[] { "ŁÓDŹ", "łódź", "Łódź", "łÓdŹ mEtAl" })
        {
            Assert.Equal(["ŁÓDŹ Metal"], await SearchNamesAsync(text));
        }

        foreach (var text in new[] { "Åsa Ñúñez", "åsa ñúñez", "ÅSA ÑÚÑEZ", "ñÚñ" })
        {
            Assert.Equal(["Noord Handel"], await SearchNamesAsync(text));
        }
    }

    [Fact]
    public async Task Search_IgnoresCaseAndAccents_TheSameOnBothEngines()
    {
        // The rule since issue 16 (the stored folded search column): case and accents are both ignored, on both engines, so
        // "Zoe" finds "Zoë" (it used to be refused; officers type without accents).
        await NewEntryAsync("Zoë Müller Goud");
        await NewEntryAsync("Élan Ørsted");
        Assert.Equal(["Zoë Müller Goud"], await SearchNamesAsync("Zoe"));
        Assert.Equal(["Zoë Müller Goud"], await SearchNamesAsync("ZOË"));
        Assert.Equal(["Zoë Müller Goud"], await SearchNamesAsync("Muller"));
        Assert.Equal(["Élan Ørsted"], await SearchNamesAsync("elan"));
        Assert.Empty(await SearchNamesAsync("Zoa"));
    }

    [Fact]
    public async Task Search_FoldsFinalSigmaAndDottedCapitalI_TheSameOnBothEngines()
    {
        // Where ICU's lower case alone would differ from .NET's (context-dependent final sigma, İ to i plus a combining dot).
        await NewEntryAsync("ΟΔΟΣ Χρυσού");
        await NewEntryAsync("İstanbul Altın");
        foreach (var text in new[] { "οδος", "οδοσ", "ΟΔΟΣ", "ΟΔΟΣ χ", "δοσ χρυ", "ΔΟΣ ΧΡΥ" })
        {
            Assert.Equal(["ΟΔΟΣ Χρυσού"], await SearchNamesAsync(text));
        }

        foreach (var text in new[] { "istanbul", "İSTANBUL", "ISTANBUL", "İstanbul altın" })
        {
            Assert.Equal(["İstanbul Altın"], await SearchNamesAsync(text));
        }
    }

    [Fact]
    public async Task Search_TreatsPercentAndUnderscoreLiterally_InNonAsciiText()
    {
        await NewEntryAsync("Ünal 50%_Zilver");
        await NewEntryAsync("Ünal 50a Zilver");
        await NewEntryAsync("Ünal 500 Zilver");
        await NewEntryAsync("Ünal 5Ø%Ü Zilver");
        Assert.Equal(["Ünal 50%_Zilver"], await SearchNamesAsync("50%_"));
        Assert.Equal(["Ünal 50%_Zilver"], await SearchNamesAsync("ünal 50%_zILVER"));
        Assert.Equal(["Ünal 50%_Zilver"], await SearchNamesAsync("_"));
        Assert.Equal(["Ünal 50%_Zilver", "Ünal 5Ø%Ü Zilver"], await SearchNamesAsync("%"));
        Assert.Equal(["Ünal 5Ø%Ü Zilver"], await SearchNamesAsync("ø%ü"));
        Assert.Empty(await SearchNamesAsync("5_0"));
        Assert.Empty(await SearchNamesAsync("\\"));
    }

    [Fact]
    public async Task Lists_AreOrderedByFoldedTextThenCodePoint_TheSameOnBothEngines()
    {
        // Case does not split the order; ties by code point ("Anne" before "anne"); letters with accents after z.
        foreach (var owner in new[] { "Émile", "anne", "Zoë", "bob", "Anne", "Ölaf", "eva", "Bram", "anne" })
        {
            await Prospects.AddOrganisationAsync(Draft($"Organisation of {owner}", owner: owner, sector: owner == "bob" ? "Électronique" : owner == "eva" ? "apparel" : "Jewellery"), default);
        }

        Assert.Equal(["Anne", "anne", "bob", "Bram", "eva", "Zoë", "Émile", "Ölaf"], await Prospects.ListOwnersAsync(default));
        Assert.Equal(["apparel", "Jewellery", "Électronique"], await Prospects.ListSectorsAsync(default));

        await Prospects.AddCovenantAsync("ethics", "Éthique", new DateOnly(2020, 1, 1), new DateOnly(2025, 1, 1), default);
        await Prospects.AddCovenantAsync("apparel", "apparel and textile", new DateOnly(2016, 3, 1), new DateOnly(2021, 3, 1), default);
        Assert.Equal(["apparel and textile", "Metals Sector", "Responsible Gold", "Éthique"], (await Prospects.ListCovenantsAsync(default)).Select(c => c.Name));

        var organisation = await Prospects.AddOrganisationAsync(Draft("Contacts B.V."), default);
        foreach (var name in new[] { "émile Roux", "Eva Jansen", "adam Smit", "Zoë Visser", "Adam Smit", "Ådne Berg" })
        {
            await Prospects.AddContactAsync(organisation.Id, new ContactDraft { Name = name, Email = $"{name.Split(' ')[1].ToLowerInvariant()}@contacts.example", Language = ContactLanguage.Nl }, default);
        }

        Assert.Equal(["Adam Smit", "adam Smit", "Eva Jansen", "Zoë Visser", "Ådne Berg", "émile Roux"], (await Prospects.ListContactsAsync(organisation.Id, default)).Select(c => c.Name));
    }

    [Fact]
    public async Task RevisitsDue_ListsNotNowEntriesWhoseDateHasCome()
    {
        var due = await NewEntryAsync("Nu Trading");
        var later = await NewEntryAsync("Xi Trading");
        await Pipeline.ApplyAsync(Core.Pipeline.Pipeline.Decide(due, Stage.NotNow, "budget next year", "anne", Clock.GetUtcNow(), new DateOnly(2026, 3, 10)).Change!, default);
        await Pipeline.ApplyAsync(Core.Pipeline.Pipeline.Decide(later, Stage.NotNow, "after merger", "anne", Clock.GetUtcNow(), new DateOnly(2026, 3, 11)).Change!, default);
        Assert.Equal([due.Id], (await Pipeline.ListRevisitsDueAsync(new DateOnly(2026, 3, 10), default)).Select(e => e.Id));
        Assert.Equal(2, (await Pipeline.ListRevisitsDueAsync(new DateOnly(2026, 3, 11), default)).Count);
    }

    [Fact]
    public async Task OverdueFlags_FollowTheNextActionDueDate()
    {
        var a = await NewEntryAsync("Omicron");
        var b = await NewEntryAsync("Pi");
        await Pipeline.SetNextActionAsync(a.Id, "Call back", new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 2), default);
        await Pipeline.SetNextActionAsync(b.Id, "Send brochure", new DateOnly(2026, 3, 5), new DateOnly(2026, 3, 2), default);
        Assert.Equal(1, await Pipeline.RefreshOverdueFlagsAsync(new DateOnly(2026, 3, 2), default));
        Assert.True((await Pipeline.GetEntryAsync(a.Id, default))!.NextActionOverdue);
        Assert.False((await Pipeline.GetEntryAsync(b.Id, default))!.NextActionOverdue);
        await Pipeline.SetNextActionAsync(a.Id, "Call back", new DateOnly(2026, 3, 9), new DateOnly(2026, 3, 2), default);
        Assert.Equal(1, await Pipeline.RefreshOverdueFlagsAsync(new DateOnly(2026, 3, 6), default));
        Assert.False((await Pipeline.GetEntryAsync(a.Id, default))!.NextActionOverdue);
        Assert.True((await Pipeline.GetEntryAsync(b.Id, default))!.NextActionOverdue);
        Assert.Equal(["Pi"], (await Pipeline.SearchAsync(new ProspectFilter { Overdue = true }, 1, 10, default)).Items.Select(i => i.OrganisationName));
    }

    [Fact]
    public async Task JobRuns_RecordProgressOutcomeAndAbandonment()
    {
        var log = new SqlJobRunLog(Db);
        var first = await log.StartAsync("hygiene", Clock.GetUtcNow(), "node-a", default);
        await log.ProgressAsync(first, 40, 100, default);
        var running = Assert.Single(await log.LatestAsync("hygiene", 5, default));
        Assert.Equal((JobOutcome.Running, 40L, (long?)100), (running.Outcome, running.ProgressDone, running.ProgressTotal));
        Clock.Advance(TimeSpan.FromSeconds(5));
        await log.FinishAsync(first, JobOutcome.Succeeded, "moved 3", Clock.GetUtcNow(), default);
        var second = await log.StartAsync("hygiene", Clock.GetUtcNow(), "node-a", default);
        var other = await log.StartAsync("hygiene", Clock.GetUtcNow(), "node-b", default);
        Assert.Equal(1, await log.AbandonRunningAsync("node-a", Clock.GetUtcNow(), default));
        Assert.Equal(JobOutcome.Running, (await log.LatestAsync("hygiene", 5, default)).Single(r => r.Id == other).Outcome);
        Assert.Equal(1, await log.AbandonRunningAsync(null, Clock.GetUtcNow(), default));
        var runs = await log.LatestAsync("hygiene", 5, default);
        Assert.Equal([other, second, first], runs.Select(r => r.Id));
        Assert.Equal([JobOutcome.Failed, JobOutcome.Failed, JobOutcome.Succeeded], runs.Select(r => r.Outcome));
        Assert.Equal("moved 3", runs[2].Summary);
    }
}

public sealed class SqliteStoreTests() : StoreContract(StorageEngine.Sqlite);

public sealed class PostgresStoreTests() : StoreContract(StorageEngine.Postgres);

/// <summary>The contract on a PostgreSQL database with a Unicode-aware default collation, as in production (en_US.UTF-8).</summary>
public sealed class PostgresUnicodeLocaleStoreTests() : StoreContract(StorageEngine.Postgres, PostgresCluster.UnicodeLocale);
