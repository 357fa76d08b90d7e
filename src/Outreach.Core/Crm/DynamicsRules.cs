using System.Globalization;
using Outreach.Core.Access;
using Outreach.Core.Common;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Core.Crm;

/// <summary>A Dataverse user (systemuser) as the sync reads them: who asked for something in Dynamics.</summary>
public sealed record CrmUser(Guid Id, string FullName, string? Email, string? DomainName);

/// <summary>
/// A stage move a Dynamics user asked for: an otr_stagechange row they created with status "requested". The covenant may be
/// left empty when the account has a prospect in one covenant only; a move to not now needs <paramref name="RevisitOn"/>.
/// </summary>
public sealed record CrmStageRequest(Guid Id, Guid? AccountId, string? CovenantCode, Stage? To, string? Reason, DateOnly? RevisitOn, Guid? RequestedBy);

/// <summary>What a Dynamics user asked Outreach to do.</summary>
public enum CrmRequestKind
{
    /// <summary>A stage move (an otr_stagechange row with status requested).</summary>
    StageMove,

    /// <summary>Start outreach: the covenant (with owner and first stage) set on the account.</summary>
    Start,
}

/// <summary>Outreach's answer to a request from Dynamics.</summary>
public enum CrmRequestOutcome
{
    Applied,
    Refused,
}

public static class CrmRequestCodes
{
    /// <summary>The stored codes (dataverse_request.kind).</summary>
    public static readonly CodeTable<CrmRequestKind> Kinds = new(new Dictionary<CrmRequestKind, string>
    {
        [CrmRequestKind.StageMove] = "stage_move",
        [CrmRequestKind.Start] = "start",
    });

    /// <summary>The stored codes (dataverse_request.outcome).</summary>
    public static readonly CodeTable<CrmRequestOutcome> Outcomes = new(new Dictionary<CrmRequestOutcome, string>
    {
        [CrmRequestOutcome.Applied] = "applied",
        [CrmRequestOutcome.Refused] = "refused",
    });
}

/// <summary>
/// Outreach's answer to one request from Dynamics, kept under <paramref name="Key"/> so a request read again (every delta
/// and full read brings the row back, Outreach's own answer included) is never applied twice, and written back to
/// <paramref name="DataverseId"/> (the stage change row, or the account for a start).
/// </summary>
public sealed record CrmRequestAnswer(string Key, CrmRequestKind Kind, Guid DataverseId, CrmRequestOutcome Outcome, string Message, long? EntryId = null, long? StageChangeId = null);

/// <summary>One prospect of a Dataverse account's organisation.</summary>
public sealed record CrmAccountEntry(long EntryId, long CovenantId, string CovenantCode);

/// <summary>The local side of a Dataverse account: its organisation (marked removed when deleted in Dynamics) and its prospects.</summary>
public sealed record CrmAccountLink(Guid AccountId, long OrganisationId, bool Removed, IReadOnlyList<CrmAccountEntry> Entries);

/// <summary>What the start rule made of an account's covenant: a prospect to start (covenant and stage), or a refusal with the reason.</summary>
public sealed record CrmStartDecision(Guid AccountId, long OrganisationId, Covenant? Covenant, Stage Stage, DomainMessage? Refusal)
{
    public bool Starts => Refusal is null;
}

/// <summary>
/// The rules for what Dynamics users ask of Outreach (pure; <see cref="DynamicsInbound"/> persists): who the user is in
/// Outreach, who owns a started prospect, whether an account's covenant starts one and where, and which prospect a requested
/// move is for. Every requested move then goes through the same <see cref="Pipeline.Pipeline.Decide"/> as a move on the prospect page.
/// </summary>
public static class DynamicsRules
{
    /// <summary>Who the sync's own changes are by (history and audit).</summary>
    public const string SyncActor = "Dynamics 365 sync";

    /// <summary>The reason on the first history line of a prospect started from Dynamics.</summary>
    public const string StartedReason = "Covenant set on the account in Dynamics 365";

    /// <summary>The prefix of a Dynamics user who is no Outreach user ("Dynamics: Jan Jansen").</summary>
    public const string DynamicsPrefix = "Dynamics: ";

    public static string StartKey(Guid accountId) => $"start:{accountId:D}";

