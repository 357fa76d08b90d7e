using Outreach.Core.Audit;
using Outreach.Core.Calendar;
using Outreach.Core.Mail;
using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;
using Outreach.Mail;

namespace Outreach.Storage.Tests;

/// <summary>Milestone reminders through the outbox on every engine: who gets them, in which language, inside the send window, and none once the milestone is done.</summary>
public abstract partial class StoreContract
{
    private async Task<(OnboardingReminderRunner Runner, SqlOnboardingReminderStore Store, SqlOnboardingStore Milestones, SqlMailOutbox Outbox, long PolicyId, long ProspectId, Contact Eva, Contact Adam)> RemindersAsync()
    {
        var covenant = await OnboardingCovenantAsync();
        var milestones = new SqlOnboardingStore(Db);
        await milestones.SavePlanAsync(covenant.Id, 0, OnboardingPlan(), 0, Clock.GetUtcNow(), "anne", default);
        // Signed on 2026-03-02: the policy is due on 2027-03-02.
        var entry = await SignAsync(covenant, "Goudhandel Zuid");
        var eva = await Prospects.AddContactAsync(entry.OrganisationId, Validation.Clean(new ContactDraft { Name = "Eva Jansen", Email = "eva@zuid.example", Language = ContactLanguage.Nl }), default);
        var adam = await Prospects.AddContactAsync(entry.OrganisationId, Validation.Clean(new ContactDraft { Name = "Adam Smith", Email = "adam@zuid.example", Language = ContactLanguage.En }), default);
        await Prospects.AddContactAsync(entry.OrganisationId, Validation.Clean(new ContactDraft { Name = "Zoë de Vries", Email = "zoe@zuid.example", Language = ContactLanguage.Nl }), default);
        var store = new SqlOnboardingReminderStore(Db);
        Assert.True(await store.SetOnboardingContactAsync(eva.Id, true, Clock.GetUtcNow(), "anne", default));
        Assert.True(await store.SetOnboardingContactAsync(adam.Id, true, Clock.GetUtcNow(), "anne", default));
        var templates = new SqlTemplateStore(Db);
        await templates.SeedAsync(BuiltInTemplates.All, Clock.GetUtcNow(), default);
        var runner = new OnboardingReminderRunner(store, new SqlMailOutbox(Db), new SqlUnitOfWork(Db), templates, new HandlebarsTemplateRenderer(), new Links(), SequenceSettings.Default, OnboardingReminderSettings.Default, Clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<OnboardingReminderRunner>.Instance);
        var policy = (await milestones.ListForProspectAsync(entry.Id, default)).Single(m => m.Key == "policy");
        Assert.Equal(new DateOnly(2027, 3, 2), policy.DueOn);
        return (runner, store, milestones, new SqlMailOutbox(Db), policy.Id, entry.Id, eva, adam);
    }

    private static async Task<List<OutboxMail>> RemindersInOutboxAsync(SqlMailOutbox outbox) =>
        (await outbox.ListAsync(null, 100, default)).Where(m => m.Mail.Purpose == OnboardingReminders.Purpose).OrderBy(m => m.Mail.ContactId).ThenBy(m => m.Id).ToList();

    [Fact]
    public async Task MilestoneReminders_GoToTheOnboardingContacts_InTheirLanguage_InsideTheSendWindow_Once()
    {
        var (runner, store, _, outbox, policyId, prospectId, eva, adam) = await RemindersAsync();
        Assert.Equal([eva.Id, adam.Id], await store.ListOnboardingContactsAsync((await Pipeline.GetEntryAsync(prospectId, default))!.OrganisationId, default));

        // 15 days before: nothing yet.
        Clock.Set(AmsterdamClock.AtLocal(new DateOnly(2027, 2, 15), new TimeOnly(10, 0)));
        Assert.Equal(0, (await runner.RunAsync(default)).Queued);
        // Saturday 20 February, ten days before: queued now, due when the window opens on Monday 22 February at 09:00 Amsterdam.
        Clock.Set(AmsterdamClock.AtLocal(new DateOnly(2027, 2, 20), new TimeOnly(10, 0)));
        var run = await runner.RunAsync(default);
        Assert.Equal(2, run.Queued);
        var mails = await RemindersInOutboxAsync(outbox);
        Assert.Equal(
            [(eva.Id, "eva@zuid.example", "Onboarding Gold: IMVO-beleid gepubliceerd uiterlijk 2 maart 2027"), (adam.Id, "adam@zuid.example", "Onboarding Gold: RBC policy published by 2 March 2027")],
            mails.Select(m => (m.Mail.ContactId!.Value, m.Mail.ToAddress, m.Mail.Subject)));
        Assert.All(mails, m => Assert.Equal(AmsterdamClock.AtLocal(new DateOnly(2027, 2, 22), new TimeOnly(9, 0)), m.Mail.DueAt));
        Assert.All(mails, m => Assert.Equal((OutboxStatus.Pending, OnboardingReminders.DueSoonTemplate), (m.Status, m.Mail.TemplateKey)));
        Assert.Contains("Beste Eva Jansen", mails[0].Mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("https://outreach.example/u/token-" + adam.Id, mails[1].Mail.HtmlBody, StringComparison.Ordinal);

        // The next run (or another node's) adds nothing.
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, (await runner.RunAsync(default)).Queued);
        Assert.Equal(2, (await RemindersInOutboxAsync(outbox)).Count);
    }

