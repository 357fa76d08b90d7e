using System.Globalization;
using Outreach.Core.Access;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Core.Audit;

/// <summary>One field's value before and after a change. Personal values (a contact's name, address, role, source) are kept apart so that erasure can remove them.</summary>
public sealed record AuditChange(string Field, string? Before, string? After, bool Personal = false);

/// <summary>What kind of thing changed, in the secretariat's words.</summary>
public static class AuditEntities
{
    public const string Organisation = "organisation";
    public const string Contact = "contact";
    public const string Prospect = "prospect";
    public const string User = "user";
    public const string ApiKey = "api_key";
    public const string Import = "import";
    public const string Covenant = "covenant";
    public const string Sync = "sync";
    public const string Template = "template";
    public const string Sequence = "sequence";
    public const string Enrolment = "enrolment";
    public const string Event = "event";
    public const string Invitation = "invitation";
    public const string OnboardingPlan = "onboarding_plan";
    public const string Activity = "activity";

    public static readonly IReadOnlyList<string> All = [Organisation, Contact, Prospect, Covenant, User, ApiKey, Import, Sync, Template, Sequence, Enrolment, Event, Invitation, OnboardingPlan, Activity];

    /// <summary>The name shown (and translated) in the UI.</summary>
    public static string Label(string entity) => entity switch
    {
        ApiKey => "API key",
        OnboardingPlan => "Onboarding plan",
        _ => entity.Length == 0 ? entity : char.ToUpperInvariant(entity[0]) + entity[1..],
    };
}

/// <summary>A change about to be recorded: stored in the same transaction as the change itself, so the trail cannot miss one.</summary>
public sealed record AuditRecord(string Entity, string EntityId, string Action, IReadOnlyList<AuditChange> Changes)
{
    /// <summary>The contact whose personal data this record holds, so erasing the contact can remove it.</summary>
    public long? ContactId { get; init; }
}

/// <summary>A recorded change as administrators see it.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Entity, string EntityId, string Action, IReadOnlyList<AuditChange> Changes)
{
    /// <summary>The personal values of this entry were removed when the contact was erased; the entry itself stays.</summary>
    public bool PersonalDataErased { get; init; }
}

public sealed record AuditFilter
{
    public string? Entity { get; init; }
    public string? EntityId { get; init; }
    public string? Actor { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? Before { get; init; }
}

/// <summary>Reads the audit trail; writing happens inside each store's own transaction.</summary>
public interface IAuditLog
{
    Task<Page<AuditEntry>> SearchAsync(AuditFilter filter, int page, int pageSize, CancellationToken ct);

    /// <summary>Erasure: every personal value recorded about the contact goes (the entries stay, saying their values were erased).</summary>
    Task<int> ErasePersonalAsync(long contactId, CancellationToken ct);
}

/// <summary>Who is making the current change: the signed-in person, an integration's key, a job or the command line.</summary>
public interface IAuditActor
{
    string Name { get; }
}

/// <summary>
/// The actor for work that has no signed-in person (jobs, the command line): set around the work, read by <see cref="IAuditActor"/>.
/// An AsyncLocal, so concurrent jobs each keep their own.
/// </summary>
public static class AmbientActor
{
    private static readonly AsyncLocal<string?> Current = new();

    public static string? Name => Current.Value;

    public static IDisposable Use(string name)
    {
        var previous = Current.Value;
        Current.Value = name;
        return new Restore(previous);
    }

    private sealed class Restore(string? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}

/// <summary>The ambient actor, or "system" when nothing set one.</summary>
public sealed class AmbientAuditActor : IAuditActor
{
    public const string System = "system";

    public string Name => AmbientActor.Name ?? System;
}

/// <summary>Builds the field-by-field changes of each audited thing; only fields that differ are kept.</summary>
public static class AuditDiff
{
    public static IReadOnlyList<AuditChange> Between(IEnumerable<AuditChange> fields) =>
        fields.Where(f => !string.Equals(f.Before, f.After, StringComparison.Ordinal)).ToList();

    public static IReadOnlyList<AuditChange> Organisation(Organisation? before, Organisation? after) => Between(
    [
        new("name", before?.Name, after?.Name),
        new("party_kind", before?.PartyKind.Code(), after?.PartyKind.Code()),
        new("sector", before?.Sector, after?.Sector),
        new("country", before?.Country, after?.Country),
        new("kvk_number", before?.KvkNumber, after?.KvkNumber),
        new("website_domain", before?.WebsiteDomain, after?.WebsiteDomain),
        new("owner", before?.Owner, after?.Owner),
    ]);

