using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Outreach.Core.Events;
using Outreach.Graph;
using Outreach.Graph.Testing;
using Outreach.Jobs.Scheduling;
using Outreach.Mail;

namespace Outreach.Web.Tests;

/// <summary>The composition root: each adapter's settings bound once, so every reader sees the same values, and what is scheduled is listed.</summary>
public sealed class CompositionTests
{
    [Fact]
    public async Task EverySettingsObject_IsTheOneBoundCopy_AndEveryScheduledJobIsListed()
    {
        await using var server = await LocalGraphServer.StartAsync();
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(GraphCalendarHost.Settings(server, "secretariaat@convenant.example", calendar: true, mail: true));
        var services = app.Services;

        Assert.Same(services.GetRequiredService<IOptions<GraphOptions>>().Value, services.GetRequiredService<GraphOptions>());
        Assert.Same(services.GetRequiredService<IOptions<MailOptions>>().Value, services.GetRequiredService<MailOptions>());
        Assert.Same(services.GetRequiredService<IOptions<EventOptions>>().Value, services.GetRequiredService<EventOptions>());
        // The pickup folder's default is applied to that one copy (beside the data folder), not to a second one.
        Assert.Equal(Path.Combine(factory.DataFolder, "mail"), services.GetRequiredService<MailOptions>().PickupFolder);
        Assert.Equal(EventOptions.CalendarGraph, services.GetRequiredService<EventOptions>().Calendar);

        var jobs = services.GetRequiredService<IOptions<JobsOptions>>().Value;
        var listed = (await services.GetRequiredService<JobsService>().ListAsync(default)).Select(j => j.Definition.Key).ToHashSet();
        foreach (var (job, _) in JobCatalog.Schedules(jobs))
            Assert.Contains(job.Key, listed);
        Assert.Contains("mail-replies", listed);
        Assert.Contains("event-calendar", listed);
    }

    [Fact]
    public async Task ABadScheduleIsRefusedAtStart_NamingItsKey()
    {
        await using var factory = new OutreachAppFactory();
        await using var app = factory.WithWebHostBuilder(b => b.UseSetting("Jobs:PipelineHygieneCron", "every monday"));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(StartFailure.Flatten(error), e => e.Message.Contains("Jobs:PipelineHygieneCron", StringComparison.Ordinal));
    }
}
