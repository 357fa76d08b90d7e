using Outreach.Core.Pipeline;

namespace Outreach.Core.Sequences;

/// <summary>One step of a sequence: a template, sent a number of Dutch business days after the previous step (or the enrolment).</summary>
public sealed record SequenceStep(string TemplateKey, int WaitBusinessDays);

/// <summary>
/// An ordered set of mails for one purpose, tied to the pipeline stages it serves: from <see cref="FromStage"/> up to and
/// including <see cref="Stage"/>; moving a prospect past <see cref="Stage"/> ends it. Enrolment happens by hand, or by rule
/// when a prospect enters <see cref="EnrolOnEntering"/>.
/// </summary>
public sealed record Sequence(long Id, string Name, Stage Stage, IReadOnlyList<SequenceStep> Steps)
{
    public Stage? EnrolOnEntering { get; init; }

    /// <summary>The first stage it serves; null (every sequence made before ranges) serves every funnel stage up to <see cref="Stage"/>.</summary>
    public Stage? FromStage { get; init; }
}

public enum EnrolmentState
{
    Active,
    Paused,
    Stopped,
    Completed,
}

public enum StopReason
{
    Reply,
    StageMovedOn,
    OptedOut,
    HardBounce,
    Manual,
}

/// <summary>A contact's place in a sequence: the next step to send and when.</summary>
public sealed record Enrolment
{
    public long Id { get; init; }
    public long SequenceId { get; init; }
    /// <summary>The prospect (organisation × covenant) the sequence works for; its stage can end the enrolment.</summary>
    public long ProspectId { get; init; }
    public long ContactId { get; init; }
    public long OrganisationId { get; init; }
    public EnrolmentState State { get; init; }
    /// <summary>Index into the sequence's steps of the next mail.</summary>
    public int NextStep { get; init; }
    public DateTimeOffset? NextDue { get; init; }
    public DateTimeOffset? PausedUntil { get; init; }
    /// <summary>Set while the frequency cap holds the next step back: when it fits again (shown on the prospect page).</summary>
    public DateTimeOffset? HeldUntil { get; init; }
    public StopReason? StoppedBecause { get; init; }
    public DateTimeOffset EnrolledAt { get; init; }
    public string EnrolledBy { get; init; } = "";
    /// <summary>What enrolled the contact automatically (e.g. one event's follow-up), unique: such an enrolment happens once.</summary>
    public string? SourceKey { get; init; }

    public bool IsOpen => State is EnrolmentState.Active or EnrolmentState.Paused;
}

/// <summary>What to do with an enrolment now.</summary>
public abstract record EnrolmentDecision
{
    private EnrolmentDecision() { }

    /// <summary>Nothing is due yet.</summary>
    public sealed record Wait(DateTimeOffset Until) : EnrolmentDecision;
    /// <summary>Put step <paramref name="Step"/> in the outbox, due at <paramref name="At"/>.</summary>
    public sealed record Send(int Step, SequenceStep What, DateTimeOffset At) : EnrolmentDecision;
    /// <summary>Due, but the frequency cap holds it until then; the UI says so.</summary>
    public sealed record HeldByCap(int Step, DateTimeOffset Until) : EnrolmentDecision;
    public sealed record Ended(StopReason Why) : EnrolmentDecision;
    public sealed record Done : EnrolmentDecision;
}

/// <summary>The rules that move an enrolment along: timing, the frequency cap, and what stops or pauses it. Pure.</summary>
public static class EnrolmentRules
{
    /// <summary>How long an out-of-office reply pauses an enrolment when it states no return date.</summary>
    public const int DefaultOutOfOfficeBusinessDays = 5;

    public static Enrolment Enrol(long id, Sequence sequence, long contactId, long organisationId, DateTimeOffset at, SendWindow window)
    {
        if (sequence.Steps.Count == 0) throw new ArgumentException($"Sequence '{sequence.Name}' has no steps.", nameof(sequence));
        return new Enrolment
        {
            Id = id, SequenceId = sequence.Id, ContactId = contactId, OrganisationId = organisationId, State = EnrolmentState.Active,
            NextStep = 0, NextDue = window.After(at, sequence.Steps[0].WaitBusinessDays), EnrolledAt = at,
        };
    }

    /// <summary>
    /// An enrolment made by rule inside a stage change's transaction has no due time yet (the store does not know the
    /// configured window): the first step is planned from its enrolment time here.
    /// </summary>
    public static Enrolment Schedule(Enrolment enrolment, Sequence sequence, SendWindow window)
    {
        if (enrolment.NextDue is not null || !enrolment.IsOpen || enrolment.NextStep >= sequence.Steps.Count) return enrolment;
        return enrolment with { NextDue = window.After(enrolment.EnrolledAt, sequence.Steps[enrolment.NextStep].WaitBusinessDays) };
    }

