using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Mail;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;
using Outreach.Graph.Testing;
using Outreach.Testing;
using Outreach.Mail;
using Outreach.Storage;

namespace Outreach.Graph.Tests;

/// <summary>
/// Replies, out-of-office answers and bounces end to end: sequence mail sent through Graph to the local server, answers arriving
/// in its inbox, read with message delta, and applied to the real stores on SQLite.
/// </summary>
public sealed class ReplyHandlingTests
{
    private sealed class Links : IUnsubscribeLinks
    {
        public string UrlFor(long contactId) => $"https://outreach.example/u/t{contactId}";
    }

    private sealed record World(GraphFixture F, SqlProspectStore Prospects, SqlPipelineStore Pipeline, SqlSequenceStore Sequences, SequenceRunner Runner, SqlReplyLog Log, ReplyHandling Replies)
    {
        public async Task<(Contact Contact, Enrolment Enrolment)> EnrolAsync(long prospectId, long organisationId, string name, string email)
        {
            var contact = await Prospects.AddContactAsync(organisationId, new ContactDraft { Name = name, Email = email, Language = ContactLanguage.Nl }, default);
            var sequence = (await Sequences.ListSequencesAsync(default))[0];
            var outcome = await Runner.EnrolAsync(prospectId, contact.Id, sequence.Id, "anne", default);
            return (contact, outcome.Enrolment ?? throw new InvalidOperationException(outcome.Refusal!.ToString()));
        }

        /// <summary>Lets every enrolment's first step come due, queues it and sends it through Graph.</summary>
        public async Task SendFirstStepsAsync()
        {
            F.Clock.Advance(TimeSpan.FromDays(7));
            await Runner.RunAsync(100, default);
            F.Clock.Advance(TimeSpan.FromHours(12));
            await F.Dispatcher().DispatchDueAsync("node", default);
        }
    }

    private static async Task<(World World, long ProspectId, long OrganisationId)> WorldAsync(GraphFixture f)
    {
        var prospects = new SqlProspectStore(f.Db, f.Clock);
        var pipeline = new SqlPipelineStore(f.Db, f.Clock);
        var sequences = new SqlSequenceStore(f.Db);
        var templates = new SqlTemplateStore(f.Db);
        await templates.SeedAsync(BuiltInTemplates.All, f.Clock.GetUtcNow(), default);
        await sequences.AddSequenceAsync(BuiltInTemplates.StarterSequence, f.Clock.GetUtcNow(), default);
        var runner = new SequenceRunner(sequences, templates, prospects, pipeline, new HandlebarsTemplateRenderer(), new Links(), new SqlMailOutbox(f.Db), new SqlUnitOfWork(f.Db), f.Clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<SequenceRunner>.Instance);
        var log = new SqlReplyLog(f.Db);
        var replies = new ReplyHandling(new GraphMailboxReader(f.Client, f.Options, NullLogger<GraphMailboxReader>.Instance), log, f.Outbox, prospects,
            SqlServices.Privacy(f.Db, f.Clock), sequences, SqlServices.Stops(f.Db), f.Clock,
            SequenceSettings.Default, GraphFixture.Mailbox);
        var entry = (await new CovenantProspect.Builder(prospects, pipeline) { Contacts = [] }.BuildAsync(f.Clock.GetUtcNow())).Entry;
        return (new World(f, prospects, pipeline, sequences, runner, log, replies), entry.Id, entry.OrganisationId);
    }