    [Fact]
    public async Task MilestoneReminders_StopTheMomentTheMilestoneIsDone_AndAReopenedOneIsChasedWhenOverdue()
    {
        var (runner, store, milestones, outbox, policyId, _, eva, adam) = await RemindersAsync();
        Clock.Set(AmsterdamClock.AtLocal(new DateOnly(2027, 2, 20), new TimeOnly(10, 0)));
        Assert.Equal(2, (await runner.RunAsync(default)).Queued);

        // Done before the window opened (through MilestoneCompletion, as every "done"): its queued reminders are cancelled in the same unit of work, so neither goes.
        Assert.True(await Outreach.Testing.SqlServices.Completion(Db).MarkDoneAsync(policyId, new DateOnly(2027, 2, 19), "https://zuid.example/beleid", null, Clock.GetUtcNow(), "anne", default));
        var cancelled = await RemindersInOutboxAsync(outbox);
        Assert.All(cancelled, m => Assert.Equal((OutboxStatus.Cancelled, "Withdrawn: the milestone was done"), (m.Status, m.LastError)));
        Clock.Set(AmsterdamClock.AtLocal(new DateOnly(2027, 2, 22), new TimeOnly(9, 5)));
        Assert.Empty(await outbox.ClaimDueAsync("node-a", Clock.GetUtcNow(), Clock.GetUtcNow().AddMinutes(5), 50, default));

        // Eight days overdue and done: nothing.
        Clock.Set(AmsterdamClock.AtLocal(new DateOnly(2027, 3, 10), new TimeOnly(10, 0)));
        Assert.Equal(0, (await runner.RunAsync(default)).Queued);

        // Reopened, it is open and overdue: the overdue reminder goes, to both, in their language.
        Assert.True(await milestones.ReopenAsync(policyId, "The link is broken", Clock.GetUtcNow(), "anne", default));
        Assert.Equal(2, (await runner.RunAsync(default)).Queued);
        var overdue = (await RemindersInOutboxAsync(outbox)).Where(m => m.Status == OutboxStatus.Pending).ToList();
        Assert.Equal(
            [(eva.Id, "Onboarding Gold: IMVO-beleid gepubliceerd staat nog open"), (adam.Id, "Onboarding Gold: RBC policy published is still open")],
            overdue.Select(m => (m.Mail.ContactId!.Value, m.Mail.Subject)));

        // A contact who loses the role gets nothing more; one who opted out neither.
        Assert.True(await store.SetOnboardingContactAsync(adam.Id, false, Clock.GetUtcNow(), "anne", default));
        Assert.False(await store.SetOnboardingContactAsync(adam.Id, false, Clock.GetUtcNow(), "anne", default));
        Assert.Equal([eva.Id], (await store.ListCandidatesAsync(new DateOnly(2027, 1, 1), new DateOnly(2027, 12, 31), default)).Select(c => c.Contact.Id).Distinct());
        await Prospects.SetOptedOutAsync(eva.Id, Clock.GetUtcNow(), default);
        Assert.Empty(await store.ListCandidatesAsync(new DateOnly(2027, 1, 1), new DateOnly(2027, 12, 31), default));
        var trail = (await new SqlAudit(Db).SearchAsync(new AuditFilter { Entity = AuditEntities.Contact, EntityId = adam.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, 1, 10, default)).Items;
        Assert.Equal(["role_taken", "role_given"], trail.Where(a => a.Action.StartsWith("role_", StringComparison.Ordinal)).Select(a => a.Action));
    }

    [Fact]
    public async Task AReminderIsNotQueued_ForAMilestoneDoneMeanwhile()
    {
        var (runner, _, milestones, outbox, policyId, _, eva, _) = await RemindersAsync();
        var mail = new MailDraft
        {
            IdempotencyKey = OnboardingReminders.Key(policyId, MilestoneReminder.DueSoon, eva.Id), Purpose = OnboardingReminders.Purpose, ContactId = eva.Id,
            ToAddress = eva.Email, ToName = eva.Name, Subject = "s", HtmlBody = "h", TextBody = "t", DueAt = Clock.GetUtcNow(),
        };
        Assert.True(await Outreach.Testing.SqlServices.Completion(Db).MarkDoneAsync(policyId, new DateOnly(2026, 3, 2), "https://zuid.example/beleid", null, Clock.GetUtcNow(), "anne", default));
        // The runner read it open before the "done" committed; the guarded queueing sees it done.
        Assert.False(await runner.QueueAsync(policyId, mail, Clock.GetUtcNow(), default));
        Assert.Empty(await RemindersInOutboxAsync(outbox));
    }

    [Fact]
    public async Task OverdueMilestones_AreOnTheOwnersDay_UntilDone()
    {
        var (_, _, milestones, _, policyId, prospectId, _, _) = await RemindersAsync();
        var day = new SqlMyDaySource(Db);
        var march2027 = AmsterdamClock.AtLocal(new DateOnly(2027, 3, 10), new TimeOnly(10, 0));
        Assert.Empty((await day.ReadAsync("Anne", new DateOnly(2027, 3, 2), march2027, march2027, 100, default)).OverdueMilestones);

        var lines = (await day.ReadAsync("Anne", new DateOnly(2027, 3, 10), march2027, march2027, 100, default)).OverdueMilestones;
        var line = Assert.Single(lines);
        Assert.Equal((prospectId, "Goudhandel Zuid", "RBC policy published", "IMVO-beleid gepubliceerd", new DateOnly(2027, 3, 2)), (line.ProspectId, line.Organisation, line.What, line.WhatNl, line.Due!.Value));
        Assert.Empty((await day.ReadAsync("Bram", new DateOnly(2027, 3, 10), march2027, march2027, 100, default)).OverdueMilestones);

        Assert.True(await Outreach.Testing.SqlServices.Completion(Db).MarkDoneAsync(policyId, new DateOnly(2027, 3, 9), "https://zuid.example/beleid", null, march2027, "anne", default));
        Assert.Empty((await day.ReadAsync("Anne", new DateOnly(2027, 3, 10), march2027, march2027, 100, default)).OverdueMilestones);
    }
}
