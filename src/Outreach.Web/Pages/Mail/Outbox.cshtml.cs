using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Mail;
using Outreach.Mail;

namespace Outreach.Web.Pages.Mail;

/// <summary>What the outbox holds: what was sent, what waits, and the dead letters, which can be retried or cancelled.</summary>
public sealed class OutboxModel(IMailOutbox outbox, TimeProvider clock, MailOptions mail, IStringLocalizer<SharedResource> T) : PageModel
{
    public const int Shown = 200;

    /// <summary>The full path of the folder the .eml files go to in the embedded mode; null with Graph mail.</summary>
    public string? PickupFolder => UsesPickupFolder(mail) ? Path.GetFullPath(mail.PickupFolder) : null;

    /// <summary>Mail:Provider Pickup (or unset): mail goes to .eml files, not to a mailbox.</summary>
    public static bool UsesPickupFolder(MailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.Provider) || string.Equals(options.Provider.Trim(), "Pickup", StringComparison.OrdinalIgnoreCase);
    }

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
