using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Crm;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Testing;

namespace Outreach.Storage.Tests;

/// <summary>
/// The Dataverse write-back outbox for network events and invitations on every engine: rows are added in the change's own
/// transaction, only when Dataverse is in use and only for invitations of Dataverse contacts; migration 0016 keeps the rows.
/// </summary>
public abstract partial class StoreContract
{
    private sealed record OutboxRow(long Id, string Kind, long? EntryId, long? EventId, long? InvitationId);

    private async Task<List<OutboxRow>> OutboxRowsAsync()
    {
        await using var c = await Db.OpenAsync(default);
        return (await c.QueryAsync<OutboxRow>(
            "SELECT id AS Id, kind AS Kind, entry_id AS EntryId, event_id AS EventId, invitation_id AS InvitationId FROM dataverse_outbox ORDER BY id")).ToList();
    }

    /// <summary>What the Dataverse sync does to a row it brings in: gives it the Dataverse id.</summary>
    private async Task MirrorAsync(string table, long id)
    {
        await using var c = await Db.OpenAsync(default);
        await c.ExecuteAsync($"UPDATE {table} SET dataverse_id = @dv WHERE id = @id", new { dv = Guid.NewGuid().ToString("D"), id });
    }

    private async Task<NetworkEvent> InviteAllAsync(SqlEventStore events, NetworkEvent e, IEnumerable<Contact> contacts)
    {
        var decision = EventRules.Invite(e, await events.ListInvitationsAsync(e.Id, default), contacts.Select(p => new InviteCandidate(p.Id, false, false)), Clock.GetUtcNow());
        return (await events.ApplyAsync(new EventChange(e, e.Version, EventRules.NewInvitations(e, decision, Clock.GetUtcNow()), "invited", Clock.GetUtcNow()), default)).Event;
    }

    [Fact]
    public async Task WriteBack_EventsAndInvitationsOfDataverseContacts_AreQueuedWithTheirChange()
    {
        var events = new SqlEventStore(Db);
        var people = await ContactsAsync(3);
        await MirrorAsync("organisation", people[0].OrganisationId);
        await MirrorAsync("contact", people[0].Id);
        await MirrorAsync("contact", people[1].Id);

        var e = await NewEventAsync(events, capacity: 1);
        Assert.Equal([new OutboxRow(1, "event", null, e.Id, null)], (await OutboxRowsAsync()).Select(r => r with { Id = 1 }));

        e = await InviteAllAsync(events, e, people);
        var invitations = await events.ListInvitationsAsync(e.Id, default);
        var mirrored = invitations.Where(i => i.ContactId != people[2].Id).Select(i => i.Id).Order().ToList();
        var rows = await OutboxRowsAsync();
        // Inviting changes no column of the event Dynamics shows: only the two invitations of Dataverse contacts.
        Assert.Equal(["event", "invitation", "invitation"], rows.Select(r => r.Kind));
        Assert.Equal(mirrored, rows.Skip(1).Select(r => r.InvitationId!.Value));
        Assert.All(rows, r => Assert.Equal(e.Id, r.EventId));
        Assert.All(rows, r => Assert.Null(r.EntryId));

        // An answer: that invitation; a title change: the event.
        var all = await events.ListInvitationsAsync(e.Id, default);
        var answer = EventRules.Respond(e, all, mirrored[0], InvitationResponse.Accepted, OfferWindow, Clock.GetUtcNow());
        e = (await events.ApplyAsync(new EventChange(e, e.Version, answer.Changed, "answered", Clock.GetUtcNow()), default)).Event;
        e = (await events.ApplyAsync(new EventChange(e with { Title = "Nieuwe titel" }, e.Version, [], "edited", Clock.GetUtcNow()), default)).Event;
        rows = await OutboxRowsAsync();
        Assert.Equal(["event", "invitation", "invitation", "invitation", "event"], rows.Select(r => r.Kind));
        Assert.Equal(mirrored[0], rows[3].InvitationId);

        // What the sender reads: the current state, typed; the invitations name their Dataverse contacts.
        var pending = await new SqlWriteBackOutbox(Db).PendingAsync(0, 100, default);
        Assert.Equal(5, pending.Count);
        Assert.All(pending.OfType<EventWriteBack>(), p => Assert.Equal(("Nieuwe titel", "gold", EventFormat.Hybrid), (p.Event.Title, p.Event.CovenantCode, p.Event.Format)));
        var accepted = pending.OfType<InvitationWriteBack>().Where(p => p.Invitation.Id == mirrored[0]).ToList();
        Assert.Equal(2, accepted.Count);
        Assert.All(accepted, p => Assert.Equal((InvitationResponse.Accepted, PlaceStatus.Confirmed, "Person 0"), (p.Invitation.Response, p.Invitation.Place, p.Invitation.ContactName)));
        Assert.All(pending.OfType<InvitationWriteBack>(), p => Assert.NotNull(p.Invitation.ContactId));
    }

