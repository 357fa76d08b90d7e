using Microsoft.AspNetCore.Mvc;
using Outreach.Core.Activities;
using Outreach.Web.Hosting;

namespace Outreach.Web.Pages.Prospects;

/// <summary>What the timeline partial shows: one page, the kinds chosen, and the cursor of the older page.</summary>
public sealed record TimelineView(long ProspectId, TimelinePage Page, IReadOnlySet<TimelineKind> Kinds, string? After, string Actor, DateTimeOffset Now)
{
    public bool Chosen(TimelineKind kind) => Kinds.Contains(kind);

    /// <summary>The query string of the older page (or of the first page with other kinds).</summary>
    public string Link(TimelineCursor? after) =>
        string.Join("&", Kinds.Order().Select(k => "kind=" + k.Code()).Concat(after is { } a ? ["after=" + Uri.EscapeDataString(a.ToString())] : []));
}

/// <summary>
/// The prospect page's timeline (a view component, so the page model stays as it is): the page given by the query string's
/// kind= filters and after= cursor. A cursor that does not read back starts from the newest line.
/// </summary>
public sealed class TimelineViewComponent(ITimelineSource timeline, CurrentActor actor, TimeProvider clock) : ViewComponent
{
    public const int PageSize = 25;

    public async Task<IViewComponentResult> InvokeAsync(long prospectId)
    {
        var kinds = ParseKinds(Request.Query["kind"]);
        var afterText = Request.Query["after"].ToString();
        TimelineCursor? after = TimelineCursor.TryParse(afterText, out var cursor) ? cursor : null;
        var page = await timeline.PageAsync(prospectId, new TimelineQuery { Kinds = kinds, After = after, PageSize = PageSize }, HttpContext.RequestAborted);
        return View(new TimelineView(prospectId, page, kinds, after?.ToString(), actor.Name, clock.GetUtcNow()));
    }

    /// <summary>Known kinds only; unknown values are ignored (a filter link from an older version still shows something).</summary>
    public static HashSet<TimelineKind> ParseKinds(IEnumerable<string?> values) =>
        values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Take(20)
            .Select(v => Timeline.Kinds.TryParse(v, out var k) ? (TimelineKind?)k : null)
            .OfType<TimelineKind>().ToHashSet();
}
