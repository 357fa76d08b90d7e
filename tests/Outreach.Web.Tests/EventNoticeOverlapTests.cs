using System.Collections.Concurrent;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Jobs.Events;
using Outreach.Storage;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>
/// The event-notices job run twice at once by the same node (two workers of one scheduler): each notice reaches the channel
/// once, and one event's notices are passed on by one run at a time (calendar updates of one event must not race).
/// </summary>
public sealed class EventNoticeOverlapTests
{
    [Theory]
    [MemberData(nameof(TwoNodes.Engines), MemberType = typeof(TwoNodes))]
    public async Task TwoOverlappingRuns_PassEachNoticeOnOnce_OneRunPerEventAtATime(StorageEngine engine)
    {
        var channel = new CountingChannel();
        await using var nodes = TwoNodes.Start(engine, b =>
        {
            b.UseSetting("Jobs:NodeName", "one-node");
            b.ConfigureTestServices(s =>
            {
                s.RemoveAll<IEventInvitationChannel>();
                s.AddSingleton<IEventInvitationChannel>(channel);
            });
        });
        var prospects = nodes.A.Services.GetRequiredService<IProspectStore>();
        var pipeline = nodes.A.Services.GetRequiredService<IPipelineStore>();
        var service = nodes.A.Services.GetRequiredService<EventService>();
        // More than one claim's worth (the dispatch policy claims 50 at a time), so a second run could take the rest of the same event.
        var (covenant, _, invitees) = await new CovenantProspect.Builder(prospects, pipeline)
        {
            Contacts = [.. Enumerable.Range(0, 60).Select(i => new ContactDraft { Name = $"Invitee {i}", Email = $"invitee{i}@jansen-metaal.example" })],
        }.BuildAsync(nodes.A.Clock.GetUtcNow());
        var contacts = invitees.Select(c => c.Id).ToList();

        for (var round = 0; round < TwoNodes.Rounds; round++)
        {
            var e = (await service.CreateAsync(new NetworkEventDraft
            {
                Title = $"Netwerkdag {round}", CovenantId = covenant.Id, Format = EventFormat.Physical, Venue = "Utrecht", Capacity = 100,
                StartLocal = new DateTime(2026, 12, 10, 14, 0, 0).AddDays(round), EndLocal = new DateTime(2026, 12, 10, 17, 0, 0).AddDays(round),
                RegistrationDeadlineLocal = new DateTime(2026, 12, 9, 12, 0, 0).AddDays(round),
            }, default)).Event!;
            // The service asks to wait while inviting: every invitation stays queued for the job.
            channel.Busy = true;
            Assert.Equal(contacts.Count, (await service.InviteAsync(e.Id, new InviteSelection { ContactIds = contacts }, default)).Invited);
            channel.Busy = false;
            nodes.Advance(TimeSpan.FromMinutes(2));

            await nodes.RunBothAsync<EventNoticeJob>();

            var delivered = channel.Delivered.Where(d => d.Key.EventId == e.Id).ToList();
            Assert.Equal(contacts.Count, delivered.Count);
            Assert.All(delivered, d => Assert.Equal(1, d.Value));
            Assert.Equal(1, channel.MostAtOnce(e.Id));
            Assert.Equal(0, (await nodes.B.Services.GetRequiredService<IEventNoticeOutbox>().CountAsync(e.Id, default)).Waiting);
        }
    }

    /// <summary>The channel as the notices see it: counts each delivery and how many of one event were under way at once.</summary>
    private sealed class CountingChannel : IEventInvitationChannel
    {
        private readonly ConcurrentDictionary<long, int> inFlight = new();
        private readonly ConcurrentDictionary<long, int> mostAtOnce = new();

        public volatile bool Busy;

        public ConcurrentDictionary<(long EventId, long InvitationId, EventMailKind Kind), int> Delivered { get; } = new();

        public int MostAtOnce(long eventId) => mostAtOnce.GetValueOrDefault(eventId);

        public async Task SendAsync(NetworkEvent networkEvent, Invitation invitation, EventMailKind kind, CancellationToken ct)
        {
            if (Busy) throw new EventChannelException("Busy: try again in a minute.", retryAfter: TimeSpan.FromMinutes(1));
            var now = inFlight.AddOrUpdate(networkEvent.Id, 1, (_, n) => n + 1);
            mostAtOnce.AddOrUpdate(networkEvent.Id, now, (_, n) => Math.Max(n, now));
            try
            {
                // A calendar call takes a while: long enough for a second run to come in.
                await Task.Delay(3, ct);
                Delivered.AddOrUpdate((networkEvent.Id, invitation.Id, kind), 1, (_, n) => n + 1);
            }
            finally
            {
                inFlight.AddOrUpdate(networkEvent.Id, 0, (_, n) => n - 1);
            }
        }
    }
}
