using Outreach.Core.Activities;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Tests.Fakes;
using Outreach.Testing;

namespace Outreach.Core.Tests.Activities;

/// <summary>Logging, editing and correcting activities, with the follow-up as the next action.</summary>
public sealed class ActivityServiceTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 2, 8, 30, 0, TimeSpan.Zero));
    private readonly InMemoryProspectStore prospects = new();
    private readonly InMemoryPipelineStore pipeline;
    private readonly InMemoryActivityStore activities;
    private readonly InMemoryWriteBackOutbox writeBack = new() { DataverseInUse = true };
    private readonly ActivityService service;
    private readonly PipelineEntry entry;
    private readonly Contact eva;

    public ActivityServiceTests()
    {
        pipeline = new InMemoryPipelineStore(prospects);
        activities = new InMemoryActivityStore(prospects);
        var unit = new InMemoryUnitOfWork(pipeline, activities, writeBack);
        var sequences = new InMemorySequenceStore();
        var moves = new PipelineService(pipeline, prospects, sequences, new Core.Sequences.EnrolmentStops(sequences, new InMemoryMailOutbox(), unit), writeBack, new InMemoryOnboardingStore(), unit, clock);
        service = new ActivityService(unit, activities, pipeline, moves, writeBack, prospects, clock);
        entry = pipeline.AddProspectAsync(new OrganisationDraft { Name = "Goud BV", Owner = "Anne", Sector = "gold", Country = "NL" }, 1, Stage.Contacted, clock.GetUtcNow(), "anne", "Met", default).Result;
        eva = prospects.AddContactAsync(entry.OrganisationId, new ContactDraft { Name = "Eva Jansen", Email = "eva@goud.example" }, default).Result;
    }

    private static ActivityDraft Call(params long[] contacts) => new()
    {
        Kind = ActivityKind.Call, Direction = CallDirection.Outgoing, Outcome = CallOutcome.Reached, DurationMinutes = 12, Text = "Interested; wants the brochure", ContactIds = contacts,
        Location = "ignored for a call",
    };

    [Fact]
    public async Task Log_ACallWithAFollowUp_StoresIt_AndMakesTheFollowUpTheNextAction()
    {
        writeBack.MirroredEntries.Add(entry.Id);
        var outcome = await service.LogAsync(entry.Id, Call(eva.Id) with { FollowUp = "Send the brochure", FollowUpDue = new DateOnly(2026, 3, 4) }, "Anne", default);

        Assert.True(outcome.Succeeded);
        // The follow-up is a next action like any other: Dynamics gets it.
        Assert.StartsWith($"next-action:{entry.Id}:", Assert.Single(writeBack.Keys), StringComparison.Ordinal);
        var call = outcome.Activity!;
        Assert.Equal((ActivityKind.Call, CallDirection.Outgoing, CallOutcome.Reached, 12, "Anne"), (call.Kind, call.Direction!.Value, call.Outcome!.Value, call.DurationMinutes!.Value, call.Author));
        Assert.Null(call.Location);
        Assert.Equal([new ActivityContact(eva.Id, "Eva Jansen")], call.Contacts);
        var after = await pipeline.GetEntryAsync(entry.Id, default);
        Assert.Equal(("Send the brochure", new DateOnly(2026, 3, 4)), (after!.NextAction, after.NextActionDue));
    }

    [Fact]
    public async Task Log_RefusesACallWithoutOutcome_ANoteWithoutText_AndContactsOfAnotherOrganisation()
    {
        var other = await prospects.AddContactAsync(entry.OrganisationId + 100, new ContactDraft { Name = "Piet", Email = "piet@x.example" }, default);
        var noOutcome = await service.LogAsync(entry.Id, Call() with { Outcome = null }, "Anne", default);
        var emptyNote = await service.LogAsync(entry.Id, new ActivityDraft { Kind = ActivityKind.Note, Text = "  " }, "Anne", default);
        var stranger = await service.LogAsync(entry.Id, Call(other.Id), "Anne", default);
        var dueWithoutWhat = await service.LogAsync(entry.Id, Call() with { FollowUpDue = new DateOnly(2026, 3, 9) }, "Anne", default);
        var farAhead = await service.LogAsync(entry.Id, Call() with { OccurredAt = clock.GetUtcNow().AddDays(3) }, "Anne", default);

        Assert.Equal(["Outcome"], noOutcome.Errors.Select(e => e.Field));
        Assert.Equal(["Text"], emptyNote.Errors.Select(e => e.Field));
        Assert.Equal(["ContactIds"], stranger.Errors.Select(e => e.Field));
        Assert.Equal(["FollowUp"], dueWithoutWhat.Errors.Select(e => e.Field));
        Assert.Equal(["OccurredAt"], farAhead.Errors.Select(e => e.Field));
        Assert.Empty(activities.All);
        Assert.Null((await pipeline.GetEntryAsync(entry.Id, default))!.NextAction);
        Assert.True((await service.LogAsync(entry.Id + 99, Call(), "Anne", default)).NotFound);
    }

    [Fact]
    public async Task AnActivityOnAMirroredAccount_GoesToDynamics_WhenLoggedAndWhenAnEditChangesIt_NotWhenASaveChangesNothing()
    {
        // The fake hands out activity ids in order, from 1.
        writeBack.MirroredActivities.Add(1);
        var call = (await service.LogAsync(entry.Id, Call(eva.Id), "Anne", default)).Activity!;
        Assert.Equal(1, call.Id);
        Assert.Equal(["activity:1:0"], writeBack.Keys);

        await service.EditAsync(entry.Id, call.Id, Call(eva.Id), "Anne", default);
        Assert.Single(writeBack.Keys);
        await service.EditAsync(entry.Id, call.Id, Call(eva.Id) with { Text = "Very interested" }, "Anne", default);
        Assert.Equal(["activity:1:0", "activity:1:1"], writeBack.Keys);
        // An activity on an account Dynamics does not have goes nowhere.
        await service.LogAsync(entry.Id, Call(), "Anne", default);
        Assert.Equal(2, writeBack.Keys.Count);
    }

    [Fact]
    public async Task Edit_ByTheAuthorWithinADay_ChangesInPlace_OthersAndLaterMustAddACorrection()
    {
        var call = (await service.LogAsync(entry.Id, Call(), "Anne", default)).Activity!;

        var byOther = await service.EditAsync(entry.Id, call.Id, Call() with { Text = "Not interested" }, "Bram", default);
        Assert.NotNull(byOther.Refusal);
        clock.Advance(TimeSpan.FromHours(23));
        var edited = await service.EditAsync(entry.Id, call.Id, Call() with { Text = "Very interested" }, "Anne", default);
        Assert.True(edited.Succeeded);
        Assert.Equal("Very interested", (await activities.GetAsync(call.Id, default))!.Text);

        clock.Advance(TimeSpan.FromHours(2));
        var late = await service.EditAsync(entry.Id, call.Id, Call() with { Text = "Changed my mind" }, "Anne", default);
        Assert.NotNull(late.Refusal);
        Assert.Equal("Very interested", (await activities.GetAsync(call.Id, default))!.Text);

        var correction = await service.CorrectAsync(entry.Id, call.Id, new ActivityDraft { Kind = ActivityKind.Note, Direction = CallDirection.Incoming, Outcome = CallOutcome.NoAnswer, Text = "They called us, not the other way round" }, "Bram", default);
        Assert.True(correction.Succeeded);
        Assert.Equal((call.Id, ActivityKind.Call, "Bram"), (correction.Activity!.CorrectsId!.Value, correction.Activity.Kind, correction.Activity.Author));
        Assert.Equal(2, activities.All.Count);
    }

    [Fact]
    public void CanEdit_NeverForWhatDynamicsBroughtIn()
    {
        var now = clock.GetUtcNow();
        var fromDynamics = new Activity { Author = "Anne", CreatedAt = now, Origin = ActivityOrigin.Dynamics };
        Assert.False(ActivityRules.CanEdit(fromDynamics, "Anne", now));
        Assert.True(ActivityRules.CanEdit(fromDynamics with { Origin = ActivityOrigin.Outreach }, "Anne", now));
        Assert.False(ActivityRules.CanEdit(fromDynamics with { Origin = ActivityOrigin.Outreach }, "anne", now));
    }
}
