using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Events;
using Outreach.Core.Prospects;
using Outreach.Dataverse.Testing;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Dataverse.Tests;

/// <summary>
/// Network events and invitations written back through the outbox to otr_networkevent and otr_invitation on the local
/// Dataverse server: the right values, one row per event and invitation whatever happens, the event before its invitations.
/// </summary>
public sealed class DataverseEventWriteBackTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);

    /// <summary>A fixed clock a day after the last step these tests date (<see cref="At"/> + 1 day), so no step lies in its future.</summary>
    private static FakeTimeProvider Clock => new(At.AddDays(2));
    private static readonly TimeSpan OfferWindow = TimeSpan.FromHours(48);
    private const string Events = "otr_networkevents";
    private const string Invitations = "otr_invitations";

    private static readonly Guid Host = LocalDataverse.Id(1, 1);
    private static readonly Guid Anna = LocalDataverse.Id(2, 1);
    private static readonly Guid Bram = LocalDataverse.Id(2, 2);
    private static readonly Guid Cas = LocalDataverse.Id(2, 3);

    private sealed class Setup(LocalDataverse local, Database db, DataverseClient client, SqlEventStore events, long covenantId, long hostOrganisationId, long localContactId)
    {
        public LocalDataverse Local { get; } = local;
        public Database Db { get; } = db;
        public DataverseClient Client { get; } = client;
        public SqlEventStore Events { get; } = events;
        public long CovenantId { get; } = covenantId;
        public long HostOrganisationId { get; } = hostOrganisationId;
        /// <summary>A contact of the host that lives in Outreach only (no Dataverse contact to link an invitation to).</summary>
        public long LocalContactId { get; } = localContactId;

        public async Task<long> ContactIdAsync(Guid dataverseId)
        {
            await using var c = await Db.OpenAsync(default);
            return await c.ExecuteScalarAsync<long>("SELECT id FROM contact WHERE dataverse_id = @id", new { id = dataverseId.ToString("D") });
        }

        public async Task<long> PendingAsync()
        {
            await using var c = await Db.OpenAsync(default);
            return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dataverse_outbox WHERE sent_at IS NULL");
        }
    }

    private static async Task<Setup> SetUpAsync(LocalDataverse local, StorageEngine engine, bool syncFirst = true)
    {
        local.SeedAccounts(3);
        JsonObject Contact(string name) => new()
        {
            ["fullname"] = name,
            ["emailaddress1"] = $"{name.Split(' ')[0].ToLowerInvariant()}@example.nl",
            ["jobtitle"] = "Director",
            ["_parentcustomerid_value"] = Host.ToString("D"),
        };
        local.Server.Upsert("contacts", Anna, Contact("Anna Bakker"));
        local.Server.Upsert("contacts", Bram, Contact("Bram Visser"));
        local.Server.Upsert("contacts", Cas, Contact("Cas de Wit"));
        var db = await TestDatabases.MigratedAsync(engine, Clock);
        var client = local.Client();
        var prospects = new SqlProspectStore(db, Clock);
        var covenant = await prospects.AddCovenantAsync("gold", "Gold", new DateOnly(2022, 1, 1), new DateOnly(2027, 12, 31), default);
        var setup = new Setup(local, db, client, new SqlEventStore(db), covenant.Id, 0, 0);
        return syncFirst ? await SyncAsync(setup) : setup;
    }

    private static async Task<Setup> SyncAsync(Setup s)
    {
        await new DataverseSync(s.Client, new SqlCrmSyncStore(s.Db), Clock, NullLogger<DataverseSync>.Instance).RunAsync(new NullProgress(), default);
        await using var c = await s.Db.OpenAsync(default);
        var host = await c.ExecuteScalarAsync<long>("SELECT id FROM organisation WHERE dataverse_id = @id", new { id = Host.ToString("D") });
        var local = await new SqlProspectStore(s.Db, Clock).AddContactAsync(host,
            new ContactDraft { Name = "Local Only", Email = "local.only@example.nl" }, default);
        return new Setup(s.Local, s.Db, s.Client, s.Events, s.CovenantId, host, local.Id);
    }

    private sealed class NullProgress : Core.Jobs.IJobProgress
    {
        public Task ReportAsync(long done, long? total, CancellationToken ct) => Task.CompletedTask;
    }

    private static DataverseWriteBack WriteBack(Setup s) =>
        new(s.Client, new SqlWriteBackOutbox(s.Db), Clock, NullLogger<DataverseWriteBack>.Instance, OutreachLinks.None);

    private static Task<NetworkEvent> NewEventAsync(Setup s, long? host, int capacity = 1) =>
        s.Events.AddEventAsync(EventRules.Create(new NetworkEventDraft
        {
            Title = "Netwerkbijeenkomst goud", CovenantId = s.CovenantId, HostOrganisationId = host, Format = EventFormat.Hybrid, Venue = "Fairphone, Amsterdam",
            OnlineJoinUrl = "https://teams.example/meet/1", StartLocal = new DateTime(2026, 12, 15, 14, 0, 0), EndLocal = new DateTime(2026, 12, 15, 17, 0, 0),
            Capacity = capacity, RegistrationDeadlineLocal = new DateTime(2026, 12, 10, 23, 59, 0),
        }, "evt-" + Guid.NewGuid().ToString("N") + "@outreach.test", At), default);

    private static async Task<NetworkEvent> InviteAsync(Setup s, NetworkEvent e, params long[] contacts)
    {
        var decision = EventRules.Invite(e, await s.Events.ListInvitationsAsync(e.Id, default), contacts.Select(id => new InviteCandidate(id, false, false)), At);
        return (await s.Events.ApplyAsync(new EventChange(e, e.Version, EventRules.NewInvitations(e, decision, At), "invited", At), default)).Event;
    }

    private static async Task<NetworkEvent> ChangeAsync(Setup s, NetworkEvent e, long contactId, Func<NetworkEvent, IReadOnlyList<Invitation>, long, EventDecision> decide, string action)
    {
        var all = await s.Events.ListInvitationsAsync(e.Id, default);
        var decision = decide(e, all, all.Single(i => i.ContactId == contactId).Id);
        Assert.True(decision.IsAllowed);
        return (await s.Events.ApplyAsync(new EventChange(e, e.Version, decision.Changed, action, At.AddHours(1)), default)).Event;
    }

    private static Task<NetworkEvent> AnswerAsync(Setup s, NetworkEvent e, long contactId, InvitationResponse response) =>
        ChangeAsync(s, e, contactId, (ev, all, id) => EventRules.Respond(ev, all, id, response, OfferWindow, At.AddHours(1)), "answered");

    private static JsonObject InvitationOf(LocalDataverse local, Guid contact) =>
        local.Server.Rows(Invitations).Values.Single(r => (string?)r["otr_contactid@odata.bind"] == $"/contacts({contact:D})");

    [Theory]
    [InlineData(StorageEngine.Sqlite)]
    [InlineData(StorageEngine.Postgres)]
    public async Task EventAndInvitations_AppearInDataverse_WithTheirValues_InOneBatchRequest(StorageEngine engine)
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, engine);
        var e = await NewEventAsync(s, s.HostOrganisationId, capacity: 40);
        await InviteAsync(s, e, await s.ContactIdAsync(Anna), await s.ContactIdAsync(Bram), await s.ContactIdAsync(Cas), s.LocalContactId);
        local.Server.ClearRequests();

        var counts = await WriteBack(s).SendPendingAsync(default);

        // The event and the three invitations of Dataverse contacts; the Outreach-only contact's invitation has no row to go to.
        Assert.Equal(new WriteBackCounts(4, 0, 1), counts);
        Assert.Equal(["POST /api/data/v9.2/$batch"], local.Server.Requests.Select(r => $"{r.Method} {r.PathAndQuery}"));
        var (eventId, row) = Assert.Single(local.Server.Rows(Events));
        Assert.Equal("Netwerkbijeenkomst goud", (string)row["otr_name"]!);
        Assert.Equal("2026-12-15T13:00:00Z", (string)row["otr_startson"]!);
        Assert.Equal("2026-12-15T16:00:00Z", (string)row["otr_endson"]!);
        Assert.Equal("2026-12-10T22:59:00Z", (string)row["otr_registrationdeadline"]!);
        Assert.Equal(100_000_002, (int)row["otr_format"]!);
        Assert.Equal(100_000_000, (int)row["otr_status"]!);
        Assert.Equal("Fairphone, Amsterdam", (string)row["otr_venue"]!);
        Assert.Equal(40, (int)row["otr_capacity"]!);
        Assert.Equal("gold", (string)row["otr_covenant"]!);
        Assert.Equal($"/accounts({Host:D})", (string)row["otr_hostaccountid@odata.bind"]!);

        var invitations = local.Server.Rows(Invitations).Values.ToList();
        Assert.Equal(3, invitations.Count);
        Assert.All(invitations, i => Assert.Equal($"/otr_networkevents({eventId:D})", (string)i["otr_networkeventid@odata.bind"]!));
        Assert.Equal(new[] { Anna, Bram, Cas }.Select(c => $"/contacts({c:D})").Order(), invitations.Select(i => (string)i["otr_contactid@odata.bind"]!).Order());
        var anna = InvitationOf(local, Anna);
        Assert.Equal("Anna Bakker · Netwerkbijeenkomst goud", (string)anna["otr_name"]!);
        Assert.Equal(100_000_000, (int)anna["otr_response"]!);
        Assert.Equal(100_000_000, (int)anna["otr_place"]!);
        Assert.Null(anna["otr_respondedon"]);
        Assert.Null(anna["otr_waitlistposition"]);
        Assert.False((bool)anna["otr_attended"]!);
        Assert.Equal("2026-11-02T09:30:00Z", (string)anna["otr_invitedon"]!);

        // Marked: a second pass sends nothing.
        Assert.Equal(new WriteBackCounts(0, 0, 0), await WriteBack(s).SendPendingAsync(default));
    }

    [Fact]
    public async Task AnswersWaitlistAndCheckIn_UpdateTheExistingInvitationRows()
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, StorageEngine.Sqlite);
        var (anna, bram, cas) = (await s.ContactIdAsync(Anna), await s.ContactIdAsync(Bram), await s.ContactIdAsync(Cas));
        var e = await NewEventAsync(s, s.HostOrganisationId, capacity: 1);
        e = await InviteAsync(s, e, anna, bram, cas);
        await WriteBack(s).SendPendingAsync(default);
        var ids = local.Server.Rows(Invitations).Keys.Order().ToList();

        e = await AnswerAsync(s, e, anna, InvitationResponse.Accepted);
        e = await AnswerAsync(s, e, bram, InvitationResponse.Accepted);
        e = await AnswerAsync(s, e, cas, InvitationResponse.Accepted);
        e = await ChangeAsync(s, e, anna, (ev, all, id) => EventRules.CheckIn(ev, all, id, true, At.AddHours(2)), "checked-in");
        await WriteBack(s).SendPendingAsync(default);

        Assert.Equal(ids, local.Server.Rows(Invitations).Keys.Order());
        var a = InvitationOf(local, Anna);
        Assert.Equal((100_000_001, 100_000_001), ((int)a["otr_response"]!, (int)a["otr_place"]!));
        Assert.Equal("2026-11-02T10:30:00Z", (string)a["otr_respondedon"]!);
        Assert.Equal("2026-11-02T11:30:00Z", (string)a["otr_checkedinon"]!);
        Assert.True((bool)a["otr_attended"]!);
        Assert.False((bool)a["otr_attendedonline"]!);
        Assert.Equal((100_000_002, 1), ((int)InvitationOf(local, Bram)["otr_place"]!, (int)InvitationOf(local, Bram)["otr_waitlistposition"]!));
        Assert.Equal(2, (int)InvitationOf(local, Cas)["otr_waitlistposition"]!);

        // Bram leaves the waitlist: Cas's own invitation did not change, but her position did, and Dynamics shows it.
        e = await AnswerAsync(s, e, bram, InvitationResponse.Declined);
        await WriteBack(s).SendPendingAsync(default);

        Assert.Equal((100_000_003, 100_000_000), ((int)InvitationOf(local, Bram)["otr_response"]!, (int)InvitationOf(local, Bram)["otr_place"]!));
        Assert.Null(InvitationOf(local, Bram)["otr_waitlistposition"]);
        Assert.Equal(1, (int)InvitationOf(local, Cas)["otr_waitlistposition"]!);

        // Attending online (recorded by the online channel) counts as attended too.
        var casInvitation = (await s.Events.ListInvitationsAsync(e.Id, default)).Single(i => i.ContactId == cas);
        await s.Events.ApplyAsync(new EventChange(e, e.Version, [casInvitation with { AttendedOnline = true }], "attended-online", At.AddHours(3)), default);
        await WriteBack(s).SendPendingAsync(default);
        Assert.Equal((true, true), ((bool)InvitationOf(local, Cas)["otr_attendedonline"]!, (bool)InvitationOf(local, Cas)["otr_attended"]!));
        Assert.Null(InvitationOf(local, Cas)["otr_checkedinon"]);
        Assert.Equal(ids, local.Server.Rows(Invitations).Keys.Order());
        Assert.Single(local.Server.Rows(Events));
        Assert.Equal(0, await s.PendingAsync());
    }

    [Fact]
    public async Task ResendAfterACrashBeforeMarking_CreatesNoSecondEventOrInvitation()
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, StorageEngine.Sqlite);
        var e = await NewEventAsync(s, s.HostOrganisationId);
        e = await InviteAsync(s, e, await s.ContactIdAsync(Anna), await s.ContactIdAsync(Bram));
        await AnswerAsync(s, e, await s.ContactIdAsync(Anna), InvitationResponse.Tentative);
        var first = await WriteBack(s).SendPendingAsync(default);
        var events = local.Server.Rows(Events);
        var invitations = local.Server.Rows(Invitations);

        // The crash: sent, but the marks never reached the database.
        await using (var c = await s.Db.OpenAsync(default)) await c.ExecuteAsync("UPDATE dataverse_outbox SET sent_at = NULL, attempts = 0");
        var again = await WriteBack(s).SendPendingAsync(default);

        Assert.Equal(first.Sent, again.Sent);
        Assert.Equal(4, again.Sent);
        Assert.Equal(events.Keys, local.Server.Rows(Events).Keys);
        Assert.Equal(invitations.Keys.Order(), local.Server.Rows(Invitations).Keys.Order());
        Assert.Equal(100_000_002, (int)InvitationOf(local, Anna)["otr_response"]!);
    }

    [Fact]
    public async Task TooManyRequests_WithRetryAfter_LosesNothing()
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, StorageEngine.Sqlite);
        var e = await NewEventAsync(s, s.HostOrganisationId);
        await InviteAsync(s, e, await s.ContactIdAsync(Anna), await s.ContactIdAsync(Bram), await s.ContactIdAsync(Cas));
        local.Server.ClearRequests();
        local.Server.Inject(new Fault(429, RetryAfterSeconds: 1));

        var counts = await WriteBack(s).SendPendingAsync(default);

        Assert.Equal(new WriteBackCounts(4, 0, 1), counts);
        Assert.Equal([429, 200], local.Server.Requests.Select(r => r.Status));
        Assert.Single(local.Server.Rows(Events));
        Assert.Equal(3, local.Server.Rows(Invitations).Count);
        Assert.Equal(0, await s.PendingAsync());
    }

    [Fact]
    public async Task AnErasedContactsInvitation_KeepsNoPersonalDataInDataverse()
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, StorageEngine.Sqlite);
        var anna = await s.ContactIdAsync(Anna);
        var e = await NewEventAsync(s, s.HostOrganisationId);
        e = await InviteAsync(s, e, anna, await s.ContactIdAsync(Bram));
        await AnswerAsync(s, e, anna, InvitationResponse.Accepted);
        await WriteBack(s).SendPendingAsync(default);
        var id = local.Server.Rows(Invitations).Single(r => (string?)r.Value["otr_contactid@odata.bind"] == $"/contacts({Anna:D})").Key;

        await SqlServices.Privacy(s.Db, Clock).EraseAsync(anna, At.AddDays(1), default);
        Assert.Equal(1, await s.PendingAsync());
        await WriteBack(s).SendPendingAsync(default);

        var row = local.Server.Rows(Invitations)[id];
        Assert.Equal("Erased contact · Netwerkbijeenkomst goud", (string)row["otr_name"]!);
        // Unlinked from the person's Dynamics contact; what they did stays as numbers for the event.
        Assert.True(row.ContainsKey("otr_contactid@odata.bind"));
        Assert.Null(row["otr_contactid@odata.bind"]);
        Assert.Equal(100_000_001, (int)row["otr_response"]!);
        var text = row.ToJsonString();
        Assert.DoesNotContain("Anna", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Bakker", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Anna.ToString("D"), text, StringComparison.OrdinalIgnoreCase);
        // The other invitation is untouched.
        Assert.Equal("Bram Visser · Netwerkbijeenkomst goud", (string)InvitationOf(local, Bram)["otr_name"]!);
    }

    [Fact]
    public async Task AnEventWithNoRowOfItsOwn_IsWrittenInItsFirstInvitationsChangeSet()
    {
        await using var local = await LocalDataverse.StartAsync();
        // The event is made before the first sync (the embedded mode): no outbox row for it.
        var s = await SetUpAsync(local, StorageEngine.Sqlite, syncFirst: false);
        var e = await NewEventAsync(s, host: null);
        Assert.Equal(0, await s.PendingAsync());
        s = await SyncAsync(s);
        e = await InviteAsync(s, e, await s.ContactIdAsync(Anna), await s.ContactIdAsync(Bram));

        var counts = await WriteBack(s).SendPendingAsync(default);

        // Only the invitations were queued; the first carried the event, which the second could then point at.
        Assert.Equal(new WriteBackCounts(2, 0, 1), counts);
        var (eventId, row) = Assert.Single(local.Server.Rows(Events));
        Assert.Null(row["otr_hostaccountid@odata.bind"]);
        Assert.All(local.Server.Rows(Invitations).Values, i => Assert.Equal($"/otr_networkevents({eventId:D})", (string)i["otr_networkeventid@odata.bind"]!));
    }

    [Fact]
    public async Task RescheduleAndCancel_UpdateTheOneEventRow()
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, StorageEngine.Sqlite);
        var e = await NewEventAsync(s, s.HostOrganisationId);
        await WriteBack(s).SendPendingAsync(default);
        var id = Assert.Single(local.Server.Rows(Events)).Key;

        var (edited, decision) = EventRules.Edit(e, EventRules.ToDraft(e) with { StartLocal = new DateTime(2026, 12, 16, 14, 0, 0), EndLocal = new DateTime(2026, 12, 16, 17, 0, 0) },
            [], OfferWindow, At);
        e = (await s.Events.ApplyAsync(new EventChange(edited, e.Version, decision.Changed, "edited", At), default)).Event;
        var (cancelled, cancel) = EventRules.Cancel(e, [], At);
        await s.Events.ApplyAsync(new EventChange(cancelled, e.Version, cancel.Changed, "cancelled", At), default);
        var counts = await WriteBack(s).SendPendingAsync(default);

        // Two rows, one upsert: both are settled by the current state.
        Assert.Equal(2, counts.Sent);
        var row = Assert.Single(local.Server.Rows(Events));
        Assert.Equal(id, row.Key);
        Assert.Equal("2026-12-16T13:00:00Z", (string)row.Value["otr_startson"]!);
        Assert.Equal(100_000_001, (int)row.Value["otr_status"]!);
    }

    [Fact]
    public async Task TheLocalServer_RefusesALookupToARowThatDoesNotExist()
    {
        // Guards the fake: without this, the ordering tests above could not fail.
        await using var local = await LocalDataverse.StartAsync();
        var client = local.Client();
        var results = await client.BatchAsync([[new BatchOperation(HttpMethod.Patch, $"{Invitations}({Guid.NewGuid():D})", new JsonObject
        {
            ["otr_name"] = "x",
            ["otr_networkeventid@odata.bind"] = $"/{Events}({Guid.NewGuid():D})",
        })]], default);

        Assert.False(results[0].Succeeded);
        Assert.Equal("0x80040217", results[0].Error!.Code);
        Assert.Empty(local.Server.Rows(Invitations));
    }

    [Fact]
    public async Task AnInvitation_CarriesTheInvitedPersonsAccount_SoTheAccountFormListsIt()
    {
        await using var local = await LocalDataverse.StartAsync();
        var s = await SetUpAsync(local, StorageEngine.Sqlite);
        var e = await NewEventAsync(s, null, capacity: 40);
        await InviteAsync(s, e, await s.ContactIdAsync(Anna), await s.ContactIdAsync(Bram));

        var counts = await WriteBack(s).SendPendingAsync(default);

        Assert.Equal(0, counts.Failed);
        // Both work at the host account; the lookup is bound by the relationship's navigation property.
        Assert.Equal($"/accounts({Host:D})", (string)InvitationOf(local, Anna)[DataverseSchema.InvitationTable.AccountBind]!);
        Assert.Equal($"/accounts({Host:D})", (string)InvitationOf(local, Bram)[DataverseSchema.InvitationTable.AccountBind]!);
    }

    [Theory]
    [InlineData("otr_NetworkEventId@odata.bind", "/otr_networkevents", "An undeclared property 'otr_NetworkEventId' which only has property annotations")]
    [InlineData("otr_networkevent@odata.bind", "/otr_networkevents", "An undeclared property 'otr_networkevent' which only has property annotations")]
    [InlineData("otr_contactid@odata.bind", "/otr_networkevents", "The navigation property 'otr_contactid' refers to 'contacts'")]
    [InlineData("otr_Name", null, "The property 'otr_Name' does not exist on type 'Microsoft.Dynamics.CRM.otr_invitation'")]
    public async Task TheLocalServer_RefusesNamesTheSolutionDoesNotExposeExactly_WithDataversesError(string name, string? boundSet, string message)
    {
        // Guards the fake: navigation properties and columns are case-sensitive in the Web API, so a write with another
        // spelling than the solution's is refused (400, 0x80060888) before anything is stored.
        await using var local = await LocalDataverse.StartAsync();
        var target = Guid.NewGuid();
        local.Server.Upsert(Events, target, new JsonObject { ["otr_name"] = "Netwerkdag" });
        var client = local.Client();
        var body = new JsonObject { ["otr_name"] = "x", [name] = boundSet is null ? "x" : $"{boundSet}({target:D})" };

        var results = await client.BatchAsync([[new BatchOperation(HttpMethod.Patch, $"{Invitations}({Guid.NewGuid():D})", body)]], default);
        var single = await Assert.ThrowsAsync<DataverseException>(() => client.UpsertAsync(Invitations, Guid.NewGuid(), (JsonObject)body.DeepClone(), default));

        Assert.False(results[0].Succeeded);
        Assert.Equal("0x80060888", results[0].Error!.Code);
        Assert.StartsWith(message, results[0].Error!.ServiceMessage, StringComparison.Ordinal);
        Assert.Equal((System.Net.HttpStatusCode.BadRequest, "0x80060888"), (single.StatusCode, single.Code));
        Assert.Empty(local.Server.Rows(Invitations));
    }

    [Fact]
    public async Task TheLocalServer_RefusesASelectOfAColumnTheSolutionDoesNotExpose()
    {
        await using var local = await LocalDataverse.StartAsync();
        var client = local.Client();
        var error = await Assert.ThrowsAsync<DataverseException>(() => client.GetPageAsync(client.ChangesQuery("accounts", ["accountid", "otr_PipelineStage"]).AbsoluteUri, trackChanges: true, default));
        Assert.Equal((System.Net.HttpStatusCode.BadRequest, "Could not find a property named 'otr_PipelineStage' on type 'Microsoft.Dynamics.CRM.account'."), (error.StatusCode, error.ServiceMessage));
        await Assert.ThrowsAsync<DataverseException>(() => client.CountAsync("otr_stagechange", default));
    }
}