    /// <summary>
    /// The decision for an open enrolment at <paramref name="now"/>: stop when the contact opted out, wait while paused or not
    /// due, hold when the cap is full, else send the next step.
    /// </summary>
    public static EnrolmentDecision Decide(Enrolment enrolment, Sequence sequence, bool contactOptedOut, IEnumerable<DateTimeOffset> contactsRecentMails,
        DateTimeOffset now, SendWindow window, FrequencyCap cap)
    {
        if (!enrolment.IsOpen) return enrolment.State == EnrolmentState.Completed ? new EnrolmentDecision.Done() : new EnrolmentDecision.Ended(enrolment.StoppedBecause ?? StopReason.Manual);
        if (contactOptedOut) return new EnrolmentDecision.Ended(StopReason.OptedOut);
        if (enrolment.NextStep >= sequence.Steps.Count) return new EnrolmentDecision.Done();
        if (enrolment.State == EnrolmentState.Paused && enrolment.PausedUntil is { } until && until > now) return new EnrolmentDecision.Wait(until);
        var due = enrolment.NextDue ?? now;
        if (due > now) return new EnrolmentDecision.Wait(due);

        var at = window.NextOpening(now);
        var held = cap.HoldUntil(contactsRecentMails, at);
        if (held is { } fits) return new EnrolmentDecision.HeldByCap(enrolment.NextStep, window.NextOpening(fits));
        return new EnrolmentDecision.Send(enrolment.NextStep, sequence.Steps[enrolment.NextStep], at);
    }

    /// <summary>After step <see cref="Enrolment.NextStep"/> went into the outbox at <paramref name="sentAt"/>: the next step, or completed.</summary>
    public static Enrolment Advance(Enrolment enrolment, Sequence sequence, DateTimeOffset sentAt, SendWindow window)
    {
        var next = enrolment.NextStep + 1;
        return next >= sequence.Steps.Count
            ? enrolment with { NextStep = next, NextDue = null, State = EnrolmentState.Completed, HeldUntil = null }
            : enrolment with { NextStep = next, NextDue = window.After(sentAt, sequence.Steps[next].WaitBusinessDays), State = EnrolmentState.Active, PausedUntil = null, HeldUntil = null };
    }

    public static Enrolment Stop(Enrolment enrolment, StopReason why) =>
        enrolment.IsOpen ? enrolment with { State = EnrolmentState.Stopped, StoppedBecause = why, NextDue = null, PausedUntil = null, HeldUntil = null } : enrolment;

    /// <summary>Whether mail may go to the contact at all: not opted out, not erased, address not bouncing.</summary>
    public static bool Reachable(Prospects.Contact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return !contact.OptedOut && !contact.Erased && contact.BouncedAt is null;
    }

    /// <summary>The prospect's open enrolments that a move to <paramref name="to"/> ends (see <see cref="EndsSequence"/>).</summary>
    public static IReadOnlyList<Enrolment> EndedByMove(Stage to, IEnumerable<Enrolment> enrolments, IReadOnlyList<Sequence> sequences)
    {
        var servesStage = sequences.ToDictionary(s => s.Id, s => s.Stage);
        return [.. enrolments.Where(e => e.IsOpen && servesStage.TryGetValue(e.SequenceId, out var stage) && EndsSequence(stage, to))];
    }

    /// <summary>
    /// Who is enrolled by rule when a prospect enters <paramref name="to"/>: every reachable contact of the organisation in
    /// every sequence that enrols on entering that stage, in sequence then contact order. No due time: the sequence job plans
    /// the first step (<see cref="Schedule"/>).
    /// </summary>
    public static IReadOnlyList<Enrolment> EnrolOnEntering(Stage to, PipelineEntry prospect, IReadOnlyList<Sequence> sequences, IEnumerable<Prospects.Contact> contacts, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(prospect);
        var reachable = contacts.Where(Reachable).OrderBy(c => c.Id).ToList();
        return [.. sequences.Where(s => s.EnrolOnEntering == to).OrderBy(s => s.Id).SelectMany(s => reachable.Select(c => new Enrolment
        {
            SequenceId = s.Id, ProspectId = prospect.Id, ContactId = c.Id, OrganisationId = prospect.OrganisationId, State = EnrolmentState.Active,
            NextStep = 0, NextDue = null, EnrolledAt = at,
        }))];
    }

