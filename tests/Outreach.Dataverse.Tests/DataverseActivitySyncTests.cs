using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Activities;
using Outreach.Core.Crm;
using Outreach.Core.Pipeline;
using Outreach.Dataverse.Testing;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Dataverse.Tests;

/// <summary>
/// Issue 15 point 4, both ways against the local Dataverse server on both engines: calls, meetings and notes logged in
/// Outreach go to the account's timeline as completed phone calls, appointments and notes under derived ids (a resend
/// updates, never duplicates); Dynamics users' ones come onto the prospect's timeline marked in Dynamics; neither side's
/// rows travel back (no echo), on a delta read, a full read, and through a storm of 429s.
/// </summary>
public sealed class DataverseActivitySyncTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);
    private static readonly Guid DynamicsUser = new("00000000-0000-0000-0000-0000000d0001");
    private static readonly Guid Anna = LocalDataverse.Id(2, 1);

    private static FakeTimeProvider Clock => new(At.AddHours(2));

    private sealed record Setup(LocalDataverse Local, Database Db, DataverseClient Client, long EntryId, Guid Account);

    private static DataverseSync Sync(Setup s) =>
        new(s.Client, new SqlCrmSyncStore(s.Db), Clock, NullLogger<DataverseSync>.Instance, activities: new SqlActivityStore(s.Db));

    private static DataverseWriteBack WriteBack(Setup s) =>
        new(s.Client, new SqlWriteBackOutbox(s.Db), Clock, NullLogger<DataverseWriteBack>.Instance, OutreachLinks.None);

    private static async Task<Setup> SetUpAsync(LocalDataverse local, StorageEngine engine)
    {
        local.SeedAccounts(2);
        var account = LocalDataverse.Id(1, 1);
        local.Server.Upsert("contacts", Anna, new JsonObject { ["fullname"] = "Anna Bakker", ["emailaddress1"] = "anna@example.nl", ["_parentcustomerid_value"] = account.ToString("D") });
        local.Server.Upsert("systemusers", DynamicsUser, new JsonObject { ["fullname"] = "Dirk Dynamics" });
        var db = await TestDatabases.MigratedAsync(engine, Clock);
        var client = local.Client();
        var covenant = await new SqlProspectStore(db, Clock).AddCovenantAsync("gold", "Gold", new DateOnly(2022, 1, 1), new DateOnly(2026, 12, 31), default);
        var s = new Setup(local, db, client, 0, account);
        await Sync(s).RunAsync(new NullProgress(), default);
        await using var c = await db.OpenAsync(default);
        var organisationId = await c.ExecuteScalarAsync<long>("SELECT id FROM organisation WHERE dataverse_id = @id", new { id = account.ToString("D") });
        var entry = await SqlServices.Moves(db, Clock).AddEntryAsync(organisationId, covenant.Id, Stage.Contacted, At, "Anne", "Met at the fair", default);
        s = s with { EntryId = entry.Id };
        // The new prospect's own write-back (its first stage) out of the way, so the tests count only activities.
        Assert.Equal(1, (await WriteBack(s).SendPendingAsync(default)).Sent);
        return s;
    }

    private sealed class NullProgress : Core.Jobs.IJobProgress
    {
        public Task ReportAsync(long done, long? total, CancellationToken ct) => Task.CompletedTask;
    }

    private static async Task<Activity> LogAsync(Setup s, ActivityDraft draft)
    {
        var outcome = await SqlServices.Activities(s.Db, Clock).LogAsync(s.EntryId, draft, "Anne", default);
        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Field)));
        return outcome.Activity!;
    }

    private static readonly ActivityDraft Call = new()
    {
        Kind = ActivityKind.Call, Direction = CallDirection.Outgoing, Outcome = CallOutcome.Reached, DurationMinutes = 12, Text = "Interested in the covenant",
        OccurredAt = At,
    };

    private static async Task<List<(string Origin, string Kind, string Author)>> ActivitiesAsync(Database db)
    {
        await using var c = await db.OpenAsync(default);
        return (await c.QueryAsync<(string, string, string)>("SELECT origin, kind, author FROM activity ORDER BY id")).ToList();
    }

    private static async Task<long> PendingWriteBacksAsync(Database db)
    {
        await using var c = await db.OpenAsync(default);
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dataverse_outbox WHERE sent_at IS NULL");
    }

    private static async Task ForgetSentAsync(Database db)
    {
        // A crash after sending and before marking: every row goes again.
        await using var c = await db.OpenAsync(default);
        await c.ExecuteAsync("UPDATE dataverse_outbox SET sent_at = NULL, attempts = 0");
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task LoggedActivities_AreWrittenOnceAsCompletedNativeActivities_AResendUpdatesTheSameRows(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, engine);
        var call = await LogAsync(s, Call with { ContactIds = [await ContactIdAsync(s.Db)] });
        var meeting = await LogAsync(s, new ActivityDraft { Kind = ActivityKind.Meeting, Location = "Their office", DurationMinutes = 60, Text = "Intake", OccurredAt = At });
        var note = await LogAsync(s, new ActivityDraft { Kind = ActivityKind.Note, Text = "Board decides in March", OccurredAt = At });

        Assert.Equal(new WriteBackCounts(3, 0, 1), await WriteBack(s).SendPendingAsync(default));

        var calls = local.Server.Rows("phonecalls");
        var phone = Assert.Single(calls);
        Assert.Equal(CrmIds.Activity(call.Id), phone.Key);
        Assert.Equal(1, (int)phone.Value["statecode"]!);
        Assert.Equal(2, (int)phone.Value["statuscode"]!);
        Assert.True((bool)phone.Value["directioncode"]!);
        Assert.Equal(12, (int)phone.Value["actualdurationminutes"]!);
        Assert.Equal($"/accounts({s.Account:D})", (string)phone.Value["regardingobjectid_account_phonecall@odata.bind"]!);
        Assert.Contains("With: Anna Bakker", (string)phone.Value["description"]!, StringComparison.Ordinal);
        var appointment = Assert.Single(local.Server.Rows("appointments"));
        Assert.Equal(CrmIds.Activity(meeting.Id), appointment.Key);
        Assert.Equal((1, 3), ((int)appointment.Value["statecode"]!, (int)appointment.Value["statuscode"]!));
        Assert.Equal("Their office", (string)appointment.Value["location"]!);
        var annotation = Assert.Single(local.Server.Rows("annotations"));
        Assert.Equal(CrmIds.Activity(note.Id), annotation.Key);
        Assert.Equal($"/accounts({s.Account:D})", (string)annotation.Value["objectid_account@odata.bind"]!);

        // Sent again (a crash before marking), and the call edited by its author: the same three rows, updated; the
        // completed phone call and appointment are reopened, written and completed again in one change set.
        await ForgetSentAsync(s.Db);
        var edited = await SqlServices.Activities(s.Db, Clock).EditAsync(s.EntryId, call.Id, Call with { Text = "Interested; sends the board papers" }, "Anne", default);
        Assert.True(edited.Succeeded);
        var again = await WriteBack(s).SendPendingAsync(default);
        Assert.Equal(0, again.Failed);
        Assert.Single(local.Server.Rows("phonecalls"));
        Assert.Single(local.Server.Rows("appointments"));
        Assert.Single(local.Server.Rows("annotations"));
        phone = local.Server.Rows("phonecalls").Single();
        Assert.StartsWith("Interested; sends the board papers", (string)phone.Value["description"]!, StringComparison.Ordinal);
        Assert.Equal(1, (int)phone.Value["statecode"]!);
        Assert.Equal(0, await PendingWriteBacksAsync(s.Db));
    }

    private static async Task<long> ContactIdAsync(Database db)
    {
        await using var c = await db.OpenAsync(default);
        return await c.ExecuteScalarAsync<long>("SELECT id FROM contact WHERE dataverse_id = @id", new { id = Anna.ToString("D") });
    }

    [Fact]
    public async Task AClosedActivity_RefusesAChangeButOfItsState_AsDataverseDoes()
    {
        // The local server's rule the write-back's reopen-write-complete change set exists for.
        await using var local = await LocalDataverse.StartAsync();
        local.SeedAccounts(1);
        var id = Guid.NewGuid();
        local.Server.Upsert("phonecalls", id, new JsonObject { ["subject"] = "Call", ["statecode"] = 1, ["statuscode"] = 2 });
        var client = local.Client();
        var error = await Assert.ThrowsAsync<DataverseException>(() => client.UpsertAsync("phonecalls", id, new JsonObject { ["subject"] = "Changed" }, default));
        Assert.Contains("closed", error.Message, StringComparison.Ordinal);
        await client.UpsertAsync("phonecalls", id, new JsonObject { ["statecode"] = 0, ["statuscode"] = 1 }, default);
        await client.UpsertAsync("phonecalls", id, new JsonObject { ["subject"] = "Changed" }, default);
        Assert.Equal("Changed", (string)local.Server.Rows("phonecalls")[id]["subject"]!);
    }

    private static void SeedDynamicsActivities(LocalDataverse local, Guid account)
    {
        local.Server.Upsert("phonecalls", new Guid("00000000-0000-0000-0000-00000000c001"), new JsonObject
        {
            ["subject"] = "Called about the deadline", ["description"] = "They need two more weeks", ["directioncode"] = false, ["actualdurationminutes"] = 5,
            ["actualstart"] = "2026-11-01T10:00:00Z", ["statecode"] = 1, ["statuscode"] = 4,
            ["_regardingobjectid_value"] = account.ToString("D"), ["_createdby_value"] = DynamicsUser.ToString("D"),
        });
        // About a contact of the account: linked to that contact.
        local.Server.Upsert("appointments", new Guid("00000000-0000-0000-0000-00000000c002"), new JsonObject
        {
            ["subject"] = "Lunch", ["location"] = "Utrecht", ["scheduledstart"] = "2026-10-30T12:00:00Z", ["scheduledend"] = "2026-10-30T13:00:00Z", ["statecode"] = 1,
            ["_regardingobjectid_value"] = Anna.ToString("D"), ["_createdby_value"] = DynamicsUser.ToString("D"),
        });
        local.Server.Upsert("annotations", new Guid("00000000-0000-0000-0000-00000000c003"), new JsonObject
        {
            ["subject"] = "Annual report", ["notetext"] = "Turnover up 10%",
            ["_objectid_value"] = account.ToString("D"), ["_createdby_value"] = DynamicsUser.ToString("D"),
        });
        // About an account Outreach does not know: passed over.
        local.Server.Upsert("phonecalls", new Guid("00000000-0000-0000-0000-00000000c004"), new JsonObject
        {
            ["subject"] = "Elsewhere", ["_regardingobjectid_value"] = Guid.NewGuid().ToString("D"), ["_createdby_value"] = DynamicsUser.ToString("D"),
        });
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task DynamicsUsersActivities_AppearOnTheTimelineInDynamics_AndNothingEchoes_OnADeltaOrAFullRead(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, engine);
        await LogAsync(s, Call);
        await WriteBack(s).SendPendingAsync(default);
        SeedDynamicsActivities(local, s.Account);

        var first = await Sync(s).RunAsync(new NullProgress(), default);

        Assert.Equal(3, first.Activities.Added);
        var rows = await ActivitiesAsync(s.Db);
        Assert.Equal([("outreach", "call", "Anne"), ("dynamics", "call", "Dirk Dynamics"), ("dynamics", "meeting", "Dirk Dynamics"), ("dynamics", "note", "Dirk Dynamics")],
            rows.OrderBy(r => r.Origin == "dynamics").ThenBy(r => r.Kind).ToList());
        var page = await new SqlTimelineSource(s.Db).PageAsync(s.EntryId, new TimelineQuery { Kinds = new HashSet<TimelineKind> { TimelineKind.Activity } }, default);
        Assert.Equal(4, page.Items.Count);
        Assert.Equal(3, page.Items.Count(i => i.FromDynamics));
        Assert.Contains(page.Items, i => i.FromDynamics && i.Text == "Called about the deadline\nThey need two more weeks" && i.Code2 == "incoming");
        Assert.Contains(page.Items, i => i.FromDynamics && i.Code == "meeting" && i.People == "Anna Bakker" && i.Place == "Utrecht");
        Assert.DoesNotContain(page.Items, i => !i.FromDynamics && i.Actor != "Anne");
        // Read in, never written back.
        Assert.Equal(0, await PendingWriteBacksAsync(s.Db));
        Assert.Equal(new WriteBackCounts(0, 0, 0), await WriteBack(s).SendPendingAsync(default));

        // A Dynamics user edits Outreach's own phone call: it comes back in the delta, under Outreach's derived id, and is
        // passed over (the store knows the id as Outreach's), not taken in as a second call.
        var own = local.Server.Rows("phonecalls").Single(r => r.Value["_createdby_value"]?.ToString() == local.Server.CallerId.ToString("D"));
        local.Server.Upsert("phonecalls", own.Key, new JsonObject { ["_createdby_value"] = DynamicsUser.ToString("D"), ["description"] = "Edited in Dynamics" });
        var delta = await Sync(s).RunAsync(new NullProgress(), default);
        Assert.Equal(0, delta.Activities.Added);
        Assert.Equal(4, (await ActivitiesAsync(s.Db)).Count);

        // A full read (the delta tokens expired, the notes' watermark forgotten): the same four, nothing twice, nothing sent.
        local.Server.ExpireDeltaTokens();
        await using (var c = await s.Db.OpenAsync(default))
        {
            await c.ExecuteAsync("DELETE FROM dataverse_sync_state WHERE table_name = 'annotation'");
        }

        var full = await Sync(s).RunAsync(new NullProgress(), default);
        Assert.Equal(0, full.Activities.Added);
        Assert.Equal(4, (await ActivitiesAsync(s.Db)).Count);
        Assert.Equal(0, await PendingWriteBacksAsync(s.Db));
        Assert.Single(local.Server.Rows("annotations"));

        // Deleted in Dynamics: gone from the timeline.
        local.Server.Delete("phonecalls", new Guid("00000000-0000-0000-0000-00000000c001"));
        var afterDelete = await Sync(s).RunAsync(new NullProgress(), default);
        Assert.Equal(1, afterDelete.Activities.Removed);
        Assert.Equal(3, (await ActivitiesAsync(s.Db)).Count);
    }

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task AStormOf429s_DuringTheWriteBackAndTheReadIn_LosesNothingAndDuplicatesNothing(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, engine);
        await LogAsync(s, Call);
        await LogAsync(s, new ActivityDraft { Kind = ActivityKind.Note, Text = "Sent the covenant text", OccurredAt = At });
        SeedDynamicsActivities(local, s.Account);
        // Every other request is throttled, as under a service-protection limit (Retry-After 0 keeps the test fast).
        local.Server.FaultRule = (n, _) => n % 2 == 1 ? new Fault(429, RetryAfterSeconds: 0) : null;
        local.Server.ClearRequests();

        var sent = await WriteBack(s).SendPendingAsync(default);
        var read = await Sync(s).RunAsync(new NullProgress(), default);

        Assert.Contains(local.Server.Requests, r => r.Status == 429);
        Assert.Equal(2, sent.Sent);
        Assert.Equal(0, sent.Failed);
        Assert.Equal(3, read.Activities.Added);
        Assert.Single(local.Server.Rows("phonecalls"), r => r.Value["_createdby_value"]?.ToString() == local.Server.CallerId.ToString("D"));
        Assert.Single(local.Server.Rows("annotations"), r => r.Value["_createdby_value"]?.ToString() == local.Server.CallerId.ToString("D"));
        Assert.Equal(5, (await ActivitiesAsync(s.Db)).Count);

        // Again, still throttled: nothing new either way.
        await ForgetSentAsync(s.Db);
        Assert.Equal(0, (await WriteBack(s).SendPendingAsync(default)).Failed);
        Assert.Equal(0, (await Sync(s).RunAsync(new NullProgress(), default)).Activities.Added);
        Assert.Equal(3, local.Server.Rows("phonecalls").Count); // Outreach's call and the two Dynamics users logged
        Assert.Equal(2, local.Server.Rows("annotations").Count);
        Assert.Equal(5, (await ActivitiesAsync(s.Db)).Count);
    }
}
