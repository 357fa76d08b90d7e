using System.Diagnostics;
using System.Globalization;
using Outreach.Core.Events;
using Outreach.Core.Prospects;
using Outreach.Mail;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Benchmarks;

/// <summary>
/// What "nothing lost" costs when inviting: N invitees invited through <see cref="EventService"/> (the change and its N
/// notices in one transaction, then each notice passed to the mail channel and marked done, the rest by the job's dispatcher)
/// against the same invitations stored without notices and passed to the same channel in a plain loop, as before the notice
/// outbox (a crash after the change lost them). Both end with N invitation mails, each with its iCalendar part, in the outbox.
/// </summary>
public static class EventBenchmark
{
    private sealed class Links : IEventLinks
    {
        public string RsvpUrl(long eventId, long invitationId, string answer) => $"https://outreach.example/r/{eventId}-{invitationId}?a={answer}";
        public string UnsubscribeUrl(long contactId) => $"https://outreach.example/u/{contactId}";
    }

    private sealed record Rig(SqlEventStore Events, SqlMailOutbox Mail, MailInvitationChannel Channel, EventService Service, EventNoticeDispatcher Dispatcher, NetworkEvent Event, List<long> Contacts);

    public static async Task<int> RunAsync(string[] args)
    {
        var invitees = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var engines = (args.Length > 1 ? args[1] : "sqlite,postgres").Split(',').Select(e => Enum.Parse<StorageEngine>(e, ignoreCase: true)).ToList();
        var repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        Console.WriteLine($"Event invitation benchmark: {invitees:N0} invitees, median of {repeats} runs, {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"engine",-9} {"notices s",10} {"plain loop s",13} {"ratio",7} {"ms/invitee",11} {"baseline ms",12}");
        foreach (var engine in engines)
        {
            var outbox = new List<double>();
            var plain = new List<double>();
            for (var i = 0; i < repeats; i++)
            {
                plain.Add(await PlainLoopAsync(await RigAsync(engine, invitees)));
                outbox.Add(await WithNoticesAsync(await RigAsync(engine, invitees)));
            }

            var o = Median(outbox);
            var p = Median(plain);
            Console.WriteLine($"{engine,-9} {o,10:F2} {p,13:F2} {o / p,7:F2} {o * 1000 / invitees,11:F2} {p * 1000 / invitees,12:F2}");
        }

        return 0;
    }

    private static async Task<double> WithNoticesAsync(Rig rig)
    {
        var watch = Stopwatch.StartNew();
        var result = await rig.Service.InviteAsync(rig.Event.Id, new InviteSelection { ContactIds = rig.Contacts }, default);
        // What the person's ten seconds did not pass on, the job does.
        while ((await rig.Dispatcher.DispatchAsync(null, "job", TimeSpan.FromMinutes(10), default)).Claimed > 0) { }
        watch.Stop();
        await CheckAsync(rig, result.Invited);
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> PlainLoopAsync(Rig rig)
    {
        var watch = Stopwatch.StartNew();
        var candidates = await rig.Events.ListInviteCandidatesAsync(new InviteSelection { ContactIds = rig.Contacts }, default);
        // Real time throughout this file: a benchmark measures real durations, on the system clock as in production.
        var now = TimeProvider.System.GetUtcNow();
        var decision = EventRules.Invite(rig.Event, [], candidates, now);
        var (stored, added) = await rig.Events.ApplyAsync(new EventChange(rig.Event, rig.Event.Version, EventRules.NewInvitations(rig.Event, decision, now), "invited", now), default);
        foreach (var invitation in added) await rig.Channel.SendAsync(stored, invitation, EventMailKind.Invitation, default);
        watch.Stop();
        await CheckAsync(rig, added.Count);
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task CheckAsync(Rig rig, int invited)
    {
        var mails = (await rig.Mail.ListAsync(null, rig.Contacts.Count + 10, default)).Count(m => m.Mail.Purpose == EventMailTemplates.Invitation && m.Mail.Calendar is not null);
        if (invited != rig.Contacts.Count || mails != rig.Contacts.Count)
            throw new InvalidOperationException($"Expected {rig.Contacts.Count} invitations and mails, got {invited} and {mails}.");
    }

    private static async Task<Rig> RigAsync(StorageEngine engine, int invitees)
    {
        var db = await TestDatabases.MigratedAsync(engine);
        var clock = TimeProvider.System;
        var prospects = new SqlProspectStore(db, clock);
        var covenant = await prospects.AddCovenantAsync("gold", "Responsible Gold", new DateOnly(2017, 6, 1), new DateOnly(2030, 6, 1), default);
        var contacts = new List<long>();
        for (var o = 0; o * 10 < invitees; o++)
        {
            var organisation = await prospects.AddOrganisationAsync(Validation.Clean(new OrganisationDraft { Name = $"Goud {o}", Sector = "jewellery", Owner = "Anne", Country = "NL" }), default);
            for (var k = 0; k < 10 && contacts.Count < invitees; k++)
                contacts.Add((await prospects.AddContactAsync(organisation.Id, new ContactDraft { Name = $"Gast {o}-{k}", Email = $"gast{o}-{k}@goud{o}.example" }, default)).Id);
        }

        var events = new SqlEventStore(db);
        var mail = new SqlMailOutbox(db);
        var options = new EventOptions();
        var channel = new MailInvitationChannel(prospects, mail, new HandlebarsTemplateRenderer(), new Links(), options, clock);
        var dispatcher = new EventNoticeDispatcher(events, new SqlEventNoticeOutbox(db), channel, clock, Outreach.Core.Mail.DispatchPolicy.EventNotices, Microsoft.Extensions.Logging.Abstractions.NullLogger<EventNoticeDispatcher>.Instance);
        var service = new EventService(events, channel, dispatcher, options, clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<EventService>.Instance);
        var start = clock.GetUtcNow().UtcDateTime.Date.AddDays(60).AddHours(14);
        var created = await service.CreateAsync(new NetworkEventDraft
        {
            Title = "Netwerkbijeenkomst", CovenantId = covenant.Id, Format = EventFormat.Physical, Venue = "Utrecht", Capacity = invitees,
            StartLocal = start, EndLocal = start.AddHours(3), RegistrationDeadlineLocal = start.AddDays(-5),
        }, default);
        return new Rig(events, mail, channel, service, dispatcher, created.Event ?? throw new InvalidOperationException("Event refused."), contacts);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