    public static string StageRequestKey(Guid stageChangeId) => $"stage:{stageChangeId:D}";

    /// <summary>
    /// The Outreach user a text names: their user name (as a rule their e-mail address) or display name, compared without
    /// regard to case or surrounding spaces; null when none or more than one match, or the user is disabled.
    /// </summary>
    public static UserAccount? Match(string? text, IReadOnlyList<UserAccount> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var wanted = text?.Trim();
        if (string.IsNullOrEmpty(wanted)) return null;
        var byName = users.Where(u => u.DisabledAt is null && string.Equals(u.UserName.Trim(), wanted, StringComparison.OrdinalIgnoreCase)).ToList();
        if (byName.Count == 1) return byName[0];
        var byDisplay = users.Where(u => u.DisabledAt is null && string.Equals(u.DisplayName.Trim(), wanted, StringComparison.OrdinalIgnoreCase)).ToList();
        return byDisplay.Count == 1 ? byDisplay[0] : null;
    }

    /// <summary>
    /// Who a Dynamics user's request is made by in Outreach (history line and audit): the Outreach user with their e-mail
    /// address or sign-in name (UPN) as user name, or their full name as display name; else "Dynamics: full name".
    /// </summary>
    public static string Actor(CrmUser? user, IReadOnlyList<UserAccount> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (user is null) return DynamicsPrefix + "unknown user";
        var match = Match(user.Email, users) ?? Match(user.DomainName, users) ?? Match(user.FullName, users);
        if (match is not null) return match.DisplayName;
        var name = string.IsNullOrWhiteSpace(user.FullName) ? user.Email ?? user.DomainName ?? user.Id.ToString("D") : user.FullName.Trim();
        return Clip(DynamicsPrefix + name, Pipeline.Pipeline.MaxActorLength);
    }

    /// <summary>
    /// A request by a Dynamics user who is an Outreach manager is refused: Outreach's role decides, as on the prospect page,
    /// where managers read and do not move. A Dynamics user who is no Outreach user is governed by their Dynamics security role
    /// (creating a stage change row needs it).
    /// </summary>
    public static DomainMessage? RoleRefusal(CrmUser? user, IReadOnlyList<UserAccount> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (user is null) return null;
        var match = Match(user.Email, users) ?? Match(user.DomainName, users) ?? Match(user.FullName, users);
        return match is { Role: Role.Manager }
            ? new DomainMessage("{0} has the manager role in Outreach, which may view prospects but not move them.", match.DisplayName)
            : null;
    }

    /// <summary>
    /// The owner an account's "Outreach owner" names: the Outreach user's display name when it names one by e-mail address or
    /// name; otherwise the text as written (a taskforce member need not be an Outreach user).
    /// </summary>
    public static string? Owner(string? owner, IReadOnlyList<UserAccount> users) =>
        Match(owner, users)?.DisplayName ?? owner;

    /// <summary>
    /// Which accounts start a prospect: one whose covenant names a covenant of Outreach (any case) gets a prospect there unless
    /// its organisation has one, in the account's first stage (identified when empty). A code Outreach does not know or a
    /// first stage further than a new prospect may start in is refused with the reason. Accounts without a covenant, without
    /// a local organisation or removed are left alone; so is one that already has a prospect in the covenant (that is what
    /// keeps the write-back, which sets the covenant on the account, from starting anything).
    /// </summary>
    public static IReadOnlyList<CrmStartDecision> Starts(
        IReadOnlyList<CrmAccount> accounts, IReadOnlyDictionary<Guid, CrmAccountLink> links, IReadOnlyList<Covenant> covenants)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(covenants);
        var byCode = covenants.GroupBy(c => c.Code.Trim(), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var decisions = new List<CrmStartDecision>();
        var seen = new HashSet<(long, long)>();
        foreach (var account in accounts)
        {
            var code = account.CovenantCode?.Trim();
            if (string.IsNullOrEmpty(code) || !links.TryGetValue(account.Id, out var link) || link.Removed) continue;
            var stage = account.FirstStage ?? Stage.Identified;
            if (!byCode.TryGetValue(code, out var covenant))
            {
                var known = string.Join(", ", byCode.Keys.Order(StringComparer.Ordinal));
                decisions.Add(new(account.Id, link.OrganisationId, null, stage,
                    new DomainMessage("Outreach has no covenant with the code '{0}' (known: {1}).", code, known.Length == 0 ? "none" : known)));
                continue;
            }

            if (link.Entries.Any(e => e.CovenantId == covenant.Id) || !seen.Add((link.OrganisationId, covenant.Id))) continue;
            if (!Pipeline.Pipeline.StartingStages.Contains(stage))
            {
                decisions.Add(new(account.Id, link.OrganisationId, covenant, stage, new DomainMessage(
                    "A new prospect starts in {0}, not in '{1}'.", string.Join(" or ", Pipeline.Pipeline.StartingStages.Select(s => $"'{s.Label()}'")), stage.Label())));
                continue;
            }

            decisions.Add(new(account.Id, link.OrganisationId, covenant, stage, null));
        }

        return decisions;
    }

