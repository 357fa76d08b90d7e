using Dapper;
using Outreach.Core.Access;
using Outreach.Core.Audit;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>The audit trail, lock-out, user management and erasure's reach, on every engine.</summary>
public abstract partial class StoreContract
{
    private sealed class FixedActor(string name) : IAuditActor
    {
        public string Name { get; set; } = name;
    }

    private async Task<IReadOnlyList<AuditEntry>> AuditOfAsync(string entity, long id) =>
        (await new SqlAudit(Db).SearchAsync(new AuditFilter { Entity = entity, EntityId = id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, 1, 100, default)).Items;

    [Fact]
    public async Task Audit_RecordsWhoWhenWhatBeforeAndAfter_ForOrganisationsContactsAndThePipeline()
    {
        var actor = new FixedActor("Anne de Vries (anne)");
        var prospects = new SqlProspectStore(Db, Clock, actor);
        var pipeline = new SqlPipelineStore(Db, Clock, null, actor);
        var entry = await pipeline.AddProspectAsync(prospects, Draft("Audit Gold", kvk: "12345678"), gold.Id, Stage.Identified, Clock.GetUtcNow(), "Anne de Vries", "met at fair", default);
        Clock.Advance(TimeSpan.FromHours(1));
        actor.Name = "Bram (bram)";
        await prospects.UpdateOrganisationAsync(entry.OrganisationId, Draft("Audit Gold", kvk: "12345678", owner: "Bram"), default);
        // Saving without a difference records nothing.
        await prospects.UpdateOrganisationAsync(entry.OrganisationId, Draft("Audit Gold", kvk: "12345678", owner: "Bram"), default);
        await pipeline.ApplyAsync(new StageChange(entry.Id, Stage.Identified, Stage.Contacted, Clock.GetUtcNow(), "Bram", "called"), default);
        await pipeline.SetNextActionAsync(entry.Id, "Send the brochure", new DateOnly(2026, 3, 9), new DateOnly(2026, 3, 2), default);

        var organisation = await AuditOfAsync(AuditEntities.Organisation, entry.OrganisationId);
        Assert.Equal(["updated", "created"], organisation.Select(a => a.Action));
        var update = organisation[0];
        Assert.Equal("Bram (bram)", update.Actor);
        Assert.Equal(Clock.GetUtcNow(), update.At);
        Assert.Equal([new AuditChange("owner", "Anne", "Bram")], update.Changes);
        Assert.Equal("Anne de Vries (anne)", organisation[1].Actor);
        Assert.Contains(new AuditChange("kvk_number", null, "12345678"), organisation[1].Changes);

        var prospect = await AuditOfAsync(AuditEntities.Prospect, entry.Id);
        Assert.Equal(["next_action_set", "moved", "created"], prospect.Select(a => a.Action));
        Assert.Contains(new AuditChange("stage", "identified", "contacted"), prospect[1].Changes);
        Assert.Contains(new AuditChange("reason", null, "called"), prospect[1].Changes);
        Assert.Equal([new AuditChange("next_action", null, "Send the brochure"), new AuditChange("next_action_due", null, "2026-03-09")], prospect[0].Changes);
    }

    [Fact]
    public async Task Audit_IsAppendOnly()
    {
        await Prospects.AddOrganisationAsync(Draft("Append Only"), default);
        await using var c = await Db.OpenAsync(default);
        var before = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_entry");
        Assert.True(before > 0);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => c.ExecuteAsync("UPDATE audit_entry SET actor = 'someone else'"));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => c.ExecuteAsync("DELETE FROM audit_entry"));
        Assert.Equal(before, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_entry"));
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_entry WHERE actor = 'someone else'"));
    }

