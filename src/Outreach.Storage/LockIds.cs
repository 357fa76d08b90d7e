namespace Outreach.Storage;

/// <summary>
/// PostgreSQL advisory lock ids, one per thing that is serialised across nodes (taken through <see cref="SqlDialect"/>;
/// SQLite's single writer needs none). Keep them distinct: two uses of one id would wait for each other.
/// </summary>
public static class LockIds
{
    /// <summary>Concurrent starts of several nodes migrate one at a time (session lock, held across the scripts).</summary>
    public const long Migrations = 727001;

    /// <summary>Two uploads of one file cannot both pass the import's duplicate check.</summary>
    public const long ProspectImport = 727002;

    /// <summary>Event notice claims, so the per-event exclusivity of a claim cannot be passed by two claimers at once.</summary>
    public const long EventNoticeClaims = 727015;

    /// <summary>Saves of one covenant's onboarding plan, so two editors cannot both add the same next version.</summary>
    public const long OnboardingPlan = 727140;
}
