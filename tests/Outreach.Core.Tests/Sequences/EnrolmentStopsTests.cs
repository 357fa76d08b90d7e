using Outreach.Core.Mail;
using Outreach.Core.Sequences;
using Outreach.Core.Tests.Fakes;

namespace Outreach.Core.Tests.Sequences;

/// <summary>An enrolment that ends takes its queued steps with it, in one unit of work, on the in-memory stores.</summary>
public sealed class EnrolmentStopsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly InMemorySequenceStore sequences = new();
    private readonly InMemoryMailOutbox outbox = new();
    private readonly InMemoryUnitOfWork unit;
    private readonly EnrolmentStops stops;

    public EnrolmentStopsTests()
    {
        unit = new InMemoryUnitOfWork(sequences, outbox);
        stops = new EnrolmentStops(sequences, outbox, unit);
    }

    /// <summary>An open enrolment of the contact at the organisation, with its first step queued and its second failed (a dead letter).</summary>
    private Enrolment Enrolled(long contactId, long organisationId)
    {
        var enrolment = sequences.AddEnrolmentAsync(new Enrolment { SequenceId = 1, ProspectId = organisationId, ContactId = contactId, OrganisationId = organisationId, EnrolledAt = Start }, default).Result;
        outbox.Seed(SequenceRunner.KeyFor(enrolment.Id, 0), contactId);
        outbox.Seed(SequenceRunner.KeyFor(enrolment.Id, 1), contactId, OutboxStatus.Failed);
        return enrolment;
    }

    private IEnumerable<(OutboxStatus, string?)> MailOf(Enrolment e) =>
        outbox.Mails.Where(m => m.Mail.IdempotencyKey.StartsWith(SequenceRunner.KeyPrefix(e.Id), StringComparison.Ordinal)).Select(m => (m.Status, m.LastError));

    private EnrolmentState StateOf(Enrolment e) => sequences.Enrolments.Single(x => x.Id == e.Id).State;

    [Fact]
    public async Task Stop_CancelsTheEnrolmentsPendingAndFailedMail_WithWhy_AndNoOneElses()
    {
        var eva = Enrolled(1, 7);
        var piet = Enrolled(2, 7);
        // A sent step stays sent.
        outbox.Seed(SequenceRunner.KeyFor(eva.Id, 2), 1, OutboxStatus.Sent);

        Assert.True(await stops.StopAsync(eva.Id, StopReason.Manual, Start, default));

        Assert.Equal(EnrolmentState.Stopped, StateOf(eva));
        var withdrawn = "Withdrawn: the enrolment stopped (manual)";
        Assert.Equal([(OutboxStatus.Cancelled, withdrawn), (OutboxStatus.Cancelled, withdrawn), (OutboxStatus.Sent, null)], MailOf(eva));
        Assert.All(MailOf(piet), m => Assert.NotEqual(OutboxStatus.Cancelled, m.Item1));
        // Stopping again finds nothing open and cancels nothing.
        Assert.False(await stops.StopAsync(eva.Id, StopReason.Manual, Start, default));
    }

    [Fact]
    public async Task StopForOrganisation_AndForContact_CancelTheMailOfEveryEnrolmentStopped()
    {
        var eva = Enrolled(1, 7);
        var piet = Enrolled(2, 7);
        var ines = Enrolled(3, 8);

        Assert.Equal(2, await stops.StopForOrganisationAsync(7, StopReason.Reply, Start, default));
        Assert.All(MailOf(eva).Concat(MailOf(piet)), m => Assert.Equal((OutboxStatus.Cancelled, "Withdrawn: the enrolment stopped (reply)"), m));
        Assert.All(MailOf(ines), m => Assert.NotEqual(OutboxStatus.Cancelled, m.Item1));

        Assert.Equal(1, await stops.StopForContactAsync(3, StopReason.HardBounce, Start, default));
        Assert.Equal(EnrolmentState.Stopped, StateOf(ines));
        Assert.All(MailOf(ines), m => Assert.Equal((OutboxStatus.Cancelled, "Withdrawn: the enrolment stopped (hard_bounce)"), m));
    }

    [Fact]
    public async Task Save_CancelsTheMailOnlyWhenTheDecisionEndsTheEnrolment()
    {
        var eva = Enrolled(1, 7);

        Assert.True(await stops.SaveAsync(eva with { HeldUntil = Start.AddDays(1) }, Start, default));
        Assert.All(MailOf(eva), m => Assert.NotEqual(OutboxStatus.Cancelled, m.Item1));

        Assert.True(await stops.SaveAsync(eva with { State = EnrolmentState.Completed, NextDue = null }, Start, default));
        Assert.All(MailOf(eva), m => Assert.Equal((OutboxStatus.Cancelled, EnrolmentStops.EndedReason), m));
        // Completed meanwhile: a later decision changes nothing.
        Assert.False(await stops.SaveAsync(eva, Start, default));
    }

    [Fact]
    public async Task ACancellationThatFails_TakesTheStopBackToo()
    {
        var eva = Enrolled(1, 7);
        var piet = Enrolled(2, 7);
        outbox.FailCancelByKeyPrefix = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() => stops.StopAsync(eva.Id, StopReason.Manual, Start, default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => stops.StopForOrganisationAsync(7, StopReason.Reply, Start, default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => stops.SaveAsync(piet with { State = EnrolmentState.Completed }, Start, default));

        Assert.Equal([EnrolmentState.Active, EnrolmentState.Active], new[] { StateOf(eva), StateOf(piet) });
        Assert.All(MailOf(eva).Concat(MailOf(piet)), m => Assert.NotEqual(OutboxStatus.Cancelled, m.Item1));
        Assert.Equal(3, unit.Runs);
    }
}
