using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Outreach.Core.Activities;
using Outreach.Core.Calendar;
using Outreach.Web.Hosting;

namespace Outreach.Web.Pages;

/// <summary>
/// The signed-in person's day: their overdue and due-today next actions, their prospects stalled in a stage, unanswered
/// invitations to coming events and replies no one has acted on. "Their" is the organisation's owner, as written there (the
/// display name); ?owner= shows a colleague's day, ?stalledDays= another threshold than the configured one.
/// </summary>
public sealed class MyDayModel(IMyDaySource source, CurrentActor actor, TimeProvider clock, IOptions<OutreachOptions> options) : PageModel
{
    public const int MaxLines = 100;

    public string Owner { get; private set; } = "";
    public int StalledDays { get; private set; }
    public MyDay Day { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string? owner, int? stalledDays, CancellationToken ct)
    {
        Owner = string.IsNullOrWhiteSpace(owner) ? actor.Name : owner.Trim();
        if (Owner.Length > 200) return BadRequest();
        StalledDays = Math.Clamp(stalledDays ?? options.Value.StalledAfterDays, 1, 3650);
        var now = clock.GetUtcNow();
        Day = await source.ReadAsync(Owner, AmsterdamClock.Today(clock), now.AddDays(-StalledDays), now, MaxLines, ct);
        return Page();
    }
}