    public static IReadOnlyList<AuditChange> Contact(Contact? before, Contact? after) => Between(
    [
        new("name", before?.Name, after?.Name, Personal: true),
        new("email", before?.Email, after?.Email, Personal: true),
        new("language", before?.Language.Code(), after?.Language.Code()),
        new("role", before?.Role, after?.Role, Personal: true),
        new("lawful_basis", before?.LawfulBasis.Code(), after?.LawfulBasis.Code()),
        new("source", before?.Source, after?.Source, Personal: true),
        new("opted_out_at", Instant(before?.OptedOutAt), Instant(after?.OptedOutAt)),
        new("erased_at", Instant(before?.ErasedAt), Instant(after?.ErasedAt)),
    ]);

    public static IReadOnlyList<AuditChange> NextAction(PipelineEntry before, string? action, DateOnly? due) => Between(
    [
        new("next_action", before.NextAction, action),
        new("next_action_due", Date(before.NextActionDue), Date(due)),
    ]);

    public static IReadOnlyList<AuditChange> Stage(StageChange change) => Between(
    [
        new("stage", change.From?.Code(), change.To.Code()),
        new("reason", null, change.Reason),
        new("revisit_on", null, Date(change.RevisitOn)),
    ]);

    public static IReadOnlyList<AuditChange> User(UserAccount? before, UserAccount? after) => Between(
    [
        new("user_name", before?.UserName, after?.UserName),
        new("display_name", before?.DisplayName, after?.DisplayName),
        new("role", before?.Role.Code(), after?.Role.Code()),
        new("disabled_at", Instant(before?.DisabledAt), Instant(after?.DisabledAt)),
    ]);

    /// <summary>A new version of an onboarding plan: the cut-off, and each milestone (by its code) described in one line.</summary>
    public static IReadOnlyList<AuditChange> OnboardingPlan(Onboarding.OnboardingPlan? before, Onboarding.OnboardingPlan after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var keys = (before?.Milestones ?? []).Select(m => m.Key).Concat(after.Milestones.Select(m => m.Key)).Distinct(StringComparer.Ordinal);
        return Between(
        [
            new("cut_off_months", before?.CutOffMonths.ToString(CultureInfo.InvariantCulture), after.CutOffMonths.ToString(CultureInfo.InvariantCulture)),
            new("milestone_order", before is null ? null : string.Join(", ", before.Milestones.Select(m => m.Key)), string.Join(", ", after.Milestones.Select(m => m.Key))),
            .. keys.Select(key => new AuditChange("milestone:" + key,
                before?.Milestones.FirstOrDefault(m => m.Key == key) is { } b ? Onboarding.OnboardingRules.Describe(b) : null,
                after.Milestones.FirstOrDefault(m => m.Key == key) is { } a ? Onboarding.OnboardingRules.Describe(a) : null)),
        ]);
    }

    /// <summary>
    /// The one format of an instant in an audit value: UTC to the whole second, with Z ("2026-03-02T08:30:00Z"), for
    /// people reading the trail; the database keeps the exact instant itself (see docs/storage.md).
    /// </summary>
    public static string? Instant(DateTimeOffset? at) => at?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>The actions the trail records (the UI translates them).</summary>
public static class AuditActions
{
    public static readonly IReadOnlyList<string> All =
    [
        "created", "updated", "moved", "next_action_set", "opted_out", "opt_out_cleared", "erased",
        "disabled", "enabled", "password_reset", "unlocked", "revoked", "imported", "synced",
        "version_added", "enrolled", "enrolled_by_rule", "stopped", "bounced", "milestone_done", "milestone_reopened", "logged", "edited", "corrected",
        "role_given", "role_taken", "milestones_created",
    ];

    /// <summary>The name shown (and translated) in the UI.</summary>
    public static string Label(string action) => action switch
    {
        "opted_out" => "Opt-out recorded",
        "opt_out_cleared" => "Opt-out cleared",
        "version_added" => "New version",
        "enrolled" => "Enrolled in a sequence",
        "enrolled_by_rule" => "Enrolled by rule",
        "stopped" => "Enrolment stopped",
        "bounced" => "Address bounced",
        "logged" => "Activity logged",
        "edited" => "Activity changed",
        "corrected" => "Correction added",
        "role_given" => "Role given",
        "role_taken" => "Role taken away",
        "milestones_created" => "Missing milestones created",
        _ => action.Length == 0 ? action : (char.ToUpperInvariant(action[0]) + action[1..]).Replace('_', ' '),
    };
}