    [Fact]
    public async Task WriteBack_WaitlistedInvitations_AreQueuedAgainWhenTheLineMoves()
    {
        var events = new SqlEventStore(Db);
        var people = await ContactsAsync(3);
        await MirrorAsync("organisation", people[0].OrganisationId);
        foreach (var p in people) await MirrorAsync("contact", p.Id);
        var e = await InviteAllAsync(events, await NewEventAsync(events, capacity: 1), people);
        async Task<NetworkEvent> Answer(NetworkEvent ev, Contact who, InvitationResponse response)
        {
            var all = await events.ListInvitationsAsync(ev.Id, default);
            var decision = EventRules.Respond(ev, all, all.Single(i => i.ContactId == who.Id).Id, response, OfferWindow, Clock.GetUtcNow());
            return (await events.ApplyAsync(new EventChange(ev, ev.Version, decision.Changed, "answered", Clock.GetUtcNow()), default)).Event;
        }

        e = await Answer(e, people[0], InvitationResponse.Accepted);
        e = await Answer(e, people[1], InvitationResponse.Accepted);
        e = await Answer(e, people[2], InvitationResponse.Accepted);
        var before = (await OutboxRowsAsync()).Count;
        await Answer(e, people[1], InvitationResponse.Declined);

        // The decline, and the third person, still waiting but now first in line.
        var third = (await events.ListInvitationsAsync(e.Id, default)).Single(i => i.ContactId == people[2].Id);
        var added = (await OutboxRowsAsync()).Skip(before).ToList();
        Assert.Equal(2, added.Count);
        Assert.Contains(added, r => r.InvitationId == third.Id);
        var pending = await new SqlWriteBackOutbox(Db).PendingAsync(0, 100, default);
        Assert.Equal(1, pending.OfType<InvitationWriteBack>().First(p => p.Invitation.Id == third.Id).Invitation.WaitlistPosition);
    }

    [Fact]
    public async Task WriteBack_InTheEmbeddedMode_QueuesNothingForEvents()
    {
        var events = new SqlEventStore(Db);
        var people = await ContactsAsync(2);
        var e = await InviteAllAsync(events, await NewEventAsync(events), people);
        var all = await events.ListInvitationsAsync(e.Id, default);
        var answer = EventRules.Respond(e, all, all[0].Id, InvitationResponse.Accepted, OfferWindow, Clock.GetUtcNow());
        await events.ApplyAsync(new EventChange(e with { Title = "Anders" }, e.Version, answer.Changed, "answered", Clock.GetUtcNow()), default);
        await Privacy.EraseAsync(people[1].Id, Clock.GetUtcNow(), default);

        Assert.Empty(await OutboxRowsAsync());
        Assert.Equal(2, (await events.ListInvitationsAsync(e.Id, default)).Count);
    }

