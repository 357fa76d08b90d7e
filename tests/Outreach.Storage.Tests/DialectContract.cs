using System.Data;
using System.Data.Common;
using Dapper;
using Outreach.Core.Access;
using Outreach.Core.Events;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;

namespace Outreach.Storage.Tests;

/// <summary>What the engine dialect promises, on every engine: text lists in one order, id lists of any length.</summary>
public abstract partial class StoreContract
{
    /// <summary>Names that sort differently by locale (Érik), by case (adam, Bas) and by code point (Zoë).</summary>
    private static readonly string[] MixedNames = ["Érik", "adam", "Zoë", "Bas"];

    /// <summary>Folded, then by code point (see <see cref="Database.Fold"/>): letters with accents after z.</summary>
    private static readonly string[] FoldedOrder = ["adam", "Bas", "Zoë", "Érik"];

    [Fact]
    public async Task TextSorts_OfEventsSequencesUsersAndKeys_AreTheSameOnEveryEngine()
    {
        var events = new SqlEventStore(Db);
        var e = await NewEventAsync(events, capacity: 10);
        var people = new List<Contact>();
        foreach (var name in MixedNames)
        {
            // One organisation per person, named after them: the choices are ordered by organisation, then by contact.
            var entry = await NewEntryAsync(name + " Goud");
            people.Add(await Prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = name, Email = $"{Guid.NewGuid():N}@example.nl" }, default));
        }

        var invite = EventRules.Invite(e, [], people.Select(p => new InviteCandidate(p.Id, false, false)), Clock.GetUtcNow());
        await events.ApplyAsync(new EventChange(e, e.Version, EventRules.NewInvitations(e, invite, Clock.GetUtcNow()), "invited", Clock.GetUtcNow()), default);
        Assert.Equal(FoldedOrder, (await events.ListInvitationViewsAsync(e.Id, default)).Select(v => v.ContactName));
        Assert.Equal(FoldedOrder, (await events.ListContactChoicesAsync(gold.Id, default)).Select(c => c.Name));

        var sequences = new SqlSequenceStore(Db);
        foreach (var name in MixedNames)
            await sequences.AddSequenceAsync(new SequenceDraft { Name = name, Stage = Stage.Contacted, Steps = [new(BuiltInTemplates.FollowUp, 2)] }, Clock.GetUtcNow(), default);
        Assert.Equal(FoldedOrder, (await sequences.ListSequencesAsync(default)).Select(s => s.Name));

        var access = new SqlAccessStore(Db, Clock);
        foreach (var name in MixedNames)
        {
            await access.AddUserAsync(name, name, Role.Secretariat, "hash", default);
            await access.AddApiKeyAsync(name, "hash-" + name, Role.Manager, Clock.GetUtcNow(), default);
        }

        // User names are kept in lower case.
        Assert.Equal(FoldedOrder.Select(n => n.ToLowerInvariant()), (await access.ListUsersAsync(default)).Select(u => u.UserName));
        Assert.Equal(FoldedOrder, (await access.ListApiKeysAsync(default)).Select(k => k.Name));
    }

    [Fact]
    public async Task ARowStatement_WritesEachRowsValuesAsGiven_CountsWhatItWrote_AndReportsAConstraintAsTheEnginesError()
    {
        // The Dataverse sync's per-row statement (SQLite binds through its own calls, as UTF-16): text outside Latin-1, nulls,
        // integers and instants arrive as given; the count is what the statement wrote.
        var names = MixedNames.Append("Ĳssel 日本 😀").ToList();
        var at = Clock.GetUtcNow();
        await using var c = await Db.OpenAsync(default);
        await using var tx = await Database.BeginWriteAsync(c, default);
        var dialect = Db.Dialect;
        await using var insert = await dialect.PrepareRowStatementAsync(c, tx,
            "INSERT INTO dataverse_sync_state (table_name, next_link, generation, updated_at) VALUES (@name, @link, @generation, @at)",
            [("name", DbType.String), ("link", DbType.String), ("generation", DbType.Int64), ("at", dialect.InstantType)], default);
        insert.Bind(3, dialect.Instant(at));
        for (var i = 0; i < names.Count; i++)
        {
            insert.Bind(0, names[i]);
            insert.Bind(1, i % 2 == 0 ? null : "https://example.crm4.dynamics.com/" + names[i]);
            insert.Bind(2, 10_000_000_000L + i);
            Assert.Equal(1, await insert.ExecuteAsync(default));
        }

        await using (var update = await dialect.PrepareRowStatementAsync(c, tx,
            "UPDATE dataverse_sync_state SET generation = @generation WHERE table_name = @name", [("generation", DbType.Int64), ("name", DbType.String)], default))
        {
            update.Bind(0, 7L);
            update.Bind(1, "nobody");
            Assert.Equal(0, await update.ExecuteAsync(default));
            update.Bind(1, "Zoë");
            Assert.Equal(1, await update.ExecuteAsync(default));
        }

        var rows = (await c.QueryAsync<(string Name, string? Link, long Generation, DateTimeOffset At)>(new CommandDefinition(
            "SELECT table_name, next_link, generation, updated_at FROM dataverse_sync_state", transaction: tx))).ToDictionary(r => r.Name);
        Assert.Equal(names.Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        for (var i = 0; i < names.Count; i++)
        {
            var row = rows[names[i]];
            Assert.Equal(i % 2 == 0 ? null : "https://example.crm4.dynamics.com/" + names[i], row.Link);
            Assert.Equal(names[i] == "Zoë" ? 7L : 10_000_000_000L + i, row.Generation);
            Assert.Equal(at, row.At);
        }

        // The same key again: the engine's own error (last: PostgreSQL then refuses the rest of the transaction).
        insert.Bind(0, "Zoë");
        await Assert.ThrowsAnyAsync<DbException>(async () => await insert.ExecuteAsync(default));
    }

    [Fact]
    public async Task InviteCandidates_ByHand_TakeAnyNumberOfIds()
    {
        var events = new SqlEventStore(Db);
        var people = await ContactsAsync(2);
        // Far more ids than a statement may have parameters, the wanted ones last: none is dropped.
        var ids = Enumerable.Range(1_000_000, 12_000).Select(i => (long)i).Concat(people.Select(p => p.Id)).ToList();
        var found = await events.ListInviteCandidatesAsync(new InviteSelection { ContactIds = ids }, default);
        Assert.Equal(people.Select(p => p.Id).Order(), found.Select(c => c.ContactId));
    }

    [Fact]
    public async Task SentMail_IsFoundByAnyOfManyMessageIds()
    {
        var organisation = await Prospects.AddOrganisationAsync(Draft("Thread Gold"), default);
        var eva = await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Eva Jansen", Email = "eva@thread.example" }), default);
        var outbox = new SqlMailOutbox(Db);
        var now = Clock.GetUtcNow();
        var (mail, _) = await outbox.EnqueueAsync(Mail("enrolment:9:step:0", now, eva.Id, "eva@thread.example"), now, default);
        await outbox.ClaimDueAsync("a", now, now.AddMinutes(5), 10, default);
        Assert.True(await outbox.MarkSentAsync(mail.Id, "a", now, new DeliveryReceipt("<ours@mail.example>", "conv-9"), default));

        // A long References header: ours is the 151st.
        var references = Enumerable.Range(0, 150).Select(i => $"<other-{i}@elsewhere>").Append("<ours@mail.example>").ToList();
        Assert.Equal(mail.Id, (await outbox.FindSentByMessageAsync(references, null, default))?.Id);
    }
}
