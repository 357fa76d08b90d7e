using Outreach.Core.Access;
using Outreach.Core.Audit;
using Outreach.Core.Common;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Core.Crm;

/// <summary>The covenants and Outreach users a sync run decides with, read once at its start (they change rarely).</summary>
public sealed record DynamicsDirectory(IReadOnlyList<Covenant> Covenants, IReadOnlyList<UserAccount> Users)
{
    /// <summary>Outreach's own Dataverse user (WhoAmI): an account last changed by it is the echo of Outreach's write-back.</summary>
    public Guid? Self { get; init; }
}

/// <summary>
/// What comes in from Dynamics besides master data, applied with Outreach's own rules (<see cref="DynamicsRules"/>), each
/// in one unit of work with the page or request it comes from:
/// <list type="bullet">
/// <item>a page of accounts: the mirror (owners named by an Outreach user's e-mail or name become that user's name), then
/// the prospects its covenants start, each start's answer written back on the account;</item>
/// <item>a stage move a Dynamics user requested: applied through <see cref="PipelineService"/> as a move by that person
/// (history, audit, enrolments by rule, write-back) or refused with the rule's reason, the answer written back on the row.</item>
/// </list>
/// Each request's answer is recorded under its key, so a request read again (a later delta, a full read, the row coming back
/// with Outreach's own answer) is never applied twice; a start is answered again only when its answer changes.
/// </summary>
public sealed class DynamicsInbound(
    ICrmSyncStore crm, IPipelineStore pipeline, IProspectStore prospects, IAccessStore access, IWriteBackOutbox writeBack,
    PipelineService moves, IUnitOfWork unit, TimeProvider clock)
{
    public async Task<DynamicsDirectory> DirectoryAsync(CancellationToken ct) =>
        new(await prospects.ListCovenantsAsync(ct).ConfigureAwait(false), await access.ListUsersAsync(ct).ConfigureAwait(false));

    /// <summary>
    /// One page of accounts: the mirror's rows, deletions and link, the prospects started from it, and the next actions Dynamics
    /// users edited on them (<paramref name="editors"/>: who last changed each account), committed together.
    /// </summary>
    public Task<CrmPageResult> ApplyAccountsAsync(DynamicsDirectory directory, IReadOnlyList<CrmAccount> rows, IReadOnlyList<Guid> deleted,
        string? nextLink, string? deltaLink, IReadOnlyDictionary<Guid, CrmUser?>? editors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(rows);
        return unit.RunAsync(async token =>
        {
            var at = clock.GetUtcNow();
            var mapped = rows.Select(r => r with { Owner = DynamicsRules.Owner(r.Owner, directory.Users) }).ToList();
            var result = await crm.ApplyAccountsAsync(mapped, deleted, nextLink, deltaLink, at, token).ConfigureAwait(false);
            var wanted = mapped.Where(r => !string.IsNullOrWhiteSpace(r.CovenantCode)).ToList();
            if (wanted.Count == 0) return result;
            // One query for the page's accounts, not one per account: a full read brings every account, each with its covenant.
            var links = (await crm.FindAccountsAsync(wanted.Select(r => r.Id).Distinct().ToList(), token).ConfigureAwait(false))
                .ToDictionary(l => l.AccountId);
            var started = 0;
            foreach (var decision in DynamicsRules.Starts(wanted, links, directory.Covenants))
            {
                long? entryId = null;
                if (decision.Starts)
                {
                    using (AmbientActor.Use(DynamicsRules.SyncActor))
                    {
                        var entry = await moves.AddEntryAsync(decision.OrganisationId, decision.Covenant!.Id, decision.Stage, at,
                            DynamicsRules.SyncActor, DynamicsRules.StartedReason, token).ConfigureAwait(false);
                        entryId = entry.Id;
                    }

                    started++;
                }

                var answer = new CrmRequestAnswer(DynamicsRules.StartKey(decision.AccountId), CrmRequestKind.Start, decision.AccountId,
                    decision.Starts ? CrmRequestOutcome.Applied : CrmRequestOutcome.Refused, DynamicsRules.StartedMessage(decision), entryId);
                await AnswerAsync(answer, at, token).ConfigureAwait(false);
            }

            var edited = 0;
            foreach (var account in wanted)
            {
                if (DynamicsRules.NextActionEntry(account, links.GetValueOrDefault(account.Id), directory.Self) is not { } entryId) continue;
                if (await pipeline.GetEntryAsync(entryId, token).ConfigureAwait(false) is not { } entry || !DynamicsRules.NextActionDiffers(account, entry)) continue;
                // Outreach's own newer change waits to be written back: the account shows an older value, which must not undo it.
                if (await writeBack.HasPendingForEntryAsync(entryId, token).ConfigureAwait(false)) continue;
                if (account.NextAction is { } text && (text.Length > MaxNextActionLength || Validation.HasForbiddenCharacters(text))) continue;
                var editor = account.ModifiedBy is { } by ? editors?.GetValueOrDefault(by) : null;
                using (AmbientActor.Use(DynamicsRules.Actor(editor, directory.Users)))
                    await moves.SetNextActionAsync(entryId, account.NextAction, account.NextActionDue, Calendar.AmsterdamClock.Today(clock), token).ConfigureAwait(false);
                edited++;
            }

            return result with { ProspectsStarted = started, NextActionsTaken = edited };
        }, ct);
    }

    /// <summary>The longest next action Outreach keeps (as on the prospect page).</summary>
    public const int MaxNextActionLength = 500;

    /// <summary>
    /// Applies or refuses one requested move, unless it was answered before (then null). The move is made as the Dynamics user
    /// (<see cref="DynamicsRules.Actor"/>) through the same rules as a move on the prospect page, and counts as a person's
    /// move: contacts are enrolled by rule. An applied move's answer goes back with its stage change write-back (on the
    /// requested row); a refusal goes back on its own.
    /// </summary>
    public Task<CrmRequestOutcome?> ApplyStageRequestAsync(DynamicsDirectory directory, CrmStageRequest request, CrmUser? requester, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(request);
        return unit.RunAsync<CrmRequestOutcome?>(async token =>
        {
            var key = DynamicsRules.StageRequestKey(request.Id);
            if (await crm.FindAnswerAsync(key, token).ConfigureAwait(false) is not null) return null;
            var at = clock.GetUtcNow();
            var actor = DynamicsRules.Actor(requester, directory.Users);
            var links = request.AccountId is { } account ? await crm.FindAccountsAsync([account], token).ConfigureAwait(false) : [];
            var link = links.Count > 0 ? links[0] : null;
            var (entryId, refusal) = DynamicsRules.EntryFor(request, link);
            refusal ??= DynamicsRules.RoleRefusal(requester, directory.Users);
            if (refusal is null && entryId is { } id && await pipeline.GetEntryAsync(id, token).ConfigureAwait(false) is { } entry)
            {
                var decision = Pipeline.Pipeline.Decide(entry, request.To!.Value, request.Reason, actor, at, request.RevisitOn);
                refusal = decision.Refusal;
                if (decision.IsAllowed)
                {
                    try
                    {
                        using (AmbientActor.Use(actor))
                        {
                            var moved = await moves.ApplyAsync(decision.Change!, token).ConfigureAwait(false);
                            var line = (await pipeline.HistoryAsync(moved.Id, token).ConfigureAwait(false)).MaxBy(c => c.Id)!;
                            await crm.RecordAnswerAsync(new CrmRequestAnswer(key, CrmRequestKind.StageMove, request.Id, CrmRequestOutcome.Applied,
                                AppliedMessage(decision.Change!, actor), moved.Id, line.Id), at, token).ConfigureAwait(false);
                        }

                        return CrmRequestOutcome.Applied;
                    }
                    catch (ConcurrentStageChangeException)
                    {
                        // Nothing was written: the entry's stage guard matched no row.
                        refusal = new DomainMessage("Someone else changed this prospect's stage in the meantime. Request the move again.");
                    }
                }
            }

            refusal ??= new DomainMessage("The prospect no longer exists in Outreach.");
            await AnswerAsync(new CrmRequestAnswer(key, CrmRequestKind.StageMove, request.Id, CrmRequestOutcome.Refused, $"Refused: {refusal}", entryId), at, token)
                .ConfigureAwait(false);
            return CrmRequestOutcome.Refused;
        }, ct);
    }

    /// <summary>Stores where the stage change table's read continues (requests on the page are answered by then).</summary>
    public Task SaveStageChangeLinksAsync(string? nextLink, string? deltaLink, CancellationToken ct) =>
        crm.SaveLinksAsync(CrmTable.StageChanges, nextLink, deltaLink, clock.GetUtcNow(), ct);

    private static string AppliedMessage(StageChange change, string actor) =>
        $"Applied: {change.From?.Label() ?? "new"} → {change.To.Label()}, by {actor}.";

    private async Task AnswerAsync(CrmRequestAnswer answer, DateTimeOffset at, CancellationToken ct)
    {
        if (await crm.RecordAnswerAsync(answer, at, ct).ConfigureAwait(false) is { } id)
            await writeBack.EnqueueAnswerAsync(id, at, ct).ConfigureAwait(false);
    }
}
