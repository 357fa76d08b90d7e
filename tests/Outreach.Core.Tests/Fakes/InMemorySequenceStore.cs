using Outreach.Core.Sequences;

namespace Outreach.Core.Tests.Fakes;

/// <summary>
/// Sequences and enrolments in lists, with the SQL store's rules: one open enrolment per (sequence, prospect, contact), a stop
/// touches open enrolments only (their queued mail is <see cref="EnrolmentStops"/>' to cancel, as with the SQL store).
/// </summary>
internal sealed class InMemorySequenceStore : ISequenceStore, IInMemoryState
{
    private List<Sequence> sequences = [];
    private List<Enrolment> enrolments = [];

    public IReadOnlyList<Enrolment> Enrolments => enrolments;

    public Action Snapshot()
    {
        var (savedSequences, savedEnrolments) = (sequences.ToList(), enrolments.ToList());
        return () => (sequences, enrolments) = (savedSequences, savedEnrolments);
    }

    public Sequence SeedSequence(string name, Core.Pipeline.Stage stage, Core.Pipeline.Stage? enrolOnEntering = null)
    {
        var sequence = new Sequence(sequences.Count + 1, name, stage, [new SequenceStep("intro", 0)]) { EnrolOnEntering = enrolOnEntering };
        sequences.Add(sequence);
        return sequence;
    }

    public Task<IReadOnlyList<Sequence>> ListSequencesAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<Sequence>>([.. sequences]);

    public Task<Sequence?> GetSequenceAsync(long id, CancellationToken ct) => Task.FromResult(sequences.Find(s => s.Id == id));

    public Task<Enrolment> AddEnrolmentAsync(Enrolment enrolment, CancellationToken ct)
    {
        if (enrolments.Exists(e => e.IsOpen && (e.SequenceId, e.ProspectId, e.ContactId) == (enrolment.SequenceId, enrolment.ProspectId, enrolment.ContactId))
            || (enrolment.SourceKey is not null && enrolments.Exists(e => e.SourceKey == enrolment.SourceKey && e.ContactId == enrolment.ContactId && e.SequenceId == enrolment.SequenceId)))
            throw new DuplicateEnrolmentException($"Contact {enrolment.ContactId} already has an open enrolment in sequence {enrolment.SequenceId}.");
        var added = enrolment with { Id = enrolments.Count + 1, State = EnrolmentState.Active };
        enrolments.Add(added);
        return Task.FromResult(added);
    }

    /// <summary>Makes the next enrolment by rule fail, as a database error half-way through a move would.</summary>
    public bool FailEnrolByRule { get; set; }

    public Task<Enrolment?> EnrolByRuleAsync(Enrolment enrolment, CancellationToken ct)
    {
        if (FailEnrolByRule) throw new InvalidOperationException("The sequence store failed.");
        if (enrolments.Exists(e => e.IsOpen && (e.SequenceId, e.ProspectId, e.ContactId) == (enrolment.SequenceId, enrolment.ProspectId, enrolment.ContactId)))
            return Task.FromResult<Enrolment?>(null);
        var added = enrolment with { Id = enrolments.Count + 1, State = EnrolmentState.Active, EnrolledBy = "rule" };
        enrolments.Add(added);
        return Task.FromResult<Enrolment?>(added);
    }

    public Task<Enrolment?> GetEnrolmentAsync(long id, CancellationToken ct) => Task.FromResult(enrolments.Find(e => e.Id == id));

    public Task<IReadOnlyList<Enrolment>> ListEnrolmentsForProspectAsync(long prospectId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Enrolment>>([.. enrolments.Where(e => e.ProspectId == prospectId).OrderByDescending(e => e.Id)]);

    public Task<IReadOnlyList<Enrolment>> ListOpenForContactAsync(long contactId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Enrolment>>([.. enrolments.Where(e => e.ContactId == contactId && e.IsOpen)]);

    public Task<bool> StopAsync(long enrolmentId, StopReason why, DateTimeOffset at, CancellationToken ct) => Task.FromResult(StopWhere(e => e.Id == enrolmentId, why).Count > 0);

    public Task<IReadOnlyList<long>> StopForOrganisationAsync(long organisationId, StopReason why, DateTimeOffset at, CancellationToken ct) =>
        Task.FromResult(StopWhere(e => e.OrganisationId == organisationId, why));

    public Task<IReadOnlyList<long>> StopForContactAsync(long contactId, StopReason why, DateTimeOffset at, CancellationToken ct) =>
        Task.FromResult(StopWhere(e => e.ContactId == contactId, why));

    private IReadOnlyList<long> StopWhere(Func<Enrolment, bool> which, StopReason why)
    {
        var stopped = new List<long>();
        for (var i = 0; i < enrolments.Count; i++)
        {
            if (!enrolments[i].IsOpen || !which(enrolments[i])) continue;
            enrolments[i] = EnrolmentRules.Stop(enrolments[i], why);
            stopped.Add(enrolments[i].Id);
        }

        return stopped;
    }

    public Task<bool> SaveAsync(Enrolment enrolment, DateTimeOffset at, CancellationToken ct)
    {
        var index = enrolments.FindIndex(e => e.Id == enrolment.Id && e.IsOpen);
        if (index < 0) return Task.FromResult(false);
        enrolments[index] = enrolment;
        return Task.FromResult(true);
    }

    public Task<Sequence> AddSequenceAsync(SequenceDraft draft, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
    public Task<Sequence?> UpdateSequenceAsync(long id, SequenceDraft draft, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
    public Task<IReadOnlyList<Enrolment>> ListDueAsync(DateTimeOffset now, int max, CancellationToken ct) => throw new NotSupportedException();
    public Task<bool> AdvanceStepAsync(Enrolment advanced, DateTimeOffset at, CancellationToken ct) => throw new NotSupportedException();
    public Task<IReadOnlyList<(string Key, DateTimeOffset At)>> ListRecentOutreachAsync(long contactId, DateTimeOffset since, CancellationToken ct) => throw new NotSupportedException();
}
