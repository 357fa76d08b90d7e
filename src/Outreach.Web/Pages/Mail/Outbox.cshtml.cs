using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Mail;

namespace Outreach.Web.Pages.Mail;

/// <summary>What the outbox holds: what was sent, what waits, and the dead letters, which can be retried or cancelled.</summary>
public sealed class OutboxModel(IMailOutbox outbox, TimeProvider clock, IStringLocalizer<SharedResource> T) : PageModel
{
    public const int Shown = 200;

    public IReadOnlyList<OutboxMail> Mails { get; private set; } = [];
    public OutboxStatus? Status { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? status, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(status))
        {
            if (!OutboxStatuses.TryParse(status, out var s)) return BadRequest();
            Status = s;
        }

        Mails = await outbox.ListAsync(Status, Shown, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRetryAsync(long id, string? status, CancellationToken ct)
    {
        TempData["Flash"] = (await outbox.RetryAsync(id, clock.GetUtcNow(), ct) ? T["The mail will be sent again."] : T["Only a failed mail can be retried."]).Value;
        return RedirectToPage(new { status });
    }

    public async Task<IActionResult> OnPostCancelAsync(long id, string? status, CancellationToken ct)
    {
        TempData["Flash"] = (await outbox.CancelAsync(id, ct) ? T["The mail was cancelled."] : T["Only a waiting or failed mail can be cancelled."]).Value;
        return RedirectToPage(new { status });
    }
}
