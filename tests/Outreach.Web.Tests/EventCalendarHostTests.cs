using Microsoft.Extensions.DependencyInjection;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Graph.Testing;
using Outreach.Testing;

namespace Outreach.Web.Tests;

/// <summary>Events:Calendar through the real host: Mail by default, Graph with the local Graph server (channel and job), a bad value or a missing Graph section refused at start.</summary>
public sealed class EventCalendarHostTests
{
    [Fact]
    public async Task GraphCalendar_WithTheLocalServer_InvitesIntoOneCalendarEvent_AndSchedulesTheCalendarJob()
    {
        await using var server = await LocalGraphServer.StartAsync();
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithGraphCalendar(server);
        app.CreateClient();
        Assert.IsType<Outreach.Graph.GraphCalendarChannel>(app.Services.GetRequiredService<IEventInvitationChannel>());
        using (var scope = app.Services.CreateScope())
            Assert.NotNull(scope.ServiceProvider.GetService<Outreach.Jobs.Events.EventCalendarJob>());
        // Mail stays the pickup folder: only the calendar goes through Graph.
        Assert.IsNotType<Outreach.Graph.GraphMailDelivery>(app.Services.GetRequiredService<Outreach.Core.Mail.IMailDelivery>());

        var prospects = app.Services.GetRequiredService<IProspectStore>();
        var pipeline = app.Services.GetRequiredService<IPipelineStore>();
        var world = await new CovenantProspect.Builder(prospects, pipeline) { Contacts = [CovenantProspect.EvaJansen] }.BuildAsync(factory.Clock.GetUtcNow());
        var (covenant, eva) = (world.Covenant, world.Eva);
        var service = app.Services.GetRequiredService<EventService>();
        var e = (await service.CreateAsync(new NetworkEventDraft
        {
            Title = "Online sessie", CovenantId = covenant.Id, Format = EventFormat.Online, Capacity = 20,
            StartLocal = new DateTime(2026, 12, 10, 14, 0, 0), EndLocal = new DateTime(2026, 12, 10, 15, 0, 0), RegistrationDeadlineLocal = new DateTime(2026, 12, 9, 12, 0, 0),
        }, default)).Event!;
        Assert.Equal(1, (await service.InviteAsync(e.Id, new InviteSelection { ContactIds = [eva.Id] }, default)).Invited);

        var calendar = Assert.Single(server.Events("secretariaat@convenant.example"));
        Assert.Equal("eva@jansen-metaal.example", calendar["attendees"]![0]!["emailAddress"]!["address"]!.GetValue<string>());
        var link = await app.Services.GetRequiredService<IEventCalendarLinks>().GetAsync(e.Id, default);
        Assert.Equal(calendar["onlineMeeting"]!["joinUrl"]!.GetValue<string>(), link!.JoinUrl);

        // The event page shows the Teams link Microsoft 365 made.
        var page = await app.CreateClient().GetStringAsync($"/events/{e.Id}");
        Assert.Contains(link.JoinUrl!, page, StringComparison.Ordinal);

        // Eva accepts; after the event the no-show/thanks mail waits for the Teams attendance report, then thanks her.
        var invitation = Assert.Single(await app.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(e.Id, default));
        Assert.True((await service.RespondAsync(e.Id, invitation.Id, InvitationResponse.Accepted, default)).Succeeded);
        factory.Clock.Advance(e.EndsAt - factory.Clock.GetUtcNow() + TimeSpan.FromMinutes(20));
        var outbox = app.Services.GetRequiredService<Outreach.Core.Mail.IMailOutbox>();
        await RunAsync<Outreach.Jobs.Events.EventMailJob>(app.Services);
        Assert.Empty(await outbox.ListAsync(null, 10, default));

        server.AddAttendanceReport("secretariaat@convenant.example", link.JoinUrl!, e.StartsAt, e.EndsAt, new AttendanceLine("eva@jansen-metaal.example", 3000));
        await RunAsync<Outreach.Jobs.Events.EventCalendarJob>(app.Services);
        Assert.True(Assert.Single(await app.Services.GetRequiredService<IEventStore>().ListInvitationsAsync(e.Id, default)).AttendedOnline);
        await RunAsync<Outreach.Jobs.Events.EventMailJob>(app.Services);
        var thanks = Assert.Single(await outbox.ListAsync(null, 10, default));
        Assert.Equal(EventMailTemplates.Key(EventMailKind.Thanks), thanks.Mail.Purpose);
        Assert.Null(thanks.Mail.Calendar);
    }

    [Fact]
    public async Task MailCalendar_IsTheDefault_WithoutTheCalendarJob()
    {
        await using var factory = new OutreachAppFactory();
        factory.CreateClient();
        Assert.IsType<MailInvitationChannel>(factory.Services.GetRequiredService<IEventInvitationChannel>());
        using var scope = factory.Services.CreateScope();
        Assert.Null(scope.ServiceProvider.GetService<Outreach.Jobs.Events.EventCalendarJob>());
        Assert.Null(factory.Services.GetService<IEventCalendarLinks>());
    }

    [Theory]
    [InlineData("Outlook", "Events:Calendar 'Outlook' is not known")]
    [InlineData("Graph", "Graph configuration refused (Events:Calendar is Graph)")]
    public async Task ABadCalendarSetting_IsRefusedAtStart_NamingTheKey(string value, string expected)
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b => b.UseSetting("Events:Calendar", value));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var messages = string.Join(" | ", StartFailure.Flatten(error).Select(x => x.Message));
        Assert.Contains(expected, messages, StringComparison.Ordinal);
        if (value == "Graph") Assert.Contains("Graph:Mailbox", messages, StringComparison.Ordinal);
    }

    private sealed class NoProgress : Outreach.Core.Jobs.IJobProgress
    {
        public Task ReportAsync(long done, long? total, CancellationToken ct) => Task.CompletedTask;
    }

    private static async Task RunAsync<TJob>(IServiceProvider services) where TJob : Outreach.Core.Jobs.IOutreachJob
    {
        using var scope = services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<TJob>().RunAsync(new Outreach.Core.Jobs.JobContext(true, new NoProgress()), default);
    }
}
