using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Jobs.Scheduling;

namespace Outreach.Web.Pages;

/// <summary>Each recurring job with its schedule in words, last run, outcome, node, next run and the progress of a running one; run now; the cluster's nodes.</summary>
public sealed class JobsModel(JobsService jobs, IStringLocalizer<SharedResource> T, Core.Crm.IWriteBackOutbox writeBack) : PageModel
{
    /// <summary>Write-backs Dynamics refused (newest first), shown under the Dataverse job with Dynamics' error.</summary>
    public IReadOnlyList<Core.Crm.WriteBackRefusal> RefusedWriteBacks { get; private set; } = [];

    public IReadOnlyList<JobStatus> Jobs { get; private set; } = [];
    public IReadOnlyList<NodeStatus> Nodes { get; private set; } = [];
    public bool AnyRunningOrQueued { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Jobs = await jobs.ListAsync(ct);
        Nodes = jobs.Nodes();
        // The outbox exists only with Dynamics configured.
        if (writeBack is not null && Jobs.Any(j => j.Definition.JobType == typeof(Outreach.Jobs.Dataverse.DataverseSyncJob))) RefusedWriteBacks = await writeBack.RefusedAsync(null, 20, ct);
        AnyRunningOrQueued = Jobs.Any(j => j.Running is not null) || TempData["Queued"] is not null;
    }

    public async Task<IActionResult> OnPostRunAsync(string key, CancellationToken ct)
    {
        if (!await jobs.RunNowAsync(key, ct)) return NotFound();
        TempData["Flash"] = T["Job queued: it starts within a few seconds."].Value;
        TempData["Queued"] = key;
        return RedirectToPage();
    }
}
