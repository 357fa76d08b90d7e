using Microsoft.Extensions.Logging;
using Outreach.Core.Common;
using Outreach.Core.Onboarding;
using Outreach.Core.Pipeline;

namespace Outreach.Core.Prospects.Import;

/// <summary>The header and rows of an import file, or why the file cannot be read at all.</summary>
public sealed record ImportFile(IReadOnlyList<string> Header, IReadOnlyList<ImportRow> Rows, DomainMessage? Error)
{
    public static ImportFile Failed(DomainMessage error) => new([], [], error);
}

/// <summary>The import file's format: reads a file into numbered rows; problems are messages, never exceptions.</summary>
public interface IImportFileReader
{
    Task<ImportFile> ReadAsync(Stream csv, IProgress<ImportProgress>? progress, CancellationToken ct);
}

/// <summary>Writes an import plan (all of it or nothing) and exports what is stored in the import's columns.</summary>
public interface IProspectImportStore
{
    /// <summary>With invalid rows nothing is written unless <paramref name="importValidRowsOnly"/>; duplicates never are.</summary>
    Task<ImportResult> ImportAsync(ImportPlan plan, bool importValidRowsOnly, string by, IProgress<ImportProgress>? progress, CancellationToken ct);

    /// <summary>Every organisation with its contacts and entries, in the import's columns (formula-like cells escaped).</summary>
    Task ExportAsync(Stream output, CancellationToken ct);
}

/// <summary>
/// The CSV import and export as the web UI and the CLI use them: preview a file (read and plan, no writes), import it (all or
/// nothing, or only its valid rows), export everything in the same columns. The plan is <see cref="ImportPlanner.Plan"/>'s, with
/// the onboarding milestones of the rows imported at signed (<see cref="ImportedMilestones"/>), written in the same transaction.
/// </summary>
public sealed partial class ProspectImport(IImportFileReader reader, IProspectStore prospects, IProspectImportStore store, IOnboardingStore onboarding, TimeProvider clock, ILogger<ProspectImport> logger)
{
    [LoggerMessage(Level = LogLevel.Information, Message = "CSV import: {Rows} rows ({Invalid} invalid, {Duplicates} duplicates); imported {Imported}: {Organisations} organisations, {Contacts} contacts, {Entries} entries in {ElapsedMs:F0} ms")]
    private static partial void LogImport(ILogger logger, int rows, int invalid, int duplicates, bool imported, int organisations, int contacts, int entries, double elapsedMs);

    /// <summary>What importing the file would do, without writing anything.</summary>
    public Task<ImportPlan> PreviewAsync(Stream csv, CancellationToken ct) => PreviewAsync(csv, null, ct);

    public async Task<ImportPlan> PreviewAsync(Stream csv, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var file = await reader.ReadAsync(csv, progress, ct).ConfigureAwait(false);
        if (file.Error is not null) return ImportPlan.Refused(file.Error);

        progress?.Report(new ImportProgress(ImportPhase.Checking, 0, file.Rows.Count));
        var existing = await prospects.ListOrganisationKeysAsync(ct).ConfigureAwait(false);
        var covenants = await prospects.ListCovenantsAsync(ct).ConfigureAwait(false);
        var suppressed = await prospects.ListSuppressedHashesAsync(ct).ConfigureAwait(false);
        var today = Calendar.AmsterdamClock.Today(clock);
        var plan = ImportPlanner.Plan(file.Header, file.Rows, existing, covenants, suppressed, today);
        plan = ImportedMilestones.Attach(plan, await SigningPlansAsync(plan, ct).ConfigureAwait(false), covenants, today);
        progress?.Report(new ImportProgress(ImportPhase.Checking, file.Rows.Count, file.Rows.Count));
        return plan;
    }

    /// <summary>The onboarding plan in force of each covenant the file signs a party in (most files sign none: no read).</summary>
    private async Task<IReadOnlyDictionary<long, OnboardingPlan>> SigningPlansAsync(ImportPlan plan, CancellationToken ct)
    {
        var plans = new Dictionary<long, OnboardingPlan>();
        foreach (var covenantId in plan.Organisations.SelectMany(o => o.Entries).Where(e => e.Stage == Stage.Signed).Select(e => e.CovenantId).Distinct())
        {
            if (await onboarding.GetPlanAsync(covenantId, ct).ConfigureAwait(false) is { Milestones.Count: > 0 } found) plans[covenantId] = found;
        }

        return plans;
    }

    /// <summary>
    /// Imports the file in one transaction. With invalid rows it writes nothing unless <paramref name="importValidRowsOnly"/>;
    /// duplicates are never written. <paramref name="by"/> is who imports (on the history lines).
    /// </summary>
    public async Task<ImportResult> ImportAsync(Stream csv, bool importValidRowsOnly, string by, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        var plan = await PreviewAsync(csv, progress, ct).ConfigureAwait(false);
        var result = await store.ImportAsync(plan, importValidRowsOnly, by, progress, ct).ConfigureAwait(false);
        LogImport(logger, plan.Rows.Count, plan.InvalidRows, plan.DuplicateRows, result.Imported,
            result.OrganisationsCreated, result.ContactsCreated, result.EntriesCreated, clock.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    /// <summary>Every organisation with its contacts and entries, in the import's columns (formula-like cells escaped).</summary>
    public Task ExportAsync(Stream output, CancellationToken ct) => store.ExportAsync(output, ct);
}