    /// <summary>
    /// An out-of-office reply pauses instead of stopping: until the return date it states (the window's opening that day),
    /// or <see cref="DefaultOutOfOfficeBusinessDays"/> business days. The step that was due is sent after the pause.
    /// </summary>
    public static Enrolment OnOutOfOffice(Enrolment enrolment, DateOnly? returnsOn, DateTimeOffset now, SendWindow window)
    {
        if (!enrolment.IsOpen) return enrolment;
        var until = returnsOn is { } day
            ? window.NextOpening(Calendar.AmsterdamClock.AtLocal(day, window.Opens))
            : window.After(now, DefaultOutOfOfficeBusinessDays);
        if (until <= now) return enrolment;
        return enrolment with { State = EnrolmentState.Paused, PausedUntil = until, NextDue = enrolment.NextDue is { } due && due > until ? due : until };
    }

    /// <summary>Why a prospect at <paramref name="stage"/> may not be enrolled in <paramref name="sequence"/>; null when it may.</summary>
    public static Common.DomainMessage? WhyNotServed(Sequence sequence, Stage stage)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        if (EndsSequence(sequence.Stage, stage))
            return sequence.FromStage is { } first && first != sequence.Stage
                ? new Common.DomainMessage("The prospect is at '{0}', outside this sequence's stages '{1}' to '{2}'.", stage.Label(), first.Label(), sequence.Stage.Label())
                : new Common.DomainMessage("The prospect is at '{0}', past this sequence's stage '{1}'.", stage.Label(), sequence.Stage.Label());
        if (sequence.FromStage is { } from && IndexOf(Stages.Funnel, stage) < IndexOf(Stages.Funnel, from))
            return new Common.DomainMessage("The prospect is at '{0}', outside this sequence's stages '{1}' to '{2}'.", stage.Label(), from.Label(), sequence.Stage.Label());
        return null;
    }

    /// <summary>Whether a prospect at <paramref name="stage"/> may be enrolled in <paramref name="sequence"/>: inside its range of stages.</summary>
    public static bool Serves(Sequence sequence, Stage stage) => WhyNotServed(sequence, stage) is null;

    /// <summary>Whether <paramref name="from"/> comes after <paramref name="to"/> in the funnel (an empty range).</summary>
    public static bool IsEmptyRange(Stage from, Stage to) => IndexOf(Stages.Funnel, from) > IndexOf(Stages.Funnel, to);

    /// <summary>Whether moving the prospect to <paramref name="newStage"/> ends a sequence that serves <paramref name="sequenceStage"/>.</summary>
    public static bool EndsSequence(Stage sequenceStage, Stage newStage)
    {
        var funnel = Stages.Funnel;
        var at = IndexOf(funnel, sequenceStage);
        var to = IndexOf(funnel, newStage);
        // Any exit (declined, not now, left) ends it; inside the funnel only moving past its stage does.
        return to < 0 || (at >= 0 && to > at);
    }

    private static int IndexOf(IReadOnlyList<Stage> stages, Stage stage)
    {
        for (var i = 0; i < stages.Count; i++)
            if (stages[i] == stage) return i;
        return -1;
    }
}

public static class EnrolmentStates
{
    public static readonly IReadOnlyList<EnrolmentState> All = Enum.GetValues<EnrolmentState>();

    /// <summary>The stored codes (enrolment.state).</summary>
    public static readonly Common.CodeTable<EnrolmentState> Table = new(new Dictionary<EnrolmentState, string>
    {
        [EnrolmentState.Active] = "active",
        [EnrolmentState.Paused] = "paused",
        [EnrolmentState.Stopped] = "stopped",
        [EnrolmentState.Completed] = "completed",
    });

    public static string Code(this EnrolmentState state) => Table.Code(state);

    public static bool TryParse(string? value, out EnrolmentState state) => Common.Codes.TryParse(value, All, Code, out state);
}

public static class StopReasons
{
    public static readonly IReadOnlyList<StopReason> All = Enum.GetValues<StopReason>();

    public static string Code(this StopReason reason) => reason switch
    {
        StopReason.Reply => "reply",
        StopReason.StageMovedOn => "stage_moved_on",
        StopReason.OptedOut => "opted_out",
        StopReason.HardBounce => "hard_bounce",
        StopReason.Manual => "manual",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>The English label; the web layer translates it.</summary>
    public static string Label(this StopReason reason) => reason switch
    {
        StopReason.Reply => "someone at the organisation replied",
        StopReason.StageMovedOn => "the prospect moved on",
        StopReason.OptedOut => "the contact opted out",
        StopReason.HardBounce => "the address bounced",
        _ => "stopped by hand",
    };

    public static bool TryParse(string? value, out StopReason reason) => Common.Codes.TryParse(value, All, Code, out reason);
}