    [Fact]
    public async Task WriteBack_AChangeThatFailsOrIsRefused_QueuesNothing()
    {
        var events = new SqlEventStore(Db);
        var people = await ContactsAsync(2);
        await MirrorAsync("organisation", people[0].OrganisationId);
        foreach (var p in people) await MirrorAsync("contact", p.Id);
        var e = await NewEventAsync(events);
        var before = await OutboxRowsAsync();
        Assert.Single(before);

        // The last write of the change (the invitations' outbox rows) fails: the event's row, written just before it in the
        // same transaction, goes with it, and so does the change itself.
        await using (var c = await Db.OpenAsync(default))
        {
            await c.ExecuteAsync(Db.IsSqlite
                ? "CREATE TRIGGER fail_invitation_writeback BEFORE INSERT ON dataverse_outbox WHEN NEW.kind = 'invitation' BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
                : """
                  CREATE FUNCTION fail_invitation_writeback() RETURNS trigger LANGUAGE plpgsql AS $$
                  BEGIN IF NEW.kind = 'invitation' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$;
                  CREATE TRIGGER fail_invitation_writeback BEFORE INSERT ON dataverse_outbox FOR EACH ROW EXECUTE FUNCTION fail_invitation_writeback();
                  """);
        }

        var decision = EventRules.Invite(e, [], people.Select(p => new InviteCandidate(p.Id, false, false)), Clock.GetUtcNow());
        var change = new EventChange(e with { Title = "Verplaatst" }, e.Version, EventRules.NewInvitations(e, decision, Clock.GetUtcNow()), "invited", Clock.GetUtcNow());
        var failure = await Assert.ThrowsAnyAsync<DbException>(() => events.ApplyAsync(change, default));
        Assert.Contains("injected failure", failure.Message, StringComparison.Ordinal);

        Assert.Equal(before, await OutboxRowsAsync());
        Assert.Empty(await events.ListInvitationsAsync(e.Id, default));
        Assert.Equal((e.Title, e.Version), ((await events.GetEventAsync(e.Id, default))!.Title, (await events.GetEventAsync(e.Id, default))!.Version));

        // A change refused for a stale version queues nothing either.
        await using (var c = await Db.OpenAsync(default)) await c.ExecuteAsync("DROP TRIGGER fail_invitation_writeback" + (Db.IsSqlite ? "" : " ON dataverse_outbox"));
        var current = (await InviteAllAsync(events, e, people));
        var afterInvite = await OutboxRowsAsync();
        Assert.Equal(3, afterInvite.Count);
        await Assert.ThrowsAsync<ConcurrentEventChangeException>(() =>
            events.ApplyAsync(new EventChange(e with { Title = "Oud" }, e.Version, [], "edited", Clock.GetUtcNow()), default));
        Assert.Equal(afterInvite, await OutboxRowsAsync());
        Assert.Equal(current.Version, (await events.GetEventAsync(e.Id, default))!.Version);
    }

    [Fact]
    public async Task WriteBack_ErasingAContact_QueuesTheirInvitations_WithoutTheirNameOrContact()
    {
        var events = new SqlEventStore(Db);
        var people = await ContactsAsync(2);
        await MirrorAsync("organisation", people[0].OrganisationId);
        foreach (var p in people) await MirrorAsync("contact", p.Id);
        var e = await InviteAllAsync(events, await NewEventAsync(events), people);
        var before = (await OutboxRowsAsync()).Count;

        await Privacy.EraseAsync(people[0].Id, Clock.GetUtcNow(), default);
        await Privacy.EraseAsync(people[0].Id, Clock.GetUtcNow(), default);

        var added = (await OutboxRowsAsync()).Skip(before).ToList();
        var invitation = (await events.ListInvitationsAsync(e.Id, default)).Single(i => i.ContactId == people[0].Id);
        Assert.Equal([("invitation", invitation.Id)], added.Select(r => (r.Kind, r.InvitationId!.Value)));
        var item = (await new SqlWriteBackOutbox(Db).PendingAsync(0, 100, default)).OfType<InvitationWriteBack>().Last();
        Assert.Equal(invitation.Id, item.Invitation.Id);
        Assert.Null(item.Invitation.ContactName);
        Assert.Null(item.Invitation.ContactId);
    }

    [Fact]
    public async Task Migration0016_KeepsTheOutboxRowsTheirIdsAndIndex()
    {
        var db = TestDatabases.Empty(Db.Engine);
        await using (var c = await db.OpenAsync(default))
        {
            // Up to 0015 by hand, as the migrator would.
            await c.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)");
            foreach (var script in Migrator.Scripts(db.Engine).Where(s => s.Version < 16))
            {
                await c.ExecuteAsync(script.Sql);
                await c.ExecuteAsync("INSERT INTO schema_version (version, name, applied_at) VALUES (@Version, @Name, '2026-01-01')", new { script.Version, script.Name });
            }
        }