    [Fact]
    public async Task Erasure_RemovesThePersonFromTheAuditTrail_KeepsTheEntries_AndRefusesTheAddressAgain()
    {
        var organisation = await Prospects.AddOrganisationAsync(Draft("Erase Gold"), default);
        var contact = await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Mila de Wit", Email = "Mila@Erase.example", Role = "CSR" }), default);
        await Prospects.UpdateContactAsync(contact.Id, Validation.Clean(new ContactDraft { Name = "Mila de Wit-Jansen", Email = "Mila@Erase.example", Role = "CSR lead", Language = ContactLanguage.En }), default);
        await Privacy.SetOptedOutAsync(contact.Id, Clock.GetUtcNow(), default);

        var trail = await AuditOfAsync(AuditEntities.Contact, contact.Id);
        Assert.Equal(["opted_out", "updated", "created"], trail.Select(a => a.Action));
        Assert.Contains(new AuditChange("name", "Mila de Wit", "Mila de Wit-Jansen", Personal: true), trail[1].Changes);
        Assert.Contains(new AuditChange("language", "nl", "en"), trail[1].Changes);
        Assert.False(await Prospects.IsSuppressedAsync("mila@erase.example", default));

        await Privacy.EraseAsync(contact.Id, Clock.GetUtcNow(), default);

        trail = await AuditOfAsync(AuditEntities.Contact, contact.Id);
        Assert.Equal(["erased", "opted_out", "updated", "created"], trail.Select(a => a.Action));
        Assert.True(trail[2].PersonalDataErased && trail[3].PersonalDataErased);
        Assert.Contains(new AuditChange("name", null, null, Personal: true), trail[2].Changes);
        Assert.Contains(new AuditChange("language", "nl", "en"), trail[2].Changes);
        Assert.DoesNotContain(trail[0].Changes, x => x.Personal);
        // Nowhere in the trail's tables is the person left.
        await using var c = await Db.OpenAsync(default);
        var everything = string.Join("|", await c.QueryAsync<string>("SELECT changes FROM audit_entry UNION ALL SELECT changes FROM audit_personal"));
        Assert.DoesNotContain("Mila", everything, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("CSR", everything, StringComparison.Ordinal);
        // Only a hash of the address stays, and it keeps the person from being added back.
        Assert.True(await Prospects.IsSuppressedAsync(" MILA@erase.example ", default));
        Assert.Contains(Suppression.Hash("mila@erase.example"), await Prospects.ListSuppressedHashesAsync(default));
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM suppressed_address WHERE email_hash LIKE '%mila%'"));
        // Erasing twice records nothing more.
        await Privacy.EraseAsync(contact.Id, Clock.GetUtcNow(), default);
        Assert.Equal(4, (await AuditOfAsync(AuditEntities.Contact, contact.Id)).Count);
    }

    [Fact]
    public async Task Lockout_ParallelWrongGuesses_EachCount_AndTheFifthLocks()
    {
        var access = new SqlAccessStore(Db, Clock);
        var user = await access.AddUserAsync("guess", "Guess", Role.Secretariat, "hash", default);
        var now = Clock.GetUtcNow();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => access.RecordFailedSignInAsync(user.Id, now, default))));
        var stored = (await access.GetUserAsync(user.Id, default))!;
        Assert.Equal(8, stored.FailedSignIns);
        Assert.Equal(now + Lockout.Duration, stored.LockedUntil);
        Assert.Equal(4, results.Count(locked => locked));
        // A right password during the lock is refused by the store as well.
        Assert.False(await access.RecordSuccessfulSignInAsync(user.Id, now.AddMinutes(1), default));
        // After the lock runs out, the count starts afresh: one more failure does not lock again.
        var later = now + Lockout.Duration + TimeSpan.FromSeconds(1);
        Assert.False(await access.RecordFailedSignInAsync(user.Id, later, default));
        Assert.Equal((1, (DateTimeOffset?)null), ((await access.GetUserAsync(user.Id, default))!.FailedSignIns, (await access.GetUserAsync(user.Id, default))!.LockedUntil));
    }

    [Fact]
    public async Task SignInAttempts_AreCountedBeforeTheCheck_SoParallelGuessesGetNoMoreThanTheLockOutAllows()
    {
        var access = new SqlAccessStore(Db, Clock);
        var user = await access.AddUserAsync("attempt", "Attempt", Role.Secretariat, "hash", default);
        var now = Clock.GetUtcNow();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => access.BeginSignInAttemptAsync(user.Id, now, default))));
        Assert.Equal(Enumerable.Range(1, Lockout.MaxFailures), attempts.OfType<int>().Order());
        Assert.Equal(3, attempts.Count(a => a is null));
        // The attempts beyond the allowance lock the account.
        Assert.Equal(now + Lockout.Duration, (await access.GetUserAsync(user.Id, default))!.LockedUntil);
        Assert.Null(await access.BeginSignInAttemptAsync(user.Id, now.AddMinutes(1), default));
        // After the lock runs out, the count starts afresh.
        Assert.Equal(1, await access.BeginSignInAttemptAsync(user.Id, now + Lockout.Duration + TimeSpan.FromSeconds(1), default));
        Assert.Null((await access.GetUserAsync(user.Id, default))!.LockedUntil);

        // Signing out: a new stamp, so every session of the user ends.
        var stamp = (await access.GetUserAsync(user.Id, default))!.SecurityStamp;
        await access.RenewSecurityStampAsync(user.Id, default);
        Assert.NotEqual(stamp, (await access.GetUserAsync(user.Id, default))!.SecurityStamp);
    }

    [Fact]
    public async Task Users_AreManaged_WithNewStampsOnDisableAndReset_AndEveryChangeAudited()
    {
        var access = new SqlAccessStore(Db, Clock, new FixedActor("admin (admin)"));
        var user = await access.AddUserAsync("Kees", "Kees", Role.Manager, "hash-1", default);
        Assert.NotEmpty(user.SecurityStamp);
        await Assert.ThrowsAsync<DuplicateNameException>(() => access.AddUserAsync("KEES", "Other", Role.Manager, "hash-2", default));

        var updated = (await access.UpdateUserAsync(user.Id, "Kees Bakker", Role.Secretariat, default))!;
        Assert.Equal(("Kees Bakker", Role.Secretariat, user.SecurityStamp), (updated.DisplayName, updated.Role, updated.SecurityStamp));
        var disabled = (await access.SetDisabledAsync(user.Id, Clock.GetUtcNow(), default))!;
        Assert.NotNull(disabled.DisabledAt);
        Assert.NotEqual(user.SecurityStamp, disabled.SecurityStamp);
        Assert.False(await access.RecordSuccessfulSignInAsync(user.Id, Clock.GetUtcNow(), default));
        Assert.Null((await access.SetDisabledAsync(user.Id, null, default))!.DisabledAt);
        var reset = (await access.SetPasswordAsync(user.Id, "hash-3", default))!;
        Assert.Equal("hash-3", reset.PasswordHash);
        Assert.NotEqual(disabled.SecurityStamp, reset.SecurityStamp);
        Assert.Null(await access.UpdateUserAsync(999_999, "Nobody", Role.Manager, default));

        var trail = await AuditOfAsync(AuditEntities.User, user.Id);
        Assert.Equal(["password_reset", "enabled", "disabled", "updated", "created"], trail.Select(a => a.Action));
        Assert.All(trail, a => Assert.Equal("admin (admin)", a.Actor));
        Assert.Contains(new AuditChange("role", "manager", "secretariat"), trail[3].Changes);
        // The password hash is never in the trail.
        Assert.DoesNotContain(trail.SelectMany(a => a.Changes), x => (x.Before ?? "").Contains("hash", StringComparison.Ordinal) || (x.After ?? "").Contains("hash", StringComparison.Ordinal));

        await access.AddApiKeyAsync("bi", "HASH", Role.Manager, Clock.GetUtcNow(), default);
        await Assert.ThrowsAsync<DuplicateNameException>(() => access.AddApiKeyAsync("bi", "HASH2", Role.Manager, Clock.GetUtcNow(), default));
        Assert.True(await access.RevokeApiKeyAsync("bi", Clock.GetUtcNow(), default));
        Assert.False(await access.RevokeApiKeyAsync("bi", Clock.GetUtcNow(), default));
        Assert.Null(await access.FindApiKeyAsync("HASH", default));
        var key = Assert.Single(await access.ListApiKeysAsync(default));
        Assert.Equal(("bi", Role.Manager, (DateTimeOffset?)Clock.GetUtcNow()), (key.Name, key.Role, key.RevokedAt));
        Assert.Equal(["revoked", "created"], (await AuditOfAsync(AuditEntities.ApiKey, key.Id)).Select(a => a.Action));
    }

    [Fact]
    public async Task AuditSearch_FiltersByWhoAndWhen_AndPages()
    {
        var actor = new FixedActor("Zoë (zoe)");
        var prospects = new SqlProspectStore(Db, Clock, actor);
        for (var i = 0; i < 5; i++)
        {
            await prospects.AddOrganisationAsync(Draft($"Paged {i}"), default);
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var audit = new SqlAudit(Db);
        var byZoe = await audit.SearchAsync(new AuditFilter { Actor = "ZOË" }, 1, 2, default);
        Assert.Equal(5, byZoe.Total);
        Assert.Equal(2, byZoe.Items.Count);
        Assert.True(byZoe.Items[0].At > byZoe.Items[1].At);
        var window = await audit.SearchAsync(new AuditFilter { Actor = "zoë", From = Clock.GetUtcNow().AddMinutes(-3), Before = Clock.GetUtcNow().AddMinutes(-1) }, 1, 10, default);
        Assert.Equal(2, window.Total);
        Assert.Equal(0, (await audit.SearchAsync(new AuditFilter { Actor = "100%_" }, 1, 10, default)).Total);
    }
}