    /// <summary>What is written back on the account for a start.</summary>
    public static string StartedMessage(CrmStartDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Refusal is { } refusal
            ? $"Refused: {refusal}"
            : string.Format(CultureInfo.InvariantCulture, "Started in '{0}' (covenant {1}).", decision.Stage.Label(), decision.Covenant!.Code);
    }

    /// <summary>
    /// Which prospect a requested move is for: the account's prospect in the request's covenant, or its only prospect when
    /// the request names none. A refusal says why none (no account, not synced, deleted, no prospect, several).
    /// </summary>
    public static (long? EntryId, DomainMessage? Refusal) EntryFor(CrmStageRequest request, CrmAccountLink? link)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.AccountId is null) return (null, new DomainMessage("The request names no account."));
        if (link is null) return (null, new DomainMessage("The account is not (yet) in Outreach; the next sync brings it in."));
        if (link.Removed) return (null, new DomainMessage("The account was deleted in Dynamics."));
        if (request.To is null) return (null, new DomainMessage("The request names no stage to move to."));
        var code = request.CovenantCode?.Trim();
        if (!string.IsNullOrEmpty(code))
        {
            var entry = link.Entries.FirstOrDefault(e => string.Equals(e.CovenantCode.Trim(), code, StringComparison.OrdinalIgnoreCase));
            return entry is null
                ? (null, new DomainMessage("The account has no prospect in the covenant '{0}'.", code))
                : (entry.EntryId, null);
        }

        return link.Entries.Count switch
        {
            0 => (null, new DomainMessage("The account has no prospect in Outreach: set the covenant on the account to start one.")),
            1 => (link.Entries[0].EntryId, null),
            _ => (null, new DomainMessage("The account has prospects in several covenants ({0}): name the covenant on the request.",
                string.Join(", ", link.Entries.Select(e => e.CovenantCode).Order(StringComparer.Ordinal)))),
        };
    }

    /// <summary>
    /// The prospect whose next action a Dynamics user may have edited on the account: the account was last changed by a
    /// Dynamics user (not by Outreach's own write-back, <paramref name="self"/>: that is the echo of what Outreach wrote),
    /// and its covenant names one of the organisation's prospects (the one whose next action the account shows). Null
    /// otherwise, and when Outreach's own user is unknown (then nothing can be told from an echo).
    /// </summary>
    public static long? NextActionEntry(CrmAccount account, CrmAccountLink? link, Guid? self)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (self is null || account.ModifiedBy is not { } by || by == self || link is null || link.Removed) return null;
        var code = account.CovenantCode?.Trim();
        if (string.IsNullOrEmpty(code)) return null;
        return link.Entries.FirstOrDefault(e => string.Equals(e.CovenantCode.Trim(), code, StringComparison.OrdinalIgnoreCase))?.EntryId;
    }

    /// <summary>Whether the account's next action says something else than the prospect's (text compared trimmed; a due date without an action is none).</summary>
    public static bool NextActionDiffers(CrmAccount account, PipelineEntry entry)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(entry);
        var text = string.IsNullOrWhiteSpace(account.NextAction) ? null : account.NextAction.Trim();
        var due = text is null ? null : account.NextActionDue;
        return !string.Equals(text, entry.NextAction, StringComparison.Ordinal) || due != entry.NextActionDue;
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..length];
}