        var prospects = new SqlProspectStore(db, Clock);
        var pipeline = new SqlPipelineStore(db, Clock);
        var covenant = await prospects.AddCovenantAsync("gold", "Gold", new DateOnly(2022, 1, 1), new DateOnly(2027, 1, 1), default);
        var organisation = await prospects.AddOrganisationAsync(Draft("Voor Migratie B.V."), default);
        await using (var c = await db.OpenAsync(default))
            await c.ExecuteAsync("UPDATE organisation SET dataverse_id = @dv WHERE id = @id", new { dv = Guid.NewGuid().ToString("D"), id = organisation.Id });
        var entry = await SqlServices.Moves(db, Clock).AddEntryAsync(organisation.Id, covenant.Id, Stage.Identified, Clock.GetUtcNow(), "anne", "Found", default);
        var writeBack = new SqlWriteBackOutbox(db);
        foreach (var (from, to, why) in new[] { (Stage.Identified, Stage.Contacted, "Mailed"), (Stage.Contacted, Stage.Engaged, "Met") })
        {
            // The store and the outbox as PipelineService.ApplyAsync calls them: its sequences step reads columns newer than 0015.
            await pipeline.ApplyAsync(new StageChange(entry.Id, from, to, Clock.GetUtcNow(), "anne", why), default);
            var line = (await pipeline.HistoryAsync(entry.Id, default)).MaxBy(l => l.Id)!;
            await writeBack.EnqueueStageChangeAsync(entry.Id, line.Id, Clock.GetUtcNow(), default);
        }
        const string Read = "SELECT id AS Id, idempotency_key AS Key, kind AS Kind, entry_id AS EntryId, stage_change_id AS StageChangeId, attempts AS Attempts, last_error AS Error FROM dataverse_outbox ORDER BY id";
        List<(long Id, string Key, string Kind, long? EntryId, long? StageChangeId, int Attempts, string? Error)> old;
        await using (var c = await db.OpenAsync(default))
        {
            await c.ExecuteAsync("UPDATE dataverse_outbox SET attempts = 2, last_error = 'timeout' WHERE id = (SELECT MIN(id) FROM dataverse_outbox)");
            // The newest row is gone (sent and cleaned up by hand, say): its id must not be handed out again.
            await c.ExecuteAsync("DELETE FROM dataverse_outbox WHERE id = (SELECT MAX(id) FROM dataverse_outbox)");
            old = (await c.QueryAsync<(long, string, string, long?, long?, int, string?)>(Read)).ToList();
        }

        Assert.Equal(2, old.Count);
        // 0016 and whatever came after it.
        Assert.Equal(Migrator.Scripts(db.Engine).Where(s => s.Version >= 16).Select(s => s.Version), await new Migrator(db, Clock, NullLogger<Migrator>.Instance).MigrateAsync(default));

        await using var after = await db.OpenAsync(default);
        Assert.Equal(old, (await after.QueryAsync<(long, string, string, long?, long?, int, string?)>(Read)).ToList());
        var indexes = (await after.QueryAsync<string>(db.IsSqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dataverse_outbox'"
            : "SELECT indexname FROM pg_indexes WHERE tablename = 'dataverse_outbox'")).ToList();
        Assert.Contains("ix_dataverse_outbox_pending", indexes);
        // With the idempotency key's (and on PostgreSQL the primary key's; SQLite's rowid needs none).
        Assert.Equal(db.IsSqlite ? 2 : 3, indexes.Count);
        // Now an event row (no entry) fits, under a new id, and the key is still unique.
        var e = await new SqlEventStore(db).AddEventAsync(EventRules.Create(new NetworkEventDraft
        {
            Title = "Na migratie", CovenantId = covenant.Id, Format = EventFormat.Online, StartLocal = new DateTime(2026, 5, 1, 10, 0, 0),
            EndLocal = new DateTime(2026, 5, 1, 11, 0, 0), Capacity = 10, RegistrationDeadlineLocal = new DateTime(2026, 4, 30, 12, 0, 0),
        }, "evt-migration@outreach.test", Clock.GetUtcNow()), default);
        var newest = await after.QuerySingleAsync<(long Id, long? EntryId, long? EventId)>(
            "SELECT id, entry_id, event_id FROM dataverse_outbox WHERE kind = 'event'");
        Assert.Equal((null, e.Id), (newest.EntryId, newest.EventId));
        Assert.True(newest.Id > old[^1].Id + 1, $"id {newest.Id} follows the deleted row's, not {old[^1].Id}");
        await Assert.ThrowsAnyAsync<DbException>(() => after.ExecuteAsync(
            "INSERT INTO dataverse_outbox (idempotency_key, kind, created_at) VALUES (@key, 'event', '2026-01-01T00:00:00Z')", new { key = old[0].Key }));
    }
}
