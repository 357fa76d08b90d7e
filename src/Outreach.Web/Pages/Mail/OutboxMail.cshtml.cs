using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Core.Mail;
using Outreach.Mail;

namespace Outreach.Web.Pages.Mail;

/// <summary>
/// One outbox row as it was rendered (the outbox keeps the subject, HTML and text it sends), and in the embedded mode where
/// the .eml file went: its full path in the pickup folder, and the file itself to open in a mail program.
/// </summary>
public sealed class OutboxMailModel(IMailOutbox outbox, MailOptions mail, PickupFolderDelivery pickup) : PageModel
{
    public OutboxMail Mail { get; private set; } = null!;
    /// <summary>The .eml file this mail is (or will be) written to; null with Graph mail.</summary>
    public string? EmlPath { get; private set; }
    public bool EmlWritten { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (await outbox.GetAsync(id, ct) is not { } found) return NotFound();
        Mail = found;
        if (OutboxModel.UsesPickupFolder(mail))
        {
            EmlPath = pickup.PathFor(found.Mail.IdempotencyKey);
            EmlWritten = System.IO.File.Exists(EmlPath);
        }

        return Page();
    }

    /// <summary>The written .eml file (personal data: not cached).</summary>
    public async Task<IActionResult> OnGetEmlAsync(long id, CancellationToken ct)
    {
        if (!OutboxModel.UsesPickupFolder(mail) || await outbox.GetAsync(id, ct) is not { } found) return NotFound();
        var path = pickup.PathFor(found.Mail.IdempotencyKey);
        if (!System.IO.File.Exists(path)) return NotFound();
        Response.Headers.CacheControl = "no-store";
        return PhysicalFile(path, "message/rfc822", $"outreach-mail-{id}.eml");
    }
}
