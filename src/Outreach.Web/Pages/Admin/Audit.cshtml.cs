using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Core.Audit;
using Outreach.Core.Calendar;
using Outreach.Core.Pipeline;

namespace Outreach.Web.Pages.Admin;

/// <summary>The audit trail for administrators: newest first, filtered by what changed, who changed it and when (filters kept in the URL).</summary>
public sealed class AuditModel(IAuditLog audit) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? Entity { get; set; }
    [BindProperty(SupportsGet = true)] public string? EntityId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Actor { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public Page<AuditEntry> Entries { get; private set; } = new([], 0, 1, PageSize);

    /// <summary>Days outside these years cannot be Amsterdam instants (the year 1 starts before the calendar does).</summary>
    private static readonly DateOnly Earliest = new(1900, 1, 1), Latest = new(9998, 12, 31);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (From is { } f && (f < Earliest || f > Latest) || To is { } t && (t < Earliest || t > Latest)) return BadRequest();
        var filter = new AuditFilter
        {
            Entity = AuditEntities.All.Contains(Entity ?? "") ? Entity : null,
            EntityId = EntityId is { Length: <= 40 } ? EntityId : null,
            Actor = Actor is { Length: <= 200 } ? Actor : null,
            // Dates are Amsterdam days: from the start of From to the end of To.
            From = From is { } from ? AmsterdamClock.AtLocal(from, TimeOnly.MinValue) : null,
            Before = To is { } to ? AmsterdamClock.AtLocal(to.AddDays(1), TimeOnly.MinValue) : null,
        };
        Entries = await audit.SearchAsync(filter, Math.Max(1, PageNumber), PageSize, ct);
        return Page();
    }

    public string PageLink(int page)
    {
        var query = new Dictionary<string, string?>
        {
            ["entity"] = Entity, ["entityId"] = EntityId, ["actor"] = Actor,
            ["from"] = From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["to"] = To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["p"] = page.ToString(CultureInfo.InvariantCulture),
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/admin/audit", query.Where(q => !string.IsNullOrEmpty(q.Value)));
    }
}