    [Fact]
    public async Task AColleaguesReplyOnTheThread_StopsTheWholeOrganisation_IsRecordedOnce_AndAStrangerChangesNothing()
    {
        await using var f = await GraphFixture.StartAsync();
        var (w, prospectId, organisationId) = await WorldAsync(f);
        var (eva, evaIn) = await w.EnrolAsync(prospectId, organisationId, "Eva Jansen", "eva@jansen-metaal.example");
        var (_, pietIn) = await w.EnrolAsync(prospectId, organisationId, "Piet Jansen", "piet@jansen-metaal.example");
        await w.SendFirstStepsAsync();
        Assert.Equal(2, f.Server.Delivered.Count);
        var toEva = f.Server.Delivered.Single(d => d.To == eva.Email);

        // Piet answers on the thread of the mail Eva got (a colleague forwarded it); a stranger writes too.
        f.Server.Receive(GraphFixture.Mailbox, new IncomingMail("piet@jansen-metaal.example", "Piet Jansen", "RE: " + toEva.Subject, "Graag een afspraak.") { InReplyTo = toEva.InternetMessageId });
        f.Server.Receive(GraphFixture.Mailbox, new IncomingMail("someone@elsewhere.example", "Someone", "A question", "Hello"));
        var scan = await w.Replies.ScanAsync(default);
        Assert.Equal((2, 2, 1, 2), (scan.Read, scan.Replies, scan.Unmatched, scan.EnrolmentsStopped));
        foreach (var id in new[] { evaIn.Id, pietIn.Id })
        {
            var stopped = await w.Sequences.GetEnrolmentAsync(id, default);
            Assert.Equal((EnrolmentState.Stopped, StopReason.Reply), (stopped!.State, stopped.StoppedBecause));
        }

        var recorded = await w.Log.ListForOrganisationAsync(organisationId, 10, default);
        var reply = Assert.Single(recorded);
        Assert.Equal(("reply", eva.Id), (reply.Kind, reply.ContactId)); // matched through the thread: the mail it answers went to Eva

        // The next round reads only what is new; an expired link rereads the inbox, and nothing is handled twice.
        Assert.Equal(0, (await w.Replies.ScanAsync(default)).Read);
        f.Server.ExpireDeltaTokens();
        var again = await w.Replies.ScanAsync(default);
        Assert.True(again.Restarted);
        Assert.Equal((0, 0), (again.Replies, again.EnrolmentsStopped));
        Assert.Single(await w.Log.ListForOrganisationAsync(organisationId, 10, default));
    }

    [Fact]
    public async Task AnOutOfOfficeAnswer_PausesUntilTheStatedReturnDate_AndAHardBounceMarksTheAddress()
    {
        await using var f = await GraphFixture.StartAsync();
        var (w, prospectId, organisationId) = await WorldAsync(f);
        var (eva, evaIn) = await w.EnrolAsync(prospectId, organisationId, "Eva Jansen", "eva@jansen-metaal.example");
        var (jan, janIn) = await w.EnrolAsync(prospectId, organisationId, "Jan Jansen", "jan@jansen-metaal.example");
        await w.SendFirstStepsAsync();

        f.Server.Receive(GraphFixture.Mailbox, new IncomingMail(eva.Email, "Eva Jansen", "Automatisch antwoord: vervolg", "Ik ben afwezig tot en met 10 december.")
        {
            MessageClass = "IPM.Note.Rules.OofTemplate.Microsoft", ReceivedAt = f.Clock.GetUtcNow(),
        });
        f.Server.Receive(GraphFixture.Mailbox, new IncomingMail("postmaster@convenant.example", "Postmaster", "Onbestelbaar: vervolg",
            $"Uw bericht aan {jan.Email} kan niet worden bezorgd.\n\nRemote Server returned '550 5.1.1 RESOLVER.ADR.RecipientNotFound'") { MessageClass = "REPORT.IPM.Note.NDR" });
        var scan = await w.Replies.ScanAsync(default);
        Assert.Equal((1, 1, 1), (scan.OutOfOffice, scan.EnrolmentsPaused, scan.Bounces));

        var paused = await w.Sequences.GetEnrolmentAsync(evaIn.Id, default);
        Assert.Equal(EnrolmentState.Paused, paused!.State);
        // Back on Friday 11 December 2026 ("tot en met 10 december"): the pause ends at the window's opening, 09:00 in Amsterdam.
        Assert.Equal(new DateTimeOffset(2026, 12, 11, 8, 0, 0, TimeSpan.Zero), paused.PausedUntil);
        var bounced = await w.Sequences.GetEnrolmentAsync(janIn.Id, default);
        Assert.Equal((EnrolmentState.Stopped, StopReason.HardBounce), (bounced!.State, bounced.StoppedBecause));
        Assert.NotNull((await w.Prospects.GetContactAsync(jan.Id, default))!.BouncedAt);
    }
}
